"""The admin page: every user with name, unit and role; add a user, change a role, remove one (admins only)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, flash, get_flashed_messages, redirect, render_template, request, url_for

from eumonitor.followup import people, rules
from eumonitor.followup.actions import NOT_FOUND, ActionError
from eumonitor.web import auth
from eumonitor.web.common import app_ctx, current_editor, require_csrf, role_required

bp = Blueprint("users", __name__)


def _status(exc: ActionError) -> int:
    """What the page answers a refusal with: a rule about who else there is, an unknown user, a bad form."""
    if isinstance(exc, people.Refused):
        return 409
    return 404 if exc.code == NOT_FOUND else 400


# Said on the page, where the CLI's hint (eumonitor assign …) would mean nothing.
TAKE_OVER = "Gi dem til en annen redaktør på sakens side."


def _page(form: dict[str, str] | None = None, error: str = "", code: int = 200) -> tuple[str, int]:
    html = render_template(
        "web/users.html",
        users=app_ctx().store.list_users(),
        roles=rules.ROLES,
        role_nb=rules.ROLE_NB,
        messages=get_flashed_messages(),
        form=form or {"role": "leser"},  # least privilege unless the admin chooses otherwise
        error=error,
        me=current_editor() or "",
    )
    return html, code


@bp.get("/brukere")
@role_required("admin")
def index() -> tuple[str, int]:
    return _page()


@bp.post("/brukere/ny")
@role_required("admin")
def add() -> Response | tuple[str, int]:
    require_csrf()
    # The address whole (people.save refuses one that is too long; a cut one would be somebody else's).
    form = {k: request.form.get(k, "").strip()[:1000] for k in ("email", "name", "unit", "role")}
    form["role"] = form["role"] or "leser"  # least privilege when the form leaves it out
    password, again = request.form.get("password", "")[:500], request.form.get("password2", "")[:500]
    ctx = app_ctx()
    try:
        if ctx.store.get_user(form["email"]):
            # Adding is not the place to overwrite someone's password by a slip of the keyboard.
            raise people.Refused(f"{form['email']} finnes allerede; endre rollen i tabellen over.")
        if password != again:
            raise ActionError("De to passordene er ikke like.")
        try:
            hashed = auth.hash_password(password)
        except ValueError as exc:
            raise ActionError(f"{str(exc).capitalize()}.") from exc
        changed = people.save(
            ctx, form["email"], role=form["role"], name=form["name"], unit=form["unit"], password_hash=hashed
        )
    except ActionError as exc:
        # The page again, with what the admin typed (never the passwords) and the reason.
        return _page(form, str(exc), _status(exc))
    flash(
        f"La til {changed.user.email} med rollen {rules.ROLE_NB[changed.user.role]}. "
        "Gi personen passordet på en trygg måte; det kan byttes under «Passord» etter innlogging."
    )
    return redirect(url_for("users.index"), code=303)


@bp.post("/brukere/rolle")
@role_required("admin")
def set_role() -> Response | tuple[str, int]:
    require_csrf()
    email = request.form.get("email", "")[:1000]

    def change() -> str:
        changed = people.change_role(app_ctx(), email, request.form.get("role", ""), by=current_editor() or "")
        done = f"{changed.user.email} har nå rollen {rules.ROLE_NB[changed.user.role]} (endret av {current_editor()})."
        return " ".join(filter(None, [done, people.stranded_sentence(changed, "nå er leser", TAKE_OVER)]))

    return _act(change)


@bp.post("/brukere/fjern")
@role_required("admin")
def remove() -> Response | tuple[str, int]:
    require_csrf()
    email = request.form.get("email", "")[:1000]

    def change() -> str:
        changed = people.remove(app_ctx(), email, by=current_editor() or "")
        done = f"Fjernet {changed.user.email}; notater og historikk beholder adressen."
        return " ".join(filter(None, [done, people.stranded_sentence(changed, "er fjernet", TAKE_OVER)]))

    return _act(change)


def _act(change: Callable[[], str]) -> Response | tuple[str, int]:
    """The change and its sentence on the page; a refusal is shown on the page with its status."""
    try:
        flash(change())
    except ActionError as exc:
        return _page(error=str(exc), code=_status(exc))
    return redirect(url_for("users.index"), code=303)
