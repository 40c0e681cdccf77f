"""Click commands for digests and the scheduler: digest preview, digest send, run, run --once."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from eumonitor.cli.common import load_context
from eumonitor.context import AppContext


def _week(_ctx: click.Context, _param: click.Parameter, value: str | None):
    from eumonitor.digests.build import IsoWeek

    if value is None:
        return None
    try:
        return IsoWeek.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def mailer(app: AppContext):
    from eumonitor.digests.mailer import mailer_for

    return mailer_for(app.config.settings.smtp, app.config.path("var/outbox"))


def lock_path(app: AppContext) -> Path:
    return app.config.archive_path.with_name("eumonitor.lock")


@click.group()
def digest() -> None:
    """Ukentlige sammendrag: forhåndsvis og send."""


@digest.command()
@click.argument("digest_id")
@click.option("--week", callback=_week, help="ISO-uke, f.eks. 2026-W26 (standard: denne uken).")
@click.option("--subscriber", help="Bare denne abonnenten (e-postadresse).")
@click.option("--out", type=click.Path(file_okay=False), help="Mappe for filene (standard: var/preview).")
@click.pass_context
def preview(ctx: click.Context, digest_id: str, week, subscriber: str | None, out: str | None) -> None:
    """Skriv HTML og tekst for et sammendrag uten å sende eller registrere noe."""
    from eumonitor.digests.build import IsoWeek
    from eumonitor.digests.send import preview as build_previews

    app = load_context(ctx)
    spec = app.config.digests.get(digest_id)
    if spec is None:
        known = ", ".join(sorted(app.config.digests)) or "(ingen i digests/)"
        click.echo(f"Ukjent sammendrag {digest_id!r}. Kjente: {known}", err=True)
        ctx.exit(2)
    if subscriber and subscriber.lower() not in {s.email.lower() for s in spec.subscribers}:
        click.echo(f"{subscriber} abonnerer ikke på {digest_id}.", err=True)
        ctx.exit(2)
    week = week or IsoWeek.of(app.today())
    folder = Path(out) if out else app.config.path("var/preview")
    folder.mkdir(parents=True, exist_ok=True)
    for sub, rendered in build_previews(app.store, app.config, spec, week, app.now(), subscriber):
        stem = f"{digest_id}-{week}-{sub.email}"
        (folder / f"{stem}.html").write_text(rendered.html, encoding="utf-8")
        (folder / f"{stem}.txt").write_text(rendered.text, encoding="utf-8")
        click.echo(f"{sub.email}: {rendered.subject}")
        click.echo(f"  {folder / stem}.html\n  {folder / stem}.txt")


@digest.command()
@click.option("--dry-run", is_flag=True, help="Vis hva som ville blitt sendt, uten å sende.")
@click.option("--week", callback=_week, help="Send for denne ISO-uken selv om den ikke er forfalt.")
@click.pass_context
def send(ctx: click.Context, dry_run: bool, week) -> None:
    """Send de sammendragene som er forfalt og ikke allerede sendt."""
    app = load_context(ctx)
    with _locked(ctx, app):
        reports = _send(app, dry_run, week)
    if any(r.failed for r in reports):
        ctx.exit(1)


def _send(app: AppContext, dry_run: bool, week=None):
    from eumonitor.digests.send import send_due

    out = None if dry_run else mailer(app)
    try:
        reports = send_due(app.store, app.config, app.now(), out, week)
    finally:
        if out is not None:
            out.close()
    if not reports:
        click.echo("Ingen sammendrag er forfalt nå.")
    for report in reports:
        click.echo(_report_line(report, dry_run))
        for email, error in report.failed:
            click.echo(f"  ikke sendt til {email}: {error}")
        for sub, rendered in report.previews:
            click.echo(f"  ville sendt til {sub.email}: {rendered.subject}")
    return reports


def _report_line(report, dry_run: bool) -> str:
    if dry_run:
        return f"{report.digest_id} {report.week}: {len(report.previews)} ville blitt sendt (tørrkjøring)"
    return (
        f"{report.digest_id} {report.week}: {len(report.sent)} sendt, {len(report.failed)} feilet, "
        f"{len(report.already)} hadde allerede fått det"
    )


class _locked:
    """The process lock as a context manager that exits the command with a clear message when taken."""

    def __init__(self, ctx: click.Context, app: AppContext):
        from eumonitor.scheduler import process_lock

        self.ctx, self.lock = ctx, process_lock(lock_path(app))

    def __enter__(self) -> None:
        from eumonitor.scheduler import LockError

        try:
            self.lock.__enter__()
        except LockError as exc:
            click.echo(str(exc), err=True)
            self.ctx.exit(3)

    def __exit__(self, *exc: object) -> None:
        self.lock.__exit__(*exc)


@click.command()
@click.option("--once", is_flag=True, help="Hent, match og send det som er forfalt én gang, og avslutt.")
@click.pass_context
def run(ctx: click.Context, once: bool) -> None:
    """Kjør planleggeren (innhenting hver morgen, sammendrag mandag kl. 07), eller alt én gang med --once."""
    app = load_context(ctx)
    if once:
        with _locked(ctx, app):
            failed = once_chain(app)
        ctx.exit(1 if failed else 0)
    from eumonitor.scheduler import build_scheduler, logged, run_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    schedule = app.config.settings.schedule
    jobs = {
        "collect": (schedule.collect, lambda: _fresh(ctx, collect_and_match)),
        "digest": (schedule.digest, lambda: _fresh(ctx, send_job)),
        # Sends only what is due and still missing (usually nothing): a Monday missed because the process
        # was down, or recipients the mail server refused at 07:00, get this week's digest within the hour.
        "digest-catch-up": (DIGEST_CATCH_UP, lambda: _fresh(ctx, send_job)),
    }
    with _locked(ctx, app):
        logged("digest-catch-up", lambda: _fresh(ctx, send_job))()
        run_forever(build_scheduler(schedule.timezone, jobs))


DIGEST_CATCH_UP = "30 * * * *"


def _fresh(ctx: click.Context, job) -> str:
    """Each scheduled job reads the configuration anew, so edits to profiles and digests apply without restart."""
    from eumonitor.config import load_config

    obj = ctx.find_root().obj
    app = AppContext(config=load_config(obj["root"]), fixed_now=obj["now"])
    try:
        return job(app)
    finally:
        app.close()


def once_chain(app: AppContext) -> bool:
    """Collect, match, alert, send; True when something failed (a source or a delivery)."""
    outcome, source_failed = _collect_and_match(app)
    click.echo(outcome)
    reports = _send(app, dry_run=False)
    return source_failed or any(r.failed for r in reports)


def send_job(app: AppContext) -> str:
    from eumonitor.digests.send import send_due

    out = mailer(app)
    try:
        reports = send_due(app.store, app.config, app.now(), out)
    finally:
        out.close()
    return "; ".join(_report_line(r, False) for r in reports) or "ingen sammendrag forfalt"


def collect_and_match(app: AppContext) -> str:
    """The scheduler's morning job; one line back for the log."""
    return _collect_and_match(app)[0]


