"""HttpClient against a real local server that delays, fails, drops, truncates and redirects."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from eumonitor.model import HttpSettings, Request
from eumonitor.sources.http import FetchError, HttpClient
from tests.support.replay_server import SEARCH_PATH, Fault, ReplayServer, ScanReplay

SCANS = Path(__file__).parent / "fixtures" / "ft-portal" / "scans"
UA = "eumonitor/0.1 (+contact: eu-radgiver@example.org)"
# No spacing and no real backoff: the fake sleep records what would have been waited.
FAST = HttpSettings(user_agent=UA, timeout=5.0, retries=2, backoff=1.0, min_interval=0.0, max_bytes=1_000_000)


class FakeTime:
    """A clock that only moves when slept on, so spacing and backoff are exact and instant."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy from the environment must never carry test traffic off the machine.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as srv:
        yield srv


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(fake: FakeTime) -> Iterator[HttpClient]:
    with HttpClient(FAST, sleep=fake.sleep, clock=fake.clock) as http:
        yield http


def test_ok_sends_user_agent_and_returns_page(server: ReplayServer, client: HttpClient) -> None:
    server.serve_bytes("/a", b'{"ok": true}')
    page = client.fetch(Request(f"{server.url}/a", params=(("x", "1"),)))
    assert (page.status, page.content, page.url) == (200, b'{"ok": true}', f"{server.url}/a?x=1")
    assert page.headers["content-type"] == "application/json"
    [got] = server.received("/a")
    assert got.headers["User-Agent"] == UA
    assert got.query == {"x": "1"}


def test_retries_503_with_exponential_backoff(server: ReplayServer, client: HttpClient, fake: FakeTime) -> None:
    server.serve_bytes("/a", b"fine", fault=Fault(status=503, times=2))
    page = client.fetch(Request(f"{server.url}/a"))
    assert page.content == b"fine"
    assert fake.sleeps == [1.0, 2.0]
    assert len(server.received("/a")) == 3


def test_429_honours_retry_after_capped(server: ReplayServer, fake: FakeTime) -> None:
    server.serve_bytes("/a", b"fine", fault=Fault(status=429, headers={"Retry-After": "7"}, times=1))
    server.serve_bytes("/b", b"fine", fault=Fault(status=429, headers={"Retry-After": "3600"}, times=1))
    with HttpClient(FAST, sleep=fake.sleep, clock=fake.clock, retry_after_cap=60.0) as http:
        assert http.fetch(Request(f"{server.url}/a")).content == b"fine"
        assert http.fetch(Request(f"{server.url}/b")).content == b"fine"
    assert fake.sleeps == [7.0, 60.0]


def test_gives_up_after_retries_naming_url_and_status(server: ReplayServer, client: HttpClient, fake: FakeTime) -> None:
    body = b'{"type":"throwable","message":"An internal error occurred"}'
    server.serve_bytes("/a", b"never", fault=Fault(status=500, body=body))
    with pytest.raises(FetchError) as caught:
        client.fetch(Request(f"{server.url}/a"))
    message = str(caught.value)
    assert message.startswith(f"Fikk HTTP 500 fra {server.url}/a etter 3 forsøk.")
    assert "An internal error occurred" in message
    assert (caught.value.status, caught.value.attempts) == (500, 3)
    assert fake.sleeps == [1.0, 2.0]  # no pointless wait after the last attempt


def test_4xx_is_not_retried(server: ReplayServer, client: HttpClient, fake: FakeTime) -> None:
    with pytest.raises(FetchError, match=rf"^Fikk HTTP 404 fra {server.url}/missing\."):
        client.fetch(Request(f"{server.url}/missing"))
    assert len(server.requests) == 1
    assert fake.sleeps == []


def test_dropped_connection_is_retried(server: ReplayServer, client: HttpClient) -> None:
    server.serve_bytes("/a", b"fine", fault=Fault(drop=True, times=1))
    assert client.fetch(Request(f"{server.url}/a")).content == b"fine"
    assert len(server.received("/a")) == 2


def test_dropped_connection_every_time(server: ReplayServer, client: HttpClient) -> None:
    server.serve_bytes("/a", b"fine", fault=Fault(drop=True))
    with pytest.raises(FetchError, match=r"^Forbindelsen ble brutt før .*/a svarte; ga opp etter 3 forsøk\.$"):
        client.fetch(Request(f"{server.url}/a"))


def test_read_timeout(server: ReplayServer, fake: FakeTime) -> None:
    server.serve_bytes("/slow", b"late", fault=Fault(delay=2.0))
    settings = replace(FAST, timeout=0.3, retries=1)
    with HttpClient(FAST, sleep=fake.sleep, clock=fake.clock) as http, pytest.raises(FetchError) as caught:
        http.fetch(Request(f"{server.url}/slow"), settings)
    assert str(caught.value) == f"Tidsavbrudd etter 0,3 s mot {server.url}/slow; ga opp etter 2 forsøk."


def test_slow_first_answer_then_fast(server: ReplayServer, client: HttpClient) -> None:
    server.serve_bytes("/slow", b"now", fault=Fault(delay=2.0, times=1))
    page = client.fetch(Request(f"{server.url}/slow"), replace(FAST, timeout=0.3))
    assert page.content == b"now"


