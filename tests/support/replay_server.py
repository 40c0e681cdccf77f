"""Test helper: a real HTTP server on 127.0.0.1 that replays recorded responses and misbehaves on request."""

from __future__ import annotations

import gzip
import json
import re
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FOREVER = 1_000_000_000  # Fault.times for a fault that never heals
SEARCH_PATH = "/search-api/prod/rest/search"  # where the EU portal's search API lives

Response = tuple[int, Mapping[str, str], bytes]


@dataclass(frozen=True)
class Part:
    """One part of a multipart/form-data body, as the server received it."""

    name: str
    filename: str | None
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Received:
    """One request as the server saw it; `query` keeps the last value of each parameter."""

    method: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes
    raw_query: str = ""

    def json(self) -> Any:
        return json.loads(self.body)

    def parts(self) -> list[Part]:
        """Split a multipart body with the email package, so tests see each part's own headers."""
        ctype = self.headers.get("Content-Type", "")
        raw = b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + self.body
        message = BytesParser(policy=HTTP).parsebytes(raw)
        if not message.is_multipart():
            raise ValueError(f"not a multipart body: {ctype!r}")
        return [
            Part(
                name=part.get_param("name", header="content-disposition") or "",
                filename=part.get_filename(),
                content_type=part.get_content_type() if part.get("Content-Type") else "",
                body=part.get_payload(decode=True) or b"",
            )
            for part in message.iter_parts()
        ]


Handler = Callable[[Received], Response]


@dataclass
class Fault:
    """How a route misbehaves for its first `times` requests; later ones are answered normally.

    Several fields combine in this order: delay, then drop, redirect, status, or a truncated normal answer.
    """

    delay: float = 0.0  # seconds to wait before answering (or dropping)
    status: int | None = None  # answer this status instead of the route's response
    headers: Mapping[str, str] = field(default_factory=dict)  # with these headers, e.g. Retry-After
    body: bytes = b""  # and this body
    drop: bool = False  # close the socket without any response
    truncate: bool = False  # send the route's response with a Content-Length larger than the body sent
    redirect: str | None = None  # answer 302 (or `status`) with Location: this path or URL
    times: int = FOREVER


@dataclass
class _Route:
    handler: Handler
    fault: Fault | None = None
    hits: int = 0


class ReplayServer:
    """A ThreadingHTTPServer on 127.0.0.1, port 0, in a daemon thread; started on creation."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._routes: dict[str, _Route] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()  # wakes delayed handlers when the server closes
        self._httpd = _Server(("127.0.0.1", 0), _RequestHandler)
        self._httpd.replay = self
        # A short poll interval: shutdown() waits for it, and every test closes a server.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="replay-server", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, handler: Handler, fault: Fault | None = None) -> None:
        """Answer every method on `path` (query ignored) with `handler`."""
        with self._lock:
            self._routes[path] = _Route(handler, fault)

    def serve_bytes(
        self,
        path: str,
        body: bytes,
        content_type: str = "application/json",
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        fault: Fault | None = None,
    ) -> None:
        all_headers = {"Content-Type": content_type, **(headers or {})}
        self.route(path, lambda _req: (status, all_headers, body), fault)

    def fault(self, path: str, fault: Fault | None) -> None:
        """Set or clear the fault of an existing route; its count of misbehaved requests starts over."""
        with self._lock:
            route = self._routes[path]
            route.fault, route.hits = fault, 0

    def received(self, path: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if path is None or r.path == path]

    def close(self) -> None:
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ReplayServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _take(self, received: Received) -> tuple[_Route | None, Fault | None]:
        """Record the request and decide, under the lock, whether this one misbehaves."""
        with self._lock:
            self.requests.append(received)
            route = self._routes.get(received.path)
            if route is None:
                return None, None
            route.hits += 1
            fault = route.fault if route.fault and route.hits <= route.fault.times else None
            return route, fault


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    replay: ReplayServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and left makes our late write fail; that is the test working, not a bug.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    # One request per connection, so a dropped or truncated answer cannot poison a pooled connection.
    protocol_version = "HTTP/1.0"
    server: _Server

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean; tests read ReplayServer.requests instead

    def _dispatch(self) -> None:
        replay = self.server.replay
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        received = Received(
            method=self.command,
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers=self.headers,
            body=body,
            raw_query=split.query,
        )
        route, fault = replay._take(received)
        if fault and fault.delay and replay._closing.wait(fault.delay):
            return
        if fault and fault.drop:
            self.close_connection = True
            return
        if route is None:
            self._send(404, {"Content-Type": "application/json"}, _error(f"no route for {split.path}"))
            return
        if fault and fault.redirect:
            self._send(fault.status or 302, {"Location": fault.redirect, **fault.headers}, fault.body)
            return
        if fault and fault.status is not None:
            self._send(fault.status, {"Content-Type": "application/json", **fault.headers}, fault.body)
            return
        try:
            status, headers, payload = route.handler(received)
        except Exception:
            self._send(500, {"Content-Type": "text/plain"}, traceback.format_exc().encode())
            raise
        self._send(status, headers, payload, truncate=bool(fault and fault.truncate))

    def _send(self, status: int, headers: Mapping[str, str], body: bytes, truncate: bool = False) -> None:
        sent = body[: len(body) // 2] if truncate else body
        declared = max(len(body), len(sent) + 1) if truncate else len(body)
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(declared))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(sent)
        self.wfile.flush()
        self.close_connection = True


def _error(message: str) -> bytes:
    return json.dumps({"error": message}).encode()


class ScanReplay:
    """Handler replaying one recorded SEDIA scan (page-1.json.gz … page-N.json.gz) by `pageNumber`.

    POST only, as the real search API; `use(other_dir)` switches to another week's scan.
    """

    def __init__(self, scan_dir: Path | str) -> None:
        self.use(scan_dir)

    def use(self, scan_dir: Path | str) -> None:
        folder = Path(scan_dir)
        pages: dict[int, Path] = {}
        for path in folder.glob("page-*.json.gz"):
            match = re.fullmatch(r"page-(\d+)\.json\.gz", path.name)
            if match:
                pages[int(match.group(1))] = path
        if not pages:
            raise FileNotFoundError(f"no page-N.json.gz files in {folder}")
        # One assignment, so a request in flight sees either the old scan or the new one.
        self._scan = (folder, pages)

    @property
    def scan_dir(self) -> Path:
        return self._scan[0]

    @property
    def pages(self) -> int:
        return len(self._scan[1])

    def __call__(self, request: Received) -> Response:
        json_type = {"Content-Type": "application/json"}
        if request.method != "POST":
            return 405, {**json_type, "Allow": "POST"}, _error(f"{request.method} is not allowed; use POST")
        folder, pages = self._scan
        number = request.query.get("pageNumber", "")
        if not number.isdigit():
            return 400, json_type, _error(f"pageNumber must be a positive integer, got {number!r}")
        path = pages.get(int(number))
        if path is None:
            message = f"no recorded page {number} in {folder.name} (recorded pages: 1-{max(pages)})"
            return 404, json_type, _error(message)
        raw = path.read_bytes()
        # Send the recorded gzip as it is when the client accepts it, as a real server would compress.
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            return 200, {**json_type, "Content-Encoding": "gzip"}, raw
        return 200, json_type, gzip.decompress(raw)
