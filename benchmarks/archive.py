"""Prints collect speed through a local replay server, peak memory, and search latency at 50,000 calls."""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.config.glossary import load_glossary, with_profiles
from eumonitor.config.profiles import load_profiles
from eumonitor.store import Store
from eumonitor.store.search import SearchQuery
from tests.support.replay_server import ReplayServer, ScanReplay
from tests.support.roots import SCANS, SEARCH_PATH, write_root

REPO = Path(__file__).resolve().parents[1]

TARGET_CALLS = 50_000


def collect_both_scans(root: Path) -> tuple[float, int]:
    """Wall time and calls handled for collecting the two recorded weeks in turn."""
    replay = ScanReplay(SCANS / "2026-06-17")
    handled = 0
    with ReplayServer() as server:
        server.route(SEARCH_PATH, replay)
        write_root(root, server.url + SEARCH_PATH)
        start = time.perf_counter()
        for week in ("2026-06-17", "2026-06-24"):
            replay.use(SCANS / week)
            result = CliRunner().invoke(main, ["--root", str(root), "--now", week, "collect", "--json"])
            assert result.exit_code == 0, result.output
            handled += _calls_in(result.output)
        return time.perf_counter() - start, handled


def _calls_in(output: str) -> int:
    import json

    return sum(run["counts"]["calls"] for run in json.loads(output))


def scale_archive(store: Store, target: int) -> int:
    """Replicate the real calls under new ids until the archive holds `target` calls."""
    originals = list(store.iter_calls())
    now = store.conn.execute("SELECT max(last_seen) FROM calls").fetchone()[0]
    from datetime import datetime

    moment = datetime.fromisoformat(now)
    copy = 0
    with store.transaction():
        while store.count_calls() < target:
            copy += 1
            batch = [replace(c, external_id=f"{c.external_id}-COPY{copy}") for c in originals]
            store.upsert_calls(f"copy-{copy}", batch, moment, None, complete=False)
    store.conn.execute("ANALYZE")
    return store.count_calls()


def queries(store: Store, count: int) -> list[SearchQuery]:
    """Varied queries: title words, identifiers, two-word phrases, with and without filters."""
    rng = random.Random(7)
    titles = [r[0] for r in store.conn.execute("SELECT title FROM calls WHERE source = 'eu-funding-tenders'")]
    ids = [r[0] for r in store.conn.execute("SELECT external_id FROM calls WHERE source = 'eu-funding-tenders'")]
    words = [w for t in titles for w in t.split() if len(w) > 4]
    made = []
    for i in range(count):
        kind = i % 4
        if kind == 0:
            text = rng.choice(words)
        elif kind == 1:
            text = rng.choice(ids)
        elif kind == 2:
            text = " ".join(rng.sample(words, 2))
        else:
            text = rng.choice(words)
        made.append(SearchQuery(text=text, status="open" if kind == 3 else "", limit=20))
    return made


THEMES = ("hav", "folkehelse", "klima-miljo", "kultur", "kompetanse")


def report_latency(store: Store, made: list[SearchQuery], today: date, label: str) -> None:
    # The glossary the web page and the CLI search with (packaged terms plus the profiles' pairings).
    glossary = with_profiles(load_glossary()[0], load_profiles(REPO)[0])
    timings = []
    for query in made:
        start = time.perf_counter()
        store.explained_search(query, today, glossary)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"{label}: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms")


def match_all(store: Store, root: Path) -> None:
    """Score the scaled archive against the repository's profiles, so theme searches have matches."""
    from datetime import UTC, datetime

    from eumonitor.config.profiles import load_profiles
    from eumonitor.matching.incremental import run_match

    profiles, _ = load_profiles(REPO)
    start = time.perf_counter()
    run_match(store, profiles, datetime.now(UTC))
    print(f"matched {len(profiles)} profiles in {time.perf_counter() - start:.1f} s")


def collect_unreachable(tmp: Path) -> None:
    """The shipped sources with every host made unreachable (the reserved .invalid names never resolve):
    before fast failing and parallel hosts this took 168 s; the summary must name every source."""
    import re
    import shutil

    root = tmp / "offline"
    shutil.copytree(REPO / "sources", root / "sources")
    shutil.copy(REPO / "config.toml", root / "config.toml")
    for path in (root / "sources").glob("*.toml"):
        text = re.sub(r'(url\s*=\s*"https?://)[^/"]+', rf"\g<1>{path.stem}.invalid", path.read_text())
        path.write_text(text)
    start = time.perf_counter()
    result = CliRunner().invoke(main, ["--root", str(root), "collect"])
    seconds = time.perf_counter() - start
    enabled = sum(1 for p in (root / "sources").glob("*.toml") if "enabled = false" not in p.read_text())
    named = sum(1 for line in result.output.splitlines() if line.startswith("  - "))
    print(f"collect of {enabled} shipped sources, every host unreachable: {seconds:.2f} s, {named} named as failed")


def main_benchmark() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        collect_unreachable(Path(tmp))
        root = Path(tmp) / "root"
        seconds, handled = collect_both_scans(root)
        print(
            f"collect, both recorded scans via 127.0.0.1: {seconds:.2f} s, {handled} calls, "
            f"{handled / seconds:.0f} calls/s ({seconds / 2:.2f} s per ~630-call scan)"
        )
        store = Store(root / "var" / "eumonitor.db")
        start = time.perf_counter()
        total = scale_archive(store, TARGET_CALLS)
        print(f"archive scaled to {total} calls in {time.perf_counter() - start:.1f} s")
        today = date(2026, 6, 24)
        made = queries(store, 200)
        report_latency(store, made, today, f"search over {total} calls, 200 queries")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory (max RSS) for collecting, scaling and searching: {peak_mb:.0f} MB")
        match_all(store, root)
        themed = [replace(q, theme=THEMES[i % len(THEMES)], status="") for i, q in enumerate(made)]
        themed = [replace(q, text="") if i % 2 else q for i, q in enumerate(themed)]
        report_latency(store, themed, today, "search by theme (half with words), 200 queries")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory (max RSS) after matching all 50,000 calls as well: {peak_mb:.0f} MB")
        store.close()


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__).parse_args()  # --help tells, and runs nothing
    main_benchmark()
