"""`eumonitor feedback`: seed, export, list and undo the advisers' judgements that the matcher learns from."""

from __future__ import annotations

import json
from pathlib import Path

import click

from eumonitor.cli.common import load_context
from eumonitor.cli.output import call_label
from eumonitor.nb import date_nb

PORTAL = "eu-funding-tenders"
GRADE_NB = {2: "relevant", 1: "berører temaet", 0: "ikke for oss"}


@click.group("feedback")
def feedback() -> None:
    """Vurderinger fra rådgiverne («Relevant» / «Ikke for oss») som matchingen lærer av."""


@feedback.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--source", default=PORTAL, show_default=True, help="Kilden id-ene i filen hører til.")
@click.option("--as", "who", default="", help="Hvem vurderingene står på (standard: filnavnet).")
@click.pass_context
def import_(ctx: click.Context, file: str, source: str, who: str) -> None:
    """Les vurderinger i formatet til dev.jsonl ({"id": …, "labels": {tema: 0–2}}); et tema som mangler er 0."""
    from eumonitor.matching.evaluation import parse_judgements

    app = load_context(ctx)
    try:
        judged = parse_judgements(Path(file).read_text(encoding="utf-8").splitlines())
    except (ValueError, OSError) as exc:
        click.echo(f"{file}: {exc}", err=True)
        ctx.exit(2)
    themes = list(app.config.profiles)
    unknown = sorted({t for labels in judged.values() for t in labels} - set(themes))
    if unknown:
        click.echo(f"{file}: ukjente temaer {', '.join(unknown)}; kjente: {', '.join(themes)}", err=True)
        ctx.exit(2)
    rows = [(t, (source, cid), labels.get(t, 0)) for cid, labels in judged.items() for t in themes]
    with app.store.transaction():
        count = app.store.add_judgements(rows, who or f"import:{Path(file).name}", app.now())
    click.echo(f"Importerte {count} vurderinger av {len(judged)} utlysninger for {len(themes)} temaer fra {file}.")
    click.echo("De brukes ved neste `eumonitor match` (temaene skåres da på nytt).")


@feedback.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.pass_context
def export(ctx: click.Context, file: str | None) -> None:
    """Skriv gjeldende vurderinger i formatet til dev.jsonl (til fil, ellers til skjermen)."""
    app = load_context(ctx)
    by_call: dict[tuple[str, str], dict[str, int]] = {}
    for theme in app.config.profiles:
        for key, grade in app.store.feedback_grades(theme).items():
            labels = by_call.setdefault(key, {})
            if grade:
                labels[theme] = grade
    lines = [
        json.dumps({"id": key[1], "labels": labels}, ensure_ascii=False) for key, labels in sorted(by_call.items())
    ]
    text = "\n".join(lines) + ("\n" if lines else "")
    if not lines:
        click.echo("Ingen vurderinger å eksportere ennå.", err=True)
    if file:
        Path(file).write_text(text, encoding="utf-8")
        click.echo(f"Skrev {len(lines)} utlysninger til {file}.", err=True)
    else:
        click.echo(text, nl=False)


@feedback.command("list")
@click.option("--theme", default="", help="Bare dette temaet.")
@click.option("--limit", default=30, show_default=True, help="Antall vurderinger.")
@click.pass_context
def list_(ctx: click.Context, theme: str, limit: int) -> None:
    """De nyeste vurderingene, med hvem, når og hvor fra; angrede vises som angret."""
    app = load_context(ctx)
    rows = app.store.judgements(theme or None, limit)
    if not rows:
        click.echo("Ingen vurderinger ennå.")
    for r in rows:
        undone = f"  (angret {date_nb(r['undone_at'][:10])} av {r['undone_by']})" if r["undone_at"] else ""
        label = call_label((r["source"], r["external_id"]))
        click.echo(
            f"#{r['id']:<6} {r['profile_id']:<18} {GRADE_NB[r['grade']]:<15} {label}  "
            f"{r['who']} {date_nb(r['at'][:10])} ({r['origin']}){undone}"
        )


@feedback.command("undo")
@click.argument("judgement_id", type=int)
@click.option("--as", "who", default="cli", help="Hvem som angrer.")
@click.pass_context
def undo(ctx: click.Context, judgement_id: int, who: str) -> None:
    """Angre én vurdering (den blir stående, merket som angret)."""
    app = load_context(ctx)
    with app.store.transaction():
        done = app.store.undo_judgement(judgement_id, who, app.now())
    if not done:
        click.echo(f"Fant ingen aktiv vurdering #{judgement_id}.", err=True)
        ctx.exit(1)
    click.echo(f"Vurdering #{judgement_id} er angret; den teller ikke ved neste `eumonitor match`.")
