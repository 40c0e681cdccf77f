"""The web app through Flask's test client: search, call page, feeds, profile editing and its security."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from icalendar import Calendar

from eumonitor.cli import main
from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.model import RawCall
from eumonitor.sources.normalize import normalize
from eumonitor.web import create_app
from eumonitor.web.auth import hash_password
from tests.support.web import REPO, TODAY_NOW, build_archive, make_root

EDITOR = "anna@bergen.kommune.no"
PASSWORD = "riktig-passord-123"
PROFILE = "hav"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("web")
    web = f'cookie_secure = false\n\n[[web.editors]]\nemail = "{EDITOR}"\npassword_hash = "{hash_password(PASSWORD)}"\n'
    root = make_root(tmp, web)
    (root / "digests").mkdir()
    shutil.copy(REPO / "digests" / "network.toml", root / "digests")
    ctx = build_archive(root)
    add_hostile_call(ctx)
    ctx.close()
    return root


def add_hostile_call(ctx: AppContext) -> None:
    raw = RawCall(
        source="eu-funding-tenders",
        external_id="EVIL-2026-01",
        title="<script>alert('tittel')</script> Urban harbours",
        url="https://example.org/evil",
        description_html=(
            '<p onclick="alert(\'klikk\')" style="color:red">Harbour <b>text</b>'
            "<script>alert('beskrivelse')</script><a href=\"javascript:alert(1)\">lenke</a></p>"
        ),
        status="open",
        deadlines=(date(2026, 9, 1),),
    )
    with ctx.store.transaction():
        ctx.store.upsert_calls("eu-funding-tenders", [normalize(raw, TODAY_NOW)], TODAY_NOW, None, complete=False)


@pytest.fixture()
def app_ctx(root: Path):
    ctx = AppContext(config=load_config(root), fixed_now=TODAY_NOW)
    yield ctx
    ctx.close()


@pytest.fixture()
def client(app_ctx: AppContext):
    return create_app(app_ctx).test_client()


def text_of(response) -> str:
    return response.get_data(as_text=True)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client) -> None:
    token = csrf_of(text_of(client.get("/login")))
    response = client.post("/login", data={"email": EDITOR, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def profile_form(client, **changes: str) -> dict[str, str]:
    """The profile page's form as the browser would send it, with some fields changed."""
    html = text_of(client.get(f"/profiles/{PROFILE}"))
    form = {m[0]: m[1] for m in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)}
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        form[name] = value.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")
    form.update(changes)
    return form


# ---------------------------------------------------------------- search


def test_search_finds_a_known_topic_with_its_facts(client) -> None:
    html = text_of(client.get("/?q=hydrogen+cities"))
    assert "Hydrogen cities" in html
    assert "HORIZON-MISS-2027-04-CIT-02" in html
    assert "Neste frist:" in html and "dager igjen" in html


def test_filters_narrow_the_results_and_stay_in_the_url(client) -> None:
    def count(url: str) -> int:
        return int(re.search(r"(\d+) utlysninger", text_of(client.get(url))).group(1))

    everything = count("/?q=climate")
    forthcoming = count("/?q=climate&status=forthcoming")
    assert 0 < forthcoming < everything
    html = text_of(client.get("/?q=climate"))
    assert 'href="/?q=climate&amp;page=2"' in html


def test_a_bad_date_filter_is_named_not_a_crash(client) -> None:
    response = client.get("/?q=climate&from=31.12.2026")
    assert response.status_code == 200
    assert "er ikke en dato" in text_of(response)


def test_results_carry_theme_badges_with_scores(client) -> None:
    html = text_of(client.get("/?q=hydrogen+cities"))
    assert re.search(r'class="badge theme">[^<]+<span class="score">\d,\d\d', html)


# ---------------------------------------------------------------- call page


def test_call_page_shows_everything_and_a_valid_calendar_file(client) -> None:
    html = text_of(client.get("/call/eu-funding-tenders/HORIZON-MISS-2027-04-CIT-02"))
    for expected in ("Hydrogen cities", "Alle frister", "Budsjett", "Historikk", "Åpne hos kilden", "Temaer"):
        assert expected in html
    themes = html.split("<h2>Temaer</h2>", 1)[1].split("</table>", 1)[0]
    assert themes.count("<tr>") - 1 == 9  # every theme has a verdict, not only the stored matches
    response = client.get("/ics/call/eu-funding-tenders/HORIZON-MISS-2027-04-CIT-02")
    assert response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert events and all(str(e["SUMMARY"]).startswith("Frist: Hydrogen cities") for e in events)


def test_unknown_call_gives_a_norwegian_404_page(client) -> None:
    response = client.get("/call/eu-funding-tenders/FINNES-IKKE-1")
    assert response.status_code == 404
    assert "Fant ikke siden" in text_of(response)
    assert client.get("/ingen/slik/side").status_code == 404


