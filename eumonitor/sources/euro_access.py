"""The `euro_access` collector: the Euro-Access call listing and, for new or changed rows, each call's detail page."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bs4 import BeautifulSoup, Tag

from eumonitor.model import Page, Parsed, RawCall, Request, Skipped, SourceSpec
from eumonitor.sources.eligibility import split_list
from eumonitor.sources.kind import Kind, SourceError

CALL_ID = re.compile(r"/calls/(\d+)(?:/|$)")
EU_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}:\d{2}))?")
LISTING_ROWS = "table#calls-overview tbody tr"
# Labels of the detail page's rows (lower-cased), as the site words them in English.
LABELS = {
    "funding program": "programme",
    "call number": "call_number",
    "link to the call": "call_link",
    "short description": "description",
    "call objectives": "objectives",
    "regions / countries for funding": "countries",
    "eligible entities": "entities",
    "topics": "topics",
    "mandatory partnership": "partnership",
}


@dataclass(frozen=True)
class Options:
    """The [options] of a euro_access source."""

    details: bool = True  # read each new or changed call's detail page for eligibility and dates
    deadline_tz: str = "Europe/Brussels"


def _options(spec: SourceSpec) -> Options:
    return spec.options if isinstance(spec.options, Options) else Options()


def validate_options(opts: Options) -> list[tuple[str, str]]:
    try:
        ZoneInfo(opts.deadline_tz)
    except (ZoneInfoNotFoundError, ValueError):
        return [("deadline_tz", f"ukjent tidssone '{opts.deadline_tz}', f.eks. Europe/Brussels")]
    return []


def requests(spec: SourceSpec) -> list[Request]:
    return [Request(url=spec.url, meta={"page": "listing"})]


def parse(spec: SourceSpec, page: Page) -> Parsed:
    if page.request.meta.get("page") == "detail":
        return parse_detail(spec, page)
    return parse_listing(spec, page)


def _soup(page: Page) -> BeautifulSoup:
    return BeautifulSoup(page.content, "html.parser")


def _days(text: str) -> list[tuple[date, str]]:
    """Every "27.01.2026 17:00" in a text, as (day, time or "")."""
    found = []
    for day, month, year, time in EU_DATE.findall(text):
        try:
            found.append((date(int(year), int(month), int(day)), time))
        except ValueError:
            continue
    return found


def fingerprint(*values: str) -> str:
    """What a listing row shows, hashed: when it is unchanged, the archive's copy of the detail page still holds."""
    return hashlib.sha256("\x1f".join(values).encode("utf-8")).hexdigest()[:16]


def parse_listing(spec: SourceSpec, page: Page) -> Parsed:
    """Each row a call (programme, title, link, deadline) and, when details are wanted, a request for its page.

    The detail request names the row's fingerprint: the collector skips it when the archive already holds
    the call read from a detail page with the same row (nothing new to learn, and one request less per call).
    """
    soup = _soup(page)
    rows = soup.select(LISTING_ROWS)
    if not rows:
        if soup.select_one("table#calls-overview") is not None:
            return Parsed(notes=("Euro-Access-listen er tom (tabellen calls-overview har ingen rader)",))
        raise SourceError(f"fant ikke tabellen «table#calls-overview» på {page.url}; har siden endret utseende?")
    opts = _options(spec)
    calls: list[RawCall] = []
    follow: list[Request] = []
    skipped: list[Skipped] = []
    for row in rows:
        try:
            call = listing_call(spec, opts, row, page.url)
        except (ValueError, AttributeError, KeyError) as exc:
            skipped.append(Skipped(f"uventet rad i listen: {exc}", " ".join(row.get_text(" ").split())[:120]))
            continue
        listed = dict(call.extra)
        # Only a record read from the detail page carries the fingerprint: a listing-only record (details off,
        # or its page failed) must not stop the page from being read next time.
        calls.append(replace(call, extra={k: v for k, v in listed.items() if k != "listing_fingerprint"}))
        if opts.details:
            follow.append(
                Request(
                    url=call.url,
                    meta={
                        "page": "detail",
                        "optional": True,  # a detail page that fails leaves this row's record
                        "listing": {
                            "title": call.title,
                            "programme": call.programme,
                            "deadlines": [d.isoformat() for d in call.deadlines],
                            **listed,
                        },
                        "unless_known": (call.external_id, listed["listing_fingerprint"]),
                    },
                )
            )
    return Parsed(calls=tuple(calls), follow=tuple(follow), skipped=tuple(skipped))


