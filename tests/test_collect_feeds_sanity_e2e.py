"""End to end: one malformed item on a listing page, and a feed cut off mid-item, cost only that item.

The faulty pages are built here from the recordings (tests/fixtures/html-list/listing.derived.html and
tests/fixtures/wordpress-rss/thehacc-org_events-feed_2018-05-29.xml); the fixture files are not changed.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from eumonitor.cli import main
from tests.support.replay_server import ReplayServer
from tests.support.roots import FIXTURES

LISTING = (FIXTURES / "html-list" / "listing.derived.html").read_bytes()
FEED = (FIXTURES / "wordpress-rss" / "thehacc-org_events-feed_2018-05-29.xml").read_bytes()


def make_root(root: Path, source: str) -> Path:
    (root / "sources").mkdir(parents=True)
    (root / "config.toml").write_text(
        '[http]\ncontact = "t@example.org"\nretries = 0\nbackoff = 0\nmin_interval = 0\ntimeout = 5\n', encoding="utf-8"
    )
    (root / "sources" / "site.toml").write_text(source, encoding="utf-8")
    return root


def collect(root: Path, now: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["--root", str(root), "--now", now, "collect", "--json"])
    (run,) = json.loads(result.stdout)
    return result.exit_code, run


def rows(root: Path) -> dict[str, tuple]:
    db = sqlite3.connect(root / "var" / "eumonitor.db")
    found = db.execute("SELECT external_id, title, description_text, deadlines, listed, content_hash FROM calls")
    result = {r[0]: r[1:] for r in found}
    db.close()
    return result


def test_a_malformed_link_and_a_year_zero_date_cost_one_item_not_the_source(tmp_path: Path) -> None:
    with ReplayServer() as server:
        server.serve_bytes("/utlysninger/", LISTING, "text/html; charset=utf-8")
        source = (
            f'kind = "html_list"\nurl = "{server.url}/utlysninger/"\n'
            '[options]\nitem = ".call-item"\ntitle = "h3"\ndate = ".date"\n'
        )
        root = make_root(tmp_path / "root", source)
        code, first = collect(root, "2024-04-02")
        assert code == 0 and first["status"] == "ok" and first["counts"]["calls"] == 3
        before = rows(root)

        hostile = LISTING.replace(b'href="/utlysninger/2023/pilot-helse/"', b'href="http://[::1"')
        hostile = hostile.replace("Søknadsfrist 5. mars 2025".encode(), b"Frist mai 0000")
        server.serve_bytes("/utlysninger/", hostile, "text/html; charset=utf-8")
        code, second = collect(root, "2024-04-03")

    assert code == 0 and second["status"] == "ok", second
    assert second["counts"]["calls"] == 2 and second["unlisted"] == []
    assert second["counts"]["skipped"] >= 1
    after = rows(root)
    assert set(after) == set(before)
    pilot = next(k for k in before if "pilot-helse" in k)
    assert after[pilot] == before[pilot]  # the unreadable item keeps what the archive had


def test_a_feed_cut_off_mid_item_does_not_overwrite_that_items_text(tmp_path: Path) -> None:
    cut_at = FEED.index(b"Entrepreneurship Boot camp will help you reach")  # inside item 3's full text
    with ReplayServer() as server:
        server.serve_bytes("/feed/", FEED, "application/rss+xml; charset=UTF-8")
        root = make_root(tmp_path / "root", f'kind = "rss"\nurl = "{server.url}/feed/"\n')
        code, first = collect(root, "2018-05-29")
        assert code == 0 and first["counts"]["calls"] == 6
        before = rows(root)

        server.serve_bytes("/feed/", FEED[:cut_at], "application/rss+xml; charset=UTF-8")
        code, second = collect(root, "2018-05-30")

    assert code == 0 and second["status"] == "ok", second
    assert second["counts"]["skipped"] == 1 and second["counts"]["calls"] == 2
    assert second["changed"] == [] and second["unlisted"] == []
    assert rows(root) == before
    boot_camp = next(v for v in before.values() if v[0].startswith("Entrepreneurship Boot Camp"))
    assert "reach your “open my own business” goal" in boot_camp[1]
