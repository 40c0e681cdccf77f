"""The live preview of a profile edit, over the matcher's shared preview (eumonitor.matching.incremental.preview)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from eumonitor.matching import incremental as matching
from eumonitor.matching import score as matcher
from eumonitor.model import Call, Profile

TOP = 20


@dataclass(frozen=True)
class PreviewRow:
    call: Call
    score: float
    rank: int
    change: str  # "new" when it enters the top list with the edit, "leaves" when it drops out, else ""


class ModelCache:
    """The matcher's model as a match run sees it; refreshed only when the archive has changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: tuple[Any, ...] = ()
        self._model: matcher.Model | None = None

    def get(self, store: Any) -> matcher.Model:
        stamp = store.archive_stamp()
        with self._lock:
            if self._model is None or self._stamp != stamp:
                self._model = matching.current_model(store)
                self._stamp = stamp
            return self._model


def compare(
    store: Any, model: matcher.Model, saved: Profile, edited: Profile, today: date
) -> tuple[list[PreviewRow], list[PreviewRow]]:
    """The edited profile's top open calls (entering ones marked) and the saved list's calls that drop out."""
    after, entering, leaving = matching.preview(store, model, saved, edited, today, TOP)
    calls = {(c.source, c.external_id): c for c in store.calls_by_keys([k for k, _ in after] + leaving)}
    rows = [
        PreviewRow(calls[key], score, rank, "new" if key in entering else "")
        for rank, (key, score) in enumerate(after, start=1)
        if key in calls
    ]
    gone = [PreviewRow(calls[key], 0.0, 0, "leaves") for key in leaving if key in calls]
    return rows, gone
