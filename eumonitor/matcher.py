"""TF-IDF scoring of calls against theme profiles: exclusions, thresholds, calibrated scores, "why" terms (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from eumonitor.model import Call, Match, Profile
from eumonitor.stopwords import BOILERPLATE, NORWEGIAN

STOP_WORDS = sorted(ENGLISH_STOP_WORDS | NORWEGIAN | BOILERPLATE)
# Words only: identifiers and numbers would make every call's own id its strongest term.
TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W\d_]+\b"
# The head of a call (titles, keywords, priorities) is repeated so it outweighs the long description.
HEAD_REPEAT = 3
# Past this, descriptions are mostly eligibility and procedure boilerplate; cutting also keeps fits fast.
DESCRIPTION_CHARS = 3000
# A phrase's single words count a little on their own: "blue economy" partly matches "economy".
PHRASE_PART_WEIGHT = 0.25
DESCRIPTION_WEIGHT = 0.3
WHY_TERMS = 5
# The calibration reference: the mean raw score of a profile's best calls maps to 1.0.
SCALE_TOP = 5


@dataclass
class Model:
    """The fitted vocabulary and IDF, and one l2-normalised row per call, kept between runs."""

    vectorizer: TfidfVectorizer
    keys: list[tuple[str, str]]
    hashes: list[str]
    programmes: list[str]  # "programme_id programme" per row, lowercased, for programme filters
    matrix: sparse.csr_matrix
    stamp: str = ""  # changes on every full fit; stored per profile to know when to re-score all
    fitted_rows: int = 0  # calls the IDF was learnt from
    _stems: dict[str, list[int]] | None = field(default=None, repr=False)
    _names: np.ndarray | None = field(default=None, repr=False)

    def names(self) -> np.ndarray:
        """Vocabulary terms by column (cached: sklearn builds the array anew on every call)."""
        if self._names is None:
            self._names = self.vectorizer.get_feature_names_out()
        return self._names

    def row_of(self) -> dict[tuple[str, str], int]:
        return {key: i for i, key in enumerate(self.keys)}


def new_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        stop_words=STOP_WORDS,
        token_pattern=TOKEN_PATTERN,
        ngram_range=(1, 2),
        sublinear_tf=True,
        dtype=np.float32,
    )


def call_document(call: Call) -> str:
    """The text a call is scored on: its head repeated above a trimmed description."""
    priorities = " ".join(call.extra.get("cross_cutting_priorities", ()) if call.extra else ())
    head = " . ".join([call.title, call.call_title, " . ".join(call.keywords), " ".join(call.tags), priorities])
    return "\n".join([head] * HEAD_REPEAT + [call.description_text[:DESCRIPTION_CHARS]])


def _programme_key(call: Call) -> str:
    return f"{call.programme_id} {call.programme}".lower()


def fit(calls: Sequence[Call], stamp: str = "") -> Model:
    """Learn vocabulary and IDF from the archive and vectorise every call."""
    vectorizer = new_vectorizer()
    matrix = vectorizer.fit_transform(call_document(c) for c in calls).tocsr()
    return Model(
        vectorizer=vectorizer,
        keys=[c.key for c in calls],
        hashes=[c.content_hash for c in calls],
        programmes=[_programme_key(c) for c in calls],
        matrix=matrix,
        stamp=stamp,
        fitted_rows=len(calls),
    )


def update(model: Model, calls: Sequence[Call]) -> list[int]:
    """Vectorise new and changed calls with the fitted IDF; returns the rows they now occupy."""
    if not calls:
        return []
    rows = model.row_of()
    fresh = model.vectorizer.transform(call_document(c) for c in calls).tocsr()
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


_SUFFIXES = ("ations", "ation", "ities", "ity", "ings", "ing", "ies", "es", "s", "ed", "ene", "er", "en", "et")


def stem(word: str) -> str:
    """A light suffix stripper, so a profile's "ocean" also finds "oceans" (English and Norwegian)."""
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 4 and word.endswith(suffix) and not word.endswith(("ss", "us", "is")):
            return word[: -len(suffix)]
    return word


def _stem_key(term: str) -> str:
    return " ".join(stem(w) for w in term.split(" "))


def _stems(model: Model) -> dict[str, list[int]]:
    if model._stems is None:
        index: dict[str, list[int]] = {}
        for term, col in model.vectorizer.vocabulary_.items():
            index.setdefault(_stem_key(term), []).append(col)
        model._stems = index
    return model._stems


def _add_phrase(model: Model, weights: dict[int, float], phrase: str, weight: float) -> None:
    """Put one keyword or phrase into the query: its full n-gram at `weight`, its words at a fraction."""
    analyze = model.vectorizer.build_analyzer()
    terms = analyze(phrase)
    longest = max((t.count(" ") for t in terms), default=0)
    for term in terms:
        share = weight if term.count(" ") == longest else weight * PHRASE_PART_WEIGHT
        for col in _stems(model).get(_stem_key(term), ()):
            weights[col] = max(weights.get(col, 0.0), share)


