"""Configuration: strict checking with file, line and key; the repository's own files validate."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.config import load_config
from eumonitor.config.checker import ConfigError

REPO = Path(__file__).resolve().parents[1]

SOURCE = """kind = "ft_api"
url = "http://127.0.0.1:9/search?apiKey=SEDIA"
"""


def make_root(tmp_path: Path, config: str = "", sources: dict[str, str] | None = None) -> Path:
    (tmp_path / "sources").mkdir()
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    for name, text in (sources or {"eu": SOURCE}).items():
        (tmp_path / "sources" / f"{name}.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_repository_configuration_validates():
    config = load_config(REPO)
    assert "eu-funding-tenders" in config.sources
    assert config.archive_path == REPO / "var" / "eumonitor.db"
    assert "eu-radgivernettverket@bergen.kommune.no" in config.sources["eu-funding-tenders"].http.user_agent


def test_typo_in_key_is_an_error_with_file_line_and_allowed_keys(tmp_path):
    root = make_root(tmp_path, "[archive]\npath = 'x.db'\n\n[http]\ntimeuot = 5\n")
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    (problem,) = caught.value.problems
    assert problem.file == "config.toml"
    assert problem.line == 5
    assert problem.key == "http.timeuot"
    assert "timeout" in problem.message  # the allowed keys are listed


def test_every_problem_is_reported_at_once(tmp_path):
    broken = SOURCE + 'enabled = "yes"\n[options]\ntypes = "1"\npage_sise = 10\n'
    root = make_root(
        tmp_path,
        "[http]\nretries = 'three'\n",
        {"eu": broken, "other": 'kind = "nosuchkind"\nurl = "http://127.0.0.1/"\n', "bad": "kind = [\n"},
    )
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    text = str(caught.value)
    assert "config.toml:2 [http.retries]" in text
    assert "sources/eu.toml:3 [enabled]" in text
    assert "sources/eu.toml:5 [options.types]" in text
    assert "options.page_sise" in text
    assert "ukjent kind 'nosuchkind'" in text
    assert "sources/bad.toml" in text and "ugyldig TOML" in text


def test_missing_required_key_is_named(tmp_path):
    root = make_root(tmp_path, "", {"eu": 'kind = "ft_api"\n'})
    with pytest.raises(ConfigError, match=r"sources/eu.toml \[url\]: mangler"):
        load_config(root)


def test_source_http_overrides_config_defaults(tmp_path):
    root = make_root(tmp_path, "[http]\ntimeout = 10\nretries = 1\n", {"eu": SOURCE + "[http]\ntimeout = 99\n"})
    spec = load_config(root).sources["eu"]
    assert spec.http.timeout == 99.0
    assert spec.http.retries == 1


def test_check_command_prints_all_problems_and_fails(tmp_path):
    root = make_root(tmp_path, "[archive]\npaht = 'x'\n[http]\ncontact = 'not-an-address'\n")
    result = CliRunner().invoke(main, ["--root", str(root), "check"])
    assert result.exit_code == 2
    assert "config.toml:2 [archive.paht]" in result.output
    assert "http.contact" in result.output


def test_root_from_environment(tmp_path, monkeypatch):
    root = make_root(tmp_path)
    monkeypatch.setenv("EUMONITOR_ROOT", str(root))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert str(root) in result.output


def test_a_bad_option_value_is_reported_with_the_others_not_a_crash(tmp_path):
    root = make_root(tmp_path, "[http]\nretries = 'x'\n", {"eu": SOURCE + '[options]\ntypes = ["9"]\n'})
    result = CliRunner().invoke(main, ["--root", str(root), "check"])
    assert result.exit_code == 2
    assert "sources/eu.toml:3 [options]: ukjent type '9'" in result.output
    assert "config.toml:2 [http.retries]" in result.output
    assert "Traceback" not in result.output


def test_a_bad_time_zone_does_not_hide_a_bad_crontab_line_beside_it(tmp_path):
    root = make_root(tmp_path, '[schedule]\ntimezone = "Europe/Bergen"\ndigest = "0 7 * * mondag"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    keys = {p.key for p in caught.value.problems}
    assert keys == {"schedule.timezone", "schedule.digest"}
    assert all(p.file == "config.toml" and p.line for p in caught.value.problems)


def test_today_and_now_follow_the_configured_time_zone(tmp_path):
    from eumonitor.context import AppContext

    root = make_root(tmp_path, '[schedule]\ntimezone = "America/Chicago"\n')
    # 02:00 on 3 June in Oslo is still 2 June in Chicago; a bare --now date is noon in the city's own zone.
    late = AppContext(load_config(root), "2026-06-03T02:00+02:00")
    assert str(late.today()) == "2026-06-02"
    noon = AppContext(load_config(root), "2026-06-03")
    assert noon.now().utcoffset().total_seconds() == -5 * 3600 and noon.now().hour == 12


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[http]\ntimeout = 45 seconds\n",
            "config.toml:2: ugyldig TOML: forventet linjeskift etter en verdi (linje 2, kolonne 14)",
        ),
        (
            '[http]\ncontact = "a@b.no\n',
            "config.toml:2: ugyldig TOML: linjeskift midt i en tekst (mangler avsluttende anførselstegn?)",
        ),
        ("[http\n", "config.toml:1: ugyldig TOML: forventet ']' på slutten av tabellnavnet"),
        (
            "x = " + "[" * 5000 + "]" * 5000 + "\n",
            "config.toml: ugyldig TOML: lister eller tabeller er nestet for dypt",
        ),
    ],
)
def test_toml_syntax_errors_are_explained_in_norwegian_with_line_and_column(tmp_path, text, expected):
    root = make_root(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert str(caught.value).startswith(expected), str(caught.value)


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("61 7 * * *", "feltet minutt «61» er ugyldig (tillatt: 0-59"),
        ("0 7 * *", "4 felt, skal være 5"),
        ("0 7 * * mondag", "feltet ukedag «mondag» er ugyldig"),
    ],
)
def test_a_bad_crontab_line_is_explained_in_norwegian(tmp_path, line, said):
    root = make_root(tmp_path, f'[schedule]\ndigest = "{line}"\n')
    result = CliRunner().invoke(main, ["--root", str(root), "check"])
    assert result.exit_code == 2
    assert said in result.output and "Error validating" not in result.output
