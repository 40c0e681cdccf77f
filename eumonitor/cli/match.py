"""The matching commands: match, explain, profile preview and eval."""

from __future__ import annotations

from pathlib import Path

import click

from eumonitor import jobs
from eumonitor.cli import output
from eumonitor.cli.common import load_context
from eumonitor.context import AppContext
from eumonitor.nb import score_nb

STATE_NB = {"match": "treff", "below": "under terskel", "excluded": "utelatt"}


def run_and_report(app: AppContext, rebuild: bool = False) -> list[str]:
    """Run the incremental match for a command (match, or the end of collect)."""
    report = jobs.match_all(app, rebuild)
    return output.match_lines(report) if report is not None else ["Ingen profiler i profiles/; ingenting å matche."]


@click.command("match")
@click.option("--rebuild", is_flag=True, help="Bygg ordforråd og vektorer for hele arkivet på nytt.")
@click.pass_context
def match(ctx: click.Context, rebuild: bool) -> None:
    """Skår utlysningene i arkivet mot temaprofilene (bare det som er nytt eller endret)."""
    app = load_context(ctx)
    if not app.config.profiles:
        click.echo("Ingen profiler i profiles/; ingenting å matche.", err=True)
        ctx.exit(1)
    click.echo("\n".join(run_and_report(app, rebuild)))


@click.command("explain")
@click.argument("identifier")
@click.option("--source", default="", help="Kilden, når samme id finnes i flere.")
@click.pass_context
def explain(ctx: click.Context, identifier: str, source: str) -> None:
    """Vis skåren per tema for én utlysning, og ordene som bar den."""
    app = load_context(ctx)
    found = [k for k in app.store.find_calls(identifier) if not source or k[0] == source]
    if not found:
        click.echo(f"Fant ingen utlysning med id {identifier!r} i arkivet.", err=True)
        ctx.exit(1)
    if len(found) > 1:
        click.echo(f"{identifier} finnes i flere kilder: {', '.join(s for s, _ in found)}; bruk --source.", err=True)
        ctx.exit(1)
    from eumonitor.matching.incremental import explain as verdicts
    from eumonitor.matching.vectors import load_model

    src, ext = found[0]
    matches = verdicts(app.store, app.config.profiles, load_model(app.store), (src, ext))
    if not matches:
        click.echo(f"{ext} er ikke matchet ennå; kjør `eumonitor match`.", err=True)
        ctx.exit(1)
    call = app.store.get_call(src, ext)
    click.echo(f"{ext}  {call.title if call else ''}")
    for m in matches:
        title = app.config.profiles[m.profile_id].title if m.profile_id in app.config.profiles else m.profile_id
        why = ", ".join(m.why) or "–"
        click.echo(f"  {score_nb(m.score):>5}  {STATE_NB.get(m.state, m.state):<13} {m.profile_id:<18} {title}")
        click.echo(f"         ord: {why}" + (f"  ({m.reason})" if m.reason else ""))
    if call is not None and app.config.participation is not None:
        from eumonitor.matching.participation import judge

        verdict = judge(call, app.config.participation)
        # A "nei" is why a matched call is not in any digest: said here, where one asks why.
        lines = output.participation_lines(verdict)
        if verdict.verdict == "nei":
            lines.insert(1, "  Derfor er den holdt utenfor sammendragene (se «Holdt utenfor» nederst i dem).")
        click.echo("\n".join(output.terminal_safe(lines)))


@click.group("profile")
def profile() -> None:
    """Arbeid med temaprofiler."""


