"""Load and strictly check the "Kan vi delta?" rules: participation.toml in the root, else the packaged default."""

from __future__ import annotations

import re
from pathlib import Path

from eumonitor.config.checker import Checker, Problem, display, read_toml
from eumonitor.model import PARTICIPATION_VERDICTS, ParticipationRules

FILE_NAME = "participation.toml"
DEFAULT = Path(__file__).resolve().parents[1] / "data" / FILE_NAME


def rules_path(root: Path) -> Path:
    """The root's own rules when staff have copied and edited them; the packaged rules otherwise."""
    own = root / FILE_NAME
    return own if own.exists() else DEFAULT


def load_participation(root: Path) -> tuple[ParticipationRules | None, list[Problem]]:
    """The rules, or every problem in them (named with file, line and key)."""
    path = rules_path(root)
    data, text, problems = read_toml(path, root)
    if problems:
        return None, problems
    # The packaged file is named as it is in the repository, not by where this installation keeps it.
    shown = display(path, root) if path != DEFAULT else "eumonitor/data/participation.toml"
    checker = Checker(shown, text, shown)
    rules = checker.build(ParticipationRules, data)
    if rules is None:
        return None, checker.problems
    _check(checker, rules)
    if checker.problems:
        return None, checker.problems
    return _lowered(rules, shown), []


def _check(checker: Checker, rules: ParticipationRules) -> None:
    """Values the types cannot say: known verdicts, regular expressions that compile, country codes."""
    for n, programme in enumerate(rules.programmes):
        start = _table_line(checker.text, "programmes", n)
        where = f"programmet «{programme.name}»"
        _verdict(checker, "programmes.verdict", programme.verdict, where, start)
        if not programme.ids and not programme.labels:
            _add(checker, "programmes", f"{where} trenger ids eller labels for å kunne kjennes igjen", start)
    for n, rule in enumerate(rules.conditions):
        start = _table_line(checker.text, "conditions", n)
        _verdict(checker, "conditions.verdict", rule.verdict, f"regelen {rule.id}", start)
        if rule.if_norway_named:
            _verdict(checker, "conditions.if_norway_named", rule.if_norway_named, f"regelen {rule.id}", start)
        if not rule.patterns:
            _add(checker, "conditions.patterns", f"regelen {rule.id} har ingen mønstre", start)
        for pattern in rule.patterns:
            _pattern(checker, "conditions.patterns", pattern)
    external = rules.external_action
    _verdict(checker, "external_action.country_verdict", external.country_verdict, "external_action")
    _verdict(checker, "external_action.multi_verdict", external.multi_verdict, "external_action")
    if external.identifier_country:
        compiled = _pattern(checker, "external_action.identifier_country", external.identifier_country)
        if compiled is not None and compiled.groups != 1:
            checker.add("external_action.identifier_country", "mønsteret skal ha nøyaktig én gruppe: landkoden")
    if not isinstance(external.countries, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in external.countries.items()
    ):
        checker.add("external_action.countries", 'skal være en tabell med landkode = "navn"')
    for pattern in (*rules.roles, rules.norway_named):
        _pattern(checker, "roles", pattern)


def _verdict(checker: Checker, key: str, value: str, where: str, start: int | None = None) -> None:
    if value not in PARTICIPATION_VERDICTS:
        allowed = ", ".join(PARTICIPATION_VERDICTS)
        line = _line_after(checker.text, start, value)
        _add(checker, key, f"{where}: ukjent verdi «{value}»; tillatt: {allowed}", line)


def _pattern(checker: Checker, key: str, pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        # re's own reason is English; where it stopped is what helps the person fixing it.
        place = f" (feil ved tegn {exc.pos + 1})" if exc.pos is not None else ""
        _add(checker, key, f"ugyldig regulært uttrykk «{pattern}»{place}", _line_of(checker.text, pattern))
        return None


def _add(checker: Checker, key: str, message: str, line: int | None) -> None:
    """A problem on the line it is on: in a list of tables every entry has the same keys, so the checker's
    first-occurrence guess would name the first entry's line."""
    checker.problems.append(Problem(checker.file, key, message, line))


def _table_line(text: str, name: str, index: int) -> int | None:
    """The line of the index-th [[name]] header."""
    headers = [m.start() for m in re.finditer(rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]", text, re.MULTILINE)]
    return text.count("\n", 0, headers[index]) + 1 if index < len(headers) else None


def _line_after(text: str, start: int | None, value: str) -> int | None:
    """The first line from `start` on that holds the value as written (a TOML string)."""
    lines = text.splitlines()
    for number in range((start or 1) - 1, len(lines)):
        if f'"{value}"' in lines[number] or f"'{value}'" in lines[number]:
            return number + 1
    return start


def _line_of(text: str, pattern: str) -> int | None:
    """The line a pattern is written on, as a literal ('…') or a basic string (\"…\", backslashes doubled)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern in line or pattern.replace("\\", "\\\\") in line:
            return number
    return None


def _lowered(rules: ParticipationRules, shown: str) -> ParticipationRules:
    """Labels compared in lower case, ids in upper case, and the file named, once here rather than per call."""
    from dataclasses import replace

    programmes = tuple(
        replace(p, labels=tuple(x.lower() for x in p.labels), ids=tuple(x.upper() for x in p.ids))
        for p in rules.programmes
    )
    return replace(rules, programmes=programmes, path=shown)
