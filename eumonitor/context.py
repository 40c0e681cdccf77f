"""The one context object commands, jobs and the web app share: configuration, archive, HTTP client, mailer, clock."""

from __future__ import annotations

import os
import secrets
import threading
from datetime import UTC, date, datetime, time
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from eumonitor.config import Config, http_settings
from eumonitor.digests.mailer import Mailer, mailer_for
from eumonitor.model import Page, Request, SourceSpec
from eumonitor.sources.http import HttpClient
from eumonitor.store import Store


def parse_now(text: str, zone: ZoneInfo) -> datetime:
    """--now: an ISO date (12:00 in the city's time zone) or datetime (in that zone unless it has an offset)."""
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(12, 0), zone)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"ugyldig tidspunkt {text!r}; bruk f.eks. 2026-06-22 eller 2026-06-22T07:30") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


class AppContext:
    """Built once per command (or scheduled job) from real parts; tests build it on temporary paths.

    The clock is read here and nowhere deeper: everything else takes `now`, `today` or `zone` from this object.
    """

    def __init__(self, config: Config, fixed_now: datetime | str | None = None):
        self.config = config
        # --now may arrive as text: it is read in the configured zone, which is only known once config is loaded.
        self.fixed_now = parse_now(fixed_now, self.zone) if isinstance(fixed_now, str) else fixed_now
        # An HTTP client is not thread-safe and collect scans several hosts at once: one client per thread.
        self._local = threading.local()
        self._clients: list[HttpClient] = []
        self._clients_lock = threading.Lock()

    @cached_property
    def zone(self) -> ZoneInfo:
        """The city's time zone ([schedule] timezone): what "today", ISO weeks and digest periods are counted in."""
        return ZoneInfo(self.config.settings.schedule.timezone)

    def now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def today(self) -> date:
        """Today in the city's time zone: what "days left" counts from."""
        return self.now().astimezone(self.zone).date()

    @cached_property
    def store(self) -> Store:
        return Store(self.config.archive_path)

    @property
    def http(self) -> HttpClient:
        """This thread's HTTP client, made on first use."""
        client = getattr(self._local, "http", None)
        if client is None:
            client = self._local.http = HttpClient(http_settings(self.config.settings))
            with self._clients_lock:
                self._clients.append(client)
        return client

    @cached_property
    def mailer(self) -> Mailer:
        """SMTP when [smtp] host is set, else files in var/outbox/."""
        return mailer_for(self.config.settings.smtp, self.config.path("var/outbox"), "var/outbox")

    @cached_property
    def secret_key(self) -> str:
        """The web app's key ([web] secret_key_env, else var/web-secret-key, made once): it signs sessions and
        the digests' personal "Mine varsler" links, so the sender and the web app must share it."""
        from_env = os.environ.get(self.config.settings.web.secret_key_env, "")
        if from_env:
            return from_env
        path = self.config.archive_path.parent / "web-secret-key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return path.read_text(encoding="utf-8").strip()
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key)
        return key

    @property
    def lock_path(self) -> Path:
        return self.config.archive_path.with_name("eumonitor.lock")

    def secondary_sources(self) -> set[str]:
        """Sources tagged "sekundær" (aggregators, news): their copy of a call is never the primary."""
        return {s.id for s in self.config.sources.values() if "sekundær" in s.tags}

    def fetch(self, request: Request, spec: SourceSpec) -> Page:
        return self.http.fetch(request, spec.http)

    def close(self) -> None:
        for name in ("store", "mailer"):
            if name in self.__dict__:
                self.__dict__.pop(name).close()
        with self._clients_lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()
        self._local = threading.local()
