"""The "Oppfølging" overview through Flask's test client: rows, filters, sorting, the CSV and .xlsx exports of the
same rows (opened with csv and openpyxl), and the personal iCalendar feed of followed deadlines."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from icalendar import Calendar

from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.web import create_app
from tests.support.cases import (
    CLIMA,
    COLLEAGUE,
    CULTURE,
    EDITOR,
    NOW,
    OCEAN,
    READER,
    cases_json,
    cli,
    logged_in,
    make_root,
    populate,
    raw,
    store_calls,
)
from tests.support.smtp_server import SmtpSink

HOSTILE = "EVIL-2026-01"


@pytest.fixture()
def root(tmp_path: Path) -> Iterator[Path]:
    with SmtpSink() as sink:
        root = make_root(tmp_path, sink)
        populate(root)
        yield root


@pytest.fixture()
def ctx(root: Path) -> Iterator[AppContext]:
    ctx = AppContext(config=load_config(root), fixed_now=NOW)
    yield ctx
    ctx.close()


def work(root: Path, ctx: AppContext) -> None:
    store_calls(ctx, [raw(HOSTILE, '=HYPERLINK("http://evil.example","klikk")', date(2026, 8, 1))])
    for args in (
        ("follow", OCEAN, "--as", READER),
        ("assign", OCEAN, COLLEAGUE, "--as", EDITOR),
        ("status", OCEAN, "sendt", "--amount", "250000", "--as", EDITOR),
        ("status", CLIMA, "aktuell", "--as", EDITOR),
        ("follow", CULTURE, "--as", EDITOR),
        ("follow", HOSTILE, "--as", READER),
    ):
        assert cli(root, *args).exit_code == 0, args


def test_the_overview_needs_a_login_and_has_an_empty_state(ctx: AppContext) -> None:
    assert create_app(ctx).test_client().get("/oppfolging").status_code == 302
    html = logged_in(ctx, READER).get("/oppfolging").get_data(as_text=True)
    assert "Ingen utlysninger følges eller har en sak ennå." in html and ">Oppfølging</a>" in html


def test_rows_filters_and_sorting_agree_with_cases_json(root: Path, ctx: AppContext) -> None:
    work(root, ctx)
    client = logged_in(ctx, READER)
    html = client.get("/oppfolging").get_data(as_text=True)
    ids = re.findall(r'<small class="ident">([^<]+)</small>', html)
    assert ids == [r["id"] for r in cases_json(root)] == [CULTURE, HOSTILE, OCEAN, CLIMA]  # nearest deadline first
    assert "4 av 4 utlysninger" in html and "6 dager igjen" in html and "Sendt" in html
    sent = client.get("/oppfolging?status=sendt").get_data(as_text=True)
    assert re.findall(r'<small class="ident">([^<]+)</small>', sent) == [OCEAN]
    mine = client.get("/oppfolging?mine=1").get_data(as_text=True)
    assert re.findall(r'<small class="ident">([^<]+)</small>', mine) == [HOSTILE, OCEAN]
    by_owner = client.get(f"/oppfolging?ansvarlig={COLLEAGUE}").get_data(as_text=True)
    assert re.findall(r'<small class="ident">([^<]+)</small>', by_owner) == [OCEAN]
    by_status = client.get("/oppfolging?sort=status").get_data(as_text=True)
    assert re.findall(r'<small class="ident">([^<]+)</small>', by_status)[-2:] == [CLIMA, OCEAN]
    none = client.get("/oppfolging?status=innvilget").get_data(as_text=True)
    assert "Ingen utlysninger passer filtrene." in none


def test_csv_and_xlsx_hold_the_same_rows_and_no_formulas(root: Path, ctx: AppContext) -> None:
    work(root, ctx)
    client = logged_in(ctx, EDITOR)
    response = client.get("/oppfolging.csv?status=sendt")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [(r["Utlysning"], r["Status"], r["Ansvarlig"], r["Søkt (EUR)"], r["Neste frist"]) for r in rows] == [
        (OCEAN, "sendt", COLLEAGUE, "250000", "2026-09-01")
    ]
    assert rows[0]["Lenke"] == f"http://127.0.0.1:8080/call/eu-funding-tenders/{OCEAN}"
    everything = list(
        csv.DictReader(io.StringIO(client.get("/oppfolging.csv").get_data().decode("utf-8-sig")), delimiter=";")
    )
    hostile = next(r for r in everything if r["Utlysning"] == HOSTILE)
    assert hostile["Tittel"].startswith("'=HYPERLINK")  # a spreadsheet shows it as text
    book = openpyxl.load_workbook(io.BytesIO(client.get("/oppfolging.xlsx").get_data()))
    sheet = book.active
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert table[0][:6] == ["Utlysning", "Tittel", "Program", "Temaer", "Status", "Ansvarlig"]
    assert [r[0] for r in table[1:]] == [r["Utlysning"] for r in everything]
    ocean = next(r for r in table[1:] if r[0] == OCEAN)
    assert ocean[4] == "sendt" and ocean[9] == 250000 and ocean[7].date() == date(2026, 9, 1)
    evil = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == HOSTILE)
    assert evil[1].data_type == "s"


def test_the_personal_calendar_lists_followed_deadlines_only(root: Path, ctx: AppContext) -> None:
    work(root, ctx)
    html = logged_in(ctx, READER).get("/oppfolging").get_data(as_text=True)
    link = re.search(r'href="(/oppfolging/kalender/[^"]+\.ics)"', html).group(1)
    anonymous = create_app(ctx).test_client()  # a calendar app has no session
    response = anonymous.get(link)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = [e for e in Calendar.from_ical(response.get_data()).walk("VEVENT")]
    assert sorted(str(e["summary"]).rsplit("(", 1)[-1].rstrip(")") for e in events) == [HOSTILE, OCEAN]
    payload, signature = link.removeprefix("/oppfolging/kalender/").removesuffix(".ics").split(".")
    forged = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert anonymous.get(f"/oppfolging/kalender/{payload}.{forged}.ics").status_code == 404


def test_the_calendar_link_works_where_reading_needs_a_login(tmp_path: Path) -> None:
    with SmtpSink() as sink:
        root = make_root(tmp_path, sink, follow="open_read = false\n")  # still inside [web]
        populate(root)
    assert cli(root, "follow", OCEAN, "--as", READER).exit_code == 0
    ctx = AppContext(config=load_config(root), fixed_now=NOW)
    html = logged_in(ctx, READER).get("/oppfolging").get_data(as_text=True)
    link = re.search(r'href="(/oppfolging/kalender/[^"]+\.ics)"', html).group(1)
    anonymous = create_app(ctx).test_client()
    assert anonymous.get("/oppfolging").status_code == 302 and anonymous.get("/rapport/2026").status_code == 302
    assert anonymous.get(link).status_code == 200
    ctx.close()
