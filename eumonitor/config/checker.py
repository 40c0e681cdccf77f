"""Reading TOML and strict, dataclass-driven checking of its tables: every problem named with file, line and key."""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eumonitor.config.toml_errors import explain
from eumonitor.model import EumonitorError


@dataclass(frozen=True)
class Problem:
    """One configuration problem, phrased for the person who edits the file."""

    file: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" [{self.key}]" if self.key else ""
        return f"{where}{key}: {self.message}"


class ConfigError(EumonitorError):
    """Raised with every problem found, so a person can fix them all in one go."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class NoConfigError(ConfigError):
    """The root holds no config.toml: most likely the command ran in the wrong folder."""

    def __init__(self, root: Path):
        self.root = root
        message = "mappen finnes ikke" if not root.is_dir() else "fant ingen config.toml her"
        super().__init__([Problem(str(root), "", message)])


def find_line(text: str, key: str) -> int | None:
    """Best-effort line of `key = ...` in a TOML text (tomllib keeps no positions)."""
    leaf = key.rsplit(".", 1)[-1]
    pattern = re.compile(rf"^\s*[\"']?{re.escape(leaf)}[\"']?\s*=", re.MULTILINE)
    match = pattern.search(text)
    if match is None:
        header = re.compile(rf"^\s*\[+\s*{re.escape(key)}\s*\]+", re.MULTILINE).search(text)
        match = header
    return text.count("\n", 0, match.start()) + 1 if match else None


class Checker:
    """Collects problems for one file while tables are turned into dataclasses."""

    def __init__(self, path: Path | str, text: str = "", display: str | None = None):
        self.file = display or str(path)
        self.text = text
        self.problems: list[Problem] = []

    def add(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, key, message, find_line(self.text, key) if key else None))

    def build(self, cls: type, table: Any, prefix: str = "") -> Any:
        """Turn `table` into an instance of dataclass `cls`; unknown keys and bad types are problems."""
        if not isinstance(table, dict):
            self.add(prefix, f"skal være en tabell, fikk {_describe(table)}")
            return cls()
        hints = typing.get_type_hints(cls)
        # A field may carry metadata {"toml": "from"} where the TOML key is a Python keyword.
        fields = {
            f.metadata.get("toml", f.name): f for f in dataclasses.fields(cls) if f.init and not f.name.startswith("_")
        }
        values: dict[str, Any] = {}
        invalid = False
        for key, value in table.items():
            dotted = f"{prefix}.{key}" if prefix else key
            if key not in fields:
                allowed = ", ".join(sorted(fields)) or "(ingen)"
                self.add(dotted, f"ukjent nøkkel '{key}'; tillatt her: {allowed}")
                continue
            converted = self.convert(hints[fields[key].name], value, dotted)
            if converted is _INVALID:
                invalid = True
            else:
                values[fields[key].name] = converted
        missing = [
            key
            for key, f in fields.items()
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING and key not in table
        ]
        for key in missing:
            self.add(f"{prefix}.{key}" if prefix else key, "mangler (påkrevd)")
        if missing or invalid:
            return _partial(cls, values)
        try:
            return cls(**values)
        except (TypeError, ValueError) as exc:
            self.add(prefix, str(exc))
            return _partial(cls, values)

    def convert(self, hint: Any, value: Any, key: str) -> Any:
        """Check one value against a type hint; return the converted value or _INVALID."""
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            if value is None and type(None) in args:
                return None
            inner = [a for a in args if a is not type(None)]
            return self.convert(inner[0], value, key) if len(inner) == 1 else value
        if origin is tuple:
            if not isinstance(value, list):
                self.add(key, f"skal være en liste, fikk {_describe(value)}")
                return _INVALID
            item_hint = args[0] if args else Any
            items = [self.convert(item_hint, item, key) for item in value]
            return _INVALID if any(i is _INVALID for i in items) else tuple(items)
        if dataclasses.is_dataclass(hint):
            return self.build(hint, value, key)
        return self._scalar(hint, value, key)

    def _scalar(self, hint: Any, value: Any, key: str) -> Any:
        if hint is Any:
            return value
        if hint is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if hint is int and isinstance(value, bool):
            self.add(key, f"skal være et heltall, fikk {_describe(value)}")
            return _INVALID
        if isinstance(hint, type) and not isinstance(value, hint):
            self.add(key, f"skal være {_TYPE_NAMES.get(hint, hint.__name__)}, fikk {_describe(value)}")
            return _INVALID
        return value


_INVALID = object()

_TYPE_NAMES = {str: "tekst", int: "et heltall", float: "et tall", bool: "true eller false"}


def _describe(value: Any) -> str:
    names = {str: "tekst", int: "heltall", float: "tall", bool: "sannhetsverdi", list: "liste", dict: "tabell"}
    return f"{names.get(type(value), type(value).__name__)} {value!r}"[:80]


def _partial(cls: type, values: dict[str, Any]) -> Any:
    """Build with defaults filled in where possible, so checking can continue past one error."""
    try:
        return cls(**values)
    except (TypeError, ValueError):  # the same check that failed in build(); already reported
        return None


def read_toml(path: Path, root: Path) -> tuple[dict[str, Any], str, list[Problem]]:
    """Parse one TOML file; a syntax error becomes a Problem with its line."""
    shown = display(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, "", [Problem(shown, "", f"kan ikke leses: {exc}")]
    try:
        return tomllib.loads(text), text, []
    except tomllib.TOMLDecodeError as exc:
        syntax = explain(str(exc))
        return {}, text, [Problem(shown, "", syntax.message, syntax.line)]
    except RecursionError:  # the parser recurses per nesting level; a hostile file must not crash the check
        return {}, text, [Problem(shown, "", "ugyldig TOML: lister eller tabeller er nestet for dypt")]


def load_folder(
    folder: Path, loader: Callable[[Path], tuple[Any, list[Problem]]]
) -> tuple[dict[str, Any], list[Problem]]:
    """Every *.toml in one folder, in name order; all problems collected."""
    items: dict[str, Any] = {}
    problems: list[Problem] = []
    if not folder.is_dir():
        return items, problems
    for path in sorted(folder.glob("*.toml")):
        item, found = loader(path)
        problems.extend(found)
        if item is not None:
            items[path.stem] = item
    return items, problems


def display(path: Path, root: Path) -> str:
    """A path as the person editing the root sees it: relative to the root where it can be."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
