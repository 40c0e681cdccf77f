"""Theme profiles: the list, the edit form with a live preview, and the logged, validated, atomic save."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)

from eumonitor import jobs
from eumonitor.config import edit as profile_edit
from eumonitor.config.edit import EditResult, ProfileEdit, ProfilePathError
from eumonitor.followup import rules
from eumonitor.matching import score as matcher
from eumonitor.model import Profile
from eumonitor.web import limits
from eumonitor.web.common import (
    app_ctx,
    current_editor,
    current_profiles,
    current_role,
    require_csrf,
    role_required,
)
from eumonitor.web.learning import learned_view
from eumonitor.web.preview import compare, models

bp = Blueprint("profiles", __name__)
EMPTY_ROWS = 2  # blank keyword rows offered for new groups


def _model() -> matcher.Model:
    """The model the previews score with: the app's shared one."""
    return models().get(app_ctx().store)


def _saved(profile_id: str) -> Profile:
    profile = current_profiles().get(profile_id)
    if profile is None:
        abort(404, f"Ukjent tema «{profile_id}».")
    return profile


@bp.get("/profiles")
def index() -> str:
    counts = app_ctx().store.match_counts()
    return render_template("web/profiles.html", profiles=list(current_profiles().values()), counts=counts)


def form_values(profile: Profile, path_text: str) -> dict[str, Any]:
    """The saved file as form values; keyword groups are read from the file so groups stay groups."""
    data = tomllib.loads(path_text)
    groups = data.get("keywords", [])
    return {
        "description": str(data.get("description", "")).strip(),
        "rows": [{"terms": ", ".join(g.get("terms", [])), "weight": g.get("weight", 1.0)} for g in groups],
        "exclude": "\n".join(profile.exclude),
        "min_score": profile.min_score,
    }


def values_from_edit(edit: ProfileEdit) -> dict[str, Any]:
    return {
        "description": edit.description,
        "rows": [{"terms": ", ".join(r.terms), "weight": r.weight} for r in edit.keywords],
        "exclude": "\n".join(edit.exclude),
        "min_score": edit.min_score,
    }


def _render(profile: Profile, values: Mapping[str, Any], result: EditResult | None, status: int = 200):
    ctx = app_ctx()
    path = profile_edit.profile_path(ctx.config.root, profile.id)
    edited = result.profile if result and result.profile else profile
    model = _model()
    rows, leaving = compare(ctx.store, model, profile, edited, ctx.today())
    body = render_template(
        "web/profile.html",
        learning=learned_view(profile, model),
        profile=profile,
        values=values,
        blank_rows=EMPTY_ROWS,
        errors=result.errors if result else {},
        preview=rows,
        leaving=leaving,
        edited=bool(result and result.profile and result.profile != profile),
        base_hash=request.form.get("base_hash") or profile_edit.text_hash(path.read_text(encoding="utf-8")),
        saves=ctx.store.profile_saves(profile.id, limit=5),
        messages=get_flashed_messages(),
        can_edit=rules.may(current_role(), "redaktør"),
    )
    return body, status


@bp.get("/profiles/<profile_id>")
def edit(profile_id: str):
    profile = _saved(profile_id)
    path = profile_edit.profile_path(app_ctx().config.root, profile_id)
    return _render(profile, form_values(profile, path.read_text(encoding="utf-8")), None)


@bp.post("/profiles/<profile_id>/preview")
def preview(profile_id: str):
    """The preview section alone, for the page's script; reading needs no login, but a CSRF token."""
    require_csrf()
    profile = _saved(profile_id)
    edit_ = profile_edit.edit_from_form(request.form)
    guard: limits.PreviewGuard = current_app.extensions["eumonitor.preview_guard"]
    if not guard.rate.allow(request.remote_addr or ""):
        abort(429, "For mange forhåndsvisninger på kort tid. Vent et minutt og prøv igjen.")
    if not guard.slots.acquire(blocking=False):
        abort(429, "Forhåndsvisningen er opptatt med andre forespørsler akkurat nå. Prøv igjen om litt.")
    try:
        # An edit past the bounds is never scored (its cost grows with its terms): like an invalid edit,
        # the preview then shows the saved profile, with the bound named.
        too_big = limits.edit_problems(edit_)
        result = EditResult(None, too_big) if too_big else _checked(profile_id, edit_)
        rows, leaving = compare(app_ctx().store, _model(), profile, result.profile or profile, app_ctx().today())
    finally:
        guard.slots.release()
    return render_template("web/profile_preview.html", preview=rows, leaving=leaving, errors=result.errors, edited=True)


def _checked(profile_id: str, edit: ProfileEdit) -> EditResult:
    try:
        return profile_edit.preview_edit(app_ctx().config.root, profile_id, edit)
    except ProfilePathError as exc:
        abort(404, str(exc))


@bp.post("/profiles/<profile_id>")
@role_required("redaktør")
def save(profile_id: str):
    require_csrf()
    profile = _saved(profile_id)
    edit_ = profile_edit.edit_from_form(request.form)
    too_big = limits.edit_problems(edit_)
    if too_big:  # the same bounds as the preview: a saved profile is scored at once, and by every match
        return _render(profile, values_from_edit(edit_), EditResult(None, too_big), 422)
    if request.form.get("action") == "preview":
        return _render(profile, values_from_edit(edit_), _checked(profile_id, edit_))
    ctx = app_ctx()
    result = profile_edit.save_edit(ctx.config.root, profile_id, edit_, request.form.get("base_hash", ""))
    if not result.saved or result.profile is None:
        return _render(profile, values_from_edit(edit_), result, 422)
    ctx.store.log_profile_save(profile_id, current_editor() or "", ctx.now(), _summary(profile, result.profile))
    rescore(result.profile)
    flash("Profilen er lagret og temaets treff er beregnet på nytt.")
    return redirect(url_for("profiles.edit", profile_id=profile_id))


def _summary(old: Profile, new: Profile) -> str:
    changed = [
        label
        for label, attr in (("beskrivelse", "description"), ("nøkkelord", "keywords"), ("utelat", "exclude"))
        if getattr(old, attr) != getattr(new, attr)
    ]
    if old.min_score != new.min_score:
        changed.append(f"terskel {old.min_score:g} → {new.min_score:g}")
    return ", ".join(changed) or "ingen endring"


def rescore(profile: Profile) -> None:
    """Run the matcher as `eumonitor match` would: the edited profile is re-scored, the others kept."""
    jobs.match_all(app_ctx(), profiles={**current_profiles(), profile.id: profile})
