"""The live preview of a profile edit, over the matcher's shared preview (eumonitor.matching.preview)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from eumonitor import matcher, matching
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

    def get(self, store: Any, archive_path: Path) -> matcher.Model:
        stamp = store.archive_stamp()
        with self._lock:
            if self._model is None or self._stamp != stamp:
                self._model = matching.current_model(store, archive_path)
                self._stamp = stamp
            return self._model


def compare(
    store: Any, model: matcher.Model, saved: Profile, edited: Profile, today: date
) -> tuple[list[PreviewRow], list[PreviewRow]]:
    """The edited profile's top open calls (entering ones marked) and the saved list's calls that drop out."""
    after, entering, leaving = matching.preview(store, model, saved, edited, today, TOP)
    keys = _keys_by_id(model, {i for i, _ in after} | set(leaving))
    calls = {c.external_id: c for c in store.calls_by_keys(list(keys.values()))}
    rows = [
        PreviewRow(calls[ext], score, rank, "new" if ext in entering else "")
        for rank, (ext, score) in enumerate(after, start=1)
        if ext in calls
    ]
    gone = [PreviewRow(calls[ext], 0.0, 0, "leaves") for ext in leaving if ext in calls]
    return rows, gone


def _keys_by_id(model: matcher.Model, ids: set[str]) -> dict[str, tuple[str, str]]:
    return {key[1]: key for key in model.keys if key[1] in ids}
