"""The command line at its edges: a busy port, a bad address, out-of-range numbers, filters that know nothing."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from tests.support.matching import archive_root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return archive_root(tmp_path)


def invoke(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), "--now", "2026-06-24", *args])


def test_serve_on_a_busy_port_is_a_norwegian_error_not_a_traceback(root):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke(root, "serve", "--port", str(port))
    assert result.exit_code == 1
    assert f"Kan ikke lytte på 127.0.0.1:{port}: porten er i bruk" in result.output
    assert "lytter på http" not in result.output  # the banner comes only after the bind succeeded
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_serve_on_an_impossible_address_says_so(root):
    result = invoke(root, "serve", "--host", "999.1.1.1")
    assert result.exit_code == 1
    assert "adressen er ugyldig" in result.output


@pytest.mark.parametrize(
    ("args", "named"), [(("serve", "--port", "99999"), "--port"), (("search", "--limit", "0"), "--limit")]
)
def test_numbers_out_of_range_are_refused_before_anything_runs(root, args, named):
    result = invoke(root, *args)
    assert result.exit_code == 2
    assert f"Ugyldig verdi for '{named}'" in result.output and "utenfor området" in result.output


def test_a_source_filter_no_call_has_is_named_with_the_sources_there_are(root):
    result = invoke(root, "search", "ocean", "--source", "eu-portal")
    assert result.exit_code == 0
    assert "Ingen utlysninger fra kilden 'eu-portal' i arkivet; kilder med utlysninger: eu-funding-tenders." in (
        result.stderr
    )
    assert invoke(root, "search", "ocean", "--source", "eu-funding-tenders").stderr == ""


def test_a_programme_filter_no_call_has_is_named(root):
    result = invoke(root, "search", "--programme", "Horisont")
    assert "Ingen utlysninger i programmet 'Horisont'" in result.stderr


def test_show_calls_a_call_closed_once_its_last_deadline_has_passed(root):
    result = CliRunner().invoke(
        main, ["--root", str(root), "--now", "2029-01-01", "show", "HORIZON-MISS-2027-03-OCEAN-04"]
    )
    assert result.exit_code == 0, result.output
    assert "Status: stengt" in result.output
    assert "Status: kommende" in invoke(root, "show", "HORIZON-MISS-2027-03-OCEAN-04").output


def test_path_arguments_are_named_in_norwegian(root):
    result = invoke(root, "feedback", "import", str(root / "finnes-ikke.jsonl"))
    assert result.exit_code == 2
    assert "Fil '" in result.output and "finnes ikke" in result.output and "File" not in result.output
