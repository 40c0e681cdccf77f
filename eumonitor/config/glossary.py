"""Load the search's Norwegian-English glossary strictly, and add the pairings the theme profiles make."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from eumonitor.config.checker import Problem, read_toml
from eumonitor.model import Profile
from eumonitor.store.query_expansion import MAX_ADDED_PER_WORD, MAX_PHRASE_WORDS, Glossary, words_of

GLOSSARY_PATH = Path(__file__).resolve().parents[1] / "data" / "glossary_nb_en.toml"
KEY = re.compile(r"^[a-zæøåäöüé]+(?:[ -][a-zæøåäöüé]+)*$")
TERM = re.compile(r"^[a-z0-9]+(?:[ '-][a-z0-9]+)*$")
MAX_TERM_WORDS = 6
PROFILE_TERMS = 3  # a theme adds its first few English terms of its highest weight, no more


def load_glossary(path: Path = GLOSSARY_PATH) -> tuple[Glossary | None, list[Problem]]:
    """The glossary file as a Glossary, or every problem in it, each with its line."""
    data, text, problems = read_toml(path, path.parent)
    shown = str(path)
    if problems:
        return None, [Problem(shown, p.key, p.message, p.line) for p in problems]
    problems = []
    ignore = _ignore_words(data.pop("ignore", {"words": []}), text, shown, problems)
    terms: dict[str, tuple[str, ...]] = {}
    for section, table in data.items():
        if not isinstance(table, dict):
            problems.append(Problem(shown, section, "skal være en tabell [tema] med ord = [...]", _line(text, section)))
            continue
        for key, value in table.items():
            word, english, message = _entry(key, value, ignore)
            if message:
                problems.append(Problem(shown, f"{section}.{key}", message, _line(text, section, key)))
            else:  # a word under two themes gets both themes' terms
                terms[word] = tuple(dict.fromkeys((*terms.get(word, ()), *english)))
    if problems:
        return None, problems
    return Glossary(terms, frozenset(ignore)), []


def _entry(key: str, value: object, ignore: set[str]) -> tuple[str, tuple[str, ...], str]:
    """One `ord = ["term", ...]` line: the normalised word, its terms, or what is wrong with it."""
    if not KEY.match(key):
        return "", (), "ordet skal skrives med små bokstaver, uten tall eller tegn (bindestrek og mellomrom går)"
    word = " ".join(w for w in words_of(key) if w not in ignore)
    if len(word) < 3 or len(word.split()) > MAX_PHRASE_WORDS:
        return "", (), f"ordet skal ha minst tre bokstaver og høyst {MAX_PHRASE_WORDS} ord (utenom småordene)"
    if not isinstance(value, list) or not value:
        return "", (), 'skal være en liste med minst ett engelsk uttrykk, f.eks. ["climate adaptation"]'
    for term in value:
        if not isinstance(term, str) or not TERM.match(term.strip().lower()):
            return "", (), f"{term!r} er ikke et engelsk ord eller uttrykk (bokstaver, tall, mellomrom, - og ')"
        if len(term.split()) > MAX_TERM_WORDS:
            return "", (), f"{term!r} er for langt; bruk høyst {MAX_TERM_WORDS} ord"
    return word, tuple(t.strip().lower() for t in value), ""


def _ignore_words(table: object, text: str, shown: str, problems: list[Problem]) -> set[str]:
    words = table.get("words") if isinstance(table, dict) else None
    if not isinstance(table, dict) or set(table) != {"words"} or not isinstance(words, list):
        problems.append(Problem(shown, "ignore", "skal være en tabell med bare words = [...]", _line(text, "ignore")))
        return set()
    if not all(isinstance(w, str) and w == w.strip().lower() and w.isalpha() for w in words):
        problems.append(Problem(shown, "ignore.words", "skal være en liste med småord", _line(text, "ignore", "words")))
        return set()
    return set(words)


def _line(text: str, section: str, key: str = "") -> int | None:
    """The line of `[section]`, or of `key = ...` below it (tomllib keeps no positions)."""
    header = re.search(rf"^\s*\[\s*\"?{re.escape(section)}\"?\s*\]", text, re.MULTILINE)
    if header is None:
        return None
    start = header.start()
    if key:
        found = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", re.MULTILINE).search(text, header.end())
        start = found.start() if found else start
    return text.count("\n", 0, start) + 1


def with_profiles(glossary: Glossary, profiles: Mapping[str, Profile]) -> Glossary:
    """The glossary plus, for the word a profile's title starts with when the profile also has it as a keyword
    ("klima" in "Klima, miljø og energi"), that profile's first English terms of its highest weight."""
    terms = dict(glossary.terms)
    for profile in profiles.values():
        for word in label_words(profile, glossary):
            added = (*terms.get(word, ()), *english_terms(profile, glossary)[:PROFILE_TERMS])
            terms[word] = tuple(dict.fromkeys(added))[:MAX_ADDED_PER_WORD]
    return Glossary(terms, glossary.ignore)


def label_words(profile: Profile, glossary: Glossary) -> list[str]:
    """The Norwegian word a theme names itself by: its title's first word, if the theme lists it as a keyword.

    Only the first: "energi" in "Klima, miljø og energi" is no word for the climate terms, nor "sektor" in
    "Digitalisering og innovasjon i offentlig sektor" for the public sector's.
    """
    keywords = {k.term.lower() for k in profile.keywords}
    first = words_of(profile.title)[:1]
    return [w for w in first if w in keywords and w not in glossary.ignore]


def english_terms(profile: Profile, glossary: Glossary) -> list[str]:
    """The profile's terms of its highest weight that are not Norwegian (no æøå, not a glossary word)."""
    top = max((k.weight for k in profile.keywords), default=0.0)
    found = [k.term.lower() for k in profile.keywords if k.weight == top]
    return [t for t in found if not re.search("[æøå]", t) and " ".join(words_of(t)) not in glossary.terms]
