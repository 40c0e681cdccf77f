"""The first hour: every command on an empty archive, and in a folder that is not a root, ends without a traceback."""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from eumonitor.cli import main
from tests.support.matching import REPO
from tests.support.roots import write_root

# Every leaf command of the CLI, with arguments for an empty archive. A new command must be added here
# (test_every_command_is_covered fails otherwise); `run` without --once and `serve` block, so they are
# tried elsewhere: tests/test_scheduler.py starts and stops the scheduler, test_web_pages_on_an_empty_archive
# below opens every page.
EMPTY_ARCHIVE_ARGS: dict[str, list[list[str]]] = {
    "check": [[]],
    "collect": [[], ["--json"], ["eu-funding-tenders"]],
    "search": [["havforskning"], ["--json", "ocean"], ["--theme", "hav"], []],
    "show": [["HORIZON-CL6-2026-01-X"]],
    "test-source": [["eu-funding-tenders"]],
    "match": [[], ["--rebuild"]],
    "explain": [["HORIZON-CL6-2026-01-X"]],
    "profile preview": [["hav"]],
    "eval": [["{judgements}", "{scans}"]],
    "digest preview": [["network"]],
    "feedback import": [["{judgements}"]],
    "feedback export": [[]],
    "feedback list": [[]],
    "feedback undo": [["1"]],
    "digest send": [[], ["--dry-run"]],
    "run": [["--once"]],
    "subscriber add": [["ny@bergen.kommune.no"]],
    "subscriber list": [[]],
    "subscriber remove": [["ny@bergen.kommune.no"]],
    "user add": [["ny.redaktor@bergen.kommune.no", "--password", "et langt passord 123"]],
    "user list": [[], ["--json"]],
    "user set-role": [["ny.redaktor@bergen.kommune.no", "leser"]],
    "user remove": [["ingen@bergen.kommune.no"]],
    "follow": [["HORIZON-X", "--as", "ny.redaktor@bergen.kommune.no"]],
    "unfollow": [["HORIZON-X", "--as", "ny.redaktor@bergen.kommune.no", "--json"]],
    "assign": [["HORIZON-X", "ingen@bergen.kommune.no", "--as", "ny.redaktor@bergen.kommune.no"]],
    "status": [["HORIZON-X", "aktuell", "--as", "ny.redaktor@bergen.kommune.no"], ["HORIZON-X", "aktuell"]],
    "note": [["HORIZON-X", "Et notat", "--as", "ny.redaktor@bergen.kommune.no"]],
    "partner add": [["HORIZON-X", "UiB", "--role", "partner", "--as", "ny.redaktor@bergen.kommune.no"]],
    "partner remove": [["HORIZON-X", "UiB", "--as", "ny.redaktor@bergen.kommune.no"]],
    "cases": [[], ["--json"]],
    "report": [[], ["--year", "2026", "--json"]],
}
BLOCKING = {"serve", "run"}  # run is covered with --once above; without it, it is the scheduler
NO_ROOT = {"demo"}  # makes its own root: tests/test_demo.py


def leaf_commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found.update(leaf_commands(command, path + " "))
        else:
            found[path] = command
    return found


def closed_port() -> int:
    """A loopback port nobody listens on: the collect's connection is refused at once, off no network."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The shipped profiles and digests, one EU portal source on a dead loopback port, and no calls yet."""
    root = write_root(tmp_path / "root", f"http://127.0.0.1:{closed_port()}/search-api/prod/rest/search")
    with (root / "config.toml").open("a", encoding="utf-8") as config:
        config.write('[web]\nbase_url = "http://127.0.0.1:8080"\n')  # digests link to the web app
    shutil.copytree(REPO / "profiles", root / "profiles")
    shutil.copytree(REPO / "digests", root / "digests")
    (tmp_path / "scans").mkdir()  # a scan folder without a single page
    # Built by hand: one judgement in the format of ../shared/eval/dev.jsonl, for a call no scan holds.
    (tmp_path / "judged.jsonl").write_text('{"id": "HORIZON-X", "labels": {"hav": 2}}\n', encoding="utf-8")
    return root


def invoke(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), "--now", "2026-06-24", *args])


def assert_no_traceback(result: Result, args: tuple[str, ...]) -> None:
    # A click exit (SystemExit) is a documented status; any other exception is a crash.
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed, f"{args}: {result.exception!r}\n{result.output}"
    assert "Traceback" not in result.output, f"{args}:\n{result.output}"
    assert result.exit_code in (0, 1, 2), f"{args}: exit {result.exit_code}\n{result.output}"
    assert result.output.strip(), f"{args}: said nothing"


def test_every_command_is_covered() -> None:
    assert set(leaf_commands(main)) == set(EMPTY_ARCHIVE_ARGS) | BLOCKING | NO_ROOT


@pytest.mark.parametrize(
    ("command", "args"),
    [(command, args) for command, variants in EMPTY_ARCHIVE_ARGS.items() for args in variants],
)
def test_every_command_on_an_empty_archive(root: Path, command: str, args: list[str]) -> None:
    filled = [a.format(judgements=root.parent / "judged.jsonl", scans=root.parent / "scans") for a in args]
    result = invoke(root, *command.split(), *filled)
    assert_no_traceback(result, (command, *filled))


