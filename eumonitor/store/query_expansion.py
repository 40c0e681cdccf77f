"""Norwegian search words widened with English terms from a glossary (pure: no database, no files)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# Inflection endings tried when a word is not in the glossary as written, longest first:
# "klimatilpasningen" -> "klimatilpasning", "havet" -> "hav", "skolene" -> "skole", "beredskapens" -> "beredskap".
ENDINGS = ("ene", "ane", "ens", "ets", "ers", "er", "en", "et", "ar", "a", "e", "n", "r", "s")
MIN_STEM = 4  # shorter stems match English words: "have" would become "hav" (ocean)
# A compound starting with a glossary word ("folkehelsearbeid", "klimatilpasningstiltak") takes that word's
# terms, but only for glossary words this long: "havn" (port) must not make "havnæringer" a port.
MIN_COMPOUND_HEAD = 5
MAX_PHRASE_WORDS = 3  # the longest Norwegian phrase looked up as one ("kritisk infrastruktur")
MAX_ADDED_PER_WORD = 8  # a word's English terms, glossary first, then its theme's


@dataclass(frozen=True)
class Glossary:
    """Norwegian words and phrases (lowercase) -> the English terms a search adds for them."""

    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()  # Norwegian filler words ("og", "på") dropped from an all-words search


@dataclass(frozen=True)
class WordGroup:
    """One or more of the user's words (a Norwegian phrase is one group) and the English terms ORed with them."""

    words: tuple[str, ...]
    added: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expansion:
    """The user's text as groups: every group must match (or, as a fallback, any one group)."""

    groups: tuple[WordGroup, ...] = ()

    @property
    def added(self) -> tuple[str, ...]:
        """Every English term added, in order, each once."""
        return tuple(dict.fromkeys(t for g in self.groups for t in g.added))


def words_of(text: str) -> list[str]:
    """The words of a text as the search sees them: lowercase runs of letters and digits."""
    return re.findall(r"\w+", text.lower())


def lookup(word: str, glossary: Glossary) -> tuple[str, ...]:
    """The English terms for one lowercase word or phrase: as written, then inflected, then as a compound's head."""
    terms = glossary.terms
    if word in terms:
        return terms[word]
    for stem in _stems(word):
        if stem in terms:
            return terms[stem]
    if " " in word:
        return ()
    heads = [k for k in terms if len(k) >= MIN_COMPOUND_HEAD and " " not in k and word.startswith(k) and k != word]
    return terms[max(heads, key=len)] if heads else ()


def _stems(word: str) -> list[str]:
    """The word with one inflection ending off (and with -e put back: "helsa" -> "helse"), longest ending first."""
    found: list[str] = []
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            stem = word[: -len(ending)]
            found += [stem, stem + "e"]
    return found


def expand(text: str, glossary: Glossary) -> Expansion:
    """The user's words grouped, each group with the English terms the glossary pairs with it."""
    words = words_of(text)
    kept = [w for w in words if w not in glossary.ignore] or words  # "og" alone is still a search
    groups: list[WordGroup] = []
    i = 0
    while i < len(kept):
        group = _longest_phrase(kept, i, glossary)
        groups.append(group)
        i += len(group.words)
    return Expansion(tuple(groups))


def _longest_phrase(words: list[str], start: int, glossary: Glossary) -> WordGroup:
    """The longest run of words from `start` that the glossary knows as one phrase; else the single word."""
    for size in range(min(MAX_PHRASE_WORDS, len(words) - start), 0, -1):
        chunk = tuple(words[start : start + size])
        terms = lookup(" ".join(chunk), glossary)
        if terms:
            return WordGroup(chunk, tuple(t for t in terms if t != " ".join(chunk))[:MAX_ADDED_PER_WORD])
    return WordGroup((words[start],))
