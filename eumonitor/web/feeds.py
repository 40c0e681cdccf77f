"""Per-theme feeds for subscribing: Atom of newly matched calls, iCalendar of matched calls' deadlines."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for

from eumonitor.model import Call, Match
from eumonitor.sources.textsafe import strip_controls
from eumonitor.web import ical
from eumonitor.web.calls import absolute_call_url
from eumonitor.web.common import app_ctx, profile_titles

bp = Blueprint("feeds", __name__)
ATOM_ENTRIES = 50


def _matched(profile_id: str, open_only: bool, limit: int | None) -> list[tuple[Call, Match]]:
    titles = profile_titles()
    if profile_id not in titles:
        abort(404, f"Ukjent tema «{profile_id}».")
    ctx = app_ctx()
    return ctx.store.profile_matches(profile_id, state="match", today=ctx.today(), open_only=open_only, limit=limit)


def _stamp(text: str | None) -> datetime:
    return datetime.fromisoformat(text) if text else datetime(1970, 1, 1, tzinfo=UTC)


def atom_entries(pairs: list[tuple[Call, Match]]) -> list[dict[str, Any]]:
    """Newest-first entries: a call counts as new from when the archive first saw it."""
    store = app_ctx().store
    entries = []
    for call, match in pairs:
        record = store.call_record(call.source, call.external_id) or {}
        entries.append(
            {
                "call": call,
                "match": match,
                "url": absolute_call_url(call),
                "published": _stamp(record.get("first_seen")),
                "updated": _stamp(record.get("last_changed") or record.get("first_seen")),
                "next_deadline": call.next_deadline(app_ctx().today()),
            }
        )
    entries.sort(key=lambda e: e["published"], reverse=True)
    return entries[:ATOM_ENTRIES]


@bp.get("/feeds/<profile_id>.atom")
def atom(profile_id: str) -> Response:
    entries = atom_entries(_matched(profile_id, open_only=True, limit=None))
    updated = max((e["updated"] for e in entries), default=app_ctx().now())
    body = render_template(
        "web/feed.atom.xml",
        profile_id=profile_id,
        title=profile_titles()[profile_id],
        entries=entries,
        updated=updated,
        self_url=request.base_url,
        alternate=request.url_root.rstrip("/") + url_for("search.search", theme=profile_id),
    )
    # One control character from a source (ESC in a title) makes the whole feed invalid XML for every reader;
    # the archive strips them on the way in, and this catches rows stored before it did.
    return Response(strip_controls(body), mimetype="application/atom+xml")


@bp.get("/feeds/<profile_id>.ics")
def deadlines(profile_id: str) -> Response:
    ctx = app_ctx()
    pairs = _matched(profile_id, open_only=True, limit=None)
    name = f"EU-frister: {profile_titles()[profile_id]}"
    body = ical.calendar(name, [c for c, _ in pairs], ctx.today(), ctx.now(), absolute_call_url)
    return Response(body, mimetype="text/calendar")
