"""What a theme learnt from the advisers' judgements, on its profile page, and undoing one judgement."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for

from eumonitor import jobs
from eumonitor.matching.incremental import learned
from eumonitor.model import Profile
from eumonitor.web.common import app_ctx, current_editor, current_profiles, require_csrf, role_required

bp = Blueprint("learning", __name__)
GRADE_NB = {2: "relevant", 1: "berører temaet", 0: "ikke for oss"}


def learned_view(profile: Profile, model: Any) -> dict[str, Any]:
    """The profile page's section: the judgements (newest first) and what they changed."""
    ctx = app_ctx()
    rows = ctx.store.judgements(profile.id, limit=50)
    summary = learned(ctx.store, model, profile, ctx.today()) if model is not None else None
    titles = {}
    for key in {*(summary.entering if summary else ()), *(summary.leaving if summary else ())}:
        call = ctx.store.get_call(*key)
        titles[key] = call.title if call else key[1]
    for row in rows:
        call = ctx.store.get_call(row["source"], row["external_id"])
        row["title"] = call.title if call else row["external_id"]
        row["grade_nb"] = GRADE_NB[row["grade"]]
    return {"judgements": rows, "summary": summary, "titles": titles}


@bp.post("/profiles/<profile_id>/vurderinger/<int:judgement_id>/angre")
@role_required("redaktør")
def undo(profile_id: str, judgement_id: int):
    require_csrf()
    profile = current_profiles().get(profile_id)
    if profile is None:
        abort(404, "Ukjent tema.")
    ctx = app_ctx()
    if not any(j["id"] == judgement_id for j in ctx.store.judgements(profile_id)):
        abort(404, "Fant ikke vurderingen for dette temaet.")
    with ctx.store.transaction():
        done = ctx.store.undo_judgement(judgement_id, current_editor() or "", ctx.now())
    if done:
        jobs.match_all(ctx, profiles=current_profiles())  # the theme is scored again without it, at once
        flash(f"Vurdering #{judgement_id} er angret, og temaets treff er beregnet på nytt.")
    else:
        flash(f"Vurdering #{judgement_id} var allerede angret.")
    return redirect(url_for("profiles.edit", profile_id=profile_id) + "#laert")
