"""The SQLite archive: the only package that touches the database (migrations, WAL, transactions)."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eumonitor.model import EumonitorError
from eumonitor.store import schema
from eumonitor.store.calls import CallsMixin
from eumonitor.store.cases import CasesMixin
from eumonitor.store.deliveries import DeliveriesMixin
from eumonitor.store.follows import FollowsMixin
from eumonitor.store.judgements import JudgementsMixin
from eumonitor.store.links import LinksMixin
from eumonitor.store.matches import MatchesMixin
from eumonitor.store.runs import RunsMixin
from eumonitor.store.search import SearchMixin
from eumonitor.store.subscribers import SubscribersMixin
from eumonitor.store.users import LastAdminError, User, UsersMixin
from eumonitor.store.vectors import VectorsMixin
from eumonitor.store.weblog import WebLogMixin

__all__ = ["LastAdminError", "Store", "StoreError", "User"]


class StoreError(EumonitorError):
    """The archive cannot be opened or migrated; the message names the file."""


class Store(
    CallsMixin,
    RunsMixin,
    SearchMixin,
    WebLogMixin,
    DeliveriesMixin,
    MatchesMixin,
    VectorsMixin,
    LinksMixin,
    JudgementsMixin,
    SubscribersMixin,
    UsersMixin,
    CasesMixin,
    FollowsMixin,
):
    """The archive, with one SQLite connection per thread; each mixin holds the queries of one table group.

    The schema is store/schema.py's MIGRATIONS, run in order on open.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The web server answers from several threads: a shared connection would put one request's
        # writes inside another's transaction. Each thread gets its own; WAL lets them read side by side.
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._opened_lock = threading.Lock()
        try:
            self.migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Arkivet {self.path} kan ikke åpnes: {exc}") from exc

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = self._connect()
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"Arkivet {self.path} kan ikke åpnes: {exc}") from exc
            self._local.conn = conn
            with self._opened_lock:
                self._opened.append(conn)
        return conn

    def _connect(self) -> sqlite3.Connection:
        # check_same_thread=False only so that close() may close every thread's connection.
        conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def close(self) -> None:
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            # Keeps the query planner's statistics fresh as the archive grows (cheap when nothing changed).
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA optimize")
            conn.close()
        self._local = threading.local()

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

    def migrate(self) -> None:
        """Run the migrations this archive has not run yet, each in its own transaction."""
        self.conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
        done = {row[0] for row in self.conn.execute("SELECT version FROM schema_migrations")}
        for version, sql in schema.MIGRATIONS:
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
