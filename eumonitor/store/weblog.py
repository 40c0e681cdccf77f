"""The web app's own records: who saved which profile when, and login attempts for throttling."""

from __future__ import annotations

import sqlite3
from datetime import datetime
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

    def record_login(self, email: str, address: str, ok: bool, now: datetime) -> None:
        self.conn.execute(
            "INSERT INTO login_attempts(email, address, at, ok) VALUES (?, ?, ?, ?)",
            (email.lower(), address, utc_stamp(now), int(ok)),
        )

    def failed_logins_since(self, email: str, address: str, since: datetime) -> int:
        """Failed attempts for this account or from this address since `since` (the larger of the two)."""
        stamp = utc_stamp(since)
        by_email = self.conn.execute(
            "SELECT count(*) FROM login_attempts WHERE email = ? AND ok = 0 AND at >= ?", (email.lower(), stamp)
        ).fetchone()[0]
        by_address = self.conn.execute(
            "SELECT count(*) FROM login_attempts WHERE address = ? AND ok = 0 AND at >= ?", (address, stamp)
        ).fetchone()[0]
        return max(by_email, by_address)
