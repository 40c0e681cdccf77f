"""Pick and rank what one subscriber gets in one week's digest (pure: everything arrives as arguments)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from eumonitor.digests.view import CallKey, Digest, DigestInputs, IsoWeek, Item, SourceHealth, Theme
from eumonitor.model import DigestSpec, Match, Subscriber, utc_stamp
from eumonitor.nb import date_nb, days_left_nb, money_nb

SUMMARY_CHARS = 240  # about two lines in a mail client
__all__ = [
    "Digest",
    "DigestInputs",
    "IsoWeek",
    "Item",
    "SourceHealth",
    "Theme",
    "build_digest",
    "period_for",
    "shorten",
]


def period_for(week: IsoWeek, now: datetime, last_end: datetime | None, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """(start, end]: since the subscriber's last digest (else a week back) up to now, at most to the week's end.

    The week ends at midnight in the city's time zone ([schedule] timezone).
    """
    end = min(now, week.next().start(zone))
    start = last_end if last_end is not None and last_end < end else end - timedelta(days=7)
    return start, end


def build_digest(
    spec: DigestSpec, subscriber: Subscriber, week: IsoWeek, period: tuple[datetime, datetime], data: DigestInputs
) -> Digest:
    """Everything one subscriber reads this week, ranked, limited and worded."""
    themes = spec.profiles_for(subscriber)
    matched = _relevant(data, themes)
    # A call the city cannot take part in is no news to act on: left out, and told under "Holdt utenfor".
    relevant = {k: m for k, m in matched.items() if spec.include_not_eligible or _verdict(data, k) != "nei"}
    held = {k: m for k, m in matched.items() if k not in relevant}
    start, end = period
    # The archive began inside the period: everything in it is "new", which tells the reader nothing.
    first = data.archive_started is not None and data.archive_started > start
    new, closing, changed = _sections(data, relevant, period, spec.closing_days, first)
    not_eligible = _held_back(data, held, period, spec, themes, first)
    urgent = {i.key for i in closing}
    listed_new = [i for i in new if i.key not in urgent]  # an urgent new call is listed once, under closing
    limit = spec.per_section
    digest = Digest(
        digest_id=spec.id,
        title=spec.title,
        week=week,
        subscriber=subscriber,
        period_start=start,
        period_end=end,
        today=data.today,
        subject="",
        new=tuple(listed_new[:limit]),
        new_total=len(new),
        closing=tuple(closing),  # never capped
        closing_total=len(closing),
        changes=tuple(changed[:limit]),
        changes_total=len(changed),
        themes=tuple(data.profiles[p].title for p in themes if p in data.profiles),
        health=tuple(h for h in data.health if h.troubled),
        closing_days=spec.closing_days,
        base_url=data.base_url,
        counts={"new": len(new), "closing": len(closing), "changes": len(changed)},
        new_closing=len(new) - len(listed_new),
        # The web search's "first seen from" filter starts on the period's first day.
        more_new=_more_links(data, themes, listed_new[limit:], {"since": start.date().isoformat()}),
        more_changes=_more_links(data, themes, changed[limit:], {"status": "open"}),
        first=first,
        started=_day(data.archive_started, data.zone) if first else None,
        best=_best_per_theme(data, relevant, themes, limit) if first else (),
        notice=_no_data_notice(data, start),
        not_eligible=tuple(not_eligible[:limit]),
        not_eligible_total=len(not_eligible),
    )
    return _with_subject(digest, new)


def _verdict(data: DigestInputs, key: CallKey) -> str:
    found = data.participation.get(key)
    return found.verdict if found else ""


def _held_back(
    data: DigestInputs,
    held: Mapping[CallKey, tuple[Match, ...]],
    period: tuple[datetime, datetime],
    spec: DigestSpec,
    themes: Sequence[str],
    first: bool,
) -> list[Item]:
    """The calls left out for "nei" that a section would have listed, best first, each once."""
    if not held:
        return []
    new, closing, changed = _sections(data, held, period, spec.closing_days, first)
    best = _best_per_theme(data, held, themes, spec.per_section) if first else ()
    best_items = [i for _title, items in best for i in items]
    unique = {i.key: i for i in [*new, *closing, *changed, *best_items]}
    return sorted(unique.values(), key=lambda i: (-i.score, i.title, i.key))


def _sections(
    data: DigestInputs,
    relevant: Mapping[CallKey, tuple[Match, ...]],
    period: tuple[datetime, datetime],
    closing_days: int,
    first: bool,
) -> tuple[list[Item], list[Item], list[Item]]:
    """New calls, calls closing soon and changed calls, each ranked and uncapped."""
    after, until = utc_stamp(period[0]), utc_stamp(period[1])
    in_period = [c for c in data.changes if after < c["at"] <= until and _key(c) in relevant] if not first else []
    new_keys = {_key(c) for c in in_period if c["kind"] == "new"}
    new = _ranked(data, relevant, new_keys)
    changed = _changes(data, relevant, in_period, new_keys)
    # Every urgent deadline is listed, new or not: a call closing in three days is the one an adviser must see.
    closing = _closing(data, relevant, closing_days, new_keys)
    return new, closing, changed


def _best_per_theme(
    data: DigestInputs, relevant: Mapping[CallKey, tuple[Match, ...]], themes: Sequence[str], limit: int
) -> tuple[tuple[str, tuple[Item, ...]], ...]:
    """A first digest's body: per theme, its best calls one can still apply to, by that theme's score."""
    found = []
    for profile_id in themes:
        scored = []
        for key, matches in relevant.items():
            call = data.calls[key]
            mine = [m for m in matches if m.profile_id == profile_id]
            still_open = call.status in ("open", "forthcoming") and (
                not call.deadlines or call.next_deadline(data.today) is not None
            )
            if mine and still_open:
                scored.append((-mine[0].score, call.title, key))
        items = tuple(_item(data, key, relevant[key]) for _score, _title, key in sorted(scored)[:limit])
        if items:
            title = data.profiles[profile_id].title if profile_id in data.profiles else profile_id
            found.append((title, items))
    return tuple(found)


def _no_data_notice(data: DigestInputs, start: datetime) -> str:
    """The first paragraph when no collect got an answer during the period: what the reader sees is old news."""
    if data.last_answer is not None and data.last_answer > start:
        return ""
    if data.last_answer is None:
        return "Ingen nye data: ingen av kildene har svart ennå, så arkivet har ingen utlysninger å melde om."
    day = date_nb(_day(data.last_answer, data.zone))
    return (
        f"Ingen nye data fra kildene siden {day}: ingen innhenting har lyktes i perioden. "
        "Fristene og treffene nedenfor er det arkivet visste da."
    )


def _day(moment: datetime | None, zone: ZoneInfo | None) -> date | None:
    if moment is None:
        return None
    return moment.astimezone(zone).date() if zone else moment.date()


def _more_links(
    data: DigestInputs, themes: Sequence[str], hidden: Sequence[Item], extra: Mapping[str, str]
) -> tuple[tuple[str, str], ...]:
    """Per theme among the calls a cap left out: a link to the web search listing that theme's calls."""
    if not hidden or not data.base_url:
        return ()
    wanted = {item.themes[0].profile_id for item in hidden if item.themes}
    links = []
    for profile_id in themes:
        if profile_id in wanted:
            title = data.profiles[profile_id].title if profile_id in data.profiles else profile_id
            links.append((title, f"{data.base_url.rstrip('/')}/?{urlencode({'theme': profile_id, **extra})}"))
    return tuple(links)


