"""Which calls on two sources are one call: the pure rule (shared id, or deadline plus similar title/programme)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# Words that say nothing about which call it is: "Third call for projects" and "Next call for projects".
STOP = frozenset(
    {
        "a", "an", "and", "the", "for", "of", "to", "in", "on", "at", "by", "with", "is", "are", "new", "open",
        "call", "calls", "utlysning", "utlysninger", "utlysing", "utlysingar", "og", "til", "i", "på", "av",
        "med", "interreg", "programme", "program", "programmet",
    }
)  # fmt: skip
# EU portal topic ids: HORIZON-CL5-2026-D3-01, ERASMUS-EDU-2026-PI-ALL-INNO …
TOPIC_ID = re.compile(r"\b[A-Z][A-Z0-9]+(?:-[A-Z0-9]+){2,}\b")
TITLE_SIMILAR = 0.5  # Jaccard of title words that alone (with the deadline) makes two calls one
TITLE_SAME_PROGRAMME = 0.2  # enough when the programme is the same too


@dataclass(frozen=True)
class Candidate:
    """What linking needs to know about one stored call."""

    id: int
    source: str
    external_id: str
    title: str
    programme: str
    call_identifier: str
    deadlines: tuple[date, ...]
    text: str
    first_seen: str


def words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"\w+", text.lower()) if w not in STOP and not w.isdigit())


def _programme(label: str) -> str:
    return " ".join(sorted(words(label)))


def _similar(a: Candidate, b: Candidate) -> str:
    """The reason two calls with a common deadline are one, or "" when they are not."""
    wa, wb = words(a.title), words(b.title)
    overlap = len(wa & wb) / len(wa | wb) if wa | wb else 0.0
    if overlap >= TITLE_SIMILAR:
        return "tittel og frist"
    same_programme = _programme(a.programme) and _programme(a.programme) == _programme(b.programme)
    if same_programme and overlap >= TITLE_SAME_PROGRAMME:
        return "program og frist"
    return ""


def find_pairs(calls: Sequence[Candidate]) -> list[tuple[int, int, str]]:
    """(index, index, reason) for every pair of calls from different sources that are one call.

    A pair shares an identifier (the same `call_identifier`, or an EU topic id named in the other's text),
    or has a deadline within a day plus a similar title or the same programme.
    """
    pairs: list[tuple[int, int, str]] = []
    by_id: dict[str, list[int]] = defaultdict(list)
    by_call: dict[str, list[int]] = defaultdict(list)
    for i, call in enumerate(calls):
        by_id[call.external_id.lower()].append(i)
        if call.call_identifier:
            by_call[call.call_identifier.lower()].append(i)
    for i, call in enumerate(calls):
        # A call number given by an aggregator (Euro-Access's "Call number") names the portal topic too.
        named = {m.lower() for m in TOPIC_ID.findall(f"{call.title}\n{call.call_identifier}\n{call.text}")}
        named -= {call.external_id.lower()}
        same = [j for ident in named for j in by_id.get(ident, [])]
        same += [j for j in by_call.get(call.call_identifier.lower(), []) if j > i] if call.call_identifier else []
        pairs += [(i, j, "felles id") for j in same if calls[j].source != call.source]
    by_day: dict[date, list[int]] = defaultdict(list)
    for i, call in enumerate(calls):
        for day in call.deadlines:
            by_day[day].append(i)
    for i, call in enumerate(calls):
        near = {j for day in call.deadlines for k in (-1, 0, 1) for j in by_day.get(day + timedelta(days=k), [])}
        for j in sorted(n for n in near if n > i and calls[n].source != call.source):
            reason = _similar(call, calls[j])
            if reason:
                pairs.append((i, j, reason))
    return pairs


def groups(names: Sequence[str], pairs: Iterable[tuple[int, int, str]]) -> dict[int, tuple[list[int], str]]:
    """Union-find over the pairs: root -> (members, first reason). `names[i]` is call i's source.

    A group holds at most one call per source: a news item naming ten EU topics must not merge the ten.
    """
    size = len(names)
    parent = list(range(size))
    reasons: dict[int, str] = {}
    sources: dict[int, set[str]] = {i: {names[i]} for i in range(size)}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, reason in pairs:
        a, b = root(i), root(j)
        if a != b and not sources[a] & sources[b]:
            parent[b] = a
            sources[a] |= sources.pop(b)
            reasons[a] = reasons.get(a) or reasons.pop(b, "") or reason
    found: dict[int, list[int]] = defaultdict(list)
    for i in range(size):
        found[root(i)].append(i)
    return {r: (m, reasons.get(r, "")) for r, m in found.items() if len(m) > 1}
