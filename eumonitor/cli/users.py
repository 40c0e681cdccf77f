"""`eumonitor user add|list|set-role|remove`: the people of the web app, kept in the archive with their role."""

from __future__ import annotations

import json

import click

from eumonitor.cli.common import load_context
from eumonitor.context import AppContext
from eumonitor.followup import actions, rules
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
    from eumonitor.config import EMAIL_PATTERN
    from eumonitor.web.auth import hash_password

    app = users_context(ctx)
    if not EMAIL_PATTERN.match(email):
        raise click.BadParameter(f"{email!r} er ikke en e-postadresse", param_hint="EPOST")
    chosen = _role(role)
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--password") from exc
    existing = app.store.get_user(email)
    if existing and existing.role == "admin" and chosen not in (None, "admin") and app.store.count_admins() == 1:
        click.echo(f"{email} er den eneste administratoren; gi en annen rollen admin først.", err=True)
        ctx.exit(1)
    new = app.store.save_user(
        email,
        chosen or (existing.role if existing else "redaktør"),
        app.now(),
        name=name,
        unit=unit,
        password_hash=hashed,
    )
    saved = app.store.get_user(email)
    assert saved is not None
    verb = "La til" if new else "Oppdaterte"
    click.echo(f"{verb} bruker {saved.email} med rollen {saved.role}.")


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
    existing = app.store.get_user(email)
    if existing is None:
        click.echo(f"Ukjent bruker {email}.", err=True)
        ctx.exit(1)
    if existing.role == "admin" and chosen != "admin" and app.store.count_admins() == 1:
        click.echo(f"{email} er den eneste administratoren; gi en annen rollen admin først.", err=True)
        ctx.exit(1)
    app.store.set_role(email, chosen or existing.role, app.now())
    click.echo(f"{existing.email} har nå rollen {chosen}.")
    if chosen == "leser":
        _warn_assigned(app, existing.email, "er nå leser og kan ikke endre dem")


@user.command("remove")
@click.argument("email")
@click.pass_context
def user_remove(ctx: click.Context, email: str) -> None:
    """Fjern en bruker (notater og historikk beholder adressen; innlogginger avsluttes)."""
    app = users_context(ctx)
    existing = app.store.get_user(email)
    if existing is None:
        click.echo(f"Ukjent bruker {email}.", err=True)
        ctx.exit(1)
    if existing.role == "admin" and app.store.count_admins() == 1:
        click.echo(f"{email} er den eneste administratoren og kan ikke fjernes.", err=True)
        ctx.exit(1)
    app.store.remove_user(email)
    click.echo(f"Fjernet bruker {existing.email}.")
    _warn_assigned(app, existing.email, "er fjernet")


def _warn_assigned(app, email: str, why: str) -> None:
    """Cases keep their owner's address (the history stays true), but someone who can act must take them over."""
    left = app.store.cases_assigned_to(email)
    if left:
        click.echo(
            f"Merk: {count_nb(len(left), 'sak', 'saker')} står fortsatt på {email}, som {why}: {', '.join(left[:5])}"
            + (" …" if len(left) > 5 else "")
            + ". Gi dem til en annen med «eumonitor assign ID EPOST --as …».",
            err=True,
        )
