"""Who may apply: "may Norway take part?" and "may a municipality apply?" judged from a call's collected words."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words in an eligible-countries list that take Norway in. Norway is in the EEA and EFTA and associated to
# most EU programmes (Horizon Europe, Erasmus+, Digital Europe, EU4Health, CERV, Creative Europe, LIFE).
NORWAY = re.compile(
    r"\bnorway\b|\bnorge\b|\bnoreg\b|^no$|\ball (eligible )?countries\b|\bany country\b|\bworldwide\b|\beea\b"
    r"|\beuropean economic area\b|\befta\b|\bassociated countries\b|\bcountries associated\b",
    re.IGNORECASE,
)
# Applicant types under which a Norwegian municipality (kommune) or county (fylkeskommune) applies.
MUNICIPAL = re.compile(
    r"\blocal (public )?authorit|\bregional (public )?authorit|\bmunicipal|\bpublic bod|\bpublic authorit"
    r"|\bpublic administration|\bpublic sector bod|\bpublic entit|\blocal government|\bkommune"
    r"|\bany (legal )?entit|\ball (legal )?entities",
    re.IGNORECASE,
)


def _known(values: Iterable[str]) -> list[str]:
    return [v.strip() for v in values if v and v.strip()]


def norway_eligible(countries: Iterable[str]) -> bool | None:
    """True when Norway is named or covered ("all countries", the EEA, associated countries); False when the
    source lists countries without Norway; None when it lists none (unknown, never a "no")."""
    named = _known(countries)
    if not named:
        return None
    return any(NORWAY.search(country) for country in named)


def municipalities_eligible(applicant_types: Iterable[str]) -> bool | None:
    """True when an applicant type takes in a municipality ("Local public authority", "Public bodies"); False
    when the source lists types without one; None when it lists none."""
    named = _known(applicant_types)
    if not named:
        return None
    return any(MUNICIPAL.search(kind) for kind in named)


def split_list(text: str) -> tuple[str, ...]:
    """ "EU Member States, Overseas Countries (OCT)\\nNorway (Norge), Iceland" as its items, commas inside
    brackets kept ("Bosnia and Herzegovina (Bosna i Hercegovina / Босна и Херцеговина)")."""
    items: list[str] = []
    depth, current = 0, []
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        if (char in ",;\n" and depth == 0) or char == "\n":
            items.append("".join(current))
            current = []
            depth = 0
            continue
        current.append(char)
    items.append("".join(current))
    return tuple(dict.fromkeys(" ".join(i.split()) for i in items if i.strip()))
