"""The digest's "Relevant" / "Ikke for oss" links: a GET shows what will be recorded, only a POST records it, so
a mail scanner that follows every link never votes. No login: the signed link is the credential, and counts once."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template

from eumonitor.digests.feedback_links import FeedbackLink, read_link
from eumonitor.web.common import app_ctx

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
