"""The matcher's kept vectors live in the archive as plain data, written with the matches: no pickle, no drift."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.config.profiles import load_profiles
from eumonitor.matching import incremental, vectors
from eumonitor.matching import score as matcher
from eumonitor.model import Keyword
from eumonitor.store import Store
from tests.support.matching import NOW, OCEAN, REPO, SOURCE, archive_root, corpus
from tests.support.matching import add_calls as add_to_store


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return archive_root(tmp_path)


def add_calls(root: Path, calls) -> None:
    store = Store(root / "var/eumonitor.db")
    add_to_store(store, calls)
    store.close()


def run(root: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--root", str(root), "--now", "2026-06-24", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def stored_matches(store: Store) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute("SELECT * FROM matches ORDER BY profile_id, call_id")]


def test_match_writes_no_pickle_and_another_process_explains_from_the_stored_vectors(root: Path) -> None:
    run(root, "match")
    assert list((root / "var").rglob("*.pkl")) == []
    store = Store(root / "var/eumonitor.db")
    assert store.model_revision() is not None
    stored = {m.profile_id for m in store.matches_for_call(SOURCE, OCEAN)}
    store.close()
    assert 0 < len(stored) < 9  # the far themes are not stored: explain must score them from the vectors
    command = [sys.executable, "-m", "eumonitor", "--root", str(root), "--now", "2026-06-24", "explain", OCEAN]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sum(1 for line in done.stdout.splitlines() if "ord:" in line) == 9
    assert "under terskel" in done.stdout


def test_an_old_pickle_next_to_the_archive_is_never_read(root: Path) -> None:
    old = root / "var/eumonitor.matcher.pkl"
    old.write_bytes(b"\x80\x05not a model; loading this would run code")
    out = run(root, "match")
    assert "300 nye eller endrede" in out  # fitted from the archive, not from the file
    assert old.read_bytes().startswith(b"\x80\x05not a model")


def test_no_module_imports_pickle() -> None:
    found = []
    for path in (REPO / "eumonitor").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("pickle", "cPickle", "dill", "joblib")]
    assert found == []


def test_a_crash_inside_the_match_transaction_leaves_matches_and_vectors_as_they_were(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles, _ = load_profiles(root)
    store = Store(root / "var/eumonitor.db")
    incremental.run_match(store, profiles, NOW)
    before, revision = stored_matches(store), store.model_revision()
    store.close()
    add_calls(root, corpus()[300:320])
    store = Store(root / "var/eumonitor.db")

    def crash(*args, **kwargs):
        raise RuntimeError("disk full half-way through the profiles")

    # The vectors are written first in the transaction, so this fails after them: both must roll back.
    with monkeypatch.context() as patch:
        patch.setattr(store, "save_matches", crash)
        with pytest.raises(RuntimeError):
            incremental.run_match(store, profiles, NOW)
    assert stored_matches(store) == before and store.model_revision() == revision
    assert len(vectors.load_model(store).keys) == 300
    # Nothing was lost: the next run scores the same 20 calls again.
    report = incremental.run_match(store, profiles, NOW)
    assert report.calls_scored == 20 and not report.rebuilt
    assert store.model_revision() == (revision[0] + 1, revision[1])
    assert len(vectors.load_model(store).keys) == 320
    store.close()


def test_a_profile_edit_after_reopening_rescores_that_profile_without_a_refit(root: Path) -> None:
    profiles, _ = load_profiles(root)
    store = Store(root / "var/eumonitor.db")
    incremental.run_match(store, profiles, NOW)
    revision = store.model_revision()
    store.close()
    hav = profiles["hav"]
    edited = {**profiles, "hav": replace(hav, keywords=(*hav.keywords, Keyword("seals", 2.0)))}
    store = Store(root / "var/eumonitor.db")
    report = incremental.run_match(store, edited, NOW)
    assert not report.rebuilt and report.calls_scored == 0 and report.profiles_rescored == ["hav"]
    assert store.model_revision() == revision  # nothing new to keep: the vectors were not written again
    store.close()


def test_stored_vectors_score_exactly_like_the_fitted_model() -> None:
    profiles = list(load_profiles(REPO)[0].values())
    model = matcher.fit(corpus()[:250], stamp="s1", phrases=matcher.profile_phrases(profiles))
    back = vectors.from_state(vectors.to_state(model))
    assert back is not None and back.keys == model.keys and back.stamp == "s1" and back.fitted_rows == 250
    for profile in profiles:
        assert matcher.score_profile(back, profile) == matcher.score_profile(model, profile)
    # And it goes on as the live one would: the same new calls get the same vectors.
    assert matcher.update(back, corpus()[240:280]) == matcher.update(model, corpus()[240:280])
    assert np.array_equal(back.matrix.toarray(), model.matrix.toarray())


def test_vectors_of_another_version_layout_or_shape_are_fitted_again() -> None:
    model = matcher.fit(corpus()[:50], stamp="s1")
    state = vectors.to_state(model)
    assert vectors.from_state({**state, "model_version": vectors.MODEL_VERSION + 1}) is None
    assert vectors.from_state({**state, "format": vectors.VECTORS_FORMAT + 1}) is None
    assert vectors.from_state({**state, "matrix": b"garbage"}) is None
    sources, ids = json.loads(state["keys"])
    assert vectors.from_state({**state, "keys": json.dumps([sources[:-1], ids[:-1]])}) is None  # a row short
    assert vectors.from_state(None) is None


def test_a_version_bump_refits_and_rescores_every_profile(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profiles, _ = load_profiles(root)
    store = Store(root / "var/eumonitor.db")
    incremental.run_match(store, profiles, NOW)
    monkeypatch.setattr(vectors, "MODEL_VERSION", vectors.MODEL_VERSION + 1)
    report = incremental.run_match(store, profiles, NOW)
    assert report.rebuilt and sorted(report.profiles_rescored) == sorted(profiles)
    store.close()


def test_the_store_keeps_vectors_only_inside_a_transaction(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    state = vectors.to_state(matcher.fit(corpus()[:20], stamp="s1"))
    with pytest.raises(RuntimeError):
        store.put_model_state(state)
    with store.transaction():
        assert store.put_model_state(state) == 1
    with store.transaction():
        assert store.put_model_state(state) == 2
    assert store.model_revision() == (2, "s1")
    assert store.conn.execute("SELECT count(*) FROM match_model").fetchone()[0] == 1
    store.close()