def test_what_an_empty_archive_says(root: Path) -> None:
    assert "arkivet har ingen utlysninger ennå" in invoke(root, "match").output
    assert "Ingen åpne utlysninger treffer profilen ennå" in invoke(root, "profile", "preview", "hav").output
    shown = invoke(root, "show", "HORIZON-X")
    assert shown.exit_code == 1 and "Fant ingen utlysning med id 'HORIZON-X'" in shown.output
    collected = invoke(root, "collect")
    assert collected.exit_code == 1
    assert (
        "1 av 1 kilder feilet" in collected.output and "eu-funding-tenders: Fikk ikke kontakt med" in collected.output
    )


def test_run_once_on_a_first_run_without_network_tells_each_step_and_alerts_the_staff(root: Path) -> None:
    result = invoke(root, "run", "--once")
    assert result.exit_code == 1, result.output
    steps = [line[:4] for line in result.output.splitlines() if re.match(r"\d/4 ", line)]
    assert steps == ["1/4 ", "2/4 ", "3/4 ", "4/4 "], result.output
    assert "eu-funding-tenders: Fikk ikke kontakt med" in result.output
    assert "eumonitor demo" in result.output
    # A source that has never answered is worth a word at once, not after three failed mornings.
    alerts = [p for p in (root / "var" / "outbox").glob("*.eml") if "svarer_ikke" in p.name]
    assert alerts, sorted(p.name for p in (root / "var" / "outbox").iterdir())


@pytest.mark.parametrize("command", sorted(EMPTY_ARCHIVE_ARGS))
def test_a_folder_without_config_is_an_error_and_nothing_is_created(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "not-a-root"
    folder.mkdir()
    (tmp_path / "scans").mkdir()
    (tmp_path / "judged.jsonl").write_text('{"id": "X", "labels": {}}\n', encoding="utf-8")
    args = [
        a.format(judgements=tmp_path / "judged.jsonl", scans=tmp_path / "scans") for a in EMPTY_ARCHIVE_ARGS[command][0]
    ]
    result = CliRunner().invoke(main, [*command.split(), *args, "--root", str(folder)])
    assert result.exit_code == 2, result.output
    assert f"Fant ingen config.toml i {folder}" in result.output and "EUMONITOR_ROOT" in result.output
    assert list(folder.iterdir()) == []


def test_global_options_after_the_subcommand(root: Path) -> None:
    after = CliRunner().invoke(main, ["check", "--root", str(root)])
    assert after.exit_code == 0 and "er i orden" in after.output
    searched = CliRunner().invoke(main, ["search", "ocean", "--now", "2026-06-17", "--root", str(root)])
    assert searched.exit_code == 0, searched.output


ENGLISH = ("Usage:", "Options:", "Show this message", "Error:", "Invalid value", "No such option", "Missing argument")


@pytest.mark.parametrize(
    "args",
    [["--help"], ["search", "--help"], ["search", "--bogus"], ["show"], ["search", "--limit", "x"], ["nosuch"]],
)
def test_click_speaks_norwegian(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    for english in ENGLISH:
        assert english not in result.output, result.output
    assert ("Bruk:" in result.output) or ("Feil:" in result.output)


@pytest.fixture
def bare_root(tmp_path: Path) -> Path:
    """A root with a source but no profiles and no digests: nothing can match."""
    return write_root(tmp_path / "bare", f"http://127.0.0.1:{closed_port()}/search-api/prod/rest/search")


@pytest.mark.parametrize(
    "args",
    [
        ["match"],
        ["profile", "preview", "hav"],
        ["explain", "X"],
        ["digest", "send"],
        ["run", "--once"],
        ["search", "x"],
    ],
)
def test_commands_without_profiles(bare_root: Path, args: list[str]) -> None:
    result = invoke(bare_root, *args)
    assert_no_traceback(result, tuple(args))


PAGES = [
    "/",
    "/?q=havvind",
    "/?q=ocean&status=open&theme=hav",
    "/sources",
    "/digests",
    "/digests/network/preview.html",
    "/digests/network/preview.txt",
    "/profiles",
    "/profiles/hav",
    "/feeds/hav.atom",
    "/feeds/hav.ics",
    "/call/eu-funding-tenders/HORIZON-X",
    "/login",
    "/oppfolging",
    "/oppfolging.csv",
    "/brukere",
    "/passord",
    "/rapport",
    "/rapport/2026",
    "/rapport/2026.csv",
]


def test_web_pages_on_an_empty_archive(root: Path) -> None:
    from eumonitor.config import load_config
    from eumonitor.context import AppContext
    from eumonitor.web import create_app

    ctx = AppContext(load_config(root), "2026-06-24")
    try:
        client = create_app(ctx).test_client()
        for page in PAGES:
            answer = client.get(page)
            assert answer.status_code in (200, 302, 404), (page, answer.status_code)  # 302: to the login
            assert b"Traceback" not in answer.data
        assert client.get("/call/eu-funding-tenders/HORIZON-X").status_code == 404
        assert "Ingen" in client.get("/?q=havvind").get_data(as_text=True)
    finally:
        ctx.close()
