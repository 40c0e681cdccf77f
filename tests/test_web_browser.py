"""The web app in a real headless Chromium (Debian's package, driven by Playwright) over the recorded scans."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.web import create_app
from eumonitor.web.auth import hash_password
from tests.support.web import TODAY_NOW, build_archive, make_root
from tests.test_web import EDITOR, PASSWORD, PROFILE, add_hostile_call

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)"),
]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    web = f'cookie_secure = false\n\n[[web.editors]]\nemail = "{EDITOR}"\npassword_hash = "{hash_password(PASSWORD)}"\n'
    root = make_root(tmp_path_factory.mktemp("browser"), web)
    ctx = build_archive(root)
    add_hostile_call(ctx)
    ctx.close()
    return root


@pytest.fixture(scope="module")
def base_url(root: Path) -> Iterator[str]:
    """The app served by waitress on 127.0.0.1 in a thread, as `eumonitor serve` does."""
    from waitress.server import create_server

    ctx = AppContext(config=load_config(root), fixed_now=TODAY_NOW)
    server = create_server(create_app(ctx), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)
    ctx.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, base_url: str):
    context = browser.new_context(base_url=base_url, viewport={"width": 1100, "height": 900}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def result_count(page) -> int:
    return int(re.search(r"(\d+) utlysning", page.locator("#results-heading").inner_text()).group(1))


def login(page) -> None:
    page.goto("/login")
    page.get_by_label("E-postadresse").fill(EDITOR)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()


def test_search_for_a_known_topic_and_open_it(page) -> None:
    page.goto("/")
    page.get_by_label("Søkeord").fill("hydrogen cities")
    page.get_by_role("button", name="Søk", exact=True).click()
    page.wait_for_url(re.compile(r"q=hydrogen"))
    shot(page, "search")
    page.get_by_role("link", name="Hydrogen cities").first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hydrogen cities")
    assert page.get_by_text("HORIZON-MISS-2027-04-CIT-02").first.is_visible()
    assert page.get_by_role("link", name=re.compile("Legg fristen i kalenderen")).is_visible()
    shot(page, "call")


def test_filters_narrow_results(page) -> None:
    page.goto("/?q=climate")
    everything = result_count(page)
    page.get_by_label("Status").select_option("forthcoming")
    page.get_by_role("button", name="Bruk filtre").click()
    page.wait_for_url(re.compile(r"status=forthcoming"))
    assert 0 < result_count(page) < everything


def test_phone_width_search_is_usable(browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 380, "height": 800})
    page = context.new_page()
    page.goto("/?q=hydrogen")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380  # nothing forces sideways scrolling
    shot(page, "search-phone")
    context.close()


def test_script_in_a_call_is_shown_as_text(page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto("/call/eu-funding-tenders/EVIL-2026-01")
    assert "<script>alert('tittel')</script>" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator(".description").inner_text().startswith("Harbour text")
    assert dialogs == []


def test_unknown_id_gives_a_404_page(page) -> None:
    response = page.goto("/call/eu-funding-tenders/FINNES-IKKE")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Fant ikke siden"


def test_edit_without_login_is_refused_and_file_unchanged(page, root: Path) -> None:
    path = root / "profiles" / f"{PROFILE}.toml"
    before = path.read_bytes()
    page.goto(f"/profiles/{PROFILE}")
    page.get_by_label("Terskel (0–1)").fill("0.5")
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre profilen").click()
    assert "Ingen tilgang" in page.get_by_role("heading", level=1).inner_text()
    assert path.read_bytes() == before


def test_edit_without_csrf_token_is_refused_and_file_unchanged(page, root: Path) -> None:
    path = root / "profiles" / f"{PROFILE}.toml"
    before = path.read_bytes()
    login(page)
    page.goto(f"/profiles/{PROFILE}")
    page.evaluate("document.querySelector('#profile-form input[name=csrf_token]').remove()")
    page.get_by_label("Terskel (0–1)").fill("0.5")
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre profilen").click()
    assert "Ugyldig forespørsel" in page.get_by_role("heading", level=1).inner_text()
    assert path.read_bytes() == before


def test_invalid_value_is_refused_next_to_the_field(page, root: Path) -> None:
    path = root / "profiles" / f"{PROFILE}.toml"
    before = path.read_bytes()
    login(page)
    page.goto(f"/profiles/{PROFILE}")
    page.get_by_label("Terskel (0–1)").fill("sju")
    page.get_by_role("button", name="Lagre profilen").click()
    page.wait_for_load_state()
    assert "skal være et tall" in page.locator("#min_score-error").inner_text()
    assert page.get_by_label("Terskel (0–1)").get_attribute("aria-invalid") == "true"
    assert path.read_bytes() == before


def test_profile_edit_changes_preview_and_after_saving_the_ranking(page, root: Path) -> None:
    path = root / "profiles" / f"{PROFILE}.toml"
    original = path.read_text(encoding="utf-8")
    login(page)
    page.goto(f"/profiles/{PROFILE}")
    assert "Hydrogen cities" not in page.locator("#preview").inner_text()
    try:
        page.get_by_label("Gruppe 1: ord").fill("hydrogen cities, hydrogen valleys")
        page.get_by_label("Vekt").first.fill("5")
        entering = page.locator("#preview li.enters", has_text="Hydrogen cities")
        entering.wait_for()  # the live preview answered the typing
        shot(page, "profile")
        page.get_by_role("button", name="Lagre profilen").click()
        page.wait_for_load_state()
        assert "Profilen er lagret" in page.get_by_role("status").first.inner_text()
        saved_top = page.locator("#preview ol.preview li").all_inner_texts()
        assert any("Hydrogen cities" in t for t in saved_top[:20])
        assert '"hydrogen cities", "hydrogen valleys"' in path.read_text(encoding="utf-8")
    finally:
        path.write_text(original, encoding="utf-8")
