"""Prints the time to build and render one week's digests for 50 subscribers on a 50,000-call archive."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.config import load_config
from eumonitor.digests.build import IsoWeek, build_digest, period_for
from eumonitor.digests.render import render_digest
from eumonitor.digests.send import gather
from eumonitor.matching import score as matcher
from eumonitor.model import DigestSpec, Subscriber
from eumonitor.store import Store
from tests.support.replay_server import ReplayServer, ScanReplay
from tests.support.roots import SCANS, SEARCH_PATH, write_root

REPO = Path(__file__).resolve().parents[1]

OSLO = ZoneInfo("Europe/Oslo")
TARGET_CALLS = 50_000
SUBSCRIBERS = 50
OLDER = datetime(2026, 6, 1, 6, 0, tzinfo=OSLO)  # replicas were first seen before the digest's period
NOW = datetime(2026, 6, 24, 12, 0, tzinfo=OSLO)


def collect(root: Path, replay: ScanReplay, week: str) -> None:
    replay.use(SCANS / week)
    result = CliRunner().invoke(main, ["--root", str(root), "--now", week, "collect"])
    assert result.exit_code == 0, result.output


def scale(store: Store, profiles, target: int) -> None:
    """Copies of the real calls (and their real matches) under new ids, first seen weeks earlier."""
    originals = list(store.iter_calls())
    model = matcher.fit(originals, phrases=matcher.profile_phrases(profiles.values()))
    scored = {p.id: matcher.score_profile(model, p)[0] for p in profiles.values()}
    by_call = {pid: {m.external_id: m for m in matches} for pid, matches in scored.items()}
    copies, copy_matches = [], {pid: [] for pid in scored}
    n = 0
    while len(originals) + len(copies) < target:
        n += 1
        for call in originals:
            ext = f"{call.external_id}-copy{n}"
            # Under another source, so the week-2 scan of the portal does not mark them unlisted.
            copies.append(replace(call, source="copies", external_id=ext, content_hash=f"{call.content_hash}{n}"))
            for pid, found in by_call.items():
                if call.external_id in found:
                    copy_matches[pid].append(replace(found[call.external_id], source="copies", external_id=ext))
    copies = copies[: target - len(originals)]
    with store.transaction():
        store.upsert_calls("copies", copies, OLDER, None, complete=False)
        for pid, matches in scored.items():
            store.save_matches(pid, matches + copy_matches[pid], OLDER)


def subscribers(themes: tuple[str, ...]) -> tuple[Subscriber, ...]:
    """Half get every theme, the rest two or three themes each."""
    people = []
    for i in range(SUBSCRIBERS):
        mine = () if i % 2 == 0 else tuple(themes[(i + k) % len(themes)] for k in range(2 + i % 2))
        people.append(Subscriber(f"person{i}@bergen.kommune.no", profiles=mine))
    return tuple(people)


def render_all(spec: DigestSpec, week: IsoWeek, period, data) -> list[int]:
    return [len(render_digest(build_digest(spec, s, week, period, data)).html) for s in spec.subscribers]


def main_benchmark(profile: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        replay = ScanReplay(SCANS / "2026-06-17")
        with ReplayServer() as server:
            server.route(SEARCH_PATH, replay)
            write_root(root, server.url + SEARCH_PATH)
            shutil.copytree(REPO / "profiles", root / "profiles")
            collect(root, replay, "2026-06-17")
            config = load_config(root)
            store = Store(config.archive_path)
            scale(store, config.profiles, TARGET_CALLS)
            collect(root, replay, "2026-06-24")  # the real week-2 changes: new calls, moved deadlines
        calls = store.count_calls()
        matched = sum(store.match_counts().values())
        spec = DigestSpec("network", "EU-utlysninger", tuple(config.profiles), subscribers(tuple(config.profiles)))
        week = IsoWeek.of(NOW.date())
        period = period_for(week, NOW, None, OSLO)

        if profile:
            import cProfile

            cProfile.runctx("gather(store, config, spec, period[0], NOW)", globals(), locals(), sort="cumtime")
            data = gather(store, config, spec, period[0], NOW)
            cProfile.runctx("render_all(spec, week, period, data)", globals(), locals(), sort="tottime")
        start = time.perf_counter()
        data = gather(store, config, spec, period[0], NOW)
        gathered = time.perf_counter() - start
        sizes = render_all(spec, week, period, data)
        total = time.perf_counter() - start
        store.close()
    print(f"archive: {calls} calls, {matched} matches over {len(config.profiles)} themes")
    print(f"read matches, changes and source health once: {gathered:.2f} s")
    each = (total - gathered) / SUBSCRIBERS * 1000
    print(f"build + render {SUBSCRIBERS} digests: {total - gathered:.2f} s ({each:.0f} ms each)")
    print(f"total for one week's digests: {total:.2f} s (target: under 5 s)")
    print(f"HTML size: {min(sizes) // 1024}-{max(sizes) // 1024} KiB per digest")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the build and render")
    main_benchmark(profile=parser.parse_args().profile)
