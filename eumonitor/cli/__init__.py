"""The command line: one click group with --root and --now, and the explicit list of its commands."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click

from eumonitor.cli import archive, digest, match, subscriber, web
from eumonitor.config import resolve_root
from eumonitor.context import parse_now


def _now_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Checked now, read later: a date or time without offset is taken in [schedule] timezone, known once loaded."""
    if value is None:
        return None
    try:
        parse_now(value, ZoneInfo("UTC"))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    return value


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
    help="Tidspunkt som erstatter klokka, f.eks. 2026-06-22 (kl. 12 i byens tidssone) eller 2026-06-22T07:30.",
)
@click.pass_context
def main(ctx: click.Context, root: str | None, now) -> None:
    """eumonitor: overvåker EU-utlysninger og matcher dem mot byens temaer."""
    ctx.obj = {"root": resolve_root(root), "now": now}


COMMANDS = (
    archive.check,
    archive.collect,
    archive.search,
    archive.show,
    archive.test_source,
    match.match,
    match.explain,
    match.profile,
    match.evaluate,
    digest.digest,
    digest.run,
    web.serve,
    subscriber.subscriber,
    web.user,
)
for command in COMMANDS:
    main.add_command(command)
