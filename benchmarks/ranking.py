"""Ranking quality (eumonitor vs TF-IDF and BM25 baselines) and matching speed on a 50,000-call archive.

Run: .venv/bin/python -m benchmarks.ranking [--judgements FILE] [--scans DIR ...] [--calls 50000]
"""

from __future__ import annotations

import argparse
import math
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from eumonitor.config.participation import load_participation
from eumonitor.config.profiles import load_profiles
from eumonitor.matching import evaluation, vectors
from eumonitor.matching import score as matcher
from eumonitor.matching.incremental import run_match
from eumonitor.matching.participation import judge_all
from eumonitor.model import Keyword
from eumonitor.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
NOW = datetime(2026, 6, 24, tzinfo=UTC)
# The cross-validated column: profiles plus what they learn from the judgements of the other folds only.
FOLDS = 5


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
    cross = evaluation.cross_validate(calls, profiles.values(), judged, FOLDS)
    rows = {
        "eumonitor": evaluation.evaluate(evaluation.theme_scores(calls, profiles.values()), judged, themes),
        f"cv{FOLDS}+læring": evaluation.evaluate(cross, judged, themes),
        "tfidf": evaluation.evaluate(tfidf_baseline(calls, queries), judged, themes),
        "bm25": evaluation.evaluate(bm25_baseline(calls, queries), judged, themes),
    }
    print(f"{'tema':<20} " + " ".join(f"{name + ' nDCG':>15} {'P@10':>5}" for name in rows))
    for i, theme in enumerate(themes):
        cells = " ".join(f"{r[i].ndcg:>15.3f} {r[i].precision:>5.2f}" for r in rows.values())
        print(f"{theme:<20} {cells}")
    print(f"{'mean nDCG@10':<20} " + " ".join(f"{evaluation.mean_ndcg(r):>15.3f} {'':>5}" for r in rows.values()))
    rules, _ = load_participation(REPO)
    verdicts = Counter(v.verdict for v in judge_all(calls, rules).values())
    counts = ", ".join(f"{verdict} {verdicts[verdict]}" for verdict in ("ja", "begrenset", "nei", "ukjent"))
    print(f"Kan vi delta? ({len(calls)} utlysninger i skannene): {counts}")


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
        incremental_speed(Path(folder) / "bench.db", archive, fresh)


def incremental_speed(path: Path, archive, fresh) -> None:
    """What `eumonitor match` costs between runs. Each run is a new process, as the command or the scheduler's
    job is: the kept vectors are read from the archive's match_model row and written back with the matches."""
    store = Store(path)
    with store.transaction():
        store.upsert_calls("eu-funding-tenders", archive, NOW, None, complete=False)
    store.close()
    in_new_process("første match-kjøring: fit + skår 9 profiler + lagre treff og vektorer", path, "match")
    store = Store(path)
    sizes = store.conn.execute(
        "SELECT length(matrix), length(idf) + length(terms) + length(keys) + length(hashes) + length(programmes) "
        "+ length(phrases) FROM match_model"
    ).fetchone()
    store.close()
    matrix_mb, rest_mb = sizes[0] / 1e6, sizes[1] / 1e6
    print(
        f"  vektorraden i SQLite: {matrix_mb + rest_mb:.1f} MB (matrisen {matrix_mb:.1f} MB, resten {rest_mb:.1f} MB)"
    )
    in_new_process("les vektorene fra SQLite (ny prosess)", path, "load")
    in_new_process("etter én profilendring (nytt ord): les vektorer, skår profilen, lagre", path, "edit")
    store = Store(path)
    kept = store.conn.execute("SELECT count(*) FROM matches WHERE profile_id = ?", (EDITED,)).fetchone()[0]
    print(f"  (lagret for profilen: {kept} rader av {len(archive)}; resten regnes ut ved `explain`)")
    with store.transaction():
        store.upsert_calls("eu-funding-tenders", fresh, NOW, None, complete=False)
    store.close()
    in_new_process("1 000 nye utlysninger: les vektorer, vektoriser, skår 9 profiler, lagre alt", path, "edit")


EDITED = "hav"


def in_new_process(label: str, path: Path, step: str) -> None:
    """Time one step in a fresh interpreter (its start-up and imports not counted), and print it."""
    command = [sys.executable, "-m", "benchmarks.ranking", "--step", step, "--archive", str(path)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    print(f"  {label:<62} {float(done.stdout.split()[0]):8.2f} s  {' '.join(done.stdout.split()[1:])}")


def peak_mb() -> float:
    """This process's own peak resident memory. VmHWM belongs to the address space, which exec replaces;
    ru_maxrss survives exec on Linux and so reported the forking parent's peak (the benchmark's 2 GB of copies)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_step(step: str, path: Path) -> None:
    """One timed step of incremental_speed, run in its own process: prints the seconds, then what it did."""
    profiles = load_profiles(REPO)[0]
    if step == "edit":
        hav = profiles[EDITED]
        profiles = {**profiles, EDITED: replace(hav, keywords=(*hav.keywords, Keyword("seals", 2.0)))}
    store = Store(path)
    start = time.perf_counter()
    if step == "load":
        model = vectors.load_model(store)
        print(f"{time.perf_counter() - start:.3f} ({len(model.keys)} rader, {model.matrix.nnz} ikke-null)")
        return
    report = run_match(store, profiles, NOW)
    seconds = time.perf_counter() - start
    peak = peak_mb()
    print(
        f"{seconds:.3f} (nye/endrede: {report.calls_scored}, skåret på nytt: {len(report.profiles_rescored)}, "
        f"toppminne {peak:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--judgements", type=Path, default=SHARED / "eval/dev.jsonl")
    parser.add_argument("--themes", type=Path, default=SHARED / "eval/themes.md")
    default_scans = [SHARED / "fixtures/ft-portal/scans" / d for d in ("2026-06-17", "2026-06-24")]
    parser.add_argument("--scans", type=Path, nargs="+", default=default_scans)
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--step", choices=("match", "load", "edit"), help=argparse.SUPPRESS)
    parser.add_argument("--archive", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        run_step(args.step, args.archive)
        return
    if not args.skip_quality:
        quality(args.judgements, args.scans, args.themes)
    if not args.skip_speed:
        speed(args.scans, args.calls)


if __name__ == "__main__":
    main()
