"""The follow-up work in a real headless Chromium against the app under waitress: log in, follow, assign (the mail
reaches a real SMTP server), søker with a note, a partner, sendt, innvilget with an amount; the overview, its CSV and
.xlsx exports, and the yearly report count it."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.web import create_app
from tests.support.cases import ADMIN, COLLEAGUE, EDITOR, NOW, OCEAN, PASSWORD, SOURCE, make_root, populate
from tests.support.smtp_server import SmtpSink
from tests.test_web_browser import ARGS, CHROMIUM, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)"),
]


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, SmtpSink]]:
    from waitress.server import create_server

    with SmtpSink() as sink:
        root = make_root(tmp_path, sink)
        populate(root)
        ctx = AppContext(config=load_config(root), fixed_now=NOW)
        server = create_server(create_app(ctx), host="127.0.0.1", port=0, threads=4)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.effective_port}", sink
        finally:
            server.close()
            thread.join(timeout=5)
            ctx.close()


def log_in(page, email: str, password: str, then: str) -> None:
    """Through the real login form, landing on `then`."""
    page.goto(f"/login?next={then}")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button:has-text('Logg inn')")


def test_a_call_from_follow_to_grant_in_the_browser(served: tuple[str, SmtpSink]) -> None:
    from playwright.sync_api import sync_playwright

    base, sink = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(base_url=base, viewport={"width": 1100, "height": 900}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, EDITOR, PASSWORD, f"/call/{SOURCE}/{OCEAN}")
        page.click("button:has-text('Følg utlysningen')")
        assert "Du følger nå utlysningen" in page.inner_text("#oppfolging")
        page.select_option("#case-assignee", COLLEAGUE)
        page.click("button:has-text('Gi ansvaret')")
        assert f"Ansvarlig: {COLLEAGUE}" in page.inner_text("#oppfolging")
        assert sink.subjects() == [(COLLEAGUE, f"Ansvar for {OCEAN}")]
        page.select_option("#case-status", "soker")
        page.click("button:has-text('Endre status')")
        page.fill("#case-note", "<b>Søknad</b> skrives med UiB")
        page.click("button:has-text('Legg til notat')")
        page.fill("#case-org", "Universitetet i Bergen")
        page.select_option("#case-role", "koordinator")
        page.click("button:has-text('Legg til partner')")
        page.select_option("#case-status", "sendt")
        page.fill("#case-amount", "250000")
        page.click("button:has-text('Endre status')")
        page.select_option("#case-status", "innvilget")
        page.fill("#case-amount", "200000")
        page.click("button:has-text('Endre status')")
        block = page.inner_text("#oppfolging")
        assert "Innvilget" in block and "200 000 EUR" in block and "<b>Søknad</b> skrives med UiB" in block
        assert "Universitetet i Bergen (koordinator)" in block
        shot(page, "followup-call")

        page.click("nav >> text=Oppfølging")
        assert OCEAN in page.inner_text("table.grid") and "Innvilget" in page.inner_text("table.grid")
        with page.expect_download() as csv_download:
            page.click("text=Last ned CSV")
        rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text("utf-8-sig")), delimiter=";"))
        assert [(r["Utlysning"], r["Status"], r["Tildelt (EUR)"]) for r in rows] == [(OCEAN, "innvilget", "200000")]
        with page.expect_download() as xlsx_download:
            page.click("text=Last ned Excel (.xlsx)")
        assert xlsx_download.value.suggested_filename == "oppfolging-2026-06-25.xlsx"
        sheet = openpyxl.load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
        assert [c.value for c in sheet[2]][:1] == [OCEAN] and sheet.max_row == 2
        shot(page, "followup-overview")

        page.goto("/rapport/2026")
        assert page.inner_text("#sent") == "1" and page.inner_text("#won") == "200 000 EUR"
        assert page.locator("svg.chart").count() == 1
        shot(page, "followup-report")
        browser.close()


def test_an_admin_adds_a_colleague_on_a_phone_who_then_sets_their_own_password(served: tuple[str, SmtpSink]) -> None:
    from playwright.sync_api import sync_playwright

    base, _ = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        phone = browser.new_context(base_url=base, viewport={"width": 390, "height": 844})
        page = phone.new_page()
        page.set_default_timeout(15_000)
        log_in(page, ADMIN, PASSWORD, "/brukere")
        page.fill("#new-email", "siri@bergen.kommune.no")
        page.fill("#new-name", "Siri Vik")
        page.select_option("#new-role", "redaktør")
        page.fill("#new-password", "forste-passord-1")
        page.fill("#new-password2", "forste-passord-1")
        page.click("button:has-text('Legg til')")
        assert "La til siri@bergen.kommune.no med rollen redaktør." in page.inner_text("main")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        shot(page, "users-phone")

        own = browser.new_context(base_url=base).new_page()
        own.set_default_timeout(15_000)
        log_in(own, "siri@bergen.kommune.no", "forste-passord-1", "/passord")
        own.fill("#current", "forste-passord-1")
        own.fill("#password", "mitt-eget-passord")
        own.fill("#password2", "mitt-eget-passord")
        own.click("main button:has-text('Bytt passord')")
        assert "Passordet er byttet." in own.inner_text("main")
        browser.close()
