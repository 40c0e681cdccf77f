"""Shared test fixtures: temporary configuration roots and a local server replaying recorded scans."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from replay_server import ReplayServer, ScanReplay

FIXTURES = Path(__file__).parent / "fixtures"
SCANS = FIXTURES / "ft-portal" / "scans"
SEARCH_PATH = "/search-api/prod/rest/search"


def write_root(root: Path, portal_url: str, config: str = "") -> Path:
    """A configuration root with one EU portal source pointing at `portal_url`; fast retries for tests."""
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(
        config or '[http]\ncontact = "test@example.org"\nretries = 1\nbackoff = 0.01\nmin_interval = 0\ntimeout = 5\n',
        encoding="utf-8",
    )
    (root / "sources" / "eu-funding-tenders.toml").write_text(
        f'kind = "ft_api"\ntitle = "EU-portalen"\nurl = "{portal_url}?apiKey=SEDIA"\n', encoding="utf-8"
    )
    return root


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
