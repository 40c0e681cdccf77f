"""End to end: a portal that contradicts itself or changes its format never costs the archive anything.

Every faulty answer is built here from the recorded weekly scans (tests/fixtures/ft-portal/scans/); the
recordings themselves are served unchanged by the local replay server for every page not being faulted.
"""

from __future__ import annotations

import copy
import gzip
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from eumonitor.cli import main
from tests.support.roots import SCANS, SEARCH_PATH

WEEK1, WEEK2 = "2026-06-17", "2026-06-24"
JSON = {"Content-Type": "application/json"}


def recorded(scan: str, number: int) -> dict:
    return json.loads(gzip.decompress((SCANS / scan / f"page-{number}.json.gz").read_bytes()))


def collect(root: Path, now: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["--root", str(root), "--now", now, "collect", "--json"])
    (run,) = json.loads(result.stdout)
    return result.exit_code, run


def archive(root: Path) -> list[tuple]:
    """Every call as stored, and the number of recorded changes: what must not move on a refused run."""
    db = sqlite3.connect(root / "var" / "eumonitor.db")
    rows = db.execute(
        "SELECT external_id, title, status, deadlines, listed, content_hash FROM calls ORDER BY external_id"
    ).fetchall()
    changes = db.execute("SELECT count(*) FROM call_changes").fetchone()[0]
    db.close()
    return [*rows, ("changes", changes)]


def serve_pages(server, replay, make: Callable[[int, dict], dict], scan: str = WEEK1) -> None:
    """The recorded scan, each page passed through `make(number, page)` (a variant built in this test)."""

    def handler(request):
        number = int(request.query.get("pageNumber", "0"))
        if not 1 <= number <= replay.pages:
            return replay(request)
        return 200, JSON, json.dumps(make(number, recorded(scan, number))).encode()

    server.route(SEARCH_PATH, handler)


def each_hit(change: Callable[[dict], None]) -> Callable[[int, dict], dict]:
    def make(_number: int, page: dict) -> dict:
        page = copy.deepcopy(page)
        for hit in page["results"]:
            change(hit["metadata"])
        return page

    return make


def first_scan(root: Path) -> list[tuple]:
    code, run = collect(root, WEEK1)
    assert code == 0 and run["status"] == "ok", run
    return archive(root)


def test_a_total_that_changes_on_page_3_is_an_error_naming_the_page_and_unlists_nothing(portal, portal_root):
    server, replay = portal
    before = first_scan(portal_root)
    for total in (0, 250):

        def make(number: int, page: dict, total: int = total) -> dict:
            if number != 3:
                return page
            return {**page, "totalResults": total, "results": [] if total == 0 else page["results"]}

        serve_pages(server, replay, make)
        code, run = collect(portal_root, "2026-06-18")
        assert code == 1 and run["status"] == "error", run
        assert f"side 3 oppga {total} treff, men side 1 oppga 626" in run["error"]
        assert run["unlisted"] == [] and run["new"] == []
        assert archive(portal_root) == before


def test_a_page_that_repeats_the_previous_page_is_an_error_naming_the_page(portal, portal_root):
    server, replay = portal
    before = first_scan(portal_root)
    serve_pages(server, replay, lambda n, page: {**recorded(WEEK1, 2), "pageNumber": 3} if n == 3 else page)
    code, run = collect(portal_root, "2026-06-18")
    assert code == 1 and run["status"] == "error"
    assert "side 3 ga bare treff som allerede kom på tidligere sider (100 av 100)" in run["error"]
    assert run["unlisted"] == []
    assert archive(portal_root) == before


def test_the_recorded_week_with_hits_repeated_across_pages_stores_what_it_saw_and_unlists_nothing(portal, portal_root):
    """The 2026-06-24 recording was paged in the portal's unstable relevance order: 635 reported, 555 distinct."""
    _, replay = portal
    first_scan(portal_root)
    replay.use(SCANS / WEEK2)
    code, run = collect(portal_root, WEEK2)
    assert code == 0 and run["status"] == "ok"
    assert "kilden oppga 635 treff, men bare 555 ulike kom fram" in run["error"]
    assert "side 2 gjentok 23, side 3 gjentok 42" in run["error"]
    assert run["unlisted"] == [] and run["new"]
    db = sqlite3.connect(portal_root / "var" / "eumonitor.db")
    assert db.execute("SELECT count(*) FROM calls WHERE listed = 0").fetchone()[0] == 0


