"""The digest's "Relevant" / "Ikke for oss" links through real HTTP: a GET only asks, a POST records once, the
theme's ranking moves, and the profile page's undo puts it back."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import requests

from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.web import create_app
from tests.support.smtp_server import SmtpSink
from tests.test_digest_e2e import WEEK1, WEEK2
from tests.test_subscriptions import BASE, cli, point_at
from tests.test_subscriptions import root as subscribed_root

EDITOR = "anna@bergen.kommune.no"
PASSWORD = "riktig-passord-123"


@contextmanager
def served(root: Path) -> Iterator[str]:
    """The app under waitress on 127.0.0.1, as `eumonitor serve` runs it."""
    from waitress.server import create_server

    ctx = AppContext(load_config(root), WEEK2)
    server = create_server(create_app(ctx), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)
        ctx.close()


def hav_rank(root: Path, external_id: str) -> int:
    ctx = AppContext(load_config(root), WEEK2)
    try:
        ranked = ctx.store.profile_matches("hav", today=ctx.today(), state="match")
        return [c.external_id for c, _ in ranked].index(external_id)
    finally:
        ctx.close()


root = subscribed_root  # the fixture: the recorded portal, the network digest, its subscribers


def test_a_vote_from_the_mail_is_asked_recorded_once_moves_the_call_and_can_be_undone(root: Path, portal) -> None:
    with SmtpSink() as sink:
        point_at(root, sink)
        assert cli(root, WEEK1, "run", "--once").exit_code == 0
        hav = next(m for m in sink.messages if m["To"] == "hav@bergen.kommune.no")
    html = hav.get_body(("html",)).get_content()
    votes = [unescape(u) for u in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>Relevant</a>', html)]
    assert votes and all(v.startswith(BASE + "/vurdering/") for v in votes)
    assert "/vurdering/" not in hav.get_body(("plain",)).get_content()  # the text part stays as it was
    # The hav item ranked lowest among those voted on: a "Relevant" can lift it.
    from eumonitor.digests.feedback_links import read_link

    ctx = AppContext(load_config(root), WEEK2)
    links = [(v, read_link(ctx.secret_key, urlsplit(v).path.rsplit("/", 1)[1])) for v in votes]
    ctx.close()
    on_hav = [(v, link) for v, link in links if link and link.profile_id == "hav"]
    vote, link = max(on_hav, key=lambda pair: hav_rank(root, pair[1].key[1]))
    before = hav_rank(root, link.key[1])

    with served(root) as base, requests.Session() as web:
        web.trust_env = False
        path = urlsplit(vote).path
        asked = web.get(base + path, timeout=10)
        assert asked.status_code == 200 and "Vil du registrere utlysningen som <strong>relevant</strong>" in asked.text
        ctx = AppContext(load_config(root), WEEK2)
        assert ctx.store.judgements("hav") == []  # a GET (a mail scanner) records nothing
        ctx.close()
        recorded = web.post(base + path, timeout=10)
        assert recorded.status_code == 200 and "Takk! Registrert som <strong>relevant</strong>" in recorded.text
        again = web.post(base + path, timeout=10)
        assert again.status_code == 409 and "allerede brukt" in again.text
        forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
        assert web.post(base + forged, timeout=10).status_code == 404

    assert cli(root, WEEK2, "match").exit_code == 0
    moved = hav_rank(root, link.key[1])
    assert moved < before or before == 0

    # The theme's page shows the judgement, and an editor's undo puts the ranking back.
    added = cli(root, WEEK2, "user", "add", EDITOR, "--password", PASSWORD)
    assert added.exit_code == 0, added.output
    with served(root) as base, requests.Session() as web:
        web.trust_env = False
        form = web.get(base + "/login", timeout=10).text  # open_read = false here: the theme pages need a login
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        web.post(base + "/login", data={"email": EDITOR, "password": PASSWORD, "csrf_token": token}, timeout=10)
        page = web.get(base + "/profiles/hav", timeout=10).text
        assert "Lært av rådgiverne" in page and "hav@bergen.kommune.no (digest)" in page
        action = re.search(r'action="(/profiles/hav/vurderinger/\d+/angre)"', page).group(1)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        undone = web.post(base + action, data={"csrf_token": token}, timeout=30)
        assert undone.status_code == 200 and "er angret" in undone.text
        # On the call page a logged-in adviser judges too; readers see the buttons only after logging in.
        page = web.post(
            f"{base}/call/{link.key[0]}/{link.key[1]}/vurder",
            data={"csrf_token": token, "profile_id": "kultur", "grade": "0"},
            timeout=30,
        )
        assert page.status_code == 200 and "Registrert som ikke for oss for Kultur" in page.text
    ctx = AppContext(load_config(root), WEEK2)
    newest = ctx.store.judgements("kultur")[0]
    ctx.close()
    assert (newest["who"], newest["origin"], newest["grade"]) == (EDITOR, "web", 0)
    assert hav_rank(root, link.key[1]) == before
