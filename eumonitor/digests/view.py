"""The digest's view model: ISO weeks, items, source health, what the archive gave and what one subscriber reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from eumonitor.model import Call, Match, Participation, Profile, Subscriber

CallKey = tuple[str, str]


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO week such as 2026-W26; the unit a digest is sent (and deduplicated) by."""

    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        try:
            year, week = text.strip().upper().split("-W")
            monday = date.fromisocalendar(int(year), int(week), 1)
        except ValueError as exc:
            raise ValueError(f"ugyldig uke {text!r}; skriv f.eks. 2026-W26") from exc
        return cls.of(monday)

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def start(self, tz: ZoneInfo) -> datetime:
        """Monday 00:00 of this week in the city's time zone."""
        return datetime.combine(self.monday(), time(0, 0), tz)

    def next(self) -> IsoWeek:
        return IsoWeek.of(self.monday() + timedelta(days=7))


@dataclass(frozen=True)
class Theme:
    """One theme a call matched, with its score (0-1) and the terms that carried it."""

    profile_id: str
    title: str
    score: float
    why: tuple[str, ...] = ()
    # Signed links the reader can vote with ("Relevant" / "Ikke for oss"); empty without a base_url.
    relevant_url: str = ""
    not_url: str = ""

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass(frozen=True)
class Item:
    """One call as a digest shows it."""

    key: CallKey
    title: str
    url: str
    app_url: str
    programme: str
    identifier: str
    status: str
    next_deadline: date | None
    deadline_text: str  # "15. mars 2026 (12 dager igjen)"
    budget_text: str  # "" when the source gives no budget
    summary: str
    themes: tuple[Theme, ...]
    why: tuple[str, ...]
    change: str = ""  # for "Endringer": what changed, in Norwegian
    also: tuple[tuple[str, str], ...] = ()  # (source title, url) of the same call on other sources
    is_new: bool = False  # first seen in this digest's period: marked "ny" where it is listed outside "Nye"
    participation: str = ""  # "Kan vi delta?": ja | begrenset | nei | ukjent ("" when not judged)
    participation_reason: str = ""

    @property
    def score(self) -> float:
        return max((t.score for t in self.themes), default=0.0)


@dataclass(frozen=True)
class SourceHealth:
    """How one source did in the digest's period: runs that failed or returned nothing."""

    source: str
    title: str
    errors: int = 0
    empty: int = 0
    last_error: str = ""
    never_answered: bool = False  # not one run of this source has had an answer since the archive began
    failing_since: date | None = None  # the first day of its current run of errors (city's time zone)

    @property
    def troubled(self) -> bool:
        return bool(self.errors or self.empty or self.never_answered or self.failing_since)


@dataclass(frozen=True)
class DigestInputs:
    """What the archive knows, gathered once per send and shared by every subscriber of a digest."""

    today: date
    profiles: Mapping[str, Profile]
    calls: Mapping[CallKey, Call]  # every call that matched one of the digest's themes
    matches: Mapping[CallKey, Sequence[Match]]  # state "match" only
    changes: Sequence[Mapping[str, Any]]  # change rows (source, external_id, at, kind, old, new) over the widest period
    health: Sequence[SourceHealth] = ()
    base_url: str = ""
    # The same call announced on other sources (interreg.no and the programme's own site): shown once.
    also: Mapping[CallKey, Sequence[tuple[str, str]]] = field(default_factory=dict)
    archive_started: datetime | None = None  # the first collect that got an answer; None when none ever did
    last_answer: datetime | None = None  # the latest such collect
    zone: ZoneInfo | None = None  # the city's time zone, for the days shown
    participation: Mapping[CallKey, Participation] = field(default_factory=dict)  # "Kan vi delta?" per call


@dataclass(frozen=True)
class Digest:
    """The view model both templates render: one subscriber, one week."""

    digest_id: str
    title: str
    week: IsoWeek
    subscriber: Subscriber
    period_start: datetime
    period_end: datetime
    today: date
    subject: str
    new: tuple[Item, ...]
    new_total: int
    closing: tuple[Item, ...]
    closing_total: int
    changes: tuple[Item, ...]
    changes_total: int
    themes: tuple[str, ...]  # the subscriber's theme titles
    health: tuple[SourceHealth, ...]
    closing_days: int
    base_url: str = ""
    counts: Mapping[str, int] = field(default_factory=dict)
    new_closing: int = 0  # new calls listed under "Frist nærmer seg" instead of "Nye" (never shown twice)
    # Where a capped section's remaining calls can be read whole: (theme title, web search url).
    more_new: tuple[tuple[str, str], ...] = ()
    more_changes: tuple[tuple[str, str], ...] = ()
    # A first digest (the archive started inside the period): the best open calls per theme instead of "Nye".
    first: bool = False
    started: date | None = None
    best: tuple[tuple[str, tuple[Item, ...]], ...] = ()
    notice: str = ""  # the first paragraph when no new data arrived in the period
    manage_url: str = ""  # the subscriber's signed "Mine varsler" page (themes, pause, unsubscribe)
    # Calls that would have been listed but the city cannot take part in ("Kan vi delta?" nei): why not.
    not_eligible: tuple[Item, ...] = ()
    not_eligible_total: int = 0

    @property
    def new_listed_total(self) -> int:
        """New calls that belong in "Nye" (the urgent ones are under "Frist nærmer seg")."""
        return self.new_total - self.new_closing

    @property
    def is_empty(self) -> bool:
        return not (self.new or self.closing or self.changes or self.best)
