"""The archive: history of changes, never deleting, unlisting only after complete scans, search."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from eumonitor.model import Budget, RawCall
from eumonitor.sources.normalize import normalize
from eumonitor.store import Store
from eumonitor.store.search import SearchQuery

T1 = datetime(2026, 6, 17, 10, tzinfo=UTC)
T2 = datetime(2026, 6, 24, 10, tzinfo=UTC)


def call(ident: str, title: str = "Restoring ocean and coastal waters", **changes):
    raw = RawCall(
        source="eu",
        external_id=ident,
        title=title,
        url=f"https://example.org/{ident}",
        description_text="Coastal cities restore marine ecosystems with local communities.",
        programme="Horizon Europe",
        programme_id="43108390",
        status="open",
        deadlines=(date(2026, 9, 22),),
        budget=Budget(total=10_000_000),
    )
    return normalize(replace(raw, **changes), T1)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "var" / "archive.db")
    yield s
    s.close()


def upsert(store, calls, now, complete=True):
    with store.transaction():
        return store.upsert_calls("eu", calls, now, None, complete)


def test_changes_are_recorded_by_kind_and_calls_are_never_deleted(store):
    upsert(store, [call("A"), call("B"), call("C")], T1)
    moved = call("A", deadlines=(date(2026, 10, 6),))
    bigger = call("B", budget=Budget(total=12_000_000), title="Restoring ocean waters")
    changes = upsert(store, [moved, bigger], T2)
    assert changes.changed == ("A", "B") and changes.unlisted == ("C",) and changes.new == ()
    kinds = [h["kind"] for h in store.call_history("eu", "A")]
    assert kinds == ["new", "deadline_moved"]
    assert store.call_history("eu", "A")[1]["old"] == ["2026-09-22"]
    assert {h["kind"] for h in store.call_history("eu", "B")} == {"new", "budget_changed", "title_changed"}
    assert store.count_calls() == 3
    assert store.call_record("eu", "C")["listed"] == 0
    # It comes back: relisted, not new.
    again = upsert(store, [moved, bigger, call("C")], T2.replace(day=25))
    assert again.changed == ("C",)
    assert store.call_history("eu", "C")[-1]["kind"] == "relisted"


def test_partial_scan_never_unlists(store):
    upsert(store, [call("A"), call("B")], T1)
    changes = upsert(store, [call("A")], T2, complete=False)
    assert changes.unlisted == ()
    assert store.call_record("eu", "B")["listed"] == 1


def test_failed_transaction_leaves_nothing(store):
    upsert(store, [call("A")], T1)
    with pytest.raises(RuntimeError), store.transaction():
        store.upsert_calls("eu", [call("B"), call("A", title="Changed")], T2, None, True)
        raise RuntimeError("crash half-way")
    assert store.count_calls() == 1
    assert store.get_call("eu", "A").title == "Restoring ocean and coastal waters"


def test_reopening_keeps_data_and_uses_wal(tmp_path):
    path = tmp_path / "a.db"
    first = Store(path)
    upsert(first, [call("A")], T1)
    first.close()
    second = Store(path)
    assert second.get_call("eu", "A").deadlines == (date(2026, 9, 22),)
    assert second.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    second.close()


def test_search_ranks_title_hits_first_and_survives_odd_input(store):
    upsert(
        store,
        [
            call("OCEAN-1"),
            call(
                "HEALTH-1",
                title="Mental health of young people",
                description_text="Schools and the ocean of data on wellbeing.",
            ),
        ],
        T1,
    )
    rows, total = store.search(SearchQuery(text="ocean"), date(2026, 7, 1))
    assert total == 2 and rows[0]["external_id"] == "OCEAN-1"
    for odd in ['"', "ocean AND", "NEAR(", "*", "ocean' OR 1=1 --"]:
        store.search(SearchQuery(text=odd), date(2026, 7, 1))  # no FTS syntax error reaches the user
    rows, _ = store.search(SearchQuery(text="health-1"), date(2026, 7, 1))
    assert rows[0]["external_id"] == "HEALTH-1"
    # All words first, then any word: a half-remembered query still finds something.
    rows, total = store.search(SearchQuery(text="ocean submarine"), date(2026, 7, 1))
    assert total >= 1


def test_status_today_closes_calls_whose_deadlines_passed(store):
    upsert(store, [call("A"), call("B", deadlines=(date(2026, 12, 1),))], T1)
    rows, _ = store.search(SearchQuery(status="closed"), date(2026, 10, 1))
    assert [r["external_id"] for r in rows] == ["A"]
    rows, _ = store.search(SearchQuery(status="open"), date(2026, 10, 1))
    assert [(r["external_id"], r["next_deadline"]) for r in rows] == [("B", "2026-12-01")]


def test_threads_write_in_their_own_transactions(store):
    """Two web requests saving at once: neither lands inside the other's transaction, both are kept."""
    import threading

    started, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow_writer():
        try:
            with store.transaction():
                store.upsert_calls("eu", [call("SLOW")], T1, None, complete=False)
                started.set()
                release.wait(5)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    worker = threading.Thread(target=slow_writer)
    worker.start()
    assert started.wait(5)
    # Meanwhile another thread writes (it waits for the lock rather than joining the open transaction).
    other = threading.Thread(target=lambda: upsert(store, [call("FAST")], T1, complete=False))
    other.start()
    release.set()
    worker.join(10)
    other.join(10)
    assert errors == []
    assert store.get_call("eu", "SLOW") is not None and store.get_call("eu", "FAST") is not None


