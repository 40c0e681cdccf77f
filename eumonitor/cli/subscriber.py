"""`eumonitor subscriber add|remove|list`: the digests' subscribers, kept in the archive (seeded from digests/)."""

from __future__ import annotations

import click

from eumonitor.cli.common import load_context
from eumonitor.config import EMAIL_PATTERN
from eumonitor.context import AppContext
from eumonitor.model import DigestSpec

STATE_NB = {"active": "aktiv", "paused": "pause", "unsubscribed": "avmeldt"}


@click.group()
def subscriber() -> None:
    """Abonnentene på sammendragene: legg til, fjern og vis."""


def _digest(ctx: click.Context, app: AppContext, digest_id: str | None) -> DigestSpec:
    """The named digest, or the only one there is."""
    digests = app.config.digests
    if digest_id is None and len(digests) == 1:
        return next(iter(digests.values()))
    if digest_id in digests:
        return digests[digest_id]
    known = ", ".join(sorted(digests)) or "(ingen i digests/)"
    click.echo(f"Velg sammendrag med --digest; kjente: {known}", err=True)
    ctx.exit(2)
    raise AssertionError  # ctx.exit raises


def _seeded(app: AppContext, spec: DigestSpec) -> None:
    """The file's subscribers, added once, as the next send would: the list shows what a send would use."""
    app.store.seed_subscribers(spec.id, spec.subscribers, app.now())


@subscriber.command("list")
@click.option("--digest", "digest_id", help="Sammendraget (standard: det eneste).")
@click.pass_context
def list_(ctx: click.Context, digest_id: str | None) -> None:
    """Vis abonnentene, med temaer og status, og hvor de står i forhold til digests/-filen."""
    app = load_context(ctx)
    spec = _digest(ctx, app, digest_id)
    _seeded(app, spec)
    in_file = {s.email.lower() for s in spec.subscribers}
    rows = app.store.subscriptions(spec.id)
    for row in rows:
        themes = ", ".join(row.profiles) if row.profiles else "alle temaer"
        note = _difference(row, row.email in in_file, spec.path or "digests/")
        click.echo(f"{row.email}  {STATE_NB.get(row.state, row.state)}  {themes}{note}")
    active = sum(1 for r in rows if r.state == "active")
    click.echo(f"{spec.id}: {active} aktive av {len(rows)} abonnenter")


def _difference(row, in_file: bool, file: str) -> str:
    """Where the archive (the truth) and the digest file differ, said aloud so nothing drifts silently."""
    since = row.changed_at[:10]
    if in_file and row.state != "active":
        return f" (står i {file}, men er {STATE_NB[row.state]} siden {since}, endret av {row.changed_by})"
    if not in_file and row.origin == "file":
        return f" (fjernet fra {file} {since})"
    if not in_file:
        return f" (lagt til av {row.changed_by or row.origin}, ikke i {file})"
    return ""


@subscriber.command("add")
@click.argument("email")
@click.option("--digest", "digest_id", help="Sammendraget (standard: det eneste).")
@click.option("--name", default=None, help="Navnet som vises i oversikten.")
@click.option("--tema", "themes", multiple=True, help="Bare dette temaet (kan gis flere ganger); standard: alle.")
@click.pass_context
def add(ctx: click.Context, email: str, digest_id: str | None, name: str | None, themes: tuple[str, ...]) -> None:
    """Legg til en abonnent (eller meld en avmeldt på igjen)."""
    app = load_context(ctx)
    spec = _digest(ctx, app, digest_id)
    if not EMAIL_PATTERN.match(email):
        click.echo(f"Ugyldig e-postadresse: {email}", err=True)
        ctx.exit(2)
    unknown = [t for t in themes if t not in spec.profiles]
    if unknown:
        click.echo(f"Ukjent tema {', '.join(unknown)}; sammendraget har: {', '.join(spec.profiles)}", err=True)
        ctx.exit(2)
    _seeded(app, spec)
    chosen = () if set(themes) == set(spec.profiles) else themes
    row = app.store.save_subscription(
        spec.id, email, app.now(), "kommandolinjen", state="active", profiles=chosen, name=name, origin="cli"
    )
    click.echo(f"{row.email} får {spec.id}: {', '.join(row.profiles) if row.profiles else 'alle temaer'}")


@subscriber.command("remove")
@click.argument("email")
@click.option("--digest", "digest_id", help="Sammendraget (standard: det eneste).")
@click.pass_context
def remove(ctx: click.Context, email: str, digest_id: str | None) -> None:
    """Meld av en abonnent; raden blir stående, så digests/-filen ikke melder vedkommende på igjen."""
    app = load_context(ctx)
    spec = _digest(ctx, app, digest_id)
    _seeded(app, spec)
    if app.store.subscription(spec.id, email) is None:
        click.echo(f"{email} abonnerer ikke på {spec.id}", err=True)
        ctx.exit(1)
    app.store.save_subscription(spec.id, email, app.now(), "kommandolinjen", state="unsubscribed", origin="cli")
    click.echo(f"{email.lower()} er meldt av {spec.id}")
