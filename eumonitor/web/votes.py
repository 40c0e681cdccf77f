"""The digest's "Relevant" / "Ikke for oss" links: a GET shows what will be recorded, only a POST records it, so
a mail scanner that follows every link never votes. No login: the signed link is the credential, and counts once."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from eumonitor.digests.feedback_links import FeedbackLink, read_link
from eumonitor.web.common import app_ctx, current_editor, current_profiles, require_csrf, role_required

bp = Blueprint("votes", __name__)
INVALID = "Lenken er ugyldig eller endret. Bruk lenkene i sammendraget slik de kom."
GRADE_NB = {2: "relevant", 1: "berører temaet", 0: "ikke for oss"}


def _link(token: str) -> FeedbackLink:
    link = read_link(app_ctx().secret_key, token)
    if link is None or link.profile_id not in app_ctx().config.profiles:
        abort(404, INVALID)
    return link


def _page(token: str, link: FeedbackLink, state: str, status: int = 200) -> tuple[str, int]:
    ctx = app_ctx()
    call = ctx.store.get_call(*link.key)
    profile = ctx.config.profiles[link.profile_id]
    html = render_template(
        "web/vote.html", token=token, link=link, call=call, profile=profile, grade=GRADE_NB[link.grade], state=state
    )
    return html, status


@bp.get("/vurdering/<token>")
def confirm(token: str) -> tuple[str, int]:
    link = _link(token)
    used = any(j["token"] == link.nonce for j in app_ctx().store.judgements(link.profile_id))
    return _page(token, link, "used" if used else "confirm")


@bp.post("/vurdering/<token>")
def record(token: str) -> tuple[str, int]:
    link = _link(token)
    ctx = app_ctx()
    with ctx.store.transaction():
        # Real time: the record says when the adviser clicked, also when `serve --now` replays another day.
        saved = ctx.store.add_judgement(
            link.profile_id, link.key, link.grade, link.who, datetime.now(UTC), link.origin, token=link.nonce
        )
    if saved is None:
        return _page(token, link, "used", 409)
    return _page(token, link, "done")


def call_judgements(key: tuple[str, str]) -> dict[str, str]:
    """The call's current judgement per theme, in words, for its page."""
    store = app_ctx().store
    return {pid: GRADE_NB[g] for pid in current_profiles() if (g := store.feedback_grades(pid).get(key)) is not None}


@bp.post("/call/<source>/<path:external_id>/vurder")
@role_required("redaktør")
def judge(source: str, external_id: str):
    """A logged-in adviser's "Relevant" / "Ikke for oss" on the call page."""
    require_csrf()
    ctx = app_ctx()
    profile_id, grade = request.form.get("profile_id", ""), request.form.get("grade", "")
    if (
        profile_id not in current_profiles()
        or grade not in ("0", "2")
        or ctx.store.get_call(source, external_id) is None
    ):
        abort(400, "Ukjent tema, vurdering eller utlysning.")
    with ctx.store.transaction():
        ctx.store.add_judgement(profile_id, (source, external_id), int(grade), current_editor() or "", ctx.now(), "web")
    flash(
        f"Registrert som {GRADE_NB[int(grade)]} for {current_profiles()[profile_id].title}; lærer ved neste matching."
    )
    return redirect(url_for("calls.call_page", source=source, external_id=external_id))
