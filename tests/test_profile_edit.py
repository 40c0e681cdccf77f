"""Profile edits: comments and order kept, invalid edits and foreign paths refused, nothing half-written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eumonitor.config.edit import ProfilePathError, apply_edit, edit_from_form, profile_path, save_edit, text_hash

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    return tmp_path


def form_for(text: str) -> dict[str, str]:
    import tomllib

    data = tomllib.loads(text)
    form = {"description": data["description"], "exclude": "\n".join(data.get("exclude", [])),
            "min_score": str(data.get("min_score", 0.25))}  # fmt: skip
    for i, group in enumerate(data["keywords"]):
        form[f"keywords-{i}-terms"] = ", ".join(group["terms"])
        form[f"keywords-{i}-weight"] = str(group.get("weight", 1.0))
    return form


def test_an_unchanged_form_leaves_the_file_byte_for_byte(root: Path) -> None:
    for path in sorted((root / "profiles").glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        assert apply_edit(text, edit_from_form(form_for(text))) == text, path.name


def test_a_change_touches_only_its_line(root: Path) -> None:
    path = root / "profiles" / "klima-miljo.toml"
    text = path.read_text(encoding="utf-8")
    result = save_edit(root, "klima-miljo", edit_from_form({**form_for(text), "min_score": "0,4"}))
    assert result.saved and result.profile.min_score == 0.4
    before, after = text.splitlines(), path.read_text(encoding="utf-8").splitlines()
    assert [(a, b) for a, b in zip(before, after, strict=True) if a != b] == [("min_score = 0.25", "min_score = 0.4")]


def test_new_keyword_group_and_exclusions_are_written(root: Path) -> None:
    text = (root / "profiles" / "hav.toml").read_text(encoding="utf-8")
    form = {**form_for(text), "keywords-9-terms": "harbour cranes, ferries", "keywords-9-weight": "1.5",
            "exclude": "nuclear\nmilitary"}  # fmt: skip
    result = save_edit(root, "hav", edit_from_form(form))
    assert result.saved
    assert ("harbour cranes", 1.5) in [(k.term, k.weight) for k in result.profile.keywords]
    assert result.profile.exclude == ("nuclear", "military")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("min_score", "7", "mellom 0 og 1"), ("min_score", "sju", "et tall"), ("keywords-0-weight", "-1", "større enn 0"),
     ("description", "   ", "tom")],
)  # fmt: skip
def test_invalid_edits_write_nothing(root: Path, field: str, value: str, message: str) -> None:
    path = root / "profiles" / "hav.toml"
    before = path.read_bytes()
    result = save_edit(root, "hav", edit_from_form({**form_for(path.read_text(encoding="utf-8")), field: value}))
    assert not result.saved and any(message in m for m in result.errors.values()), result.errors
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_stale_form_is_refused(root: Path) -> None:
    path = root / "profiles" / "hav.toml"
    text = path.read_text(encoding="utf-8")
    stale = text_hash(text)
    path.write_text(text + "\n# edited by someone else\n", encoding="utf-8")
    result = save_edit(root, "hav", edit_from_form({**form_for(text), "min_score": "0.3"}), stale)
    assert not result.saved and "endret av noen andre" in result.errors["form"]


@pytest.mark.parametrize("bad", ["../config", "hav/../../x", "/etc/passwd", "HAV", "", "finnes-ikke", "hav.toml"])
def test_ids_cannot_name_files_outside_profiles(root: Path, bad: str) -> None:
    with pytest.raises(ProfilePathError):
        profile_path(root, bad)


def test_a_symlink_out_of_profiles_is_refused(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text('title = "x"\n', encoding="utf-8")
    (root / "profiles" / "lenke.toml").symlink_to(outside)
    with pytest.raises(ProfilePathError):
        profile_path(root, "lenke")
