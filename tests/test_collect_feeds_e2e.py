"""End to end: `eumonitor collect` over a local server replaying recorded feeds next to the EU portal's scan."""

from __future__ import annotations

import html
import json
from pathlib import Path

from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.store import Store
from tests.support.replay_server import ReplayServer
from tests.support.roots import FIXTURES, SEARCH_PATH, write_root

ITEM_PAGES = {
    "/utlysninger/2025/forskerprosjekt-fornyelse-tematisk/": "page-2025-forskerprosjekt-fornyelse-tematisk",
    "/utlysninger/2023/pilot-helse/": "page-2023-pilot-helse",
    "/utlysninger/2020/regionale-samarbeidsprosjekt-2021/": "page-2020-regionale-samarbeidsprosjekt-2021",
}


def programme_page() -> bytes:
    """Interreg Europe's "Next call" page: the real captured text in markup of ours (no raw HTML exists)."""
    text = (FIXTURES / "source-pages" / "interreg-europe" / "next-call-for-projects.capture-a.txt").read_text()
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines()[5:] if line.strip())
    return f"<html><body><main><h1>Next call for projects</h1>{paragraphs}</main></body></html>".encode()


def serve_feeds(server: ReplayServer) -> None:
    def fixture(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    server.serve_bytes("/kalender/liste/", fixture("interreg-no/kalender-2024-05-21.outlook-ical.excerpt.txt"),
                       "text/calendar; charset=utf-8")  # fmt: skip
    server.serve_bytes("/events/feed/", fixture("wordpress-rss/thehacc-org_events-feed_2018-05-29.xml"),
                       "application/rss+xml; charset=UTF-8")  # fmt: skip
    server.serve_bytes("/wp-json/tribe/events/v1/events", fixture("tribe-rest/thefdha-org_events_2022-09-21.json"))
    server.serve_bytes("/utlysninger/", fixture("html-list/listing.derived.html"), "text/html; charset=utf-8")
    for path, name in ITEM_PAGES.items():
        server.serve_bytes(path, fixture(f"html-list/{name}.derived.html"), "text/html; charset=utf-8")
    server.serve_bytes("/next-call-for-projects", programme_page(), "text/html; charset=utf-8")
    server.serve_bytes("/redesigned/", fixture("html-list/listing-layout-changed.derived.html"), "text/html")
    server.serve_bytes("/feed/", fixture("html-list/listing.derived.html"), "text/html; charset=utf-8")


def write_feed_sources(root: Path, base: str) -> None:
    sources = {
        "interreg-no": f'kind = "ical"\nurl = "{base}/kalender/liste/?ical=1"\ntags = ["sekundær"]\n'
        '[options]\ndeadline_tz = "Europe/Oslo"\nexclude = ["Sverige-Norge", "Aurora"]\nmatch_in = "title"\n',
        "hacc": f'kind = "rss"\nurl = "{base}/events/feed/"\n[options]\ninclude = ["scholarship", "workshop"]\n',
        "fdha": f'kind = "wp_json"\nurl = "{base}/wp-json/tribe/events/v1/events"\n',
        "forskningsradet": f'kind = "html_list"\nurl = "{base}/utlysninger/"\n'
        '[options]\nitem = ".call-item"\ntitle = "h3"\ndate = ".date"\nfollow = true\ncontent = "main"\n',
        "interreg-europe": f'kind = "html_list"\nurl = "{base}/next-call-for-projects"\n'
        '[options]\nitem = "main"\ntitle = "h1"\nlink = ""\nprogramme = "Interreg Europe"\n',
        "redesigned": f'kind = "html_list"\nurl = "{base}/redesigned/"\n[options]\nitem = ".call-item"\n',
        "west-norway": f'kind = "rss"\nurl = "{base}/feed/"\n',
    }
    for name, body in sources.items():
        (root / "sources" / f"{name}.toml").write_text(body, encoding="utf-8")


def test_collect_stores_feed_calls_next_to_the_eu_portals_and_reports_broken_sources(portal, tmp_path: Path) -> None:
    server, _ = portal
    root = write_root(tmp_path / "root", server.url + SEARCH_PATH)
    serve_feeds(server)
    write_feed_sources(root, server.url)

    result = CliRunner().invoke(main, ["--root", str(root), "--now", "2024-04-02", "collect", "--json"])
    assert result.exit_code == 1, result.output  # one source failed, the rest were stored
    runs = {r["source"]: r for r in json.loads(result.stdout)}
    assert {s: r["status"] for s, r in runs.items()} == {
        "eu-funding-tenders": "ok",
        "fdha": "ok",
        "forskningsradet": "ok",
        "hacc": "ok",
        "interreg-europe": "ok",
        "interreg-no": "ok",
        "redesigned": "empty",
        "west-norway": "error",
    }
    assert runs["redesigned"]["error"] == (
        "fant ingen elementer for selektoren '.call-item' – har sidens oppsett endret seg?"
    )
    assert runs["west-norway"]["error"].startswith("ventet RSS/Atom, fikk en HTML-side")
    assert runs["forskningsradet"]["counts"]["calls"] == 3
    assert runs["hacc"]["counts"]["calls"] == 4  # two scholarship sessions and two workshops of six items
    assert runs["fdha"]["counts"]["calls"] == 5

    store = Store(root / "var" / "eumonitor.db")
    try:
        assert store.count_calls("eu-funding-tenders") > 100
        third = store.get_call("interreg-no", "18098")
        assert third.title == "Third call for projects" and str(third.deadlines[0]) == "2024-06-06"
        fornyelse = store.get_call(
            "forskningsradet", server.url + "/utlysninger/2025/forskerprosjekt-fornyelse-tematisk/"
        )
        assert str(fornyelse.deadlines[0]) == "2025-03-05"
        # interreg.no (secondary) and the programme's own page announce one call: linked, the programme first.
        group = store.linked_calls("interreg-no", "18098")
        assert [s for s, _, _ in group] == ["interreg-europe", "interreg-no"]
    finally:
        store.close()

    found = CliRunner().invoke(main, ["--root", str(root), "--now", "2024-04-02", "search", "--json", "Third call"])
    assert any(hit["source"] == "interreg-no" for hit in json.loads(found.stdout))


def test_test_source_save_fixture_records_the_raw_responses_with_the_date(tmp_path: Path) -> None:
    with ReplayServer() as server:
        feed = (FIXTURES / "wordpress-rss" / "thehacc-org_events-feed_2018-05-29.xml").read_bytes()
        server.serve_bytes("/events/feed/", feed, "application/rss+xml; charset=UTF-8")
        server.serve_bytes("/redesigned/", (FIXTURES / "html-list/listing-layout-changed.derived.html").read_bytes(),
                           "text/html")  # fmt: skip
        root = write_root(tmp_path / "root", server.url + SEARCH_PATH)
        (root / "sources" / "hacc.toml").write_text(f'kind = "rss"\nurl = "{server.url}/events/feed/"\n')
        (root / "sources" / "redesigned.toml").write_text(
            f'kind = "html_list"\nurl = "{server.url}/redesigned/"\n[options]\nitem = ".call-item"\n'
        )
        runner = CliRunner()
        args = ["--root", str(root), "--now", "2026-11-26"]
        result = runner.invoke(main, [*args, "test-source", "hacc", "--save-fixture"])
        assert result.exit_code == 0, result.output
        broken = runner.invoke(main, [*args, "test-source", "redesigned", "--save-fixture"])

    assert "6 utlysninger" in result.stdout
    saved = root / "tests" / "fixtures" / "hacc" / "2026-11-26_1.xml"
    assert saved.read_bytes() == feed
    index = json.loads((root / "tests" / "fixtures" / "hacc" / "index.json").read_text())
    (entry,) = index["recordings"]
    assert entry["file"] == "2026-11-26_1.xml"
    assert entry["url"] == server.url + "/events/feed/"
    assert entry["headers"]["Content-Type"].startswith("application/rss+xml")
    assert index["source"]["kind"] == "rss"
    # A page whose layout changed is recorded too, and the person is told what was expected.
    assert "fant ingen elementer for selektoren '.call-item'" in broken.stdout
    assert (root / "tests" / "fixtures" / "redesigned" / "2026-11-26_1.html").exists()
    assert not (root / "var" / "eumonitor.db").exists()  # test-source stores nothing in the archive


def test_a_listing_whose_layout_changed_is_empty_and_keeps_what_was_listed(tmp_path: Path) -> None:
    with ReplayServer() as server:
        for path, name in ITEM_PAGES.items():
            server.serve_bytes(path, (FIXTURES / f"html-list/{name}.derived.html").read_bytes(), "text/html")
        server.serve_bytes("/utlysninger/", (FIXTURES / "html-list/listing.derived.html").read_bytes(), "text/html")
        root = write_root(tmp_path / "root", server.url + SEARCH_PATH)
        (root / "sources" / "eu-funding-tenders.toml").unlink()
        (root / "sources" / "forskningsradet.toml").write_text(
            f'kind = "html_list"\nurl = "{server.url}/utlysninger/"\n'
            '[options]\nitem = ".call-item"\ntitle = "h3"\nfollow = true\n'
        )
        args = ["--root", str(root), "--now", "2024-04-02", "collect", "--json"]
        first = json.loads(CliRunner().invoke(main, args).stdout)
        redesigned = (FIXTURES / "html-list/listing-layout-changed.derived.html").read_bytes()
        server.serve_bytes("/utlysninger/", redesigned, "text/html")
        second = json.loads(CliRunner().invoke(main, args).stdout)

    assert first[0]["status"] == "ok" and first[0]["counts"]["calls"] == 3
    assert second[0]["status"] == "empty"
    assert "selektoren '.call-item'" in second[0]["error"]
    assert second[0]["unlisted"] == []  # a broken page is no evidence that the calls are gone
    store = Store(root / "var" / "eumonitor.db")
    try:
        assert len(store.recent_runs("forskningsradet")) == 2  # the source health shows the empty run
        assert store.recent_runs("forskningsradet")[0]["status"] == "empty"
    finally:
        store.close()


def test_an_item_that_scrolls_off_a_feed_is_not_marked_unlisted(tmp_path: Path) -> None:
    import re

    feed = (FIXTURES / "wordpress-rss/thehacc-org_events-feed_2018-05-29.xml").read_bytes()
    # The same feed a week later, as a feed shows it: its oldest item gone (a variant made here, not a recording).
    items = list(re.finditer(rb"<item>.*?</item>\s*", feed, re.DOTALL))
    shorter = feed[: items[-1].start()] + feed[items[-1].end() :]
    with ReplayServer() as server:
        server.serve_bytes("/events/feed/", feed, "application/rss+xml")
        root = write_root(tmp_path / "root", server.url + SEARCH_PATH)
        (root / "sources" / "eu-funding-tenders.toml").unlink()
        (root / "sources" / "hacc.toml").write_text(f'kind = "rss"\nurl = "{server.url}/events/feed/"\n')
        args = ["--root", str(root), "--now", "2018-05-29", "collect", "--json"]
        first = json.loads(CliRunner().invoke(main, args).stdout)
        server.serve_bytes("/events/feed/", shorter, "application/rss+xml")
        second = json.loads(CliRunner().invoke(main, args).stdout)
    assert first[0]["counts"]["calls"] == len(items) > 1
    assert second[0]["status"] == "ok" and second[0]["counts"]["calls"] == len(items) - 1
    assert second[0]["unlisted"] == []


def test_run_once_links_the_same_call_on_two_sources_as_collect_does(tmp_path: Path) -> None:
    with ReplayServer() as server:
        serve_feeds(server)
        root = write_root(tmp_path / "root", server.url + SEARCH_PATH)
        (root / "sources" / "eu-funding-tenders.toml").unlink()
        write_feed_sources(root, server.url)
        for name in ("hacc", "fdha", "forskningsradet", "redesigned", "west-norway"):
            (root / "sources" / f"{name}.toml").unlink()
        result = CliRunner().invoke(main, ["--root", str(root), "--now", "2024-04-02", "run", "--once"])
    assert result.exit_code == 0, result.output
    store = Store(root / "var" / "eumonitor.db")
    try:
        assert [s for s, _, _ in store.linked_calls("interreg-no", "18098")] == ["interreg-europe", "interreg-no"]
    finally:
        store.close()
