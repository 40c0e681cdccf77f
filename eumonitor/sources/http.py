"""The one door to the network: polite, patient HTTP that returns a Page or raises FetchError."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests
import urllib3
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import DecodeError, NameResolutionError, ProtocolError, ReadTimeoutError

from eumonitor.model import EumonitorError, HttpSettings, Page, Request

# A server may ask for a long pause; a daily job should rather fail and try tomorrow than hang for hours.
RETRY_AFTER_CAP = 120.0
CHUNK = 64 * 1024
SNIPPET_BYTES = 300  # how much of an error body to quote: enough for the portal's JSON error messages
RETRY_STATUS = frozenset({429}) | frozenset(range(500, 600))


class FetchError(EumonitorError):
    """A request failed for good; the message is a Norwegian sentence meant for a person."""

    def __init__(self, message: str, *, url: str, status: int | None = None, attempts: int = 1) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.attempts = attempts


class _Retryable(Exception):
    """One attempt failed in a way that may pass; `describe(n)` words the failure after n attempts."""

    def __init__(
        self, describe: Callable[[int], str], *, url: str, status: int | None = None, wait: float | None = None
    ) -> None:
        super().__init__(describe(1))
        self.describe = describe
        self.url = url
        self.status = status
        self.wait = wait  # the server's own Retry-After, when it gave one


class HttpClient:
    """Fetches Requests one at a time, spacing requests per host. Not thread-safe: one client per thread."""

    def __init__(
        self,
        settings: HttpSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        retry_after_cap: float = RETRY_AFTER_CAP,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._retry_after_cap = retry_after_cap
        self._session = requests.Session()
        self._last: dict[str, float] = {}  # host -> clock() when the last request to it ended

    def fetch(self, request: Request, settings: HttpSettings | None = None) -> Page:
        """Make the request with retries and backoff; per-source `settings` override the default."""
        s = settings or self.settings
        host = (urlsplit(request.url).hostname or "").lower()
        attempts = max(1, s.retries + 1)  # retries count the attempts after the first
        wait = 0.0
        for attempt in range(1, attempts + 1):
            self._space(host, s.min_interval, wait)
            try:
                return self._attempt(request, s)
            except _Retryable as failure:
                last = failure
                backoff = s.backoff * 2 ** (attempt - 1)
                wait = backoff if failure.wait is None else failure.wait
            finally:
                self._last[host] = self._clock()
        raise FetchError(last.describe(attempts), url=last.url, status=last.status, attempts=attempts)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _space(self, host: str, interval: float, at_least: float) -> None:
        """Sleep once for whichever is longer: the backoff, or what is left of the host's interval."""
        wait = at_least
        last = self._last.get(host)
        if last is not None:
            wait = max(wait, last + interval - self._clock())
        if wait > 0:
            self._sleep(wait)

    def _attempt(self, request: Request, s: HttpSettings) -> Page:
        url = request.url
        # `timeout` bounds the whole attempt (connect, headers, body), not just each wait for a packet: a
        # server dripping a byte every few seconds must not hold a collect (and the jobs behind it) for minutes.
        deadline = time.monotonic() + s.timeout
        try:
            prepared = self._prepare(request, s)  # raises on a malformed URL
            url = prepared.url or url
            # Proxies and CA bundles from the environment, as requests.get uses them; stream to cap size.
            env = self._session.merge_environment_settings(url, {}, stream=True, verify=None, cert=None)
            timeout = urllib3.Timeout(connect=s.timeout, read=s.timeout, total=s.timeout)
            response = self._session.send(prepared, timeout=timeout, allow_redirects=True, **env)
        except requests.RequestException as exc:
            raise _failure(exc, url, s) from exc
        with response:
            return self._complete(request, response, s, deadline)

    def _prepare(self, request: Request, s: HttpSettings) -> requests.PreparedRequest:
        headers = {"User-Agent": s.user_agent, **dict(request.headers)}
        # Each part as a file with its own Content-Type: the EU search API answers 500 to plain form fields.
        files = [
            (name, ("blob", body.encode("utf-8") if isinstance(body, str) else body, ctype))
            for name, body, ctype in request.files
        ]
        raw = requests.Request(
            request.method, request.url, params=list(request.params), headers=headers, files=files or None
        )
        return self._session.prepare_request(raw)

    def _complete(self, request: Request, response: requests.Response, s: HttpSettings, deadline: float) -> Page:
        url, status = response.url, response.status_code
        if status in RETRY_STATUS:
            quoted = _snippet(response)
            wait = _retry_after(response.headers.get("Retry-After"), self._retry_after_cap)
            raise _Retryable(
                lambda n: f"Fikk HTTP {status} fra {url} etter {n} forsøk.{quoted}",
                url=url,
                status=status,
                wait=wait,
            )
        if status >= 400:
            raise FetchError(f"Fikk HTTP {status} fra {url}.{_snippet(response)}", url=url, status=status)
        content = _read_capped(response, url, s, deadline)
        return Page(
            url=url, status=status, headers=CaseInsensitiveDict(response.headers), content=content, request=request
        )


