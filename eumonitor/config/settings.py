"""config.toml: its sections read into Settings, with the checks of [http], [smtp], [alerts] and [schedule]."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eumonitor.config.checker import Checker, Problem, display, read_toml
from eumonitor.config.ranges import http_problems
from eumonitor.config.schema import EMAIL_PATTERN, ScheduleConfig, Settings

SECURITY = ("starttls", "tls", "none")


def load_settings(root: Path) -> tuple[Settings, list[Problem]]:
    """config.toml; a missing file means all defaults."""
    path = root / "config.toml"
    if not path.exists():
        return Settings(), []
    data, text, problems = read_toml(path, root)
    if problems:
        return Settings(), problems
    checker = Checker(path, text, display(path, root))
    settings = checker.build(Settings, data) or Settings()
    if settings.http.contact and not EMAIL_PATTERN.match(settings.http.contact):
        checker.add("http.contact", f"skal være en e-postadresse, fikk {settings.http.contact!r}")
    for key, message in [*http_problems(settings.http), *check_delivery_settings(settings)]:
        checker.add(key, message)
    return settings, checker.problems


def check_delivery_settings(settings: Settings) -> list[tuple[str, str]]:
    """Problems in [smtp], [schedule] and [alerts] as (key, message), for config.toml's checker."""
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
    found.extend(("follow.reminder_days", message) for message in check_reminder_days(settings.follow.reminder_days))
    found.extend(_check_notify(settings.notify.urls))
    return found


def check_reminder_days(days: tuple[int, ...]) -> list[str]:
    """Problems with [follow] reminder_days (empty when fine)."""
    found = []
    if any(not 1 <= d <= 365 for d in days):
        found.append(f"hver verdi skal være 1-365 dager, fikk {list(days)}")
    if len(set(days)) != len(days):
        found.append(f"samme antall dager står flere ganger: {list(days)}")
    return found


def _check_notify(urls: tuple[str, ...]) -> list[tuple[str, str]]:
    if not urls:
        return []
    import apprise  # only when a chat channel is configured

    found = []
    for url in urls:
        if not apprise.Apprise().add(url):
            # Never the whole URL: it holds the channel's secret token.
            scheme = url.split("://", 1)[0] + "://…" if "://" in url else "uten skjema"
            found.append(("notify.urls", f"Apprise kjenner ikke adressen ({scheme}); se Apprise' liste over tjenester"))
    return found


def _check_schedule(schedule: ScheduleConfig) -> list[tuple[str, str]]:
    from apscheduler.triggers.cron import CronTrigger

    found: list[tuple[str, str]] = []
    try:
        zone = ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        found.append(("schedule.timezone", f"ukjent tidssone {schedule.timezone!r}, f.eks. Europe/Oslo"))
        zone = ZoneInfo("UTC")  # the crontab lines are still checked, so every problem shows at once
    if not 0 <= schedule.catch_up_hours <= 144:
        found.append(("schedule.catch_up_hours", f"skal være 0-144 timer, fikk {schedule.catch_up_hours}"))
    for key in ("collect", "digest"):
        try:
            CronTrigger.from_crontab(getattr(schedule, key), timezone=zone)
        except ValueError:
            problem = crontab_problem(getattr(schedule, key))
            found.append((f"schedule.{key}", f'ugyldig crontab-linje: {problem}; f.eks. "0 7 * * mon"'))
    return found


def _address(text: str) -> str:
    """The address part of 'Name <address>'."""
    return text.rsplit("<", 1)[-1].rstrip(">").strip() if "<" in text else text.strip()


# crontab's five fields as APScheduler names them, with the Norwegian name and what each allows.
CRON_FIELDS = (
    ("minute", "minutt", "0-59"),
    ("hour", "time", "0-23"),
    ("day", "dag i måneden", "1-31"),
    ("month", "måned", "1-12 eller jan-dec"),
    ("day_of_week", "ukedag", "0-6 eller mon-sun"),
)


def crontab_problem(line: str) -> str:
    """Which part of a crontab line APScheduler refused, in Norwegian (its own messages are English)."""
    from apscheduler.triggers.cron import CronTrigger

    fields = line.split()
    if len(fields) != len(CRON_FIELDS):
        return f"{len(fields)} felt, skal være 5 (minutt time dag måned ukedag)"
    for value, (name, label, allowed) in zip(fields, CRON_FIELDS, strict=True):
        try:
            CronTrigger(**{name: value}, timezone="UTC")
        except ValueError:
            return f"feltet {label} «{value}» er ugyldig (tillatt: {allowed}, *, lister og intervaller)"
    return "linjen er ugyldig"
