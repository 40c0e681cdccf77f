"""The advisers' judgements of calls per theme ("Relevant" / "Ikke for oss"), kept with who, when and where from."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from eumonitor.model import utc_stamp

ORIGINS = ("digest", "web", "cli", "import")


class JudgementsMixin:
    """Store methods for judgements. A call's judgement for a theme is its newest one not undone."""

    conn: sqlite3.Connection

    def add_judgement(
        self,
        profile_id: str,
        key: tuple[str, str],
        grade: int,
        who: str,
        now: datetime,
        origin: str,
        token: str | None = None,
    ) -> int | None:
        """Record one judgement; None when `token` (a signed link's nonce) was used before: a link counts once."""
        if grade not in (0, 1, 2) or origin not in ORIGINS:
            raise ValueError(f"ugyldig vurdering {grade!r} fra {origin!r}")
        try:
            cursor = self.conn.execute(
                "INSERT INTO judgements(profile_id, source, external_id, grade, who, at, origin, token) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (profile_id, key[0], key[1], grade, who, utc_stamp(now), origin, token),
            )
        except sqlite3.IntegrityError:
            return None
        return int(cursor.lastrowid or 0)

    def add_judgements(self, rows: Iterable[tuple[str, tuple[str, str], int]], who: str, now: datetime) -> int:
        """Many judgements at once (an import), in one transaction by the caller; returns how many."""
        stamp = utc_stamp(now)
        data = [(p, k[0], k[1], g, who, stamp, "import") for p, k, g in rows]
        self.conn.executemany(
            "INSERT INTO judgements(profile_id, source, external_id, grade, who, at, origin) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            data,
        )
        return len(data)

    def undo_judgement(self, judgement_id: int, who: str, now: datetime) -> bool:
        """Mark one judgement undone (kept, so the page can show what was undone and by whom)."""
        cursor = self.conn.execute(
            "UPDATE judgements SET undone_at = ?, undone_by = ? WHERE id = ? AND undone_at IS NULL",
            (utc_stamp(now), who, judgement_id),
        )
        return cursor.rowcount == 1

    def feedback_grades(self, profile_id: str) -> dict[tuple[str, str], int]:
        """Each judged call's current grade for the theme (the newest judgement not undone)."""
        rows = self.conn.execute(
            "SELECT source, external_id, grade FROM judgements j WHERE profile_id = ? AND undone_at IS NULL "
            "AND id = (SELECT max(id) FROM judgements k WHERE k.profile_id = j.profile_id AND k.source = j.source "
            "AND k.external_id = j.external_id AND k.undone_at IS NULL)",
            (profile_id,),
        )
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def judgements(self, profile_id: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Newest first, undone ones included."""
        sql, args = "SELECT * FROM judgements", []
        if profile_id:
            sql += " WHERE profile_id = ?"
            args.append(profile_id)
        sql += " ORDER BY id DESC"
        if limit:
            sql += " LIMIT ?"
            args.append(limit)
        return [dict(r) for r in self.conn.execute(sql, args)]
