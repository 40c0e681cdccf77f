"""The `html_list` collector: a listing page read with CSS selectors, optionally following each item's page."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin, urlsplit

import soupsieve
from bs4 import BeautifulSoup, Tag

from eumonitor.model import Page, Parsed, RawCall, Request, Skipped, SourceSpec
from eumonitor.sources.dates import parse_date
from eumonitor.sources.feeds import (
    FeedOptions,
    check_not_html,
    feed_option_problems,
    keep_item,
    stable_id,
    text_call,
)
from eumonitor.sources.kind import Kind
from eumonitor.sources.normalize import html_to_text

DATE_ROLES = ("deadline", "opening", "published")
SELECTOR_KEYS = ("item", "title", "link", "date", "summary", "content")


@dataclass(frozen=True)
class Options(FeedOptions):
    """The [options] of an html_list source; selectors other than `item` are looked up inside each item."""

    item: str = ""  # required: one element per call, e.g. ".call-item" or "a[href*='/utlysninger/2']"
    title: str = ""  # the title inside the item; empty = the item's first heading, else its text
    link: str = "a"  # the link inside the item; an <a> item is its own link; none = the listing page itself
    date: str = ""  # a date cell inside the item
    date_role: str = "deadline"  # what that date is: deadline | opening | published
    summary: str = ""  # a teaser inside the item
    follow: bool = False  # fetch each item's page and read its deadline and text there
    content: str = "main"  # on a followed page: the element holding the text (falls back to <body>)
    max_follow: int = 40  # at most this many item pages per collect


def _options(spec: SourceSpec) -> Options:
    return spec.options if isinstance(spec.options, Options) else Options()


def validate_options(opts: Options) -> list[tuple[str, str]]:
    problems = feed_option_problems(opts)
    if not opts.item.strip():
        problems.append(("item", "mangler (påkrevd): CSS-selektoren for ett element i listen"))
    for key in SELECTOR_KEYS:
        value = getattr(opts, key)
        if value.strip():
            try:
                soupsieve.compile(value)
            except soupsieve.SelectorSyntaxError as exc:
                problems.append((key, f"ugyldig CSS-selektor '{value}': {str(exc).splitlines()[0]}"))
    if opts.date_role not in DATE_ROLES:
        problems.append(("date_role", f"ukjent verdi '{opts.date_role}'; tillatt: {', '.join(DATE_ROLES)}"))
    if isinstance(opts.max_follow, bool) or not 1 <= opts.max_follow <= 500:
        problems.append(("max_follow", "må være et heltall mellom 1 og 500"))
    return problems


def requests(spec: SourceSpec) -> list[Request]:
    return [Request(url=spec.url, headers=(("Accept", "text/html, */*;q=0.5"),))]


def parse(spec: SourceSpec, page: Page) -> Parsed:
    """The listing page, or (when the request carries a listing item) one followed item page."""
    if page.status >= 400:
        check_not_html(page, "en HTML-side")
    listing = page.request.meta.get("listing")
    if isinstance(listing, dict):
        call, warnings = item_page_call(spec, page, listing)
        return Parsed(calls=(call,) if call else (), skipped=tuple(warnings))
    return parse_listing(spec, page)


def _text(node: Tag | None) -> str:
    return " ".join(node.get_text(" ").split()) if node is not None else ""


def _select(item: Tag, selector: str) -> Tag | None:
    return item.select_one(selector) if selector.strip() else None


def _title(item: Tag, opts: Options) -> str:
    chosen = _text(item.select_one(opts.title)) if opts.title.strip() else ""
    if chosen:
        return chosen
    heading = item.find(["h1", "h2", "h3", "h4"])
    return _text(heading) or _text(item)[:200]


def _link(item: Tag, opts: Options, base: str) -> str:
    node = item if item.name == "a" and item.get("href") else _select(item, opts.link)
    href = node.get("href") if node is not None else None
    return urljoin(base, str(href)) if href else ""


def _read_item(item: Tag, opts: Options, base: str) -> dict[str, Any]:
    """What the listing says about one item, as plain JSON-able values (it travels in Request.meta)."""
    date_node = _select(item, opts.date)
    return {
        "title": _title(item, opts),
        "url": _link(item, opts, base),
        "date_text": _text(date_node) if date_node is not None else None,
        "summary": _text(_select(item, opts.summary)),
        "html": str(item),
    }


def _soup(page: Page) -> BeautifulSoup:
    """The page's tree; lxml refuses some hostile bytes (a NUL in the encoding declaration), html.parser not."""
    try:
        return BeautifulSoup(page.content, "lxml")
    except ValueError:
        return BeautifulSoup(page.content.decode("utf-8", "replace").replace("\x00", ""), "html.parser")


