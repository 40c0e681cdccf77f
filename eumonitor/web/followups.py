"""The "Oppfølging" overview: followed and assigned calls, filtered and sorted, as a page, CSV, .xlsx and iCalendar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for

from eumonitor.digests.subscription_links import sign, unsign
from eumonitor.followup import caselist, rules
from eumonitor.web import exports, ical
from eumonitor.web.calls import absolute_call_url
from eumonitor.web.common import app_ctx, call_url, current_editor, profile_titles, role_required

bp = Blueprint("followups", __name__)
# Separates the calendar links from any other use of the secret key (the "Mine varsler" links, sessions).
ICS_PURPOSE = b"eumonitor oppfolging-ics v1\n"


def chosen_rows(
    everything: list[dict[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The overview's rows (all of them, or `everything` as read already) under the request's filters and sort;
    the page and both exports share them."""
    args = {k: request.args.get(k, "").strip()[:200] for k in ("status", "ansvarlig", "tema", "mine", "sort")}
    rows = caselist.overview_rows(app_ctx(), profile_titles()) if everything is None else everything
    status = args["status"] if args["status"] in (*rules.STATUSES, "") else ""
    mine = (current_editor() or "") if args["mine"] else ""
    rows = caselist.filter_rows(rows, status=status, assignee=args["ansvarlig"], theme=args["tema"], mine=mine)
    rows = caselist.sort_rows(rows, args["sort"] if args["sort"] in caselist.SORTS else "frist")
    for row in rows:
        row["page"] = call_url(row["source"], row["id"])
    return rows, args


@bp.get("/oppfolging")
@role_required("leser")
def overview() -> str:
    ctx = app_ctx()
    everything = caselist.overview_rows(ctx, profile_titles())  # read once: the filtered rows, count, owners
    rows, args = chosen_rows(everything)
    query = {k: v for k, v in args.items() if v}
    who = current_editor() or ""
    return render_template(
        "web/followups.html",
        rows=rows,
        total=len(everything),
        args=args,
        statuses=rules.STATUSES,
        status_labels=rules.STATUS_NB,
        assignees=sorted({r["assignee"] for r in everything if r["assignee"]}),
        themes=profile_titles(),
        sorts=caselist.SORT_NB,
        csv_url=url_for("followups.export_csv", **query),
        xlsx_url=url_for("followups.export_xlsx", **query),
        ics_url=url_for("followups.calendar", token=sign(ctx.secret_key, ICS_PURPOSE, who.encode()), _external=False),
        today=ctx.today(),
        days_text=caselist.days_left_text,
    )


def _with_links(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    base = app_ctx().config.settings.web.base_url.rstrip("/") or request.url_root.rstrip("/")
    return [{**row, "link": base + row["page"]} for row in rows]


@bp.get("/oppfolging.csv")
@role_required("leser")
def export_csv() -> Response:
    return _download(exports.rows_csv, "csv", "text/csv")


@bp.get("/oppfolging.xlsx")
@role_required("leser")
def export_xlsx() -> Response:
    return _download(exports.rows_xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _download(write: Callable[[list[dict[str, Any]]], Any], extension: str, mimetype: str) -> Response:
    """The overview's rows as they are filtered now, as a file named by today's date."""
    rows, _ = chosen_rows()
    name = f"oppfolging-{app_ctx().today().isoformat()}.{extension}"
    return Response(
        write(_with_links(rows)), mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/oppfolging/kalender/<token>.ics")
def calendar(token: str) -> Response:
    """One person's followed deadlines; the signed link is the credential (a calendar app cannot log in)."""
    ctx = app_ctx()
    payload = unsign(ctx.secret_key, ICS_PURPOSE, token)
    user = ctx.store.get_user(payload.decode("utf-8", "replace")) if payload else None
    if user is None:
        abort(404, "Ukjent eller ugyldig kalenderlenke.")
    follows = ctx.store.follows(user.email)
    calls = [c for c in (ctx.store.get_call(f["source"], f["external_id"]) for f in follows) if c]
    body = ical.calendar(f"Mine frister ({user.email})", calls, ctx.today(), ctx.now(), absolute_call_url)
    return Response(body, mimetype="text/calendar")