def _relevant(data: DigestInputs, themes: Sequence[str]) -> dict[CallKey, tuple[Match, ...]]:
    """Each matched call's matches within the subscriber's themes, best first."""
    wanted = set(themes)
    found: dict[CallKey, tuple[Match, ...]] = {}
    for key, matches in data.matches.items():
        mine = tuple(sorted((m for m in matches if m.profile_id in wanted), key=lambda m: -m.score))
        if mine and key in data.calls:
            found[key] = mine
    return found


def _ranked(data: DigestInputs, relevant: Mapping[CallKey, tuple[Match, ...]], keys: set[CallKey]) -> list[Item]:
    items = [_item(data, key, relevant[key]) for key in keys]
    # Best score first; ties broken by the nearest deadline, then the title, so the order is stable.
    return sorted(items, key=lambda i: (-i.score, i.next_deadline or date.max, i.title, i.key))


def _closing(
    data: DigestInputs, relevant: Mapping[CallKey, tuple[Match, ...]], days: int, new: set[CallKey]
) -> list[Item]:
    """Open calls whose next deadline is within `days`, nearest first; the new ones are marked."""
    last_day = data.today + timedelta(days=days)
    keys = set()
    for key in relevant:
        call = data.calls[key]
        deadline = call.next_deadline(data.today)
        if call.status == "open" and deadline is not None and deadline <= last_day:
            keys.add(key)
    items = [replace(_item(data, key, relevant[key]), is_new=key in new) for key in keys]
    return sorted(items, key=lambda i: (i.next_deadline or date.max, -i.score, i.title, i.key))


