"""The matching commands end to end on a temporary root holding a real recorded scan."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.store import Store
from tests.support.matching import NOW, OCEAN, REPO, add_calls, archive_root, corpus


@pytest.fixture
def root(tmp_path):
    return archive_root(tmp_path)


def run(root: Path, *args: str):
    result = CliRunner().invoke(main, ["--root", str(root), "--now", "2026-06-24", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_match_then_only_changes_are_scored(root):
    first = run(root, "match")
    assert "300 nye eller endrede" in first and "hav" in first
    assert "0 nye eller endrede" in run(root, "match")
    store = Store(root / "var/eumonitor.db")
    add_calls(store, corpus()[300:320])
    store.close()
    third = run(root, "match")
    assert "20 nye eller endrede" in third and "skåret på nytt" not in third


def test_editing_one_profile_rescores_that_profile_only(root):
    run(root, "match")
    path = root / "profiles/kultur.toml"
    path.write_text(path.read_text().replace("min_score = 0.25", "min_score = 0.3"))
    out = run(root, "match")
    assert "skåret på nytt mot hele arkivet: kultur\n" in out


def test_explain_shows_score_per_theme_and_ocean_words(root):
    run(root, "match")
    out = run(root, "explain", OCEAN)
    lines = out.splitlines()
    assert lines[1].split()[2] == "hav"  # the best theme comes first
    assert any(w in lines[2] for w in ("ocean", "marine", "coastal"))
    assert sum(1 for line in lines if "ord:" in line) == 9


def test_ranked_theme_matches_and_counts_in_the_store(root):
    run(root, "match")
    store = Store(root / "var/eumonitor.db")
    ranked = store.profile_matches("hav", today=NOW.date(), open_only=True, limit=5)
    assert ranked[0][1].score >= ranked[-1][1].score and ranked[0][1].why
    assert store.match_counts()["hav"] >= 5
    assert "hav" in {m.profile_id for m in store.matches_for_call("eu-funding-tenders", OCEAN)}
    store.close()


def test_only_matches_and_near_misses_are_stored_and_explain_computes_the_rest(root):
    run(root, "match")
    store = Store(root / "var/eumonitor.db")
    stored = store.conn.execute("SELECT count(*) FROM matches").fetchone()[0]
    assert 0 < stored < 300 * 9 / 2
    far = store.conn.execute("SELECT count(*) FROM matches WHERE state = 'below' AND score < 0.25 * 0.5").fetchone()[0]
    assert far == 0
    store.close()
    out = run(root, "explain", OCEAN)
    below = [line for line in out.splitlines() if "under terskel" in line]
    assert below  # themes it is far from are still shown, with score and reason
    assert "< terskel" in out


def test_preview_of_an_edited_file_shows_what_enters_and_leaves(root, tmp_path):
    run(root, "match")
    saved = run(root, "profile", "preview", "hav")
    assert OCEAN in saved and "Kommer inn" not in saved
    edited = tmp_path / "hav-edit.toml"
    text = (root / "profiles/hav.toml").read_text()
    edited.write_text(text.replace("exclude = []", 'exclude = ["tourism"]'))
    out = run(root, "profile", "preview", "hav", "--file", str(edited))
    assert OCEAN not in out.split("Kommer inn")[0]
    assert OCEAN in out.split("Går ut:")[1]


def test_search_by_theme_keeps_the_theme_matches_in_score_order(root):
    import json

    run(root, "match")
    rows = json.loads(run(root, "search", "--theme", "hav", "--json", "--limit", "50"))
    scores = [r["score"] for r in rows]
    assert rows and scores == sorted(scores, reverse=True) and min(scores) >= 0.25
    assert rows[0]["id"] in {m for m in run(root, "profile", "preview", "hav").split()}
    worded = json.loads(run(root, "search", "ocean", "--theme", "hav", "--json"))
    assert worded and all("score" in r for r in worded)
    assert {r["id"] for r in worded} <= {
        r["id"] for r in json.loads(run(root, "search", "ocean", "--json", "--limit", "500"))
    }


def test_search_by_theme_prints_the_theme_score(root):
    run(root, "match")
    text = run(root, "search", "--theme", "hav", "--limit", "3")
    assert text.count("temaskår ") == 3


# Two WordPress sources number their posts alike: the same id names different calls.
SHARED_ID = "4711"
OCEAN_POST = (
    "urbact",
    "Blue economy for coastal cities",
    "Ocean and coast: marine and maritime industries, fisheries and aquaculture, ports and shipping, "
    "blue economy in coastal communities, restoring ocean and waters, sea basin cooperation.",
)
OTHER_POST = (
    "eurocities",
    "Opera and theatre festivals",
    "Culture for all: opera, theatre, museums, libraries and festivals; audiences, artists and heritage.",
)


def add_shared_id_posts(root: Path, ocean_first: bool) -> None:
    """The ocean post and an off-theme post under one id, stored in the given order."""
    from eumonitor.model import RawCall
    from eumonitor.sources.normalize import normalize

    store = Store(root / "var/eumonitor.db")
    posts = [OCEAN_POST, OTHER_POST] if ocean_first else [OTHER_POST, OCEAN_POST]
    with store.transaction():
        for source, title, text in posts:
            raw = RawCall(
                source=source,
                external_id=SHARED_ID,
                title=title,
                url=f"https://{source}.example.org/?p={SHARED_ID}",
                description_text=text,
                status="open",
                deadlines=(date(2026, 9, 1),),
            )
            store.upsert_calls(source, [normalize(raw, NOW)], NOW, None, complete=False)
    store.close()


@pytest.mark.parametrize("ocean_first", [True, False])
def test_preview_names_the_call_by_source_when_two_sources_share_an_id(root, tmp_path, ocean_first):
    add_shared_id_posts(root, ocean_first)
    run(root, "match")
    out = run(root, "profile", "preview", "hav", "--limit", "400")
    shown = [line for line in out.splitlines() if f" {SHARED_ID} " in line]
    assert shown == [line for line in shown if f"{SHARED_ID} (urbact)  Blue economy for coastal cities" in line]
    assert len(shown) == 1 and OTHER_POST[1] not in out
    assert f"{OCEAN} " in out  # the EU portal's calls keep their bare id
    edited = tmp_path / "hav-edit.toml"
    text = (root / "profiles/hav.toml").read_text()
    edited.write_text(text.replace("exclude = []", 'exclude = ["aquaculture"]'))
    out = run(root, "profile", "preview", "hav", "--limit", "400", "--file", str(edited))
    assert f"{SHARED_ID} (urbact)" in out.split("Går ut:")[1] and f"{SHARED_ID} (eurocities)" not in out


@pytest.mark.parametrize("ocean_first", [True, False])
def test_web_preview_shows_the_right_call_when_two_sources_share_an_id(root, ocean_first):
    from dataclasses import replace

    from eumonitor.config.profiles import load_profiles
    from eumonitor.matching.incremental import current_model
    from eumonitor.web.preview import compare

    add_shared_id_posts(root, ocean_first)
    profiles, _ = load_profiles(root)
    store = Store(root / "var/eumonitor.db")
    try:
        model = current_model(store, profiles)
        saved = profiles["hav"]
        edited = replace(saved, exclude=("opera",))  # touches only the off-theme post
        rows, _ = compare(store, model, saved, edited, NOW.date())
        shared = [(r.call.source, r.call.title) for r in rows if r.call.external_id == SHARED_ID]
        assert shared == [("urbact", "Blue economy for coastal cities")]
        edited = replace(saved, exclude=("aquaculture",))  # drops the ocean post
        rows, leaving = compare(store, model, saved, edited, NOW.date())
        assert SHARED_ID not in {r.call.external_id for r in rows}
        assert [(r.call.source, r.call.title) for r in leaving if r.call.external_id == SHARED_ID] == [
            ("urbact", "Blue economy for coastal cities")
        ]
    finally:
        store.close()


def test_an_empty_archive_is_matched_previewed_and_run_without_a_traceback_then_fitted_once_calls_arrive(tmp_path):
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    shutil.copytree(REPO / "digests", tmp_path / "digests")
    (tmp_path / "config.toml").write_text(
        '[archive]\npath = "var/eumonitor.db"\n[web]\nbase_url = "http://127.0.0.1:8080"\n'
    )
    assert "arkivet har ingen utlysninger ennå" in run(tmp_path, "match")
    assert "Ingen åpne utlysninger treffer profilen ennå" in run(tmp_path, "profile", "preview", "hav")
    assert "2/4 Matching: arkivet har ingen utlysninger ennå" in run(tmp_path, "run", "--once")
    # The first calls after an empty start are fitted and scored, not held against an empty vocabulary.
    store = Store(tmp_path / "var/eumonitor.db")
    add_calls(store, corpus()[:1])
    store.close()
    assert "full gjenoppbygging" in run(tmp_path, "match")
