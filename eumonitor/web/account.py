"""One's own account: a logged-in user changes their password (the old one first); other sessions then end."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, flash, get_flashed_messages, redirect, render_template, request, session, url_for

from eumonitor.web import auth
from eumonitor.web.common import app_ctx, current_user, login_required, require_csrf

bp = Blueprint("account", __name__)


def _page(error: str = "", code: int = 200) -> tuple[str, int]:
    return render_template("web/password.html", error=error, messages=get_flashed_messages()), code


@bp.get("/passord")
@login_required
def password_form() -> tuple[str, int]:
    return _page()


@bp.post("/passord")
@login_required
def change_password() -> Response | tuple[str, int]:
    require_csrf()
    user = current_user()
    assert user is not None  # login_required
    old, new, again = (request.form.get(k, "")[:500] for k in ("current", "password", "password2"))
    ctx = app_ctx()
    # Through the login's throttle: a borrowed session must not be a way to guess the password without limit.
    # Real minutes, as for login, whatever clock `serve --now` replays.
    checked, refusal = auth.attempt_login(
        ctx.store, ctx.store.get_user, user.email, old, request.remote_addr or "", datetime.now(UTC)
    )
    if checked is None:
        if refusal == auth.THROTTLED:
            return _page(refusal, 429)
        return _page("Det nåværende passordet er feil.", 400)
    if new != again:
        return _page("De to nye passordene er ikke like.", 400)
    if new == old:
        return _page("Det nye passordet må være et annet enn det gamle.", 400)
    try:
        hashed = auth.hash_password(new)
    except ValueError as exc:
        return _page(f"{str(exc).capitalize()}.", 400)
    ctx.store.save_user(user.email, user.role, ctx.now(), password_hash=hashed)
    # A cookie copied elsewhere (a shared computer, a stolen session) stops working; this one goes on.
    ended = ctx.store.end_sessions(user.email, str(session.get("sid", "")))
    flash("Passordet er byttet." + (" Du er logget ut andre steder." if ended else ""))
    return redirect(url_for("account.password_form"), code=303)
