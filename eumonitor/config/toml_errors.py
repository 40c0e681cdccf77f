"""The TOML parser's syntax errors in Norwegian, with line and column, for the person who edits the file."""

from __future__ import annotations

import re
from dataclasses import dataclass

# tomllib's messages (Python 3.11-3.13), each as a pattern and its wording in bokmål; {0} is the quoted part.
_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"Expected newline or end of document after a statement", "forventet linjeskift etter en verdi"),
    (r"Expected '=' after a key in a key/value pair", "forventet '=' etter en nøkkel"),
    (r"Expected '\]' at the end of a table declaration", "forventet ']' på slutten av tabellnavnet"),
    (r"Expected '\]\]' at the end of an array declaration", "forventet ']]' på slutten av tabellistenavnet"),
    (r"Expected (.+)", "forventet {0}"),
    (r"Cannot declare (.+) twice", "tabellen {0} er oppgitt to ganger"),
    (r"Cannot mutate immutable namespace (.+)", "{0} kan ikke endres her (den er allerede definert som verdi)"),
    (r"Cannot overwrite a value", "nøkkelen har allerede en verdi"),
    (r"Cannot redefine namespace (.+)", "{0} er allerede definert"),
    (r"Duplicate inline table key (.+)", "nøkkelen {0} står to ganger i samme tabell"),
    (r"Escaped character is not a Unicode scalar value", "escape-sekvensen er ikke et gyldig Unicode-tegn"),
    (r"Found invalid character (.+)", "ugyldig tegn {0}"),
    (r"Illegal character '\\n'", "linjeskift midt i en tekst (mangler avsluttende anførselstegn?)"),
    (r"Illegal character (.+)", "ulovlig tegn {0}"),
    (r"Invalid date or datetime", "ugyldig dato eller tidspunkt"),
    (r"Invalid hex value", "ugyldig heksadesimal verdi"),
    (r"Invalid initial character for a key part", "ugyldig første tegn i en nøkkel"),
    (r"Invalid statement", "ugyldig linje (forventet nøkkel = verdi eller [tabell])"),
    (r"Invalid value", "ugyldig verdi (tekst skal stå i anførselstegn)"),
    (r"Unclosed array", "listen er ikke lukket med ']'"),
    (r"Unclosed inline table", "tabellen er ikke lukket med '}'"),
    (r"Unescaped '\\\\' in a string", "'\\' i tekst må skrives '\\\\'"),
    (r"Unterminated string", "teksten mangler avsluttende anførselstegn"),
)
_WHERE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


@dataclass(frozen=True)
class TomlSyntax:
    """One syntax error, worded for a person."""

    message: str
    line: int | None = None
    column: int | None = None


def explain(error: str) -> TomlSyntax:
    """The parser's English message in bokmål; an unknown message is kept as it is, so nothing is hidden."""
    where = _WHERE.search(error)
    text = error[: where.start()] if where else error
    line = int(where.group(1)) if where and where.group(1) else None
    column = int(where.group(2)) if where and where.group(2) else None
    wording = text
    for pattern, norwegian in _MESSAGES:
        found = re.fullmatch(pattern, text)
        if found:
            wording = norwegian.format(*found.groups())
            break
    if where and line is None:
        wording += " (ved slutten av filen)"
    elif column is not None:
        wording += f" (linje {line}, kolonne {column})"
    return TomlSyntax(f"ugyldig TOML: {wording}", line, column)
