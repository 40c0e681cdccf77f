"""click's own words (usage, help, errors, prompts) in bokmål: click marks them for gettext but ships no catalog."""

from __future__ import annotations

import gettext
from types import ModuleType

import click
from click import core, decorators, exceptions, formatting, parser, termui, types, utils

# click's message ids (8.1-8.5) and their bokmål. tests/test_cli_norsk.py checks that every id is still
# in click's source, so an upgrade that rewords one shows up as a failing test, not as English on screen.
MESSAGES: dict[str, str] = {
    "Aborted!": "Avbrutt.",
    "Missing command.": "Mangler kommando.",
    "Options": "Valg",
    "Commands": "Kommandoer",
    "Positional arguments": "Argumenter",
    "deprecated": "utgått",
    "env var: {var}": "miljøvariabel: {var}",
    "default: {default}": "standard: {default}",
    "(dynamic)": "(dynamisk)",
    "Value must be an iterable.": "Verdien må være en liste.",
    "Do you want to continue?": "Vil du fortsette?",
    "Confirm the action without prompting.": "Bekreft uten å spørre.",
    "Show the version and exit.": "Vis versjonen og avslutt.",
    "Show this message and exit.": "Vis denne hjelpen og avslutt.",
    "Missing argument": "Mangler argument",
    "Missing option": "Mangler valg",
    "Missing parameter": "Mangler parameter",
    "Missing parameter: {param_name}": "Mangler parameter: {param_name}",
    "Missing {param_type}": "Mangler {param_type}",
    "unknown error": "ukjent feil",
    "Invalid value for {param_hint}: {message}": "Ugyldig verdi for {param_hint}: {message}",
    "Invalid value: {message}": "Ugyldig verdi: {message}",
    "Could not open file {filename!r}: {message}": "Kunne ikke åpne filen {filename!r}: {message}",
    "Error: {message}": "Feil: {message}",
    "Try '{command} {option}' for help.": "Skriv «{command} {option}» for hjelp.",
    "No such option {name!r}.": "Ukjent valg {name!r}.",
    "No such command {name!r}.": "Ukjent kommando {name!r}.",
    "Usage:": "Bruk:",
    "Option {name!r} does not take a value.": "Valget {name!r} tar ingen verdi.",
    "Argument {name!r} takes {nargs} values.": "Argumentet {name!r} tar {nargs} verdier.",
    "Press any key to continue...": "Trykk en tast for å fortsette …",
    "Repeat for confirmation": "Gjenta for å bekrefte",
    "Error: The two entered values do not match.": "Feil: De to verdiene er ikke like.",
    "Error: invalid input": "Feil: ugyldig inndata",
    "file": "fil",
    "directory": "mappe",
    "path": "sti",
    "Choose from:\n\t{choices}": "Velg blant:\n\t{choices}",
    "{value} is not in the range {range}.": "{value} er utenfor området {range}.",
    "{value!r} is not a valid {number_type}.": "{value!r} er ikke et gyldig {number_type}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} er ikke en gyldig sannhetsverdi. Gyldige verdier: {states}"
    ),
    "{name} {filename!r} is a file.": "{name} {filename!r} er en fil.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} er en mappe.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} kan ikke leses.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} kan ikke skrives.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finnes ikke.",
}

# (singular id, plural id) -> (singular, plural) in bokmål.
PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Uventet ekstra argument ({args})",
        "Uventede ekstra argumenter ({args})",
    ),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Mente du {possibility}?",
        "(Mente du en av: {possibilities}?)",
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "Valget {name!r} trenger en verdi.",
        "Valget {name!r} trenger {nargs} verdier.",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} er ikke {choice}.",
        "{value!r} er ikke en av {choices}.",
    ),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."): (
        "{value!r} har ikke formatet {format}.",
        "{value!r} har ikke et av formatene {formats}.",
    ),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "Tar {nargs} verdier, men fikk 1.",
        "Tar {nargs} verdier, men fikk {len}.",
    ),
}

# What click shows for a value's type in help (`--limit INTEGER`), and the number types in its errors.
TYPE_NAMES: dict[type, str] = {
    types.StringParamType: "tekst",
    types.IntParamType: "heltall",
    types.FloatParamType: "tall",
    types.BoolParamType: "sann/usann",
    types.IntRange: "heltall",
    types.FloatRange: "tall",
    types.DateTime: "dato",
    types.UUIDParameterType: "uuid",
}

COMMAND_METAVARS = {"options_metavar": "[VALG]", "subcommand_metavar": "KOMMANDO [ARGUMENTER]..."}

_MODULES: tuple[ModuleType, ...] = (core, decorators, exceptions, formatting, parser, termui, types, utils)


def _gettext(message: str) -> str:
    return MESSAGES.get(message, gettext.gettext(message))


def _ngettext(singular: str, plural: str, n: int) -> str:
    known = PLURALS.get((singular, plural))
    if known is None:
        return gettext.ngettext(singular, plural, n)
    return known[0] if n == 1 else known[1]


def install() -> None:
    """Point click's gettext names at the bokmål catalog; idempotent."""
    for module in _MODULES:
        if hasattr(module, "_"):
            module._ = _gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]
    for cls, name in TYPE_NAMES.items():
        cls.name = name


def localise(command: click.Command, argument_names: dict[str, str]) -> None:
    """[VALG] and KOMMANDO in usage lines, and Norwegian names for arguments (click shows the Python name)."""
    command.options_metavar = COMMAND_METAVARS["options_metavar"]
    if isinstance(command, click.Group):
        command.subcommand_metavar = COMMAND_METAVARS["subcommand_metavar"]
        for sub in command.commands.values():
            localise(sub, argument_names)
    for param in command.params:
        if isinstance(param.type, click.Path):
            # click names a Path type when the option is declared, before install() could translate it
            param.type.name = _gettext(param.type.name)
        if isinstance(param, click.Argument) and param.metavar is None and param.name in argument_names:
            name = argument_names[param.name]
            name = name if param.required else f"[{name}]"
            param.metavar = name + ("..." if param.nargs != 1 else "")
