"""The configuration's shape as frozen dataclasses (config.toml sections, a source file's top level, Config).

Edge modules (the mailer, web login) import these types from here, never the loader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from eumonitor.model import DigestSpec, ParticipationRules, Profile, SourceSpec
from eumonitor.store.query_expansion import Glossary

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
    # A digest missed while the scheduler was down is sent only this many hours after its time, and only
    # once that week's collect has had an answer; later, the next week's digest covers the time instead.
    catch_up_hours: int = 12


@dataclass(frozen=True)
class NotifyConfig:
    """An optional chat channel: Apprise URLs (Teams, Slack, a JSON webhook ...) that get each digest's summary
    and the staff alerts. The URLs hold the channel's secret token, so config.toml must not be world-readable."""

    urls: tuple[str, ...] = ()


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


# How long before a followed call's next deadline its followers are reminded: 6 weeks, 2 weeks, 3 days.
DEFAULT_REMINDER_DAYS = (42, 14, 3)


@dataclass(frozen=True)
class FollowConfig:
    """Following calls: how many days before a followed call's next deadline its followers get a reminder."""

    reminder_days: tuple[int, ...] = DEFAULT_REMINDER_DAYS


@dataclass(frozen=True)
class Editor:
    """An editor as config.toml listed them before users moved to the archive; carried over there once, as redaktør."""

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
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    web: WebConfig = field(default_factory=WebConfig)
    follow: FollowConfig = field(default_factory=FollowConfig)


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
    digests: Mapping[str, DigestSpec] = field(default_factory=dict)
    profiles: Mapping[str, Profile] = field(default_factory=dict)
    participation: ParticipationRules | None = None  # "Kan vi delta?"; None only in hand-built test configs
    # Norwegian search words -> English terms, as in the packaged file; a search adds the profiles' pairings.
    glossary: Glossary = field(default_factory=Glossary)

    def path(self, relative: str) -> Path:
        """A path from config.toml, taken relative to the root."""
        return (self.root / relative).resolve()

    @property
    def archive_path(self) -> Path:
        return self.path(self.settings.archive.path)
