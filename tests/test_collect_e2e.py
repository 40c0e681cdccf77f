"""End to end: `eumonitor collect` against a local server replaying two real weekly scans of the EU portal."""

from __future__ import annotations

import gzip
import json
import sqlite3
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from eumonitor.cli import main
from tests.support.replay_server import Fault
from tests.support.roots import SCANS, SEARCH_PATH, write_root

WEEK1, WEEK2 = "2026-06-17", "2026-06-24"
STATUS_CODES = {"31094501": "forthcoming", "31094502": "open", "31094503": "closed"}


def raw_scan(scan: str) -> dict[str, dict]:
    """Independent reading of a recorded scan: identifier -> (deadlines, effective status), from the raw JSON."""
    calls: dict[str, dict] = {}
    for path in sorted((SCANS / scan).glob("page-*.json.gz")):
        for result in json.loads(gzip.decompress(path.read_bytes()))["results"]:
            meta = result["metadata"]
            deadlines = sorted({d[:10] for d in meta.get("deadlineDate", [])})
            status = STATUS_CODES.get(meta.get("status", [""])[0], "")
            if status in ("open", "forthcoming") and deadlines and deadlines[-1] < scan:
                status = "closed"  # the portal still says open, but every deadline has passed
            calls[meta["identifier"][0]] = {"deadlines": deadlines, "status": status}
    return calls


def collect(root: Path, now: str, *extra: str):
    return CliRunner().invoke(main, ["--root", str(root), "--now", now, "collect", "--json", *extra])


def test_two_weekly_scans_give_one_call_per_identifier_and_exact_change_report(portal, portal_root):
    _, replay = portal
    first = collect(portal_root, WEEK1)
    assert first.exit_code == 0, first.output
    (run1,) = json.loads(first.output)
    week1 = raw_scan(WEEK1)
    assert run1["status"] == "ok" and run1["error"] is None
    assert sorted(run1["new"]) == sorted(week1)

    replay.use(SCANS / WEEK2)
    second = collect(portal_root, WEEK2)
    assert second.exit_code == 0, second.output
    (run2,) = json.loads(second.output)
    week2 = raw_scan(WEEK2)

    assert sorted(run2["new"]) == sorted(set(week2) - set(week1))
    # The recording repeats 80 hits across pages (paged in the portal's unstable order), so 80 of its 635
    # documents never arrived: the scan is short, and a call missing from it is no evidence of withdrawal.
    assert run2["unlisted"] == [] and "Ufullstendig skann" in run2["error"]
    both = set(week1) & set(week2)
    moved = {i for i in both if week1[i]["deadlines"] != week2[i]["deadlines"]}
    status_changed = {i for i in both if week1[i]["status"] != week2[i]["status"]}
    assert moved | status_changed <= set(run2["changed"])
    assert run2["counts"]["unchanged"] + len(run2["changed"]) == len(both)

    db = sqlite3.connect(portal_root / "var" / "eumonitor.db")
    assert db.execute("SELECT count(*) FROM calls").fetchone()[0] == len(set(week1) | set(week2))
    kinds = {
        kind: {
            row[0]
            for row in db.execute(
                "SELECT c.external_id FROM call_changes ch JOIN calls c ON c.id = ch.call_id "
                "WHERE ch.kind = ? AND ch.at >= '2026-06-24'",
                (kind,),
            )
        }
        for kind in ("deadline_moved", "status_changed", "unlisted")
    }
    assert kinds["deadline_moved"] == moved
    assert kinds["status_changed"] == status_changed
    assert kinds["unlisted"] == set()


def test_replaying_the_same_scan_changes_nothing(portal, portal_root):
    assert collect(portal_root, WEEK1).exit_code == 0
    (again,) = json.loads(collect(portal_root, "2026-06-18").output)
    assert again["new"] == [] and again["unlisted"] == []
    assert again["counts"]["unchanged"] == len(raw_scan(WEEK1)) - len(again["changed"])


def test_search_and_show_find_a_collected_call(portal, portal_root):
    assert collect(portal_root, WEEK1).exit_code == 0
    runner = CliRunner()
    found = runner.invoke(main, ["--root", str(portal_root), "--now", WEEK1, "search", "ocean", "--json"])
    assert found.exit_code == 0, found.output
    rows = json.loads(found.output)
    assert rows and {"source", "id", "title", "status", "next_deadline", "url"} <= set(rows[0])
    assert any("ocean" in r["title"].lower() for r in rows[:5])
    ident = rows[0]["id"]
    shown = runner.invoke(main, ["--root", str(portal_root), "--now", WEEK1, "show", ident.lower()])
    assert shown.exit_code == 0, shown.output
    assert ident in shown.output and "Historikk" in shown.output and "ny" in shown.output

    open_only = json.loads(
        runner.invoke(
            main,
            ["--root", str(portal_root), "--now", WEEK1, "search", "--status", "open", "--limit", "1000", "--json"],
        ).output
    )
    assert open_only and all(r["status"] == "open" for r in open_only)
    assert all(r["next_deadline"] >= WEEK1 for r in open_only)
    soon = json.loads(
        runner.invoke(
            main,
            [
                "--root",
                str(portal_root),
                "--now",
                WEEK1,
                "search",
                "--deadline-before",
                "2026-09-30",
                "--limit",
                "1000",
                "--json",
            ],
        ).output
    )
    assert soon and all(date.fromisoformat(r["next_deadline"]) <= date(2026, 9, 30) for r in soon)
    assert len(soon) < len(raw_scan(WEEK1))


