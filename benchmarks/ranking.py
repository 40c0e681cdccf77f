"""Ranking quality (eumonitor vs TF-IDF and BM25 baselines) and matching speed on a 50,000-call archive.

Run: .venv/bin/python benchmarks/ranking.py [--judgements FILE] [--scans DIR ...] [--calls 50000]
"""

from __future__ import annotations

import argparse
import math
import re
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from eumonitor.config.profiles import load_profiles
from eumonitor.matching import evaluation
from eumonitor.matching import score as matcher
from eumonitor.model import Keyword
from eumonitor.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
NOW = datetime(2026, 6, 24, tzinfo=UTC)


def theme_lines(path: Path) -> dict[str, str]:
    """Each theme's one-line description from the themes.md table: the baselines' query."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"[a-z][a-z-]*", cells[0]) and cells[0] != "id":
            found[cells[0]] = cells[2]
    return found


def plain_text(call) -> str:
    return f"{call.title}\n{call.description_text}"


def tfidf_baseline(calls, queries: dict[str, str]) -> dict[str, dict[str, float]]:
    vectorizer = TfidfVectorizer(stop_words="english")
    docs = vectorizer.fit_transform(plain_text(c) for c in calls)
    out = {}
    for theme, query in queries.items():
        scores = (docs @ vectorizer.transform([query]).T).toarray().ravel()
        out[theme] = {c.external_id: float(s) for c, s in zip(calls, scores, strict=True)}
    return out


def bm25_baseline(calls, queries: dict[str, str], k1: float = 1.2, b: float = 0.75) -> dict[str, dict[str, float]]:
    counter = CountVectorizer(stop_words="english")
    tf = counter.fit_transform(plain_text(c) for c in calls).tocsc().astype(np.float64)
    lengths = np.asarray(tf.sum(axis=1)).ravel()
    df = np.diff(tf.indptr)
    idf = np.log(1 + (len(calls) - df + 0.5) / (df + 0.5))
    norm = k1 * (1 - b + b * lengths / lengths.mean())
    out = {}
    for theme, query in queries.items():
        scores = np.zeros(len(calls))
        for term in set(counter.build_analyzer()(query)):
            col = counter.vocabulary_.get(term)
            if col is None:
                continue
            start, end = tf.indptr[col], tf.indptr[col + 1]
            rows, freq = tf.indices[start:end], tf.data[start:end]
            scores[rows] += idf[col] * freq * (k1 + 1) / (freq + norm[rows])
        out[theme] = {c.external_id: float(s) for c, s in zip(calls, scores, strict=True)}
    return out


def quality(judgements: Path, scans: list[Path], themes_md: Path) -> None:
    judged = evaluation.parse_judgements(judgements.read_text(encoding="utf-8").splitlines())
    calls = evaluation.scan_calls(scans, NOW)
    profiles, _ = load_profiles(REPO)
    queries = theme_lines(themes_md)
    themes = list(queries)
    print(f"Kvalitet: {len(judged)} vurderte, {len(calls)} utlysninger i skannene")
    rows = {
        "eumonitor": evaluation.evaluate(evaluation.theme_scores(calls, profiles.values()), judged, themes),
        "tfidf": evaluation.evaluate(tfidf_baseline(calls, queries), judged, themes),
        "bm25": evaluation.evaluate(bm25_baseline(calls, queries), judged, themes),
    }
    print(f"{'tema':<20} " + " ".join(f"{name + ' nDCG':>15} {'P@10':>5}" for name in rows))
    for i, theme in enumerate(themes):
        cells = " ".join(f"{r[i].ndcg:>15.3f} {r[i].precision:>5.2f}" for r in rows.values())
        print(f"{theme:<20} {cells}")
    print(f"{'mean nDCG@10':<20} " + " ".join(f"{evaluation.mean_ndcg(r):>15.3f} {'':>5}" for r in rows.values()))


def replicate(calls, total: int):
    """The real calls copied under new ids until the archive holds `total` calls."""
    out = []
    for n in range(math.ceil(total / len(calls))):
        for call in calls:
            out.append(replace(call, external_id=f"{call.external_id}#{n}", content_hash=f"{call.content_hash}{n}"))
    return out[:total]


def timed(label: str, func):
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    print(f"  {label:<62} {seconds:8.2f} s")
    return result, seconds


def speed(scans: list[Path], total: int) -> None:
    base = evaluation.scan_calls(scans, NOW)
    calls = replicate(base, total + 1000)
    archive, fresh = calls[:total], calls[total:]
    profiles = list(load_profiles(REPO)[0].values())
    phrases = matcher.profile_phrases(profiles)
    docs = [matcher.call_document(c) for c in archive]
    print(f"Fart: arkiv med {len(archive)} utlysninger (de {len(base)} ekte kopiert)")
    _, floor = timed(
        "gulv: TfidfVectorizer().fit(tekstene) (standardinnstillinger)", lambda: TfidfVectorizer().fit(docs)
    )
    _, same = timed(
        "eumonitors Vectorizer alene (ord + profilfraser, sklearn TfidfTransformer), fit",
        lambda: matcher.new_vectorizer(phrases).fit(docs),
    )

    def rebuild():
        model = matcher.fit(archive, phrases=phrases)
        for profile in profiles:
            matcher.score_profile(model, profile, stored_only=True)
        return model

    model, full = timed("full gjenoppbygging: fit + vektorer + skår alle 9 profiler", rebuild)
    print(
        f"  full gjenoppbygging / standard-fit: {full / floor:.2f}x; / fit med samme innstillinger: {full / same:.2f}x"
    )
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db")
        with store.transaction():
            store.upsert_calls("eu-funding-tenders", archive, NOW, None, complete=False)
        with store.transaction():
            for profile in profiles:
                store.save_matches(profile.id, matcher.score_profile(model, profile, stored_only=True)[0], NOW)
        edited = replace(profiles[0], keywords=profiles[0].keywords + (Keyword("seals", 2.0),))

        def rescore_one():
            matches, _ = matcher.score_profile(model, edited, stored_only=True)
            with store.transaction():
                store.save_matches(edited.id, matches, NOW, replace_all=True)
            return len(matches)

        kept, _ = timed("skår på nytt etter én profilendring, nytt ord (inkl. lagring)", rescore_one)
        print(f"  (lagret for profilen: {kept} rader av {len(archive)}; resten regnes ut ved `explain`)")
        with store.transaction():
            store.upsert_calls("eu-funding-tenders", fresh, NOW, None, complete=False)

        def score_new():
            rows = matcher.update(model, store.calls_by_keys([c.key for c in fresh]))
            keys = [model.keys[r] for r in rows]
            with store.transaction():
                for profile in profiles:
                    matches = matcher.score_profile(model, profile, rows, 1.0, stored_only=True)[0]
                    store.save_matches(profile.id, matches, NOW, scored=keys)

        timed("skår 1 000 nye utlysninger mot 9 profiler (inkl. lese/lagre)", score_new)
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--judgements", type=Path, default=SHARED / "eval/dev.jsonl")
    parser.add_argument("--themes", type=Path, default=SHARED / "eval/themes.md")
    default_scans = [SHARED / "fixtures/ft-portal/scans" / d for d in ("2026-06-17", "2026-06-24")]
    parser.add_argument("--scans", type=Path, nargs="+", default=default_scans)
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    quality(args.judgements, args.scans, args.themes)
    if not args.skip_speed:
        speed(args.scans, args.calls)


if __name__ == "__main__":
    main()
