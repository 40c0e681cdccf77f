"""Load and strictly validate config.toml and sources/*.toml under one configuration root."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from eumonitor.config.checker import Checker, ConfigError, Problem
from eumonitor.model import HttpSettings, SourceSpec

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ArchiveConfig:
    """Where the SQLite archive lives, relative to the root."""

    path: str = "var/eumonitor.db"


@dataclass(frozen=True)
class HttpConfig:
    """Defaults for every source; a source's [http] table overrides them."""

    contact: str = ""
    timeout: float = 45.0
    retries: int = 3
    backoff: float = 1.0
    min_interval: float = 1.0
    max_bytes: int = 200_000_000


@dataclass(frozen=True)
class SourceHttp:
    """A source's own [http] overrides; None keeps the config.toml default."""

    timeout: float | None = None
    retries: int | None = None
    backoff: float | None = None
    min_interval: float | None = None
    max_bytes: int | None = None


@dataclass(frozen=True)
class ScheduleConfig:
    """When the scheduler runs what, in the city's time zone; times are crontab lines (min hour day month weekday)."""

    timezone: str = "Europe/Oslo"
    collect: str = "0 6 * * *"  # collect and match every morning
    digest: str = "0 7 * * mon"  # weekly digests on Monday morning


@dataclass(frozen=True)
class SmtpConfig:
    """Where digests are sent; with no host they are written to var/outbox/ instead."""

    host: str = ""
    port: int = 587
    security: str = "starttls"  # starttls | tls | none
    username: str = ""
    password_env: str = ""  # the name of the environment variable holding the password, never the password
    from_: str = field(default="", metadata={"toml": "from"})
    timeout: float = 30.0


@dataclass(frozen=True)
class AlertsConfig:
    """Who hears about a source that keeps failing, and after how many failed runs in a row."""

    to: tuple[str, ...] = ()
    after_failures: int = 3


@dataclass(frozen=True)
class Editor:
    """One person allowed to edit profiles in the web app; `eumonitor user add EMAIL` writes these."""

    email: str
    password_hash: str


@dataclass(frozen=True)
class WebConfig:
    """The web app; base_url (e.g. https://eumonitor.bergen.kommune.no) makes digests link to call pages."""

    base_url: str = ""
    open_read: bool = True  # reading without login (intranet); editing always needs a login
    cookie_secure: bool = True  # false only for plain-http testing; browsers then still get HttpOnly, SameSite
    secret_key_env: str = "EUMONITOR_SECRET_KEY"  # env var with the session key; else one kept in var/
    editors: tuple[Editor, ...] = ()