def profile_vector(model: Model, profile: Profile) -> np.ndarray:
    """The profile as a weighted, IDF-scaled query over the archive's vocabulary (unit length)."""
    weights: dict[int, float] = {}
    for word in re.findall(r"[^\W\d_]{2,}", profile.description.lower()):
        _add_phrase(model, weights, word, DESCRIPTION_WEIGHT)
    for keyword in profile.keywords:
        _add_phrase(model, weights, keyword.term.lower(), keyword.weight)
    query = np.zeros(model.matrix.shape[1], dtype=np.float32)
    if weights:
        cols = np.fromiter(weights, dtype=np.int64)
        query[cols] = np.fromiter(weights.values(), dtype=np.float32) * model.vectorizer.idf_[cols]
    norm = float(np.linalg.norm(query))
    return query / norm if norm else query


def raw_scores(model: Model, query: np.ndarray, rows: Sequence[int] | None = None) -> np.ndarray:
    """Cosine of each call (all, or the given rows) with the profile query."""
    matrix = model.matrix if rows is None else model.matrix[list(rows)]
    return np.asarray(matrix @ query).ravel()


def scale_of(scores: np.ndarray) -> float:
    """The calibration: the mean of the profile's best few raw scores, so 1.0 means "as good as it gets"."""
    if scores.size == 0:
        return 1.0
    top = np.sort(scores)[-SCALE_TOP:]
    return float(top.mean()) or 1.0


def _phrase_columns(model: Model, phrase: str) -> list[int]:
    terms = model.vectorizer.build_analyzer()(phrase.lower())
    longest = max((t.count(" ") for t in terms), default=-1)
    return [model.vectorizer.vocabulary_.get(t, -1) for t in terms if t.count(" ") == longest]


def excluded_rows(model: Model, profile: Profile, rows: Sequence[int]) -> dict[int, str]:
    """Rows a profile's exclude terms or programme filter keep out, with the reason in Norwegian."""
    out: dict[int, str] = {}
    sub = model.matrix[list(rows)].tocsc() if rows else None
    for term in profile.exclude:
        cols = _phrase_columns(model, term)
        if not cols or min(cols) < 0 or sub is None:
            continue
        hit = np.ones(len(rows), dtype=bool)
        for col in cols:
            hit &= np.asarray((sub[:, col] != 0).todense()).ravel()
        for i in np.flatnonzero(hit):
            out.setdefault(rows[i], f"utelatt: inneholder «{term}»")
    if profile.programmes:
        wanted = [p.lower() for p in profile.programmes]
        for row in rows:
            if row not in out and not any(w in model.programmes[row] for w in wanted):
                out[row] = "utelatt: programmet er ikke blant profilens programmer"
    return out


def why_terms(model: Model, query: np.ndarray, row: int, limit: int = WHY_TERMS) -> tuple[str, ...]:
    """The terms that carried a call's score, strongest first."""
    start, end = model.matrix.indptr[row], model.matrix.indptr[row + 1]
    cols = model.matrix.indices[start:end]
    contrib = model.matrix.data[start:end] * query[cols]
    names = model.names()
    chosen: list[str] = []
    for i in np.argsort(-contrib):
        if contrib[i] <= 0 or len(chosen) >= limit:
            break
        term = str(names[cols[i]])
        # A bigram already names its words; skip a single word it covers.
        if not any(term in c.split(" ") or term in c for c in chosen):
            chosen.append(term)
    return tuple(chosen)


def score_profile(
    model: Model, profile: Profile, rows: Sequence[int] | None = None, scale: float | None = None
) -> tuple[list[Match], float]:
    """Matches of one profile over the given rows (default all); the scale is fitted when not given."""
    query = profile_vector(model, profile)
    rows = list(range(len(model.keys))) if rows is None else list(rows)
    raw = raw_scores(model, query, rows)
    if scale is None:
        scale = scale_of(raw)
    scores = np.minimum(raw / scale, 1.0)
    excluded = excluded_rows(model, profile, rows)
    matches = []
    for i, row in enumerate(rows):
        matches.append(_match(model, profile, query, row, float(scores[i]), excluded.get(row)))
    return matches, scale


def _match(model: Model, profile: Profile, query: np.ndarray, row: int, score: float, reason: str | None) -> Match:
    source, external_id = model.keys[row]
    score = round(score, 4)
    why = why_terms(model, query, row) if score > 0 else ()
    if reason:
        return Match(profile.id, source, external_id, score, why, "excluded", reason)
    if score < profile.min_score:
        below = f"under terskelen: {score:.2f} < {profile.min_score:.2f}"
        return Match(profile.id, source, external_id, score, why, "below", below)
    return Match(profile.id, source, external_id, score, why)


def score_calls(calls: Sequence[Call], profiles: Iterable[Profile]) -> dict[str, list[Match]]:
    """One-shot scoring of a set of calls against profiles, fitting on those calls."""
    model = fit(calls)
    return {p.id: score_profile(model, p)[0] for p in profiles}