def listing_call(spec: SourceSpec, opts: Options, row: Tag, base: str) -> RawCall:
    """One row of table#calls-overview: td.title the programme, then the call's link, then its deadline."""
    cells = row.find_all("td", recursive=False)
    link = row.select_one("td a[href][title]")
    if link is None or len(cells) < 3:
        raise ValueError("raden mangler lenke eller fristcelle")
    # Detail pages are read from the listing's own site (the links are absolute; a replay or mirror keeps them).
    url = urljoin(base, urlsplit(urljoin(base, str(link["href"]))).path)
    match = CALL_ID.search(url)
    if not match:
        raise ValueError(f"lenken {url} har ikke formen /calls/<nr>/")
    title = " ".join(str(link.get("title") or link.get_text(" ")).split())
    programme = " ".join(cells[0].get_text(" ").split())
    deadline_text = " ".join(cells[2].get_text(" ").split())
    days = _days(deadline_text)
    deadline = days[0][0] if days else None
    extra = {
        "deadline_time": days[0][1] if days else "",
        "listing_fingerprint": fingerprint(programme, title, deadline_text, url),
    }
    return RawCall(
        source=spec.id,
        external_id=match.group(1),
        title=title,
        url=url,
        programme=programme,
        status="open" if deadline else "",
        deadlines=(deadline,) if deadline else (),
        deadline_tz=opts.deadline_tz,
        tags=spec.tags,
        extra={k: v for k, v in extra.items() if v},
        quality=(0,),  # the detail page's record, when read, wins
    )


def _rows(soup: BeautifulSoup) -> dict[str, Tag]:
    """The detail page's labelled rows (#calldata .subtable .tr): our field name -> the value element."""
    found: dict[str, Tag] = {}
    for row in soup.select("#calldata .subtable .tr"):
        label = row.select_one(".title")
        if label is None:
            continue
        key = LABELS.get(" ".join(label.get_text(" ").split()).lower())
        value = next((c for c in row.find_all(["p", "div"], recursive=False) if c is not label), None)
        if key and value is not None and key not in found:
            found[key] = value
    return found


def _text(tag: Tag | None) -> str:
    return " ".join(tag.get_text(" ").split()) if tag is not None else ""


def parse_detail(spec: SourceSpec, page: Page) -> Parsed:
    """One call's page: the listing's row completed with call number, dates, text and who may apply."""
    soup = _soup(page)
    listed: dict[str, Any] = dict(page.request.meta.get("listing") or {})
    if soup.select_one("#calldata") is None:
        # The listing's record stands; this call is read again next time.
        return Parsed(skipped=(Skipped(f"detaljsiden har ingen #calldata; bruker raden i listen ({page.url})"),))
    for widget in soup.select("#calldata .readmore"):  # the page's "read more" toggle, not the call's text
        widget.decompose()
    opts = _options(spec)
    rows = _rows(soup)
    opening = _days(_text(soup.select_one('[id="call-opening td"], #call-opening')))
    deadlines = _days(_text(soup.select_one('[id="call-deadline td"], #call-deadline')))
    countries = rows.get("countries")
    entities = rows.get("entities")
    topics = soup.select_one("#calldata div.topics")
    link = rows["call_link"].select_one("a[href]") if "call_link" in rows else None
    html = "".join(str(rows[k].decode_contents()) for k in ("description", "objectives") if k in rows)
    h1 = soup.select_one("#calldata h1")
    title = _text(h1) or str(listed.get("title", ""))
    match = CALL_ID.search(page.url) or CALL_ID.search(page.request.url)
    if not title or not match:
        return Parsed(skipped=(Skipped("detaljsiden mangler tittel eller utlysningsnummer", page.request.url),))
    extra = {
        "listing_fingerprint": str(listed.get("listing_fingerprint", "")),
        "deadline_time": deadlines[-1][1] if deadlines else str(listed.get("deadline_time", "")),
        "topics": list(split_list(_text(topics))) if topics is not None else [],
        "mandatory_partnership": _text(rows.get("partnership")),
        "links": [{"label": "Utlysningen hos programmet", "url": str(link["href"])}] if link is not None else [],
    }
    day = [d for d, _ in deadlines] or [date.fromisoformat(d) for d in listed.get("deadlines", ())]
    call = RawCall(
        source=spec.id,
        external_id=match.group(1),
        title=title,
        url=page.request.url,
        description_html=html,
        programme=_text(rows.get("programme")) or str(listed.get("programme", "")),
        call_identifier=_text(rows.get("call_number")),
        status="open" if day else "",
        opening_date=opening[0][0] if opening else None,
        deadlines=tuple(day),
        deadline_tz=opts.deadline_tz,
        tags=spec.tags,
        keywords=tuple(extra["topics"]),
        extra={k: v for k, v in extra.items() if v},
        quality=(1,),
        eligible_countries=split_list(countries.get_text("\n")) if countries is not None else (),
        applicant_types=split_list(_text(entities)) if entities is not None else (),
    )
    return Parsed(calls=(call,))


COLLECTOR = Kind(Options, requests, parse, validate_options)
