"""Cross-source duplicates: one call seen on two sources is linked into a group with one primary call.

A group is found by a shared identifier (the same `call_identifier`, or an EU topic id named in another
source's text) or by a matching deadline (within a day) plus a similar title or the same programme.
The primary is the copy from the most authoritative source: sources the caller names as secondary
(aggregators such as interreg.no or a news feed) lose to programme sites and the EU portal; then the
earliest seen wins. Search and digests show a group once, at its primary, with every member's link.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from eumonitor.model import utc_stamp

MIGRATIONS = [
    (
        40,
        """
CREATE TABLE call_links (
    call_id INTEGER PRIMARY KEY REFERENCES calls(id),
    primary_id INTEGER NOT NULL REFERENCES calls(id),
    reason TEXT NOT NULL,
    linked_at TEXT NOT NULL
);
CREATE INDEX call_links_by_primary ON call_links(primary_id);
""",
    )
]

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
    """(index, index, reason) for every pair of calls from different sources that are one call."""
    pairs: list[tuple[int, int, str]] = []
    by_id: dict[str, list[int]] = defaultdict(list)
    by_call: dict[str, list[int]] = defaultdict(list)
    for i, call in enumerate(calls):
        by_id[call.external_id.lower()].append(i)
        if call.call_identifier:
            by_call[call.call_identifier.lower()].append(i)
    for i, call in enumerate(calls):
        named = {m.lower() for m in TOPIC_ID.findall(f"{call.title}\n{call.text}")} - {call.external_id.lower()}
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


class LinksMixin:
    """Store methods for cross-source duplicate links."""

    MIGRATIONS = MIGRATIONS
    conn: sqlite3.Connection

    def _candidates(self) -> list[Candidate]:
        rows = self.conn.execute(
            "SELECT id, source, external_id, title, programme, call_identifier, deadlines, "
            "substr(description_text, 1, 4000) AS text, first_seen FROM calls ORDER BY id"
        )
        return [
            Candidate(
                r["id"],
                r["source"],
                r["external_id"],
                r["title"],
                r["programme"],
                r["call_identifier"],
                tuple(date.fromisoformat(d) for d in json.loads(r["deadlines"])),
                r["text"] or "",
                r["first_seen"],
            )  # fmt: skip
            for r in rows
        ]

    def link_duplicates(self, now: datetime, secondary: Collection[str] = ()) -> int:
        """Recompute every link from the archive as it is; returns the number of groups. Own transaction."""
        if self.conn.execute("SELECT count(DISTINCT source) FROM calls").fetchone()[0] < 2:
            return 0  # links join different sources; an archive of one source has none to find
        calls = self._candidates()
        found = groups([c.source for c in calls], find_pairs(calls))
        stamp = utc_stamp(now)
        with self.transaction():
            self.conn.execute("DELETE FROM call_links")
            for members, reason in found.values():
                ranked = sorted(members, key=lambda i: (calls[i].source in secondary, calls[i].first_seen, calls[i].id))
                primary = calls[ranked[0]].id
                self.conn.executemany(
                    "INSERT INTO call_links(call_id, primary_id, reason, linked_at) VALUES (?, ?, ?, ?)",
                    [(calls[i].id, primary, "primær" if i == ranked[0] else reason, stamp) for i in ranked],
                )
        return len(found)

    def linked_calls(self, source: str, external_id: str) -> list[tuple[str, str, str]]:
        """Every (source, id, url) of the call's group, the primary first; [] when the call has no duplicates."""
        rows = self.conn.execute(
            "SELECT m.source, m.external_id, m.url FROM calls c "
            "JOIN call_links l ON l.call_id = c.id "
            "JOIN call_links g ON g.primary_id = l.primary_id JOIN calls m ON m.id = g.call_id "
            "WHERE c.source = ? AND c.external_id = ? ORDER BY m.id != l.primary_id, m.source, m.external_id",
            (source, external_id),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def primary_of(self, source: str, external_id: str) -> tuple[str, str]:
        """The (source, id) that stands for this call's group; the call itself when it has no duplicates."""
        row = self.conn.execute(
            "SELECT p.source, p.external_id FROM calls c JOIN call_links l ON l.call_id = c.id "
            "JOIN calls p ON p.id = l.primary_id WHERE c.source = ? AND c.external_id = ?",
            (source, external_id),
        ).fetchone()
        return (row[0], row[1]) if row else (source, external_id)

    def collapse_linked(self, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows (with source, external_id) in their order, one per group: the first seen of each group stays,
        and gets "links": [(source, id, url), …] of the whole group, primary first."""
        kept: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for row in rows:
            key = (row["source"], row["external_id"])
            group = self.linked_calls(*key)
            group_key = (group[0][0], group[0][1]) if group else key
            if group_key in seen:
                continue
            seen.add(group_key)
            kept.append({**row, "links": group} if group else dict(row))
        return kept
