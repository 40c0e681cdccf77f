"""Follow-up from the command line: follow, unfollow, assign, status, note, partner add and cases, for scripts.

Each acts as the user named by --as (or EUMONITOR_AS) and says what it did, or with --json prints it as JSON.
A refusal is one Norwegian line on stderr and a non-zero exit: 1 not found, 2 invalid, 4 not allowed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from eumonitor.cli.users import users_context
from eumonitor.context import AppContext
from eumonitor.followup import actions, caselist, rules
from eumonitor.nb import count_nb, money_nb

AS_HELP = "Brukeren som gjør endringen (e-post; også miljøvariabelen EUMONITOR_AS)."


def _common(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON.")(command)
    command = click.option("--source", default="", help="Kilden, når samme id finnes i flere.")(command)
    return click.option("--as", "who", envvar="EUMONITOR_AS", default="", metavar="EPOST", help=AS_HELP)(command)


def _run(ctx: click.Context, as_json: bool, act: Callable[[AppContext], tuple[dict[str, Any], str]]) -> None:
    """Run one action; print its line (or JSON), or its refusal and the matching exit status."""
    app = users_context(ctx)
    try:
        data, line = act(app)
    except actions.ActionError as exc:
        click.echo(f"Feil: {exc}", err=True)
        ctx.exit(exc.code)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str) if as_json else line)


@click.command("follow")
@click.argument("identifier")
@_common
@click.pass_context
def follow(ctx: click.Context, identifier: str, who: str, source: str, as_json: bool) -> None:
    """Følg en utlysning: påminnelser før fristen og e-post når den endres."""

    def act(app: AppContext) -> tuple[dict[str, Any], str]:
        at = actions.target(app, identifier, source)
        new = actions.follow(app, who, at)
        line = f"{who} følger nå {at.call.external_id}." if new else f"{who} fulgte allerede {at.call.external_id}."
        return {"id": at.call.external_id, "source": at.call.source, "following": True, "changed": new}, line

    _run(ctx, as_json, act)


@click.command("unfollow")
@click.argument("identifier")
@_common
@click.pass_context
def unfollow(ctx: click.Context, identifier: str, who: str, source: str, as_json: bool) -> None:
    """Slutt å følge en utlysning."""

    def act(app: AppContext) -> tuple[dict[str, Any], str]:
        at = actions.target(app, identifier, source)
        gone = actions.unfollow(app, who, at)
        ident = at.call.external_id
        line = f"{who} følger ikke lenger {ident}." if gone else f"{who} fulgte ikke {ident}."
        return {"id": at.call.external_id, "source": at.call.source, "following": False, "changed": gone}, line

    _run(ctx, as_json, act)


@click.command("assign")
@click.argument("identifier")
@click.argument("email")
@_common
@click.pass_context
def assign(ctx: click.Context, identifier: str, email: str, who: str, source: str, as_json: bool) -> None:
    """Gi ansvaret for en utlysning til en bruker (som får beskjed på e-post)."""

    def act(app: AppContext) -> tuple[dict[str, Any], str]:
        at = actions.target(app, identifier, source)
        done = actions.assign(app, who, at, email)
        line = f"{at.call.external_id}: ansvarlig er {done['assignee']}"
        line += f"; {done['mail']}." if done["mail"] else "."
        return {"id": at.call.external_id, "source": at.call.source, **done}, line

    _run(ctx, as_json, act)


@click.command("status")
@click.argument("identifier")
@click.argument("status", metavar="STATUS")
@click.option("--reason", default="", help="Begrunnelse (kreves for ikke-aktuell).")
@click.option("--amount", default=None, metavar="EUR", help="Søkt beløp (soker, sendt) eller tildelt (innvilget).")
@_common
@click.pass_context
def status(
    ctx: click.Context,
    identifier: str,
    status: str,
    reason: str,
    amount: str | None,
    who: str,
    source: str,
    as_json: bool,
) -> None:
    """Sett status: til-vurdering, aktuell, soker, sendt, innvilget, avslatt eller ikke-aktuell."""

    def act(app: AppContext) -> tuple[dict[str, Any], str]:
        at = actions.target(app, identifier, source)
        try:
            done = actions.set_status(app, who, at, status, reason, amount)
        except actions.ActionError as exc:
            if isinstance(exc.__cause__, rules.ReasonMissing):  # on the command line, say which option gives it
                raise actions.ActionError(f"{str(exc).rstrip('.')} (--reason).", exc.code) from exc
            raise
        view = actions.case_view(app, at)
        line = f"{at.call.external_id}: status {view['status_nb']}"
        if view["amount_applied"] is not None or view["amount_won"] is not None:
            applied, won = view["amount_applied"], view["amount_won"]
            line += f" (søkt {money_nb(applied) if applied else '–'}, tildelt {money_nb(won) if won else '–'})"
        return _case_json(view, done), line + "."

    _run(ctx, as_json, act)


@click.command("note")
@click.argument("identifier")
@click.argument("text")
@_common
@click.pass_context
def note(ctx: click.Context, identifier: str, text: str, who: str, source: str, as_json: bool) -> None:
    """Legg til et notat i saken (notater endres aldri, bare legges til)."""

    def act(app: AppContext) -> tuple[dict[str, Any], str]:
        at = actions.target(app, identifier, source)
        note_id = actions.add_note(app, who, at, text)
        data = {"id": at.call.external_id, "source": at.call.source, "note": note_id}
        return data, f"Notat lagt til {at.call.external_id}."

    _run(ctx, as_json, act)


@click.group("partner")
def partner() -> None:
    """Lokale partnere i en sak (koordinator, partner, pilot, referansegruppe)."""


@partner.command("add")
@click.argument("identifier")
@click.argument("organisation", metavar="ORG")
@click.option("--role", required=True, help=f"Rollen: {', '.join(rules.PARTNER_ROLES)}.")
@_common
@click.pass_context
def partner_add(
    ctx: click.Context, identifier: str, organisation: str, role: str, who: str, source: str, as_json: bool
) -> None:
    """Legg til en lokal partner (eller endre rollen til en som er lagt til)."""

    def act(app: AppContext) -> tuple[dict[str, Any], str]:
        at = actions.target(app, identifier, source)
        before = actions.add_partner(app, who, at, organisation, role)
        line = f"{organisation} er {role.lower()} i {at.call.external_id}."
        data = {
            "id": at.call.external_id,
            "source": at.call.source,
            "organisation": organisation,
            "role": role.lower(),
            "previous_role": before,
        }
        return data, line

    _run(ctx, as_json, act)


@click.command("cases")
@click.option("--json", "as_json", is_flag=True, help="Skriv ut som JSON.")
@click.pass_context
def cases(ctx: click.Context, as_json: bool) -> None:
    """Vis utlysningene som følges eller har en sak: status, ansvarlig, frist og beløp (som siden Oppfølging)."""
    app = users_context(ctx)
    rows = caselist.overview_rows(app)
    if as_json:
        click.echo(json.dumps([caselist.json_row(r) for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("Ingen utlysninger følges eller har en sak ennå. Begynn med «eumonitor follow ID --as EPOST».")
        return
    for r in rows:
        left = caselist.days_left_text(r, app.today())
        owner = r["assignee"] or "ingen ansvarlig"
        click.echo(f"{r['id']}  {r['status_nb']}  {owner}  {left}  {r['title'][:60]}")
    click.echo(count_nb(len(rows), "utlysning", "utlysninger"))


def _case_json(view: dict[str, Any], done: list[tuple[str, Any, Any]]) -> dict[str, Any]:
    keys = ("source", "id", "status", "status_nb", "reason", "assignee", "amount_applied", "amount_won")
    return {**{k: view[k] for k in keys}, "changed": [{"field": f, "old": o, "new": n} for f, o, n in done]}


@partner.command("remove")
@click.argument("identifier")
@click.argument("organisation", metavar="ORG")
@_common
@click.pass_context
def partner_remove(
    ctx: click.Context, identifier: str, organisation: str, who: str, source: str, as_json: bool
) -> None:
    """Ta en lokal partner ut av saken (historikken viser at den var med)."""

    def act(app: AppContext) -> tuple[dict[str, Any], str]:
        at = actions.target(app, identifier, source)
        role = actions.remove_partner(app, who, at, organisation)
        data = {"id": at.call.external_id, "source": at.call.source, "organisation": organisation, "removed_role": role}
        return data, f"{organisation} ({role}) er tatt ut av {at.call.external_id}."

    _run(ctx, as_json, act)


COMMANDS = (follow, unfollow, assign, status, note, partner, cases)
