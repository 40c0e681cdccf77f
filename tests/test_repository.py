"""The repository itself: README's commands, CI running the same test command, no stray state."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    setup = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", setup)


def test_readme_starts_with_two_setup_commands():
    commands = readme_commands()
    assert len(commands) == 2
    assert "eumonitor" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


def test_var_is_ignored():
    assert "var/" in (REPO / ".gitignore").read_text(encoding="utf-8").split()


def test_the_package_shows_the_pipeline_with_a_handful_of_top_level_modules():
    package = REPO / "eumonitor"
    modules = {p.stem for p in package.glob("*.py")}
    # demo: the offline tour of the whole chain, a use case beside jobs (it runs jobs on recorded data).
    assert modules == {"__init__", "__main__", "model", "nb", "context", "jobs", "demo", "scheduler", "files"}
    stages = {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    # followup: what happens after a call is read (following, cases, the overview, the yearly report).
    assert stages == {"sources", "store", "matching", "digests", "followup", "config", "cli", "web"}


def test_every_expected_failure_derives_from_one_root():
    from eumonitor.config.checker import ConfigError
    from eumonitor.config.edit import ProfilePathError
    from eumonitor.digests.mailer import DeliveryError
    from eumonitor.files import LockError
    from eumonitor.model import EumonitorError
    from eumonitor.sources.http import FetchError
    from eumonitor.sources.kind import SourceError
    from eumonitor.store import StoreError

    for error in (ConfigError, ProfilePathError, DeliveryError, LockError, FetchError, SourceError, StoreError):
        assert issubclass(error, EumonitorError), error
