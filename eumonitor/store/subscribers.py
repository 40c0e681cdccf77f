"""The subscribers table: who gets which digest, with which themes, active, paused or unsubscribed."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from eumonitor.model import Subscriber, utc_stamp
from eumonitor.store.deliveries import DeliveryRecordError

STATES = ("active", "paused", "unsubscribed")


@dataclass(frozen=True)
class Subscription:
    """One person's subscription to one digest; `profiles` empty means all the digest's themes."""

    digest_id: str
    email: str
    name: str
    profiles: tuple[str, ...]
    state: str  # active | paused | unsubscribed
    origin: str  # file | cli | web: who wrote the row last (the file only follows its own rows)
    changed_at: str
    changed_by: str

    def subscriber(self) -> Subscriber:
        return Subscriber(self.email, self.name, self.profiles)


class SubscribersMixin:
    """Store methods for subscriptions. digests/*.toml only seeds this table; it never overrides a row."""

    conn: sqlite3.Connection

    def seed_subscribers(self, digest_id: str, subscribers: Sequence[Subscriber], now: datetime) -> list[str]:
        """Follow the file: add its subscribers this table does not know yet, and unsubscribe the rows the file
        put here that it no longer lists. The addresses added or removed, as "+a@x" and "-b@x".

        A known address keeps its row, so one who unsubscribed or changed themes is never reset by the file;
        rows someone made or changed by hand (origin cli or web) are theirs, and the file leaves them alone.
        """
        try:
            return self._seed(digest_id, subscribers, utc_stamp(now))
        except sqlite3.OperationalError as exc:  # the write lock held elsewhere past the busy timeout
            raise DeliveryRecordError(f"Abonnentene kunne ikke oppdateres i arkivet: {exc}") from exc

    def _seed(self, digest_id: str, subscribers: Sequence[Subscriber], stamp: str) -> list[str]:
        changed: list[str] = []
        for sub in subscribers:
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO subscribers(digest_id, email, name, profiles, state, origin, changed_at, "
                "changed_by) VALUES (?, ?, ?, ?, 'active', 'file', ?, 'digests-fil')",
                (digest_id, sub.email.lower(), sub.name, json.dumps(list(sub.profiles)), stamp),
            )
            if cursor.rowcount:
                changed.append("+" + sub.email.lower())
        listed = {s.email.lower() for s in subscribers}
        for row in self.subscriptions(digest_id):
            if row.origin == "file" and row.state != "unsubscribed" and row.email not in listed:
                self.conn.execute(
                    "UPDATE subscribers SET state = 'unsubscribed', changed_at = ?, changed_by = ? "
                    "WHERE digest_id = ? AND email = ?",
                    (stamp, "fjernet fra digests-fil", digest_id, row.email),
                )
                changed.append("-" + row.email)
        return changed

    def subscriptions(self, digest_id: str | None = None) -> list[Subscription]:
        """Every row (all states), by digest and address."""
        sql, args = "SELECT * FROM subscribers", ()
        if digest_id is not None:
            sql, args = sql + " WHERE digest_id = ?", (digest_id,)
        return [_row(r) for r in self.conn.execute(sql + " ORDER BY digest_id, email", args)]

    def subscription(self, digest_id: str, email: str) -> Subscription | None:
        row = self.conn.execute(
            "SELECT * FROM subscribers WHERE digest_id = ? AND email = ?", (digest_id, email.lower())
        ).fetchone()
        return _row(row) if row else None

    def active_subscribers(self, digest_id: str) -> list[Subscriber]:
        """Who gets the next send: active rows only (paused and unsubscribed ones are left out)."""
        return [s.subscriber() for s in self.subscriptions(digest_id) if s.state == "active"]

    def save_subscription(
        self,
        digest_id: str,
        email: str,
        now: datetime,
        by: str,
        *,
        state: str | None = None,
        profiles: Sequence[str] | None = None,
        name: str | None = None,
        origin: str = "cli",
    ) -> Subscription:
        """Create or change one subscription; only the given fields change."""
        if state is not None and state not in STATES:
            raise ValueError(f"unknown subscription state {state!r}")
        old = self.subscription(digest_id, email)
        values = {
            "name": name if name is not None else (old.name if old else ""),
            "profiles": json.dumps(list(profiles if profiles is not None else (old.profiles if old else ()))),
            "state": state or (old.state if old else "active"),
        }
        self.conn.execute(
            "INSERT INTO subscribers(digest_id, email, name, profiles, state, origin, changed_at, changed_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(digest_id, email) DO UPDATE SET name = excluded.name, "
            "profiles = excluded.profiles, state = excluded.state, origin = excluded.origin, "
            "changed_at = excluded.changed_at, changed_by = excluded.changed_by",
            (digest_id, email.lower(), values["name"], values["profiles"], values["state"], origin,
             utc_stamp(now), by),
        )  # fmt: skip
        found = self.subscription(digest_id, email)
        assert found is not None
        return found


def _row(row: sqlite3.Row) -> Subscription:
    return Subscription(
        digest_id=row["digest_id"],
        email=row["email"],
        name=row["name"],
        profiles=tuple(json.loads(row["profiles"] or "[]")),
        state=row["state"],
        origin=row["origin"],
        changed_at=row["changed_at"],
        changed_by=row["changed_by"],
    )
