"""A call's own page (every field, safe description, deadlines, history, themes) and its .ics file."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, get_flashed_messages, render_template, request, url_for

from eumonitor.matching import incremental as matching
from eumonitor.matching.participation import judge
from eumonitor.model import Call
from eumonitor.nb import CHANGE_NB, FACTOR_NB, change_detail
from eumonitor.web import ical
from eumonitor.web.cases import case_block
from eumonitor.web.common import app_ctx, current_profiles, profile_titles
from eumonitor.web.preview import models
from eumonitor.web.sanitize import safe_html
from eumonitor.web.votes import call_judgements

bp = Blueprint("calls", __name__)


def absolute_call_url(call: Call) -> str:
    """The call page's address as subscribers see it: [web] base_url when set, else this request's host."""
    path = url_for("calls.call_page", source=call.source, external_id=call.external_id)
    base = app_ctx().config.settings.web.base_url.rstrip("/") or request.url_root.rstrip("/")
    return base + path


def _load(source: str, external_id: str) -> Call:
    call = app_ctx().store.get_call(source, external_id)
    if call is None:
        abort(404, f"Arkivet har ingen utlysning {external_id!s} fra kilden {source!s}.")
    return call


def theme_scores(call: Call) -> list[dict[str, Any]]:
    """Every theme's verdict on this call, matches first, with the terms that carried it.

    Only matches and near misses are stored; the matcher scores the other themes from its kept vectors,
    so the page shows every theme, as `eumonitor explain` does.
    """
    ctx = app_ctx()
    # The app's shared model (read once, not per view); before any match run, only stored verdicts show.
    model = models().if_matched(ctx.store)
    verdicts = matching.explain(ctx.store, current_profiles(), model, call.key)
    titles = profile_titles()
    order = {"match": 0, "below": 1, "excluded": 2}
    found = sorted(verdicts, key=lambda m: (order.get(m.state, 3), -m.score))
    return [{"match": m, "title": titles.get(m.profile_id, m.profile_id)} for m in found]


def history_rows(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for change in reversed(history):
        kind = CHANGE_NB.get(change["kind"], change["kind"])
        rows.append({"at": change["at"], "kind": kind, "detail": change_detail(change)})
    return rows


@bp.get("/call/<source>/<path:external_id>")
def call_page(source: str, external_id: str) -> str:
    ctx = app_ctx()
    call = _load(source, external_id)
    record = ctx.store.call_record(source, external_id) or {}
    rules = ctx.config.participation
    return render_template(
        "web/call.html",
        call=call,
        record=record,
        description=safe_html(call.description_html) if call.description_html else None,
        next_deadline=call.next_deadline(ctx.today()),
        history=history_rows(ctx.store.call_history(source, external_id)),
        themes=theme_scores(call),
        extra_links=_links(call),
        # The same call announced on other sources (e.g. interreg.no and the programme's own site).
        linked=[link for link in ctx.store.linked_calls(source, external_id) if link[:2] != (source, external_id)],
        extra_fields=extra_fields(call),
        verdict_nb=verdict_nb,
        today=ctx.today(),
        judged=call_judgements(call.key),
        participation=judge(call, rules) if rules else None,
        factor_nb=FACTOR_NB,
        rules_path=rules.path if rules else "",
        rules_source=rules.source if rules else None,
        messages=get_flashed_messages(with_categories=True),
        followup=case_block(source, external_id),
    )


VERDICT_NB = {True: "Ja", False: "Nei", None: "Ukjent – kilden oppgir det ikke"}


def verdict_nb(value: bool | None) -> str:
    """An eligibility verdict as the call page words it."""
    return VERDICT_NB[value]


def _links(call: Call) -> list[dict[str, str]]:
    """Documents and links the source gave, when it gave them as {label, url}; only http(s)."""
    found = []
    for value in call.extra.values():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and str(item.get("url", "")).startswith(("http://", "https://")):
                    found.append({"label": str(item.get("label") or item["url"]), "url": str(item["url"])})
    return found


EXTRA_NB = {
    "destination": "Destinasjon",
    "types_of_action": "Tiltakstype",
    "cross_cutting_priorities": "Tverrgående prioriteringer",
    "programme_divisions": "Programdel",
    "datasource": "Datakilde",
    "reference": "Referanse",
    "ingested_at": "Registrert hos kilden",
    "language": "Språk",
    "themes": "Programmets temaer",
    "topics": "Emner",
    "eligible_regions": "Regioner som kan delta",
    "eligible_country_codes": "Landkoder (NUTS)",
    "updated": "Oppdatert hos kilden",
    "deadline_time": "Klokkeslett for fristen",
    "mandatory_partnership": "Krav om partnerskap",
}


# Bookkeeping of the collectors, not facts about the call.
# The topic's conditions are shown whole under "Kan vi delta?", not as one more field.
HIDDEN_EXTRA = frozenset({"deadline_model", "listing_fingerprint", "conditions"})


def extra_fields(call: Call) -> list[tuple[str, str]]:
    """The source's own extra fields that are text or lists of text, labelled in Norwegian where known."""
    shown = []
    for key, value in call.extra.items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            text = ", ".join(value)
        elif isinstance(value, str | int | float):
            text = str(value)
        else:
            continue
        if text and key not in HIDDEN_EXTRA:
            shown.append((EXTRA_NB.get(key, key.replace("_", " ").capitalize()), text))
    return shown


@bp.get("/ics/call/<source>/<path:external_id>")
def call_ics(source: str, external_id: str) -> Response:
    ctx = app_ctx()
    call = _load(source, external_id)
    body = ical.calendar(f"Frist: {call.external_id}", [call], ctx.today(), ctx.now(), absolute_call_url)
    filename = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in call.external_id)[:80] or "frist"
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}.ics"'},
    )
