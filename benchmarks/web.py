"""Prints web search latency (median, p95) through the Flask app on a 50,000-call archive of replicated real calls."""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from eumonitor.context import AppContext
from eumonitor.web import create_app
from tests.support.web import TODAY_NOW, build_archive, make_root

REPO = Path(__file__).resolve().parents[1]

TARGET_CALLS = 50_000
ROUNDS = 3


def grow(ctx: AppContext, target: int) -> int:
    """Copies of the real calls under new ids until the archive holds `target` calls."""
    originals = list(ctx.store.iter_calls())
    copy = 0
    while ctx.store.count_calls() < target:
        copy += 1
        room = target - ctx.store.count_calls()
        batch = [replace(c, external_id=f"{c.external_id}-COPY{copy}") for c in originals[:room]]
        with ctx.store.transaction():
            ctx.store.upsert_calls(batch[0].source, batch, TODAY_NOW, None, complete=False)
    return ctx.store.count_calls()


def urls(ctx: AppContext, count: int) -> list[str]:
    """Searches people make: words from real titles, some with filters, some paged, some filters alone."""
    rng = random.Random(7)
    words = [w for c in list(ctx.store.iter_calls())[:600] for w in c.title.split() if len(w) > 4 and w.isalpha()]
    themes = ["klima-miljo", "hav", "folkehelse", "digitalisering"]
    made = []
    for i in range(count):
        q = " ".join(rng.sample(words, rng.choice((1, 1, 2, 3))))
        extra = ("", "&status=open", "&programme=43108390", "&from=2026-09-01&to=2027-03-31", "&page=3")[i % 5]
        made.append(f"/?q={q}{extra}")
    made += [f"/?status=open&theme={t}" for t in themes] + ["/", "/?status=forthcoming"]
    return made


def timed(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        ctx = build_archive(make_root(Path(tmp), "cookie_secure = false"))
        total = grow(ctx, TARGET_CALLS)
        print(f"archive: {total} calls built in {time.perf_counter() - start:.0f} s")
        client = create_app(ctx).test_client()
        searches = urls(ctx, 100)
        for url in searches[:10]:
            client.get(url)  # warm SQLite's page cache, as a running server would be
        times = [timed(client, url) for _ in range(ROUNDS) for url in searches]
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(
            f"search page (/?q=…, rendered HTML), {len(times)} requests: "
            f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms"
        )
        slow = sorted(((timed(client, u), u) for u in searches), reverse=True)[:3]
        for ms, url in slow:
            print(f"  slowest: {ms:.0f} ms  {url}")
        ctx.close()


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__).parse_args()  # --help tells, and runs nothing
    main()
