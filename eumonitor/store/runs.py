"""The source_runs table: one row per collect of one source, with status, counts and errors."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from datetime import datetime
from typing import Any

from eumonitor.model import ChangeSet, SourceRun, utc_stamp


class RunsMixin:
    """Store methods for source runs."""

    conn: sqlite3.Connection

    def start_run(self, source: str, started_at: datetime) -> int:
        """A 'running' row, so a crash mid-collect still leaves a trace."""
        cursor = self.conn.execute(
            "INSERT INTO source_runs(source, started_at) VALUES (?, ?)", (source, utc_stamp(started_at))
        )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, run: SourceRun) -> None:
        self.conn.execute(
            "UPDATE source_runs SET finished_at = ?, status = ?, error = ?, counts = ?, changes = ? WHERE id = ?",
            (
                utc_stamp(run.finished_at),
                run.status,
                run.error,
                json.dumps(dict(run.counts)),
                json.dumps(asdict(run.changes)),
                run_id,
            ),
        )

    def recent_runs(self, source: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """Newest first; counts and changes decoded."""
        sql, args = "SELECT * FROM source_runs", []
        if source:
            sql += " WHERE source = ?"
            args.append(source)
        rows = self.conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*args, limit])
        return [_decode_run(r) for r in rows]

    def last_ok_count(self, source: str) -> int | None:
        """How many calls the source's last successful run yielded; to tell 'empty' from normal."""
        row = self.conn.execute(
            "SELECT counts FROM source_runs WHERE source = ? AND status = 'ok' ORDER BY id DESC LIMIT 1",
            (source,),
        ).fetchone()
        return json.loads(row[0]).get("calls") if row else None

    def failure_streak(self, source: str) -> int:
        """Runs in a row, newest first, that ended in error."""
        streak = 0
        for row in self.conn.execute(
            "SELECT status FROM source_runs WHERE source = ? AND status != 'running' ORDER BY id DESC", (source,)
        ):
            if row[0] != "error":
                break
            streak += 1
        return streak

    def answered(self, source: str | None = None) -> tuple[datetime | None, datetime | None]:
        """(first, last) start of a run that got an answer ('ok' or 'empty'), for one source or any."""
        sql = "SELECT min(started_at), max(started_at) FROM source_runs WHERE status IN ('ok', 'empty')"
        row = self.conn.execute(sql + (" AND source = ?" if source else ""), (source,) if source else ()).fetchone()
        return (_stamp(row[0]), _stamp(row[1])) if row else (None, None)

    def failing_since(self, source: str) -> datetime | None:
        """When the source's current run of errors began (None when its latest finished run did not fail)."""
        since = None
        for row in self.conn.execute(
            "SELECT status, started_at FROM source_runs WHERE source = ? AND status != 'running' ORDER BY id DESC",
            (source,),
        ):
            if row[0] != "error":
                break
            since = row[1]
        return _stamp(since)


def _stamp(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _decode_run(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["counts"] = json.loads(data["counts"] or "{}")
    changes = json.loads(data["changes"] or "{}")
    data["changes"] = ChangeSet(**{k: tuple(v) for k, v in changes.items()}) if changes else ChangeSet()
    return data
