"""Incremental matching of the archive: keep call vectors between runs, re-score only what changed."""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from eumonitor.matching import score as matcher
from eumonitor.matching import vectors
from eumonitor.matching.feedback import ThemeFeedback, learned_query, term_shift
from eumonitor.model import Match, Profile

if TYPE_CHECKING:
    from eumonitor.store import Store

# When the archive has grown this much since the last fit, the IDF no longer describes it: fit again.
REFIT_GROWTH = 1.5


@dataclass
class MatchReport:
    """What one match run did, for the command's summary."""

    rebuilt: bool = False
    calls_scored: int = 0  # new or changed calls vectorised
    profiles_rescored: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    unfitted: list[str] = field(default_factory=list)  # profile phrases counted as words until a rebuild
    archived: int = 0  # calls in the archive: 0 on a first run, which deserves its own words


def fingerprint(profile: Profile, feedback: ThemeFeedback | None = None) -> str:
    """What a profile scores with; any edit that can change a score changes it, and so does a judgement."""
    data = asdict(profile)
    data.pop("path", None)
    data["feedback"] = feedback.signature() if feedback else ""
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{vectors.MODEL_VERSION}:{blob}".encode()).hexdigest()[:16]


def theme_feedback(store: Store, profile_id: str) -> ThemeFeedback | None:
    """The advisers' current judgements for one theme, or None when there are none."""
    grades = store.feedback_grades(profile_id)
    return ThemeFeedback(grades) if grades else None


def refresh_model(
    store: Store, rebuild: bool = False, phrases: Sequence[str] | None = None
) -> tuple[matcher.Model, list[int], bool]:
    """The model brought up to date with the archive: (model, rows of new/changed calls, fitted anew).

    A full fit counts the given phrases (the profiles'); without them, those of the kept model.
    """
    old = vectors.load_model(store)
    model = None if rebuild else old
    hashes = store.call_hashes()
    # A model fitted on an empty archive (a first run) is refitted as soon as any call has arrived.
    if model is not None and len(hashes) > REFIT_GROWTH * model.fitted_rows:
        model = None
    if model is not None and phrases and any(model.analyzer.phrase_name(p) is None for p in phrases):
        model = None  # a profile names a phrase the kept vectors do not count: count it everywhere
    if model is None:
        if phrases is None:
            phrases = sorted(old.analyzer.names.values()) if old is not None else []
        model = matcher.fit(store.iter_calls(), stamp=uuid.uuid4().hex, phrases=phrases)
        return model, list(range(len(model.keys))), True
    known = dict(zip(model.keys, model.hashes, strict=True))
    stale = [key for key, digest in hashes.items() if known.get(key) != digest]
    rows = matcher.update(model, store.calls_by_keys(stale)) if stale else []
    return model, rows, False


def run_match(store: Store, profiles: Mapping[str, Profile], now: datetime, rebuild: bool = False) -> MatchReport:
    """Score what changed: all calls for edited profiles, new and changed calls for the rest.

    Only what a reader needs is stored: matches, exclusions and near misses (matcher.stored_positions);
    `explain` computes the other calls' scores from the kept vectors. Vectors and matches are written in one
    transaction: after a crash both are as they were, and the next run scores the same calls again.
    """
    phrases = matcher.profile_phrases(profiles.values())
    model, rows, fitted = refresh_model(store, rebuild, phrases)
    report = MatchReport(rebuilt=fitted, calls_scored=len(rows), archived=store.count_calls())
    # Encoded before the write lock is taken: other writers (a collect, a web save) wait only for the writes.
    encoded = vectors.to_state(model) if fitted or rows else None
    with store.transaction():
        if encoded is not None:
            store.put_model_state(encoded)
        store.forget_profiles(list(profiles))
        for profile in profiles.values():
            state = store.profile_state(profile.id)
            learned = theme_feedback(store, profile.id)
            digest = fingerprint(profile, learned)
            if state is None or state["fingerprint"] != digest or state["model_stamp"] != model.stamp:
                matches, scale = matcher.score_profile(model, profile, stored_only=True, feedback=learned)
                store.save_matches(profile.id, matches, now, replace_all=True)
                store.set_profile_state(profile.id, digest, model.stamp, scale, now)
                report.profiles_rescored.append(profile.id)
            elif rows:
                matches, _ = matcher.score_profile(
                    model, profile, rows, scale=state["scale"], stored_only=True, feedback=learned
                )
                store.save_matches(profile.id, matches, now, scored=[model.keys[r] for r in rows])
    report.counts = store.match_counts()
    report.unfitted = matcher.unfitted_phrases(model, profiles.values())
    return report


