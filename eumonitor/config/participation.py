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
        _verdict(checker, f"programmes.verdict (nr. {n + 1}, {programme.name})", programme.verdict)
        if not programme.ids and not programme.labels:
            checker.add("programmes", f"«{programme.name}» trenger ids eller labels for å kunne kjennes igjen")
    for rule in rules.conditions:
        _verdict(checker, f"conditions.verdict ({rule.id})", rule.verdict)
        if rule.if_norway_named:
            _verdict(checker, f"conditions.if_norway_named ({rule.id})", rule.if_norway_named)
        if not rule.patterns:
            checker.add("conditions.patterns", f"regelen {rule.id} har ingen mønstre")
        for pattern in rule.patterns:
            _pattern(checker, "conditions.patterns", pattern)
    external = rules.external_action
    _verdict(checker, "external_action.country_verdict", external.country_verdict)
    _verdict(checker, "external_action.multi_verdict", external.multi_verdict)
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


def _verdict(checker: Checker, key: str, value: str) -> None:
    if value not in PARTICIPATION_VERDICTS:
        checker.add(key.split(" ")[0], f"{key}: ukjent svar {value!r}; tillatt: {', '.join(PARTICIPATION_VERDICTS)}")


def _pattern(checker: Checker, key: str, pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        checker.add(key, f"ugyldig regulært uttrykk {pattern!r}: {exc}")
        return None


def _lowered(rules: ParticipationRules, shown: str) -> ParticipationRules:
    """Labels compared in lower case, ids in upper case, and the file named, once here rather than per call."""
    from dataclasses import replace

    programmes = tuple(
        replace(p, labels=tuple(x.lower() for x in p.labels), ids=tuple(x.upper() for x in p.ids))
        for p in rules.programmes
    )
    return replace(rules, programmes=programmes, path=shown)
