"""Frozen dataclasses shared by every module: sources, requests, pages, calls, runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any

EMPTY: Mapping[str, Any] = MappingProxyType({})


class EumonitorError(Exception):
    """The root of every expected failure (a source, a fetch, a delivery, the configuration, the archive, the lock).

    Jobs catch this per source or per subscriber and record it; anything else is a bug and surfaces as one.
    """


# Call statuses as users see them; the portal's own codes are mapped onto these by the collector.
STATUSES = ("forthcoming", "open", "closed")


@dataclass(frozen=True)
class HttpSettings:
    """How to talk to one host: politeness and fault tolerance."""

    user_agent: str = "eumonitor/0.1 (+https://github.com/bergen-kommune/eumonitor)"
    timeout: float = 45.0
    retries: int = 3
    backoff: float = 1.0  # seconds; doubled for each retry
    min_interval: float = 1.0  # seconds between two requests to one host
    max_bytes: int = 200_000_000


@dataclass(frozen=True)
class SourceSpec:
    """One file in sources/: which collector kind, where, and its kind-specific options."""

    id: str
    kind: str
    url: str
    title: str = ""
    enabled: bool = True
    tags: tuple[str, ...] = ()
    note: str = ""
    verified_on: str = ""
    http: HttpSettings = field(default_factory=HttpSettings)
    options: Any = None  # an instance of the collector's Options dataclass
    path: str = ""  # the file it came from, for error messages


@dataclass(frozen=True)
class Request:
    """One HTTP request a collector wants made; `files` are multipart parts (name, body, content type)."""

    url: str
    method: str = "GET"
    params: tuple[tuple[str, str], ...] = ()
    files: tuple[tuple[str, str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    meta: Mapping[str, Any] = field(default_factory=lambda: EMPTY)  # collector's own bookkeeping, e.g. the page number


@dataclass(frozen=True)
class Page:
    """What came back for a Request."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    request: Request

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Budget:
    """The topic's own budget line, as far as the source says."""

    total: int | None = None  # summed over the years of this topic's own line
    currency: str = "EUR"
    expected_grants: int | None = None
    min_contribution: int | None = None
    max_contribution: int | None = None
    years: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class RawCall:
    """A call as one collector parsed it from one source, before normalising."""

    source: str
    external_id: str
    title: str
    url: str = ""
    description_html: str = ""
    description_text: str = ""  # when the source gives plain text only
    summary: str = ""
    programme: str = ""  # human label, e.g. "Horizon Europe"
    programme_id: str = ""
    call_identifier: str = ""
    call_title: str = ""
    call_type: str = ""  # portal type code or the kind of announcement
    status: str = ""  # one of STATUSES, or "" when the source does not say
    opening_date: date | None = None
    deadlines: tuple[date, ...] = ()
    deadline_model: str = ""
    deadline_tz: str = "Europe/Brussels"
    budget: Budget = field(default_factory=Budget)
    keywords: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY)  # source-specific fields kept for the call page
    quality: tuple[int, ...] = ()  # higher wins when one source yields the same id twice
    # Who may apply, as the source words it ("Norway", "EU Member States", "Local public authority");
    # empty when the source does not say (the EU portal today), which downstream reads as "unknown".
    eligible_countries: tuple[str, ...] = ()
    applicant_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Call:
    """A normalised call: what the archive stores and everything downstream reads."""

    source: str
    external_id: str
    title: str
    url: str
    description_html: str
    description_text: str
    summary: str
    programme: str
    programme_id: str
    call_identifier: str
    call_title: str
    call_type: str
    status: str
    opening_date: date | None
    deadlines: tuple[date, ...]
    deadline_model: str
    deadline_tz: str
    budget: Budget
    keywords: tuple[str, ...]
    tags: tuple[str, ...]
    extra: Mapping[str, Any]
    content_hash: str
    eligible_countries: tuple[str, ...] = ()
    applicant_types: tuple[str, ...] = ()
    # Judged from the two above by sources/eligibility.py; None = the source does not say.
    norway_eligible: bool | None = None
    municipalities_eligible: bool | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.external_id)

    def next_deadline(self, today: date) -> date | None:
        """The first deadline on or after today; the one users act on."""
        upcoming = [d for d in self.deadlines if d >= today]
        return min(upcoming) if upcoming else None

    def status_on(self, today: date) -> str:
        """The status a person would give the call today: open or forthcoming with every deadline past is closed
        (the source may have stopped listing it before saying so); the same rule as the archive's search."""
        if self.status in ("open", "forthcoming") and self.deadlines and max(self.deadlines) < today:
            return "closed"
        return self.status


