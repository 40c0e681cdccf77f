"""Shared test fixtures: temporary configuration roots and a local server replaying recorded scans."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.replay_server import SEARCH_PATH, ReplayServer, ScanReplay
from tests.support.roots import SCANS, write_root


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy from the environment must never carry test traffic (to 127.0.0.1 or localhost) off the machine."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def portal() -> Iterator[tuple[ReplayServer, ScanReplay]]:
    """A local SEDIA search API replaying the 2026-06-17 scan (switch weeks with `.use`)."""
    replay = ScanReplay(SCANS / "2026-06-17")
    with ReplayServer() as server:
        server.route(SEARCH_PATH, replay)
        yield server, replay


@pytest.fixture
def portal_root(tmp_path: Path, portal) -> Path:
    server, _ = portal
    return write_root(tmp_path / "root", server.url + SEARCH_PATH)
