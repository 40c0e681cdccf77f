"""Test helper: small calls, matches and archive changes for digest tests, without a database."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from eumonitor.digests.build import DigestInputs, SourceHealth
from eumonitor.model import Budget, Call, DigestSpec, Match, Profile, Subscriber

OSLO = ZoneInfo("Europe/Oslo")
TODAY = date(2026, 6, 22)  # Monday of week 26
NOW = datetime(2026, 6, 22, 7, 0, tzinfo=OSLO)

PROFILES = {
    "hav": Profile("hav", "Hav og havnæringer", "hav@bergen.kommune.no", "Havet"),
    "folkehelse": Profile("folkehelse", "Folkehelse", "helse@bergen.kommune.no", "Helse"),
    "kultur": Profile("kultur", "Kultur", "kultur@bergen.kommune.no", "Kultur"),
}
SPEC = DigestSpec(
    id="network",
    title="EU-utlysninger for Bergen kommune",
    profiles=("hav", "folkehelse", "kultur"),
    subscribers=(
        Subscriber("alle@bergen.kommune.no", "Alle"),
        Subscriber("helse@bergen.kommune.no", "Helse", ("folkehelse",)),
    ),
    per_section=3,
    closing_days=21,
)


def call(ext: str, title: str = "", *, status: str = "open", deadlines=(date(2026, 9, 15),), total=None, **kw) -> Call:
    fields = dict(
        source="eu-funding-tenders",
        external_id=ext,
        title=title or f"Call {ext}",
        url=f"https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/{ext}",
        description_html="",
        description_text=f"Description of {ext}. " * 30,
        summary="",
        programme="Horizon Europe",
        programme_id="43108390",
        call_identifier=ext.rsplit("-", 1)[0],
        call_title="",
        call_type="1",
        status=status,
        opening_date=None,
        deadlines=tuple(deadlines),
        deadline_model="single-stage",
        deadline_tz="Europe/Brussels",
        budget=Budget(total=total),
        keywords=(),
        tags=(),
        extra={},
        content_hash=ext,
    )
    fields.update(kw)
    return Call(**fields)


def match(c: Call, profile: str, score: float, *why: str) -> Match:
    return Match(profile, c.source, c.external_id, score, why or ("ocean",))


def change(c: Call, kind: str, at: str = "2026-06-20T04:00:00+00:00", old=None, new=None) -> dict:
    return {"source": c.source, "external_id": c.external_id, "at": at, "kind": kind, "old": old, "new": new}


# An ordinary week: the archive has collected for months, and this morning's collect got its answers.
STARTED = datetime(2026, 3, 2, 6, 0, tzinfo=OSLO)
ANSWERED = datetime(2026, 6, 22, 6, 0, tzinfo=OSLO)


def inputs(calls, matches, changes, health=(), base_url="", started=STARTED, answered=ANSWERED) -> DigestInputs:
    by_key: dict = {}
    for m in matches:
        by_key.setdefault((m.source, m.external_id), []).append(m)
    return DigestInputs(
        today=TODAY,
        profiles=PROFILES,
        calls={c.key: c for c in calls},
        matches=by_key,
        changes=list(changes),
        health=tuple(health),
        base_url=base_url,
        archive_started=started,
        last_answer=answered,
        zone=OSLO,
    )


def failing(source: str = "interreg", title: str = "Interreg Nordsjøen") -> SourceHealth:
    return SourceHealth(source, title, errors=2, last_error="HTTP 503")
