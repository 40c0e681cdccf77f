"""The matches table (score, state and "why" per call and profile) and what each profile was last scored with."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from eumonitor.model import Call, Match
from eumonitor.store.calls import STILL_OPEN, call_ids, row_to_call


class MatchesMixin:
    """Store methods for matches: save per profile, read per call or per profile, count."""

    conn: sqlite3.Connection

    def save_matches(
        self,
        profile_id: str,
        matches: Sequence[Match],
        now: datetime,
        replace_all: bool = False,
        scored: Sequence[tuple[str, str]] = (),
    ) -> int:
        """Store one profile's matches (upsert, one executemany).

        With replace_all, that profile's older rows go first; `scored` names calls that were scored again,
        whose older rows go too (a call that fell far below the threshold is then no longer stored).
        """
        # Only the ids this save needs: reading all 50,000 per profile cost more than the scoring of new calls.
        ids = call_ids(self.conn, [(m.source, m.external_id) for m in matches] + list(scored))
        stamp = now.isoformat()
        rows = [
            (profile_id, ids[(m.source, m.external_id)], m.score, m.state, json.dumps(list(m.why)), m.reason, stamp)
            for m in matches
            if (m.source, m.external_id) in ids
        ]
        if replace_all:
            self.conn.execute("DELETE FROM matches WHERE profile_id = ?", (profile_id,))
        elif scored:
            self.conn.executemany(
                "DELETE FROM matches WHERE profile_id = ? AND call_id = ?",
                [(profile_id, ids[key]) for key in scored if key in ids],
            )
        self.conn.executemany(
            "INSERT OR REPLACE INTO matches(profile_id, call_id, score, state, why, reason, scored_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        return len(rows)

    def forget_profiles(self, keep: Sequence[str]) -> None:
        """Drop matches of profiles that no longer exist."""
        marks = ",".join("?" * len(keep)) or "''"
        self.conn.execute(f"DELETE FROM matches WHERE profile_id NOT IN ({marks})", tuple(keep))
        self.conn.execute(f"DELETE FROM match_profiles WHERE profile_id NOT IN ({marks})", tuple(keep))

    def profile_state(self, profile_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM match_profiles WHERE profile_id = ?", (profile_id,)).fetchone()
        return dict(row) if row else None

    def set_profile_state(self, profile_id: str, fingerprint: str, model_stamp: str, scale: float, now: datetime):
        self.conn.execute(
            "INSERT OR REPLACE INTO match_profiles(profile_id, fingerprint, model_stamp, scale, scored_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (profile_id, fingerprint, model_stamp, scale, now.isoformat()),
        )

    def matches_for_call(self, source: str, external_id: str) -> list[Match]:
        """Every profile's verdict on one call, best score first."""
        rows = self.conn.execute(
            "SELECT m.* FROM matches m JOIN calls c ON c.id = m.call_id "
            "WHERE c.source = ? AND c.external_id = ? ORDER BY m.score DESC, m.profile_id",
            (source, external_id),
        )
        return [_match(r, source, external_id) for r in rows]

    def profile_matches(
        self,
        profile_id: str,
        *,
        today: date,
        state: str = "match",
        open_only: bool = False,
        limit: int | None = None,
    ) -> list[tuple[Call, Match]]:
        """One profile's calls in the given state, ranked by score; open_only keeps calls one can still apply to.

        `today` is the caller's (the city's) date: the server's clock may be in another time zone.
        """
        where = ["m.profile_id = :profile"]
        args: dict[str, Any] = {"profile": profile_id, "today": today.isoformat()}
        if state:
            where.append("m.state = :state")
            args["state"] = state
        if open_only:
            where.append(STILL_OPEN)  # what an adviser can act on
        sql = (
            "SELECT c.*, m.profile_id AS m_profile, m.score AS m_score, m.state AS m_state, m.why AS m_why, "
            "m.reason AS m_reason FROM matches m JOIN calls c ON c.id = m.call_id WHERE "
            + " AND ".join(where)
            + " ORDER BY m.score DESC, c.external_id"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        out = []
        for row in self.conn.execute(sql, args):
            match = Match(
                row["m_profile"], row["source"], row["external_id"], row["m_score"],
                tuple(json.loads(row["m_why"])), row["m_state"], row["m_reason"],
            )  # fmt: skip
            out.append((row_to_call(row), match))
        return out

    def match_counts(self) -> dict[str, int]:
        """Matches (state 'match') per profile."""
        rows = self.conn.execute("SELECT profile_id, count(*) FROM matches WHERE state = 'match' GROUP BY profile_id")
        return {r[0]: r[1] for r in rows}


def _match(row: sqlite3.Row, source: str, external_id: str) -> Match:
    return Match(
        row["profile_id"], source, external_id, row["score"], tuple(json.loads(row["why"])), row["state"], row["reason"]
    )
