"""TF-IDF scoring of calls against theme profiles: exclusions, thresholds, calibrated scores, "why" terms (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from eumonitor.matching.feedback import ThemeFeedback, learned_query
from eumonitor.matching.text import (
    PhraseAnalyzer,
    Vectorizer,
    call_document,
    new_vectorizer,
    profile_phrases,
    stem,
    stem_key,
    tokens_of,
    words_of,
)
from eumonitor.model import Call, Match, Profile
from eumonitor.nb import score_nb

# A phrase's single words count a little on their own: "blue economy" partly matches "economy".
PHRASE_PART_WEIGHT = 0.25
# A phrase added after the last full fit has no column yet: its words stand in for it until the next rebuild.
UNFITTED_PART_WEIGHT = 0.5
DESCRIPTION_WEIGHT = 0.3
# How much the description-as-query vector adds to the keyword query (both unit length).
DESCRIPTION_BLEND = 0.3
WHY_TERMS = 5
# The calibration reference: the mean raw score of a profile's best few raw scores maps to 1.0.
SCALE_TOP = 5
# Below-threshold calls are stored only when this close to the threshold (a share of min_score); the rest
# are computed on demand (`explain`), so re-scoring a profile writes a few thousand rows, not the archive.
STORED_BELOW = 0.6
# The judging rule of every theme asks whether a municipality or its local partners could take part: a call
# that speaks of cities, regions, public authorities or citizens gets up to ROLE_BOOST more on its theme score.
# Multiplied, not added, so the role never lifts a call that is off the theme.
ROLE_TERMS = (
    "municipality", "municipalities", "municipal", "local authorities", "regional authorities",
    "public authorities", "authorities", "public sector", "local", "regional", "cities", "city", "towns",
    "public services", "citizens", "communities",
    "kommune", "kommuner", "fylkeskommune", "lokal", "offentlig sektor", "innbyggere",
)  # fmt: skip
ROLE_BOOST = 0.15
# The role query's cosine at which the boost is full: about the archive's top twentieth, a call that dwells on
# its local and public role; a passing mention of "local" gives a little. The boost is kept mild: the top of a
# theme sets the calibration, so a call without a local role slips a little below where it was.
ROLE_FULL = 0.05


@dataclass
class Model:
    """The fitted vocabulary and IDF, and one l2-normalised row per call, kept between runs."""

    vectorizer: Vectorizer
    keys: list[tuple[str, str]]
    hashes: list[str]
    programmes: list[str]  # "programme_id programme" per row, lowercased, for programme filters
    matrix: sparse.csr_matrix
    stamp: str = ""  # changes on every full fit; stored per profile to know when to re-score all
    fitted_rows: int = 0  # calls the IDF was learnt from
    _stems: dict[str, list[int]] | None = field(default=None, repr=False)
    _names: np.ndarray | None = field(default=None, repr=False)
    _role: np.ndarray | None = field(default=None, repr=False)

    def names(self) -> np.ndarray:
        """Vocabulary terms by column (cached)."""
        if self._names is None:
            self._names = self.vectorizer.get_feature_names_out()
        return self._names

    @property
    def analyzer(self) -> PhraseAnalyzer:
        return self.vectorizer.analyzer

    def row_of(self) -> dict[tuple[str, str], int]:
        return {key: i for i, key in enumerate(self.keys)}


def unfitted_phrases(model: Model, profiles: Iterable[Profile]) -> list[str]:
    """Profile phrases the model has no column for (added since the last full fit)."""
    return [p for p in profile_phrases(profiles) if model.analyzer.phrase_name(p) is None]


def _programme_key(call: Call) -> str:
    return f"{call.programme_id} {call.programme}".lower()


def fit(calls: Iterable[Call], stamp: str = "", phrases: Iterable[str] = ()) -> Model:
    """Learn vocabulary and IDF from the archive (counting the given phrases) and vectorise every call.

    One pass over `calls`, which may be a stream from the archive: at 50,000 calls, holding every call with
    its description at once cost most of a gigabyte.
    """
    vectorizer = new_vectorizer(phrases)
    keys: list[tuple[str, str]] = []
    hashes: list[str] = []
    programmes: list[str] = []

    def documents() -> Iterable[str]:
        for call in calls:
            keys.append(call.key)
            hashes.append(call.content_hash)
            programmes.append(_programme_key(call))
            yield call_document(call)

    matrix = vectorizer.fit_transform(documents())
    return Model(
        vectorizer=vectorizer,
        keys=keys,
        hashes=hashes,
        programmes=programmes,
        matrix=matrix,
        stamp=stamp,
        fitted_rows=len(keys),
    )


def update(model: Model, calls: Sequence[Call]) -> list[int]:
    """Vectorise new and changed calls with the fitted IDF; returns the rows they now occupy."""
    if not calls:
        return []
    rows = model.row_of()
    fresh = model.vectorizer.transform(call_document(c) for c in calls)
    old = model.matrix.shape[0]
    order = np.arange(old)
    targets: list[int] = []
    for i, call in enumerate(calls):
        row = rows.get(call.key)
        if row is None:
            row = len(model.keys)
            rows[call.key] = row
            model.keys.append(call.key)
            model.hashes.append(call.content_hash)
            model.programmes.append(_programme_key(call))
            order = np.append(order, old + i)
        else:
            # A changed call keeps its row; its vector is taken from the fresh block instead.
            model.hashes[row] = call.content_hash
            model.programmes[row] = _programme_key(call)
            order[row] = old + i
        targets.append(row)
    model.matrix = sparse.vstack([model.matrix, fresh]).tocsr()[order]
    return targets


def _stems(model: Model) -> dict[str, list[int]]:
    """Single-word columns by stem, so a profile's "ocean" takes "oceans" too."""
    if model._stems is None:
        index: dict[str, list[int]] = {}
        for term, col in model.vectorizer.vocabulary_.items():
            if " " not in term:
                index.setdefault(stem(term), []).append(col)
        model._stems = index
    return model._stems


