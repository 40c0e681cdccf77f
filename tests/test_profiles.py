"""The theme profiles: the repository's own validate, and malformed files are rejected naming file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.config.profiles import load_profiles

REPO = Path(__file__).resolve().parents[1]
THEMES = {
    "hav", "folkehelse", "velferdsteknologi", "kompetanse", "klima-miljo",
    "kultur", "inkludering", "digitalisering", "beredskap",
}  # fmt: skip

GOOD = """
title = "Hav"
owner = "hav@bergen.kommune.no"
description = "Ocean and coast."
[[keywords]]
weight = 2.0
terms = ["ocean", "hav"]
"""


def write(root: Path, name: str, text: str) -> None:
    (root / "profiles").mkdir(exist_ok=True)
    (root / "profiles" / f"{name}.toml").write_text(text, encoding="utf-8")


def test_repository_profiles_validate_one_per_theme():
    profiles, problems = load_profiles(REPO)
    assert problems == []
    assert set(profiles) == THEMES
    for profile in profiles.values():
        assert profile.owner.endswith("@bergen.kommune.no")
        assert profile.keywords and profile.description and 0 < profile.min_score < 1
        # Calls are mostly English, Norwegian sources come later: the title is Norwegian, terms in both.
        assert profile.title[0].isupper() and len(profile.keywords) >= 20


def test_good_profile_loads_with_weighted_keywords(tmp_path):
    write(tmp_path, "hav", GOOD)
    profiles, problems = load_profiles(tmp_path)
    assert problems == []
    assert [(k.term, k.weight) for k in profiles["hav"].keywords] == [("ocean", 2.0), ("hav", 2.0)]


def test_empty_profile_is_an_error_naming_the_file(tmp_path):
    write(tmp_path, "tom", "")
    _, problems = load_profiles(tmp_path)
    assert len(problems) == 1
    assert "profiles/tom.toml" in str(problems[0]) and "tom" in problems[0].message


def test_keywords_of_wrong_type_name_file_and_key(tmp_path):
    write(tmp_path, "hav", GOOD.replace('terms = ["ocean", "hav"]', 'terms = "ocean"'))
    _, problems = load_profiles(tmp_path)
    text = "\n".join(str(p) for p in problems)
    assert "profiles/hav.toml" in text and "keywords.terms" in text and "liste" in text


def test_unknown_key_names_file_key_and_what_is_allowed(tmp_path):
    write(tmp_path, "hav", 'colour = "blue"\n' + GOOD)
    _, problems = load_profiles(tmp_path)
    assert len(problems) == 1
    assert problems[0].file == "profiles/hav.toml" and problems[0].key == "colour"
    assert "keywords" in problems[0].message  # the allowed keys are listed


def test_bad_owner_and_threshold_are_reported_together(tmp_path):
    write(tmp_path, "hav", "min_score = 3\n" + GOOD.replace("hav@bergen.kommune.no", "Kari"))
    _, problems = load_profiles(tmp_path)
    assert {p.key for p in problems} == {"owner", "min_score"}


def test_check_command_rejects_a_broken_profile(tmp_path):
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    write(tmp_path, "hav", GOOD.replace("[[keywords]]", "keywords = 5\n[[other]]"))
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "check"])
    assert result.exit_code == 2
    assert "profiles/hav.toml" in result.output


def test_an_infinite_or_zero_weight_is_refused(tmp_path):
    for weight in ("inf", "nan", "0.0", "1e309"):
        write(tmp_path, "hav", GOOD.replace("weight = 2.0", f"weight = {weight}"))
        profiles, problems = load_profiles(tmp_path)
        assert profiles == {} and len(problems) == 1, weight
        assert "keywords[0].weight" in str(problems[0]) and "høyst 100" in str(problems[0])