def test_truncated_body_is_retried(server: ReplayServer, client: HttpClient) -> None:
    # A body cut short is a dropped connection: retried, never returned as if it were whole.
    server.serve_bytes("/a", b"x" * 10_000, fault=Fault(truncate=True, times=1))
    assert client.fetch(Request(f"{server.url}/a")).content == b"x" * 10_000
    server.fault("/a", Fault(truncate=True))
    with pytest.raises(
        FetchError,
        match=r"Forbindelsen ble brutt mens svaret .*/a ble lest, før alle 10000 byte var mottatt; ga opp etter 3",
    ):
        client.fetch(Request(f"{server.url}/a"))


def test_redirect_followed_and_final_url_kept(server: ReplayServer, client: HttpClient) -> None:
    server.serve_bytes("/old", b"", fault=Fault(redirect="/new"))
    server.serve_bytes("/new", b"moved here")
    page = client.fetch(Request(f"{server.url}/old"))
    assert (page.url, page.content) == (f"{server.url}/new", b"moved here")


def test_spacing_per_host(server: ReplayServer, fake: FakeTime) -> None:
    server.serve_bytes("/a", b"1")
    spaced = replace(FAST, min_interval=0.2)
    with HttpClient(spaced, sleep=fake.sleep, clock=fake.clock) as http:
        http.fetch(Request(f"{server.url}/a"))
        http.fetch(Request(f"{server.url}/a"))
        assert fake.sleeps == [pytest.approx(0.2)]
        fake.now += 5  # long enough since the last request: no wait
        http.fetch(Request(f"{server.url}/a"))
    assert fake.sleeps == [pytest.approx(0.2)]


def test_spacing_with_real_clock(server: ReplayServer) -> None:
    server.serve_bytes("/a", b"1")
    waits: list[float] = []
    with HttpClient(replace(FAST, min_interval=0.2), sleep=waits.append) as http:
        http.fetch(Request(f"{server.url}/a"))
        http.fetch(Request(f"{server.url}/a"))
    assert len(waits) == 1 and 0 < waits[0] <= 0.2


def test_multipart_parts_each_carry_json_content_type(server: ReplayServer, client: HttpClient) -> None:
    server.serve_bytes("/search", b"{}")
    query = json.dumps({"bool": {"must": [{"terms": {"type": ["1", "2", "8"]}}]}})
    files = (("query", query, "application/json"), ("languages", '["en"]', "application/json"))
    client.fetch(Request(f"{server.url}/search", method="POST", files=files))
    [got] = server.received("/search")
    assert got.method == "POST"
    assert got.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    parts = got.parts()
    assert [(p.name, p.filename, p.content_type) for p in parts] == [
        ("query", "blob", "application/json"),
        ("languages", "blob", "application/json"),
    ]
    assert json.loads(parts[0].body) == json.loads(query)


def test_size_cap(server: ReplayServer, client: HttpClient, fake: FakeTime) -> None:
    server.serve_bytes("/big", b"x" * 2_000)
    small = replace(FAST, max_bytes=1_000)
    with pytest.raises(FetchError, match=rf"Svaret fra {server.url}/big er større enn 1000 byte"):
        client.fetch(Request(f"{server.url}/big"), small)
    # Compressed on the wire, large once unpacked: the streamed count stops it, not the header.
    server.serve_bytes("/bomb", gzip.compress(b"x" * 200_000), headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match=r"større enn 1000 byte; nedlastingen ble stoppet"):
        client.fetch(Request(f"{server.url}/bomb"), small)
    assert fake.sleeps == []  # too big is not retried


def test_connection_refused(client: HttpClient) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago and has no listener now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError, match=rf"Fikk ikke kontakt med http://127.0.0.1:{port}/x \("):
        client.fetch(Request(f"http://127.0.0.1:{port}/x"))


def test_scan_replay_serves_pages_by_number(server: ReplayServer, fake: FakeTime) -> None:
    scan = ScanReplay(SCANS / "2026-06-17")
    server.route(SEARCH_PATH, scan)
    url = f"{server.url}{SEARCH_PATH}"
    params = (("apiKey", "SEDIA"), ("text", "***"), ("pageSize", "100"), ("pageNumber", "2"))
    languages = (("languages", '["en"]', "application/json"),)
    with HttpClient(replace(FAST, max_bytes=50_000_000), sleep=fake.sleep, clock=fake.clock) as http:
        page = http.fetch(Request(url, method="POST", params=params, files=languages))
        data = json.loads(page.content)
        assert (data["pageNumber"], data["totalResults"]) == (2, 626)
        assert page.content == gzip.decompress((SCANS / "2026-06-17" / "page-2.json.gz").read_bytes())

        past_end = dict(params) | {"pageNumber": str(scan.pages + 1)}
        with pytest.raises(FetchError, match=r"HTTP 404 .*no recorded page 8 in 2026-06-17"):
            http.fetch(Request(url, method="POST", params=tuple(past_end.items())))
        with pytest.raises(FetchError, match=r"HTTP 405"):
            http.fetch(Request(url, params=params))

        scan.use(SCANS / "2026-06-24")
        week2 = http.fetch(Request(url, method="POST", params=params))
        assert week2.content == gzip.decompress((SCANS / "2026-06-24" / "page-2.json.gz").read_bytes())


def test_malformed_url_is_a_fetch_error(client: HttpClient) -> None:
    with pytest.raises(FetchError, match=r"^Kunne ikke hente not-a-url: "):
        client.fetch(Request("not-a-url"))
