"""Incremental matching of the archive: keep call vectors between runs, re-score only what changed."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from eumonitor import matcher
from eumonitor.model import Profile

# When the archive has grown this much since the last fit, the IDF no longer describes it: fit again.
REFIT_GROWTH = 1.5
MODEL_VERSION = 1


@dataclass
class MatchReport:
    """What one match run did, for the command's summary."""

    rebuilt: bool = False
    calls_scored: int = 0  # new or changed calls vectorised
    profiles_rescored: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def model_path(archive_path: Path) -> Path:
    """The call vectors live next to the archive: var/eumonitor.db -> var/eumonitor.matcher.pkl."""
    return archive_path.with_name(archive_path.stem + ".matcher.pkl")


def fingerprint(profile: Profile) -> str:
    """What a profile scores with; any edit that can change a score changes it."""
    data = asdict(profile)
    data.pop("path", None)
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{MODEL_VERSION}:{blob}".encode()).hexdigest()[:16]


def load_model(path: Path) -> matcher.Model | None:
    """The kept vectors, or None when missing or unreadable (then everything is fitted again)."""
    try:
        with path.open("rb") as handle:
            stored = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if not isinstance(stored, dict) or stored.get("version") != MODEL_VERSION:
        return None
    return stored["model"]


def save_model(path: Path, model: matcher.Model) -> None:
    """Write atomically, so a crash never leaves half a file for the next run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    model._stems = model._names = None  # rebuilt on demand; not worth the disk
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump({"version": MODEL_VERSION, "model": model}, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def refresh_model(store, path: Path, rebuild: bool = False) -> tuple[matcher.Model, list[int], bool]:
    """The model brought up to date with the archive: (model, rows of new/changed calls, fitted anew)."""
    model = None if rebuild else load_model(path)
    hashes = store.call_hashes()
    if model is not None and len(hashes) > REFIT_GROWTH * max(1, model.fitted_rows):
        model = None
    if model is None:
        calls = list(store.iter_calls())
        model = matcher.fit(calls, stamp=uuid.uuid4().hex)
        return model, list(range(len(calls))), True
    known = dict(zip(model.keys, model.hashes, strict=True))
    stale = [key for key, digest in hashes.items() if known.get(key) != digest]
    rows = matcher.update(model, store.calls_by_keys(stale)) if stale else []
    return model, rows, False


def run_match(
    store, profiles: Mapping[str, Profile], archive_path: Path, now: datetime, rebuild: bool = False
) -> MatchReport:
    """Score what changed: all calls for edited profiles, new and changed calls for the rest."""
    path = model_path(archive_path)
    model, rows, fitted = refresh_model(store, path, rebuild)
    report = MatchReport(rebuilt=fitted, calls_scored=len(rows))
    with store.transaction():
        store.forget_profiles(list(profiles))
        for profile in profiles.values():
            state = store.profile_state(profile.id)
            digest = fingerprint(profile)
            if state is None or state["fingerprint"] != digest or state["model_stamp"] != model.stamp:
                matches, scale = matcher.score_profile(model, profile)
                store.save_matches(profile.id, matches, now, replace_all=True)
                store.set_profile_state(profile.id, digest, model.stamp, scale, now)
                report.profiles_rescored.append(profile.id)
            elif rows:
                matches, _ = matcher.score_profile(model, profile, rows, scale=state["scale"])
                store.save_matches(profile.id, matches, now)
    if fitted or rows:
        save_model(path, model)
    report.counts = store.match_counts()
    return report


def preview(
    store, model: matcher.Model, saved: Profile, edited: Profile | None, today, limit: int = 20
) -> tuple[list[tuple[str, float]], list[str], list[str]]:
    """Top open calls for the edited (or saved) profile, and the ids entering and leaving versus the saved one."""
    open_keys = store.open_call_keys(today)
    rows = [i for i, key in enumerate(model.keys) if key in open_keys]

    def top(profile: Profile) -> list[tuple[str, float]]:
        matches, _ = matcher.score_profile(model, profile)
        chosen = [matches[i] for i in rows if matches[i].state == "match"]
        chosen.sort(key=lambda m: (-m.score, m.external_id))
        return [(m.external_id, m.score) for m in chosen[:limit]]

    before = top(saved)
    after = top(edited) if edited is not None else before
    old_ids, new_ids = [i for i, _ in before], [i for i, _ in after]
    return after, [i for i in new_ids if i not in old_ids], [i for i in old_ids if i not in new_ids]


def current_model(store, archive_path: Path) -> matcher.Model:
    """The model as a match run would see it, without saving anything."""
    return refresh_model(store, model_path(archive_path))[0]