# What one malformed item can raise: "http://[::1" makes urljoin raise ValueError. It costs that item only.
ITEM_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)


def parse_listing(spec: SourceSpec, page: Page) -> Parsed:
    opts = _options(spec)
    soup = _soup(page)
    items = soup.select(opts.item)
    if not items:
        note = f"fant ingen elementer for selektoren '{opts.item}' – har sidens oppsett endret seg?"
        return Parsed(notes=(note,))
    calls: list[RawCall] = []
    follow: list[Request] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for item in items:
        try:
            data = _read_item(item, opts, page.url)
            following = opts.follow and urlsplit(data["url"]).scheme in ("http", "https")
        except ITEM_ERRORS as exc:
            skipped.append(Skipped(f"uleselig element ({exc})", _text(item)[:120]))
            continue
        # When following, the keyword rules judge the item's own page: a listing card says too little.
        if not data["title"] or not (following or keep_item(opts, data["title"], html_to_text(data["html"]))):
            continue
        key = data["url"] or data["title"]
        if key in seen:
            continue  # one card often links its title and its image to the same page
        seen.add(key)
        if following:
            if len(follow) < opts.max_follow:
                follow.append(
                    Request(url=data["url"], meta={"listing": {k: v for k, v in data.items() if k != "html"}})
                )
            continue
        call, warning = item_call(spec, opts, data, page.url, single=len(items) == 1)
        calls.append(call)
        skipped.extend(warning)
    return Parsed(calls=tuple(calls), follow=tuple(follow), skipped=tuple(skipped))


def _date_field(opts: Options, data: dict[str, Any], call: RawCall) -> tuple[RawCall, list[Skipped]]:
    """Apply the listing's date cell; a cell that no longer parses keeps the call, without that date, and says so."""
    if not opts.date.strip():
        return call, []
    text = data.get("date_text")
    value = parse_date(text or "")
    if value is None:
        found = f"«{text}»" if text else "ingen verdi"
        reason = (
            f"beholdt uten {'frist' if opts.date_role == 'deadline' else 'dato'}: datofeltet '{opts.date}' ga {found};"
            " ventet f.eks. «30 September 2026» eller «15. mars 2026»"
        )
        return call, [Skipped(reason, data.get("title", "")[:120])]
    if opts.date_role == "deadline":
        return replace(call, deadlines=tuple(sorted({*call.deadlines, value})), status=call.status or "open"), []
    if opts.date_role == "opening":
        return replace(call, opening_date=value), []
    return replace(call, extra={**call.extra, "published": value.isoformat()}), []


def item_call(
    spec: SourceSpec, opts: Options, data: dict[str, Any], base: str, single: bool
) -> tuple[RawCall, list[Skipped]]:
    """A call from the listing alone; a page watched as one item is known by its own address."""
    url = data["url"] or base
    external_id = data["url"] or (base if single else stable_id(data["title"]))
    call = text_call(spec, opts, external_id=external_id, title=data["title"], url=url, html=data["html"],
                     extra={}, summary=data["summary"])  # fmt: skip
    return _date_field(opts, data, call)


def item_page_call(spec: SourceSpec, page: Page, listing: dict[str, Any]) -> tuple[RawCall | None, list[Skipped]]:
    """A call from its own page: text and dates from the page, title and link from the listing."""
    opts = _options(spec)
    soup = _soup(page)
    for tag in soup.select("script, style, nav, header, footer, noscript"):
        tag.decompose()
    content = soup.select_one(opts.content) or soup.body or soup
    url = str(listing.get("url") or page.url)
    title = str(listing.get("title") or _text(soup.find("h1")))
    if not keep_item(opts, title, html_to_text(str(content))):
        return None, []
    call = text_call(spec, opts, external_id=url, title=title, url=url, html=str(content), extra={},
                     summary=str(listing.get("summary") or ""))  # fmt: skip
    if call.deadlines and opts.date_role == "deadline":
        return call, []  # the page itself names the deadline; the listing's cell is only a fallback
    return _date_field(opts, listing, call)


COLLECTOR = Kind(Options, requests, parse, validate_options)