def _put(weights: dict[int, float], cols: Iterable[int], weight: float) -> None:
    for col in cols:
        weights[col] = max(weights.get(col, 0.0), weight)


def _add_term(model: Model, weights: dict[int, float], term: str, weight: float) -> None:
    """Put one keyword or phrase into the query: a phrase's column at `weight`, its words at a fraction."""
    words = words_of(term)
    if len(tokens_of(term)) >= 2:
        name = model.analyzer.phrase_name(term)
        col = model.vectorizer.vocabulary_.get(name) if name else None
        if col is not None:
            _put(weights, [col], weight)
        weight *= PHRASE_PART_WEIGHT if name else UNFITTED_PART_WEIGHT
    stems = _stems(model)
    for word in words:
        _put(weights, stems.get(stem(word), ()), weight)


def profile_vector(model: Model, profile: Profile) -> np.ndarray:
    """The profile as a weighted, IDF-scaled query over the archive's vocabulary (unit length)."""
    weights: dict[int, float] = {}
    for word in tokens_of(profile.description):
        _add_term(model, weights, word, DESCRIPTION_WEIGHT)
    for keyword in profile.keywords:
        _add_term(model, weights, keyword.term, keyword.weight)
    query = _unit(model, weights)
    # Blended in: the description alone as a plain query, every word alike; it steadies a theme whose
    # keywords lean on a few words.
    plain: dict[int, float] = {}
    for word in words_of(profile.description):
        _add_term(model, plain, word, 1.0)
    query += DESCRIPTION_BLEND * _unit(model, plain)
    norm = float(np.linalg.norm(query))
    return query / norm if norm else query


def _unit(model: Model, weights: dict[int, float]) -> np.ndarray:
    """Term weights times IDF as a unit-length query vector."""
    query = np.zeros(model.matrix.shape[1], dtype=np.float32)
    if weights:
        cols = np.fromiter(weights, dtype=np.int64)
        query[cols] = np.fromiter(weights.values(), dtype=np.float32) * model.vectorizer.idf_[cols]
    norm = float(np.linalg.norm(query))
    return query / norm if norm else query


def _rows_matrix(model: Model, rows: np.ndarray | None) -> sparse.csr_matrix:
    return model.matrix if rows is None else model.matrix[rows]


def role_query(model: Model) -> np.ndarray:
    """The municipal/local/public role as a query over the archive's vocabulary (cached per model)."""
    if model._role is None or model._role.shape[0] != model.matrix.shape[1]:
        weights: dict[int, float] = {}
        for term in ROLE_TERMS:
            _add_term(model, weights, term, 1.0)
        model._role = _unit(model, weights)
    return model._role


