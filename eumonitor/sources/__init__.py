"""The source contract every collector kind follows, and the explicit registry of kinds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from eumonitor.model import EumonitorError, Page, Parsed, Request, SourceSpec


class SourceError(EumonitorError):
    """A whole page or response is unusable; the message is shown to a person as it is."""


class Collector(Protocol):
    """A kind of source: pure functions from a spec to requests and from a page to calls."""

    Options: type  # a frozen dataclass; its fields are the allowed [options] keys
    complete_listing: bool  # False: the source shows only its latest items, so absence is no withdrawal

    def requests(self, spec: SourceSpec) -> list[Request]: ...

    def parse(self, spec: SourceSpec, page: Page) -> Parsed: ...


@dataclass(frozen=True)
class Kind:
    """A collector kind made of one module's pure functions; what each module hands the registry."""

    Options: type
    requests: Callable[[SourceSpec], list[Request]]
    parse: Callable[[SourceSpec, Page], Parsed]
    validate_options: Callable[[object], list[tuple[str, str]]] | None = None
    # False for feeds that show only their latest items: calls missing from a scan are not unlisted.
    complete_listing: bool = True


def kinds() -> dict[str, Collector]:
    """The registry: one line per kind. Imported lazily so a broken kind names itself."""
    from eumonitor.sources import ft_api, html_list, ical, rss, wp_json

    return {
        "ft_api": ft_api.COLLECTOR,
        "rss": rss.COLLECTOR,
        "ical": ical.COLLECTOR,
        "wp_json": wp_json.COLLECTOR,
        "html_list": html_list.COLLECTOR,
    }
