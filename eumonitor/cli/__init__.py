"""Thin click commands over the modules: check, collect, search, show, test-source."""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from eumonitor import nb
from eumonitor.cli import output
from eumonitor.cli.common import chosen_sources, load_context, progress_printer
from eumonitor.config import resolve_root
from eumonitor.context import parse_now


def _now_option(_ctx: click.Context, _param: click.Parameter, value: str | None):
    if value is None:
        return None
    try:
        return parse_now(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False),
    envvar="EUMONITOR_ROOT",
    help="Mappen med config.toml, sources/, profiles/ og digests/ (standard: gjeldende mappe).",
)
@click.option(
    "--now",
    callback=_now_option,
    help="Tidspunkt som erstatter klokka, f.eks. 2026-06-22 (kl. 12 i Oslo) eller 2026-06-22T07:30.",
)
@click.pass_context
def main(ctx: click.Context, root: str | None, now) -> None:
    """eumonitor: overvåker EU-utlysninger og matcher dem mot byens temaer."""
    ctx.obj = {"root": resolve_root(root), "now": now}


@main.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Kontroller all konfigurasjon og skriv ut alle feil samtidig."""
    app = load_context(ctx)
    cfg = app.config
    digests = f"{len(cfg.digests)} utsendelse" + ("" if len(cfg.digests) == 1 else "r")
    click.echo(
        f"Konfigurasjonen i {cfg.root} er i orden: "
        f"{len(cfg.sources)} kilder, {len(cfg.profiles)} temaprofiler, {digests}."
    )


@main.command()
@click.argument("sources", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON.")
@click.pass_context
def collect(ctx: click.Context, sources: tuple[str, ...], as_json: bool) -> None:
    """Hent utlysninger fra kildene (alle aktive, eller de som er nevnt) inn i arkivet."""
    from eumonitor.sources import kinds
    from eumonitor.sources.collect import collect as run_collect
    from eumonitor.sources.http import FetchError

    app = load_context(ctx)
    specs = chosen_sources(ctx, app, sources)
    progress = progress_printer() if sys.stderr.isatty() and not as_json else None
    runs = run_collect(
        app.store, specs, kinds(), app.fetch, app.now(), progress, (FetchError,), app.secondary_sources()
    )
    if progress:
        click.echo("", err=True)
    if as_json:
        click.echo(json.dumps([output.run_json(r) for r in runs], ensure_ascii=False, indent=2))
    else:
        for run in runs:
            titles = {c: (app.store.get_call(run.source, c) or _Untitled).title for c in run.changes.new[:15]}
            click.echo("\n".join(output.run_lines(run, titles)))
    if app.config.profiles and any(r.status != "error" for r in runs):
        from eumonitor.cli.match import run_and_report

        lines = run_and_report(app)  # only new and changed calls are scored
        click.echo("\n".join(lines), err=as_json)
    if any(r.status == "error" for r in runs):
        ctx.exit(1)


class _Untitled:
    title = ""


@main.command()
@click.argument("query", nargs=-1)
@click.option("--programme", default="", help="Program-id eller navn, f.eks. 43108390 eller Horizon.")
@click.option("--status", type=click.Choice(["open", "forthcoming", "closed"]), help="Status i dag.")
@click.option("--deadline-after", type=click.DateTime(["%Y-%m-%d"]), help="Neste frist på eller etter dato.")
@click.option("--deadline-before", type=click.DateTime(["%Y-%m-%d"]), help="Neste frist på eller før dato.")
@click.option("--source", default="", help="Bare denne kilden.")
@click.option("--theme", default="", help="Bare treff for dette temaet (profil-id), sortert etter temaets skår.")
@click.option("--limit", default=20, show_default=True, help="Antall treff som vises.")
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
    limit: int,
    as_json: bool,
) -> None:
    """Søk i arkivet (fulltekst, rangert etter relevans; med --theme etter temaets skår)."""
    from eumonitor.store.search import SearchQuery

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
        limit=limit,
    )
    rows, total = app.store.search(q, app.today())
    if as_json:
        click.echo(json.dumps(output.search_json(rows), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(output.search_lines(rows, total, app.today())))


def _date(value) -> date | None:
    return value.date() if value else None


@main.command()
@click.argument("identifier")
@click.option("--source", default="", help="Kilden, når samme id finnes i flere.")
@click.option("--json", "as_json", is_flag=True, help="Skriv utlysningen som JSON.")
@click.pass_context
def show(ctx: click.Context, identifier: str, source: str, as_json: bool) -> None:
    """Vis én utlysning med frister, budsjett, lenke og historikk."""
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
    if as_json:
        data = output.call_json(call, record, history, app.today())
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo("\n".join(output.call_lines(call, record, history, app.today())))


@main.command("test-source")
@click.argument("source_id")
@click.option("--limit", default=10, show_default=True, help="Antall utlysninger som vises.")
@click.option("--save-fixture", is_flag=True, help="Lagre de rå svarene under tests/fixtures/<id>/ med dagens dato.")
@click.pass_context
def test_source(ctx: click.Context, source_id: str, limit: int, save_fixture: bool) -> None:
    """Hent og tolk én kilde nå, og vis hva som kom ut. Lagrer ingenting i arkivet."""
    from eumonitor.sources import SourceError, kinds
    from eumonitor.sources.collect import scan_source
    from eumonitor.sources.http import FetchError
    from eumonitor.sources.normalize import best_per_identifier, normalize
    from eumonitor.sources.recorder import FixtureRecorder

    app = load_context(ctx)
    spec = chosen_sources(ctx, app, (source_id,))[0]
    recorder = FixtureRecorder(app.fetch)
    try:
        scan = scan_source(spec, kinds()[spec.kind], recorder, progress_printer())
    except (SourceError, FetchError) as exc:
        click.echo(f"\n{source_id}: FEIL – {exc}", err=True)
        ctx.exit(1)
    finally:  # a source that broke is worth recording too: that is the page a fix is tested against
        for path in recorder.save(app.config.root, spec, app.today()) if save_fixture else []:
            click.echo(f"lagret {path.relative_to(app.config.root)}", err=True)
    calls = [normalize(r, app.now()) for r in best_per_identifier(scan.calls)]
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


def _register_digest_commands() -> None:
    from eumonitor.cli.digest import digest, run

    main.add_command(digest)
    main.add_command(run)


_register_digest_commands()


def _register_match_commands() -> None:
    from eumonitor.cli.match import evaluate, explain, match, profile

    for command in (match, explain, profile, evaluate):
        main.add_command(command)


_register_match_commands()


def _register_web_commands() -> None:
    from eumonitor.cli.web import serve, user

    main.add_command(serve)
    main.add_command(user)


_register_web_commands()
