"""`eumonitor user add|list|set-role|remove`: the people of the web app, kept in the archive with their role."""

from __future__ import annotations

import json
from collections.abc import Callable

import click

from eumonitor.cli.common import load_context
from eumonitor.context import AppContext
from eumonitor.followup import actions, people, rules
from eumonitor.followup.actions import ActionError
from eumonitor.nb import count_nb


@click.group()
def user() -> None:
    """Brukere: e-post, navn, enhet og rolle (leser, redaktør, admin), lagret i arkivet."""


def users_context(ctx: click.Context) -> AppContext:
    """The context, with config.toml's old [[web.editors]] carried over first (once each), said aloud."""
    app = load_context(ctx)
    for email in actions.import_config_editors(app):
        click.echo(f"Flyttet redaktør {email} fra config.toml til arkivets brukere (rolle redaktør).", err=True)
    return app


def _role(text: str | None, hint: str = "--role") -> str | None:
    if text is None:
        return None
    try:
        return rules.role_id(text)
    except rules.CaseRuleError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from exc


@user.command("add")
@click.argument("email")
@click.option("--name", default=None, help="Fullt navn.")
@click.option("--unit", default=None, help="Enhet, f.eks. Byrådsavdeling for klima, kultur og næring.")
@click.option("--role", default=None, help="leser, redaktør eller admin (standard for nye: redaktør).")
@click.password_option("--password", prompt="Passord", help="Leses fra terminalen når det ikke er oppgitt.")
@click.pass_context
def user_add(
    ctx: click.Context, email: str, name: str | None, unit: str | None, role: str | None, password: str
) -> None:
    """Legg til en bruker (eller bytt passord, navn, enhet eller rolle for en som finnes)."""
    from eumonitor.web.auth import hash_password

    app = users_context(ctx)
    chosen = _role(role)
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--password") from exc
    changed = _do(ctx, lambda: people.save(app, email, role=chosen, name=name, unit=unit, password_hash=hashed))
    verb = "La til" if changed.new else "Oppdaterte"
    click.echo(f"{verb} bruker {changed.user.email} med rollen {changed.user.role}.")
    _warn_stranded(changed, "er leser og ikke kan endre dem")


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Skriv ut som JSON.")
@click.pass_context
def user_list(ctx: click.Context, as_json: bool) -> None:
    """Vis brukerne med navn, enhet og rolle."""
    app = users_context(ctx)
    users = app.store.list_users()
    if as_json:
        rows = [
            {"email": u.email, "name": u.name, "unit": u.unit, "role": u.role, "created_at": u.created_at}
            for u in users
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not users:
        click.echo("Ingen brukere ennå. Legg til den første med «eumonitor user add EPOST --role admin».")
        return
    for u in users:
        extra = ", ".join(x for x in (u.name, u.unit) if x)
        click.echo(f"{u.email}  {u.role}" + (f"  ({extra})" if extra else ""))
    click.echo(count_nb(len(users), "bruker", "brukere"))


@user.command("set-role")
@click.argument("email")
@click.argument("role")
@click.pass_context
def user_set_role(ctx: click.Context, email: str, role: str) -> None:
    """Gi en bruker rollen leser, redaktør eller admin."""
    app = users_context(ctx)
    chosen = _role(role, "ROLLE")  # the role is an argument here, not the --role of `user add`
    assert chosen is not None
    changed = _do(ctx, lambda: people.change_role(app, email, chosen))
    click.echo(f"{changed.user.email} har nå rollen {chosen}.")
    _warn_stranded(changed, "nå er leser og ikke kan endre dem")


@user.command("remove")
@click.argument("email")
@click.pass_context
def user_remove(ctx: click.Context, email: str) -> None:
    """Fjern en bruker (notater og historikk beholder adressen; innlogginger avsluttes)."""
    app = users_context(ctx)
    changed = _do(ctx, lambda: people.remove(app, email))
    click.echo(f"Fjernet bruker {changed.user.email}.")
    _warn_stranded(changed, "er fjernet")


def _do(ctx: click.Context, change: Callable[[], people.Changed]) -> people.Changed:
    """The change, or its refusal on stderr with the refusal's exit status."""
    try:
        return change()
    except ActionError as exc:
        click.echo(str(exc), err=True)
        ctx.exit(exc.code)
        raise  # pragma: no cover - ctx.exit raises


def _warn_stranded(changed: people.Changed, why: str) -> None:
    """Cases keep their owner's address (the history stays true), but someone who can act must take them over."""
    sentence = people.stranded_sentence(changed, why, "Gi dem til en annen med «eumonitor assign ID EPOST --as …».")
    if sentence:
        click.echo(sentence, err=True)
