"""The admin page adds and removes users, and every user changes their own password, through the real Flask app,
a real SQLite archive and the real login form (Flask's test client)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.web import create_app
from tests.support.cases import (
    ADMIN,
    CLIMA,
    COLLEAGUE,
    EDITOR,
    NOW,
    PASSWORD,
    READER,
    cli,
    csrf_of,
    logged_in,
    login_status,
    make_root,
    populate,
)
from tests.support.smtp_server import SmtpSink

NEW = "siri@bergen.kommune.no"
NEW_PASSWORD = "et-helt-nytt-passord"


@pytest.fixture()
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with SmtpSink() as sink:
        root = make_root(tmp_path, sink)
        populate(root)
        ctx = AppContext(config=load_config(root), fixed_now=NOW)
        yield ctx
        ctx.close()


def log_in(ctx: AppContext, email: str, password: str) -> int:
    return login_status(create_app(ctx).test_client(), email, password)


def add_form(client, **fields: str):
    token = csrf_of(client.get("/").get_data(as_text=True))  # the logout form carries it on every page
    data = {"email": NEW, "name": "Siri Vik", "unit": "Helse", "role": "leser", "password": NEW_PASSWORD}
    return client.post("/brukere/ny", data={"password2": NEW_PASSWORD, **data, **fields, "csrf_token": token})


def test_an_admin_adds_a_user_who_can_then_log_in_and_a_slip_keeps_what_was_typed(ctx: AppContext) -> None:
    admin = logged_in(ctx, ADMIN)
    slip = add_form(admin, password2="ikke-det-samme-passordet")
    page = slip.get_data(as_text=True)
    assert slip.status_code == 400 and "De to passordene er ikke like." in page
    assert 'value="Siri Vik"' in page and 'value="Helse"' in page and NEW_PASSWORD not in page
    assert ctx.store.get_user(NEW) is None
    short = add_form(admin, password="kort", password2="kort")
    assert short.status_code == 400 and "Passordet må ha minst 10 tegn." in short.get_data(as_text=True)
    bad = add_form(admin, email="ikke-en-adresse")
    assert bad.status_code == 400 and "«ikke-en-adresse» er ikke en e-postadresse." in bad.get_data(as_text=True)
    # A long address is refused whole, never cut into somebody else's.
    long = "ola.nordmann@" + "a" * 190 + ".bergen.kommune.no"
    refused = add_form(admin, email=long)
    assert refused.status_code == 400 and "E-postadressen er for lang" in refused.get_data(as_text=True)
    assert [u.email for u in ctx.store.list_users() if u.email.startswith("ola.nordmann")] == []
    token = csrf_of(admin.get("/").get_data(as_text=True))
    no_role = {"email": "uten.rolle@bergen.kommune.no", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert admin.post("/brukere/ny", data={**no_role, "csrf_token": token}).status_code == 303
    assert ctx.store.get_user("uten.rolle@bergen.kommune.no").role == "leser"  # least privilege by default
    done = add_form(admin)
    assert done.status_code == 303
    listed = admin.get("/brukere").get_data(as_text=True)
    assert f"La til {NEW} med rollen leser." in listed and "Siri Vik" in listed
    assert log_in(ctx, NEW, NEW_PASSWORD) == 302
    # Adding someone who exists never overwrites their password.
    again = add_form(admin, email=EDITOR.upper(), password="et-annet-passord-9", password2="et-annet-passord-9")
    assert again.status_code == 409 and "finnes allerede" in again.get_data(as_text=True)
    assert log_in(ctx, EDITOR, PASSWORD) == 302


def test_only_an_admin_reaches_the_forms_and_every_form_needs_its_token(ctx: AppContext) -> None:
    editor = logged_in(ctx, EDITOR)
    assert editor.get("/brukere").status_code == 403
    assert add_form(editor).status_code == 403 and ctx.store.get_user(NEW) is None
    assert create_app(ctx).test_client().post("/brukere/fjern", data={"email": READER}).status_code == 403
    admin = logged_in(ctx, ADMIN)
    assert admin.post("/brukere/fjern", data={"email": READER}).status_code == 400
    assert ctx.store.get_user(READER) is not None


def test_removing_a_user_ends_their_session_and_names_the_cases_still_on_them(ctx: AppContext) -> None:
    assert cli(ctx.config.root, "assign", CLIMA, COLLEAGUE, "--as", EDITOR).exit_code == 0
    colleague = logged_in(ctx, COLLEAGUE)
    admin = logged_in(ctx, ADMIN)
    page = admin.get("/brukere").get_data(as_text=True)
    assert f"Fjern {COLLEAGUE}" in page and f"Fjern {ADMIN}" not in page  # no button to remove oneself
    done = admin.post("/brukere/fjern", data={"email": COLLEAGUE, "csrf_token": csrf_of(page)})
    assert done.status_code == 303
    after = admin.get("/brukere").get_data(as_text=True)
    assert f"Fjernet {COLLEAGUE}" in after
    assert f"1 sak står fortsatt på {COLLEAGUE}, som er fjernet: {CLIMA}." in after
    assert ctx.store.get_user(COLLEAGUE) is None
    assert "Logg inn</a>" in colleague.get("/").get_data(as_text=True)  # logged out at their next request
    itself = admin.post("/brukere/fjern", data={"email": ADMIN, "csrf_token": csrf_of(after)})
    assert itself.status_code == 409 and "Du kan ikke fjerne deg selv" in itself.get_data(as_text=True)
    unknown = admin.post("/brukere/fjern", data={"email": "ingen@x.no", "csrf_token": csrf_of(after)})
    assert unknown.status_code == 404 and "Ukjent bruker ingen@x.no." in unknown.get_data(as_text=True)
    assert ctx.store.get_user(ADMIN) is not None


def test_demoting_a_case_owner_to_leser_says_who_must_take_over(ctx: AppContext) -> None:
    assert cli(ctx.config.root, "assign", CLIMA, COLLEAGUE, "--as", EDITOR).exit_code == 0
    admin = logged_in(ctx, ADMIN)
    token = csrf_of(admin.get("/brukere").get_data(as_text=True))
    demoted = admin.post("/brukere/rolle", data={"email": COLLEAGUE, "role": "leser", "csrf_token": token})
    assert demoted.status_code == 303
    page = admin.get("/brukere").get_data(as_text=True)
    assert f"{COLLEAGUE} har nå rollen leser" in page and f"står fortsatt på {COLLEAGUE}, som nå er leser" in page
    # An admin keeps their own role on this page: demoted, they would lose it mid-use.
    own = admin.post("/brukere/rolle", data={"email": ADMIN, "role": "redaktør", "csrf_token": token})
    assert own.status_code == 409 and "Du kan ikke endre din egen rolle her" in own.get_data(as_text=True)
    assert ctx.store.get_user(ADMIN).role == "admin"
    empty = admin.post("/brukere/rolle", data={"csrf_token": token})
    assert empty.status_code == 400 and "Oppgi brukerens e-postadresse." in empty.get_data(as_text=True)
    huge = admin.post("/brukere/rolle", data={"email": EDITOR, "role": "x" * 5000, "csrf_token": token})
    assert huge.status_code == 400 and len(huge.get_data()) < 20_000 and ctx.store.get_user(EDITOR).role == "redaktør"


def test_a_user_changes_their_password_and_is_logged_out_elsewhere(ctx: AppContext) -> None:
    here, elsewhere = logged_in(ctx, READER), logged_in(ctx, READER)
    before = ctx.store.get_user(READER)
    form = here.get("/passord").get_data(as_text=True)
    assert "Bytt passord" in form and 'href="/passord"' in form

    def change(current: str, new: str, again: str | None = None):
        data = {"current": current, "password": new, "password2": new if again is None else again}
        return here.post("/passord", data={**data, "csrf_token": csrf_of(here.get("/passord").get_data(as_text=True))})

    wrong = change("feil-passord-000", NEW_PASSWORD)
    assert wrong.status_code == 400 and "Det nåværende passordet er feil." in wrong.get_data(as_text=True)
    differ = change(PASSWORD, NEW_PASSWORD, "noe-annet-helt-8")
    assert differ.status_code == 400 and "De to nye passordene er ikke like." in differ.get_data(as_text=True)
    short = change(PASSWORD, "kort")
    assert short.status_code == 400 and "Passordet må ha minst 10 tegn." in short.get_data(as_text=True)
    same = change(PASSWORD, PASSWORD)
    assert same.status_code == 400 and "må være et annet enn det gamle" in same.get_data(as_text=True)
    no_token = here.post("/passord", data={"current": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert no_token.status_code == 400
    assert log_in(ctx, READER, PASSWORD) == 302  # nothing changed yet
    done = change(PASSWORD, NEW_PASSWORD)
    assert done.status_code == 303
    assert "Passordet er byttet. Du er logget ut andre steder." in here.get("/passord").get_data(as_text=True)
    assert log_in(ctx, READER, PASSWORD) == 401 and log_in(ctx, READER, NEW_PASSWORD) == 302
    assert "Logg inn</a>" in elsewhere.get("/").get_data(as_text=True)
    assert "Logg ut" in here.get("/").get_data(as_text=True)
    after = ctx.store.get_user(READER)  # the password, nothing else
    assert after.password_hash != before.password_hash
    assert replace(after, password_hash=before.password_hash) == before


def test_a_visitor_is_sent_to_log_in_before_changing_a_password(ctx: AppContext) -> None:
    visitor = create_app(ctx).test_client()
    assert visitor.get("/passord").status_code == 302
    assert visitor.post("/passord", data={"current": PASSWORD}).status_code == 403


def test_guessing_the_current_password_is_throttled_like_a_login(ctx: AppContext) -> None:
    borrowed = logged_in(ctx, READER)  # a session left open on a shared computer

    def guess(password: str):
        token = csrf_of(borrowed.get("/passord").get_data(as_text=True))
        data = {"current": password, "password": NEW_PASSWORD, "password2": NEW_PASSWORD, "csrf_token": token}
        return borrowed.post("/passord", data=data).status_code

    before = ctx.store.get_user(READER).password_hash
    answers = [guess(f"gjetning-nummer-{n}") for n in range(8)]
    assert answers[0] == 400 and answers[-1] == 429
    assert guess(PASSWORD) == 429  # even the right one, until the quarter of an hour has passed
    assert ctx.store.get_user(READER).password_hash == before  # not even the right guess changed it


def test_a_password_reset_on_the_command_line_logs_the_user_out_everywhere(ctx: AppContext) -> None:
    client = logged_in(ctx, EDITOR)
    assert "Logg ut" in client.get("/").get_data(as_text=True)
    reset = cli(ctx.config.root, "user", "add", EDITOR, "--password", NEW_PASSWORD)
    assert reset.exit_code == 0 and f"Oppdaterte bruker {EDITOR}" in reset.output
    assert "Logg inn</a>" in client.get("/").get_data(as_text=True)
    assert log_in(ctx, EDITOR, NEW_PASSWORD) == 302


def test_the_last_admin_is_kept_even_when_the_store_is_asked_directly(ctx: AppContext) -> None:
    from eumonitor.store import LastAdminError

    with pytest.raises(LastAdminError):
        ctx.store.set_role(ADMIN, "leser", NOW)
    with pytest.raises(LastAdminError):
        ctx.store.remove_user(ADMIN)
    assert ctx.store.get_user(ADMIN).role == "admin"
