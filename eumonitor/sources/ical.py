"""The `ical` collector: iCalendar feeds (The Events Calendar's ?ical=1) whose events are calls or deadlines."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from eumonitor.model import Page, Parsed, RawCall, Request, Skipped, SourceSpec
from eumonitor.sources.feeds import FeedOptions, check_not_html, feed_option_problems, keep_item, stable_id
from eumonitor.sources.kind import Kind, SourceError

EXPECTED = "en iCalendar-feed (text/calendar)"
DATE_MODES = ("open_close", "deadline")
# The Events Calendar's UID: <post id>-<start epoch>-<end epoch>@host; the post id is the stable part.
TRIBE_UID = re.compile(r"^(\d+)-\d+-\d+@")
VTIMEZONE = re.compile(rb"BEGIN:VTIMEZONE.*?END:VTIMEZONE\r?\n", re.DOTALL)


@dataclass(frozen=True)
class Options(FeedOptions):
    """The [options] of an ical source."""

    # open_close: an event spans the call, DTSTART opens it and DTEND is the deadline (interreg.no);
    # deadline: an event marks one deadline on its start day.
    dates: str = "open_close"
    split_programme: bool = True  # "Europe: Third call for projects" -> programme "Europe"


def _options(spec: SourceSpec) -> Options:
    return spec.options if isinstance(spec.options, Options) else Options()


def validate_options(opts: Options) -> list[tuple[str, str]]:
    problems = feed_option_problems(opts)
    if opts.dates not in DATE_MODES:
        problems.append(("dates", f"ukjent verdi '{opts.dates}'; tillatt: {', '.join(DATE_MODES)}"))
    return problems


def requests(spec: SourceSpec) -> list[Request]:
    return [Request(url=spec.url, headers=(("Accept", "text/calendar, */*;q=0.5"),))]


def read_calendar(content: bytes) -> tuple[icalendar.Calendar, list[Skipped]]:
    """Parse, tolerating two real plugin faults: a truncated feed and a malformed VTIMEZONE block."""
    notes: list[Skipped] = []
    if b"BEGIN:VCALENDAR" not in content[:4096]:
        raise SourceError(f"ventet {EXPECTED}, men svaret begynner ikke med BEGIN:VCALENDAR")
    if b"END:VCALENDAR" not in content:
        tail = b"" if content.rstrip().endswith(b"END:VEVENT") else b"\r\nEND:VEVENT"
        content = content.rstrip() + tail + b"\r\nEND:VCALENDAR\r\n"
        notes.append(Skipped("feeden var avkortet (mangler END:VCALENDAR); siste hendelse kan være ufullstendig"))
    try:
        return icalendar.Calendar.from_ical(content), notes
    except (ValueError, AttributeError, TypeError, IndexError):
        pass
    # Events name IANA zones in TZID anyway, so the calendar reads correctly without its VTIMEZONE blocks.
    try:
        return icalendar.Calendar.from_ical(VTIMEZONE.sub(b"", content)), notes
    except (ValueError, AttributeError, TypeError, IndexError) as exc:
        raise SourceError(f"ventet {EXPECTED}, men den kunne ikke tolkes: {exc}") from exc


def parse(spec: SourceSpec, page: Page) -> Parsed:
    """Every event that passes the keyword rules becomes a call."""
    check_not_html(page, EXPECTED)
    calendar, skipped = read_calendar(page.content)
    opts = _options(spec)
    calls: list[RawCall] = []
    seen: set[str] = set()
    for event in calendar.walk("VEVENT"):
        try:
            call = event_call(spec, opts, event)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            skipped.append(Skipped(f"hendelsen kunne ikke leses: {exc}", str(event.get("SUMMARY", ""))[:120]))
            continue
        if call is None:
            continue
        if call.external_id in seen:  # a recurring event: one post, several dates
            call = replace(call, external_id=f"{call.external_id}-{call.extra.get('starts', '')}")
        seen.add(call.external_id)
        calls.append(call)
    return Parsed(calls=tuple(calls), skipped=tuple(skipped))


def _day(value: Any, tz: ZoneInfo, end: bool) -> date | None:
    """The calendar day of an iCal value in the source's zone; an all-day DTEND is exclusive."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
        return moment.astimezone(tz).date()
    if isinstance(value, date):
        return value - timedelta(days=1) if end else value
    raise ValueError(f"ukjent datoverdi {value!r}")


def _event_id(event: Any, url: str, title: str, start: date | None) -> str:
    uid = str(event.get("UID", "")).strip()
    tribe = TRIBE_UID.match(uid)
    if tribe:
        return tribe.group(1)
    if uid and "<" not in uid and "&" not in uid:
        return uid
    # Some sites run the UID through an e-mail obfuscator (HTML, reversed); the URL is the next stable thing.
    return url or stable_id(title, start.isoformat() if start else "")


def event_call(spec: SourceSpec, opts: Options, event: Any) -> RawCall | None:
    """One VEVENT -> a call (None when the keyword rules drop it)."""
    summary = " ".join(str(event.get("SUMMARY", "")).split())
    description = str(event.get("DESCRIPTION", "")).strip()
    if not summary:
        raise ValueError("hendelsen mangler SUMMARY")
    if not keep_item(opts, summary, description):
        return None
    programme, title = opts.programme, summary
    if opts.split_programme and ": " in summary:
        programme, title = summary.split(": ", 1)
    tz = ZoneInfo(opts.deadline_tz)
    start_value = event.decoded("DTSTART") if "DTSTART" in event else None
    end_value = event.decoded("DTEND") if "DTEND" in event else None
    start, end = _day(start_value, tz, False), _day(end_value, tz, True)
    url = str(event.get("URL", "")).strip()
    if opts.dates == "deadline":
        opening, deadlines = None, (start,) if start else ()
    else:
        opening, deadlines = start, (end or start,) if (end or start) else ()
    categories = event.get("CATEGORIES")
    cats = [str(c) for c in categories.cats] if hasattr(categories, "cats") else []
    extra = {
        "starts": start.isoformat() if start else "",
        "deadline_time": end_value.strftime("%H:%M") if isinstance(end_value, datetime) else "",
        "categories": cats,
        "last_modified": str(event.decoded("LAST-MODIFIED")) if "LAST-MODIFIED" in event else "",
    }
    return RawCall(
        source=spec.id,
        external_id=_event_id(event, url, summary, start),
        title=title.strip(),
        url=url,
        description_text=description,
        programme=programme.strip(),
        status="open" if deadlines else "",
        opening_date=opening,
        deadlines=tuple(d for d in deadlines if d),
        deadline_tz=opts.deadline_tz,
        tags=spec.tags,
        extra={k: v for k, v in extra.items() if v},
    )


# A feed shows the latest items only: an item that scrolls off it was not withdrawn.
COLLECTOR = Kind(Options, requests, parse, validate_options, complete_listing=False)
