"""Ranking quality against relevance judgements: nDCG@10 and P@10 per theme, and reading judged scans."""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from eumonitor.matching import score as matcher
from eumonitor.matching.feedback import ThemeFeedback
from eumonitor.model import Call, Profile

K = 10


@dataclass(frozen=True)
class ThemeResult:
    """How one theme's ranking did."""

    theme: str
    ndcg: float
    precision: float
    relevant: int  # judged calls with grade 2
    judged: int  # judged calls with grade 1 or 2


def parse_judgements(lines: Iterable[str]) -> dict[str, dict[str, int]]:
    """JSON lines {"id": ..., "labels": {theme: grade}} -> {id: {theme: grade}}."""
    judged: dict[str, dict[str, int]] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            judged[str(item["id"])] = {str(k): int(v) for k, v in dict(item.get("labels") or {}).items()}
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"linje {number}: ugyldig vurdering ({exc})") from exc
    return judged


def dcg(gains: Sequence[float], k: int = K) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]))


def ndcg_at(ranked: Sequence[str], grades: Mapping[str, int], k: int = K) -> float:
    """nDCG@k with the grades as gains; the ideal is every judged call in grade order."""
    ideal = dcg(sorted(grades.values(), reverse=True), k)
    return dcg([grades.get(i, 0) for i in ranked], k) / ideal if ideal else 0.0


def precision_at(ranked: Sequence[str], grades: Mapping[str, int], k: int = K) -> float:
    """Share of the top k with grade 2."""
    return sum(1 for i in ranked[:k] if grades.get(i, 0) >= 2) / k


def rank(scores: Mapping[str, float]) -> list[str]:
    """Highest score first; ties in identifier order so runs are repeatable."""
    return sorted(scores, key=lambda i: (-scores[i], i))


def evaluate(
    scores: Mapping[str, Mapping[str, float]], judged: Mapping[str, Mapping[str, int]], themes: Sequence[str]
) -> list[ThemeResult]:
    """Per theme: rank the judged calls that have a score and compare with the grades."""
    results = []
    for theme in themes:
        theme_scores = {i: s for i, s in scores.get(theme, {}).items() if i in judged}
        grades = {i: labels.get(theme, 0) for i, labels in judged.items() if i in theme_scores}
        grades = {i: g for i, g in grades.items() if g}
        ranked = rank(theme_scores)
        results.append(
            ThemeResult(
                theme=theme,
                ndcg=ndcg_at(ranked, grades),
                precision=precision_at(ranked, grades),
                relevant=sum(1 for g in grades.values() if g >= 2),
                judged=len(grades),
            )
        )
    return results


def mean_ndcg(results: Sequence[ThemeResult]) -> float:
    scored = [r.ndcg for r in results if r.judged]
    return sum(scored) / len(scored) if scored else 0.0


def table_lines(results: Sequence[ThemeResult], label: str = "") -> list[str]:
    """The table users read: one line per theme, then the mean on the last line."""
    head = f"{label} " if label else ""
    lines = [f"{head}{'tema':<20} {'nDCG@10':>8} {'P@10':>6} {'rel(2)':>7} {'vurdert':>8}"]
    for r in results:
        lines.append(f"{head}{r.theme:<20} {r.ndcg:>8.3f} {r.precision:>6.2f} {r.relevant:>7} {r.judged:>8}")
    lines.append(f"{head}mean nDCG@10 {mean_ndcg(results):.3f}".strip())
    return lines


def read_scan_pages(folder: Path) -> Iterable[bytes]:
    """The recorded search pages of one scan folder, plain .json or gzipped .json.gz, in page order."""
    pages = [p for p in folder.glob("page-*.json*") if p.name.endswith((".json", ".json.gz"))]

    def number(path: Path) -> int:
        digits = path.name.split("-", 1)[1].split(".", 1)[0]
        return int(digits) if digits.isdigit() else 0

    for path in sorted(pages, key=number):
        data = path.read_bytes()
        yield gzip.decompress(data) if path.name.endswith(".gz") else data


