"""End to end: a feed item with control characters, a huge title and a javascript: link, from collect to
the Atom and iCalendar feeds, the terminal and the call page. The hostile feed is built here."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from eumonitor.cli import main
from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.web import create_app
from tests.support.replay_server import ReplayServer
from tests.support.web import REPO

NOW = "2026-06-17"
ESC_TITLE = "\x1b]0;pwned\x07\x1b[31mOcean and coastal restoration for ports\x1b[0m"
LONG_TITLE = "Marine seabed fisheries " * 20_000  # ~480 kB
ITEMS = [
    (ESC_TITLE, "https://example.org/ocean", "Marine and coastal restoration of harbours and seas.\x1b[2J"),
    (LONG_TITLE, "https://example.org/long", "Fisheries and aquaculture in coastal waters."),
    ("Blue economy offshore call", "javascript:alert(1)", 'Ocean <a href="javascript:alert(2)">les mer</a>.'),
]


def hostile_feed() -> bytes:
    """RSS 2.0 with raw control bytes in it, as a broken or hostile site sends them."""
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>urn:havsiden:id-{n}</guid>"
        f"<description><![CDATA[<p>{text} Søknadsfrist 15. september 2026.</p>]]></description></item>"
        for n, (title, link, text) in enumerate(ITEMS)
    )
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    return f"{head}{items}</channel></rss>".encode()


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "root"
    (root / "sources").mkdir(parents=True)
    (root / "profiles").mkdir()
    (root / "profiles" / "hav.toml").write_bytes((REPO / "profiles" / "hav.toml").read_bytes())
    (root / "config.toml").write_text(
        '[http]\ncontact = "t@example.org"\nretries = 0\nmin_interval = 0\n[web]\ncookie_secure = false\n'
    )
    with ReplayServer() as server:
        server.serve_bytes("/feed/", hostile_feed(), "application/rss+xml; charset=utf-8")
        (root / "sources" / "havsiden.toml").write_text(f'kind = "rss"\nurl = "{server.url}/feed/"\n')
        result = CliRunner().invoke(main, ["--root", str(root), "--now", NOW, "collect", "--json"])
    assert result.exit_code == 0, result.output
    (run,) = json.loads(result.stdout)
    assert run["status"] == "ok" and run["counts"]["calls"] == 3, run
    return root


def stored(root: Path) -> list[sqlite3.Row]:
    db = sqlite3.connect(root / "var" / "eumonitor.db")
    db.row_factory = sqlite3.Row
    return db.execute("SELECT * FROM calls ORDER BY external_id").fetchall()


def test_no_control_character_enters_the_archive_and_titles_are_capped(root: Path) -> None:
    rows = stored(root)
    for row in rows:
        for column in ("title", "summary", "description_text", "description_html", "url", "extra"):
            assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in row[column] or ""), (column, row[column][:80])
        assert len(row["title"]) <= 301 and len(row["summary"]) <= 301
    by_id = {row["external_id"]: row for row in rows}
    assert by_id["urn:havsiden:id-0"]["title"] == "Ocean and coastal restoration for ports"
    long = by_id["urn:havsiden:id-1"]
    assert long["title"].endswith("…") and long["description_text"].startswith(LONG_TITLE.strip())
    assert by_id["urn:havsiden:id-2"]["url"] == ""  # a javascript: link is no link


def client(root: Path):
    ctx = AppContext(config=load_config(root), fixed_now=NOW)
    return create_app(ctx).test_client()


def test_the_atom_feed_is_valid_xml_even_with_escape_characters_stored_before_the_fix(root: Path) -> None:
    db = sqlite3.connect(root / "var" / "eumonitor.db")
    db.execute(
        "UPDATE calls SET title = ? WHERE external_id = 'urn:havsiden:id-0'", (ESC_TITLE,)
    )  # a row from an older version
    db.commit()
    response = client(root).get("/feeds/hav.atom")
    assert response.status_code == 200
    feed = ET.fromstring(response.data)  # a strict XML parser: one ESC would raise here
    titles = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in feed]
    assert any(t and "Ocean and coastal restoration" in t for t in titles)
    assert b"\x1b" not in response.data
    calendar = client(root).get("/feeds/hav.ics").data
    assert b"\x1b" not in calendar and Calendar.from_ical(calendar).walk("VEVENT")


def test_search_and_show_print_no_escape_sequences(root: Path) -> None:
    db = sqlite3.connect(root / "var" / "eumonitor.db")
    db.execute(
        "UPDATE calls SET title = ?, summary = ? WHERE external_id = 'urn:havsiden:id-0'", (ESC_TITLE, "\x1b[2J")
    )
    db.commit()
    runner = CliRunner()
    found = runner.invoke(main, ["--root", str(root), "--now", NOW, "search", "restoration"])
    assert found.exit_code == 0 and "Ocean and coastal" in found.output
    shown = runner.invoke(main, ["--root", str(root), "--now", NOW, "show", "urn:havsiden:id-0"])
    assert shown.exit_code == 0 and "Ocean and coastal" in shown.output
    for output in (found.output, shown.output):
        assert "\x1b" not in output and "\x07" not in output


def test_a_javascript_link_in_a_description_is_plain_text_on_the_call_page(root: Path) -> None:
    html = client(root).get("/call/havsiden/urn:havsiden:id-2").get_data(as_text=True)
    assert "javascript:" not in html
    assert "les mer" in html and "<a rel" not in html


def test_a_sources_error_message_quoting_its_page_carries_no_escape_sequence(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "sources").mkdir(parents=True)
    (root / "config.toml").write_text('[http]\ncontact = "t@example.org"\nretries = 0\nmin_interval = 0\n')
    page = b"<!doctype html><html><head><title>\x1b[2J\x1b]0;pwned\x07Vedlikehold</title></head></html>"
    with ReplayServer() as server:
        server.serve_bytes("/feed/", page, "text/html")
        (root / "sources" / "nede.toml").write_text(f'kind = "rss"\nurl = "{server.url}/feed/"\n')
        collected = CliRunner().invoke(main, ["--root", str(root), "--now", NOW, "collect"])
        tested = CliRunner().invoke(main, ["--root", str(root), "--now", NOW, "test-source", "nede"])
    for result in (collected, tested):
        assert result.exit_code == 1 and "«Vedlikehold»" in result.output, result.output
        assert "\x1b" not in result.output and "\x07" not in result.output
