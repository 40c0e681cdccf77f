"""click's frame in bokmål: every translated message still exists in click, and prompts speak Norwegian."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from eumonitor.cli import main, norsk
from eumonitor.cli.progress import CollectDisplay
from eumonitor.model import SourceRun


def click_source() -> str:
    folder = Path(click.__file__).parent
    return "\n".join(p.read_text(encoding="utf-8") for p in folder.glob("*.py"))


def test_every_translated_message_is_still_in_click() -> None:
    # An upgrade of click that rewords a message would otherwise bring English back without a sound.
    source = click_source()
    ids = [*norsk.MESSAGES, *(part for pair in norsk.PLURALS for part in pair)]
    missing = [m for m in ids if repr(m)[1:-1] not in source and m not in source]
    assert missing == []


def test_password_prompt_and_its_confirmation_are_norwegian(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--root", str(tmp_path), "user", "add", "ny@bergen.kommune.no"], input="et langt passord\nannet\n"
    )
    assert "Passord: " in result.output and "Gjenta for å bekrefte: " in result.output
    assert "Feil: De to verdiene er ikke like." in result.output
    assert "Repeat" not in result.output and "Error" not in result.output


def test_the_status_line_shows_every_running_source() -> None:
    display = CollectDisplay(3)
    display.page("eu-funding-tenders", 3, 7)
    display.page("interreg-eu", 0, None)
    assert display.line() == "Innhenting: 0/3 kilder ferdig – eu-funding-tenders side 3/7; interreg-eu starter"
    display.finished(SourceRun("interreg-eu", None, None, "error", "HTTP 403", {}))  # type: ignore[arg-type]
    assert display.line() == "Innhenting: 1/3 kilder ferdig, 1 feilet – eu-funding-tenders side 3/7"
