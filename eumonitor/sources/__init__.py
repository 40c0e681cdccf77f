"""COLLECT: the explicit registry of collector kinds (the contract itself is in kind.py)."""

from __future__ import annotations

from eumonitor.sources import euro_access, ft_api, html_list, ical, interreg_eu, rss, wp_json
from eumonitor.sources.kind import Kind, SourceError

__all__ = ["Kind", "SourceError", "kinds"]


def kinds() -> dict[str, Kind]:
    """The registry: one line per kind."""
    return {
        "ft_api": ft_api.COLLECTOR,
        "rss": rss.COLLECTOR,
        "ical": ical.COLLECTOR,
        "wp_json": wp_json.COLLECTOR,
        "html_list": html_list.COLLECTOR,
        "interreg_eu": interreg_eu.COLLECTOR,
        "euro_access": euro_access.COLLECTOR,
    }
