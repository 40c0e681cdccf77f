"""The archive's commands: check, collect, search, show and test-source."""

from __future__ import annotations

import json
import os
import sys
from datetime import date

import click

from eumonitor import jobs, nb
from eumonitor.cli import output
from eumonitor.cli.common import chosen_sources, load_context, process_lock_or_exit, progress_printer
from eumonitor.cli.match import run_and_report
from eumonitor.cli.progress import CollectDisplay
from eumonitor.config.glossary import with_profiles
from eumonitor.matching.participation import norway_programme_ids, without_nei
from eumonitor.model import EumonitorError
from eumonitor.sources.recorder import FixtureRecorder
from eumonitor.store.search import SearchQuery


@click.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Kontroller all konfigurasjon og skriv ut alle feil samtidig."""
    app = load_context(ctx)
    cfg = app.config
    click.echo(
        f"Konfigurasjonen i {cfg.root} er i orden: {nb.count_nb(len(cfg.sources), 'kilde', 'kilder')}, "
        f"{nb.count_nb(len(cfg.profiles), 'temaprofil', 'temaprofiler')}, "
        f"{nb.count_nb(len(cfg.digests), 'utsendelse', 'utsendelser')}."
    )
    smtp = cfg.settings.smtp
    if smtp.password_env and not os.environ.get(smtp.password_env):
        # Not an error: the scheduler's service may set it; but a send from this shell would fail to log in.
        click.echo(
            f"Merk: miljøvariabelen {smtp.password_env} (smtp.password_env) er ikke satt her; "
            "utsending herfra vil ikke kunne logge inn på SMTP-serveren.",
            err=True,
        )


@click.command()
@click.argument("sources", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON.")
@click.pass_context
def collect(ctx: click.Context, sources: tuple[str, ...], as_json: bool) -> None:
    """Hent utlysninger fra kildene (alle aktive, eller de som er nevnt) inn i arkivet."""
    app = load_context(ctx)
    specs = chosen_sources(ctx, app, sources)
    display = CollectDisplay(len(specs)) if sys.stderr.isatty() and not as_json else None
    with process_lock_or_exit(ctx, app):  # the same lock as run: two collects must not interleave
        try:
            runs = jobs.collect_all(app, specs, display and display.page, display and display.finished)
        finally:
            if display:
                display.close()
    if as_json:
        click.echo(json.dumps([output.run_json(r) for r in runs], ensure_ascii=False, indent=2))
    else:
        for run in runs:
            titles = {c: getattr(app.store.get_call(run.source, c), "title", "") for c in run.changes.new[:15]}
            click.echo("\n".join(output.run_lines(run, titles)))
    if app.config.profiles and any(r.status != "error" for r in runs):
        lines = run_and_report(app)  # only new and changed calls are scored
        click.echo("\n".join(lines), err=as_json)
    failed = output.failed_lines(runs)
    if failed:
        if not as_json:  # the JSON names each failed source and its error already
            click.echo("\n".join(failed), err=True)
        ctx.exit(1)


@click.command()
@click.argument("query", nargs=-1)
@click.option("--programme", default="", help="Program-id eller navn, f.eks. 43108390 eller Horizon.")
@click.option("--status", type=click.Choice(["open", "forthcoming", "closed"]), help="Status i dag.")
@click.option(
    "--deadline-after", type=click.DateTime(["%Y-%m-%d"]), metavar="ÅÅÅÅ-MM-DD", help="Neste frist på eller etter dato."
)
@click.option(
    "--deadline-before", type=click.DateTime(["%Y-%m-%d"]), metavar="ÅÅÅÅ-MM-DD", help="Neste frist på eller før dato."
)
@click.option("--source", default="", help="Bare denne kilden.")
@click.option("--theme", default="", help="Bare treff for dette temaet (profil-id), sortert etter temaets skår.")
@click.option(
    "--norway",
    is_flag=True,
    help="Bare utlysninger der kilden sier at Norge kan delta, eller uten landliste i et program Norge er med i.",
)
@click.option("--municipalities", is_flag=True, help="Bare utlysninger der kilden sier at kommuner kan søke.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000), help="Antall treff som vises.")
@click.option("--json", "as_json", is_flag=True, help="Skriv treffene som JSON.")
@click.pass_context
def search(
    ctx: click.Context,
    query: tuple[str, ...],
    programme: str,
    status: str | None,
    deadline_after,
    deadline_before,
    source: str,
    theme: str,
    norway: bool,
    municipalities: bool,
    limit: int,
    as_json: bool,
) -> None:
    """Søk i arkivet (fulltekst, rangert etter relevans; med --theme etter temaets skår)."""
    app = load_context(ctx)
    if theme and theme not in app.config.profiles:
        click.echo(f"Ukjent tema {theme!r}; kjente: {', '.join(sorted(app.config.profiles))}", err=True)
        ctx.exit(2)
    q = SearchQuery(
        text=" ".join(query),
        programme=programme,
        status=status or "",
        deadline_after=_date(deadline_after),
        deadline_before=_date(deadline_before),
        source=source,
        theme=theme,
        norway=norway,
        norway_programmes=norway_programme_ids(app.config.participation) if norway else (),
        municipalities=municipalities,
        limit=limit,
    )
    result = app.store.explained_search(q, app.today(), with_profiles(app.config.glossary, app.config.profiles))
    notes = output.terminal_safe(nb.search_notes(result.added, result.any_word, result.pinned))
    if not result.rows:
        # An empty answer because of a mistyped filter reads like "no such call": say which filter knows nothing.
        for line in output.unknown_filter_lines(app.store.facets(), programme, source):
            click.echo(line, err=True)
    from eumonitor.matching.participation import judge_all  # lazily: the CLI starts without the matcher

    # A page of calls, each read whole for its conditions.
    verdicts = judge_all(app.store.calls_of(result.rows), app.config.participation)
    rows = result.rows
    if norway:
        rows, left_out = without_nei(rows, verdicts)
        notes = [*notes, left_out] if left_out else notes
    if as_json:  # the notes go to stderr: stdout stays the same JSON list as before
        if notes:
            click.echo("\n".join(notes), err=True)
        click.echo(json.dumps(output.search_json(rows, verdicts), ensure_ascii=False, indent=2))
    else:
        lines = output.search_lines(rows, result.total, app.today(), verdicts)
        click.echo("\n".join([*notes, *lines]))


def _date(value) -> date | None:
    return value.date() if value else None


@click.command()
@click.argument("identifier")
@click.option("--source", default="", help="Kilden, når samme id finnes i flere.")
@click.option("--json", "as_json", is_flag=True, help="Skriv utlysningen som JSON.")
@click.pass_context
def show(ctx: click.Context, identifier: str, source: str, as_json: bool) -> None:
    """Vis én utlysning med frister, budsjett, lenke og historikk."""
    from eumonitor.matching.participation import judge_all  # lazily: the CLI starts without the matcher

    app = load_context(ctx)
    found = [k for k in app.store.find_calls(identifier) if not source or k[0] == source]
    if not found:
        click.echo(f"Fant ingen utlysning med id {identifier!r} i arkivet.", err=True)
        ctx.exit(1)
    if len(found) > 1:
        click.echo(f"{identifier} finnes i flere kilder: {', '.join(s for s, _ in found)}; bruk --source.", err=True)
        ctx.exit(2)
    src, ext = found[0]
    call = app.store.get_call(src, ext)
    record = app.store.call_record(src, ext)
    history = app.store.call_history(src, ext)
    verdict = judge_all([call], app.config.participation).get((src, ext)) if call else None
    if as_json:
        data = output.call_json(call, record, history, app.today())
        if verdict is not None:
            data["participation"] = verdict.as_json()
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo("\n".join(output.call_lines(call, record, history, app.today(), app.zone, verdict)))


@click.command("test-source")
@click.argument("source_id")
@click.option("--limit", default=10, show_default=True, help="Antall utlysninger som vises.")
@click.option("--save-fixture", is_flag=True, help="Lagre de rå svarene under tests/fixtures/<id>/ med dagens dato.")
@click.pass_context
def test_source(ctx: click.Context, source_id: str, limit: int, save_fixture: bool) -> None:
    """Hent og tolk én kilde nå, og vis hva som kom ut. Lagrer ingenting i arkivet."""
    app = load_context(ctx)
    spec = chosen_sources(ctx, app, (source_id,))[0]
    recorder = FixtureRecorder(app.fetch)
    try:
        scan = jobs.test_source(app, spec, recorder, progress_printer())
    except EumonitorError as exc:
        click.echo(f"\n{source_id}: FEIL – {exc}", err=True)
        ctx.exit(1)
    finally:  # a source that broke is worth recording too: that is the page a fix is tested against
        for path in recorder.save(app.config.root, spec, app.today()) if save_fixture else []:
            click.echo(f"lagret {path.relative_to(app.config.root)}", err=True)
    calls = scan.calls
    click.echo(f"\n{source_id}: {scan.pages} sider, {len(calls)} utlysninger, {len(scan.skipped)} hoppet over")
    for call in calls[:limit]:
        nxt = call.next_deadline(app.today())
        click.echo(
            f"  {call.external_id}  [{nb.STATUS_NB.get(call.status, call.status)}]  "
            f"frist {nb.date_nb(nxt)}  {call.title}"
        )
    for skipped in scan.skipped[:limit]:
        click.echo(f"  hoppet over: {skipped.reason} {skipped.item}".rstrip())
    for note in scan.notes:
        click.echo(f"  merk: {note}")
