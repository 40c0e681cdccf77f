"""Load and strictly validate digests/*.toml, and check the delivery parts of config.toml ([smtp], [schedule])."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eumonitor.config.checker import Checker, Problem
from eumonitor.model import DigestSpec, Subscriber

SECURITY = ("starttls", "tls", "none")


@dataclass(frozen=True)
class DigestFile:
    """The keys allowed in digests/<id>.toml."""

    title: str
    profiles: tuple[str, ...]
    subscribers: tuple[Subscriber, ...] = ()
    per_section: int = 10
    closing_days: int = 21
    template: str = ""


def load_digests(root: Path, profile_ids: Collection[str]) -> tuple[dict[str, DigestSpec], list[Problem]]:
    """Every digests/*.toml in name order; every problem reported, with file, line and key."""
    from eumonitor.config import ID_PATTERN, read_toml

    digests: dict[str, DigestSpec] = {}
    problems: list[Problem] = []
    folder = root / "digests"
    if not folder.is_dir():
        return digests, problems
    for path in sorted(folder.glob("*.toml")):
        data, text, found = read_toml(path, root)
        if found:
            problems.extend(found)
            continue
        checker = Checker(path, text, _display(path, root))
        if not ID_PATTERN.match(path.stem):
            checker.add("", f"filnavnet '{path.name}' gir en ugyldig id; bruk små bokstaver, tall, - og _")
        top = checker.build(DigestFile, data)
        if top is not None:
            _check_digest(checker, top, root, profile_ids)
        problems.extend(checker.problems)
        if top is not None and not checker.problems:
            digests[path.stem] = DigestSpec(
                id=path.stem,
                title=top.title,
                profiles=top.profiles,
                subscribers=top.subscribers,
                per_section=top.per_section,
                closing_days=top.closing_days,
                template=top.template,
                path=checker.file,
            )
    return digests, problems


def _check_digest(checker: Checker, top: DigestFile, root: Path, profile_ids: Collection[str]) -> None:
    from eumonitor.config import EMAIL_PATTERN

    known = ", ".join(sorted(profile_ids)) or "(ingen profiler i profiles/)"
    if not top.profiles:
        checker.add("profiles", "skal nevne minst én profil")
    for profile in top.profiles:
        if profile not in profile_ids:
            _add_at(checker, "profiles", f"ukjent profil '{profile}'; kjente profiler: {known}", f'"{profile}"')
    seen: set[str] = set()
    for sub in top.subscribers:
        if not EMAIL_PATTERN.match(sub.email):
            _add_at(checker, "subscribers.email", f"ugyldig e-postadresse {sub.email!r}", sub.email)
        if sub.email.lower() in seen:
            _add_at(checker, "subscribers.email", f"{sub.email} står to ganger blant abonnentene", sub.email)
        seen.add(sub.email.lower())
        for profile in sub.profiles:
            if profile not in top.profiles:
                allowed = ", ".join(top.profiles)
                message = f"{sub.email}: profilen '{profile}' er ikke med i sammendraget; tillatt: {allowed}"
                _add_at(checker, "subscribers.profiles", message, sub.email)
    if not 1 <= top.per_section <= 100:
        checker.add("per_section", f"skal være mellom 1 og 100, fikk {top.per_section}")
    if not 1 <= top.closing_days <= 365:
        checker.add("closing_days", f"skal være mellom 1 og 365 dager, fikk {top.closing_days}")
    if top.template and not (root / top.template).is_dir():
        checker.add("template", f"malmappen '{top.template}' finnes ikke (regnes fra {root})")


def check_delivery_settings(settings: Any) -> list[tuple[str, str]]:
    """Problems in [smtp], [schedule] and [alerts] as (key, message), for config.toml's checker."""
    from eumonitor.config import EMAIL_PATTERN

    found: list[tuple[str, str]] = []
    smtp = settings.smtp
    if smtp.security not in SECURITY:
        found.append(("smtp.security", f"ukjent verdi {smtp.security!r}; tillatt: {', '.join(SECURITY)}"))
    if not 0 < smtp.port < 65536:
        found.append(("smtp.port", f"skal være et portnummer (1-65535), fikk {smtp.port}"))
    if smtp.host and not smtp.from_:
        found.append(("smtp.from", "mangler; avsenderadressen trengs når host er satt"))
    if smtp.from_ and not EMAIL_PATTERN.match(_address(smtp.from_)):
        found.append(("smtp.from", f"ugyldig e-postadresse {smtp.from_!r}"))
    if smtp.password_env and not smtp.username:
        found.append(("smtp.username", "mangler; password_env er satt, men uten brukernavn brukes ikke passordet"))
    for address in settings.alerts.to:
        if not EMAIL_PATTERN.match(address):
            found.append(("alerts.to", f"ugyldig e-postadresse {address!r}"))
    if settings.alerts.after_failures < 1:
        found.append(("alerts.after_failures", f"skal være minst 1, fikk {settings.alerts.after_failures}"))
    found.extend(_check_schedule(settings.schedule))
    return found


def _check_schedule(schedule: Any) -> list[tuple[str, str]]:
    from apscheduler.triggers.cron import CronTrigger

    found: list[tuple[str, str]] = []
    try:
        zone = ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return [("schedule.timezone", f"ukjent tidssone {schedule.timezone!r}, f.eks. Europe/Oslo")]
    for key in ("collect", "digest"):
        try:
            CronTrigger.from_crontab(getattr(schedule, key), timezone=zone)
        except ValueError as exc:
            found.append((f"schedule.{key}", f'ugyldig crontab-linje ({exc}); f.eks. "0 7 * * mon"'))
    return found


def _add_at(checker: Checker, key: str, message: str, needle: str) -> None:
    """A problem on the line where `needle` (e.g. the subscriber's address) is written."""
    position = checker.text.find(needle)
    line = checker.text.count("\n", 0, position) + 1 if position >= 0 else None
    checker.problems.append(Problem(checker.file, key, message, line))


def _address(text: str) -> str:
    """The address part of 'Name <address>'."""
    return text.rsplit("<", 1)[-1].rstrip(">").strip() if "<" in text else text.strip()


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
