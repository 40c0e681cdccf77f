"""Click commands for digests and the scheduler: digest preview, digest send, run, run --once."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from eumonitor import jobs
from eumonitor.cli import output
from eumonitor.cli.common import load_context, process_lock_or_exit
from eumonitor.cli.progress import CollectDisplay
from eumonitor.context import AppContext
from eumonitor.digests.build import IsoWeek


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
    with process_lock_or_exit(ctx, app):
        reports = jobs.send_due(app, dry_run, week)
    click.echo("\n".join(output.send_lines(reports, dry_run)))
    if any(r.troubled for r in reports):
        ctx.exit(1)


@click.command()
@click.option("--once", is_flag=True, help="Hent, match og send det som er forfalt én gang, og avslutt.")
@click.pass_context
def run(ctx: click.Context, once: bool) -> None:
    """Kjør planleggeren (innhenting hver morgen, sammendrag mandag kl. 07), eller alt én gang med --once."""
    app = load_context(ctx)
    if once:
        ctx.exit(_run_once(ctx, app))
    # APScheduler: only this command needs it
    from eumonitor.scheduler import build_scheduler, configure_logging, logged, run_forever

    obj = ctx.find_root().obj
    schedule = app.config.settings.schedule
    configure_logging(schedule.timezone)
    table = jobs.job_table(obj["root"], obj["now"], schedule)
    with process_lock_or_exit(ctx, app):
        logged("digest-catch-up", jobs.startup_job(obj["root"], obj["now"]))()
        run_forever(build_scheduler(schedule.timezone, table))


def _run_once(ctx: click.Context, app: AppContext) -> int:
    """The chain once, told step by step as each ends; the exit status says whether anything failed."""
    display = CollectDisplay(len(jobs.enabled_sources(app))) if sys.stderr.isatty() else None
    mailer = app.mailer.transport

    def step(name: str, value: object) -> None:
        if display and name == "collect":
            display.close()
        lines = output.step_lines(name, value, mailer, app.config.root)
        if lines:
            click.echo("\n".join(lines))

    with process_lock_or_exit(ctx, app):
        try:
            report = jobs.run_once(app, display and display.page, display and display.finished, step)
        finally:
            if display:
                display.close()
    if report.morning.runs and all(r.status == "error" for r in report.morning.runs):
        click.echo(
            "Ingen kilder svarte. Er maskinen uten nett? «eumonitor demo» viser hele kjeden på innspilte data.",
            err=True,
        )
    return 1 if report.failed else 0