def explain(
    store: Store, profiles: Mapping[str, Profile], model: matcher.Model | None, key: tuple[str, str]
) -> list[Match]:
    """Every profile's verdict on one call: the stored ones, the rest scored on the fly from the model's vectors.

    Without a model (nothing matched yet), only the stored verdicts.
    """
    stored = {m.profile_id: m for m in store.matches_for_call(*key)}
    missing = [p for pid, p in profiles.items() if pid not in stored]
    row = model.row_of().get(key) if model is not None and missing else None
    if model is not None and row is not None:
        for profile in missing:
            state = store.profile_state(profile.id)
            if state is None or state["model_stamp"] != model.stamp:
                continue  # scored with other vectors (or never): its scale would not fit these
            scored = matcher.score(
                model, profile, [row], scale=state["scale"], feedback=theme_feedback(store, profile.id)
            )
            stored[profile.id] = matcher.matches_of(model, scored)[0]
    return sorted(stored.values(), key=lambda m: (-m.score, m.profile_id))


def preview(
    store: Store, model: matcher.Model, saved: Profile, edited: Profile | None, today: date, limit: int = 20
) -> tuple[list[tuple[tuple[str, str], float]], list[tuple[str, str]], list[tuple[str, str]]]:
    """Top open calls for the edited (or saved) profile, and the calls entering and leaving versus the saved one.

    Calls are named by their (source, id) key throughout: two sources may use the same id.
    """
    open_keys = store.open_call_keys(today)
    rows = [i for i, key in enumerate(model.keys) if key in open_keys]

    learned = theme_feedback(store, saved.id)  # the preview shows the ranking as a match run would store it

    def top(profile: Profile) -> list[tuple[tuple[str, str], float]]:
        scored = matcher.score(model, profile, feedback=learned)
        states = scored.states()
        chosen = [(model.keys[i], float(scored.scores[i])) for i in rows if states[i] == "match"]
        chosen.sort(key=lambda m: (-m[1], m[0][1], m[0][0]))
        return chosen[:limit]

    before = top(saved)
    after = top(edited) if edited is not None else before
    old_keys, new_keys = [k for k, _ in before], [k for k, _ in after]
    return after, [k for k in new_keys if k not in old_keys], [k for k in old_keys if k not in new_keys]


@dataclass(frozen=True)
class Learned:
    """What a theme's judgements changed: terms its query gained and lost, and open calls entering or leaving
    its top list."""

    judgements: int
    gained: list[str]
    lost: list[str]
    entering: list[tuple[str, str]]
    leaving: list[tuple[str, str]]


def learned(store: Store, model: matcher.Model, profile: Profile, today: date, limit: int = 20) -> Learned | None:
    """The theme as judged against the theme as written; None when nobody has judged it."""
    feedback = theme_feedback(store, profile.id)
    if feedback is None:
        return None
    base = matcher.profile_vector(model, profile)
    gained, lost = term_shift(model, base, learned_query(model, base, feedback))
    open_keys = store.open_call_keys(today)
    rows = [i for i, key in enumerate(model.keys) if key in open_keys]

    def top(with_feedback: ThemeFeedback | None) -> list[tuple[str, str]]:
        scored = matcher.score(model, profile, feedback=with_feedback)
        states = scored.states()
        chosen = sorted((i for i in rows if states[i] == "match"), key=lambda i: (-scored.scores[i], model.keys[i]))
        return [model.keys[i] for i in chosen[:limit]]

    before, after = top(None), top(feedback)
    return Learned(
        feedback.count, gained, lost, [k for k in after if k not in before], [k for k in before if k not in after]
    )


def current_model(store: Store, profiles: Mapping[str, Profile] | None = None) -> matcher.Model:
    """The model as a match run would see it, without saving anything."""
    phrases = matcher.profile_phrases(profiles.values()) if profiles is not None else None
    return refresh_model(store, phrases=phrases)[0]


class ModelCache:
    """The model as a match run would see it, kept in memory until the archive or the stored vectors change.

    One per process (the web app makes one in create_app): the call page and the profile page share it, so
    the vectors are read from the archive once, not per request. Thread-safe: one thread loads, the others wait.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[object, ...] = ()
        self._model: matcher.Model | None = None

    def get(self, store: Store) -> matcher.Model:
        """The current model (fitted from the archive when no match run has kept vectors yet)."""
        # The archive stamp moves when calls change, the revision when a match run keeps new vectors.
        key = (store.archive_stamp(), store.model_revision())
        with self._lock:
            if self._model is None or self._key != key:
                self._model = current_model(store)
                self._key = key
            return self._model

    def if_matched(self, store: Store) -> matcher.Model | None:
        """The current model, or None before the first match run: a call page must never start a full fit."""
        return self.get(store) if store.model_revision() is not None else None
