"""The SQLite archive: the only package that touches the database (migrations, WAL, transactions)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eumonitor.store.calls import CallsMixin
from eumonitor.store.deliveries import DeliveriesMixin
from eumonitor.store.links import LinksMixin
from eumonitor.store.matches import MatchesMixin
from eumonitor.store.runs import RunsMixin
from eumonitor.store.search import SearchMixin
from eumonitor.store.weblog import WebLogMixin


class StoreError(Exception):
    """The archive cannot be opened or migrated; the message names the file."""


class Store(CallsMixin, RunsMixin, SearchMixin, WebLogMixin, DeliveriesMixin, MatchesMixin, LinksMixin):
    """One connection to the archive. Each mixin owns one area and declares its MIGRATIONS.

    Migration versions are allotted per area so areas never collide:
    1-9 calls and runs, 10-19 matches, 20-29 deliveries, 30-39 web, 40-49 cross-source links.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # check_same_thread=False: the web server reads from worker threads; writes are
            # serialised by SQLite itself and each request uses short transactions.
            self.conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Arkivet {self.path} kan ikke åpnes: {exc}") from exc

    def close(self) -> None:
        # Keeps the query planner's statistics fresh as the archive grows (cheap when nothing changed).
        self.conn.execute("PRAGMA optimize")
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception: all or nothing."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def migrations(self) -> list[tuple[int, str]]:
        """All areas' migrations in version order."""
        found: dict[int, str] = {}
        for cls in type(self).__mro__:
            for version, sql in vars(cls).get("MIGRATIONS", ()):
                if version in found and found[version] != sql:
                    raise StoreError(f"Migrasjon {version} er definert to ganger")
                found[version] = sql
        return sorted(found.items())

    def migrate(self) -> None:
        self.conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
        done = {row[0] for row in self.conn.execute("SELECT version FROM schema_migrations")}
        for version, sql in self.migrations():
            if version in done:
                continue
            with self.transaction() as conn:
                for statement in _statements(sql):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations(version) VALUES (?)", (version,))


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements, keeping trigger bodies whole."""
    statements, current = [], []
    for line in sql.strip().splitlines():
        current.append(line)
        joined = "\n".join(current).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            statements.append(joined)
            current = []
    if "\n".join(current).strip():
        statements.append("\n".join(current))
    return statements