def test_a_renamed_deadline_field_is_an_error_naming_the_field_and_keeps_every_deadline(portal, portal_root):
    server, replay = portal
    before = first_scan(portal_root)

    def rename(meta: dict) -> None:
        if "deadlineDate" in meta:
            meta["submissionDeadline"] = meta.pop("deadlineDate")

    serve_pages(server, replay, each_hit(rename))
    code, run = collect(portal_root, "2026-06-18")
    assert code == 1 and run["status"] == "error"
    assert "feltet deadlines:" in run["error"] and "ville mistet sine frister" in run["error"]
    assert "Arkivet beholder det det hadde" in run["error"]
    assert archive(portal_root) == before


def test_changed_status_codes_are_an_error_naming_the_status_field(portal, portal_root):
    server, replay = portal
    before = first_scan(portal_root)
    serve_pages(server, replay, each_hit(lambda meta: meta.update(status=["4711"])))
    code, run = collect(portal_root, "2026-06-18")
    assert code == 1 and run["status"] == "error"
    assert "feltet status:" in run["error"]
    assert archive(portal_root) == before


def test_a_renamed_identifier_is_an_error_saying_every_record_was_skipped_and_why(portal, portal_root):
    server, replay = portal
    before = first_scan(portal_root)
    serve_pages(server, replay, each_hit(lambda meta: meta.update(topicId=meta.pop("identifier"))))
    code, run = collect(portal_root, "2026-06-18")
    assert code == 1 and run["status"] == "error"
    assert "626 av 626 poster ble hoppet over" in run["error"]
    assert "treffet mangler identifier" in run["error"]
    assert "Kilden ga ingen utlysninger" not in run["error"]
    assert archive(portal_root) == before


def test_one_hit_with_a_year_9999_deadline_is_skipped_and_counted_and_the_rest_is_stored(portal, portal_root):
    server, replay = portal
    first_scan(portal_root)
    page = recorded(WEEK1, 1)
    victim = page["results"][5]["metadata"]["identifier"][0]
    db = sqlite3.connect(portal_root / "var" / "eumonitor.db")
    kept = db.execute("SELECT deadlines, content_hash FROM calls WHERE external_id = ?", (victim,)).fetchone()

    def make(number: int, page: dict) -> dict:
        if number == 1:
            page = copy.deepcopy(page)
            page["results"][5]["metadata"]["deadlineDate"] = ["9999-12-31T23:59:59+0000"]
        return page

    serve_pages(server, replay, make)
    code, run = collect(portal_root, "2026-06-18")
    assert code == 0 and run["status"] == "ok", run
    assert run["counts"]["skipped"] == 1 and run["counts"]["calls"] == 625
    # Every other call was read and stored; the skipped one keeps what the archive had.
    assert run["counts"]["unchanged"] + len(run["changed"]) == 625
    seen = db.execute("SELECT count(*) FROM calls WHERE last_seen >= '2026-06-18' AND external_id != ?", (victim,))
    assert seen.fetchone()[0] == 625
    assert run["unlisted"] == []  # a skipped record may still be listed
    after = db.execute("SELECT deadlines, content_hash FROM calls WHERE external_id = ?", (victim,)).fetchone()
    assert after == kept


def test_a_consistent_complete_scan_still_unlists_what_the_source_no_longer_lists(portal, portal_root):
    server, replay = portal
    first_scan(portal_root)
    gone = [hit["metadata"]["identifier"][0] for hit in recorded(WEEK1, 7)["results"][-6:]]

    def make(number: int, page: dict) -> dict:
        page = {**page, "totalResults": 620}
        return {**page, "results": page["results"][:-6]} if number == 7 else page

    serve_pages(server, replay, make)
    code, run = collect(portal_root, "2026-06-18")
    assert code == 0 and run["status"] == "ok" and run["error"] is None
    assert sorted(run["unlisted"]) == sorted(gone)