def scan_calls(folders: Iterable[Path], now: datetime, source: str = "eu-funding-tenders") -> list[Call]:
    """Every call in recorded EU portal scans, parsed and normalised as a collect would store them."""
    from eumonitor.model import Page, Request, SourceSpec
    from eumonitor.sources.ft_api import COLLECTOR, Options
    from eumonitor.sources.normalize import best_per_identifier, normalize

    raws = []
    for folder in folders:
        for content in read_scan_pages(folder):
            envelope = json.loads(content)
            options = Options(page_size=int(envelope.get("pageSize") or 100))
            spec = SourceSpec(id=source, kind="ft_api", url="https://api.tech.ec.europa.eu/", options=options)
            request = Request(url=spec.url, meta={"page": int(envelope.get("pageNumber") or 1)})
            raws.extend(COLLECTOR.parse(spec, Page(spec.url, 200, {}, content, request)).calls)
    # Later scans come last, so on equal quality the first-seen copy wins; prefer the newest instead.
    return [normalize(raw, now) for raw in best_per_identifier(reversed(raws))]


def theme_scores(
    calls: Sequence[Call],
    profiles: Iterable[Profile],
    feedback: Mapping[str, ThemeFeedback] | None = None,
    model: matcher.Model | None = None,
) -> dict[str, dict[str, float]]:
    """Each profile's score per call id (moved by its theme's judgements, if given); excluded calls rank last,
    as they never reach a digest."""
    profiles = list(profiles)
    model = model or matcher.fit(calls, phrases=matcher.profile_phrases(profiles))
    ids = [key[1] for key in model.keys]
    out: dict[str, dict[str, float]] = {}
    for profile in profiles:
        scored = matcher.score(model, profile, feedback=(feedback or {}).get(profile.id))
        values = np.where(scored.states() == "excluded", -1.0, scored.scores)
        out[profile.id] = dict(zip(ids, map(float, values), strict=True))
    return out


FitAndScore = Callable[[set[str], set[str]], Mapping[str, Mapping[str, float]]]


def group_folds(ids: Sequence[str], groups: Mapping[str, str], folds: int) -> list[set[str]]:
    """`folds` disjoint sets of the judged ids covering them all; the topics of one call stay in one fold,
    so a fold is never scored with what was learnt from its own call's sibling topics."""
    from sklearn.model_selection import GroupKFold  # scikit-learn is the matcher's already

    ordered = sorted(ids)
    labels = [groups.get(i) or i for i in ordered]
    if len(set(labels)) < folds:
        raise ValueError(f"for få utlysninger ({len(set(labels))}) til {folds} folder")
    splitter = GroupKFold(n_splits=folds)
    return [{ordered[j] for j in test} for _train, test in splitter.split(ordered, groups=labels)]


def cross_validated_scores(
    ids: Sequence[str], groups: Mapping[str, str], folds: int, fit_and_score: FitAndScore
) -> dict[str, dict[str, float]]:
    """Each judged id's score from a ranker that learnt from the other folds only (pooled out-of-fold scores).

    `fit_and_score(train, test)` learns from the judgements of `train` and scores (at least) `test`.
    """
    pooled: dict[str, dict[str, float]] = {}
    for test in group_folds(ids, groups, folds):
        train = set(ids) - test
        for theme, values in fit_and_score(train, test).items():
            pooled.setdefault(theme, {}).update({i: v for i, v in values.items() if i in test})
    return pooled


def feedback_from(
    judged: Mapping[str, Mapping[str, int]], ids: Iterable[str], themes: Iterable[str], source: str
) -> dict[str, ThemeFeedback]:
    """The judgements of the given ids as each theme's feedback (a theme not listed for an id is a 0)."""
    chosen = list(ids)
    return {t: ThemeFeedback({(source, i): judged[i].get(t, 0) for i in chosen}) for t in themes}


def cross_validate(
    calls: Sequence[Call], profiles: Iterable[Profile], judged: Mapping[str, Mapping[str, int]], folds: int
) -> dict[str, dict[str, float]]:
    """The matcher with learning from judgements, measured honestly: every judged call is scored by a model
    whose feedback came from the other folds only (grouped by call identifier)."""
    profiles = list(profiles)
    model = matcher.fit(calls, phrases=matcher.profile_phrases(profiles))  # texts only, no judgements
    by_id = {c.external_id: c for c in calls}
    ids = [i for i in judged if i in by_id]
    groups = {i: by_id[i].call_identifier for i in ids}
    source = calls[0].source if calls else ""

    def fit_and_score(train: set[str], _test: set[str]) -> Mapping[str, Mapping[str, float]]:
        feedback = feedback_from(judged, train, [p.id for p in profiles], source)
        return theme_scores(calls, profiles, feedback, model)

    return cross_validated_scores(ids, groups, folds, fit_and_score)
