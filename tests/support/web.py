"""Shared by the web tests: a configuration root whose archive is built from the recorded portal scans."""

from __future__ import annotations

import gzip
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.model import Page, Request, SourceSpec
from eumonitor.sources import kinds
from eumonitor.sources.collect import collect_source

REPO = Path(__file__).resolve().parents[2]
SCANS = REPO / "tests" / "fixtures" / "ft-portal" / "scans"
OSLO = ZoneInfo("Europe/Oslo")
WEEK1 = datetime(2026, 6, 17, 8, 0, tzinfo=OSLO)
WEEK2 = datetime(2026, 6, 24, 8, 0, tzinfo=OSLO)
TODAY_NOW = datetime(2026, 6, 25, 12, 0, tzinfo=OSLO)


def scan_fetcher(scan_dir: Path):
    """A fetch that answers each page request with the recorded page of that number."""

    def fetch(request: Request, spec: SourceSpec) -> Page:
        number = int(dict(request.params)["pageNumber"])
        content = gzip.decompress((scan_dir / f"page-{number}.json.gz").read_bytes())
        return Page(request.url, 200, {"Content-Type": "application/json"}, content, request)

    return fetch


def make_root(tmp: Path, web: str = "", profiles: bool = True) -> Path:
    """A root with the repository's source and profiles, and config.toml with the given [web] table."""
    root = tmp / "root"
    (root / "sources").mkdir(parents=True)
    shutil.copy(REPO / "sources" / "eu-funding-tenders.toml", root / "sources")
    if profiles:
        shutil.copytree(REPO / "profiles", root / "profiles")
    base = "" if "base_url" in web else 'base_url = "http://127.0.0.1:8080"\n'
    (root / "config.toml").write_text(f'[archive]\npath = "var/test.db"\n\n[web]\n{base}{web}\n', encoding="utf-8")
    return root


def build_archive(root: Path, now: datetime = TODAY_NOW) -> AppContext:
    """Collect both recorded weeks through the real pipeline, then score every profile."""
    ctx = AppContext(config=load_config(root), fixed_now=now)
    spec = ctx.config.sources["eu-funding-tenders"]
    for when, folder in ((WEEK1, "2026-06-17"), (WEEK2, "2026-06-24")):
        run = collect_source(ctx.store, spec, kinds()["ft_api"], scan_fetcher(SCANS / folder), when)
        assert run.status == "ok", run.error
    score_all(ctx)
    return ctx


def score_all(ctx: AppContext) -> None:
    """Every profile's matches stored, as the match step after collect does."""
    from eumonitor.config.profiles import load_profiles
    from eumonitor.matching.incremental import run_match

    profiles, _ = load_profiles(ctx.config.root)
    run_match(ctx.store, profiles, ctx.now())
