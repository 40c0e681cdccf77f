"""The match_model table: one row holding the matcher's fitted state as plain values (text and bytes)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

# What a state holds; the values are plain (int, str, bytes) and their meaning is eumonitor.matching.vectors'.
STATE_COLUMNS = (
    "format",
    "model_version",
    "stamp",
    "fitted_rows",
    "phrases",
    "terms",
    "keys",
    "hashes",
    "programmes",
    "idf",
    "matrix",
)


class VectorsMixin:
    """Store methods for the matcher's kept vectors."""

    conn: sqlite3.Connection

    def put_model_state(self, state: Mapping[str, Any]) -> int:
        """Replace the stored state; returns its revision. Only inside store.transaction(), with the matches.

        Matches are scored from these vectors: written in one transaction, the two never disagree after a crash.
        """
        if not self.conn.in_transaction:
            raise RuntimeError("put_model_state must run inside store.transaction(), with the match results")
        missing = [c for c in STATE_COLUMNS if c not in state]
        if missing:
            raise ValueError(f"model state lacks {', '.join(missing)}")
        values = {c: state[c] for c in STATE_COLUMNS}
        revision = self.conn.execute("SELECT coalesce(max(revision), 0) + 1 FROM match_model").fetchone()[0]
        columns = ", ".join(STATE_COLUMNS)
        marks = ", ".join(f":{c}" for c in STATE_COLUMNS)
        self.conn.execute(
            f"INSERT OR REPLACE INTO match_model(id, revision, {columns}) VALUES (1, :revision, {marks})",
            {**values, "revision": revision},
        )
        return int(revision)

    def model_state(self) -> dict[str, Any] | None:
        """The stored state (with its revision), or None before the first match run."""
        row = self.conn.execute("SELECT * FROM match_model WHERE id = 1").fetchone()
        return dict(row) if row else None

    def model_revision(self) -> tuple[int, str] | None:
        """(revision, stamp) of the stored state without reading it: what caches of the model compare."""
        row = self.conn.execute("SELECT revision, stamp FROM match_model WHERE id = 1").fetchone()
        return (int(row[0]), str(row[1])) if row else None
