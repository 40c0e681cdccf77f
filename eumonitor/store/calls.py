"""The calls table: upsert with a change history, unlisting, and reading calls back."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from eumonitor.model import Budget, Call, ChangeSet, utc_stamp

# A call one can still apply to: open or forthcoming, with a deadline ahead (or none stated yet).
STILL_OPEN = "(c.status IN ('open', 'forthcoming') AND (c.last_deadline IS NULL OR c.last_deadline >= :today))"

# What each change kind compares; order is the order users read them in.
CHANGE_FIELDS = (
    ("deadline_moved", "deadlines"),
    ("status_changed", "status"),
    ("opening_changed", "opening_date"),
    ("budget_changed", "budget_total"),
    ("title_changed", "title"),
    ("text_changed", "description_text"),
    ("countries_changed", "eligible_countries"),
    ("applicants_changed", "applicant_types"),
)
JSON_LISTS = frozenset({"deadlines", "eligible_countries", "applicant_types"})


def call_row(call: Call) -> dict[str, Any]:
    """A Call as the column values of the calls table."""
    return {
        "source": call.source,
        "external_id": call.external_id,
        "title": call.title,
        "url": call.url,
        "description_html": call.description_html,
        "description_text": call.description_text,
        "summary": call.summary,
        "programme": call.programme,
        "programme_id": call.programme_id,
        "call_identifier": call.call_identifier,
        "call_title": call.call_title,
        "call_type": call.call_type,
        "status": call.status,
        "opening_date": call.opening_date.isoformat() if call.opening_date else None,
        "deadlines": json.dumps([d.isoformat() for d in call.deadlines]),
        # Kept beside the list so "closed today" is a column comparison, not a subquery per row.
        "last_deadline": max(call.deadlines).isoformat() if call.deadlines else None,
        "deadline_model": call.deadline_model,
        "deadline_tz": call.deadline_tz,
        "budget": json.dumps(asdict(call.budget)),
        "budget_total": call.budget.total,
        "keywords": json.dumps(list(call.keywords), ensure_ascii=False),
        "tags": json.dumps(list(call.tags), ensure_ascii=False),
        "extra": json.dumps(dict(call.extra), ensure_ascii=False, default=str),
        "content_hash": call.content_hash,
        "eligible_countries": json.dumps(list(call.eligible_countries), ensure_ascii=False),
        "applicant_types": json.dumps(list(call.applicant_types), ensure_ascii=False),
        "norway_eligible": _flag(call.norway_eligible),
        "municipalities_eligible": _flag(call.municipalities_eligible),
    }


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _verdict(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def row_to_call(row: sqlite3.Row) -> Call:
    """A calls row back into a Call."""
    budget = json.loads(row["budget"] or "{}")
    budget["years"] = tuple(tuple(y) for y in budget.get("years", ()))
    return Call(
        source=row["source"],
        external_id=row["external_id"],
        title=row["title"],
        url=row["url"],
        description_html=row["description_html"],
        description_text=row["description_text"],
        summary=row["summary"],
        programme=row["programme"],
        programme_id=row["programme_id"],
        call_identifier=row["call_identifier"],
        call_title=row["call_title"],
        call_type=row["call_type"],
        status=row["status"],
        opening_date=date.fromisoformat(row["opening_date"]) if row["opening_date"] else None,
        deadlines=tuple(date.fromisoformat(d) for d in json.loads(row["deadlines"])),
        deadline_model=row["deadline_model"],
        deadline_tz=row["deadline_tz"],
        budget=Budget(**budget),
        keywords=tuple(json.loads(row["keywords"])),
        tags=tuple(json.loads(row["tags"])),
        extra=json.loads(row["extra"]),
        content_hash=row["content_hash"],
        eligible_countries=tuple(json.loads(row["eligible_countries"])),
        applicant_types=tuple(json.loads(row["applicant_types"])),
        norway_eligible=_verdict(row["norway_eligible"]),
        municipalities_eligible=_verdict(row["municipalities_eligible"]),
    )


def describe_changes(old: sqlite3.Row, new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The user-visible differences between a stored row and new column values."""
    found = []
    for kind, column in CHANGE_FIELDS:
        if old[column] != new[column]:
            if column in JSON_LISTS:
                found.append((kind, json.loads(old[column]), json.loads(new[column])))
            elif column == "description_text":
                # The text itself can be long; the history keeps its length, the row keeps the text.
                found.append((kind, len(old[column] or ""), len(new[column] or "")))
            else:
                found.append((kind, old[column], new[column]))
    return found


