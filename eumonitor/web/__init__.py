"""The Flask app: `create_app(ctx)` wires the blueprints, security settings and error pages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, Response, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from eumonitor.context import AppContext
from eumonitor.followup import actions
from eumonitor.matching.incremental import ModelCache
from eumonitor.nb import score_nb
from eumonitor.web.common import current_editor, template_globals
from eumonitor.web.limits import PreviewGuard

PACKAGE = Path(__file__).resolve().parent.parent
SUBSCRIBER_PAGES = (
    "subscriptions.manage",
    "subscriptions.save",
    "subscriptions.unsubscribe",
    "votes.confirm",
    "votes.record",
    "followups.calendar",  # a person's signed calendar link: calendar apps cannot log in
)
# Reading pages never need anything from another site; no inline scripts, no foreign styles.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(ctx: AppContext) -> Flask:
    """One app per context; no module globals, so tests can build as many as they like."""
    app = Flask(
        "eumonitor.web",
        template_folder=str(PACKAGE / "templates"),
        static_folder=str(PACKAGE / "static"),
    )
    web = ctx.config.settings.web
    app.config.update(
        SECRET_KEY=secret_key(ctx),
        SESSION_COOKIE_NAME="eumonitor_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=web.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    app.extensions["eumonitor"] = ctx
    if web.editors:  # users live in the archive now: config.toml's editors are carried over once each
        actions.import_config_editors(ctx)
    app.extensions["eumonitor.models"] = ModelCache()  # one per app: the call and profile pages share it
    app.extensions["eumonitor.preview_guard"] = PreviewGuard()  # rate and slots of the anonymous preview
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["score_nb"] = score_nb
    app.context_processor(template_globals)
    _register(app)
    app.before_request(_closed_reading)
    app.after_request(_security_headers)
    app.after_request(_norwegian_redirect)
    app.register_error_handler(HTTPException, _error_page)
    return app


def _register(app: Flask) -> None:
    from eumonitor.web import (
        account,
        calls,
        cases,
        feeds,
        followups,
        learning,
        login,
        profiles,
        report,
        search,
        status,
        subscriptions,
        users,
        votes,
    )

    blueprints = (search, calls, login, profiles, learning, feeds, status, subscriptions, votes, users)
    for module in (*blueprints, cases, followups, report, account):
        app.register_blueprint(module.bp)


def secret_key(ctx: AppContext) -> str:
    """From the configured env var; else a random key kept next to the archive so restarts keep sessions."""
    return ctx.secret_key


def _closed_reading() -> Response | None:
    """With open_read = false every page but login and the stylesheet needs a login."""
    from flask import current_app, redirect, url_for

    ctx: AppContext = current_app.extensions["eumonitor"]
    # A subscriber's signed link is its own credential: "Mine varsler" and the one-click unsubscribe need no login.
    if ctx.config.settings.web.open_read or request.endpoint in ("login.login", "static", *SUBSCRIBER_PAGES):
        return None
    if current_editor() is None:
        return redirect(url_for("login.login", next=request.full_path.rstrip("?")))
    return None


def _norwegian_redirect(response: Response) -> Response:
    """Werkzeug's redirect body says "Redirecting..." in English; the rare browser that shows it gets bokmål."""
    if response.status_code in (301, 302, 303, 307, 308) and response.mimetype == "text/html":
        target = escape(response.headers.get("Location", ""))
        response.set_data(
            '<!doctype html>\n<html lang="nb"><title>Videresender</title>'
            f'<p>Du blir sendt videre til <a href="{target}">{target}</a>.</p></html>\n'
        )
    return response


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


TITLES = {
    400: "Ugyldig forespørsel",
    403: "Ingen tilgang",
    404: "Fant ikke siden",
    405: "Metoden er ikke tillatt",
    413: "For mye data",
    429: "For mange forsøk",
    500: "Noe gikk galt",
}


def _error_page(exc: HTTPException) -> tuple[str, int]:
    code = exc.code or 500
    # werkzeug's own descriptions are English; ours (from abort(code, "...")) are Norwegian.
    own = exc.description if exc.description and exc.description != type(exc).description else ""
    return render_template("web/error.html", code=code, title=TITLES.get(code, "Feil"), message=own), code
