"""End to end: `eumonitor collect` of interreg.eu and Euro-Access beside the EU portal, all replayed on 127.0.0.1;
then eligibility in the archive, the search filters, `show`, `search --json` and the web app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.store import Store
from eumonitor.web import create_app
from tests.support.aggregators import (
    AlgoliaReplay,
    interreg_answer,
    serve_euro_access,
    serve_interreg_eu,
    write_aggregator_sources,
)
from tests.support.replay_server import ReplayServer
from tests.support.roots import SEARCH_PATH, write_root

NOW = "2026-06-17"  # the EU portal's recorded scan
PORTAL = "eu-funding-tenders"
ECHE = "ERASMUS-EDU-2022-ECHE-CERT-FP"  # on the portal, and Euro-Access's call 135 names it as its call number


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), "--now", NOW, *args])


@pytest.fixture
def collected(portal, tmp_path: Path) -> Path:
    server, _ = portal
    root = write_root(tmp_path / "root", server.url + SEARCH_PATH)
    write_aggregator_sources(root, server.url)
    serve_interreg_eu(server)
    serve_euro_access(server)
    result = cli(root, "collect", "--json")
    assert result.exit_code == 0, result.output
    runs = {r["source"]: r for r in json.loads(result.stdout)}
    assert {s: r["status"] for s, r in runs.items()} == {
        "eu-funding-tenders": "ok",
        "interreg-eu": "ok",
        "euro-access": "ok",
    }
    return root


def test_the_archive_holds_all_three_sources_with_eligibility(collected: Path) -> None:
    store = Store(collected / "var" / "eumonitor.db")
    counts = store.source_counts()
    assert counts["interreg-eu"]["calls"] == 3 and counts["euro-access"]["calls"] == 142
    assert counts[PORTAL]["calls"] > 500

    sudoe = store.get_call("interreg-eu", "3129")
    assert sudoe.eligible_countries == ("Andorra", "Spain", "France", "Portugal")
    assert sudoe.norway_eligible is False and sudoe.municipalities_eligible is True
    eche = store.get_call("euro-access", "135")
    assert "Norway (Norge)" in eche.eligible_countries and eche.norway_eligible is True
    assert eche.applicant_types == ("Education and training institution", "Research Institution incl. University")
    portal_call = store.get_call(PORTAL, ECHE)
    assert portal_call.eligible_countries == () and portal_call.norway_eligible is None  # the portal does not say


def test_the_same_call_on_euro_access_and_the_eu_portal_is_linked_with_the_portal_first(collected: Path) -> None:
    store = Store(collected / "var" / "eumonitor.db")
    group = store.linked_calls("euro-access", "135")
    assert [(s, i) for s, i, _ in group] == [(PORTAL, ECHE), ("euro-access", "135")]
    assert store.primary_of("euro-access", "135") == (PORTAL, ECHE)


def test_search_filters_on_who_may_apply(collected: Path) -> None:
    def ids(*args: str) -> set[tuple[str, str]]:
        result = cli(collected, "search", *args, "--limit", "1000", "--json")
        assert result.exit_code == 0, result.output
        return {(r["source"], r["id"]) for r in json.loads(result.stdout)}

    municipal = ids("--municipalities")
    assert {("interreg-eu", "3129"), ("interreg-eu", "3090"), ("interreg-eu", "3091")} <= municipal
    assert all(source == "interreg-eu" for source, _ in municipal)  # nothing else says so in these recordings
    # Euro-Access's call 135 is the only one whose source names Norway; portal calls, whose source lists no
    # countries, count when their programme is one Norway takes part in (participation.toml's "ja").
    norway = ids("--norway")
    assert not any(source == "interreg-eu" for source, _ in norway)  # their own lists leave Norway out
    shown = json.loads(cli(collected, "search", "--norway", "--limit", "1000", "--json").stdout)
    # Call 135 is there, shown once with its portal copy (linked duplicates are one result).
    copies = {(link["source"], link["id"]) for r in shown for link in r.get("links", [])} | norway
    assert ("euro-access", "135") in copies
    programmes = {r["programme"] for r in shown if r["source"] == "eu-funding-tenders"}
    assert "Horizon Europe" in programmes and not programmes & {"Connecting Europe Facility", "LIFE"}
    assert ids("--norway", "--municipalities") == set()

    printed = cli(collected, "search", "Sudoe", "--municipalities").output
    assert "3 treff" in printed and "Interreg South West Europe (SUDOE)" in printed and "kommuner kan søke" in printed
    rows = json.loads(cli(collected, "search", "Sudoe", "--json").stdout)
    assert rows and all(r["norway_eligible"] is False and r["municipalities_eligible"] is True for r in rows)


def test_show_prints_and_returns_the_eligibility(collected: Path) -> None:
    shown = cli(collected, "show", "135", "--source", "euro-access")
    assert shown.exit_code == 0, shown.output
    assert "Norge kan delta: ja · Kommuner kan søke: nei" in shown.output
    assert "Norway (Norge)" in shown.output and "Research Institution incl. University" in shown.output
    data = json.loads(cli(collected, "show", "3129", "--json").stdout)
    assert data["eligible_countries"] == ["Andorra", "Spain", "France", "Portugal"]
    assert "Local public authority" in data["applicant_types"]
    assert data["norway_eligible"] is False and data["municipalities_eligible"] is True
    portal = cli(collected, "show", ECHE)
    assert "Norge kan delta: ukjent (kilden oppgir ikke)" in portal.output


def test_the_web_app_filters_and_shows_who_may_apply(collected: Path) -> None:
    ctx = AppContext(config=load_config(collected), fixed_now=NOW)
    try:
        client = create_app(ctx).test_client()
        page = client.get("/call/interreg-eu/3129").get_data(as_text=True)
        assert (
            "Hvem kan søke" in page and "Local public authority" in page and "Andorra, Spain, France, Portugal" in page
        )
        assert "<dt>Norge kan delta</dt><dd>Nei</dd>" in page and "<dt>Kommuner kan søke</dt><dd>Ja</dd>" in page
        found = client.get("/?municipalities=1").get_data(as_text=True)
        assert "3 utlysninger" in found and "3rd Interreg Sudoe call" in found
        assert 'name="municipalities" value="1" checked' in found and "Kommuner kan søke" in found
        none = client.get("/?norway=1&municipalities=1").get_data(as_text=True)
        assert "Ingen utlysninger passet søket" in none
    finally:
        ctx.close()


def test_an_interreg_call_on_interreg_eu_and_euro_access_is_linked(tmp_path: Path) -> None:
    # BUILT BY HAND: a recorded SUDOE hit given the programme, title and deadline of Euro-Access's recorded row
    # 2193 ("Interreg Baltic Sea Region - Project Platforms 2025", 20.11.2025), as interreg.eu would list it.
    hit = dict(interreg_answer()["results"][0]["hits"][0])
    hit.update(
        pageId=9001,
        title="Call for project platforms",
        associatedProgrammes=["Interreg Baltic Sea Region"],
        callDeadlineDate="2025-11-20T00:00:00Z",
        callEligibleCountryNames=["Denmark", "Estonia", "Finland", "Germany", "Latvia", "Lithuania", "Norway"],
    )
    with ReplayServer() as server:
        root = write_root(tmp_path / "root", server.url + SEARCH_PATH)
        write_aggregator_sources(root, server.url)
        serve_interreg_eu(server, AlgoliaReplay(hits=[hit]))
        serve_euro_access(server)
        result = CliRunner().invoke(
            main, ["--root", str(root), "--now", "2025-10-04", "collect", "interreg-eu", "euro-access", "--json"]
        )
    assert result.exit_code == 0, result.output
    store = Store(root / "var" / "eumonitor.db")
    # interreg.eu's copy stands first: Euro-Access is tagged secondary.
    assert [(s, i) for s, i, _ in store.linked_calls("euro-access", "2193")] == [
        ("interreg-eu", "9001"),
        ("euro-access", "2193"),
    ]
    assert store.get_call("interreg-eu", "9001").norway_eligible is True
