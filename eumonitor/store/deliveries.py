"""The deliveries table: one row per attempt to send one digest week to one subscriber."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import datetime

from eumonitor.model import Delivery, EumonitorError, utc_stamp

# A delivery in one of these states may have reached the subscriber: never sent again automatically.
MAYBE_DELIVERED = ("sent", "sending", "uncertain")


class DeliveryRecordError(EumonitorError):
    """The archive could not record a delivery (typically its write lock held past the busy timeout)."""


class DeliveriesMixin:
    """Store methods for digest deliveries. A 'sent' row is written only after the server accepted."""

    conn: sqlite3.Connection

    def record_delivery(self, delivery: Delivery) -> bool:
        """Store one attempt; False when the same week was already recorded as sent to this subscriber."""
        try:
            self.conn.execute(
                "INSERT INTO deliveries(digest_id, week, subscriber, status, at, subject, transport, message_id, "
                "error, period_start, period_end, counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    delivery.digest_id,
                    delivery.week,
                    delivery.subscriber.lower(),
                    delivery.status,
                    utc_stamp(delivery.at),
                    delivery.subject,
                    delivery.transport,
                    delivery.message_id,
                    delivery.error,
                    utc_stamp(delivery.period_start) if delivery.period_start else None,
                    utc_stamp(delivery.period_end) if delivery.period_end else None,
                    json.dumps(dict(delivery.counts)),
                ),
            )
        except sqlite3.IntegrityError:
            return False
        return True

    def begin_delivery(self, delivery: Delivery) -> int | None:
        """Record that `delivery` is about to be sent (status 'sending'); its row id, or None when this week
        was already sent, is being sent or may have arrived. Raises DeliveryRecordError when the archive is busy.
        """
        try:
            if not self.record_delivery(replace(delivery, status="sending")):
                return None
        except sqlite3.OperationalError as exc:
            raise DeliveryRecordError(f"Arkivet kunne ikke skrives: {exc}") from exc
        return int(self.conn.execute("SELECT last_insert_rowid()").fetchone()[0])

    def finish_delivery(self, delivery_id: int, status: str, error: str = "") -> None:
        """The outcome of a begun delivery: 'sent', 'uncertain' or 'error'. Raises DeliveryRecordError."""
        try:
            self.conn.execute("UPDATE deliveries SET status = ?, error = ? WHERE id = ?", (status, error, delivery_id))
        except sqlite3.OperationalError as exc:
            raise DeliveryRecordError(f"Arkivet kunne ikke skrives: {exc}") from exc

    def delivered_to(self, digest_id: str, week: str) -> set[str]:
        """Addresses (lower case) that got this digest week, or may have: those are never sent it again."""
        rows = self.conn.execute(
            "SELECT subscriber FROM deliveries WHERE digest_id = ? AND week = ? AND status IN (?, ?, ?)",
            (digest_id, week, *MAYBE_DELIVERED),
        )
        return {r[0] for r in rows}

    def last_sent(self, digest_id: str, subscriber: str, before_week: str) -> Delivery | None:
        """The subscriber's latest delivered digest before this week: where the next one's period starts."""
        row = self.conn.execute(
            "SELECT * FROM deliveries WHERE digest_id = ? AND subscriber = ? AND status IN ('sent', 'uncertain') "
            "AND week < ? ORDER BY week DESC LIMIT 1",
            (digest_id, subscriber.lower(), before_week),
        ).fetchone()
        return _row_to_delivery(row) if row else None

    def recent_deliveries(self, limit: int = 50, digest_id: str | None = None) -> list[Delivery]:
        """Newest first, failures included; for the web app's /digests page."""
        sql, args = "SELECT * FROM deliveries", []
        if digest_id:
            sql += " WHERE digest_id = ?"
            args.append(digest_id)
        rows = self.conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*args, limit])
        return [_row_to_delivery(r) for r in rows]


def _row_to_delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        digest_id=row["digest_id"],
        week=row["week"],
        subscriber=row["subscriber"],
        status=row["status"],
        at=datetime.fromisoformat(row["at"]),
        subject=row["subject"],
        transport=row["transport"],
        message_id=row["message_id"],
        error=row["error"],
        period_start=datetime.fromisoformat(row["period_start"]) if row["period_start"] else None,
        period_end=datetime.fromisoformat(row["period_end"]) if row["period_end"] else None,
        counts=json.loads(row["counts"] or "{}"),
        id=row["id"],
    )
