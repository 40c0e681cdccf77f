"""The web app under abuse, through Flask's real app: number parameters, a bounded and rate-limited preview,
atomic per-account login throttling that strangers cannot turn against editors, and logout that ends a session."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest

from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.web import create_app
from eumonitor.web.auth import hash_password
from eumonitor.web.limits import PreviewGuard
from tests.support.web import TODAY_NOW, make_root

EDITOR = "anna@bergen.kommune.no"
PASSWORD = "riktig-passord-123"
OFFICE = "10.1.2.3"  # the city hall's shared address


@pytest.fixture()
def app(tmp_path: Path):
    web = f'cookie_secure = false\n\n[[web.editors]]\nemail = "{EDITOR}"\npassword_hash = "{hash_password(PASSWORD)}"\n'
    ctx = AppContext(config=load_config(make_root(tmp_path, web)), fixed_now=TODAY_NOW)
    yield create_app(ctx)
    ctx.close()


def token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def try_login(client, email: str, password: str, address: str = OFFICE) -> int:
    form = {"email": email, "password": password, "csrf_token": token(client)}
    return client.post("/login", data=form, environ_base={"REMOTE_ADDR": address}).status_code


# ---------------------------------------------------------------- number parameters


@pytest.mark.parametrize("page", ["²", "٣", "-1", "1.5", "x", "9" * 5000, "0", "99999999"])
def test_a_page_number_that_is_no_page_number_shows_page_one_or_the_last_not_a_500(app, page: str) -> None:
    response = app.test_client().get("/", query_string={"page": page, "q": "ocean"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if page not in ("0", "99999999"):
        assert "er ikke et helt tall fra 1 til 500" in html


# ---------------------------------------------------------------- the preview


def preview(client, form: dict[str, str]) -> tuple[int, str]:
    data = {"csrf_token": token(client, "/profiles/hav"), "min_score": "0,2", **form}
    response = client.post("/profiles/hav/preview", data=data)
    return response.status_code, response.get_data(as_text=True)


def test_a_preview_with_ten_thousand_terms_is_not_scored_and_names_the_bound(app) -> None:
    client = app.test_client()
    started = time.monotonic()
    status, html = preview(client, {"keywords-0-terms": ", ".join(f"ord{i}" for i in range(10_000))})
    assert status == 200 and "høyst 60 ord per gruppe (fikk 10000)" in html and "den lagrede profilen" in html
    assert time.monotonic() - started < 5
    groups = {f"keywords-{i}-terms": ", ".join(f"g{i}w{j}" for j in range(50)) for i in range(7)}
    status, html = preview(client, groups)
    assert status == 200 and "høyst 300 søkeord og utelatte ord til sammen (fikk 350)" in html


def test_previews_are_rate_limited_per_address_and_limited_in_number_at_once(app) -> None:
    app.extensions["eumonitor.preview_guard"] = guard = PreviewGuard(per_minute=2, slots=1)
    client = app.test_client()
    assert preview(client, {"keywords-0-terms": "ocean"})[0] == 200
    guard.slots.acquire()  # another preview is being scored right now
    status, html = preview(client, {"keywords-0-terms": "ocean"})
    assert status == 429 and "opptatt" in html
    guard.slots.release()
    status, html = preview(client, {"keywords-0-terms": "ocean"})
    assert status == 429 and "For mange forhåndsvisninger" in html


# ---------------------------------------------------------------- login throttling


def test_forty_parallel_guesses_get_at_most_five_password_checks(app) -> None:
    codes: list[int] = []
    clients = [app.test_client() for _ in range(40)]
    forms = [{"email": EDITOR, "password": f"gjetning-{i}", "csrf_token": token(c)} for i, c in enumerate(clients)]
    start = threading.Barrier(len(clients))

    def guess(client, form) -> None:
        start.wait()
        codes.append(client.post("/login", data=form, environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(clients, forms, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(codes) == 40
    assert codes.count(401) == 5 and codes.count(429) == 35


def test_made_up_addresses_behind_a_shared_address_lock_out_no_editor(app) -> None:
    client = app.test_client()
    codes = [try_login(client, f"ukjent{i}@example.org", "feil-passord") for i in range(25)]
    assert codes[:20] == [401] * 20 and set(codes[20:]) == {429}  # spraying made-up accounts is stopped
    assert try_login(app.test_client(), EDITOR, PASSWORD) == 302  # the editor in the same office is not


def test_one_account_is_throttled_from_every_address_but_not_from_where_its_editor_works(app) -> None:
    assert try_login(app.test_client(), EDITOR, PASSWORD) == 302  # the editor's office is now trusted
    client = app.test_client()
    codes = [try_login(client, EDITOR, "feil-passord", f"198.51.100.{i // 4}") for i in range(20)]
    assert set(codes) == {401}  # four per address: under the per-address limit each time
    assert try_login(client, EDITOR, "feil-passord", "198.51.100.200") == 429  # 20 for the account: locked
    assert try_login(client, EDITOR, PASSWORD, "198.51.100.201") == 429  # even with the right password
    assert try_login(app.test_client(), EDITOR, PASSWORD) == 302  # but not from the editor's own office


def test_five_failures_for_one_account_from_one_address_lock_that_pair(app) -> None:
    client = app.test_client()
    assert [try_login(client, EDITOR, "feil-passord", "192.0.2.1") for _ in range(6)] == [401] * 5 + [429]
    assert try_login(app.test_client(), EDITOR, PASSWORD, "192.0.2.2") == 302


# ---------------------------------------------------------------- logout


def test_a_session_cookie_saved_before_logout_no_longer_works(app) -> None:
    client = app.test_client()
    assert try_login(client, EDITOR, PASSWORD) == 302
    assert client.get("/digests").status_code == 200
    saved = client.get_cookie("eumonitor_session").value

    assert client.post("/logout", data={"csrf_token": token(client, "/digests")}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("eumonitor_session", saved)
    response = thief.get("/digests")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_saving_a_profile_past_the_bounds_is_refused_and_the_file_is_unchanged(app, tmp_path: Path) -> None:
    client = app.test_client()
    assert try_login(client, EDITOR, PASSWORD) == 302
    path = tmp_path / "root" / "profiles" / "hav.toml"
    before = path.read_text(encoding="utf-8")
    form = {"csrf_token": token(client, "/profiles/hav"), "min_score": "0,2", "description": "Hav.",
            "keywords-0-terms": ", ".join(f"ord{i}" for i in range(61))}  # fmt: skip
    response = client.post("/profiles/hav", data=form)
    assert response.status_code == 422 and "høyst 60 ord per gruppe (fikk 61)" in response.get_data(as_text=True)
    assert path.read_text(encoding="utf-8") == before


# ---------------------------------------------------------------- a secure cookie over plain http


def test_a_secure_only_cookie_over_plain_http_is_explained_not_called_a_bad_form(tmp_path: Path) -> None:
    # A browser keeps no Secure cookie from an http page, so the form arrives without a session, as here.
    ctx = AppContext(config=load_config(make_root(tmp_path, "cookie_secure = true\n")), fixed_now=TODAY_NOW)
    client = create_app(ctx).test_client()
    form = {"email": EDITOR, "password": PASSWORD, "csrf_token": "fra-en-tidligere-side"}
    plain = client.post("/login", data=form)
    assert plain.status_code == 400
    assert "cookie_secure = true, men siden er åpnet over http" in plain.get_data(as_text=True)
    behind_tls = client.post("/login", data=form, headers={"X-Forwarded-Proto": "https"})
    assert behind_tls.status_code == 400
    html = behind_tls.get_data(as_text=True)
    assert "sikkerhetsnøkkel (CSRF)" in html and "cookie_secure" not in html
    ctx.close()
