"""Logging users (the archive's users table) in and out; throttled, CSRF-checked, and the session renewed on login."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, redirect, render_template, request, session, url_for

from eumonitor.web import auth
from eumonitor.web.common import app_ctx, require_csrf, safe_next

bp = Blueprint("login", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("web/login.html", next=target, email="", error="")
    require_csrf()
    ctx = app_ctx()
    email = request.form.get("email", "").strip()[:200]
    password = request.form.get("password", "")[:500]
    # Throttling counts real minutes even when `serve --now` replays another day: a frozen clock
    # would keep a throttled account locked for good.
    editor, error = auth.attempt_login(
        ctx.store, ctx.store.get_user, email, password, request.remote_addr or "", datetime.now(UTC)
    )
    if editor is None:
        code = 429 if error == auth.THROTTLED else 401
        return render_template("web/login.html", next=target, email=email, error=error), code
    # A fresh session on login: nothing set before (e.g. by someone who planted a cookie) carries over.
    session.clear()
    session.permanent = True
    session["editor"] = editor.email
    # The cookie alone is no proof: it names a server-side session that logout ends (a saved copy then fails).
    lifetime = current_app.permanent_session_lifetime
    session["sid"] = ctx.store.start_session(editor.email, datetime.now(UTC), lifetime)
    return redirect(target)


@bp.post("/logout")
def logout() -> Response:
    require_csrf()
    sid = session.get("sid")
    if sid:
        app_ctx().store.end_session(str(sid))
    session.clear()
    return redirect(url_for("search.search"))
