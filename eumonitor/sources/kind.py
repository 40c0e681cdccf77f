"""The contract every collector kind follows: one Kind value of its module's pure functions, and SourceError."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eumonitor.model import EumonitorError, Page, Parsed, Request, SourceSpec
from eumonitor.sources.textsafe import strip_controls


class SourceError(EumonitorError):
    """A whole page or response is unusable; the message is shown to a person as it is."""

    def __init__(self, message: str = "") -> None:
        # Messages quote what the source sent (a page title, a snippet): no escape sequence of theirs may
        # reach a terminal, a digest's source-health line or an alert through them.
        super().__init__(strip_controls(str(message)))


@dataclass(frozen=True)
class Kind:
    """A collector kind made of one module's pure functions; what each module hands the registry."""

    Options: type  # a frozen dataclass; its fields are the allowed [options] keys
    requests: Callable[[SourceSpec], list[Request]]
    parse: Callable[[SourceSpec, Page], Parsed]
    validate_options: Callable[[object], list[tuple[str, str]]] | None = None
    # False for feeds that show only their latest items: calls missing from a scan are not unlisted.
    complete_listing: bool = True
    # Rewords a refused request (the HTTP status) as what to do about it, e.g. where to find a rotated key;
    # None keeps the HTTP client's own message.
    explain_refusal: Callable[[SourceSpec, int], str | None] | None = None
