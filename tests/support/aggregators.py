"""Test helper: interreg.eu's recorded search answer and Euro-Access's recorded pages on the local replay server."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from tests.support.replay_server import Received, ReplayServer, Response
from tests.support.roots import FIXTURES

ALGOLIA_PATH = "/1/indexes/prod_en-us_content"
EURO_ACCESS_LISTING = "/en/calls"
EURO_ACCESS_DETAIL = "/en/calls/135/Erasmus-Charter-for-Higher-Education-5th-cut-off-date"
TEST_KEY = "public-search-key-for-tests"
HTML = "text/html; charset=utf-8"


def interreg_answer() -> dict[str, Any]:
    """The recorded answer, as recorded (multi-query shape, three SUDOE hits)."""
    raw = (FIXTURES / "interreg-eu" / "fundhunt_interreg_algolia_calls.json.gz").read_bytes()
    return json.loads(gzip.decompress(raw))


def recorded_listing() -> bytes:
    return gzip.decompress((FIXTURES / "euro-access" / "list-calls-en_2025-10-03_browser-saved.html.gz").read_bytes())


def recorded_detail() -> bytes:
    return gzip.decompress((FIXTURES / "euro-access" / "detail-call-135_browser-saved.html.gz").read_bytes())


class AlgoliaReplay:
    """Answers like Algolia: 403 without the right key; `per_page` splits the recorded hits into pages
    (BUILT BY HAND from the recording, to exercise `page`/`nbPages`); without it, the recorded answer as it is."""

    def __init__(self, per_page: int | None = None, key: str = TEST_KEY, hits: list[dict] | None = None) -> None:
        self.per_page = per_page
        self.key = key
        self.hits = hits  # hits BUILT BY HAND in a test, in place of the recorded ones

    def __call__(self, request: Received) -> Response:
        json_type = {"Content-Type": "application/json; charset=UTF-8"}
        if request.headers.get("x-algolia-api-key") != self.key:
            body = {"message": "Invalid Application-ID or API key", "status": 403}
            return 403, json_type, json.dumps(body).encode()
        answer = interreg_answer()
        if self.hits is not None:
            answer["results"][0].update(hits=self.hits, nbHits=len(self.hits))
        if self.per_page is None:
            return 200, json_type, json.dumps(answer).encode()
        hits = answer["results"][0]["hits"]
        number = int(request.query.get("page", "0"))
        pages = -(-len(hits) // self.per_page)
        chunk = hits[number * self.per_page : (number + 1) * self.per_page]
        single = {"hits": chunk, "nbHits": len(hits), "page": number, "nbPages": pages, "hitsPerPage": self.per_page}
        return 200, json_type, json.dumps(single).encode()


def serve_interreg_eu(server: ReplayServer, replay: AlgoliaReplay | None = None) -> AlgoliaReplay:
    handler = replay or AlgoliaReplay()
    server.route(ALGOLIA_PATH, handler)
    return handler


def serve_euro_access(server: ReplayServer, listing: bytes | None = None) -> None:
    """The listing and the one recorded detail page; the other 141 detail pages answer 404 (no route)."""
    server.serve_bytes(EURO_ACCESS_LISTING, listing or recorded_listing(), HTML)
    server.serve_bytes(EURO_ACCESS_DETAIL, recorded_detail(), HTML)


def write_aggregator_sources(root: Path, base: str, key: str = TEST_KEY) -> None:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "sources" / "interreg-eu.toml").write_text(
        f'kind = "interreg_eu"\ntitle = "interreg.eu"\nurl = "{base}{ALGOLIA_PATH}"\n[options]\napi_key = "{key}"\n',
        encoding="utf-8",
    )
    (root / "sources" / "euro-access.toml").write_text(
        f'kind = "euro_access"\ntitle = "Euro-Access"\n'
        f'url = "{base}{EURO_ACCESS_LISTING}?keyword=&submit=&sent=search"\ntags = ["sekundær"]\n',
        encoding="utf-8",
    )
