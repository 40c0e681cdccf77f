"""People and roles: users in the archive, `eumonitor user`, the one-time import of config.toml's editors, login
by the archive's users, and the admin page (through the real CLI, a real SQLite file and Flask's test client)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.web import create_app
from eumonitor.web.auth import hash_password
from tests.support.cases import PASSWORD, csrf_of
from tests.support.cases import login_status as log_in
from tests.support.web import TODAY_NOW, make_root

EDITOR, ADMIN, READER = "anna@bergen.kommune.no", "ola@bergen.kommune.no", "kari@bergen.kommune.no"


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def editor_root(tmp_path: Path) -> Path:
    web = f'cookie_secure = false\n\n[[web.editors]]\nemail = "{EDITOR}"\npassword_hash = "{hash_password(PASSWORD)}"\n'
    return make_root(tmp_path, web)


def client_for(root: Path):
    ctx = AppContext(config=load_config(root), fixed_now=TODAY_NOW)
    return ctx, create_app(ctx).test_client()


def test_config_editors_are_carried_over_once_as_redaktor_and_a_removal_sticks(tmp_path: Path) -> None:
    root = editor_root(tmp_path)
    first = cli(root, "user", "list")
    assert first.exit_code == 0, first.output
    assert f"Flyttet redaktør {EDITOR} fra config.toml til arkivets brukere (rolle redaktør)." in first.output
    assert f"{EDITOR}  redaktør" in first.output
    again = cli(root, "user", "list")
    assert "Flyttet" not in again.output and f"{EDITOR}  redaktør" in again.output
    assert cli(root, "user", "add", ADMIN, "--role", "admin", "--password", PASSWORD).exit_code == 0
    removed = cli(root, "user", "remove", EDITOR)
    assert removed.exit_code == 0 and f"Fjernet bruker {EDITOR}." in removed.output
    # config.toml still lists the editor; the archive is the truth now, so neither the CLI nor the web brings it back
    listed = json.loads(cli(root, "user", "list", "--json").stdout)
    assert [u["email"] for u in listed] == [ADMIN]
    ctx, client = client_for(root)
    assert log_in(client, EDITOR) == 401
    ctx.close()


def test_user_add_list_set_role_remove_with_norwegian_refusals(tmp_path: Path) -> None:
    root = make_root(tmp_path, "cookie_secure = false", profiles=False)
    assert "Ingen brukere ennå" in cli(root, "user", "list").output
    added = cli(
        root,
        "user",
        "add",
        READER,
        "--name",
        "Kari Nordmann",
        "--unit",
        "Helse",
        "--role",
        "leser",
        "--password",
        PASSWORD,
    )
    assert added.exit_code == 0 and "La til bruker kari@bergen.kommune.no med rollen leser." in added.output
    assert cli(root, "user", "add", ADMIN, "--role", "admin", "--password", PASSWORD).exit_code == 0
    rows = {u["email"]: u for u in json.loads(cli(root, "user", "list", "--json").stdout)}
    assert rows[READER] == {**rows[READER], "name": "Kari Nordmann", "unit": "Helse", "role": "leser"}
    assert cli(root, "user", "set-role", READER, "redaktor").exit_code == 0  # ascii spelling accepted
    assert json.loads(cli(root, "user", "list", "--json").stdout)[0]["role"] == "redaktør"
    bad = cli(root, "user", "set-role", READER, "sjef")
    assert bad.exit_code == 2 and "ukjent rolle «sjef»" in bad.output and "Traceback" not in bad.output
    unknown = cli(root, "user", "set-role", "ingen@x.no", "leser")
    assert unknown.exit_code == 1 and "Ukjent bruker ingen@x.no." in unknown.output
    last = cli(root, "user", "set-role", ADMIN, "leser")
    assert last.exit_code == 1 and "den eneste administratoren" in last.output
    assert cli(root, "user", "remove", ADMIN).exit_code == 1
    short = cli(root, "user", "add", "ny@x.no", "--password", "kort")
    assert short.exit_code == 2 and "minst 10 tegn" in short.output


def test_login_uses_the_archive_and_a_reader_cannot_edit_profiles(tmp_path: Path) -> None:
    root = editor_root(tmp_path)
    assert cli(root, "user", "add", READER, "--role", "leser", "--password", PASSWORD).exit_code == 0
    ctx, client = client_for(root)
    assert log_in(client, READER, "feil-passord-000") == 401
    assert log_in(client, READER) == 302
    page = client.get("/profiles/hav").get_data(as_text=True)
    assert "lagring krever rollen redaktør" in page
    token = csrf_of(page)
    refused = client.post("/profiles/hav", data={"csrf_token": token, "title": "x"})
    assert refused.status_code == 403 and "krever rollen redaktør" in refused.get_data(as_text=True)
    # a user removed while logged in is logged out at the next request
    cli(root, "user", "remove", READER)
    assert "Logg inn</a>" in client.get("/").get_data(as_text=True)
    ctx.close()


def test_admin_page_lists_users_and_changes_a_role_with_csrf(tmp_path: Path) -> None:
    root = editor_root(tmp_path)
    assert (
        cli(
            root, "user", "add", ADMIN, "--role", "admin", "--name", "Ola <b>Admin</b>", "--password", PASSWORD
        ).exit_code
        == 0
    )
    ctx, client = client_for(root)
    assert log_in(client, EDITOR) == 302
    assert client.get("/brukere").status_code == 403  # a redaktør is no admin
    other = client_for(root)[1]
    assert log_in(other, ADMIN) == 302
    page = other.get("/brukere").get_data(as_text=True)
    assert EDITOR in page and "Ola &lt;b&gt;Admin&lt;/b&gt;" in page and ">Brukere</a>" in page
    no_token = other.post("/brukere/rolle", data={"email": EDITOR, "role": "leser"})
    assert no_token.status_code == 400
    done = other.post("/brukere/rolle", data={"email": EDITOR, "role": "leser", "csrf_token": csrf_of(page)})
    assert done.status_code == 303
    assert ctx.store.get_user(EDITOR).role == "leser"
    assert "har nå rollen leser" in other.get("/brukere").get_data(as_text=True)
    alone = other.post("/brukere/rolle", data={"email": ADMIN, "role": "leser", "csrf_token": csrf_of(page)})
    assert alone.status_code == 409 and ctx.store.get_user(ADMIN).role == "admin"
    ctx.close()
