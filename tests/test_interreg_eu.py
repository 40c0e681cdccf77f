"""interreg.eu's call search (Algolia) collected through the local replay server: fields, paging, a refused key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.store import Store
from tests.support.aggregators import ALGOLIA_PATH, TEST_KEY, AlgoliaReplay, serve_interreg_eu, write_aggregator_sources
from tests.support.replay_server import ReplayServer
from tests.support.roots import SEARCH_PATH, write_root

NOW = "2026-08-20"


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        yield replay


def make_root(tmp_path: Path, server: ReplayServer, key: str = TEST_KEY) -> Path:
    root = write_root(tmp_path / "root", server.url + SEARCH_PATH)
    write_aggregator_sources(root, server.url, key)
    return root


def collect(root: Path) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["--root", str(root), "--now", NOW, "collect", "interreg-eu", "--json"])
    (run,) = json.loads(result.stdout)
    return result.exit_code, run


def test_the_recorded_answer_gives_every_call_with_dates_themes_and_who_may_take_part(tmp_path, server):
    serve_interreg_eu(server)
    code, run = collect(make_root(tmp_path, server))
    assert code == 0, run
    assert run["status"] == "ok" and sorted(run["new"]) == ["3090", "3091", "3129"]

    store = Store(tmp_path / "root" / "var" / "eumonitor.db")
    call = store.get_call("interreg-eu", "3129")
    assert call.title == "3rd Interreg Sudoe call: on the road to capitalisation"
    assert (
        call.url == "https://www.interreg.eu/calls-for-projects/3rd-interreg-sudoe-call-on-the-road-to-capitalisation/"
    )
    assert call.programme == "Interreg South West Europe (SUDOE)"
    assert call.status == "open"
    assert call.opening_date == date(2026, 5, 4)
    assert call.deadlines == (date(2026, 9, 30),)
    assert call.keywords == ("Better Governance",)
    assert call.eligible_countries == ("Andorra", "Spain", "France", "Portugal")
    assert "Local public authority" in call.applicant_types and "Sectoral agency" in call.applicant_types
    assert len(call.applicant_types) == 13
    assert call.extra["eligible_country_codes"] == ["AD", "ES", "FR", "PT"]
    assert "Comunidad de Madrid" in call.extra["eligible_regions"] and "Algarve" in call.extra["eligible_regions"]
    assert call.extra["links"] == [
        {"label": "Programmets side om utlysningen", "url": "https://interreg-sudoe.eu/3a-convocatoria/"}
    ]
    # SUDOE is open to Andorra, Spain, France and Portugal: Norway cannot take part, municipalities may apply.
    assert call.norway_eligible is False and call.municipalities_eligible is True

    other = store.get_call("interreg-eu", "3090")
    assert other.deadlines == (date(2026, 10, 30),)
    assert other.keywords == ("Greener Europe", "Social Europe")
    assert "SME" in other.applicant_types


def test_the_request_asks_for_open_and_forthcoming_calls_with_the_key_as_headers(tmp_path, server):
    serve_interreg_eu(server)
    collect(make_root(tmp_path, server))
    (request,) = server.received(ALGOLIA_PATH)
    assert request.method == "GET"
    assert request.query["filters"] == "contentType:callForProjectsPage AND (callStatus:Open OR callStatus:Forthcoming)"
    assert request.query["page"] == "0" and request.query["hitsPerPage"] == "500"
    assert request.headers["x-algolia-application-id"] == "2E032DRCNS"
    assert request.headers["x-algolia-api-key"] == TEST_KEY
    assert TEST_KEY not in request.raw_query  # the key stays out of URLs (and logs)


def test_every_page_of_the_answer_is_read(tmp_path, server):
    serve_interreg_eu(server, AlgoliaReplay(per_page=2))  # pages built by hand from the three recorded hits
    code, run = collect(make_root(tmp_path, server))
    assert code == 0 and sorted(run["new"]) == ["3090", "3091", "3129"]
    assert [r.query["page"] for r in server.received(ALGOLIA_PATH)] == ["0", "1"]
    assert run["counts"]["pages"] == 2


def test_a_refused_key_is_an_error_run_that_says_where_to_find_the_current_key(tmp_path, server):
    serve_interreg_eu(server, AlgoliaReplay(key="the-rotated-key"))
    code, run = collect(make_root(tmp_path, server))
    assert code == 1 and run["status"] == "error"
    assert "avviste søkenøkkelen" in run["error"]
    assert "x-algolia-api-key" in run["error"] and "sources/interreg-eu.toml" in run["error"]
    assert "HTTP 403" in run["error"]  # the client's own words stay, for whoever debugs it


def test_a_missing_key_says_the_same_without_asking(tmp_path, server):
    serve_interreg_eu(server)
    code, run = collect(make_root(tmp_path, server, key=""))
    assert code == 1 and run["status"] == "error"
    assert run["error"].startswith("Mangler api_key") and "x-algolia-api-key" in run["error"]
    assert server.received(ALGOLIA_PATH) == []
