"""The search page: query box, filters, ranked results with theme badges, pagination; the URL holds it all."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from math import ceil
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for

from eumonitor.config.glossary import with_profiles
from eumonitor.matching.participation import judge_all, norway_programme_ids, without_nei
from eumonitor.model import STATUSES
from eumonitor.nb import search_notes
from eumonitor.store.search import SearchQuery
from eumonitor.web.common import app_ctx, current_profiles

bp = Blueprint("search", __name__)
PER_PAGE = 20
MAX_PAGE = 500  # deep pages cost an OFFSET scan and nobody reads them
FILTER_KEYS = ("q", "programme", "status", "theme", "from", "to", "source", "norway", "municipalities", "since")


def whole_number(text: str, low: int, high: int) -> int | None:
    """A number parameter: ASCII digits only ("²" and "٣" pass str.isdigit but are no page numbers), clamped
    to [low, high]; None when it is not one. Long digit strings are refused before int() sees them."""
    text = text.strip()
    if not text:
        return low
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return None
    return min(high, max(low, int(text)))


def _date(value: str, label: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{label} «{value}» er ikke en dato (bruk ÅÅÅÅ-MM-DD); filteret er ikke brukt.")
        return None


def query_from_args(args: Mapping[str, str], themes: Mapping[str, str]) -> tuple[SearchQuery, int, list[str]]:
    """The request's arguments as a SearchQuery, the page number, and what could not be used."""
    problems: list[str] = []
    status = args.get("status", "")
    if status and status not in STATUSES:
        problems.append(f"Ukjent status «{status}»; filteret er ikke brukt.")
        status = ""
    theme = args.get("theme", "")
    if theme and theme not in themes:
        problems.append(f"Ukjent tema «{theme}»; filteret er ikke brukt.")
        theme = ""
    page = whole_number(args.get("page", ""), 1, MAX_PAGE)
    if page is None:
        shown = args.get("page", "")[:20]
        problems.append(f"Sidetallet «{shown}» er ikke et helt tall fra 1 til {MAX_PAGE}; viser side 1.")
        page = 1
    fields: dict[str, Any] = {
        "text": args.get("q", "").strip()[:200],
        "programme": args.get("programme", "").strip(),
        "status": status,
        "deadline_after": _date(args.get("from", ""), "Frist fra", problems),
        "deadline_before": _date(args.get("to", ""), "Frist til", problems),
        "source": args.get("source", "").strip(),
        "theme": theme,
        "norway": bool(args.get("norway")),
        "municipalities": bool(args.get("municipalities")),
        "seen_since": _date(args.get("since", ""), "Ny siden", problems),
        "limit": PER_PAGE,
        "offset": (page - 1) * PER_PAGE,
    }
    return SearchQuery(**fields), page, problems


def theme_badges(rows: list[dict[str, Any]], titles: Mapping[str, str]) -> dict[tuple[str, str], list[dict]]:
    """Per result: the themes it matches, best first, with score."""
    store = app_ctx().store
    badges: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        found = [m for m in store.matches_for_call(row["source"], row["external_id"]) if m.state == "match"]
        found.sort(key=lambda m: -m.score)
        badges[(row["source"], row["external_id"])] = [
            {"id": m.profile_id, "title": titles.get(m.profile_id, m.profile_id), "score": m.score} for m in found
        ]
    return badges


def page_url(page: int) -> str:
    args = {k: v for k, v in request.args.items() if k in FILTER_KEYS and v}
    return url_for("search.search", **args, page=page) if page > 1 else url_for("search.search", **args)


FACETS_TTL = 60.0  # seconds; the filter menus' counts may lag a collect by a minute


def cached_facets() -> dict[str, Any]:
    """Programme and source menus with counts; a GROUP BY over the whole archive is not worth doing per page."""
    cache = current_app.extensions.setdefault("eumonitor.facets", {})
    now = time.monotonic()
    if cache.get("until", 0.0) < now:
        cache["value"] = app_ctx().store.facets()
        cache["until"] = now + FACETS_TTL
    return cache["value"]


@bp.get("/")
def search() -> str:
    ctx = app_ctx()
    profiles = current_profiles()  # read once a request: the titles and the search's theme words
    titles = {pid: p.title or pid for pid, p in profiles.items()}
    query, page, problems = query_from_args(request.args, titles)
    if query.norway:
        query = replace(query, norway_programmes=norway_programme_ids(ctx.config.participation))
    searched = any(request.args.get(k) for k in FILTER_KEYS)
    result = ctx.store.explained_search(query, ctx.today(), with_profiles(ctx.config.glossary, profiles))
    rows, total = result.rows, result.total
    notes = search_notes(result.added, result.any_word, result.pinned) if searched else []
    if query.norway and ctx.config.participation is not None:
        verdicts = judge_all(ctx.store.calls_of(rows), ctx.config.participation)
        rows, left_out = without_nei(rows, verdicts)
        notes = [*notes, left_out] if left_out else notes
    pages = max(1, ceil(total / PER_PAGE))
    return render_template(
        "web/search.html",
        args=request.args,
        searched=searched,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        first=query.offset + 1,
        problems=problems,
        notes=notes,
        badges=theme_badges(rows, titles),
        themes=titles,
        facets=cached_facets(),
        statuses=STATUSES,
        page_url=page_url,
        today=ctx.today(),
    )