def test_script_in_title_and_description_is_shown_as_text(client) -> None:
    html = text_of(client.get("/call/eu-funding-tenders/EVIL-2026-01"))
    assert "&lt;script&gt;alert(&#39;tittel&#39;)&lt;/script&gt; Urban harbours" in html
    assert "<script>alert" not in html
    assert "onclick" not in html and "javascript:" not in html and "color:red" not in html
    assert "Harbour <b>text</b>" in html
    search = text_of(client.get("/?q=urban+harbours"))
    assert "&lt;script&gt;" in search and "<script>alert" not in search


def test_pages_forbid_inline_scripts(client) -> None:
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


# ---------------------------------------------------------------- feeds and status pages


def test_theme_atom_feed_parses_and_links_call_pages(client) -> None:
    feed = feedparser.parse(client.get(f"/feeds/{PROFILE}.atom").data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title.startswith("EU-utlysninger:")
    assert feed.entries and all("/call/" in e.link for e in feed.entries)


def test_theme_deadline_calendar_is_valid(client) -> None:
    cal = Calendar.from_ical(client.get(f"/feeds/{PROFILE}.ics").data)
    assert cal.walk("VEVENT")
    assert client.get("/feeds/ukjent-tema.atom").status_code == 404


def test_sources_page_shows_runs(client) -> None:
    html = text_of(client.get("/sources"))
    assert "eu-funding-tenders" in html and "Siste kjøringer" in html and "OK" in html
    # The run at 08:00 in Bergen is stored as 06:00 UTC; the page shows the city's clock.
    assert "24. juni 2026 kl. 08:00" in html and "kl. 06:00" not in html
    assert "Tidspunktene er i byens tidssone (Europe/Oslo)" in html


def test_call_history_is_dated_in_norwegian_on_the_citys_calendar(client) -> None:
    html = text_of(client.get("/call/eu-funding-tenders/HORIZON-MISS-2026-03-OCEAN-01"))
    history = html.split('class="history"', 1)[1].split("</ul>", 1)[0]
    assert re.search(
        r'<time datetime="2026-06-\d\dT[^"]+" title="\d+\. juni 2026 kl\. \d\d:\d\d \(Europe/Oslo\)">'
        r"\d+\. juni 2026</time>",
        history,
    ), history
    assert "Først sett 17. juni 2026, sist sett 24. juni 2026" in html  # collected 08:00 Oslo, 06:00 UTC


def test_profiles_list_shows_owner_and_match_counts(client) -> None:
    html = text_of(client.get("/profiles"))
    assert "Klima, miljø og energi" in html and "klima-miljo@bergen.kommune.no" in html


# ---------------------------------------------------------------- editing and security


def profile_file(root: Path) -> Path:
    return root / "profiles" / f"{PROFILE}.toml"


def test_edit_without_login_is_refused_and_the_file_is_unchanged(client, root: Path) -> None:
    before = profile_file(root).read_bytes()
    response = client.post(f"/profiles/{PROFILE}", data=profile_form(client, min_score="0.9"))
    assert response.status_code == 403
    assert profile_file(root).read_bytes() == before


def test_edit_without_csrf_token_is_refused_and_the_file_is_unchanged(client, root: Path) -> None:
    login(client)
    before = profile_file(root).read_bytes()
    form = profile_form(client, min_score="0.9")
    form.pop("csrf_token")
    response = client.post(f"/profiles/{PROFILE}", data=form)
    assert response.status_code == 400
    assert profile_file(root).read_bytes() == before


def test_invalid_value_is_refused_with_the_message_next_to_the_field(client, root: Path) -> None:
    login(client)
    before = profile_file(root).read_bytes()
    response = client.post(f"/profiles/{PROFILE}", data=profile_form(client, min_score="7"))
    assert response.status_code == 422
    html = text_of(response)
    assert re.search(r'id="min_score"[^>]*aria-invalid="true"', html)
    assert 'id="min_score-error">skal være mellom 0 og 1' in html
    assert profile_file(root).read_bytes() == before


def test_save_writes_keeps_comments_logs_and_rescores(client, app_ctx: AppContext, root: Path) -> None:
    login(client)
    path = profile_file(root)
    original = path.read_text(encoding="utf-8")
    before = [c.external_id for c, _ in app_ctx.store.profile_matches(PROFILE, today=app_ctx.today(), limit=5)]
    try:
        changes = {"keywords-0-terms": "hydrogen cities, hydrogen valleys", "keywords-0-weight": "5"}
        form = profile_form(client, **changes)
        response = client.post(f"/profiles/{PROFILE}", data=form, follow_redirects=True)
        assert response.status_code == 200
        assert "Profilen er lagret" in text_of(response)
        saved = path.read_text(encoding="utf-8")
        assert '"hydrogen cities", "hydrogen valleys"' in saved
        assert [line for line in original.splitlines() if line.startswith("#")] == [
            line for line in saved.splitlines() if line.startswith("#")
        ]
        after = [c.external_id for c, _ in app_ctx.store.profile_matches(PROFILE, today=app_ctx.today(), limit=5)]
        assert after != before and "HORIZON-MISS-2027-04-CIT-02" in after
        assert app_ctx.store.profile_saves(PROFILE)[0]["who"] == EDITOR
    finally:
        path.write_text(original, encoding="utf-8")


def test_preview_marks_calls_entering_the_top_list(client) -> None:
    form = profile_form(client, **{"keywords-0-terms": "hydrogen cities", "keywords-0-weight": "5"})
    html = text_of(client.post(f"/profiles/{PROFILE}/preview", data=form))
    assert "Ny på lista" in html and "Hydrogen cities" in html


def test_path_tricks_cannot_reach_files_outside_profiles(client, root: Path) -> None:
    login(client)
    token = csrf_of(text_of(client.get("/")))
    for bad in ("..%2Fconfig", "%2e%2e", "..", "HAV"):
        assert client.post(f"/profiles/{bad}", data={"csrf_token": token, "min_score": "0.5"}).status_code in (
            403,
            404,
            405,
        )
    assert (root / "config.toml").read_text(encoding="utf-8").startswith("[archive]")


def test_login_attempts_are_throttled(app_ctx: AppContext) -> None:
    client = create_app(app_ctx).test_client()
    token = csrf_of(text_of(client.get("/login")))
    email = "throttle@bergen.kommune.no"
    codes = [
        client.post("/login", data={"email": email, "password": "feil", "csrf_token": token}).status_code
        for _ in range(6)
    ]
    assert codes[:5] == [401] * 5 and codes[5] == 429


def test_session_cookie_is_secure_httponly_and_samesite(tmp_path: Path) -> None:
    root = make_root(tmp_path, profiles=False)
    ctx = AppContext(config=load_config(root), fixed_now=TODAY_NOW)
    client = create_app(ctx).test_client()
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    ctx.close()


def test_closed_reading_sends_visitors_to_login(tmp_path: Path) -> None:
    root = make_root(tmp_path, "open_read = false\ncookie_secure = false", profiles=False)
    ctx = AppContext(config=load_config(root), fixed_now=TODAY_NOW)
    response = create_app(ctx).test_client().get("/?q=x")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    body = response.get_data(as_text=True)
    assert "Du blir sendt videre til" in body and "Redirecting" not in body
    ctx.close()


def test_user_add_stores_a_hash_in_the_archive_that_logs_in(tmp_path: Path) -> None:
    root = make_root(tmp_path, "cookie_secure = false", profiles=False)
    result = CliRunner().invoke(main, ["--root", str(root), "user", "add", EDITOR, "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "La til bruker anna@bergen.kommune.no med rollen redaktør" in result.output
    assert EDITOR not in (root / "config.toml").read_text(encoding="utf-8")  # the archive holds users now
    ctx = AppContext(config=load_config(root), fixed_now=TODAY_NOW)
    client = create_app(ctx).test_client()
    token = csrf_of(text_of(client.get("/login")))
    response = client.post("/login", data={"email": EDITOR, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert PASSWORD not in ctx.store.get_user(EDITOR).password_hash
    ctx.close()


def test_digests_page_previews_this_weeks_digest_without_sending(client, app_ctx: AppContext) -> None:
    # It names every subscriber: readers who are not logged in are sent to the login page.
    assert client.get("/digests").status_code == 302
    assert client.get("/digests/network/preview.html").status_code == 302
    client.environ_base["REMOTE_ADDR"] = "127.0.0.5"  # not the address the throttling test locked out
    login(client)
    page = text_of(client.get("/digests"))
    assert "/digests/network/preview.html" in page and "Denne ukens utsendelse (2026-W" in page
    mail = client.get("/digests/network/preview.html")
    assert mail.status_code == 200
    html = text_of(mail)
    assert "Nye utlysninger" in html and "HORIZON-" in html  # week 26 brought new calls
    assert "<script" not in html
    policy = mail.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "script-src" not in policy and "frame-ancestors 'self'" in policy
    text = text_of(client.get("/digests/network/preview.txt"))
    assert text.startswith("Emne: EU-utlysninger for Bergen kommune, uke 26:")
    assert app_ctx.store.recent_deliveries(limit=5) == []  # a preview sends and records nothing
    assert client.get("/digests/nosuch/preview.html").status_code == 404


@pytest.mark.parametrize("target", ["/\t/evil.example/", "//evil.example", "/\\evil.example", "https://evil.example/",
                                    "/\n/evil.example", "javascript:alert(1)"])  # fmt: skip
def test_login_never_sends_anyone_to_another_site(app_ctx: AppContext, target: str) -> None:
    from eumonitor.web.common import safe_next

    with create_app(app_ctx).test_request_context():
        assert safe_next(target) == "/"
        here = "/call/eu-funding-tenders/HORIZON-MISS-2026-03-OCEAN-01"
        assert safe_next(here) == here


def test_the_digests_see_them_all_link_filters_on_first_seen(client) -> None:
    everything = text_of(client.get("/?theme=hav"))
    assert "Ingen utlysninger passet søket" not in everything
    assert "Ingen utlysninger passet søket" in text_of(client.get("/?theme=hav&since=2099-01-01"))
    assert "er ikke en dato" in text_of(client.get("/?since=i-går"))
