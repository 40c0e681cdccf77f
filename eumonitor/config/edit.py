"""Editing a profiles/<id>.toml from the web form: tomlkit keeps comments and order, the file is replaced atomically."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from eumonitor.config.checker import Problem
from eumonitor.config.profiles import profile_from_table
from eumonitor.config.schema import ID_PATTERN
from eumonitor.files import atomic_write
from eumonitor.model import EumonitorError, Profile

MAX_GROUPS = 40


class ProfilePathError(EumonitorError, ValueError):
    """The id does not name a profile file inside profiles/."""


@dataclass(frozen=True)
class KeywordRow:
    """One keyword group as the form sent it; weight stays text when it is not a number, for the validator."""

    terms: tuple[str, ...]
    weight: float | str = 1.0


@dataclass(frozen=True)
class ProfileEdit:
    """The editable part of a profile; everything else in the file is left as it is."""

    description: str
    keywords: tuple[KeywordRow, ...]
    exclude: tuple[str, ...]
    min_score: float | str


@dataclass(frozen=True)
class EditResult:
    """What a save or a check did: the profile as edited, or the problems per form field."""

    profile: Profile | None
    errors: Mapping[str, str] = field(default_factory=dict)
    text: str = ""
    saved: bool = False


def profile_path(root: Path, profile_id: str) -> Path:
    """profiles/<id>.toml, refusing any id that could name a file elsewhere (.., /, symlinks out)."""
    if not ID_PATTERN.match(profile_id or ""):
        raise ProfilePathError(f"ugyldig profil-id {profile_id!r}")
    folder = (root / "profiles").resolve()
    path = (folder / f"{profile_id}.toml").resolve()
    if path.parent != folder or not path.is_file():
        raise ProfilePathError(f"profilen {profile_id!r} finnes ikke i profiles/")
    return path


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def number_or_text(value: str) -> float | str:
    """A form number, Norwegian decimal comma accepted; anything else kept as text so the validator names it."""
    cleaned = value.strip().replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return value.strip()


def split_terms(value: str) -> tuple[str, ...]:
    """Terms separated by commas or new lines; blanks dropped."""
    parts = [p.strip() for line in value.splitlines() for p in line.split(",")]
    return tuple(p for p in parts if p)


def edit_from_form(form: Mapping[str, str]) -> ProfileEdit:
    """The form's fields (keywords-N-terms / keywords-N-weight rows) as a ProfileEdit."""
    rows = []
    for i in range(MAX_GROUPS):
        terms = split_terms(form.get(f"keywords-{i}-terms", ""))
        weight = form.get(f"keywords-{i}-weight", "").strip()
        if terms:
            rows.append(KeywordRow(terms, number_or_text(weight) if weight else 1.0))
    return ProfileEdit(
        description=form.get("description", "").replace("\r\n", "\n").strip(),
        keywords=tuple(rows),
        exclude=split_terms(form.get("exclude", "")),
        min_score=number_or_text(form.get("min_score", "")),
    )


def apply_edit(text: str, edit: ProfileEdit) -> str:
    """The file's text with the edit applied; untouched keys, comments and order stay as they were."""
    doc = tomlkit.parse(text)
    # Unchanged values are not reassigned, so their own layout (multi-line strings, wrapped arrays) stays.
    description = edit.description
    if description != str(doc.get("description", "")).strip():
        doc["description"] = tomlkit.string(description, multiline="\n" in description) if description else ""
    _set_keywords(doc, edit.keywords)
    if list(edit.exclude) != list(doc.get("exclude", [])):
        doc["exclude"] = _array(edit.exclude)
    if edit.min_score != doc.get("min_score"):
        doc["min_score"] = edit.min_score
    return tomlkit.dumps(doc)


def _array(items: Sequence[str]) -> Any:
    array = tomlkit.array()
    array.extend(items)
    if len(items) > 4:
        array.multiline(True)
    return array


def _set_keywords(doc: Any, rows: Sequence[KeywordRow]) -> None:
    """Update existing [[keywords]] tables in place (keeps their comments), then drop or append the rest."""
    existing = doc.get("keywords")
    if not isinstance(existing, AoT):
        existing = tomlkit.aot()
        doc["keywords"] = existing
    tables: list[Table] = list(existing.body)
    for i, row in enumerate(rows):
        table = tables[i] if i < len(tables) else None
        if table is None:
            table = tomlkit.table()
            existing.append(table)
            table = existing.body[-1]
        if list(table.get("terms", [])) != list(row.terms):
            table["terms"] = _array(row.terms)
        if row.weight != table.get("weight", 1.0):
            table["weight"] = row.weight
    for _ in range(len(tables) - len(rows)):
        del existing.body[len(rows)]


def field_for(problem: Problem) -> str:
    """The form field a validator problem belongs next to."""
    key = problem.key
    if key.startswith("keywords["):
        index = key[len("keywords[") : key.index("]")]
        return f"keywords-{index}-{'weight' if key.endswith('weight') else 'terms'}"
    return key.split(".")[0] or "form"


def check_text(text: str, profile_id: str, display: str) -> EditResult:
    """Validate an edited profile text with the same code `eumonitor check` uses."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return EditResult(None, {"form": f"ugyldig TOML: {exc}"}, text)
    profile, problems = profile_from_table(data, text, profile_id, display)
    errors: dict[str, str] = {}
    for problem in problems:
        name = field_for(problem)
        errors[name] = f"{errors[name]} {problem.message}" if name in errors else problem.message
    return EditResult(profile if not problems else None, errors, text)


def preview_edit(root: Path, profile_id: str, edit: ProfileEdit) -> EditResult:
    """The profile as it would be after the edit, without writing anything."""
    path = profile_path(root, profile_id)
    new_text = apply_edit(path.read_text(encoding="utf-8"), edit)
    return check_text(new_text, profile_id, f"profiles/{path.name}")


def save_edit(root: Path, profile_id: str, edit: ProfileEdit, base_hash: str = "") -> EditResult:
    """Validate, then atomically replace the file; an invalid edit or a stale form writes nothing."""
    path = profile_path(root, profile_id)
    old_text = path.read_text(encoding="utf-8")
    if base_hash and base_hash != text_hash(old_text):
        message = "Profilen er endret av noen andre siden du åpnet den. Last siden på nytt og gjør endringen igjen."
        return EditResult(None, {"form": message}, old_text)
    result = check_text(apply_edit(old_text, edit), profile_id, f"profiles/{path.name}")
    if result.profile is None:
        return result
    atomic_write(path, result.text)
    return EditResult(result.profile, {}, result.text, saved=True)
