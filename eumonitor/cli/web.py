"""The web app's command: `serve` through waitress (users are managed by cli/users.py)."""

from __future__ import annotations

import errno
from typing import Any

import click

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
        reason = "porten er i bruk" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
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
