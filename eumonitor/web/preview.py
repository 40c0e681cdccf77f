"""The live preview of a profile edit, over the matcher's shared preview (eumonitor.matching.incremental.preview)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app

from eumonitor.matching import incremental as matching
from eumonitor.matching import score as matcher
from eumonitor.matching.incremental import ModelCache
from eumonitor.model import Call, Profile
from eumonitor.store import Store

TOP = 20


@dataclass(frozen=True)
class PreviewRow:
    call: Call
    score: float
    rank: int
    change: str  # "new" when it enters the top list with the edit, "leaves" when it drops out, else ""


def models() -> ModelCache:
    """The app's one model cache (made in create_app), shared by the call page and the profile page."""
    return current_app.extensions["eumonitor.models"]


def compare(
    store: Store, model: matcher.Model, saved: Profile, edited: Profile, today: date
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
