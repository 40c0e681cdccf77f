"""Matching tests' shared set-up: calls from a real recorded portal scan, and a root whose archive holds some."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from eumonitor.matching.evaluation import scan_calls
from eumonitor.model import Call
from eumonitor.store import Store

REPO = Path(__file__).resolve().parents[2]
SCAN = REPO / "tests/fixtures/ft-portal/scans/2026-06-24"
NOW = datetime(2026, 6, 24, 10, tzinfo=UTC)
OCEAN = "HORIZON-MISS-2027-03-OCEAN-04"  # an ocean call every ocean profile should find
SOURCE = "eu-funding-tenders"


@cache
def corpus() -> list[Call]:
    """The 2026-06-24 scan's calls, normalised as a collect would."""
    return scan_calls([SCAN], NOW)


def add_calls(store: Store, calls: list[Call]) -> None:
    """Calls into the archive as a collect would put them (without unlisting anything)."""
    with store.transaction():
        store.upsert_calls(SOURCE, calls, NOW, None, complete=False)


def archive_root(root: Path, config: str = "", calls: int = 300) -> Path:
    """A root with the repository's profiles and an archive of the scan's first `calls` calls."""
    shutil.copytree(REPO / "profiles", root / "profiles")
    (root / "config.toml").write_text('[archive]\npath = "var/eumonitor.db"\n' + config)
    store = Store(root / "var/eumonitor.db")
    add_calls(store, corpus()[:calls])
    store.close()
    return root
