"""Learning from the advisers' judgements: Rocchio expansion of a theme's query, bounded so a few clicks
cannot bury a theme (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


class Model(Protocol):
    """What feedback needs of the matcher's fitted model (score.Model), named here so score can import this."""

    matrix: Any  # one l2-normalised row per call (scipy CSR)

    def row_of(self) -> dict[tuple[str, str], int]: ...

    def names(self) -> np.ndarray: ...


# Rocchio's weights (Manning, Raghavan & Schütze, Introduction to Information Retrieval, §9.1.1): the profile
# as written counts fully; the centroid of the calls judged relevant adds BETA, that of the calls judged not
# for us takes away GAMMA. BETA is below the book's usual 0.75: cross-validated on the development judgements,
# a strong pull toward the centroid of a broad theme's relevant calls (folkehelse) pushed its ranking down.
BETA = 0.3
GAMMA = 0.15
# The learned part grows with the evidence, n / (n + SATURATION): two clicks move a theme a little, eighty
# about as far as it can go. With BETA that bounds what judgements can do against what the profile says.
SATURATION = 40
# A grade 1 ("touches the theme") pulls half as hard as a grade 2.
GRADE_WEIGHT = {2: 1.0, 1: 0.5}


@dataclass(frozen=True)
class ThemeFeedback:
    """One theme's judgements: call keys with their grade (2 relevant, 1 touches it, 0 not for us)."""

    grades: Mapping[tuple[str, str], int]

    @property
    def count(self) -> int:
        return len(self.grades)

    def signature(self) -> str:
        """A stable text of the judgements, so a new or undone one changes the profile's fingerprint."""
        return ";".join(f"{s}/{i}={g}" for (s, i), g in sorted(self.grades.items()))


def learned_query(model: Model, query: np.ndarray, feedback: ThemeFeedback | None) -> np.ndarray:
    """The profile's query moved toward the calls judged relevant and away from those judged not (unit length).

    Judged calls the model has no row for (not in this archive) are left out. Negative weights are dropped,
    as is usual with Rocchio: a query says what a theme is about, not what it is not.
    """
    if feedback is None or not feedback.grades:
        return query
    rows = model.row_of()
    positive = [(rows[key], GRADE_WEIGHT[g]) for key, g in feedback.grades.items() if key in rows and g in GRADE_WEIGHT]
    negative = [rows[key] for key, g in feedback.grades.items() if key in rows and g == 0]
    if not positive and not negative:
        return query
    evidence = len(positive) + len(negative)
    strength = evidence / (evidence + SATURATION)
    moved = query.astype(np.float64)
    if positive:
        moved = moved + strength * BETA * _centroid(model, positive)
    if negative:
        moved = moved - strength * GAMMA * _centroid(model, [(r, 1.0) for r in negative])
    moved = np.maximum(moved, 0.0)
    norm = float(np.linalg.norm(moved))
    return (moved / norm).astype(np.float32) if norm else query


def _centroid(model: Model, weighted_rows: Iterable[tuple[int, float]]) -> np.ndarray:
    pairs = list(weighted_rows)
    rows = np.fromiter((r for r, _ in pairs), dtype=np.int64)
    weights = np.fromiter((w for _, w in pairs), dtype=np.float64)
    summed = np.asarray(model.matrix[rows].T @ weights).ravel()
    return summed / weights.sum()


def term_shift(model: Model, before: np.ndarray, after: np.ndarray, limit: int = 10) -> tuple[list[str], list[str]]:
    """The terms the judgements lifted most and lowered most in a theme's query, for the profile page."""
    names = model.names()
    delta = after.astype(np.float64) - before.astype(np.float64)
    order = np.argsort(delta)
    gained = [str(names[i]) for i in order[::-1][:limit] if delta[i] > 1e-4]
    lost = [str(names[i]) for i in order[:limit] if delta[i] < -1e-4]
    return gained, lost
