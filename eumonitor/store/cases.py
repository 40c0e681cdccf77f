"""The cases tables: a call's status, owner and amounts, its notes and partners, and the audit row of every change."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from eumonitor.model import utc_stamp

CASE_FIELDS = ("status", "reason", "assignee", "amount_applied", "amount_won")
EMPTY_CASE = {"status": "til-vurdering", "reason": "", "assignee": "", "amount_applied": None, "amount_won": None}
# The overview's and `cases --json`'s columns, read with the call's own facts.
LIST_SQL = """
SELECT c.id AS call_id, c.source, c.external_id, c.title, c.programme, c.status AS call_status, c.deadlines,
       k.status, k.reason, k.assignee, k.amount_applied, k.amount_won, k.changed_at, k.sent_at, k.decided_at
FROM cases k JOIN calls c ON c.id = k.call_id
"""


class CasesMixin:
    """Store methods for cases. A case is made on its first change; until then a call has none."""

    conn: sqlite3.Connection

    def call_id(self, source: str, external_id: str) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM calls WHERE source = ? AND external_id = ?", (source, external_id)
        ).fetchone()
        return int(row[0]) if row else None

    def get_case(self, call_id: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM cases WHERE call_id = ?", (call_id,)).fetchone()
        return dict(row) if row else None

    def cases_assigned_to(self, email: str) -> list[str]:
        """The external ids of the calls whose case names this person as responsible."""
        rows = self.conn.execute(
            "SELECT c.external_id FROM cases k JOIN calls c ON c.id = k.call_id WHERE lower(k.assignee) = lower(?) "
            "ORDER BY c.external_id",
            (email,),
        )
        return [r[0] for r in rows]

    def change_case(
        self,
        call_id: int,
        who: str,
        now: datetime,
        changes: Mapping[str, Any],
        guard: Callable[[dict[str, Any]], None] | None = None,
    ) -> list[tuple[str, Any, Any]]:
        """Apply changes to a case (made if missing) with one audit row per changed field, all or nothing.

        `guard` sees the case as it is inside the write transaction and may raise to refuse: two people
        moving one case at once cannot both pass a check made on a stale read. Returns (field, old, new).
        """
        stamp = utc_stamp(now)
        with self.transaction() as conn:
            row = conn.execute("SELECT * FROM cases WHERE call_id = ?", (call_id,)).fetchone()
            current = dict(row) if row else {**EMPTY_CASE, "call_id": call_id}
            if guard:
                guard(current)
            done = [(f, current[f], v) for f, v in changes.items() if f in CASE_FIELDS and current[f] != v]
            if not done:
                return []  # nothing changes: no case is made for it, and no audit row written
            if row is None:
                _ensure_case(conn, call_id, who, stamp)
            for field, old, new in done:
                conn.execute(f"UPDATE cases SET {field} = ?, changed_at = ? WHERE call_id = ?", (new, stamp, call_id))
                _audit(conn, call_id, who, stamp, field, old, new)
            moved_to = next((new for field, _old, new in done if field == "status"), None)
            # The date of the move itself: an application sent again after a step back counts when it went.
            if moved_to == "sendt":
                conn.execute("UPDATE cases SET sent_at = ? WHERE call_id = ?", (stamp, call_id))
            if moved_to in ("innvilget", "avslatt"):
                conn.execute("UPDATE cases SET decided_at = ? WHERE call_id = ?", (stamp, call_id))
            return done

    def add_note(self, call_id: int, author: str, now: datetime, text: str) -> int:
        """A note is only ever added: never edited, never overwritten."""
        stamp = utc_stamp(now)
        with self.transaction() as conn:
            _ensure_case(conn, call_id, author, stamp)
            cursor = conn.execute(
                "INSERT INTO case_notes(call_id, author, at, text) VALUES (?, ?, ?, ?)", (call_id, author, stamp, text)
            )
            _audit(conn, call_id, author, stamp, "note", None, text)
            return int(cursor.lastrowid or 0)

    def add_partner(self, call_id: int, who: str, now: datetime, organisation: str, role: str) -> str | None:
        """Add a local partner, or change a known one's role; the role it had before (None when new)."""
        stamp = utc_stamp(now)
        with self.transaction() as conn:
            _ensure_case(conn, call_id, who, stamp)
            row = conn.execute(
                "SELECT id, role FROM case_partners WHERE call_id = ? AND organisation = ? COLLATE NOCASE",
                (call_id, organisation),
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO case_partners(call_id, organisation, role, added_by, at) VALUES (?, ?, ?, ?, ?)",
                    (call_id, organisation, role, who, stamp),
                )
            elif row["role"] != role:
                conn.execute("UPDATE case_partners SET role = ? WHERE id = ?", (role, row["id"]))
            else:
                return role
            _audit(
                conn,
                call_id,
                who,
                stamp,
                "partner",
                f"{organisation}: {row['role']}" if row else None,
                f"{organisation}: {role}",
            )
            return row["role"] if row else None

    def remove_partner(self, call_id: int, who: str, now: datetime, organisation: str) -> str | None:
        """Take a partner off a case (a typing slip, a partner that left); the role it had, None if unknown."""
        stamp = utc_stamp(now)
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT id, organisation, role FROM case_partners "
                "WHERE call_id = ? AND organisation = ? COLLATE NOCASE",
                (call_id, organisation),
            ).fetchone()
            if row is None:
                return None
            conn.execute("DELETE FROM case_partners WHERE id = ?", (row["id"],))
            _audit(conn, call_id, who, stamp, "partner", f"{row['organisation']}: {row['role']}", None)
            return str(row["role"])

    def case_notes(self, call_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT author, at, text FROM case_notes WHERE call_id = ? ORDER BY id", (call_id,))
        return [dict(r) for r in rows]

    def case_partners(self, call_id: int | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT call_id, organisation, role, added_by, at FROM case_partners", ()
        if call_id is not None:
            sql, args = sql + " WHERE call_id = ?", (call_id,)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY id", args)]

    def case_audit(self, call_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT who, at, field, old, new FROM case_audit WHERE call_id = ? ORDER BY id", (call_id,)
        )
        return [dict(r) for r in rows]

    def list_cases(self) -> list[dict[str, Any]]:
        """Every case with its call's key, title, programme and deadlines, most recently changed first."""
        return [dict(r) for r in self.conn.execute(LIST_SQL + " ORDER BY k.changed_at DESC, c.id")]


def _ensure_case(conn: sqlite3.Connection, call_id: int, who: str, stamp: str) -> None:
    added = conn.execute(
        "INSERT OR IGNORE INTO cases(call_id, created_at, changed_at) VALUES (?, ?, ?)", (call_id, stamp, stamp)
    )
    if added.rowcount:
        _audit(conn, call_id, who, stamp, "case", None, "opprettet")
    else:
        conn.execute("UPDATE cases SET changed_at = ? WHERE call_id = ?", (stamp, call_id))


def _audit(conn: sqlite3.Connection, call_id: int, who: str, stamp: str, field: str, old: Any, new: Any) -> None:
    conn.execute(
        "INSERT INTO case_audit(call_id, who, at, field, old, new) VALUES (?, ?, ?, ?, ?, ?)",
        (call_id, who, stamp, field, None if old is None else str(old), None if new is None else str(new)),
    )
