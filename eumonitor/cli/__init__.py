"""The command line: one click group with --root and --now, and the explicit list of its commands."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click

from eumonitor.cli import archive, cases, demo, digest, feedback, match, norsk, report, subscriber, users, web
from eumonitor.config import resolve_root
from eumonitor.context import parse_now

norsk.install()

# What usage lines call each argument (click would show the Python name, e.g. DIGEST_ID).
ARGUMENT_NAMES = {
    "sources": "KILDE",
    "query": "ORD",
    "identifier": "ID",
    "source_id": "KILDE",
    "digest_id": "SAMMENDRAG",
    "profile_id": "PROFIL",
    "judgements": "VURDERINGER",
    "scan_dirs": "SKANNEMAPPE",
    "email": "EPOST",
    "file": "FIL",
    "judgement_id": "NR",
    "text": "TEKST",
    "role": "ROLLE",
}


def _now_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Checked now, read later: a date or time without offset is taken in [schedule] timezone, known once loaded."""
    if value is None:
        return None
    try:
        parse_now(value, ZoneInfo("UTC"))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    return value


ROOT_HELP = "Mappen med config.toml, sources/, profiles/ og digests/ (standard: gjeldende mappe)."
NOW_HELP = "Tidspunkt som erstatter klokka, f.eks. 2026-06-22 (kl. 12 i byens tidssone) eller 2026-06-22T07:30."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False), envvar="EUMONITOR_ROOT", help=ROOT_HELP)
@click.option("--now", callback=_now_option, metavar="TID", help=NOW_HELP)
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
    demo.demo,
    match.match,
    match.explain,
    match.profile,
    match.evaluate,
    digest.digest,
    feedback.feedback,
    digest.run,
    web.serve,
    subscriber.subscriber,
    users.user,
    *cases.COMMANDS,
    report.report,
)


def _set_root(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.find_root().obj["root"] = resolve_root(value)


def _set_now(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.find_root().obj["now"] = _now_option(ctx, param, value)


def _leaves(command: click.Command):
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from _leaves(sub)
    else:
        yield command


def _with_global_options(command: click.Command) -> None:
    """--root and --now also after the subcommand (`eumonitor check --root DIR`): the group has set obj by then."""
    for leaf in _leaves(command):
        leaf.params.append(
            click.Option(
                ["--root"], type=click.Path(file_okay=False), expose_value=False, callback=_set_root, help=ROOT_HELP
            )
        )
        leaf.params.append(click.Option(["--now"], metavar="TID", expose_value=False, callback=_set_now, help=NOW_HELP))


for command in COMMANDS:
    _with_global_options(command)
    main.add_command(command)
norsk.localise(main, ARGUMENT_NAMES)