def _collect_and_match(app: AppContext) -> tuple[str, bool]:
    """One collect of every enabled source, then matching, then staff alerts; a line and whether a source failed."""
    from eumonitor.digests.alerts import send_alerts
    from eumonitor.sources import kinds
    from eumonitor.sources.collect import collect
    from eumonitor.sources.http import FetchError

    specs = [s for s in app.config.sources.values() if s.enabled]
    runs = collect(app.store, specs, kinds(), app.fetch, app.now(), None, (FetchError,), app.secondary_sources())
    matched = match_step(app)
    out = mailer(app)
    try:
        alerted = send_alerts(app.store, app.config, out, app.now())
    finally:
        out.close()
    errors = sum(1 for r in runs if r.status == "error")
    new = sum(r.counts.get("new", 0) for r in runs)
    line = f"innhenting: {len(runs)} kilder, {new} nye utlysninger, {errors} feil; {matched}"
    return line + (f"; varslet om {', '.join(f.source for f in alerted)}" if alerted else ""), errors > 0


def match_step(app: AppContext) -> str:
    """Score new and changed calls against the theme profiles (the matcher's own incremental step)."""
    profiles = app.config.profiles
    if not profiles:
        return "ingen profiler å matche mot"
    from eumonitor.matching.incremental import run_match

    report = run_match(app.store, profiles, app.config.archive_path, app.now())
    return f"matchet mot {len(profiles)} profiler ({report.calls_scored} utlysninger vurdert)"
