"""The web app's own records: who saved which profile when, and login attempts for throttling."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from eumonitor.model import utc_stamp

MIGRATIONS = [
    (
        30,
        """
CREATE TABLE profile_saves (
    id INTEGER PRIMARY KEY,
    profile_id TEXT NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT ''
);
CREATE INDEX profile_saves_by_profile ON profile_saves(profile_id, at);
CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    at TEXT NOT NULL,
    ok INTEGER NOT NULL
);
CREATE INDEX login_attempts_by_email ON login_attempts(email, at);
CREATE INDEX login_attempts_by_address ON login_attempts(address, at);
""",
    )
]


class WebLogMixin:
    """Store methods for the web app's logs."""

    MIGRATIONS = MIGRATIONS
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

    def facets(self) -> dict[str, list[tuple[str, str, int]]]:
        """What the search filters offer: (value, label, count) per programme and per source."""
        programmes = self.conn.execute(
            "SELECT programme_id, programme, count(*) FROM calls WHERE programme != '' "
            "GROUP BY programme_id, programme ORDER BY programme"
        )
        sources = self.conn.execute("SELECT source, source, count(*) FROM calls GROUP BY source ORDER BY source")
        return {
            "programmes": [(r[0] or r[1], r[1], r[2]) for r in programmes],
            "sources": [(r[0], r[1], r[2]) for r in sources],
        }

    def source_counts(self) -> dict[str, dict[str, int]]:
        """Per source: calls in the archive, still listed, and listed with status open."""
        rows = self.conn.execute(
            "SELECT source, count(*), sum(listed), sum(listed AND status = 'open') FROM calls GROUP BY source"
        )
        return {r[0]: {"calls": r[1], "listed": r[2] or 0, "open": r[3] or 0} for r in rows}

    def archive_stamp(self) -> tuple[int, str]:
        """Changes whenever a call is added or changed; what cached models in the web app key on."""
        row = self.conn.execute("SELECT count(*), coalesce(max(last_changed), '') FROM calls").fetchone()
        return int(row[0]), str(row[1])
