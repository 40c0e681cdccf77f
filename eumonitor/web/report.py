"""The yearly report, /rapport/<year>: what the city council asks of the plan, with its chart drawn on the server."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, url_for
from markupsafe import Markup

from eumonitor.followup import caselist, yearly
from eumonitor.followup.rules import STATUS_NB
from eumonitor.web.common import app_ctx, profile_titles

bp = Blueprint("report", __name__)


def _report(year: int) -> yearly.Report:
    if not 2000 <= year <= 2100:
        abort(404, f"Ingen rapport for år {year}.")
    return yearly.build_report(year, caselist.report_facts(app_ctx(), profile_titles()))


@bp.get("/rapport")
def this_year() -> Response:
    return redirect(url_for("report.year_page", year=app_ctx().today().year))


@bp.get("/rapport/<int:year>")
def year_page(year: int) -> str:
    built = _report(year)
    groups = [
        ("Per tema", built.themes),
        ("Per program", built.programmes),
        ("Per partner", built.partners),
    ]
    return render_template(
        "web/report.html",
        report=built,
        total=built.total,
        groups=[(label, yearly.ranked(found)) for label, found in groups],
        # Built from numbers and fixed labels only, every text escaped in yearly.chart_svg: safe to inline.
        chart=Markup(yearly.chart_svg(year, built.months)),
        rate_nb=yearly.rate_nb,
        case_status_nb=lambda s: STATUS_NB.get(s, s),
        years=(year - 1, year + 1),
    )


@bp.get("/rapport/<int:year>.csv")
def year_csv(year: int) -> Response:
    built = _report(year)
    return Response(
        ("\ufeff" + yearly.report_csv(built)).encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="rapport-{year}.csv"'},
    )
