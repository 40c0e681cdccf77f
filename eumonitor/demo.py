"""`eumonitor demo`: the whole chain on two recorded weeks of the EU portal, replayed on 127.0.0.1, in its own root."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from eumonitor import jobs
from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.digests.send import SendReport
from eumonitor.model import EumonitorError

PACKAGE = Path(__file__).resolve().parent
SCANS = PACKAGE / "data" / "demo"
CHECKOUT = PACKAGE.parent  # the repository, for an editable install: its profiles/ are the city's themes
SEARCH_PATH = "/search-api/prod/rest/search"
# The recorded weeks, collected in order; each collect runs at that morning's 06:00 in Oslo.
WEEKS = ("2026-06-17", "2026-06-24")
DEMO_NOW = "2026-06-24T09:00"  # the archive is read as on the morning of the second week
MARKER = ".eumonitor-demo"  # a folder holding this file is a demo root: safe to wipe and rebuild
DEMO_EDITOR = "demo@eumonitor.invalid"


class DemoError(EumonitorError):
    """The demo cannot start (a folder in the way, the recordings or profiles missing)."""


@dataclass(frozen=True)
class DemoReport:
    """What the demo did, week by week, and where it left its archive and digests."""

    root: Path
    weeks: list[tuple[str, jobs.MorningReport]]
    sends: list[SendReport]

    @property
    def outbox(self) -> Path:
        return self.root / "var" / "outbox"


class ScanServer:
    """The EU portal's search API as recorded: POST …/search?pageNumber=N answers page N of the chosen week."""

    def __init__(self) -> None:
        self.week = WEEKS[0]
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)  # the query is the portal's; the recording already answers it
                number = parse_qs(urlsplit(self.path).query).get("pageNumber", [""])[0]
                page = SCANS / server.week / f"page-{number}.json.gz"
                if urlsplit(self.path).path != SEARCH_PATH or not re.fullmatch(r"\d+", number) or not page.is_file():
                    self._answer(404, json.dumps({"error": f"ingen innspilt side {number!r}"}).encode())
                    return
                self._answer(200, gzip.decompress(page.read_bytes()))

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:  # quiet: the demo prints its own steps
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{SEARCH_PATH}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def prepare_root(root: Path, portal_url: str, editor_hash: str, port: int) -> None:
    """A fresh demo root: config.toml, the portal source on the local replay, the city's profiles, one digest."""
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).is_file():
            raise DemoError(f"{root} finnes og er ikke en demomappe; velg en annen med --dir.")
        shutil.rmtree(root)
    profiles = CHECKOUT / "profiles"
    if not SCANS.is_dir() or not profiles.is_dir():
        raise DemoError(
            f"Fant ikke demodataene ({SCANS}) eller temaprofilene ({profiles}); er pakken installert med -e?"
        )
    (root / "sources").mkdir(parents=True)
    (root / MARKER).write_text("Laget av eumonitor demo; slettes og lages på nytt ved neste demo.\n", encoding="utf-8")
    shutil.copytree(profiles, root / "profiles")
    (root / "config.toml").write_text(_CONFIG.format(port=port, email=DEMO_EDITOR, hash=editor_hash), encoding="utf-8")
    (root / "sources" / "eu-funding-tenders.toml").write_text(_SOURCE.format(url=portal_url), encoding="utf-8")
    (root / "digests").mkdir()
    (root / "digests" / "demo.toml").write_text(_DIGEST, encoding="utf-8")


def run_demo(root: Path, editor_hash: str, port: int = 8080, told: Callable[[str], None] | None = None) -> DemoReport:
    """Two recorded weeks collected and matched, then the digest that is due written to the demo's outbox."""
    say = told or (lambda _line: None)
    server = ScanServer()
    try:
        prepare_root(root, server.url, editor_hash, port)
        weeks = []
        for week in WEEKS:
            server.week = week
            ctx = AppContext(load_config(root), f"{week}T06:00")
            try:
                morning = jobs.collect_and_match(ctx)
            finally:
                ctx.close()
            weeks.append((week, morning))
            say(f"Uke med skann {week}: {morning.line()}")
        ctx = AppContext(load_config(root), DEMO_NOW)
        try:
            sends = jobs.send_due(ctx)
        finally:
            ctx.close()
    finally:
        server.close()
    return DemoReport(root, weeks, sends)


_CONFIG = """\
# Made by `eumonitor demo`: the EU portal replayed from recordings on 127.0.0.1, nothing sent anywhere.
[archive]
path = "var/eumonitor.db"

[http]
contact = "demo@eumonitor.invalid"
retries = 1
backoff = 0.1
min_interval = 0
timeout = 20

[alerts]
to = ["demo@eumonitor.invalid"]

[web]
base_url = "http://127.0.0.1:{port}"
cookie_secure = false  # the demo is served over plain http on this machine only

[[web.editors]]
email = "{email}"
password_hash = "{hash}"
"""

_SOURCE = """\
# The EU Funding & Tenders Portal, as recorded on 17 and 24 June 2026, replayed by `eumonitor demo`.
kind = "ft_api"
title = "EU-portalen (innspilt)"
url = "{url}?apiKey=SEDIA"
"""

_DIGEST = """\
title = "EU-utlysninger for Bergen kommune (demo)"
profiles = ["hav", "folkehelse", "velferdsteknologi", "kompetanse", "klima-miljo", "kultur", "inkludering",
            "digitalisering", "beredskap"]

[[subscribers]]
email = "demo@eumonitor.invalid"
name = "Demo"
"""
