"""`eumonitor demo`: the whole chain on recorded data, no network and no set-up, optionally served on this machine."""

from __future__ import annotations

from pathlib import Path

import click

from eumonitor.cli import output

DEMO_PASSWORD = "demo-passord"  # printed on screen: the demo runs on 127.0.0.1 only, on a throwaway archive


@click.command("demo")
@click.option(
    "--dir", "folder", default="var/demo", show_default=True, type=click.Path(file_okay=False), help="Demomappen."
)
@click.option("--serve", is_flag=True, help="Start nettsiden på demoarkivet etterpå.")
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="Porten nettsiden lytter på."
)
@click.pass_context
def demo(ctx: click.Context, folder: str, serve: bool, port: int) -> None:
    """Hele kjeden på to innspilte uker fra EU-portalen: innhenting, matching og sammendrag, uten nett."""
    from eumonitor.demo import DEMO_EDITOR, DEMO_NOW, DemoError, run_demo
    from eumonitor.web.auth import hash_password

    root = Path(folder).resolve()
    click.echo(f"Demo i {root}: EU-portalen spilles av fra opptak på 127.0.0.1 (ingen nett trengs).")
    try:
        report = run_demo(root, hash_password(DEMO_PASSWORD), port, click.echo)
    except DemoError as exc:
        click.echo(str(exc), err=True)
        ctx.exit(2)
    click.echo("\n".join(output.send_lines(report.sends, dry_run=False)))
    written = sorted(p.name for p in report.outbox.glob("*.html")) if report.outbox.is_dir() else []
    click.echo(f"Sammendrag skrevet til {report.outbox}: " + (", ".join(written) or "ingen"))
    click.echo(f"Prøv: eumonitor --root {root} --now {DEMO_NOW} search klimatilpasning")
    if not serve:
        click.echo(f"Med --serve startes nettsiden på arkivet (logg inn som {DEMO_EDITOR} / {DEMO_PASSWORD}).")
        return
    from eumonitor.cli.web import run_server
    from eumonitor.config import load_config
    from eumonitor.context import AppContext
    from eumonitor.web import create_app

    app = AppContext(load_config(root), DEMO_NOW)
    ctx.call_on_close(app.close)
    banner = f"Nettsiden: http://127.0.0.1:{port}/  Redaktør: {DEMO_EDITOR}  Passord: {DEMO_PASSWORD}  (Ctrl+C stopper)"
    run_server(ctx, create_app(app), "127.0.0.1", port, 8, banner)
