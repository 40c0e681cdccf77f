"""One model cache per app: the call page and the profile page read the stored vectors once, not per request."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from eumonitor.config import load_config
from eumonitor.config.profiles import load_profiles
from eumonitor.context import AppContext
from eumonitor.matching import incremental, vectors
from eumonitor.matching.incremental import ModelCache
from eumonitor.store import Store
from eumonitor.web import create_app
from tests.support.matching import NOW, OCEAN, SOURCE, add_calls, archive_root, corpus


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return archive_root(tmp_path, "\n[web]\ncookie_secure = false\n")


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how often a cache reads the model from the archive."""
    counted: list[int] = []
    real = incremental.current_model

    def counting(store, profiles=None):
        counted.append(1)
        return real(store, profiles)

    monkeypatch.setattr(incremental, "current_model", counting)
    return counted


def match(root: Path) -> None:
    store = Store(root / "var/eumonitor.db")
    incremental.run_match(store, load_profiles(root)[0], NOW)
    store.close()


def test_the_cache_reads_the_vectors_again_only_when_a_match_run_or_the_archive_changed_them(
    root: Path, loads: list[int]
) -> None:
    match(root)
    store = Store(root / "var/eumonitor.db")
    models = ModelCache()
    first = models.get(store)
    assert models.get(store) is first and len(loads) == 1
    add_calls(store, corpus()[300:310])  # the archive moved: the cached model no longer has these calls
    second = models.get(store)
    assert second is not first and len(second.keys) == 310 and len(loads) == 2
    incremental.run_match(store, load_profiles(root)[0], NOW)  # keeps those vectors: a new revision
    assert len(models.get(store).keys) == 310 and len(loads) == 3
    assert models.get(store) is models.get(store) and len(loads) == 3
    store.close()


def test_threads_asking_at_once_share_one_load(root: Path, loads: list[int]) -> None:
    match(root)
    store = Store(root / "var/eumonitor.db")
    models, got = ModelCache(), []
    threads = [threading.Thread(target=lambda: got.append(models.get(store))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(got) == 6 and all(m is got[0] for m in got) and len(loads) == 1
    store.close()


def test_explain_scores_with_the_model_it_is_given(root: Path) -> None:
    match(root)
    profiles = load_profiles(root)[0]
    store = Store(root / "var/eumonitor.db")
    stored = incremental.explain(store, profiles, None, (SOURCE, OCEAN))
    assert 0 < len(stored) < len(profiles)  # without a model: only what the match run stored
    every = incremental.explain(store, profiles, vectors.load_model(store), (SOURCE, OCEAN))
    assert {m.profile_id for m in every} == set(profiles) and every[0].profile_id == "hav"
    store.close()


def test_the_call_page_and_the_profile_page_share_the_apps_one_cache(root: Path, loads: list[int]) -> None:
    match(root)
    ctx = AppContext(config=load_config(root), fixed_now=NOW)
    app = create_app(ctx)
    client = app.test_client()
    titles = [p.title for p in load_profiles(root)[0].values()]
    for _ in range(2):
        page = client.get(f"/call/{SOURCE}/{OCEAN}")
        assert page.status_code == 200 and "Treff per tema" in page.get_data(as_text=True)
        assert all(title in page.get_data(as_text=True) for title in titles)  # every theme, stored or not
    assert client.get("/profiles/hav").status_code == 200
    assert isinstance(app.extensions["eumonitor.models"], ModelCache) and len(loads) == 1
    other = create_app(ctx)  # no module globals: another app has its own cache
    assert other.extensions["eumonitor.models"] is not app.extensions["eumonitor.models"]
    ctx.close()


def test_a_call_page_before_any_match_run_never_fits_the_archive(root: Path, loads: list[int]) -> None:
    ctx = AppContext(config=load_config(root), fixed_now=NOW)
    page = create_app(ctx).test_client().get(f"/call/{SOURCE}/{OCEAN}")
    assert page.status_code == 200 and "Ikke vurdert mot noe tema ennå" in page.get_data(as_text=True)
    assert loads == []
    ctx.close()
