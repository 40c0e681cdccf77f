"""The web app's own records: who saved which profile when, and login attempts for throttling."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from eumonitor.model import utc_stamp


class WebLogMixin:
    """Store methods for the web app's logs."""

    conn: sqlite3.Connection

    def log_profile_save(self, profile_id: str, who: str, now: datetime, summary: str = "") -> None:
        self.conn.execute(
            "INSERT INTO profile_saves(profile_id, who, at, summary) VALUES (?, ?, ?, ?)",
            (profile_id, who, utc_stamp(now), summary),
        )

    def profile_saves(self, profile_id: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """Newest first."""
        sql, args = "SELECT profile_id, who, at, summary FROM profile_saves", []
        if profile_id:
            sql += " WHERE profile_id = ?"
            args.append(profile_id)
        rows = self.conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*args, limit])
        return [dict(r) for r in rows]

    def reserve_login(
        self,
        email: str,
        address: str,
        known: bool,
        now: datetime,
        windows: tuple[timedelta, timedelta],
        refuse: Callable[[int, int, int, bool], bool],
    ) -> int | None:
        """Count, decide and record one attempt (as failed until finish_login) in one write transaction.

        BEGIN IMMEDIATE takes the write lock before counting, so parallel attempts count one after another.
        `refuse(pair, account, address_unknown, trusted)` gets the failures within windows[0] (this e-mail
        from this address, from anywhere, unknown e-mails from this address) and whether this e-mail logged
        in from this address within windows[1]; when it refuses, nothing is recorded and None returned.
        """
        email = email.strip().lower()
        since, trusted_since = utc_stamp(now - windows[0]), utc_stamp(now - windows[1])
        with self.transaction() as conn:
            if refuse(*self._login_counts(conn, email, address, since, trusted_since)):
                return None
            cursor = conn.execute(
                "INSERT INTO login_attempts(email, address, at, ok, known) VALUES (?, ?, ?, 0, ?)",
                (email, address, utc_stamp(now), int(known)),
            )
            return int(cursor.lastrowid or 0)

    @staticmethod
    def _login_counts(
        conn: sqlite3.Connection, email: str, address: str, since: str, trusted_since: str
    ) -> tuple[int, int, int, bool]:
        row = conn.execute(
            "SELECT"
            " (SELECT count(*) FROM login_attempts WHERE email = :e AND address = :a AND ok = 0 AND at >= :s),"
            " (SELECT count(*) FROM login_attempts WHERE email = :e AND ok = 0 AND at >= :s),"
            " (SELECT count(*) FROM login_attempts WHERE address = :a AND ok = 0 AND known = 0 AND at >= :s),"
            " EXISTS (SELECT 1 FROM login_attempts WHERE email = :e AND address = :a AND ok = 1 AND at >= :t)",
            {"e": email, "a": address, "s": since, "t": trusted_since},
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2]), bool(row[3])

    def finish_login(self, attempt_id: int, ok: bool) -> None:
        self.conn.execute("UPDATE login_attempts SET ok = ? WHERE id = ?", (int(ok), attempt_id))

    def start_session(self, editor: str, now: datetime, lifetime: timedelta) -> str:
        """A new server-side session for a logged-in editor; its random id is all the cookie carries of it."""
        sid = secrets.token_urlsafe(32)
        with self.transaction() as conn:
            conn.execute("DELETE FROM web_sessions WHERE expires_at < ?", (utc_stamp(now),))  # tidy as we go
            conn.execute(
                "INSERT INTO web_sessions(id, editor, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (sid, editor, utc_stamp(now), utc_stamp(now + lifetime)),
            )
        return sid

    def session_editor(self, sid: str, now: datetime) -> str | None:
        """The editor of a live session; None once it was ended or has expired."""
        row = self.conn.execute(
            "SELECT editor FROM web_sessions WHERE id = ? AND expires_at >= ?", (sid, utc_stamp(now))
        ).fetchone()
        return row[0] if row else None

    def end_session(self, sid: str) -> None:
        self.conn.execute("DELETE FROM web_sessions WHERE id = ?", (sid,))

    def end_sessions(self, editor: str, keep: str = "") -> int:
        """End every session of `editor` but `keep`, if given: after a new password a stolen cookie stops working."""
        cursor = self.conn.execute(
            "DELETE FROM web_sessions WHERE lower(editor) = lower(?) AND id != ?", (editor, keep)
        )
        return cursor.rowcount
