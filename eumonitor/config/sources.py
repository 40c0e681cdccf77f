"""sources/<id>.toml: the common keys, [http] overrides and the options checked per kind."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from eumonitor import __version__
from eumonitor.config.checker import Checker, Problem, display, read_toml
from eumonitor.config.ranges import http_problems
from eumonitor.config.schema import ID_PATTERN, Settings, SourceFile, SourceHttp
from eumonitor.model import HttpSettings, SourceSpec
from eumonitor.sources.kind import Kind


def http_settings(settings: Settings, overrides: SourceHttp | None = None) -> HttpSettings:
    """The effective HTTP settings for one source."""
    base = settings.http
    contact = f"; kontakt {base.contact}" if base.contact else ""
    merged = HttpSettings(
        user_agent=f"eumonitor/{__version__} (EU-utlysningsovervåker{contact})",
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


def _top_problems(top: SourceFile) -> list[tuple[str, str]]:
    """The url and the [http] ranges of one source file, as (key, message)."""
    found = [] if re.match(r"^https?://", top.url) else [("url", f"skal være en http(s)-adresse, fikk {top.url!r}")]
    return found + http_problems(top.http)


def load_source(
    path: Path, root: Path, settings: Settings, kinds: Mapping[str, Kind]
) -> tuple[SourceSpec | None, list[Problem]]:
    """One sources/<id>.toml file, its options checked against its kind's Options."""
    data, text, problems = read_toml(path, root)
    if problems:
        return None, problems
    checker = Checker(path, text, display(path, root))
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
    for key, message in _top_problems(top):
        checker.add(key, message)
    options = checker.build(collector.Options, top.options, "options")
    validate_options = collector.validate_options
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
        path=display(path, root),
    )
    return (spec if not checker.problems else None), checker.problems
