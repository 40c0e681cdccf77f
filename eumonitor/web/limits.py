"""Bounds on the costly anonymous request (the profile preview): input size, a rate per address, slots."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from eumonitor.config.edit import ProfileEdit

# One preview scores every open call against the edited profile: its cost grows with the terms. These caps
# keep a preview within a second or two; real profiles use 50-150 terms in 5-10 groups.
MAX_TERMS_PER_GROUP = 60
MAX_TERMS = 300
MAX_TERM_CHARS = 80
MAX_DESCRIPTION_CHARS = 5000
PREVIEWS_PER_MINUTE = 30  # per address: a person typing, not a script
PREVIEW_SLOTS = 2  # previews scored at once; more would stall every page behind them on two CPUs


def edit_problems(edit: ProfileEdit) -> dict[str, str]:
    """Form field -> Norwegian message for every bound the edit exceeds; empty when it is within them."""
    problems: dict[str, str] = {}
    for i, row in enumerate(edit.keywords):
        if len(row.terms) > MAX_TERMS_PER_GROUP:
            problems[f"keywords-{i}-terms"] = f"høyst {MAX_TERMS_PER_GROUP} ord per gruppe (fikk {len(row.terms)})"
        elif any(len(term) > MAX_TERM_CHARS for term in row.terms):
            problems[f"keywords-{i}-terms"] = f"et søkeord kan ha høyst {MAX_TERM_CHARS} tegn"
    total = sum(len(row.terms) for row in edit.keywords) + len(edit.exclude)
    if total > MAX_TERMS:
        problems["form"] = f"høyst {MAX_TERMS} søkeord og utelatte ord til sammen (fikk {total})"
    if any(len(term) > MAX_TERM_CHARS for term in edit.exclude):
        problems["exclude"] = f"et ord kan ha høyst {MAX_TERM_CHARS} tegn"
    if len(edit.description) > MAX_DESCRIPTION_CHARS:
        problems["description"] = f"høyst {MAX_DESCRIPTION_CHARS} tegn (fikk {len(edit.description)})"
    return problems


class RateLimiter:
    """At most `limit` events per key within `window` seconds; thread-safe, in memory (one app process)."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one event for `key` if it is within the limit; check and count are one step under the lock."""
        now = self.clock()
        with self._lock:
            events = self._events[key]
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            if len(self._events) > 10_000:  # forget idle addresses rather than grow without end
                for stale in [k for k, v in self._events.items() if not v or v[-1] <= now - self.window]:
                    del self._events[stale]
            return True


class PreviewGuard:
    """The app's one rate limiter and slot semaphore for previews."""

    def __init__(self, per_minute: int = PREVIEWS_PER_MINUTE, slots: int = PREVIEW_SLOTS) -> None:
        self.rate = RateLimiter(per_minute)
        self.slots = threading.BoundedSemaphore(slots)
