"""The optional chat channel: Apprise posting to a local HTTP endpoint on 127.0.0.1 (Apprise's json:// kind,
as a Teams or Slack webhook would be reached), once per digest, week and channel, and the staff alerts."""

from __future__ import annotations

import json
import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from tests.support.roots import SCANS, SEARCH_PATH, write_root
from tests.support.smtp_server import SmtpSink, free_port
from tests.test_digest_e2e import DIGEST, WEEK1, WEEK2

REPO = Path(__file__).resolve().parents[1]


class Hook:
    """A webhook on 127.0.0.1 that keeps every JSON body posted to it; `status` is what it answers."""

    def __init__(self):
        self.posts: list[dict] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if hook.status == 200:
                    hook.posts.append({"path": self.path, **json.loads(body)})
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook():
    found = Hook()
    yield found
    found.close()


@pytest.fixture
def root(portal, tmp_path: Path) -> Path:
    server, _ = portal
    root = write_root(tmp_path / "root", server.url + SEARCH_PATH)
    shutil.copytree(REPO / "profiles", root / "profiles")
    (root / "digests").mkdir()
    (root / "digests" / "network.toml").write_text(DIGEST, encoding="utf-8")
    return root


def configure(root: Path, sink: SmtpSink, urls: list[str], alerts: str = "") -> None:
    (root / "config.toml").write_text(
        '[http]\ncontact = "test@example.org"\nretries = 0\nbackoff = 0.01\nmin_interval = 0\ntimeout = 5\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\nsecurity = "none"\nfrom = "eumonitor@bergen.kommune.no"\n'
        f'timeout = 5\n[web]\nbase_url = "https://eumonitor.bergen.kommune.no"\n[notify]\nurls = {json.dumps(urls)}\n'
        + alerts,
        encoding="utf-8",
    )


def run_once(root: Path, now: str):
    return CliRunner().invoke(main, ["--root", str(root), "--now", now, "run", "--once"])


def test_each_weeks_summary_reaches_the_channel_exactly_once(root: Path, portal, hook: Hook):
    _, replay = portal
    with SmtpSink() as sink:
        configure(root, sink, [hook.url])
        first = run_once(root, WEEK1)
        assert first.exit_code == 0, first.output
        assert "network 2026-W25 chat: 1 sendt" in first.output
        again = run_once(root, WEEK1 + "T15:00")
        assert "network 2026-W25 chat: 0 sendt, 0 feilet, 1 hadde allerede fått det" in again.output, again.output
        assert len(hook.posts) == 1
        post = hook.posts[0]
        assert post["path"] == "/hook"
        assert post["title"] == "EU-utlysninger, uke 25: første sammendrag – de beste åpne utlysningene per tema"
        assert re.search(r"\d+ med frist innen 21 dager", post["message"]) and "Kildestatus:" in post["message"]
        assert "Alt i eumonitor: https://eumonitor.bergen.kommune.no" in post["message"]

        # Week two: the channel fails at first; it is told, recorded, and the next run posts once.
        replay.use(SCANS / WEEK2)
        hook.status = 500
        failed = run_once(root, WEEK2)
        assert failed.exit_code == 1 and "network 2026-W26 chat: 0 sendt, 1 feilet" in failed.output, failed.output
        hook.status = 200
        resumed = run_once(root, WEEK2 + "T13:00")
        assert "network 2026-W26 chat: 1 sendt" in resumed.output, resumed.output
        assert run_once(root, WEEK2 + "T14:00").output.count("chat: 0 sendt, 0 feilet, 1 hadde allerede") == 1
    assert [p["title"].split(":")[0] for p in hook.posts] == ["EU-utlysninger, uke 25", "EU-utlysninger, uke 26"]
    assert len(sink.messages) == 6  # e-mail unaffected: three subscribers, two weeks
    assert hook.url.split("//")[1] not in (root / "var" / "eumonitor.db").read_bytes().decode("latin-1")


def test_staff_alerts_reach_the_channel_too(root: Path, hook: Hook):
    source = root / "sources" / "eu-funding-tenders.toml"
    source.write_text(
        re.sub(r'url = "[^"]+"', f'url = "http://127.0.0.1:{free_port()}/search"', source.read_text()), "utf-8"
    )
    with SmtpSink() as sink:
        configure(root, sink, [hook.url], '[alerts]\nto = ["drift@bergen.kommune.no"]\nafter_failures = 1\n')
        run_once(root, WEEK1)
    alert = next(p for p in hook.posts if "svarer ikke" in p["title"])
    assert alert["title"] == "eumonitor: EU-portalen svarer ikke"  # its first failure: one run, not several
    assert any(m["To"] == "drift@bergen.kommune.no" for m in sink.messages)


def test_check_refuses_an_address_apprise_does_not_know(root: Path):
    with SmtpSink() as sink:
        configure(root, sink, ["nosuchservice://hemmelig-token@chat"])
    checked = CliRunner().invoke(main, ["--root", str(root), "check"])
    assert (
        checked.exit_code != 0 and "[notify.urls]: Apprise kjenner ikke adressen (nosuchservice://…)" in checked.output
    )
    assert "hemmelig-token" not in checked.output
