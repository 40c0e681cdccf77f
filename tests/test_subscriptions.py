"""Self-service subscriptions end to end: the real CLI, a real SMTP server on 127.0.0.1 and the recorded scans;
the signed "Mine varsler" link, the RFC 8058 one-click unsubscribe, and `eumonitor subscriber`."""

from __future__ import annotations

import re
import shutil
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.digests.subscription_links import make_token, read_token
from eumonitor.web import create_app
from tests.support.roots import SCANS, SEARCH_PATH, write_root
from tests.support.smtp_server import SmtpSink
from tests.test_digest_e2e import DIGEST, SUBSCRIBERS, WEEK1, WEEK2

REPO = Path(__file__).resolve().parents[1]
BASE = "https://eumonitor.bergen.kommune.no"


@pytest.fixture
def root(portal, tmp_path: Path) -> Path:
    server, _ = portal
    root = write_root(tmp_path / "root", server.url + SEARCH_PATH)
    shutil.copytree(REPO / "profiles", root / "profiles")
    (root / "digests").mkdir()
    (root / "digests" / "network.toml").write_text(DIGEST, encoding="utf-8")
    return root


def point_at(root: Path, sink: SmtpSink) -> None:
    # open_read = false: the subscriber pages must work without any login all the same.
    (root / "config.toml").write_text(
        '[http]\ncontact = "test@example.org"\nretries = 1\nbackoff = 0.01\nmin_interval = 0\ntimeout = 5\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\nsecurity = "none"\n'
        'from = "EU-monitor <eumonitor@bergen.kommune.no>"\ntimeout = 5\n'
        f'[web]\nbase_url = "{BASE}"\nopen_read = false\ncookie_secure = false\n',
        encoding="utf-8",
    )


def cli(root: Path, now: str, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), "--now", now, *args])


def one_click_url(message: EmailMessage) -> str:
    https = re.search(r"<(https://[^>]+)>", message["List-Unsubscribe"]).group(1)
    assert https.startswith(BASE + "/mine-varsler/") and https.endswith("/avmeld")
    return https


def web_client(root: Path):
    ctx = AppContext(load_config(root), WEEK2)
    return ctx, create_app(ctx).test_client()


