"""Collect is quick when sites are slow or gone: hosts side by side, one host in turn, a dripping server cut off."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.model import HttpSettings, Request
from eumonitor.sources.http import FetchError, HttpClient
from tests.support.replay_server import Received, ReplayServer
from tests.support.roots import FIXTURES

FEED = (FIXTURES / "wordpress-rss" / "thehacc-org_events-feed_2018-05-29.xml").read_bytes()
CONFIG = '[http]\ncontact = "test@example.org"\nretries = 0\nbackoff = 0.01\nmin_interval = 0\ntimeout = 10\n'


def write_sources(root: Path, sources: dict[str, str]) -> Path:
    (root / "sources").mkdir(parents=True)
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    for name, url in sources.items():
        (root / "sources" / f"{name}.toml").write_text(f'kind = "rss"\nurl = "{url}"\n', encoding="utf-8")
    return root


def test_sources_on_different_hosts_are_fetched_side_by_side(tmp_path: Path) -> None:
    arrived = threading.Event()
    saw_other_while_waiting: list[bool] = []

    def slow(_request: Received):
        # Answers once the other host's request has arrived: true only if both were in flight at once.
        saw_other_while_waiting.append(arrived.wait(timeout=5))
        return 200, {"Content-Type": "application/rss+xml"}, FEED

    def fast(_request: Received):
        arrived.set()
        return 200, {"Content-Type": "application/rss+xml"}, FEED

    with ReplayServer() as server:
        server.route("/slow/feed/", slow)
        server.route("/fast/feed/", fast)
        port = server.url.rsplit(":", 1)[1]
        # 127.0.0.1 and localhost are two hosts to the collector, one loopback server to the test.
        root = write_sources(
            tmp_path / "root",
            {"a-slow": f"http://127.0.0.1:{port}/slow/feed/", "b-fast": f"http://localhost:{port}/fast/feed/"},
        )
        result = CliRunner().invoke(main, ["--root", str(root), "collect"])
    assert result.exit_code == 0, result.output
    assert saw_other_while_waiting == [True]
    # The summary keeps the sources' own order, whichever finished first.
    assert [line.split(":")[0] for line in result.output.splitlines() if ": OK" in line] == ["a-slow", "b-fast"]


def test_sources_on_one_host_are_fetched_in_turn(tmp_path: Path) -> None:
    in_flight = 0
    most = 0
    lock = threading.Lock()

    def counted(_request: Received):
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.2)  # long enough for a second request to overlap, were it sent
        with lock:
            in_flight -= 1
        return 200, {"Content-Type": "application/rss+xml"}, FEED

    with ReplayServer() as server:
        for name in ("one", "two", "three"):
            server.route(f"/{name}/feed/", counted)
        root = write_sources(tmp_path / "root", {n: f"{server.url}/{n}/feed/" for n in ("one", "two", "three")})
        result = CliRunner().invoke(main, ["--root", str(root), "collect"])
    assert result.exit_code == 0, result.output
    assert most == 1


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection_fails_at_once_and_the_summary_names_it(tmp_path: Path) -> None:
    root = write_sources(tmp_path / "root", {"gone": f"http://127.0.0.1:{closed_port()}/feed/"})
    (root / "config.toml").write_text(CONFIG.replace("retries = 0", "retries = 3").replace("0.01", "5"))
    result = CliRunner().invoke(main, ["--root", str(root), "collect"])
    assert result.exit_code == 1
    # Three retries with a 5 s backoff would take 35 s; a refused connection is not retried at all.
    assert "1 av 1 kilder feilet:\n  - gone: Fikk ikke kontakt med" in result.output
    assert "tilkoblingen ble avvist" in result.output and "forsøk" not in result.output


class Drip(BaseHTTPRequestHandler):
    """Headers at once, then one byte of body every 0.3 s: each read is quick, the whole never ends."""

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(1000):
            try:
                self.wfile.write(b"x")
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.3)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def dripping() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/drip"
    server.shutdown()
    server.server_close()


def test_a_dripping_server_is_cut_off_at_the_timeout(dripping: str) -> None:
    settings = HttpSettings(timeout=1.5, retries=1, backoff=0.0, min_interval=0.0)
    with HttpClient(settings) as http, pytest.raises(FetchError) as caught:
        http.fetch(Request(dripping))
    # Each attempt stopped at its 1.5 s, not after the 300 s the server would drip for.
    assert str(caught.value) == f"Svaret fra {dripping} var ikke ferdig etter 1,5 s; ga opp etter 2 forsøk."


def test_collect_takes_the_same_lock_as_run(tmp_path: Path) -> None:
    from eumonitor.files import process_lock

    root = write_sources(tmp_path / "root", {"gone": f"http://127.0.0.1:{closed_port()}/feed/"})
    with process_lock(root / "var" / "eumonitor.lock"):
        result = CliRunner().invoke(main, ["--root", str(root), "collect"])
    assert result.exit_code == 3 and "En annen eumonitor-prosess" in result.output
