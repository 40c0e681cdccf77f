"""`eumonitor report --year Y [--csv FILE] [--json]`: the year's applications, decisions and euros, as on /rapport/Y."""

from __future__ import annotations

import json
from pathlib import Path

import click

from eumonitor.cli.common import load_context
from eumonitor.files import atomic_write
from eumonitor.followup import caselist, yearly
from eumonitor.nb import money_nb


@click.command("report")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="Året (standard: i år).")
@click.option(
    "--csv", "csv_file", type=click.Path(dir_okay=False), default=None, metavar="FIL", help="Skriv tabellene som CSV."
)
@click.option("--json", "as_json", is_flag=True, help="Skriv rapporten som JSON.")
@click.pass_context
def report(ctx: click.Context, year: int | None, csv_file: str | None, as_json: bool) -> None:
    """Årsrapport: søknader sendt, vedtak, suksessrate og euro søkt og vunnet, per tema, program og partner."""
    app = load_context(ctx)
    from eumonitor.config.profiles import load_profiles

    profiles, _ = load_profiles(app.config.root)
    titles = {pid: p.title or pid for pid, p in profiles.items()}
    chosen = year or app.today().year
    built = yearly.build_report(chosen, caselist.report_facts(app, titles))
    if csv_file:
        try:
            atomic_write(Path(csv_file), ("\ufeff" + yearly.report_csv(built)).encode("utf-8"))
        except OSError as exc:
            click.echo(f"Kan ikke skrive {csv_file}: {exc.strerror or exc}.", err=True)
            ctx.exit(1)
    if as_json:
        click.echo(json.dumps(built.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(report_lines(built)))
    if csv_file:
        click.echo(f"Skrev tabellene til {csv_file}.", err=True)


def report_lines(built: yearly.Report) -> list[str]:
    t = built.total
    if not built.cases:
        return [f"Ingen søknader sendt eller avgjort i {built.year} ennå."]
    lines = [
        f"Årsrapport {built.year}",
        f"Søknader sendt: {t.sent}",
        f"Vedtak: {t.granted + t.rejected} ({t.granted} innvilget, {t.rejected} avslått)",
        f"Suksessrate: {yearly.rate_nb(t.success_rate)}",
        f"Søkt: {money_nb(t.applied_eur)}",
        f"Tildelt: {money_nb(t.won_eur)}",
    ]
    for label, found in (
        ("Per tema", built.themes),
        ("Per program", built.programmes),
        ("Per partner", built.partners),
    ):
        if found:
            lines.append(f"{label}:")
            for name, tally in yearly.ranked(found):
                lines.append(
                    f"  {name}: {tally.sent} sendt, {tally.granted} innvilget, {tally.rejected} avslått, "
                    f"søkt {money_nb(tally.applied_eur)}, tildelt {money_nb(tally.won_eur)}"
                )
    return lines
