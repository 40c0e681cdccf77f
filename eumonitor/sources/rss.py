"""The `rss` collector: RSS 2.0 and Atom feeds (WordPress, Drupal) via feedparser; deadlines read from the text."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from eumonitor.model import Page, Parsed, RawCall, Request, Skipped, SourceSpec
from eumonitor.sources.feeds import (
    FeedOptions,
    check_not_html,
    feed_option_problems,
    keep_item,
    stable_id,
    text_call,
)
from eumonitor.sources.kind import Kind, SourceError
from eumonitor.sources.normalize import html_to_text

EXPECTED = "RSS/Atom"


@dataclass(frozen=True)
class Options(FeedOptions):
    """The [options] of an rss source: the shared keyword rules and labels."""


def _options(spec: SourceSpec) -> Options:
    return spec.options if isinstance(spec.options, Options) else Options()


def validate_options(opts: Options) -> list[tuple[str, str]]:
    return feed_option_problems(opts)


def requests(spec: SourceSpec) -> list[Request]:
    headers = (("Accept", "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"),)
    return [Request(url=spec.url, headers=headers)]


def parse(spec: SourceSpec, page: Page) -> Parsed:
    """One feed document -> the call-like items; a page that is no feed is a SourceError."""
    check_not_html(page, EXPECTED)
    try:
        feed = feedparser.parse(page.content, response_headers={"content-location": page.url})
    except (ValueError, LookupError, TypeError, AttributeError) as exc:  # e.g. a bogus encoding declaration
        raise SourceError(f"ventet {EXPECTED}, men svaret fra {page.url} kunne ikke leses: {exc!r:.200}") from exc
    if not feed.get("version") and not feed.get("entries"):
        reason = getattr(feed, "bozo_exception", None)
        detail = f": {reason}" if reason else ""
        raise SourceError(f"ventet {EXPECTED}, men svaret fra {page.url} kunne ikke tolkes som en feed{detail}")
    opts = _options(spec)
    calls: list[RawCall] = []
    skipped: list[Skipped] = []
    entries = list(feed.entries)
    if entries and truncated(page.content):
        # The parser keeps whatever it read of the item the feed broke off in: storing it would overwrite
        # that call's full text with the cut one. The archive keeps the last whole copy instead.
        cut = entries.pop()
        skipped.append(Skipped("elementet kan være avkortet: feeden sluttet før sin slutt-tagg", _label(cut)))
    for entry in entries:
        try:
            call = entry_call(spec, opts, entry)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            skipped.append(Skipped(f"uventet format i elementet: {exc!r}", _label(entry)))
            continue
        if call is not None:
            calls.append(call)
    return Parsed(calls=tuple(calls), skipped=tuple(skipped))


CLOSING_TAG = re.compile(rb"</(?:[\w-]+:)?(?:rss|feed|RDF)\s*>\s*(?:<!--.*?-->\s*)*\Z", re.DOTALL)


def truncated(content: bytes) -> bool:
    """Whether a feed document stops before the closing tag of its root (a dropped or capped download)."""
    return CLOSING_TAG.search(content[-4096:].rstrip(b"\x00")) is None


def _label(entry: Any) -> str:
    return str(entry.get("link") or entry.get("title") or "")[:120]


def _published(entry: Any) -> str:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not stamp:
        return ""
    return datetime.fromtimestamp(calendar.timegm(stamp), UTC).isoformat(timespec="seconds")


def entry_call(spec: SourceSpec, opts: Options, entry: Any) -> RawCall | None:
    """One feed entry -> a call, or None when the keyword rules say it is news, not a call."""
    title = " ".join(html_to_text(entry.get("title", "")).split())
    contents = entry.get("content") or []
    html = contents[0].get("value", "") if contents else entry.get("summary", "")
    summary_html = entry.get("summary", "")
    text = html_to_text(html)
    if not title and not text:
        raise ValueError("elementet har verken tittel eller tekst")
    if not keep_item(opts, title, text):
        return None
    link = entry.get("link", "")
    external_id = entry.get("id") or link or stable_id(title, _published(entry))
    categories = [t.get("term", "") for t in entry.get("tags", []) if t.get("term")]
    extra = {"published": _published(entry), "author": entry.get("author", ""), "categories": categories}
    summary = " ".join(html_to_text(summary_html).split())[:300] if summary_html != html else ""
    return text_call(
        spec, opts, external_id=str(external_id), title=title or text[:120], url=link, html=html, extra=extra,
        summary=summary,
    )  # fmt: skip


# A feed shows the latest items only: an item that scrolls off it was not withdrawn.
COLLECTOR = Kind(Options, requests, parse, validate_options, complete_listing=False)
