"""Euro-Access collected through the local replay server: the listing, detail pages only for new or changed rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.model import Page, Request, SourceSpec
from eumonitor.sources import euro_access
from eumonitor.store import Store
from tests.support.aggregators import (
    EURO_ACCESS_DETAIL,
    EURO_ACCESS_LISTING,
    recorded_detail,
    recorded_listing,
    serve_euro_access,
    write_aggregator_sources,
)
from tests.support.replay_server import ReplayServer
from tests.support.roots import SEARCH_PATH, write_root

NOW = "2025-10-04"
SPEC = SourceSpec(id="euro-access", kind="euro_access", url="https://www.euro-access.eu/en/calls?sent=search")


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        yield replay


def collect(root: Path, now: str = NOW) -> dict:
    result = CliRunner().invoke(main, ["--root", str(root), "--now", now, "collect", "euro-access", "--json"])
    assert result.exit_code == 0, result.output
    (run,) = json.loads(result.stdout)
    return run


def make_root(tmp_path: Path, server: ReplayServer) -> Path:
    root = write_root(tmp_path / "root", server.url + SEARCH_PATH)
    write_aggregator_sources(root, server.url)
    return root


def test_the_listing_gives_every_row_with_programme_deadline_and_a_detail_request():
    request = euro_access.requests(SPEC)[0]
    parsed = euro_access.parse(SPEC, Page(request.url, 200, {}, recorded_listing(), request))
    assert len(parsed.calls) == 142 and not parsed.skipped  # "142 Calls found"
    calls = {c.external_id: c for c in parsed.calls}
    first = calls["135"]
    assert first.title == "Erasmus Charter for Higher Education - 5th cut-off date"
    assert first.programme == "Erasmus+"
    assert first.deadlines == (date(2026, 1, 27),) and first.extra["deadline_time"] == "17:00"
    assert "listing_fingerprint" not in first.extra  # only a record read from the detail page has one
    assert first.url == "https://www.euro-access.eu/en/calls/135/Erasmus-Charter-for-Higher-Education-5th-cut-off-date"
    czpl = calls["1603"]
    assert czpl.programme == "Interreg Czechia-Poland" and czpl.deadlines == (date(2025, 11, 26),)
    assert sum(c.programme == "Horizon Europe: Cluster 5 - Climate, Energy and Mobility" for c in parsed.calls) == 34
    follow = {r.meta["unless_known"][0]: r for r in parsed.follow}
    assert set(follow) == set(calls)
    assert follow["135"].url == first.url and follow["135"].meta["optional"] is True


def test_the_detail_page_gives_call_number_dates_countries_and_applicant_types():
    listing = euro_access.requests(SPEC)[0]
    row = euro_access.parse(SPEC, Page(listing.url, 200, {}, recorded_listing(), listing)).follow[0]
    (call,) = euro_access.parse(SPEC, Page(row.url, 200, {}, recorded_detail(), row)).calls
    assert call.external_id == "135" and call.programme == "Erasmus+"
    assert call.call_identifier == "ERASMUS-EDU-2022-ECHE-CERT-FP"
    assert call.opening_date == date(2022, 2, 23) and call.deadlines == (date(2026, 1, 27),)
    assert "Norway (Norge)" in call.eligible_countries and "EU Member States" in call.eligible_countries
    assert "Bosnia and Herzegovina (Bosna i Hercegovina / Босна и Херцеговина)" in call.eligible_countries
    assert call.applicant_types == ("Education and training institution", "Research Institution incl. University")
    assert call.keywords == ("Education & Training", "Children & Youth", "Media")
    assert "accrediting recognised Higher Education Institutions" in call.description_html
    assert "read more" not in call.description_html
    assert call.extra["listing_fingerprint"] == row.meta["unless_known"][1]
    assert call.quality > (0,)  # wins over the listing's own record of the call


def test_a_collect_reads_detail_pages_once_and_again_only_when_the_row_changes(tmp_path, server):
    serve_euro_access(server)
    root = make_root(tmp_path, server)

    first = collect(root)
    assert first["status"] == "ok" and len(first["new"]) == 142
    assert len(server.received(EURO_ACCESS_DETAIL)) == 1
    # The other 141 detail pages were never recorded (404 here): their listing rows stand, and their pages
    # are asked for again next time.
    assert first["counts"]["skipped"] == 141
    detail_paths = {r.path for r in server.received() if r.path.startswith("/en/calls/")}
    assert len(detail_paths) == 142
    store = Store(root / "var" / "eumonitor.db")
    call = store.get_call("euro-access", "135")
    assert call.norway_eligible is True and call.municipalities_eligible is False
    assert call.call_identifier == "ERASMUS-EDU-2022-ECHE-CERT-FP" and call.opening_date == date(2022, 2, 23)
    assert store.get_call("euro-access", "1603").deadlines == (date(2025, 11, 26),)

    before = len(server.received())
    again = collect(root, "2025-10-05")
    assert len(server.received(EURO_ACCESS_DETAIL)) == 1  # row unchanged: its page was not asked for again
    assert len(server.received()) - before == 1 + 141  # the listing, and the pages that failed last time
    assert "135" not in again["changed"] and again["new"] == []
    kept = store.get_call("euro-access", "135")
    assert kept.eligible_countries == call.eligible_countries and kept.applicant_types == call.applicant_types

    # BUILT BY HAND from the recorded listing: call 135's deadline moved by a day.
    moved = recorded_listing().replace(b"27.01.2026 17:00", b"28.01.2026 17:00", 1)
    server.serve_bytes(EURO_ACCESS_LISTING, moved, "text/html; charset=utf-8")
    third = collect(root, "2025-10-06")
    assert len(server.received(EURO_ACCESS_DETAIL)) == 2  # the changed row's page was read again
    assert third["status"] == "ok"
    assert store.get_call("euro-access", "135").norway_eligible is True

    # Past its deadline, the archive's copy is judged anew without its page being read again.
    server.serve_bytes(EURO_ACCESS_LISTING, moved, "text/html; charset=utf-8")
    later = collect(root, "2026-02-15")
    assert len(server.received(EURO_ACCESS_DETAIL)) == 2
    assert "135" in later["changed"]
    closed = store.get_call("euro-access", "135")
    assert closed.status == "closed" and closed.eligible_countries == call.eligible_countries
    assert [h["kind"] for h in store.call_history("euro-access", "135")][-1] == "status_changed"


def test_a_page_without_the_call_table_is_an_error_that_says_what_was_expected(tmp_path, server):
    server.serve_bytes(EURO_ACCESS_LISTING, b"<html><body><p>Maintenance</p></body></html>", "text/html")
    result = CliRunner().invoke(
        main, ["--root", str(make_root(tmp_path, server)), "--now", NOW, "collect", "euro-access", "--json"]
    )
    (run,) = json.loads(result.stdout)
    assert run["status"] == "error" and "table#calls-overview" in run["error"]


def test_requests_start_at_the_listing():
    assert euro_access.requests(SPEC) == [Request(url=SPEC.url, meta={"page": "listing"})]


def test_without_details_only_the_listing_is_read_and_details_read_later_are_a_recorded_change(tmp_path, server):
    serve_euro_access(server)
    root = make_root(tmp_path, server)
    source = root / "sources" / "euro-access.toml"
    source.write_text(source.read_text(encoding="utf-8") + "[options]\ndetails = false\n", encoding="utf-8")
    first = collect(root)
    assert len(first["new"]) == 142 and server.received(EURO_ACCESS_DETAIL) == []
    store = Store(root / "var" / "eumonitor.db")
    assert store.get_call("euro-access", "135").norway_eligible is None  # the listing does not say

    source.write_text(source.read_text(encoding="utf-8").replace("details = false\n", ""), encoding="utf-8")
    second = collect(root, "2025-10-05")
    assert len(server.received(EURO_ACCESS_DETAIL)) == 1, second
    assert "135" in second["changed"], second["counts"]
    kinds = [h["kind"] for h in store.call_history("euro-access", "135")]
    assert {"countries_changed", "applicants_changed", "opening_changed"} <= set(kinds)
    shown = CliRunner().invoke(
        main, ["--root", str(root), "--now", "2025-10-05", "show", "135", "--source", "euro-access"]
    )
    assert "land som kan delta endret: ingen → EU Member States" in shown.output
    assert "søkertyper endret: ingen → Education and training institution" in shown.output
