"""The yearly report: the pure counting rules, and `eumonitor report` agreeing with /rapport/<year> and its CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.followup.yearly import CaseFacts, build_report, chart_svg
from eumonitor.web import create_app
from tests.support.cases import CLIMA, CULTURE, EDITOR, NOW, OCEAN, cli, make_root, populate
from tests.support.smtp_server import SmtpSink


def facts(id_: str, status: str, sent: date | None, decided: date | None, applied=None, won=None, **kw) -> CaseFacts:
    return CaseFacts(
        id_,
        kw.get("title", id_),
        kw.get("programme", ""),
        kw.get("themes", ()),
        kw.get("partners", ()),
        status,
        sent,
        decided,
        applied,
        won,
    )


def test_an_application_counts_the_year_it_was_sent_and_a_decision_the_year_it_came() -> None:
    cases = [
        facts(
            "A",
            "innvilget",
            date(2026, 3, 1),
            date(2026, 9, 1),
            100,
            80,
            themes=("Hav",),
            partners=("UiB",),
            programme="Horizon Europe",
        ),
        facts("B", "avslatt", date(2026, 5, 1), date(2027, 2, 1), 50, programme="LIFE", partners=("UiB", "HVL")),
        facts("C", "sendt", date(2025, 12, 1), None, 70),
        facts("D", "ikke-aktuell", None, None),
    ]
    year = build_report(2026, cases).as_json()
    assert (year["sent"], year["granted"], year["rejected"], year["success_rate"]) == (2, 1, 0, 1.0)
    # Moved back from "sendt" to fix a slip: no application, though it once had a sent date.
    corrected = build_report(2026, [*cases, facts("E", "soker", date(2026, 4, 1), None, 999)]).as_json()
    assert corrected["sent"] == 2 and corrected["applied_eur"] == 150
    assert (year["applied_eur"], year["won_eur"]) == (150, 80)
    assert [(t["name"], t["sent"]) for t in year["per_theme"]] == [("Hav", 1), ("uten tema", 1)]
    assert [(p["name"], p["sent"], p["granted"]) for p in year["per_partner"]] == [("UiB", 2, 1), ("HVL", 1, 0)]
    assert year["per_month"][2]["sent"] == 1 and year["per_month"][8]["granted"] == 1
    later = build_report(2027, cases).as_json()
    assert (later["sent"], later["rejected"], later["success_rate"]) == (0, 1, 0.0)
    assert build_report(2024, cases).as_json()["success_rate"] is None
    svg = chart_svg(2026, build_report(2026, cases).months)
    assert svg.startswith("<svg") and "mar: 1 sendt" in svg and "<script" not in svg


@pytest.fixture()
def root(tmp_path: Path) -> Iterator[Path]:
    with SmtpSink() as sink:
        root = make_root(tmp_path, sink)
        populate(root)
        steps = [
            ("2026-06-25", "partner", "add", OCEAN, "Universitetet i Bergen", "--role", "koordinator"),
            ("2026-06-25", "status", OCEAN, "sendt", "--amount", "250000"),
            ("2026-06-26", "status", CLIMA, "sendt", "--amount", "100000"),
            ("2026-11-10", "status", OCEAN, "innvilget", "--amount", "200000"),
            ("2027-01-15", "status", CLIMA, "avslatt"),
            ("2026-06-25", "status", CULTURE, "ikke-aktuell", "--reason", "For kort frist"),
        ]
        for now, *args in steps:
            result = cli(root, *args, "--as", EDITOR, now=now)
            assert result.exit_code == 0, result.output
        yield root


def test_cli_json_and_the_web_page_agree(root: Path) -> None:
    result = cli(root, "report", "--year", "2026", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["sent"], data["granted"], data["rejected"]) == (2, 1, 0)
    assert (data["applied_eur"], data["won_eur"], data["success_rate"]) == (350000, 200000, 1.0)
    assert [(p["name"], p["won_eur"]) for p in data["per_partner"]] == [("Universitetet i Bergen", 200000)]
    assert {p["name"] for p in data["per_programme"]} == {"Horizon Europe", "LIFE"}
    ctx = AppContext(config=load_config(root), fixed_now=NOW)
    html = create_app(ctx).test_client().get("/rapport/2026").get_data(as_text=True)
    ctx.close()
    shown = dict(re.findall(r'<dd id="(\w+)">([^<]+)</dd>', html))
    assert shown["sent"] == str(data["sent"]) and shown["decisions"].startswith("1 (1 innvilget, 0 avslått)")
    assert shown["rate"] == "100 %" and shown["applied"] == "350 000 EUR" and shown["won"] == "200 000 EUR"
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "Universitetet i Bergen" in html
    text = cli(root, "report", "--year", "2026").output
    assert "Søknader sendt: 2" in text and "Suksessrate: 100 %" in text and "Tildelt: 200 000 EUR" in text
    following = json.loads(cli(root, "report", "--year", "2027", "--json").stdout)
    assert (following["sent"], following["rejected"], following["success_rate"]) == (0, 1, 0.0)


def test_the_csv_from_the_cli_and_the_web_hold_the_same_tables(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "rapport.csv"
    assert cli(root, "report", "--year", "2026", "--csv", str(out)).exit_code == 0
    from_cli = out.read_bytes()
    ctx = AppContext(config=load_config(root), fixed_now=NOW)
    from_web = create_app(ctx).test_client().get("/rapport/2026.csv").get_data()
    ctx.close()
    assert from_cli == from_web
    rows = list(csv.reader(io.StringIO(from_cli.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Gruppe", "Navn", "Sendt"] and rows[1] == [
        "år",
        "2026",
        "2",
        "1",
        "0",
        "1,000",
        "350000",
        "200000",
    ]
    bad = cli(root, "report", "--year", "2026", "--csv", str(tmp_path / "finnes-ikke" / "r.csv"))
    assert bad.exit_code == 1 and "Kan ikke skrive" in bad.output and "Traceback" not in bad.output


def test_a_year_without_applications_says_so(tmp_path: Path) -> None:
    with SmtpSink() as sink:
        root = make_root(tmp_path, sink)
    assert "Ingen søknader sendt eller avgjort i 2026 ennå." in cli(root, "report", "--year", "2026").output
    ctx = AppContext(config=load_config(root), fixed_now=NOW)
    client = create_app(ctx).test_client()
    assert "Ingen søknader sendt eller avgjort i 2026 ennå." in client.get("/rapport/2026").get_data(as_text=True)
    assert client.get("/rapport").headers["Location"].endswith("/rapport/2026")
    ctx.close()


def test_an_application_sent_again_after_a_step_back_counts_the_year_it_went(root: Path) -> None:
    # CULTURE is reopened and sent in December, moved back to søker, and sent again in January: a 2027 one.
    steps = [
        ("2026-12-01", "status", CULTURE, "aktuell"),
        ("2026-12-10", "status", CULTURE, "sendt"),
        ("2026-12-20", "status", CULTURE, "soker"),
        ("2027-01-05", "status", CULTURE, "sendt"),
    ]
    for now, *args in steps:
        result = cli(root, *args, "--as", EDITOR, now=now)
        assert result.exit_code == 0, result.output
    counted = {
        year: json.loads(cli(root, "report", "--year", str(year), "--json", now="2027-02-01").stdout)["sent"]
        for year in (2026, 2027)
    }
    assert counted == {2026: 2, 2027: 1}
