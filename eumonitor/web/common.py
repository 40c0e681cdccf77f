"""Helpers every blueprint shares: the context, the logged-in editor, CSRF checks, Norwegian filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any
from urllib.parse import quote, urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for

from eumonitor import nb
from eumonitor.config.profiles import load_profiles
from eumonitor.context import AppContext
from eumonitor.followup import rules
from eumonitor.model import Profile
from eumonitor.store import User
from eumonitor.web import auth

STATUS_CLASS = {"open": "open", "forthcoming": "forthcoming", "closed": "closed"}


def app_ctx() -> AppContext:
    return current_app.extensions["eumonitor"]


def current_user() -> User | None:
    """The logged-in user, if the session is live on the server and the user is still in the archive."""
    email, sid = session.get("editor"), session.get("sid")
    if not email or not sid:
        return None
    if "user_checked" not in g:  # one archive read per request, however often templates ask
        store = app_ctx().store
        # Real time, as for login throttling: a replayed `serve --now` must not keep sessions alive for good.
        live = store.session_editor(str(sid), datetime.now(UTC))
        g.user_checked = store.get_user(email) if live == email else None
    return g.user_checked


def current_editor() -> str | None:
    """The logged-in user's e-mail (whatever the role), or None."""
    user = current_user()
    return user.email if user else None


def current_role() -> str | None:
    user = current_user()
    return user.role if user else None


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Any logged-in user; a visitor is sent to the login page (a POST is refused)."""
    return role_required("leser")(view)


def role_required(needed: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A logged-in user with at least the role `needed` (leser < redaktør < admin); others get 403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_user() is None:
                if request.method == "POST":
                    abort(403, "Du må logge inn for å gjøre endringer.")
                return redirect(url_for("login.login", next=request.full_path.rstrip("?")))
            if not rules.may(current_role(), needed):
                abort(403, f"Dette krever rollen {rules.ROLE_NB[needed]} eller høyere.")
            return view(*args, **kwargs)

        return wrapper

    return decorate


def require_csrf() -> None:
    """Every state-changing form carries the session's token; a missing or wrong one is refused."""
    if not auth.csrf_valid(session, request.form.get("csrf_token")):
        if insecure_cookie_over_http():
            abort(400, COOKIE_SECURE_OVER_HTTP)
        abort(400, "Skjemaet mangler en gyldig sikkerhetsnøkkel (CSRF). Last siden på nytt og prøv igjen.")


COOKIE_SECURE_OVER_HTTP = (
    "Nettsiden er satt opp med [web] cookie_secure = true, men siden er åpnet over http: nettleseren sender da "
    "ikke øktinformasjonen, så skjemaer og innlogging virker ikke. Bruk https-adressen, eller sett "
    "cookie_secure = false når nettsiden bare brukes lokalt."
)


def insecure_cookie_over_http() -> bool:
    """A secure-only session cookie on a plain-http page: the browser drops it, and every form fails.

    Only when the request came without the cookie and by plain http all the way (a TLS proxy in front says
    so with X-Forwarded-Proto), so a site behind https is never told this."""
    return (
        bool(current_app.config.get("SESSION_COOKIE_SECURE"))
        and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
        and not request.is_secure
        and request.headers.get("X-Forwarded-Proto", "http") == "http"
    )


def safe_next(target: str | None) -> str:
    """Only local paths after login, never another site."""
    # Browsers drop tabs and newlines and read "\\" as "/", so "/\t/evil.example" would leave the site.
    if not target or any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in target):
        return url_for("search.search")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return target
    return url_for("search.search")


def call_url(source: str, external_id: str) -> str:
    return url_for("calls.call_page", source=source, external_id=external_id)


def current_profiles() -> dict[str, Profile]:
    """The profiles as they are on disk now: a save in this app must show at once, without a restart."""
    profiles, _problems = load_profiles(app_ctx().config.root)
    return profiles


def profile_titles() -> dict[str, str]:
    """Theme id -> title."""
    return {pid: p.title or pid for pid, p in current_profiles().items()}


def template_globals() -> dict[str, Any]:
    return {
        "csrf_token": lambda: auth.csrf_token(session),
        "editor": current_editor(),
        "role": current_role(),
        "can_edit": rules.may(current_role(), "redaktør"),
        "status_nb": lambda s: nb.STATUS_NB.get(s or "", s),
        "status_class": lambda s: STATUS_CLASS.get(s or "", "unknown"),
        "date_nb": nb.date_nb,
        "days_left": lambda d: nb.days_left_nb(d, app_ctx().today()),
        "money_nb": nb.money_nb,
        "deadline_model_nb": lambda m: nb.DEADLINE_MODEL_NB.get(m, m),
        "call_type_nb": lambda t: nb.CALL_TYPE_NB.get(t, t),
        "source_title": lambda s: getattr(app_ctx().config.sources.get(s), "title", "") or s,
        "call_url": call_url,
        "quote": lambda s: quote(str(s), safe=""),
        "local_time": local_time,
        "local_date": local_date,
        "zone_name": lambda: app_ctx().config.settings.schedule.timezone,
    }


def local_time(moment: datetime | str | None) -> str:
    """A stored moment (UTC) as the city's clock shows it ([schedule] timezone): "22. juni 2026 kl. 07:00"."""
    return nb.local_time_nb(moment, app_ctx().zone)


def local_date(moment: datetime | str | None) -> str:
    """A stored moment's date in the city's time zone: "17. juni 2026"."""
    return nb.local_date_nb(moment, app_ctx().zone)
