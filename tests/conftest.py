"""Shared test fixtures: temporary configuration roots and a local server replaying recorded scans."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.replay_server import SEARCH_PATH, ReplayServer, ScanReplay
from tests.support.roots import SCANS, write_root


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
