"""Operational pages: each source's recent runs and counts, and the digests sent and due."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from eumonitor.web.common import app_ctx

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
def digests() -> str:
    ctx = app_ctx()
    recent = getattr(ctx.store, "recent_deliveries", None)
    deliveries = recent(limit=50) if recent else []
    previews, note = digest_previews()
    return render_template("web/digests.html", deliveries=deliveries, previews=previews, preview_note=note)


def digest_previews() -> tuple[list[dict[str, Any]], str]:
    """This week's digests as the first subscriber of each would get them; nothing is sent or stored."""
    return [], "Forhåndsvisning av ukens utsendelse er ikke tilgjengelig ennå."
