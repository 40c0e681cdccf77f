"""The `wp_json` collector: WordPress REST lists (/wp/v2/posts) and The Events Calendar (/tribe/events/v1/events)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from eumonitor.model import Page, Parsed, RawCall, Request, Skipped, SourceSpec
from eumonitor.sources.feeds import FeedOptions, check_not_html, feed_option_problems, keep_item, text_call
from eumonitor.sources.kind import Kind, SourceError
from eumonitor.sources.normalize import html_to_text

EXPECTED = "JSON fra WordPress-API-et"
EVENT_DATES = ("open_close", "deadline")


@dataclass(frozen=True)
class Options(FeedOptions):
    """The [options] of a wp_json source."""

    per_page: int = 50  # WordPress caps this at 100
    max_pages: int = 10  # a safety net: never walk more pages than this
    event_dates: str = "open_close"  # events: start/end are opening/deadline, or the start is the deadline


def _options(spec: SourceSpec) -> Options:
    return spec.options if isinstance(spec.options, Options) else Options()


def validate_options(opts: Options) -> list[tuple[str, str]]:
    problems = feed_option_problems(opts)
    if isinstance(opts.per_page, bool) or not 1 <= opts.per_page <= 100:
        problems.append(("per_page", "må være et heltall mellom 1 og 100"))
    if isinstance(opts.max_pages, bool) or not 1 <= opts.max_pages <= 100:
        problems.append(("max_pages", "må være et heltall mellom 1 og 100"))
    if opts.event_dates not in EVENT_DATES:
        problems.append(("event_dates", f"ukjent verdi '{opts.event_dates}'; tillatt: {', '.join(EVENT_DATES)}"))
    return problems


def page_request(spec: SourceSpec, number: int) -> Request:
    """Our own URL with per_page and page set: the API's next-page links may name another host."""
    parts = urlsplit(spec.url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("page", "per_page")]
    query = urlencode([*kept, ("per_page", str(_options(spec).per_page)), ("page", str(number))])
    return Request(url=urlunsplit(parts._replace(query=query)), headers=(("Accept", "application/json"),),
                   meta={"page": number})  # fmt: skip


def requests(spec: SourceSpec) -> list[Request]:
    return [page_request(spec, 1)]


def _decode(page: Page) -> Any:
    check_not_html(page, EXPECTED)
    try:
        return json.loads(page.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"ventet {EXPECTED}, men svaret fra {page.url} er ikke gyldig JSON: {exc}") from exc


def _int(value: Any) -> int:
    try:
        return int(value)  # older plugin versions send "total": "36"
    except (TypeError, ValueError):
        return 0


def parse(spec: SourceSpec, page: Page) -> Parsed:
    """A list of posts, or an events envelope; asks for the next page while the API says there is one."""
    body = _decode(page)
    opts = _options(spec)
    number = int(page.request.meta.get("page", 1))
    if isinstance(body, dict) and isinstance(body.get("events"), list):
        items, build, pages = body["events"], event_call, _int(body.get("total_pages"))
    elif isinstance(body, list):
        items, build, pages = body, post_call, _int(page.headers.get("X-WP-TotalPages", 0))
    else:
        raise SourceError(f"ventet {EXPECTED} (en liste med innlegg eller 'events'), fikk noe annet fra {page.url}")
    calls: list[RawCall] = []
    skipped: list[Skipped] = []
    for item in items:
        try:
            call = build(spec, opts, item)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            label = str(item.get("link") or item.get("url") or item.get("id")) if isinstance(item, dict) else ""
            skipped.append(Skipped(f"uventet format i elementet: {exc!r}", label[:120]))
            continue
        if call is not None:
            calls.append(call)
    more = pages > number and number < opts.max_pages and bool(items)
    return Parsed(calls=tuple(calls), follow=(page_request(spec, number + 1),) if more else (), skipped=tuple(skipped))


def _rendered(value: Any) -> str:
    return str(value.get("rendered", "")) if isinstance(value, dict) else str(value or "")


def post_call(spec: SourceSpec, opts: Options, post: dict[str, Any]) -> RawCall | None:
    """One WordPress post; its deadline is read from its text."""
    title = " ".join(html_to_text(_rendered(post["title"])).split())
    html = _rendered(post.get("content")) or _rendered(post.get("excerpt"))
    if not keep_item(opts, title, html_to_text(html)):
        return None
    excerpt = " ".join(html_to_text(_rendered(post.get("excerpt"))).split())[:300]
    extra = {"published": str(post.get("date_gmt") or post.get("date") or ""), "wp_id": str(post["id"])}
    return text_call(spec, opts, external_id=str(post["id"]), title=title, url=str(post.get("link", "")),
                     html=html, extra=extra, summary=excerpt)  # fmt: skip


def _local_day(value: Any) -> date | None:
    """ "2022-11-15 17:30:00" in the event's own zone: the date part is the day people read."""
    text = str(value or "").strip()
    return datetime.strptime(text[:10], "%Y-%m-%d").date() if text else None


def event_call(spec: SourceSpec, opts: Options, event: dict[str, Any]) -> RawCall | None:
    """One Events Calendar event: start/end become opening/deadline as the options say."""
    title = " ".join(html_to_text(str(event["title"])).split())
    html = str(event.get("description") or "")
    if not keep_item(opts, title, html_to_text(html)):
        return None
    start, end = _local_day(event.get("start_date")), _local_day(event.get("end_date"))
    if opts.event_dates == "deadline":
        opening, deadline = None, start
    else:
        opening, deadline = start, end or start
    cats = [str(c.get("name", "")) for c in event.get("categories") or [] if isinstance(c, dict)]
    zone = str(event.get("timezone") or "")
    extra = {
        "categories": cats,
        "deadline_time": str(event.get("end_date") or "")[11:16],
        "event_timezone": zone,
        "cost": str(event.get("cost") or ""),
    }
    return RawCall(
        source=spec.id,
        external_id=str(event["id"]),
        title=title,
        url=str(event.get("url") or ""),
        description_html=html,
        programme=opts.programme,
        status="open" if deadline else "",
        opening_date=opening,
        deadlines=(deadline,) if deadline else (),
        # "UTC+0" is a manual offset, not a zone name; fall back to the source's own zone then.
        deadline_tz=zone if "/" in zone else opts.deadline_tz,
        tags=spec.tags,
        extra={k: v for k, v in extra.items() if v},
    )


# A feed shows the latest items only: an item that scrolls off it was not withdrawn.
COLLECTOR = Kind(Options, requests, parse, validate_options, complete_listing=False)
