"""The call page's follow-up forms: follow (any logged-in user), and the case (redaktør and above); all CSRF-checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request

from eumonitor.followup import actions, rules
from eumonitor.web.common import app_ctx, call_url, current_editor, require_csrf, role_required

bp = Blueprint("cases", __name__)

# The audit trail's fields as the page names them.
FIELD_NB = {
    "case": "sak",
    "status": "status",
    "reason": "begrunnelse",
    "assignee": "ansvarlig",
    "amount_applied": "søkt beløp (EUR)",
    "amount_won": "tildelt beløp (EUR)",
    "note": "notat",
    "partner": "partner",
}
HTTP = {actions.NOT_FOUND: 404, actions.FORBIDDEN: 403}


def case_block(source: str, external_id: str) -> dict[str, Any]:
    """What the call page's "Oppfølging" section shows, for the template."""
    ctx = app_ctx()
    at = actions.target_by_key(ctx, source, external_id)
    view = actions.case_view(ctx, at)
    who = current_editor()
    history = [
        {
            **row,
            "field_nb": FIELD_NB.get(row["field"], row["field"]),
            "old": _value(row, "old"),
            "new": _value(row, "new"),
        }
        for row in reversed(view["history"])
        if row["field"] != "note"  # notes are listed in full above the history
    ]
    return {
        "case": view,
        "history": history,
        "following": bool(who and ctx.store.is_following(who, at.call_id)),
        "users": ctx.store.list_users(),
        "status_nb": rules.STATUS_NB,
        "partner_roles": rules.PARTNER_ROLES,
        "max_note": rules.MAX_NOTE,  # the browser stops at it, so a long note is never typed only to be refused
    }


def _value(row: dict[str, Any], side: str) -> str:
    value = row[side]
    if value is None or value == "":
        return "–"
    return rules.STATUS_NB.get(value, value) if row["field"] == "status" else value


def _act(run: Callable[[Any, str, actions.Target], str]) -> Response:
    """Check the token, find the call, run the action as the logged-in user, then back to the call page."""
    require_csrf()
    ctx = app_ctx()
    source, external_id = request.form.get("source", ""), request.form.get("external_id", "")
    try:
        at = actions.target_by_key(ctx, source, external_id)
        flash(run(ctx, current_editor() or "", at), "case")
    except actions.ActionError as exc:
        if exc.code in HTTP:
            abort(HTTP[exc.code], str(exc))
        flash(f"Ikke lagret: {exc}", "case")
    return redirect(call_url(source, external_id) + "#oppfolging", code=303)


@bp.post("/sak/folg")
@role_required("leser")
def follow() -> Response:
    def run(ctx, who, at) -> str:
        if request.form.get("follow") == "0":
            actions.unfollow(ctx, who, at)
            return "Du følger ikke lenger utlysningen."
        actions.follow(ctx, who, at)
        return "Du følger nå utlysningen: du får påminnelser før fristen og e-post når den endres."

    return _act(run)


@bp.post("/sak/ansvar")
@role_required("redaktør")
def assign() -> Response:
    def run(ctx, who, at) -> str:
        done = actions.assign(ctx, who, at, request.form.get("assignee", "")[:200])
        return f"Ansvarlig: {done['assignee']}" + (f" ({done['mail']})." if done["mail"] else ".")

    return _act(run)


@bp.post("/sak/status")
@role_required("redaktør")
def status() -> Response:
    def run(ctx, who, at) -> str:
        form = request.form
        actions.set_status(ctx, who, at, form.get("status", ""), form.get("reason", "")[:600], form.get("amount"))
        return f"Status: {rules.STATUS_NB.get(form.get('status', ''), '')}."

    return _act(run)


@bp.post("/sak/notat")
@role_required("redaktør")
def note() -> Response:
    def run(ctx, who, at) -> str:
        actions.add_note(ctx, who, at, request.form.get("text", "")[: rules.MAX_NOTE + 100])
        return "Notatet er lagret."

    return _act(run)


@bp.post("/sak/partner")
@role_required("redaktør")
def partner() -> Response:
    def run(ctx, who, at) -> str:
        organisation = request.form.get("organisation", "")[:300]
        actions.add_partner(ctx, who, at, organisation, request.form.get("role", ""))
        return f"Partneren {' '.join(organisation.split())} er lagret."

    return _act(run)


@bp.post("/sak/belop")
@role_required("redaktør")
def amounts() -> Response:
    def run(ctx, who, at) -> str:
        actions.set_amounts(ctx, who, at, request.form.get("applied"), request.form.get("won"))
        return "Beløpene er lagret."

    return _act(run)
