"""Collect: fetch, parse, normalise and store each source, one transaction per source, failures isolated."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from eumonitor.model import ChangeSet, EumonitorError, Page, RawCall, Request, Skipped, SourceRun, SourceSpec
from eumonitor.sources.kind import Kind, SourceError
from eumonitor.sources.normalize import as_raw, best_per_identifier, normalize
from eumonitor.sources.sanity import ScanLedger, emptied_fields, skipped_most
from eumonitor.sources.textsafe import strip_controls

log = logging.getLogger(__name__)

# A source that pages forever is a bug or a trap; no real source needs more pages than this.
MAX_PAGES = 500
# Hosts scanned side by side: enough that a dozen slow or dead sites do not queue behind each other,
# few enough to stay a polite client and keep SQLite's one writer from becoming the queue.
WORKERS = 4

Fetch = Callable[[Request, SourceSpec], Page]
Progress = Callable[[str, int, int | None], None]  # source id, pages done, pages expected
Finished = Callable[[SourceRun], None]  # told as each source's run is stored


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
    # Calls whose follow-up request was skipped because the archive's copy came from the same listing row.
    reused: list[str] = field(default_factory=list)
    short: str | None = None  # why a consistent scan still saw fewer distinct records than the source reported

    def pages_expected(self) -> int | None:
        """Pages the scan will take, once the source has said how many rows it holds."""
        if not self.total_expected or not self.first_page_rows:
            return None
        return -(-self.total_expected // self.first_page_rows)


def scan_source(
    spec: SourceSpec,
    collector: Kind,
    fetch: Fetch,
    progress: Progress | None = None,
    known: Mapping[str, str] | None = None,
) -> Scan:
    """Fetch and parse every page of one source. Raises SourceError or the fetcher's error.

    `known` maps a call's id to the listing fingerprint of the archive's copy: a follow-up request marked
    `unless_known = (id, fingerprint)` with the same fingerprint is not fetched, and the call is `reused`.
    """
    scan, ledger = Scan(), ScanLedger()
    queue = list(collector.requests(spec))
    while queue:
        if scan.pages >= MAX_PAGES:
            raise SourceError(f"Kilden ga mer enn {MAX_PAGES} sider; avbrutt for ikke å gå i ring")
        request = queue.pop(0)
        ident, mark = request.meta.get("unless_known", ("", ""))
        if ident and known and known.get(ident) == mark:
            scan.reused.append(ident)
            continue
        try:
            page = _fetch(fetch, request, spec, collector)
        except EumonitorError as exc:
            if not request.meta.get("optional"):
                raise
            # A detail page that fails leaves the listing's record of the call; the scan is then incomplete.
            scan.skipped.append(Skipped(f"kunne ikke hente {request.url}: {exc}", request.url))
            continue
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


def _fetch(fetch: Fetch, request: Request, spec: SourceSpec, collector: Kind) -> Page:
    """The fetcher's page; a refusal the kind can explain (a rotated key) is reworded as what to do."""
    try:
        return fetch(request, spec)
    except EumonitorError as exc:
        status = getattr(exc, "status", None)
        explained = collector.explain_refusal(spec, status) if collector.explain_refusal and status else None
        if explained:
            raise SourceError(f"{explained} ({exc})") from exc
        raise


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
        scan = scan_source(spec, collector, fetch, progress, store.listing_fingerprints(spec.id))
        calls = [normalize(raw, now) for raw in _with_archived(store, spec.id, best_per_identifier(scan.calls), scan)]
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


def _with_archived(store, source: str, raws: list[RawCall], scan: Scan) -> list[RawCall]:
    """The archive's copy stands in for a call whose detail page was not read again (its listing row is
    unchanged), so the details read last time are neither lost nor reported as changed; it is judged anew
    (a passed deadline still closes it)."""
    if not scan.reused:
        return raws
    reused = set(scan.reused)
    stored = {r.external_id: store.get_call(source, r.external_id) for r in raws if r.external_id in reused}
    return [as_raw(stored[r.external_id]) if stored.get(r.external_id) else r for r in raws]


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
    workers: int = WORKERS,
    finished: Finished | None = None,
) -> list[SourceRun]:
    """Every given source, each isolated from the others; then the same call seen on two sources is linked
    into one group, its primary copy from a source not named `secondary`.

    Sources on different hosts are scanned at the same time (`fetch` and `store` must work from several
    threads); the sources of one host run in turn, so its spacing holds. Each source still writes in its
    own transaction. The runs come back in the order of `specs`.
    """
    chosen = list(specs)

    def lane(group: list[SourceSpec]) -> list[SourceRun]:
        runs = []
        for spec in group:
            if progress:
                progress(spec.id, 0, None)
            runs.append(collect_source(store, spec, kinds[spec.kind], fetch, now, progress))
            if finished:
                finished(runs[-1])
        return runs

    groups = by_host(chosen)
    if workers <= 1 or len(groups) <= 1:
        done = [lane(group) for group in groups]
    else:
        with ThreadPoolExecutor(max_workers=min(workers, len(groups)), thread_name_prefix="collect") as pool:
            done = list(pool.map(lane, groups))
    runs = {run.source: run for group in done for run in group}
    store.link_duplicates(now, secondary)
    return [runs[spec.id] for spec in chosen]


def by_host(specs: Iterable[SourceSpec]) -> list[list[SourceSpec]]:
    """The sources grouped by the host they are fetched from, in first-seen order."""
    groups: dict[str, list[SourceSpec]] = {}
    for spec in specs:
        try:
            host = (urlsplit(spec.url).hostname or "").lower()
        except ValueError:  # a malformed address fails in its own run, with its own message
            host = ""
        groups.setdefault(host, []).append(spec)
    return list(groups.values())
