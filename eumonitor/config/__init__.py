"""The only code that reads or writes the TOML tree under one root: load(root) validates all of it at once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from eumonitor.config.checker import ConfigError, NoConfigError, Problem, load_folder
from eumonitor.config.digests import load_digests
from eumonitor.config.glossary import GLOSSARY_PATH, load_glossary
from eumonitor.config.participation import load_participation
from eumonitor.config.profiles import load_profiles
from eumonitor.config.schema import (
    EMAIL_PATTERN,
    ID_PATTERN,
    AlertsConfig,
    ArchiveConfig,
    Config,
    Editor,
    HttpConfig,
    ScheduleConfig,
    Settings,
    SmtpConfig,
    SourceFile,
    SourceHttp,
    WebConfig,
)
from eumonitor.config.settings import load_settings
from eumonitor.config.sources import http_settings, load_source

__all__ = [
    "EMAIL_PATTERN",
    "ID_PATTERN",
    "AlertsConfig",
    "ArchiveConfig",
    "Config",
    "ConfigError",
    "NoConfigError",
    "Editor",
    "HttpConfig",
    "Problem",
    "ScheduleConfig",
    "Settings",
    "SmtpConfig",
    "SourceFile",
    "SourceHttp",
    "WebConfig",
    "http_settings",
    "load_config",
    "load_settings",
    "resolve_root",
]


def resolve_root(root: str | os.PathLike | None) -> Path:
    """--root, else EUMONITOR_ROOT, else the current folder."""
    chosen = root or os.environ.get("EUMONITOR_ROOT") or "."
    return Path(chosen).resolve()


def load_config(root: Path, kinds: Mapping[str, Any] | None = None, glossary_path: Path = GLOSSARY_PATH) -> Config:
    """The whole root; raises ConfigError listing every problem at once."""
    if kinds is None:
        from eumonitor.sources import kinds as registry  # the kinds' option types; sources/ never imports config

        kinds = registry()
    # Without config.toml this is not a root at all (a wrong folder, most likely): nothing is read or created.
    if not (root / "config.toml").is_file():
        raise NoConfigError(root)
    settings, problems = load_settings(root)
    sources, found = load_folder(root / "sources", lambda p: load_source(p, root, settings, kinds))
    problems.extend(found)
    profiles, found = load_profiles(root)
    problems.extend(found)
    # Digests name profiles: checked against every profile file present, also one that has its own problems,
    # so a broken profile is reported once (in its file) and not again in each digest naming it.
    digests, found = load_digests(root, {p.stem for p in (root / "profiles").glob("*.toml")})
    problems.extend(found)
    if digests:
        problems.extend(_check_base_url(root, settings.web.base_url))
    participation, found = load_participation(root)
    problems.extend(found)
    glossary, found = load_glossary(glossary_path)  # packaged, but edited by hand: checked like the root's files
    problems.extend(found)
    if problems or glossary is None:
        raise ConfigError(problems)
    return Config(
        root=root,
        settings=settings,
        sources=sources,
        digests=digests,
        profiles=profiles,
        # As in the file: each search pairs it with the profiles it reads, so a theme edited on the site
        # widens the next search at once (with_profiles).
        glossary=glossary,
        participation=participation,
    )


def _check_base_url(root: Path, base_url: str) -> list[Problem]:
    """Digests link back to the web app (each call, "Mine varsler", the one-click unsubscribe): without an
    absolute address those links would be missing or broken in every mail."""
    parts = urlsplit(base_url)
    if parts.scheme in ("http", "https") and parts.netloc and not parts.query and not parts.fragment:
        return []
    text = (root / "config.toml").read_text(encoding="utf-8") if (root / "config.toml").exists() else ""
    position = text.find("base_url")
    line = text.count("\n", 0, position) + 1 if position >= 0 else None
    message = (
        f"skal være en absolutt http(s)-adresse som https://eumonitor.kommune.no når digests/ har sammendrag "
        f"(lenkene i e-postene peker dit), fikk {base_url!r}"
    )
    return [Problem("config.toml", "web.base_url", message, line)]
