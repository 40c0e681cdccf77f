"""Configuration roots for tests and benchmarks: one EU portal source pointing at a local replay server."""

from __future__ import annotations

from pathlib import Path

from tests.support.replay_server import SEARCH_PATH

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCANS = FIXTURES / "ft-portal" / "scans"
__all__ = ["FIXTURES", "SCANS", "SEARCH_PATH", "write_root"]


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