@dataclass(frozen=True)
class Skipped:
    """One item a collector could not use, and why."""

    reason: str
    item: str = ""


@dataclass(frozen=True)
class Parsed:
    """What a collector made of one page."""

    calls: tuple[RawCall, ...] = ()
    follow: tuple[Request, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    # True when the collector knows the scan it belongs to is complete only if every page
    # arrives; the pipeline marks unseen calls unlisted only after a complete scan.
    total_expected: int | None = None
    # Why a page yielded nothing, in Norwegian ("fant ingen elementer for selektoren …"); shown on an empty run.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeSet:
    """What one collect changed in the archive for one source."""

    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    unlisted: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceRun:
    """One collect of one source, as stored in source_runs."""

    source: str
    started_at: datetime
    finished_at: datetime
    status: str  # ok | empty | error
    error: str | None
    counts: Mapping[str, int]
    changes: ChangeSet = field(default_factory=ChangeSet)
    id: int | None = None


@dataclass(frozen=True)
class Keyword:
    """A word or phrase of a theme profile, with how much it counts."""

    term: str
    weight: float = 1.0


@dataclass(frozen=True)
class Profile:
    """One theme in profiles/<id>.toml: what the city's adviser for that theme wants to see."""

    id: str
    title: str
    owner: str
    description: str
    keywords: tuple[Keyword, ...] = ()
    exclude: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()  # programme ids or labels; empty = all
    min_score: float = 0.2
    path: str = ""


@dataclass(frozen=True)
class Match:
    """How one call scored against one profile, and the terms that carried it ("why")."""

    profile_id: str
    source: str
    external_id: str
    score: float
    why: tuple[str, ...] = ()
    state: str = "match"  # match | excluded | below
    reason: str = ""  # for excluded/below: what kept it out, in Norwegian


@dataclass(frozen=True)
class Subscriber:
    """One recipient of a digest; `profiles` narrows the digest's themes for this person (empty = all)."""

    email: str
    name: str = ""
    profiles: tuple[str, ...] = ()


@dataclass(frozen=True)
class DigestSpec:
    """One digests/<id>.toml: a digest edition, its themes, its subscribers and its limits."""

    id: str
    title: str
    profiles: tuple[str, ...]
    subscribers: tuple[Subscriber, ...] = ()
    per_section: int = 10  # calls shown in each section
    closing_days: int = 21  # "Frist nærmer seg": next deadline within this many days
    template: str = ""  # a folder of template overrides, relative to the root; "" = the packaged templates
    # Calls the city cannot take part in ("Kan vi delta?" nei) are left out and counted, unless this is set.
    include_not_eligible: bool = False
    path: str = ""

    def profiles_for(self, subscriber: Subscriber) -> tuple[str, ...]:
        """The themes one subscriber gets: the digest's, narrowed by the subscriber's own list."""
        if not subscriber.profiles:
            return self.profiles
        return tuple(p for p in self.profiles if p in subscriber.profiles)


@dataclass(frozen=True)
class Delivery:
    """One attempt to deliver one digest week to one subscriber; 'sent' only after the server accepted it."""

    digest_id: str
    week: str  # ISO week, e.g. 2026-W26
    subscriber: str
    status: str  # sent | error
    at: datetime
    subject: str = ""
    transport: str = ""  # smtp | outbox
    message_id: str = ""
    error: str = ""
    period_start: datetime | None = None
    period_end: datetime | None = None
    counts: Mapping[str, int] = field(default_factory=lambda: EMPTY)
    id: int | None = None


def utc_stamp(moment: datetime) -> str:
    """Stored timestamps are UTC ISO strings so that text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the archive; pass an aware one")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


# "Kan vi delta?": the four answers, mildest first. The rules behind them are data (participation.toml).
PARTICIPATION_VERDICTS = ("ja", "ukjent", "begrenset", "nei")


@dataclass(frozen=True)
class ListSource:
    """The published list a participation file is written from, named so a reader can check it."""

    title: str
    publisher: str
    url: str
    published: str  # ISO date of the list
    checked: str  # ISO date the file was last compared with it


@dataclass(frozen=True)
class ProgrammeRule:
    """Whether the city can take part in one programme, and why; matched by portal id or by label."""

    name: str
    verdict: str
    note: str
    ids: tuple[str, ...] = ()  # EU portal programme ids or abbreviations (HORIZON, 43108390)
    labels: tuple[str, ...] = ()  # lower-case parts of a programme label other sources write ("north sea")


@dataclass(frozen=True)
class ConditionRule:
    """A restriction in a topic's conditions, found sentence by sentence by regular expressions."""

    id: str
    verdict: str
    reason: str
    patterns: tuple[str, ...]
    # The verdict and reason when the same sentence names Norway or the EEA ("limited to Member States,
    # Iceland and Norway"); "" keeps `verdict` and `reason`.
    if_norway_named: str = ""
    norway_reason: str = ""


@dataclass(frozen=True)
class ExternalActionRule:
    """EU external action (EuropeAid): calls for actors in partner countries, named in the identifier."""

    programmes: tuple[str, ...] = ()
    call_types: tuple[str, ...] = ()
    identifier_country: str = ""  # a regular expression whose one group is the country code
    country_verdict: str = "nei"
    country_reason: str = ""
    multi_verdict: str = "begrenset"
    multi_reason: str = ""
    countries: Mapping[str, str] = field(default_factory=dict)  # code -> Norwegian name


@dataclass(frozen=True)
class ParticipationRules:
    """Everything "Kan vi delta?" is judged by: programmes, topic conditions, external action, municipal roles."""

    source: ListSource
    programmes: tuple[ProgrammeRule, ...] = ()
    conditions: tuple[ConditionRule, ...] = ()
    external_action: ExternalActionRule = field(default_factory=ExternalActionRule)
    roles: tuple[str, ...] = ()  # regular expressions for a role a municipality can have
    # Norway is named, or covered: the EEA, or "associated countries" (Norway is associated to the programmes it
    # takes part in; whether it takes part at all is the programme rule's answer).
    norway_named: str = r"\b(Norway|Norwegian|Norge|EEA|European Economic Area|EFTA|associated countr(y|ies))\b"
    path: str = ""  # the file it was read from, shown as the rules' source


@dataclass(frozen=True)
class Factor:
    """One reason behind a participation verdict; `verdict` "" is information that decides nothing."""

    kind: str  # programme | countries | conditions | external | role
    verdict: str
    reason: str
    evidence: str = ""


@dataclass(frozen=True)
class Participation:
    """ "Kan vi delta?" for one call: the answer, the sentence that decided it, and every factor weighed."""

    verdict: str
    reason: str
    factors: tuple[Factor, ...] = ()

    @property
    def role(self) -> Factor | None:
        return next((f for f in self.factors if f.kind == "role"), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "factors": [
                {"kind": f.kind, "verdict": f.verdict, "reason": f.reason, "evidence": f.evidence} for f in self.factors
            ],
        }