def test_one_click_unsubscribe_without_login_and_the_next_week_leaves_them_out(root: Path, portal):
    _, replay = portal
    with SmtpSink() as sink:
        point_at(root, sink)
        assert cli(root, WEEK1, "run", "--once").exit_code == 0
        week1 = list(sink.messages)
        assert sorted(m["To"] for m in week1) == sorted(SUBSCRIBERS)
        for message in week1:  # both headers on every message, and the personal link in both parts
            assert "<mailto:eumonitor@bergen.kommune.no?subject=" in message["List-Unsubscribe"]
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            manage = one_click_url(message).removesuffix("/avmeld")
            assert (
                f"Mine varsler (velg temaer, ta pause eller meld deg av): {manage}"
                in message.get_body(("plain",)).get_content()
            )
            assert f'href="{manage}"' in message.get_body(("html",)).get_content()

        hav = next(m for m in week1 if m["To"] == "hav@bergen.kommune.no")
        ctx, client = web_client(root)
        path = urlsplit(one_click_url(hav)).path
        assert "hav@bergen.kommune.no" in client.get(path).get_data(as_text=True)  # GET only asks
        assert ctx.store.subscription("network", "hav@bergen.kommune.no").state == "active"
        # What a mail client sends (RFC 8058): a POST with this body, no cookie, no form token.
        response = client.post(path, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200 and "er meldt av" in response.get_data(as_text=True)
        ctx.close()

        replay.use(SCANS / WEEK2)
        second = cli(root, WEEK2, "run", "--once")
        assert second.exit_code == 0, second.output
    week2 = sink.messages[len(week1) :]
    assert sorted(m["To"] for m in week2) == ["alle@bergen.kommune.no", "helse@bergen.kommune.no"]
    listed = cli(root, WEEK2, "subscriber", "list")
    assert "hav@bergen.kommune.no  avmeldt" in listed.output and "men er avmeldt siden" in listed.output


def test_a_forged_or_borrowed_link_is_refused(root: Path, portal):
    with SmtpSink() as sink:
        point_at(root, sink)
        assert cli(root, WEEK1, "run", "--once").exit_code == 0
    ctx, client = web_client(root)
    helse = urlsplit(one_click_url(next(m for m in sink.messages if m["To"] == "helse@bergen.kommune.no"))).path
    token = unquote(helse.split("/")[2])
    assert read_token(ctx.secret_key, token) == ("network", "helse@bergen.kommune.no")
    payload, signature = token.split(".")
    hav_payload = make_token("x", "network", "hav@bergen.kommune.no").split(".")[0]
    forged = [
        f"{hav_payload}.{signature}",  # another subscriber's address with this one's signature
        make_token("not-the-key", "network", "hav@bergen.kommune.no"),  # signed with another key
        f"{payload}.{signature[:-2]}{'BB' if signature.endswith('AA') else 'AA'}",  # altered signature
        f"{payload}.{respelled(signature)}",  # the same bytes spelled another way: not what the app wrote
        "garbage",
    ]
    for bad in forged:
        assert client.post(f"/mine-varsler/{bad}/avmeld").status_code == 404
        assert client.get(f"/mine-varsler/{bad}").status_code == 404
    assert all(s.state == "active" for s in ctx.store.subscriptions("network"))
    # A genuine link changes only its own subscriber.
    assert client.post(helse).status_code == 200
    states = {s.email: s.state for s in ctx.store.subscriptions("network")}
    ctx.close()
    assert states == {"alle@bergen.kommune.no": "active", "hav@bergen.kommune.no": "active",
                      "helse@bergen.kommune.no": "unsubscribed"}  # fmt: skip


def test_mine_varsler_chooses_themes_and_pauses(root: Path, portal):
    _, replay = portal
    with SmtpSink() as sink:
        point_at(root, sink)
        assert cli(root, WEEK1, "run", "--once").exit_code == 0
        ctx, client = web_client(root)
        alle = next(m for m in sink.messages if m["To"] == "alle@bergen.kommune.no")
        helse = next(m for m in sink.messages if m["To"] == "helse@bergen.kommune.no")
        for message, form in ((alle, {"tema": ["hav"]}), (helse, {"tema": ["folkehelse"], "pause": "1"})):
            page = client.get(urlsplit(one_click_url(message)).path.removesuffix("/avmeld"))
            html = page.get_data(as_text=True)
            assert page.status_code == 200 and 'name="tema" value="kultur"' in html
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
            saved = client.post(page.request.path, data={**form, "csrf_token": csrf, "action": "save"})
            assert saved.status_code == 200 and ("lagret" in saved.get_data(as_text=True).lower())
        no_csrf = client.post(page.request.path, data={"tema": ["hav"], "action": "save"})
        assert no_csrf.status_code in (400, 403)
        ctx.close()
        replay.use(SCANS / WEEK2)
        assert cli(root, WEEK2, "run", "--once").exit_code == 0
    week2 = [m for m in sink.messages if "uke 26" in m["Subject"]]
    assert sorted(m["To"] for m in week2) == ["alle@bergen.kommune.no", "hav@bergen.kommune.no"]  # helse paused
    alle2 = next(m for m in week2 if m["To"] == "alle@bergen.kommune.no")
    assert "Hav og havnæringer" in alle2.get_body(("plain",)).get_content().splitlines()[1]
    assert "Kultur" not in alle2.get_body(("plain",)).get_content().splitlines()[1]


def test_subscriber_commands_and_check_refuse_a_relative_base_url(root: Path, tmp_path: Path):
    with SmtpSink() as sink:
        point_at(root, sink)
        added = cli(root, WEEK1, "subscriber", "add", "ny@bergen.kommune.no", "--tema", "hav", "--name", "Ny")
        assert added.exit_code == 0 and "ny@bergen.kommune.no får network: hav" in added.output
        assert cli(root, WEEK1, "subscriber", "add", "ny@bergen.kommune.no", "--tema", "nosuch").exit_code == 2
        removed = cli(root, WEEK1, "subscriber", "remove", "alle@bergen.kommune.no")
        assert removed.exit_code == 0 and "er meldt av network" in removed.output
        assert cli(root, WEEK1, "subscriber", "remove", "ukjent@bergen.kommune.no").exit_code == 1
        listing = cli(root, WEEK1, "subscriber", "list").output
        assert "ny@bergen.kommune.no  aktiv  hav (lagt til av kommandolinjen" in listing
        assert "network: 3 aktive av 4 abonnenter" in listing
        assert cli(root, WEEK1, "run", "--once").exit_code == 0
    assert sorted(m["To"] for m in sink.messages) == sorted(
        ["helse@bergen.kommune.no", "hav@bergen.kommune.no", "ny@bergen.kommune.no"]
    )
    for bad in ("", "/eumonitor", "eumonitor.bergen.kommune.no"):
        text = (root / "config.toml").read_text(encoding="utf-8")
        (root / "config.toml").write_text(re.sub(r'base_url = "[^"]*"', f'base_url = "{bad}"', text), "utf-8")
        checked = cli(root, WEEK1, "check")
        assert checked.exit_code != 0 and "[web.base_url]: skal være en absolutt http(s)-adresse" in checked.output


def test_the_file_seeds_and_its_removals_are_followed_but_hand_changes_are_kept(root: Path):
    with SmtpSink() as sink:
        point_at(root, sink)
    assert cli(root, WEEK1, "subscriber", "add", "hav@bergen.kommune.no", "--tema", "hav").exit_code == 0
    digest = root / "digests" / "network.toml"
    text = digest.read_text(encoding="utf-8")
    # Both helse@ and hav@ leave the file; hav@ was changed by hand on the command line, helse@ was not.
    for email in ("helse@bergen.kommune.no", "hav@bergen.kommune.no"):
        text = re.sub(rf'\n\[\[subscribers\]\]\nemail = "{re.escape(email)}"\n(profiles = .*\n)?', "\n", text)
    digest.write_text(text, encoding="utf-8")
    listing = cli(root, WEEK2, "subscriber", "list").output
    assert "helse@bergen.kommune.no  avmeldt" in listing and "(fjernet fra digests/network.toml 2026-06-" in listing
    assert "hav@bergen.kommune.no  aktiv  hav (lagt til av kommandolinjen, ikke i digests/network.toml)" in listing


def respelled(signature: str) -> str:
    """The signature with its last character's spare bit flipped: it decodes to the same bytes."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    return signature[:-1] + alphabet[last ^ 1]
