"""Operational pages: each source's recent runs and counts, and the digests sent and due."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from eumonitor.web.common import app_ctx, login_required

bp = Blueprint("status", __name__)
RUNS_SHOWN = 8


@bp.get("/sources")
def sources() -> str:
    ctx = app_ctx()
    counts = ctx.store.source_counts()
    names = sorted(set(ctx.config.sources) | set(counts))
    rows: list[dict[str, Any]] = []
    for name in names:
        spec = ctx.config.sources.get(name)
        runs = ctx.store.recent_runs(name, limit=RUNS_SHOWN)
        rows.append(
            {
                "id": name,
                "title": spec.title if spec else name,
                "kind": spec.kind if spec else "",
                "url": spec.url if spec else "",
                "enabled": bool(spec and spec.enabled),
                "counts": counts.get(name, {"calls": 0, "listed": 0, "open": 0}),
                "runs": runs,
                "streak": ctx.store.failure_streak(name),
            }
        )
    return render_template("web/sources.html", sources=rows)


@bp.get("/digests")
@login_required  # it names every subscriber and shows what they receive: not for open intranet reading
def digests() -> str:
    ctx = app_ctx()
    deliveries = ctx.store.recent_deliveries(limit=50)
    previews = [{"id": spec_id, "title": spec.title} for spec_id, spec in sorted(ctx.config.digests.items())]
    return render_template("web/digests.html", deliveries=deliveries, previews=previews, week=_this_week())


# The digest is an e-mail: its CSS is inlined in style attributes, which the app's own strict policy
# forbids. It gets a policy of its own: no scripts at all, inline styles only, framed by this site only.
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"


@bp.get("/digests/<digest_id>/preview.<fmt>")
@login_required
def digest_preview(digest_id: str, fmt: str) -> Response:
    """This week's digest as one subscriber would get it (the first, or ?subscriber=); nothing sent."""
    from eumonitor.digests.send import preview

    ctx = app_ctx()
    spec = ctx.config.digests.get(digest_id)
    if spec is None or fmt not in ("html", "txt") or not spec.subscribers:
        abort(404)
    wanted = request.args.get("subscriber") or spec.subscribers[0].email
    rendered = preview(ctx.store, ctx.config, spec, _this_week(), ctx.now(), wanted)
    if not rendered:
        abort(404)
    _subscriber, mail = rendered[0]
    if fmt == "txt":
        return Response(f"Emne: {mail.subject}\n\n{mail.text}", mimetype="text/plain")
    response = Response(mail.html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _this_week():
    from eumonitor.digests.build import IsoWeek

    return IsoWeek.of(app_ctx().today())
