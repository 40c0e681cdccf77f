"""The one context object commands and the web app share: configuration, archive, HTTP client, clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from eumonitor.config import Config
from eumonitor.model import Page, Request, SourceSpec

OSLO = ZoneInfo("Europe/Oslo")


def parse_now(text: str) -> datetime:
    """--now: an ISO date (taken as 12:00 in Oslo) or datetime (Oslo time unless it has an offset)."""
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(12, 0), OSLO)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"ugyldig tidspunkt {text!r}; bruk f.eks. 2026-06-22 eller 2026-06-22T07:30") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=OSLO)


@dataclass
class AppContext:
    """Built once per command from real parts; tests build it on temporary paths."""

    config: Config
    fixed_now: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def today(self) -> date:
        """Today in Oslo: what "days left" counts from."""
        return self.now().astimezone(OSLO).date()

    @cached_property
    def store(self):
        from eumonitor.store import Store

        return Store(self.config.archive_path)

    @cached_property
    def http(self):
        from eumonitor.config import http_settings
        from eumonitor.sources.http import HttpClient

        return HttpClient(http_settings(self.config.settings))

    def secondary_sources(self) -> set[str]:
        """Sources tagged "sekundær" (aggregators, news): their copy of a call is never the primary."""
        return {s.id for s in self.config.sources.values() if "sekundær" in s.tags}

    def fetch(self, request: Request, spec: SourceSpec) -> Page:
        return self.http.fetch(request, spec.http)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
        if "http" in self.__dict__:
            self.http.close()