def test_a_failed_page_leaves_the_archive_as_it_was(portal, portal_root):
    server, replay = portal
    assert collect(portal_root, WEEK1).exit_code == 0
    replay.use(SCANS / WEEK2)
    server.fault(SEARCH_PATH, Fault(status=503, body=b"Service Unavailable", times=100))
    failed = collect(portal_root, WEEK2)
    assert failed.exit_code == 1
    (run,) = json.loads(failed.output)
    assert run["status"] == "error" and "503" in run["error"]
    assert run["new"] == [] and run["unlisted"] == []
    db = sqlite3.connect(portal_root / "var" / "eumonitor.db")
    assert db.execute("SELECT count(*) FROM calls WHERE listed = 0").fetchone()[0] == 0
    assert db.execute("SELECT status FROM source_runs ORDER BY id DESC").fetchone()[0] == "error"


def _failing_on_page(replay, page: str, response):
    """A handler replaying the scan but answering `response` for one page number."""

    def handler(request):
        if request.query.get("pageNumber") == page:
            return response
        return replay(request)

    return handler


HTML = {"Content-Type": "text/html"}
JSON = {"Content-Type": "application/json"}
FAULTS = {
    "5xx": ((503, JSON, b'{"message":"Service Unavailable"}'), None, "503"),
    "html-error-page": ((200, HTML, b"<html><body><h1>Service unavailable</h1></body></html>"), None, "JSON"),
    "not-json": ((200, JSON, b"Internal error, please retry"), None, "JSON"),
    "truncated": ((200, JSON, b'{"totalResults": 626, "results": [{"metadata": '), None, "JSON"),
    "shape-changed": ((200, JSON, b'{"hits": [], "total": 626}'), None, "results"),
    "timeout": (None, Fault(delay=3.0), "Tidsavbrudd"),
    "dropped": (None, Fault(drop=True), "brutt"),
}


def test_each_fault_half_way_is_an_error_run_that_keeps_the_archive_and_the_other_sources(tmp_path, portal):
    server, replay = portal
    root = tmp_path / "root"
    write_root(
        root,
        server.url + SEARCH_PATH,
        '[http]\ncontact = "t@example.org"\nretries = 1\nbackoff = 0.01\nmin_interval = 0\ntimeout = 0.5\n',
    )
    (root / "sources" / "second-portal.toml").write_text(
        f'kind = "ft_api"\nurl = "{server.url}/second?apiKey=SEDIA"\n', encoding="utf-8"
    )
    server.route("/second", replay)
    assert collect(root, WEEK1).exit_code == 0
    db = sqlite3.connect(root / "var" / "eumonitor.db")
    replay.use(SCANS / WEEK2)
    for name, (response, fault, expected) in FAULTS.items():
        if response is not None:
            server.route(SEARCH_PATH, _failing_on_page(replay, "3", response))
        else:
            server.route(SEARCH_PATH, replay, fault)
        result = collect(root, WEEK2)
        runs = {r["source"]: r for r in json.loads(result.output)}
        failed = runs["eu-funding-tenders"]
        assert result.exit_code == 1, name
        assert failed["status"] == "error", name
        assert expected in failed["error"], (name, failed["error"])
        assert failed["new"] == [] and failed["unlisted"] == [], name
        assert runs["second-portal"]["status"] == "ok", name
        after = db.execute("SELECT count(*) FROM calls WHERE source = 'eu-funding-tenders'").fetchone()[0]
        assert after == len(raw_scan(WEEK1)), name
        listed = db.execute("SELECT count(*) FROM calls WHERE source = 'eu-funding-tenders' AND listed = 0").fetchone()[
            0
        ]
        assert listed == 0, name


def test_an_answer_with_no_calls_is_a_warning_that_unlists_nothing(portal, portal_root):
    server, replay = portal
    assert collect(portal_root, WEEK1).exit_code == 0
    envelope = json.loads(gzip.decompress((SCANS / WEEK1 / "page-1.json.gz").read_bytes()))
    empty = json.dumps({**envelope, "totalResults": 0, "results": []}).encode()  # a derived variant, not a recording
    server.serve_bytes(SEARCH_PATH, empty)
    (run,) = json.loads(collect(portal_root, WEEK2).output)
    assert run["status"] == "empty" and "626" in run["error"]
    assert run["unlisted"] == []
    db = sqlite3.connect(portal_root / "var" / "eumonitor.db")
    assert db.execute("SELECT count(*) FROM calls WHERE listed = 0").fetchone()[0] == 0


def test_a_record_that_cannot_be_read_is_skipped_not_unlisted(portal, portal_root):
    server, replay = portal
    assert collect(portal_root, WEEK1).exit_code == 0
    page = json.loads(gzip.decompress((SCANS / WEEK1 / "page-1.json.gz").read_bytes()))
    broken = page["results"][0]["metadata"].pop("identifier")[0]  # a variant made here, not a recording

    def handler(request):
        if request.query.get("pageNumber") == "1":
            return 200, {"Content-Type": "application/json"}, json.dumps(page).encode()
        return replay(request)

    server.route(SEARCH_PATH, handler)
    (run,) = json.loads(collect(portal_root, "2026-06-18").output)
    assert run["status"] == "ok" and run["counts"]["skipped"] == 1
    assert broken not in run["unlisted"] and run["unlisted"] == []