@profile.command("preview")
@click.argument("profile_id")
@click.option("--file", "file", type=click.Path(dir_okay=False, exists=True), help="En redigert profilfil.")
@click.option("--limit", default=20, show_default=True, help="Antall utlysninger.")
@click.pass_context
def preview(ctx: click.Context, profile_id: str, file: str | None, limit: int) -> None:
    """Topp åpne utlysninger for en profil som lagret, eller som i en redigert fil, med hva som kommer inn og går ut."""
    from eumonitor.config.profiles import load_profile_file
    from eumonitor.matching.incremental import current_model
    from eumonitor.matching.incremental import preview as run_preview

    app = load_context(ctx)
    saved = app.config.profiles.get(profile_id)
    if saved is None:
        click.echo(f"Ukjent profil {profile_id!r}; kjente: {', '.join(sorted(app.config.profiles))}", err=True)
        ctx.exit(2)
    edited = None
    if file:
        edited, problems = load_profile_file(Path(file), profile_id)
        if edited is None:
            click.echo(f"{file} har {len(problems)} feil:", err=True)
            for problem in problems:
                click.echo(f"  {problem}", err=True)
            ctx.exit(2)
    model = current_model(app.store, app.config.profiles)
    top, entering, leaving = run_preview(app.store, model, saved, edited, app.today(), limit)
    which = f"som i {file}" if file else "som lagret"
    click.echo(f"Topp {limit} åpne utlysninger for {profile_id} ({which}):")
    if not top:
        click.echo("  Ingen åpne utlysninger treffer profilen ennå (tomt arkiv? kjør `eumonitor collect`).")
    for rank, (key, score) in enumerate(top, 1):
        call = app.store.get_call(*key)
        mark = " (ny)" if key in entering else ""
        click.echo(f"{rank:>3}. {score:4.2f}  {output.call_label(key)}  {call.title if call else ''}{mark}")
    if file:
        click.echo(f"Kommer inn: {', '.join(output.call_label(k) for k in entering) or 'ingen'}")
        click.echo(f"Går ut: {', '.join(output.call_label(k) for k in leaving) or 'ingen'}")


@click.command("eval")
@click.argument("judgements", type=click.Path(dir_okay=False, exists=True))
@click.argument("scan_dirs", nargs=-1, required=True, type=click.Path(file_okay=False, exists=True))
@click.option(
    "--folds",
    type=click.IntRange(2, 20),
    is_flag=False,
    flag_value=5,
    default=None,
    help="Kryssvalider med K folder (standard 5): det som læres av vurderingene, læres bare av de andre foldene.",
)
@click.pass_context
def evaluate(ctx: click.Context, judgements: str, scan_dirs: tuple[str, ...], folds: int | None) -> None:
    """Mål rangeringen mot relevansvurderinger: nDCG@10 og P@10 per tema, snittet på siste linje."""
    from eumonitor.matching import evaluation
    from eumonitor.matching.incremental import theme_feedback

    app = load_context(ctx)
    try:
        judged = evaluation.parse_judgements(Path(judgements).read_text(encoding="utf-8").splitlines())
    except ValueError as exc:
        click.echo(f"{judgements}: {exc}", err=True)
        ctx.exit(2)
    calls = evaluation.scan_calls([Path(d) for d in scan_dirs], app.now())
    if not calls:
        click.echo(f"Fant ingen utlysninger i {', '.join(scan_dirs)} (ingen page-N.json eller .json.gz).", err=True)
        ctx.exit(1)
    profiles = app.config.profiles
    missing = sorted(set(judged) - {c.external_id for c in calls})
    if missing:
        click.echo(f"{len(missing)} vurderte utlysninger finnes ikke i skannene og er utelatt.", err=True)
    if folds:
        try:
            scores = evaluation.cross_validate(calls, profiles.values(), judged, folds)
        except ValueError as exc:
            click.echo(str(exc), err=True)
            ctx.exit(2)
        click.echo(f"Kryssvalidert med {folds} folder, gruppert etter utlysning (call identifier).", err=True)
    else:
        stored = {pid: fb for pid in profiles if (fb := theme_feedback(app.store, pid)) is not None}
        overlap = {key[1] for fb in stored.values() for key in fb.grades} & set(judged)
        if overlap:
            click.echo(
                f"NB: arkivet har vurderinger av {len(overlap)} av de vurderte utlysningene; da måles det som er "
                "lært av dem selv. Bruk --folds for en ærlig måling.",
                err=True,
            )
        scores = evaluation.theme_scores(calls, profiles.values(), stored)
    results = evaluation.evaluate(scores, judged, list(profiles))
    click.echo("\n".join(evaluation.table_lines(results)))