class CallsMixin:
    """Store methods for the calls table."""

    conn: sqlite3.Connection

    def upsert_calls(
        self, source: str, calls: Sequence[Call], now: datetime, run_id: int | None, complete: bool
    ) -> ChangeSet:
        """Insert or update one source's calls; call inside a transaction.

        `complete` says the scan saw everything the source lists; only then are the
        source's other listed calls marked unlisted (never on a partial scan).
        """
        stamp = utc_stamp(now)
        # The light columns of every stored call; the whole row only for those whose text changed. Reading every
        # row with its description made one collect of 1,000 calls into a 50,000-call archive peak at 1.7 GB.
        existing = {
            row["external_id"]: row
            for row in self.conn.execute(
                "SELECT id, external_id, content_hash, listed, unlisted_at FROM calls WHERE source = ?", (source,)
            )
        }
        new, changed, unchanged = [], [], []
        for call in calls:
            values = call_row(call)
            old = existing.get(call.external_id)
            text_changed = old is not None and old["content_hash"] != call.content_hash
            if text_changed:
                old = self.conn.execute("SELECT * FROM calls WHERE id = ?", (old["id"],)).fetchone()
            if old is None:
                call_id = self._insert_call(values, stamp)
                self._log_change(call_id, run_id, stamp, "new", None, call.title)
                new.append(call.external_id)
                continue
            diffs = describe_changes(old, values) if text_changed else []
            if not old["listed"]:
                diffs.append(("relisted", old["unlisted_at"], None))
            self._update_call(old["id"], values, stamp, bool(diffs))
            for kind, before, after in diffs:
                self._log_change(old["id"], run_id, stamp, kind, before, after)
            (changed if diffs else unchanged).append(call.external_id)
        unlisted = self._unlist_missing(existing, {c.external_id for c in calls}, run_id, stamp) if complete else []
        return ChangeSet(tuple(new), tuple(changed), tuple(unchanged), tuple(unlisted))

    def _insert_call(self, values: dict[str, Any], stamp: str) -> int:
        values = {**values, "first_seen": stamp, "last_seen": stamp, "last_changed": stamp}
        columns = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        cursor = self.conn.execute(f"INSERT INTO calls ({columns}) VALUES ({marks})", values)
        call_id = int(cursor.lastrowid or 0)
        self._write_deadlines(call_id, values["deadlines"])
        return call_id

    def _update_call(self, call_id: int, values: dict[str, Any], stamp: str, changed: bool) -> None:
        extra = {"last_seen": stamp, "listed": 1, "unlisted_at": None, "id": call_id}
        if changed:
            extra["last_changed"] = stamp
        values = {**values, **extra}
        assignments = ", ".join(f"{k} = :{k}" for k in values if k != "id")
        self.conn.execute(f"UPDATE calls SET {assignments} WHERE id = :id", values)
        if changed:
            self._write_deadlines(call_id, values["deadlines"])

    def _write_deadlines(self, call_id: int, deadlines_json: str) -> None:
        self.conn.execute("DELETE FROM call_deadlines WHERE call_id = ?", (call_id,))
        self.conn.executemany(
            "INSERT OR IGNORE INTO call_deadlines(call_id, deadline) VALUES (?, ?)",
            [(call_id, d) for d in json.loads(deadlines_json)],
        )

    def _unlist_missing(
        self, existing: dict[str, sqlite3.Row], seen: set[str], run_id: int | None, stamp: str
    ) -> list[str]:
        gone = [ext for ext, row in existing.items() if row["listed"] and ext not in seen]
        for ext in gone:
            call_id = existing[ext]["id"]
            self.conn.execute("UPDATE calls SET listed = 0, unlisted_at = ? WHERE id = ?", (stamp, call_id))
            self._log_change(call_id, run_id, stamp, "unlisted", None, None)
        return gone

    def _log_change(self, call_id: int, run_id: int | None, stamp: str, kind: str, old: Any, new: Any) -> None:
        self.conn.execute(
            "INSERT INTO call_changes(call_id, run_id, at, kind, old, new) VALUES (?, ?, ?, ?, ?, ?)",
            (call_id, run_id, stamp, kind, _encode(old), _encode(new)),
        )

    def calls_of(self, rows: Iterable[Mapping[str, Any]]) -> list[Call]:
        """The whole calls behind rows that name them (search results), in their order; any gone since are left out."""
        found = (self.get_call(row["source"], row["external_id"]) for row in rows)
        return [call for call in found if call is not None]

    def get_call(self, source: str, external_id: str) -> Call | None:
        row = self.conn.execute(
            "SELECT * FROM calls WHERE source = ? AND external_id = ?", (source, external_id)
        ).fetchone()
        return row_to_call(row) if row else None

    def listing_fingerprints(self, source: str) -> dict[str, str]:
        """id -> the listing fingerprint a collector kept in the call's extra (Euro-Access): what lets a collect
        skip the detail pages of calls whose listing row has not changed."""
        rows = self.conn.execute(
            "SELECT external_id, json_extract(extra, '$.listing_fingerprint') FROM calls "
            "WHERE source = ? AND json_extract(extra, '$.listing_fingerprint') IS NOT NULL",
            (source,),
        )
        return {r[0]: str(r[1]) for r in rows}

    def find_calls(self, external_id: str) -> list[tuple[str, str]]:
        """(source, id) of every call with this id, case-insensitive, for `show ID`."""
        rows = self.conn.execute(
            "SELECT source, external_id FROM calls WHERE external_id = ? COLLATE NOCASE ORDER BY source",
            (external_id,),
        )
        return [(r[0], r[1]) for r in rows]

    def call_record(self, source: str, external_id: str) -> dict[str, Any] | None:
        """Archive bookkeeping of one call: first/last seen, listed, internal id."""
        row = self.conn.execute(
            "SELECT id, first_seen, last_seen, last_changed, listed, unlisted_at FROM calls "
            "WHERE source = ? AND external_id = ?",
            (source, external_id),
        ).fetchone()
        return dict(row) if row else None

    def call_history(self, source: str, external_id: str) -> list[dict[str, Any]]:
        """Every recorded change of one call, oldest first."""
        rows = self.conn.execute(
            "SELECT ch.at, ch.kind, ch.old, ch.new, ch.run_id FROM call_changes ch "
            "JOIN calls c ON c.id = ch.call_id WHERE c.source = ? AND c.external_id = ? ORDER BY ch.id",
            (source, external_id),
        )
        return [{**dict(r), "old": _decode(r["old"]), "new": _decode(r["new"])} for r in rows]

    def iter_calls(self, source: str | None = None) -> Iterable[Call]:
        """Every call in the archive (or of one source), in id order."""
        sql, args = "SELECT * FROM calls", ()
        if source:
            sql, args = sql + " WHERE source = ?", (source,)
        for row in self.conn.execute(sql + " ORDER BY id", args):
            yield row_to_call(row)

    def field_presence(self, source: str) -> dict[str, tuple[bool, bool, bool]]:
        """external id -> whether it has deadlines, a status and a title: what a schema-drift check compares,
        without decoding every stored call."""
        rows = self.conn.execute(
            "SELECT external_id, deadlines != '[]', status != '', trim(title) != '' FROM calls WHERE source = ?",
            (source,),
        )
        return {r[0]: (bool(r[1]), bool(r[2]), bool(r[3])) for r in rows}

    def count_calls(self, source: str | None = None) -> int:
        if source:
            return self.conn.execute("SELECT count(*) FROM calls WHERE source = ?", (source,)).fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM calls").fetchone()[0]

    def changes_between(self, start: datetime, end: datetime, kinds: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Changes recorded in [start, end), with the call's key; for digests and reports."""
        sql = (
            "SELECT c.source, c.external_id, ch.at, ch.kind, ch.old, ch.new FROM call_changes ch "
            "JOIN calls c ON c.id = ch.call_id WHERE ch.at >= ? AND ch.at < ?"
        )
        args: list[Any] = [utc_stamp(start), utc_stamp(end)]
        if kinds:
            sql += f" AND ch.kind IN ({', '.join('?' * len(kinds))})"
            args.extend(kinds)
        rows = self.conn.execute(sql + " ORDER BY ch.id", args)
        return [{**dict(r), "old": _decode(r["old"]), "new": _decode(r["new"])} for r in rows]

    def call_hashes(self) -> dict[tuple[str, str], str]:
        """(source, id) -> content hash of every call: what the matcher compares to find changed calls."""
        rows = self.conn.execute("SELECT source, external_id, content_hash FROM calls ORDER BY id")
        return {(r[0], r[1]): r[2] for r in rows}

    def calls_by_keys(self, keys: Sequence[tuple[str, str]]) -> list[Call]:
        """The given calls, in the given order (missing ones left out)."""
        found = {}
        for source, chunk in _by_source(keys):
            sql = f"SELECT * FROM calls WHERE source = ? AND external_id IN ({','.join('?' * len(chunk))})"
            for row in self.conn.execute(sql, [source, *chunk]):
                found[(row["source"], row["external_id"])] = row_to_call(row)
        return [found[k] for k in keys if k in found]

    def open_call_keys(self, today: date) -> set[tuple[str, str]]:
        """Calls one can still apply to: open or forthcoming, with a deadline ahead or none stated."""
        rows = self.conn.execute(
            f"SELECT c.source, c.external_id FROM calls c WHERE {STILL_OPEN}", {"today": today.isoformat()}
        )
        return {(r[0], r[1]) for r in rows}

    def calls_with_deadline_between(self, first: date, last: date) -> set[tuple[str, str]]:
        """Keys of listed calls with a deadline in [first, last]: the digest's "closing soon" candidates."""
        rows = self.conn.execute(
            "SELECT DISTINCT c.source, c.external_id FROM call_deadlines d JOIN calls c ON c.id = d.call_id "
            "WHERE d.deadline BETWEEN ? AND ? AND c.listed = 1",
            (first.isoformat(), last.isoformat()),
        )
        return {(r[0], r[1]) for r in rows}

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


def call_ids(conn: sqlite3.Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The archive's internal id of each given call (missing ones left out); for tables that refer to calls."""
    found = {}
    for source, chunk in _by_source(keys):
        sql = f"SELECT external_id, id FROM calls WHERE source = ? AND external_id IN ({','.join('?' * len(chunk))})"
        found.update(((source, r[0]), r[1]) for r in conn.execute(sql, [source, *chunk]))
    return found


def _by_source(keys: Iterable[tuple[str, str]], size: int = 500) -> Iterator[tuple[str, list[str]]]:
    """(source, ids) in chunks: each lookup goes through the (source, external_id) index, and the chunks
    stay below SQLite's limit on bound parameters."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for source, external_id in dict.fromkeys(keys):
        grouped[source].append(external_id)
    for source, ids in grouped.items():
        for start in range(0, len(ids), size):
            yield source, ids[start : start + size]


def _encode(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _decode(value: str | None) -> Any:
    return None if value is None else json.loads(value)