@dataclass(frozen=True)
class Settings:
    """Everything in config.toml."""

    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    http: HttpConfig = field(default_factory=HttpConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    web: WebConfig = field(default_factory=WebConfig)


@dataclass(frozen=True)
class SourceFile:
    """The top level of a sources/<id>.toml file, before its options are checked per kind."""

    kind: str
    url: str
    title: str = ""
    enabled: bool = True
    tags: tuple[str, ...] = ()
    note: str = ""
    verified_on: str = ""
    http: SourceHttp = field(default_factory=SourceHttp)
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    """The whole configuration root, validated."""

    root: Path
    settings: Settings
    sources: Mapping[str, SourceSpec]
    digests: Mapping[str, Any] = field(default_factory=dict)  # digests/<id>.toml as DigestSpec
    profiles: Mapping[str, Any] = field(default_factory=dict)  # profiles/<id>.toml as Profile

    def path(self, relative: str) -> Path:
        """A path from config.toml, taken relative to the root."""
        return (self.root / relative).resolve()

    @property
    def archive_path(self) -> Path:
        return self.path(self.settings.archive.path)


def resolve_root(root: str | os.PathLike | None) -> Path:
    """--root, else EUMONITOR_ROOT, else the current folder."""
    chosen = root or os.environ.get("EUMONITOR_ROOT") or "."
    return Path(chosen).resolve()


def read_toml(path: Path, root: Path) -> tuple[dict[str, Any], str, list[Problem]]:
    """Parse one TOML file; a syntax error becomes a Problem with its line."""
    display = _display(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, "", [Problem(display, "", f"kan ikke leses: {exc}")]
    try:
        return tomllib.loads(text), text, []
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        return {}, text, [Problem(display, "", f"ugyldig TOML: {exc}", line)]


def load_settings(root: Path) -> tuple[Settings, list[Problem]]:
    """config.toml; a missing file means all defaults."""
    path = root / "config.toml"
    if not path.exists():
        return Settings(), []
    data, text, problems = read_toml(path, root)
    if problems:
        return Settings(), problems
    checker = Checker(path, text, _display(path, root))
    settings = checker.build(Settings, data) or Settings()
    if settings.http.contact and not EMAIL_PATTERN.match(settings.http.contact):
        checker.add("http.contact", f"skal være en e-postadresse, fikk {settings.http.contact!r}")
    from eumonitor.config.digests import check_delivery_settings

    for key, message in check_delivery_settings(settings):
        checker.add(key, message)
    return settings, checker.problems


def http_settings(settings: Settings, overrides: SourceHttp | None = None) -> HttpSettings:
    """The effective HTTP settings for one source."""
    base = settings.http
    contact = f"; kontakt {base.contact}" if base.contact else ""
    merged = HttpSettings(
        user_agent=f"eumonitor/0.1 (EU-utlysningsovervåker{contact})",
        timeout=base.timeout,
        retries=base.retries,
        backoff=base.backoff,
        min_interval=base.min_interval,
        max_bytes=base.max_bytes,
    )
    if overrides is None:
        return merged
    changes = {k: v for k, v in vars(overrides).items() if v is not None}
    return replace(merged, **changes)


def load_source(
    path: Path, root: Path, settings: Settings, kinds: Mapping[str, Any]
) -> tuple[SourceSpec | None, list[Problem]]:
    """One sources/<id>.toml file, its options checked against its kind's Options."""
    data, text, problems = read_toml(path, root)
    if problems:
        return None, problems
    checker = Checker(path, text, _display(path, root))
    source_id = path.stem
    if not ID_PATTERN.match(source_id):
        checker.add("", f"filnavnet '{path.name}' gir en ugyldig id; bruk små bokstaver, tall, - og _")
    top = checker.build(SourceFile, data)
    if top is None:
        return None, checker.problems
    collector = kinds.get(top.kind)
    if collector is None:
        checker.add("kind", f"ukjent kind '{top.kind}'; tillatt: {', '.join(sorted(kinds))}")
        return None, checker.problems
    if not re.match(r"^https?://", top.url):
        checker.add("url", f"skal være en http(s)-adresse, fikk {top.url!r}")
    options = checker.build(collector.Options, top.options, "options")
    validate_options = getattr(collector, "validate_options", None)
    if options is not None and validate_options is not None:
        for key, message in validate_options(options):
            checker.add(f"options.{key}", message)
    spec = SourceSpec(
        id=source_id,
        kind=top.kind,
        url=top.url,
        title=top.title or source_id,
        enabled=top.enabled,
        tags=top.tags,
        note=top.note,
        verified_on=top.verified_on,
        http=http_settings(settings, top.http),
        options=options,
        path=_display(path, root),
    )
    return (spec if not checker.problems else None), checker.problems


def load_folder(
    folder: Path, loader: Callable[[Path], tuple[Any, list[Problem]]]
) -> tuple[dict[str, Any], list[Problem]]:
    """Every *.toml in one folder, in name order; all problems collected."""
    items: dict[str, Any] = {}
    problems: list[Problem] = []
    if not folder.is_dir():
        return items, problems
    for path in sorted(folder.glob("*.toml")):
        item, found = loader(path)
        problems.extend(found)
        if item is not None:
            items[path.stem] = item
    return items, problems


def load_config(root: Path, kinds: Mapping[str, Any] | None = None) -> Config:
    """The whole root; raises ConfigError listing every problem at once."""
    if kinds is None:
        from eumonitor.sources import kinds as registry

        kinds = registry()
    if not root.is_dir():
        raise ConfigError([Problem(str(root), "", "mappen finnes ikke")])
    settings, problems = load_settings(root)
    sources, found = load_folder(root / "sources", lambda p: load_source(p, root, settings, kinds))
    problems.extend(found)
    from eumonitor.config.profiles import load_profiles

    profiles, found = load_profiles(root)
    problems.extend(found)
    from eumonitor.config.digests import load_digests

    # Digests name profiles; checked against the profile files present (each profile is validated on its own).
    digests, found = load_digests(root, {p.stem for p in (root / "profiles").glob("*.toml")})
    problems.extend(found)
    if problems:
        raise ConfigError(problems)
    return Config(root=root, settings=settings, sources=sources, digests=digests, profiles=profiles)


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _line_from_message(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None