def _read_capped(response: requests.Response, url: str, s: HttpSettings, deadline: float) -> bytes:
    """Stream the body, stopping at max_bytes (one huge answer cannot fill memory) and at the deadline."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > s.max_bytes:
        raise FetchError(
            f"Svaret fra {url} er større enn {s.max_bytes} byte (serveren oppgir {declared} byte).",
            url=url,
            status=response.status_code,
        )
    chunks: list[bytes] = []
    size = 0
    secs = f"{s.timeout:g}".replace(".", ",")
    try:
        # read1 returns what one read from the socket gave, so the deadline is checked as bytes trickle in.
        while chunk := response.raw.read1(CHUNK, decode_content=True):
            size += len(chunk)
            if size > s.max_bytes:
                raise FetchError(
                    f"Svaret fra {url} er større enn {s.max_bytes} byte; nedlastingen ble stoppet.",
                    url=url,
                    status=response.status_code,
                )
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise _Retryable(
                    lambda n: f"Svaret fra {url} var ikke ferdig etter {secs} s; ga opp etter {n} forsøk.", url=url
                )
    except ProtocolError as exc:
        # A body that ends early (fewer bytes than Content-Length) is a dropped connection: worth a retry.
        whole = f", før alle {declared} byte var mottatt" if declared else ""
        raise _Retryable(
            lambda n: f"Forbindelsen ble brutt mens svaret fra {url} ble lest{whole}; ga opp etter {n} forsøk.",
            url=url,
        ) from exc
    except ReadTimeoutError as exc:
        raise _Retryable(lambda n: f"Tidsavbrudd etter {secs} s mot {url}; ga opp etter {n} forsøk.", url=url) from exc
    except DecodeError as exc:
        raise FetchError(f"Kunne ikke pakke ut svaret fra {url}: {exc}", url=url) from exc
    return b"".join(chunks)


def _failure(exc: requests.RequestException, url: str, s: HttpSettings) -> Exception:
    """Word a transport error in Norwegian and decide whether it is worth another attempt."""
    secs = f"{s.timeout:g}".replace(".", ",")
    inner = exc.args[0] if exc.args else None
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return _Retryable(
            lambda n: f"Tidsavbrudd etter {secs} s ved tilkobling til {url}; ga opp etter {n} forsøk.", url=url
        )
    if isinstance(exc, requests.exceptions.ReadTimeout) or isinstance(inner, ReadTimeoutError):
        return _Retryable(lambda n: f"Tidsavbrudd etter {secs} s mot {url}; ga opp etter {n} forsøk.", url=url)
    if isinstance(exc, requests.exceptions.SSLError):
        # A bad certificate does not heal in a few seconds.
        return FetchError(f"TLS-feil mot {url}: {exc}", url=url)
    if isinstance(exc, requests.exceptions.ChunkedEncodingError) or isinstance(inner, ProtocolError):
        return _Retryable(lambda n: f"Forbindelsen ble brutt før {url} svarte; ga opp etter {n} forsøk.", url=url)
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return FetchError(f"For mange omdirigeringer fra {url}.", url=url)
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return FetchError(f"Kunne ikke pakke ut svaret fra {url}: {exc}", url=url)
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = _reason(exc)
        if _hopeless(exc):
            # No such host, or nothing listening: seconds later it is the same (and offline, every source
            # would wait through its retries). Tomorrow's run tries again.
            return FetchError(f"Fikk ikke kontakt med {url} ({reason}).", url=url)
        return _Retryable(lambda n: f"Fikk ikke kontakt med {url} ({reason}); ga opp etter {n} forsøk.", url=url)
    return FetchError(f"Kunne ikke hente {url}: {exc}", url=url)


def _hopeless(exc: BaseException) -> bool:
    """A name that does not resolve or a refused connection: not worth another attempt now."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, NameResolutionError | ConnectionRefusedError):
            return True
        reason = getattr(cause, "reason", None)
        inner = cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None
        cause = inner or (reason if isinstance(reason, BaseException) else None) or cause.__cause__ or cause.__context__
    return False


def _reason(exc: BaseException) -> str:
    """The innermost cause of a connection error, without urllib3's object reprs."""
    cause: BaseException = exc
    while cause.args and isinstance(cause.args[0], BaseException):
        cause = cause.args[0]
    reason = getattr(cause, "reason", None)
    if isinstance(reason, BaseException):
        cause = reason
    if isinstance(cause, NameResolutionError):
        return "fant ikke vertsnavnet"
    if isinstance(cause, ConnectionRefusedError) or "Connection refused" in str(cause):
        return "tilkoblingen ble avvist"
    text = str(cause)
    marker = "Failed to establish a new connection: "
    return text.split(marker, 1)[1] if marker in text else text


def _retry_after(value: str | None, cap: float) -> float | None:
    """Retry-After in seconds, capped; an HTTP date or garbage falls back to our own backoff."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return min(max(seconds, 0.0), cap)


def _snippet(response: requests.Response) -> str:
    """The start of an error body, quoted, because the portal explains its 400s and 500s there."""
    try:
        head = next(response.iter_content(SNIPPET_BYTES), b"")
    except requests.RequestException:
        return ""
    text = " ".join(head.decode("utf-8", errors="replace").split())
    return f" Svaret begynte: «{text}»" if text else ""
