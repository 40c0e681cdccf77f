"""The follows tables: who follows which call, which reminders went out, which changes followers have heard of."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from eumonitor.model import utc_stamp


class FollowsMixin:
    """Store methods for following calls."""

    conn: sqlite3.Connection

    def follow(self, email: str, call_id: int, now: datetime) -> bool:
        """Follow a call; True when newly followed. Changes made before following are not news to the follower."""
        with self.transaction() as conn:
            seen = conn.execute("SELECT coalesce(max(id), 0) FROM call_changes WHERE call_id = ?", (call_id,))
            cursor = conn.execute(
                "INSERT OR IGNORE INTO follows(email, call_id, since, seen_change) VALUES (?, ?, ?, ?)",
                (email.strip().lower(), call_id, utc_stamp(now), int(seen.fetchone()[0])),
            )
            return cursor.rowcount > 0

    def unfollow(self, email: str, call_id: int) -> bool:
        cursor = self.conn.execute(
            "DELETE FROM follows WHERE email = ? AND call_id = ?", (email.strip().lower(), call_id)
        )
        return cursor.rowcount > 0

    def is_following(self, email: str, call_id: int) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM follows WHERE email = ? AND call_id = ?", (email.strip().lower(), call_id)
        ).fetchone()
        return row is not None

    def followers(self, call_id: int) -> list[str]:
        rows = self.conn.execute("SELECT email FROM follows WHERE call_id = ? ORDER BY email", (call_id,))
        return [r[0] for r in rows]

    def follows(self, email: str | None = None) -> list[dict[str, Any]]:
        """Every follow (or one person's) with the call's key, title and deadlines."""
        sql = (
            "SELECT f.email, f.call_id, f.since, f.seen_change, c.source, c.external_id, c.title, c.deadlines "
            "FROM follows f JOIN calls c ON c.id = f.call_id"
        )
        args: tuple[str, ...] = ()
        if email:
            sql, args = sql + " WHERE f.email = ?", (email.strip().lower(),)
        rows = self.conn.execute(sql + " ORDER BY f.email, c.id", args)
        return [{**dict(r), "deadlines": json.loads(r["deadlines"])} for r in rows]

    def reminders_sent(self, email: str, call_id: int, deadline: str) -> set[int]:
        rows = self.conn.execute(
            "SELECT lead_days FROM follow_reminders WHERE email = ? AND call_id = ? AND deadline = ?",
            (email, call_id, deadline),
        )
        return {int(r[0]) for r in rows}

    def record_reminders(
        self, email: str, call_id: int, deadline: str, leads: Iterable[int], mailed: int | None, now: datetime
    ) -> None:
        """The lead times settled for one deadline; only `mailed` was a mail, the others were covered by it."""
        self.conn.executemany(
            "INSERT OR IGNORE INTO follow_reminders(email, call_id, deadline, lead_days, at, mailed) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(email, call_id, deadline, lead, utc_stamp(now), int(lead == mailed)) for lead in leads],
        )

    def unseen_changes(self, email: str, call_id: int, seen: int, kinds: Sequence[str]) -> list[dict[str, Any]]:
        """Changes of the call after the follower's last one heard of, of the given kinds (with their ids)."""
        rows = self.conn.execute(
            f"SELECT id, at, kind, old, new FROM call_changes WHERE call_id = ? AND id > ? "
            f"AND kind IN ({', '.join('?' * len(kinds))}) ORDER BY id",
            (call_id, seen, *kinds),
        )
        return [{**dict(r), "old": _decode(r["old"]), "new": _decode(r["new"])} for r in rows]

    def mark_seen(self, email: str, call_id: int, change_id: int) -> None:
        self.conn.execute(
            "UPDATE follows SET seen_change = max(seen_change, ?) WHERE email = ? AND call_id = ?",
            (change_id, email, call_id),
        )


def _decode(value: str | None) -> Any:
    return None if value is None else json.loads(value)
