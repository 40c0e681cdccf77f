"""Record the raw responses of one source (`test-source ID --save-fixture`) under tests/fixtures/<id>/."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from eumonitor.model import Page, Request, SourceSpec

GZIP_OVER = 100_000  # bytes; bigger recordings are stored gzipped to keep the repository small
EXTENSIONS = (
    ("json", ".json"),
    ("calendar", ".ics"),
    ("rss", ".xml"),
    ("atom", ".xml"),
    ("xml", ".xml"),
    ("html", ".html"),
)
INDEX = "index.json"


def extension(page: Page) -> str:
    """A file extension from the Content-Type, else from the first bytes."""
    ctype = str(page.headers.get("Content-Type", "")).lower()
    for word, ext in EXTENSIONS:
        if word in ctype:
            return ext
    head = page.content[:200].lstrip().lower()
    if head.startswith(b"begin:vcalendar"):
        return ".ics"
    if head[:1] in (b"{", b"["):
        return ".json"
    if head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed"):
        return ".xml"
    return ".html" if head.startswith(b"<") else ".bin"


@dataclass
class FixtureRecorder:
    """Wraps a fetch function and keeps every page it returns, to be written out afterwards."""

    fetch: Callable[[Request, SourceSpec], Page]
    pages: list[Page] = field(default_factory=list)

    def __call__(self, request: Request, spec: SourceSpec) -> Page:
        page = self.fetch(request, spec)
        self.pages.append(page)
        return page

    def save(self, root: Path, spec: SourceSpec, today: date) -> list[Path]:
        return save_fixture(root, spec, self.pages, today)


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)


def save_fixture(root: Path, spec: SourceSpec, pages: list[Page], today: date) -> list[Path]:
    """Write each page as <date>_<n>.<ext>[.gz] and add them to the folder's index.json; returns the files."""
    folder = root / "tests" / "fixtures" / spec.id
    folder.mkdir(parents=True, exist_ok=True)
    index_path = folder / INDEX
    index = json.loads(index_path.read_text(encoding="utf-8")) if index_path.exists() else {"recordings": []}
    written: list[Path] = []
    for number, page in enumerate(pages, start=1):
        name = f"{today.isoformat()}_{number}{extension(page)}"
        body = page.content
        if len(body) > GZIP_OVER:
            name, body = name + ".gz", gzip.compress(body, mtime=0)
        path = folder / name
        path.write_bytes(body)
        written.append(path)
        index["recordings"] = [r for r in index["recordings"] if r.get("file") != name]
        index["recordings"].append(_entry(name, spec, page, today))
    index["source"] = {"id": spec.id, "kind": spec.kind, "url": spec.url}
    index_path.write_text(json.dumps(index, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return written


def _entry(name: str, spec: SourceSpec, page: Page, today: date) -> dict[str, Any]:
    """What a later test needs to replay the file: where it came from, when, and how it was asked for."""
    keep = ("content-type", "etag", "last-modified", "x-wp-total", "x-wp-totalpages")
    return {
        "file": name,
        "recorded_on": today.isoformat(),
        "url": page.url,
        "request_url": page.request.url,
        "method": page.request.method,
        "params": [list(p) for p in page.request.params],
        "meta": {k: _jsonable(v) for k, v in page.request.meta.items()},
        "status": page.status,
        "headers": {k: v for k, v in page.headers.items() if k.lower() in keep},
        "bytes": len(page.content),
        "verified_kind": spec.kind,
    }
