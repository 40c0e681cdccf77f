"""Shared pieces of the click commands: loading the context, choosing sources, a progress line."""

from __future__ import annotations

import click

from eumonitor import jobs
from eumonitor.config import load_config
from eumonitor.config.checker import ConfigError, NoConfigError
from eumonitor.context import AppContext
from eumonitor.files import LockError, process_lock


def load_context(ctx: click.Context) -> AppContext:
    """Load and validate the configuration root; every problem printed at once, then exit 2."""
    obj = ctx.find_root().obj
    try:
        config = load_config(obj["root"])
    except NoConfigError as exc:
        click.echo(no_config_message(exc.root), err=True)
        ctx.exit(2)
    except ConfigError as exc:
        click.echo(f"Konfigurasjonen i {obj['root']} har {len(exc.problems)} feil:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        ctx.exit(2)
    app = AppContext(config=config, fixed_now=obj["now"])
    ctx.call_on_close(app.close)
    return app


def no_config_message(root) -> str:
    where = f"Mappen {root} finnes ikke." if not root.is_dir() else f"Fant ingen config.toml i {root}."
    return (
        f"{where}\nKjør eumonitor i mappen som har config.toml, eller pek på den med --root MAPPE "
        "eller miljøvariabelen EUMONITOR_ROOT=MAPPE.\nVil du bare prøve? «eumonitor demo» trenger ikke oppsett."
    )


def chosen_sources(ctx: click.Context, app: AppContext, names: tuple[str, ...]):
    known = app.config.sources
    unknown = [n for n in names if n not in known]
    if unknown:
        click.echo(f"Ukjent kilde: {', '.join(unknown)}. Kjente kilder: {', '.join(sorted(known))}", err=True)
        ctx.exit(2)
    if names:
        return [known[n] for n in names]
    return jobs.enabled_sources(app)


def progress_printer():
    def show(source: str, done: int, expected: int | None) -> None:
        total = f"/{expected}" if expected else ""
        bar = ""
        if expected:
            filled = min(20, 20 * done // expected)
            bar = "[" + "#" * filled + "-" * (20 - filled) + "] "
        click.echo(f"\r{source}: {bar}side {done}{total}   ", err=True, nl=False)

    return show


class process_lock_or_exit:  # noqa: N801 - used as a context manager, named for what it does
    """The process lock (one collect, send or scheduler at a time); when taken, exit 3 with the holder named."""

    def __init__(self, ctx: click.Context, app: AppContext):
        self.ctx, self.lock = ctx, process_lock(app.lock_path)

    def __enter__(self) -> None:
        try:
            self.lock.__enter__()
        except LockError as exc:
            click.echo(str(exc), err=True)
            self.ctx.exit(3)

    def __exit__(self, *exc: object) -> None:
        self.lock.__exit__(*exc)
