"""The users table: e-mail, name, unit, role and password hash, and the one-time import of config.toml's editors."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from eumonitor.model import EumonitorError, utc_stamp


class LastAdminError(EumonitorError):
    """The change would leave the archive without an administrator, so it was not made."""


@dataclass(frozen=True)
class User:
    """One person who logs in or acts with --as; `role` is leser, redaktør or admin."""

    email: str
    name: str
    unit: str
    role: str
    password_hash: str
    created_at: str = ""

    @property
    def label(self) -> str:
        """How pages and mails name the person: "Anna Berg (anna@…)" or the address alone."""
        return f"{self.name} ({self.email})" if self.name else self.email


class UsersMixin:
    """Store methods for users. E-mails are kept lower-case, so a lookup never misses on case."""

    conn: sqlite3.Connection

    def get_user(self, email: str) -> User | None:
        row = self.conn.execute(
            "SELECT email, name, unit, role, password_hash, created_at FROM users WHERE email = ?",
            (email.strip().lower(),),
        ).fetchone()
        return User(*row) if row else None

    def list_users(self) -> list[User]:
        rows = self.conn.execute("SELECT email, name, unit, role, password_hash, created_at FROM users ORDER BY email")
        return [User(*r) for r in rows]

    def save_user(
        self,
        email: str,
        role: str,
        now: datetime,
        *,
        name: str | None = None,
        unit: str | None = None,
        password_hash: str | None = None,
    ) -> bool:
        """Add a user, or update the given fields of an existing one; True when the user was new.
        Never takes the role from the last admin (LastAdminError)."""
        email, stamp = email.strip().lower(), utc_stamp(now)
        with self.transaction() as conn:
            old = conn.execute("SELECT 1 FROM users WHERE email = ?", (email,)).fetchone()
            if old is None:
                conn.execute(
                    "INSERT INTO users(email, name, unit, role, password_hash, created_at, changed_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (email, name or "", unit or "", role, password_hash or "", stamp, stamp),
                )
                return True
            if role != "admin":
                self._keep_an_admin(conn, email)
            fields = {"role": role, "name": name, "unit": unit, "password_hash": password_hash}
            chosen = {k: v for k, v in fields.items() if v is not None}
            sets = ", ".join(f"{k} = :{k}" for k in chosen)
            conn.execute(
                f"UPDATE users SET {sets}, changed_at = :at WHERE email = :email",
                {**chosen, "at": stamp, "email": email},
            )
            return False

    def set_role(self, email: str, role: str, now: datetime) -> bool:
        """Change a role; the count of admins is read in the same write transaction, so two admins demoting
        each other at once cannot leave none (LastAdminError)."""
        email = email.strip().lower()
        with self.transaction() as conn:
            if role != "admin":
                self._keep_an_admin(conn, email)
            cursor = conn.execute(
                "UPDATE users SET role = ?, changed_at = ? WHERE email = ?", (role, utc_stamp(now), email)
            )
            return cursor.rowcount > 0

    def remove_user(self, email: str) -> bool:
        """Remove a user and end their sessions; their follows, notes and audit rows keep their address.
        Never the last admin (LastAdminError), checked inside the transaction as for set_role."""
        email = email.strip().lower()
        with self.transaction() as conn:
            self._keep_an_admin(conn, email)
            conn.execute("DELETE FROM web_sessions WHERE lower(editor) = ?", (email,))
            cursor = conn.execute("DELETE FROM users WHERE email = ?", (email,))
            return cursor.rowcount > 0

    @staticmethod
    def _keep_an_admin(conn: sqlite3.Connection, email: str) -> None:
        row = conn.execute("SELECT role FROM users WHERE email = ?", (email,)).fetchone()
        admins = conn.execute("SELECT count(*) FROM users WHERE role = 'admin'").fetchone()[0]
        if row and row[0] == "admin" and admins == 1:
            raise LastAdminError(email)

    def count_admins(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM users WHERE role = 'admin'").fetchone()[0])

    def import_editors(self, editors: Sequence[tuple[str, str]], now: datetime) -> list[str]:
        """Carry config.toml's [[web.editors]] (e-mail, password hash) over as redaktør, each only once.

        An editor imported before is never imported again, so a user removed or changed here stays so
        whatever config.toml still says. The addresses imported now.
        """
        imported: list[str] = []
        if not editors:
            return imported
        stamp = utc_stamp(now)
        with self.transaction() as conn:
            for email, password_hash in editors:
                email = email.strip().lower()
                first = conn.execute("INSERT OR IGNORE INTO user_imports(email, at) VALUES (?, ?)", (email, stamp))
                if not first.rowcount:
                    continue
                added = conn.execute(
                    "INSERT OR IGNORE INTO users(email, role, password_hash, created_at, changed_at) "
                    "VALUES (?, 'redaktør', ?, ?, ?)",
                    (email, password_hash, stamp, stamp),
                )
                if added.rowcount:
                    imported.append(email)
        return imported
