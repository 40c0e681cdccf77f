"""Shared pieces of the feed and page collectors (rss, ical, wp_json, html_list): options, filters, calls."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eumonitor.model import Page, RawCall, SourceSpec
from eumonitor.sources.dates import DateReport, read_dates
from eumonitor.sources.kind import SourceError
from eumonitor.sources.normalize import html_to_text

MATCH_IN = ("all", "title")


@dataclass(frozen=True)
class FeedOptions:
    """Options every feed kind shares. `include`/`exclude` keep the call-like items of a news feed."""

    include: tuple[str, ...] = ()  # keep an item only if one of these words or phrases occurs; empty = keep all
    exclude: tuple[str, ...] = ()  # drop an item if one of these occurs (checked after include)
    match_in: str = "all"  # where the words are looked for: "all" (title and text) or "title"
    programme: str = ""  # label stored on every call, e.g. "Interreg North Sea"
    deadline_tz: str = "Europe/Brussels"  # the zone the source's deadlines are meant in

    def __post_init__(self) -> None:
        # TOML hands us lists; tuples keep the options hashable and comparable.
        for name in ("include", "exclude"):
            value = getattr(self, name)
            object.__setattr__(self, name, tuple(value) if not isinstance(value, str) else (value,))


def feed_option_problems(opts: FeedOptions) -> list[tuple[str, str]]:
    """(key, message) for every bad shared option; used by each kind's validate_options."""
    problems: list[tuple[str, str]] = []
    if opts.match_in not in MATCH_IN:
        problems.append(("match_in", f"ukjent verdi '{opts.match_in}'; tillatt: {', '.join(MATCH_IN)}"))
    try:
        ZoneInfo(opts.deadline_tz)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(("deadline_tz", f"ukjent tidssone '{opts.deadline_tz}', f.eks. Europe/Oslo"))
    for key in ("include", "exclude"):
        if any(not str(word).strip() for word in getattr(opts, key)):
            problems.append((key, "tomme ord er ikke tillatt"))
    return problems


def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Whole words or phrases, case-insensitive; "call" matches "Call 5" but not "recall"."""
    if not words:
        return None
    alternatives = "|".join(re.escape(w.strip()) for w in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def keep_item(opts: FeedOptions, title: str, text: str) -> bool:
    """Whether an item passes the source's keyword rules."""
    haystack = title if opts.match_in == "title" else f"{title}\n{text}"
    include = _words_pattern(opts.include)
    exclude = _words_pattern(opts.exclude)
    if include is not None and not include.search(haystack):
        return False
    return exclude is None or not exclude.search(haystack)


def check_not_html(page: Page, expected: str) -> None:
    """A feed or API that answers with a web page has moved or broken: say so in words a person reads."""
    head = page.content[:2048].lstrip().lower()
    ctype = str(page.headers.get("Content-Type", "")).lower()
    if (
        head.startswith(b"<!doctype html")
        or head.startswith(b"<html")
        or ("text/html" in ctype and b"<rss" not in head and b"<feed" not in head and b"begin:vcalendar" not in head)
    ):
        title = re.search(rb"<title[^>]*>(.*?)</title>", page.content[:20000], re.IGNORECASE | re.DOTALL)
        shown = f" («{' '.join(title.group(1).decode('utf-8', 'replace').split())[:80]}»)" if title else ""
        raise SourceError(f"ventet {expected}, fikk en HTML-side{shown} fra {page.url}; har adressen endret seg?")
    if page.status >= 400:
        raise SourceError(f"ventet {expected}, fikk HTTP {page.status} fra {page.url}")


def stable_id(*parts: str) -> str:
    """A short id from text when the source gives none; same input, same id."""
    return "h" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def status_from(report: DateReport) -> str:
    """The status the text supports: open while a deadline is given, closed when it says so, else unknown."""
    if report.state in ("expired", "closed"):
        return "closed"
    if report.state in ("dated", "rolling"):
        return "open"
    return ""


def text_call(
    spec: SourceSpec,
    opts: FeedOptions,
    *,
    external_id: str,
    title: str,
    url: str,
    html: str,
    extra: dict[str, Any],
    summary: str = "",
) -> RawCall:
    """A call whose dates must be read from its text (a news item, a page)."""
    text = html_to_text(html) if "<" in html else html
    report = read_dates(f"{title}\n{text}")
    extra = {**extra, "dates_found": report.state}
    if report.deadline_time:
        extra["deadline_time"] = report.deadline_time
    if report.note:
        extra["dates_note"] = report.note
    return RawCall(
        source=spec.id,
        external_id=external_id,
        title=title,
        url=url,
        description_html=html if "<" in html else "",
        description_text="" if "<" in html else html,
        summary=summary,
        programme=opts.programme,
        status=status_from(report),
        opening_date=report.opening,
        deadlines=report.deadlines,
        deadline_tz=opts.deadline_tz,
        tags=spec.tags,
        extra={k: v for k, v in extra.items() if v not in ("", None, [], ())},
    )


def iso_day(value: date | None) -> str:
    return value.isoformat() if value else ""
