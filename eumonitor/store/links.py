"""The call_links table: the groups of one call seen on several sources, with one primary each."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from eumonitor.model import utc_stamp
from eumonitor.store.linking import Candidate, find_pairs, groups


class LinksMixin:
    """Store methods for cross-source duplicate links."""

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
        """Recompute every link from the archive as it is; returns the number of groups. Own transaction.

        The primary is the copy from the most authoritative source: sources named as secondary (aggregators
        such as interreg.no, or a news feed) lose to programme sites and the EU portal; then the earliest seen.
        Search and digests show a group once, at its primary, with every member's link.
        """
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
