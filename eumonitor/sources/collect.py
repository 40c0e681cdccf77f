"""Collect: fetch, parse, normalise and store each source, one transaction per source, failures isolated."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from eumonitor.model import ChangeSet, EumonitorError, Page, RawCall, Request, Skipped, SourceRun, SourceSpec
from eumonitor.sources.kind import Kind, SourceError
from eumonitor.sources.normalize import best_per_identifier, normalize
from eumonitor.sources.sanity import ScanLedger, emptied_fields, skipped_most
from eumonitor.sources.textsafe import strip_controls

log = logging.getLogger(__name__)

# A source that pages forever is a bug or a trap; no real source needs more pages than this.
MAX_PAGES = 500

Fetch = Callable[[Request, SourceSpec], Page]
Progress = Callable[[str, int, int | None], None]  # source id, pages done, pages expected


@dataclass
class Scan:
    """Everything one source yielded in one collect, before storing."""

    calls: list[RawCall] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    pages: int = 0
    rows: int = 0
    total_expected: int | None = None
    first_page_rows: int = 0
    notes: list[str] = field(default_factory=list)  # the collector's own words on why pages were empty
    short: str | None = None  # why a consistent scan still saw fewer distinct records than the source reported

    def pages_expected(self) -> int | None:
        """Pages the scan will take, once the source has said how many rows it holds."""
        if not self.total_expected or not self.first_page_rows:
            return None
        return -(-self.total_expected // self.first_page_rows)


def scan_source(spec: SourceSpec, collector: Kind, fetch: Fetch, progress: Progress | None = None) -> Scan:
    """Fetch and parse every page of one source. Raises SourceError or the fetcher's error."""
    scan, ledger = Scan(), ScanLedger()
    queue = list(collector.requests(spec))
    while queue:
        if scan.pages >= MAX_PAGES:
            raise SourceError(f"Kilden ga mer enn {MAX_PAGES} sider; avbrutt for ikke å gå i ring")
        page = fetch(queue.pop(0), spec)
        parsed = collector.parse(spec, page)
        scan.pages += 1
        ledger.add(scan.pages, parsed)  # a page that contradicts the earlier ones fails the whole scan
        page_rows = len(parsed.calls) + len(parsed.skipped)
        scan.first_page_rows = scan.first_page_rows or page_rows
        scan.calls.extend(parsed.calls)
        # Reasons and labels quote the source; they are printed and stored as they are, so they are cleaned here.
        scan.skipped.extend(Skipped(strip_controls(s.reason), strip_controls(s.item)) for s in parsed.skipped)
        scan.notes.extend(strip_controls(n) for n in parsed.notes if n not in scan.notes)
        scan.rows += page_rows
        if parsed.total_expected is not None:
            scan.total_expected = parsed.total_expected
        queue.extend(parsed.follow)
        if progress:
            progress(spec.id, scan.pages, scan.pages_expected())
    if scan.total_expected is not None and scan.rows < scan.total_expected:
        raise SourceError(
            f"Ufullstendig skann: kilden oppga {scan.total_expected} treff, men bare {scan.rows} kom fram; "
            "arkivet er ikke endret"
        )
    scan.short = ledger.shortfall()
    return scan


def collect_source(
    store,
    spec: SourceSpec,
    collector: Kind,
    fetch: Fetch,
    now: datetime,
    progress: Progress | None = None,
) -> SourceRun:
    """One source, end to end. Any failure becomes an 'error' run and leaves the archive as it was."""
    run_id = store.start_run(spec.id, now)
    try:
        scan = scan_source(spec, collector, fetch, progress)
        calls = [normalize(raw, now) for raw in best_per_identifier(scan.calls)]
        drift = skipped_most(len(calls), scan.skipped) or emptied_fields(store.field_presence(spec.id), calls)
        if drift:
            raise SourceError(drift)  # schema drift: the archive keeps what it had
        previous = store.last_ok_count(spec.id)
        with store.transaction():
            # An answer without a single call is far likelier a hiccup or a changed layout than every call
            # withdrawn at once: it never marks calls unlisted (their deadlines still close them).
            # A skipped item may be a listed call we could not read this time: nothing is unlisted then.
            complete = bool(calls) and collector.complete_listing and not scan.skipped and not scan.short
            changes = store.upsert_calls(spec.id, calls, now, run_id, complete=complete)
            status, error = _status(len(calls), previous, scan.notes)
            error = error or scan.short
            run = _run(spec.id, now, status, error, scan, changes, len(calls))
            store.finish_run(run_id, run)
    except EumonitorError as exc:  # expected: the source, the network or the archive said no
        run = _run(spec.id, now, "error", str(exc), None, ChangeSet(), 0)
        store.finish_run(run_id, run)
    except Exception as exc:  # noqa: BLE001 - one broken source must never stop the others
        log.exception("source %s failed", spec.id)
        run = _run(spec.id, now, "error", f"Uventet feil ({type(exc).__name__}): {exc}", None, ChangeSet(), 0)
        store.finish_run(run_id, run)
    return SourceRun(**{**run.__dict__, "id": run_id})


def _status(count: int, previous: int | None, notes: list[str] | None = None) -> tuple[str, str | None]:
    if count:
        return "ok", None
    if notes:
        return "empty", "; ".join(notes)
    if previous:
        return "empty", f"Kilden ga ingen utlysninger (forrige vellykkede kjøring ga {previous}); har siden endret seg?"
    return "empty", "Kilden ga ingen utlysninger"


def _run(
    source: str, now: datetime, status: str, error: str | None, scan: Scan | None, changes: ChangeSet, calls: int
) -> SourceRun:
    counts = {
        "calls": calls,
        "pages": scan.pages if scan else 0,
        "rows": scan.rows if scan else 0,
        "new": len(changes.new),
        "changed": len(changes.changed),
        "unchanged": len(changes.unchanged),
        "unlisted": len(changes.unlisted),
        "skipped": len(scan.skipped) if scan else 0,
        "errors": 1 if status == "error" else 0,
    }
    # finished_at uses the same injected clock: runs replayed with --now stay consistent.
    return SourceRun(source, now, now, status, error, counts, changes)


def collect(
    store,
    specs: Iterable[SourceSpec],
    kinds: Mapping[str, Kind],
    fetch: Fetch,
    now: datetime,
    progress: Progress | None = None,
    secondary: Collection[str] = (),
) -> list[SourceRun]:
    """Every given source in turn, each isolated from the others; then the same call seen on two
    sources is linked into one group, its primary copy from a source not named `secondary`."""
    runs = [collect_source(store, spec, kinds[spec.kind], fetch, now, progress) for spec in specs]
    store.link_duplicates(now, secondary)
    return runs
