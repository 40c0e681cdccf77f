"""Click commands for digests and the scheduler: digest preview, digest send, run, run --once."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from eumonitor import jobs
from eumonitor.cli import output
from eumonitor.cli.common import load_context
from eumonitor.context import AppContext
from eumonitor.digests.build import IsoWeek
from eumonitor.files import LockError, process_lock


def _week(_ctx: click.Context, _param: click.Parameter, value: str | None) -> IsoWeek | None:
    if value is None:
        return None
    try:
        return IsoWeek.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.group()
def digest() -> None:
    """Ukentlige sammendrag: forhåndsvis og send."""


@digest.command()
@click.argument("digest_id")
@click.option("--week", callback=_week, help="ISO-uke, f.eks. 2026-W26 (standard: denne uken).")
@click.option("--subscriber", help="Bare denne abonnenten (e-postadresse).")
@click.option("--out", type=click.Path(file_okay=False), help="Mappe for filene (standard: var/preview).")
@click.pass_context
def preview(ctx: click.Context, digest_id: str, week: IsoWeek | None, subscriber: str | None, out: str | None) -> None:
    """Skriv HTML og tekst for et sammendrag uten å sende eller registrere noe."""
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
    for sub, rendered in jobs.preview_digest(app, digest_id, week, subscriber):
        stem = f"{digest_id}-{week}-{sub.email}"
        (folder / f"{stem}.html").write_text(rendered.html, encoding="utf-8")
        (folder / f"{stem}.txt").write_text(rendered.text, encoding="utf-8")
        click.echo(f"{sub.email}: {rendered.subject}")
        click.echo(f"  {folder / stem}.html\n  {folder / stem}.txt")


@digest.command()
@click.option("--dry-run", is_flag=True, help="Vis hva som ville blitt sendt, uten å sende.")
@click.option("--week", callback=_week, help="Send for denne ISO-uken selv om den ikke er forfalt.")
@click.pass_context
def send(ctx: click.Context, dry_run: bool, week: IsoWeek | None) -> None:
    """Send de sammendragene som er forfalt og ikke allerede sendt."""
    app = load_context(ctx)
    with _locked(ctx, app):
        reports = jobs.send_due(app, dry_run, week)
    click.echo("\n".join(output.send_lines(reports, dry_run)))
    if any(r.troubled for r in reports):
        ctx.exit(1)


class _locked:
    """The process lock as a context manager that exits the command with a clear message when taken."""

    def __init__(self, ctx: click.Context, app: AppContext):
        self.ctx, self.lock = ctx, process_lock(app.lock_path)

    def __enter__(self) -> None:
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
            report = jobs.run_once(app)
        click.echo(report.morning.line())
        click.echo("\n".join(output.send_lines(report.sends, dry_run=False)))
        ctx.exit(1 if report.failed else 0)
    from eumonitor.scheduler import ZonedFormatter, build_scheduler, logged, run_forever  # only this needs APScheduler

    obj = ctx.find_root().obj
    schedule = app.config.settings.schedule
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ZonedFormatter("%(asctime)s %(levelname)s %(message)s", schedule.timezone))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    table = jobs.job_table(obj["root"], obj["now"], schedule)
    with _locked(ctx, app):
        logged("digest-catch-up", jobs.startup_job(obj["root"], obj["now"]))()
        run_forever(build_scheduler(schedule.timezone, table))
