"""Commands for the web app: `serve` through waitress, and `user add` for editors' password hashes."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import click
import tomlkit

from eumonitor.cli.common import load_context


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adressen serveren lytter på.")
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="Porten serveren lytter på."
)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="Samtidige forespørsler.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int) -> None:
    """Start nettsiden (søk, utlysninger, temaer) med waitress som WSGI-server."""
    from eumonitor.web import create_app

    app = create_app(load_context(ctx))
    run_server(ctx, app, host, port, threads, f"eumonitor lytter på http://{host}:{port}/ (Ctrl+C stopper)")


def run_server(ctx: click.Context, app: Any, host: str, port: int, threads: int, banner: str) -> None:
    """Bind first, then say where it listens: a busy port or a bad address is a Norwegian error, exit 1."""
    from waitress import create_server

    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="eumonitor")
    except OSError as exc:
        # errno 98/48: another process (often an earlier `serve`) holds the port
        reason = "porten er i bruk" if exc.errno in (errno.EADDRINUSE,) else (exc.strerror or str(exc))
        click.echo(f"Kan ikke lytte på {host}:{port}: {reason}. Velg en annen med --port.", err=True)
        ctx.exit(1)
    except ValueError:
        click.echo(f"Kan ikke lytte på {host}:{port}: adressen er ugyldig. Bruk f.eks. --host 127.0.0.1.", err=True)
        ctx.exit(1)
    click.echo(banner, err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("Stoppet.", err=True)
    finally:
        server.close()


@click.group()
def user() -> None:
    """Redaktører som kan endre temaprofiler i nettsiden."""


@user.command("add")
@click.argument("email")
@click.password_option("--password", prompt="Passord", help="Leses fra terminalen når det ikke er oppgitt.")
@click.pass_context
def user_add(ctx: click.Context, email: str, password: str) -> None:
    """Legg til en redaktør (eller bytt passordet) i config.toml under [web] editors."""
    from eumonitor.config import EMAIL_PATTERN
    from eumonitor.web.auth import hash_password

    load_context(ctx)  # a folder that is not a root is refused before config.toml is written there
    if not EMAIL_PATTERN.match(email):
        raise click.BadParameter(f"{email!r} er ikke en e-postadresse", param_hint="EPOST")
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--password") from exc
    path = Path(ctx.find_root().obj["root"]) / "config.toml"
    replaced = set_editor(path, email, hashed)
    load_context(ctx)  # the edited file must still pass `eumonitor check`
    click.echo(f"{'Byttet passord for' if replaced else 'La til'} redaktør {email} i {path}.")


def set_editor(path: Path, email: str, password_hash: str) -> bool:
    """Add or update one [[web.editors]] entry, keeping the rest of config.toml as it is; True if it existed."""
    from eumonitor.files import atomic_write

    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    web = doc.setdefault("web", tomlkit.table())
    editors = web.setdefault("editors", tomlkit.aot())
    for entry in editors:
        if str(entry.get("email", "")).lower() == email.lower():
            entry["password_hash"] = password_hash
            atomic_write(path, tomlkit.dumps(doc))
            return True
    entry = tomlkit.table()
    entry["email"] = email
    entry["password_hash"] = password_hash
    editors.append(entry)
    atomic_write(path, tomlkit.dumps(doc))
    return False
