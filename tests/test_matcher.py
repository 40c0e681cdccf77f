"""The matcher on a real recorded EU portal scan: edits move rankings, excludes remove, "why" names the theme."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from eumonitor.config.profiles import load_profiles
from eumonitor.matching import score as matcher
from eumonitor.matching.evaluation import scan_calls
from eumonitor.model import Keyword

REPO = Path(__file__).resolve().parents[1]
SCAN = REPO / "tests/fixtures/ft-portal/scans/2026-06-24"
OCEAN_WORDS = {"ocean", "marine", "sea", "coastal", "fisheries", "maritime", "blue economy", "aquaculture"}


@cache
def corpus():
    return scan_calls([SCAN], datetime(2026, 6, 24, tzinfo=UTC))


@cache
def model():
    return matcher.fit(corpus())


@pytest.fixture(scope="module")
def profiles():
    return load_profiles(REPO)[0]


def ranking(profile) -> list[str]:
    matches, _ = matcher.score_profile(model(), profile)
    return [m.external_id for m in sorted(matches, key=lambda m: (-m.score, m.external_id))]


def by_id(profile) -> dict:
    return {m.external_id: m for m in matcher.score_profile(model(), profile)[0]}


def test_ocean_mission_calls_lead_the_ocean_theme_and_why_names_ocean_words(profiles):
    top = ranking(profiles["hav"])[:5]
    assert all("OCEAN" in i or "D5" in i for i in top)
    why = by_id(profiles["hav"])["HORIZON-MISS-2027-03-OCEAN-04"].why
    assert why and set(why) & OCEAN_WORDS


def test_scores_are_calibrated_between_zero_and_one_in_every_theme(profiles):
    for profile in profiles.values():
        scores = [m.score for m in matcher.score_profile(model(), profile)[0]]
        assert min(scores) >= 0.0 and max(scores) == 1.0
        # A theme keeps a selective list: most of the archive stays below the threshold.
        assert sum(s >= profile.min_score for s in scores) < len(scores) / 2


def test_adding_a_keyword_lifts_calls_about_it(profiles):
    hav = profiles["hav"]
    before = ranking(hav)
    edited = replace(hav, keywords=hav.keywords + (Keyword("tourism", 4.0),))
    after = ranking(edited)
    tourism = [c.external_id for c in corpus() if "tourism" in c.title.lower() and c.external_id in before[:60]]
    assert tourism
    assert all(after.index(i) < before.index(i) for i in tourism)


def test_an_exclude_term_removes_a_call_and_says_why(profiles):
    hav = profiles["hav"]
    target = "HORIZON-MISS-2027-03-OCEAN-04"  # coastal and freshwater sustainable tourism
    assert by_id(hav)[target].state == "match"
    match = by_id(replace(hav, exclude=("sustainable tourism",)))[target]
    assert match.state == "excluded" and "sustainable tourism" in match.reason


def test_below_threshold_is_kept_with_its_reason(profiles):
    match = by_id(replace(profiles["hav"], min_score=0.99))["HORIZON-MISS-2027-03-OCEAN-04"]
    assert match.state == "below" and "terskel" in match.reason


def test_programme_filter_keeps_other_programmes_out(profiles):
    only_erasmus = replace(profiles["hav"], programmes=("Erasmus",))
    ocean = by_id(only_erasmus)["HORIZON-MISS-2027-03-OCEAN-04"]
    assert ocean.state == "excluded" and "program" in ocean.reason


def test_incremental_update_scores_like_a_fit_with_the_same_vocabulary(profiles):
    calls = corpus()
    incremental = matcher.fit(calls[:400])
    rows = matcher.update(incremental, calls[380:])  # 20 known again, the rest new
    assert len(incremental.keys) == len(calls) and rows[0] == 380
    full = matcher.fit(calls[:400])
    full.keys, full.matrix = [c.key for c in calls], full.vectorizer.transform(map(matcher.call_document, calls))
    for profile in list(profiles.values())[:3]:
        a, _ = matcher.score_profile(incremental, profile, scale=1.0)
        b, _ = matcher.score_profile(full, profile, scale=1.0)
        assert [m.score for m in a] == pytest.approx([m.score for m in b], abs=1e-4)


def test_why_collapses_near_duplicates_and_phrases_count_their_inflections():
    analyzer = matcher.PhraseAnalyzer(["sea basin", "sea basins", "assistive technology"])
    counted = analyzer("Sea basins and the sea basin; assistive technologies.")
    assert counted["sea basin"] == 2 and "sea basins" not in counted
    assert counted["assistive technology"] == 1
    assert matcher._covered("sea basin", frozenset({"sea", "basin"}), [("sea basin", frozenset({"sea", "basin"}))])
    for match in matcher.score_profile(model(), load_profiles(REPO)[0]["hav"])[0][:200]:
        keys = [matcher.stem_key(t) for t in match.why]
        assert len(keys) == len(set(keys))


def test_stemming_keeps_words_apart_that_a_suffix_would_merge():
    # "career" is not "care" plus a Norwegian "-er": a care profile must not take research careers.
    assert matcher.stem("career") == matcher.stem("careers") != matcher.stem("care")
    assert matcher.stem("engineer") != matcher.stem("engine")
    assert matcher.stem("internet") != matcher.stem("intern")
    assert matcher.stem("planet") != matcher.stem("plan")
    # The endings it is there for still go: English plurals and verb forms, Norwegian definite and plural forms.
    assert matcher.stem("oceans") == matcher.stem("ocean")
    assert matcher.stem("buildings") == matcher.stem("building") == matcher.stem("build")
    assert matcher.stem("hjemmetjenester") == matcher.stem("hjemmetjenesten") == matcher.stem("hjemmetjenestene")


def test_care_theme_does_not_match_careers(profiles):
    velferd = profiles["velferdsteknologi"]
    query = matcher.profile_vector(model(), velferd)
    vocabulary = model().vectorizer.vocabulary_
    assert {"career", "careers"} <= vocabulary.keys()
    assert query[vocabulary["career"]] == query[vocabulary["careers"]] == 0
    assert query[vocabulary["care"]] > 0


def test_a_local_public_role_lifts_a_call_only_on_its_theme(profiles):
    m = model()
    factors = matcher.role_factors(m)
    assert factors.min() >= 1.0 and factors.max() == pytest.approx(1.0 + matcher.ROLE_BOOST)
    # The boost multiplies: a call with no theme words stays at zero however local it is.
    scored = matcher.score(m, profiles["hav"])
    raw = matcher.raw_scores(m, scored.query)
    assert np.all((raw == 0) <= (scored.scores == 0))
    # Scoring some rows with the fitted scale gives the same as scoring all of them.
    rows = [3, 50, 120]
    part = matcher.score(m, profiles["hav"], rows, scale=scored.scale)
    assert part.scores.tolist() == pytest.approx(scored.scores[rows].tolist(), abs=1e-4)
