"""The admin page: every user with name, unit and role, and a form to change a role (admins only)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from eumonitor.followup import rules
from eumonitor.web.common import app_ctx, current_editor, require_csrf, role_required

bp = Blueprint("users", __name__)


@bp.get("/brukere")
@role_required("admin")
def index() -> str:
    from flask import get_flashed_messages

    users = app_ctx().store.list_users()
    return render_template(
        "web/users.html", users=users, roles=rules.ROLES, role_nb=rules.ROLE_NB, messages=get_flashed_messages()
    )


@bp.post("/brukere/rolle")
@role_required("admin")
def set_role() -> Response:
    require_csrf()
    ctx = app_ctx()
    email = request.form.get("email", "").strip()[:200]
    try:
        role = rules.role_id(request.form.get("role", ""))
    except rules.CaseRuleError as exc:
        abort(400, str(exc).capitalize() + ".")
    user = ctx.store.get_user(email)
    if user is None:
        abort(404, f"Ukjent bruker {email}.")
    if user.role == "admin" and role != "admin" and ctx.store.count_admins() == 1:
        abort(409, f"{user.email} er den eneste administratoren; gi en annen rollen admin først.")
    ctx.store.set_role(user.email, role, ctx.now())
    who = current_editor() or ""
    flash(f"{user.email} har nå rollen {rules.ROLE_NB[role]} (endret av {who}).")
    return redirect(url_for("users.index"))