def _changes(
    data: DigestInputs,
    relevant: Mapping[CallKey, tuple[Match, ...]],
    changes: Sequence[Mapping[str, Any]],
    skip: set[CallKey],
) -> list[Item]:
    """Moved deadlines and calls that opened; several changes of one call are told as one."""
    told: dict[CallKey, list[str]] = {}
    first_old: dict[CallKey, Any] = {}
    last_new: dict[CallKey, Any] = {}
    for change in changes:
        key = _key(change)
        if key in skip:
            continue
        if change["kind"] == "deadline_moved":
            first_old.setdefault(key, change["old"])
            last_new[key] = change["new"]
            told.setdefault(key, [])
        elif change["kind"] == "status_changed" and change["old"] == "forthcoming" and change["new"] == "open":
            told.setdefault(key, []).append("Har åpnet for søknader (var kommende).")
    items = []
    for key, lines in told.items():
        if key in last_new and _dates(first_old[key]) != _dates(last_new[key]):
            lines = [f"Frist endret: {_dates(first_old[key])} → {_dates(last_new[key])}.", *lines]
        if lines:
            items.append(_item(data, key, relevant[key], " ".join(lines)))
    return sorted(items, key=lambda i: (-i.score, i.title, i.key))


def _item(data: DigestInputs, key: CallKey, matches: Sequence[Match], change: str = "") -> Item:
    call = data.calls[key]
    deadline = call.next_deadline(data.today)
    themes = tuple(
        Theme(
            m.profile_id,
            data.profiles[m.profile_id].title if m.profile_id in data.profiles else m.profile_id,
            m.score,
            m.why,
        )
        for m in matches
    )
    why = tuple(dict.fromkeys(term for m in matches for term in m.why))[:6]
    verdict = data.participation.get(key)
    return Item(
        key=key,
        title=call.title,
        url=call.url,
        app_url=call_page_url(data.base_url, *key),
        programme=call.programme or call.source,
        identifier=call.external_id,
        status=call.status,
        next_deadline=deadline,
        deadline_text=_deadline_text(deadline, data.today),
        budget_text=money_nb(call.budget.total, call.budget.currency) if call.budget.total else "",
        summary=shorten(call.summary or call.description_text, SUMMARY_CHARS),
        themes=themes,
        why=why,
        change=change,
        also=tuple(data.also.get(key, ())),
        participation=verdict.verdict if verdict else "",
        participation_reason=verdict.reason if verdict else "",
    )


def call_page_url(base_url: str, source: str, external_id: str) -> str:
    """The web app's page of a call, for links in mails; "" when no base_url is configured."""
    return f"{base_url.rstrip('/')}/call/{quote(source)}/{quote(external_id)}" if base_url else ""


def _with_subject(digest: Digest, new: Sequence[Item]) -> Digest:
    """'EU-utlysninger uke 26: 7 nye treff – Hav og havnæringer, Folkehelse'."""
    counts = Counter(t.title for item in new for t in item.themes[:1])
    top = ", ".join(title for title, _ in counts.most_common(3))
    head = f"{digest.title}, uke {digest.week.week}"
    if digest.first:
        subject = f"{head}: første sammendrag – de beste åpne utlysningene per tema"
    elif new:
        subject = f"{head}: {len(new)} {'nytt treff' if len(new) == 1 else 'nye treff'} – {top}"
    elif digest.closing_total:
        deadlines = "1 frist" if digest.closing_total == 1 else f"{digest.closing_total} frister"
        subject = f"{head}: ingen nye treff, {deadlines} nærmer seg"
    else:
        subject = f"{head}: ingen nye treff denne uken"
    return Digest(**{**digest.__dict__, "subject": subject})


def _deadline_text(deadline: date | None, today: date) -> str:
    if deadline is None:
        return "ingen kommende frist"
    return f"{date_nb(deadline)} ({days_left_nb(deadline, today)})"


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word and marked with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",.;:")
    return cut + " …"


def _dates(values: Any) -> str:
    return ", ".join(date_nb(v) for v in values or []) or "ingen"


def _key(change: Mapping[str, Any]) -> CallKey:
    return (change["source"], change["external_id"])
