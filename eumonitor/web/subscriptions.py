""" "Mine varsler": a subscriber's own page behind a signed personal link (themes, pause, unsubscribe), and the
RFC 8058 one-click unsubscribe that mail clients POST to. No login: the signed link is the credential."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request

from eumonitor.digests.subscription_links import read_token
from eumonitor.store.subscribers import Subscription
from eumonitor.web.common import app_ctx, require_csrf

bp = Blueprint("subscriptions", __name__)
INVALID = "Lenken er ugyldig. Bruk lenken «Mine varsler» nederst i det siste sammendraget du fikk."
STATE_NB = {"active": "aktivt", "paused": "satt på pause", "unsubscribed": "avmeldt"}


def _subscription(token: str) -> tuple[Any, Subscription]:
    """The digest and the subscription a genuine token names; 404 for a forged link or an unknown person."""
    ctx = app_ctx()
    found = read_token(ctx.secret_key, token)
    spec = ctx.config.digests.get(found[0]) if found else None
    subscription = ctx.store.subscription(spec.id, found[1]) if spec and found else None
    if spec is None or subscription is None:
        abort(404, INVALID)
    return spec, subscription


def _page(token: str, spec: Any, subscription: Subscription, message: str = "") -> str:
    themes = [(p, app_ctx().config.profiles[p].title) for p in spec.profiles if p in app_ctx().config.profiles]
    chosen = set(subscription.profiles or spec.profiles)
    return render_template(
        "web/subscription.html", token=token, spec=spec, sub=subscription, themes=themes, chosen=chosen,
        state_nb=STATE_NB, message=message,
    )  # fmt: skip


@bp.get("/mine-varsler/<token>")
def manage(token: str) -> str:
    spec, subscription = _subscription(token)
    return _page(token, spec, subscription)


@bp.post("/mine-varsler/<token>")
def save(token: str) -> str:
    """The page's form: themes and pause (a session CSRF token, like every form in the app)."""
    require_csrf()
    spec, subscription = _subscription(token)
    ctx = app_ctx()
    action = request.form.get("action", "save")
    if action == "unsubscribe":
        state, themes, message = "unsubscribed", None, "Du er meldt av og får ikke flere sammendrag."
    else:
        picked = [p for p in spec.profiles if p in request.form.getlist("tema")]
        if not picked:
            return _page(token, spec, subscription, "Velg minst ett tema, eller meld deg av.")
        # All themes chosen is stored as "all", so a theme added to the digest later reaches this person too.
        themes = () if set(picked) == set(spec.profiles) else picked
        state = "paused" if request.form.get("pause") else "active"
        message = "Endringene er lagret." if state == "active" else "Lagret. Sammendragene er satt på pause."
    saved = ctx.store.save_subscription(
        spec.id, subscription.email, ctx.now(), "mine-varsler", state=state, profiles=themes, origin="web"
    )
    return _page(token, spec, saved, message)


@bp.route("/mine-varsler/<token>/avmeld", methods=["GET", "POST"])
def unsubscribe(token: str) -> str:
    """POST (RFC 8058 one-click, from the mail client: no cookies, no form token) unsubscribes at once. GET only
    asks, since link checkers in mail systems open every link in a message."""
    spec, subscription = _subscription(token)
    if request.method == "GET":
        return render_template("web/unsubscribe.html", token=token, spec=spec, sub=subscription, done=False)
    ctx = app_ctx()
    saved = ctx.store.save_subscription(
        spec.id, subscription.email, ctx.now(), "avmeldingslenke", state="unsubscribed", origin="web"
    )
    return render_template("web/unsubscribe.html", token=token, spec=spec, sub=saved, done=True)
