"""RawCall -> Call: HTML to text, summary, deadline-checked status, content hash; pure functions."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, fields
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, NavigableString

from eumonitor.model import Call, RawCall
from eumonitor.sources.eligibility import municipalities_eligible, norway_eligible
from eumonitor.sources.textsafe import clean_value

SUMMARY_CHARS = 300
# A title is a line in a list, a subject, a feed entry; past this it is a source's fault (a 1 MB title made a
# 2 MB page and digest). The whole title then opens the description, where long text belongs.
TITLE_CHARS = 300
# Tags after which a reader expects a new line; everything else flows inline.
BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "blockquote", "pre", "hr", "dd", "dt", "dl",
)  # fmt: skip
RAW_FIELDS = {f.name for f in fields(RawCall)} - {"title", "description_text", "summary", "status", "deadlines", "url"}
NULL_PARAGRAPH = re.compile(r"<p[^>]*>\s*null\s*</p>", re.IGNORECASE)


def html_to_text(html: str) -> str:
    """Readable plain text: no tags or entities, one "\\n" between blocks, whitespace collapsed."""
    if not html or not html.strip():
        return ""
    # Line breaks in HTML source are plain whitespace (upstream adds stray `\r\n`); only block tags break.
    html = NULL_PARAGRAPH.sub("", re.sub(r"[\r\n\t]+", " ", html))
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["script", "style", "template"]):
        tag.decompose()
    for tag in soup.find_all(BLOCK_TAGS):
        # Without these, "<p>Scope:</p><p>The" would read "Scope:The".
        tag.insert_before(NavigableString("\n"))
        tag.insert_after(NavigableString("\n"))
        if tag.name == "li":
            tag.insert(0, NavigableString("• "))
    text = soup.get_text().replace("\xa0", " ").replace("\ufeff", "").replace("\u200b", "")
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line and line != "•")


# Portal descriptions open with section labels; a two-line summary is better spent on the content.
LEADING_LABEL = re.compile(r"^(expected outcomes?|scope|objectives?|description|background)\s*:\s*", re.IGNORECASE)


def summarize(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first ~limit characters as one paragraph, without a leading section label, cut at a word boundary."""
    return shorten(LEADING_LABEL.sub("", " ".join(text.split())), limit)


def shorten(flat: str, limit: int) -> str:
    """At most ~limit characters, cut at a word boundary, with "…" when cut."""
    if len(flat) <= limit:
        return flat
    cut = flat[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:-–.")
    return (cut or flat[:limit]) + "…"


def brussels_today(now: datetime) -> date:
    """The calendar date in Brussels at `now`; a naive `now` is taken as UTC."""
    aware = now if now.tzinfo else now.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo("Europe/Brussels")).date()


def checked_status(raw: RawCall, now: datetime) -> str:
    """The source's status, except that open/forthcoming with every deadline passed is closed.

    A date-only deadline holds through the end of that day in Brussels (spec §4). A call without any
    deadline keeps what the source says: we do not invent a closing date.
    """
    if raw.status in ("open", "forthcoming") and raw.deadlines:
        today = brussels_today(now)
        if all(d < today for d in raw.deadlines):
            return "closed"
    return raw.status


def content_hash(call_fields: dict[str, object]) -> str:
    """sha256 over what users care about, in a stable JSON encoding."""
    blob = json.dumps(call_fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _plain_text(raw: RawCall) -> str:
    """The source's own plain text when it gave one, else the text of its HTML."""
    if raw.description_text.strip():
        lines = (" ".join(line.split()) for line in raw.description_text.splitlines())
        return "\n".join(line for line in lines if line)
    return html_to_text(raw.description_html)


def cleaned(raw: RawCall) -> RawCall:
    """The RawCall with control characters removed from every text in it, `extra` included."""
    changes = {f.name: clean_value(getattr(raw, f.name)) for f in fields(RawCall) if f.name not in ("budget",)}
    return RawCall(**{**changes, "budget": raw.budget})


def cap_title(title: str, text: str) -> tuple[str, str]:
    """A title of at most TITLE_CHARS, and the text, opened by the full title when it had to be cut."""
    if len(title) <= TITLE_CHARS:
        return title, text
    return shorten(title, TITLE_CHARS), f"{title}\n{text}" if text else title


def normalize(raw: RawCall, now: datetime) -> Call:
    """One RawCall as the archive stores it, judged at `now`."""
    raw = cleaned(raw)
    title, text = cap_title(" ".join(raw.title.split()), _plain_text(raw))
    # The source's own summary is capped like ours: it is shown in lists and digests as it is.
    summary = shorten(" ".join(raw.summary.split()), SUMMARY_CHARS) if raw.summary.strip() else summarize(text)
    status = checked_status(raw, now)
    deadlines = tuple(sorted(set(raw.deadlines)))
    hashed = {
        "title": title,
        "description": text,
        "deadlines": [d.isoformat() for d in deadlines],
        "status": status,
        "budget": asdict(raw.budget),
        "opening_date": raw.opening_date.isoformat() if raw.opening_date else None,
        "programme": [raw.programme_id, raw.programme],
    }
    # Only when given: calls of sources without eligibility keep the hashes they had before it existed.
    if raw.eligible_countries or raw.applicant_types:
        hashed["eligibility"] = [list(raw.eligible_countries), list(raw.applicant_types)]
    # Every field the two share is passed through untouched; only the judged ones are replaced.
    shared = {f.name: getattr(raw, f.name) for f in fields(Call) if f.name in RAW_FIELDS}
    judged = {
        "title": title,
        "description_text": text,
        "summary": summary,
        "status": status,
        "url": safe_url(raw.url),
        "norway_eligible": norway_eligible(raw.eligible_countries),
        "municipalities_eligible": municipalities_eligible(raw.applicant_types),
    }
    return Call(**shared, **judged, deadlines=deadlines, content_hash=content_hash(hashed))


def as_raw(call: Call) -> RawCall:
    """A stored call as its source's record again, so `normalize` judges it anew at another time (status)."""
    return RawCall(**{f.name: getattr(call, f.name) for f in fields(RawCall) if hasattr(call, f.name)})


def safe_url(url: str) -> str:
    """The link as given when it is http(s); anything else ("javascript:…", "data:…") becomes "".

    Links end up as href in digests, where no browser policy stands between a hostile source and a reader.
    """
    url = url.strip()
    return url if url.lower().startswith(("http://", "https://")) else ""


def best_per_identifier(raws: Iterable[RawCall]) -> list[RawCall]:
    """One record per (source, external_id): the highest `quality`, in first-seen order; ties keep the first."""
    best: dict[tuple[str, str], RawCall] = {}
    for raw in raws:
        key = (raw.source, raw.external_id)
        if key not in best or raw.quality > best[key].quality:
            best[key] = raw
    return list(best.values())