def role_factors(model: Model, rows: np.ndarray | None = None) -> np.ndarray:
    """Per row, 1 plus up to ROLE_BOOST for how much the call speaks of a local, regional or public role."""
    role = raw_scores(model, role_query(model), rows)
    return 1.0 + ROLE_BOOST * np.minimum(role / ROLE_FULL, 1.0)


def raw_scores(model: Model, query: np.ndarray, rows: Sequence[int] | None = None) -> np.ndarray:
    """Cosine of each call (all, or the given rows) with the profile query."""
    matrix = _rows_matrix(model, None if rows is None else np.asarray(rows, dtype=np.int64))
    return np.asarray(matrix @ query).ravel()


def scale_of(scores: np.ndarray) -> float:
    """The calibration: the mean of the profile's best few raw scores, so 1.0 means "as good as it gets"."""
    if scores.size == 0:
        return 1.0
    top = np.partition(scores, -SCALE_TOP)[-SCALE_TOP:] if scores.size > SCALE_TOP else scores
    return float(top.mean()) or 1.0


def _has_term(model: Model, matrix: sparse.csr_matrix, term: str) -> np.ndarray | None:
    """Which rows contain a term: its phrase column when counted, else all of its words."""
    vocabulary = model.vectorizer.vocabulary_
    words = words_of(term)
    phrase = len(tokens_of(term)) >= 2
    name = model.analyzer.phrase_name(term) if phrase else (words[0] if words else None)
    if name and name in vocabulary:
        groups = [[vocabulary[name]]]
    elif phrase and name is None and words:
        groups = [[vocabulary[w]] if w in vocabulary else [] for w in words]
    else:
        return None
    if not all(groups):
        return None
    hit = np.ones(matrix.shape[0], dtype=bool)
    for cols in groups:
        indicator = np.zeros(matrix.shape[1], dtype=np.float32)
        indicator[cols] = 1.0
        hit &= np.asarray(matrix @ indicator).ravel() > 0
    return hit


def excluded_rows(model: Model, profile: Profile, rows: Sequence[int] | None = None) -> dict[int, str]:
    """Rows a profile's exclude terms or programme filter keep out (row -> reason in Norwegian)."""
    rows_arr = np.arange(len(model.keys)) if rows is None else np.asarray(rows, dtype=np.int64)
    out: dict[int, str] = {}
    if profile.exclude:
        matrix = _rows_matrix(model, None if rows is None else rows_arr)
        for term in profile.exclude:
            hit = _has_term(model, matrix, term)
            if hit is not None:
                for i in np.flatnonzero(hit):
                    out.setdefault(int(rows_arr[i]), f"utelatt: inneholder «{term}»")
    if profile.programmes:
        wanted = [p.lower() for p in profile.programmes]
        for row in map(int, rows_arr):
            if row not in out and not any(w in model.programmes[row] for w in wanted):
                out[row] = "utelatt: programmet er ikke blant profilens programmer"
    return out


def _covered(key: str, words: frozenset[str], chosen: list[tuple[str, frozenset[str]]]) -> bool:
    """A near-duplicate of a chosen term ("sea basins" after "sea basin"), or a word a chosen phrase names."""
    return any(key == other or words <= other_words for other, other_words in chosen)


def why_lists(
    model: Model, query: np.ndarray, rows: Sequence[int] | np.ndarray | None = None, limit: int = WHY_TERMS
) -> list[tuple[str, ...]]:
    """For each row (default all), the terms that carried its score, strongest first; in bulk."""
    matrix = _rows_matrix(model, None if rows is None else np.asarray(rows, dtype=np.int64))
    counts = np.diff(matrix.indptr)
    contrib = matrix.data * query[matrix.indices]
    keep = contrib > 0
    owner = np.repeat(np.arange(matrix.shape[0]), counts)[keep]
    cols, contrib = matrix.indices[keep], contrib[keep]
    order = np.lexsort((-contrib, owner))
    owner, cols = owner[order], cols[order]
    bounds = np.searchsorted(owner, np.arange(matrix.shape[0] + 1))
    names = model.names()
    # Only the query's own columns can carry a score: their names and stems once, not once per call.
    terms = {}
    for col in np.flatnonzero(query):
        name = str(names[col])
        key = stem_key(name)
        terms[col] = (name, key, frozenset(key.split(" ")))
    out: list[tuple[str, ...]] = []
    for i in range(matrix.shape[0]):
        chosen: list[tuple[str, frozenset[str]]] = []
        picked: list[str] = []
        for col in cols[bounds[i] : bounds[i + 1]].tolist():
            name, key, words = terms[col]
            if _covered(key, words, chosen):
                continue
            chosen.append((key, words))
            picked.append(name)
            if len(picked) >= limit:
                break
        out.append(tuple(picked))
    return out