def test_the_schema_is_one_ordered_list_and_a_new_entry_runs_once_on_an_existing_archive(tmp_path, monkeypatch):
    from eumonitor.store import schema

    versions = [v for v, _ in schema.MIGRATIONS]
    assert versions == sorted(set(versions))  # ordered, no version twice
    path = tmp_path / "a.db"
    first = Store(path)
    upsert(first, [call("A")], T1)
    recorded = [r[0] for r in first.conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert recorded == versions
    first.close()
    # A schema change is one entry at the end of the list: an existing archive runs it once, keeping its data.
    added = (versions[-1] + 1, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);")
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, added])
    for _ in range(2):
        again = Store(path)
        assert again.get_call("eu", "A") is not None
        again.conn.execute("INSERT INTO notes(text) VALUES ('x')")
        assert again.conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(versions) + 1
        again.close()


def test_no_store_module_but_schema_declares_migrations():
    import pathlib
    import re

    import eumonitor.store

    folder = pathlib.Path(eumonitor.store.__file__).parent
    declares = re.compile(r"^\s*MIGRATIONS\b[^=\n]*=", re.MULTILINE)
    declaring = sorted(p.name for p in folder.glob("*.py") if declares.search(p.read_text(encoding="utf-8")))
    assert declaring == ["schema.py"]


def test_profile_matches_needs_the_callers_today(store):
    with pytest.raises(TypeError):
        store.profile_matches("hav")  # the server's date.today() may not be the city's today
    assert store.profile_matches("hav", today=date(2026, 7, 1)) == []


def test_calls_by_keys_and_saved_matches_keep_two_sources_with_one_id_apart(store):
    from eumonitor.model import Match

    upsert(store, [call("A"), call("B")], T1)
    with store.transaction():
        store.upsert_calls("other", [replace(call("A", title="Other source's A"), source="other")], T1, None, True)
    keys = [("other", "A"), ("eu", "missing"), ("eu", "B"), ("eu", "A")]
    assert [(c.source, c.external_id) for c in store.calls_by_keys(keys)] == [("other", "A"), ("eu", "B"), ("eu", "A")]
    with store.transaction():
        saved = store.save_matches("hav", [Match("hav", "other", "A", 0.9), Match("hav", "eu", "gone", 0.8)], T2)
    assert saved == 1  # a call the archive does not hold is left out
    assert [m.score for m in store.matches_for_call("other", "A")] == [0.9] and store.matches_for_call("eu", "A") == []
