"""`eumonitor check` refuses [http] settings outside a sane range, in config.toml and in a source's own [http]."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from eumonitor.cli import main

SOURCE = 'kind = "ft_api"\nurl = "http://127.0.0.1:9/search?apiKey=SEDIA"\n'
BAD = {
    "timeout = 0": ("timeout", "over 0 til og med 600 sekunder, fikk 0"),
    "timeout = -5": ("timeout", "fikk -5"),
    "timeout = inf": ("timeout", "fikk inf"),
    "max_bytes = -1": ("max_bytes", "fra og med 1 til og med 2000000000 byte, fikk -1"),
    "retries = -1": ("retries", "fra og med 0 til og med 10 forsøk, fikk -1"),
    "backoff = 100000": ("backoff", "fra og med 0 til og med 300 sekunder, fikk 100000"),
    "min_interval = nan": ("min_interval", "fikk nan"),
}


def check(tmp_path: Path, config: str, source: str = SOURCE):
    (tmp_path / "sources").mkdir()
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    (tmp_path / "sources" / "eu.toml").write_text(source, encoding="utf-8")
    return CliRunner().invoke(main, ["--root", str(tmp_path), "check"])


@pytest.mark.parametrize("line", BAD)
def test_config_toml_http_value_outside_its_range_is_refused_with_file_key_and_range(tmp_path, line):
    key, expected = BAD[line]
    result = check(tmp_path, f'[http]\ncontact = "a@b.no"\n{line}\n')
    assert result.exit_code == 2, result.output
    assert f"config.toml:3 [http.{key}]: utenfor tillatt område: skal være" in result.output
    assert expected in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("line", BAD)
def test_a_sources_own_http_value_outside_its_range_is_refused(tmp_path, line):
    key, expected = BAD[line]
    result = check(tmp_path, "", SOURCE + f"[http]\n{line}\n")
    assert result.exit_code == 2, result.output
    assert f"sources/eu.toml:4 [http.{key}]: utenfor tillatt område" in result.output
    assert expected in result.output


def test_every_bad_value_is_reported_at_once_and_sane_values_pass(tmp_path):
    lines = "\n".join(BAD[line][0] + " = " + line.split(" = ")[1] for line in list(BAD)[2:])
    result = check(tmp_path, f"[http]\n{lines}\n")
    assert result.exit_code == 2
    for key in ("timeout", "max_bytes", "retries", "backoff", "min_interval"):
        assert f"[http.{key}]" in result.output

    good = tmp_path / "good"
    good.mkdir()
    config = "[http]\ntimeout = 0.5\nretries = 0\nbackoff = 0\nmin_interval = 0\nmax_bytes = 1000\n"
    result = check(good, config, SOURCE + "[http]\ntimeout = 600\nretries = 10\n")
    assert result.exit_code == 0, result.output