def why_terms(model: Model, query: np.ndarray, row: int, limit: int = WHY_TERMS) -> tuple[str, ...]:
    """The terms that carried one call's score, strongest first."""
    return why_lists(model, query, [row], limit)[0]


@dataclass
class Scored:
    """One profile's scores over a set of rows, before any Match is built."""

    profile: Profile
    query: np.ndarray
    rows: np.ndarray
    scores: np.ndarray  # calibrated, rounded to 4 places
    excluded: dict[int, str]
    scale: float

    def states(self) -> np.ndarray:
        state = np.where(self.scores >= self.profile.min_score, "match", "below").astype(object)
        if self.excluded:
            state[np.isin(self.rows, list(self.excluded))] = "excluded"
        return state


def score(
    model: Model,
    profile: Profile,
    rows: Sequence[int] | None = None,
    scale: float | None = None,
    feedback: ThemeFeedback | None = None,
) -> Scored:
    """Calibrated scores of one profile (moved by its judgements) over the given rows (default all); the scale is
    fitted when not given."""
    query = learned_query(model, profile_vector(model, profile), feedback)
    rows_arr = np.arange(len(model.keys)) if rows is None else np.asarray(list(rows), dtype=np.int64)
    raw = raw_scores(model, query, None if rows is None else rows_arr)
    if ROLE_BOOST:
        raw = raw * role_factors(model, None if rows is None else rows_arr)
    if scale is None:
        scale = scale_of(raw)
    scores = np.round(np.minimum(raw / scale, 1.0), 4)
    return Scored(profile, query, rows_arr, scores, excluded_rows(model, profile, rows_arr), scale)


def matches_of(model: Model, scored: Scored, positions: np.ndarray | None = None) -> list[Match]:
    """Matches for the given positions of a Scored (default all), with their "why" computed in bulk."""
    profile = scored.profile
    positions = np.arange(scored.rows.size) if positions is None else positions
    states = scored.states()[positions]
    scores = scored.scores[positions]
    rows = scored.rows[positions]
    with_why = np.flatnonzero(scores > 0)
    whys: list[tuple[str, ...]] = [()] * positions.size
    for i, why in zip(with_why, why_lists(model, scored.query, rows[with_why]), strict=True):
        whys[i] = why
    out = []
    for i, row in enumerate(map(int, rows)):
        source, external_id = model.keys[row]
        value = float(scores[i])
        if states[i] == "excluded":
            out.append(Match(profile.id, source, external_id, value, whys[i], "excluded", scored.excluded[row]))
        elif states[i] == "below":
            below = f"skår {score_nb(value)} < terskel {score_nb(profile.min_score)}"
            out.append(Match(profile.id, source, external_id, value, whys[i], "below", below))
        else:
            out.append(Match(profile.id, source, external_id, value, whys[i]))
    return out


def stored_positions(scored: Scored) -> np.ndarray:
    """What a match run stores: matches, exclusions, and below-threshold calls near the threshold."""
    near = scored.scores >= scored.profile.min_score * STORED_BELOW
    if scored.excluded:
        near |= np.isin(scored.rows, list(scored.excluded))
    return np.flatnonzero(near)


def score_profile(
    model: Model,
    profile: Profile,
    rows: Sequence[int] | None = None,
    scale: float | None = None,
    *,
    stored_only: bool = False,
    feedback: ThemeFeedback | None = None,
) -> tuple[list[Match], float]:
    """Matches of one profile over the given rows (default all); the scale is fitted when not given.

    With stored_only, only what a match run keeps (see stored_positions); otherwise one Match per row.
    """
    scored = score(model, profile, rows, scale, feedback)
    positions = stored_positions(scored) if stored_only else None
    return matches_of(model, scored, positions), scored.scale
