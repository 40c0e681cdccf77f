"""'Kan vi delta?': verdicts from the programme list, the topic's conditions, external action and the sources' own
country and applicant lists, on real recorded calls; the rules are data staff can change, strictly checked."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.config import ConfigError, load_config
from eumonitor.config.participation import DEFAULT, load_participation
from eumonitor.matching.participation import judge
from eumonitor.model import Call, ParticipationRules, SourceSpec
from eumonitor.sources import interreg_eu
from eumonitor.sources.normalize import normalize
from tests.support.aggregators import interreg_answer
from tests.support.matching import corpus


@cache
def rules() -> ParticipationRules:
    found, problems = load_participation(Path("/nonexistent-root"))  # no root file: the packaged rules
    assert problems == [] and found is not None
    return found


def recorded(identifier: str) -> Call:
    """One call of the recorded 2026-06-24 portal scan, as a collect stores it."""
    return next(c for c in corpus() if c.external_id == identifier)


def test_a_topic_limited_to_member_states_is_nei_with_the_sentence_that_says_so():
    # Recorded: participation limited to Member States and the Euratom programme's associates (Ukraine, Switzerland).
    verdict = judge(recorded("HORIZON-EURATOM-2027-01-01"), rules())
    assert verdict.verdict == "nei"
    condition = next(f for f in verdict.factors if f.kind == "conditions")
    assert condition.reason == "Vilkårene begrenser deltakelsen til EUs medlemsland."
    assert "participation is limited to legal entities established in Member States" in condition.evidence


def test_a_restriction_that_names_norway_lets_the_city_take_part():
    verdict = judge(recorded("HORIZON-WIDERA-2027-05-ERA-05"), rules())
    assert verdict.verdict == "ja"
    assert "Norge (eller EØS) er blant landene" in verdict.reason
    assert any("Norway" in f.evidence for f in verdict.factors if f.kind == "conditions")


def test_the_same_sentence_without_norway_is_a_nei():
    # Built by hand from the recorded topic: its conditions with Norway and Iceland taken out.
    call = recorded("HORIZON-WIDERA-2027-05-ERA-05")
    cut = str(call.extra["conditions"]).replace(" and the following Associated Countries: Norway and Iceland", "")
    assert cut != call.extra["conditions"]
    assert judge(replace(call, extra={**call.extra, "conditions": cut}), rules()).verdict == "nei"


@pytest.mark.parametrize(
    ("identifier", "country"),
    [("EuropeAid/186661/DD/ACT/JM", "Jamaica"), ("EuropeAid/187085/DD/ACT/ZW", "Zimbabwe")],
)
def test_external_action_for_a_partner_country_is_nei_naming_the_country(identifier, country):
    verdict = judge(recorded(identifier), rules())
    assert verdict.verdict == "nei"
    assert f"rettet mot aktører i {country}" in verdict.reason


def test_external_action_for_several_partner_countries_is_limited():
    verdict = judge(recorded("EuropeAid/186152/DD/ACT/Multi"), rules())
    assert verdict.verdict == "begrenset" and "flere partnerland" in verdict.reason


@pytest.mark.parametrize(
    ("identifier", "verdict", "words"),
    [
        ("HORIZON-MISS-2027-03-OCEAN-04", "ja", "Horisont Europa"),
        ("LIFE-2026-SAP-CLIMA-CCA", "begrenset", "LIFE står ikke på regjeringens liste"),
        ("CEF-DIG-2026-CABLE-REPAIR-CAPACITIES-WORKS", "nei", "Connecting Europe Facility"),
        ("CERV-2026-CITIZENS-TOWN-TT", "ukjent", "CERV står ikke på regjeringens liste"),
    ],
)
def test_the_programme_decides_when_nothing_else_does(identifier, verdict, words):
    found = judge(recorded(identifier), rules())
    assert found.verdict == verdict and words in found.reason


def test_a_sources_country_list_without_norway_is_nei_and_the_role_comes_from_its_audiences():
    hit = interreg_answer()["results"][0]["hits"][0]  # recorded: the 3rd Interreg Sudoe call (ES, FR, PT, AD)
    options = interreg_eu.Options(app_id="TEST", api_key="public-search-key-for-tests")
    spec = SourceSpec(id="interreg-eu", kind="interreg_eu", url="https://interreg.eu/search", options=options)
    call = normalize(interreg_eu.hit_call(spec, options, hit), datetime(2026, 8, 20, tzinfo=UTC))
    verdict = judge(call, rules())
    assert verdict.verdict == "nei"
    assert verdict.reason == "Kilden lister landene som kan delta, og Norge er ikke blant dem."
    assert verdict.role is not None and verdict.role.reason == "Kommuner er blant søkertypene kilden oppgir."
    assert "Local public authority" in verdict.role.evidence


def test_the_municipal_role_is_explained_from_the_calls_text():
    verdict = judge(recorded("HORIZON-EIC-2026-PRIZE-ICAPITAL-01"), rules())
    assert verdict.role is not None
    assert verdict.role.reason.startswith("Teksten nevner en mulig rolle for kommunen")
    assert "cit" in verdict.role.evidence.lower()


def test_staff_can_change_a_rule_in_the_roots_own_file(tmp_path):
    text = DEFAULT.read_text(encoding="utf-8")
    changed = text.replace(
        'verdict = "nei"\nnote = "Connecting Europe Facility står ikke',
        'verdict = "ja"\nnote = "Connecting Europe Facility står ikke',
    )
    assert changed != text
    (tmp_path / "participation.toml").write_text(changed, encoding="utf-8")
    own, problems = load_participation(tmp_path)
    assert problems == [] and own.path == "participation.toml"
    assert judge(recorded("CEF-DIG-2026-CABLE-REPAIR-CAPACITIES-WORKS"), own).verdict == "ja"


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (('verdict = "nei"', 'verdict = "kanskje"'), "ukjent verdi «kanskje»"),
        (("'\\bonly [^.;]{0,40}Member States',", "'(unclosed',"), "ugyldig regulært uttrykk «(unclosed»"),
        (("[external_action]", "[external_actions]"), "ukjent nøkkel 'external_actions'"),
    ],
)
def test_a_bad_rules_file_stops_check_naming_file_and_line(tmp_path, edit, said):
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    text = DEFAULT.read_text(encoding="utf-8")
    assert edit[0] in text
    broken = text.replace(edit[0], edit[1], 1)
    (tmp_path / "participation.toml").write_text(broken, encoding="utf-8")
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "check"])
    assert result.exit_code == 2
    assert said in result.output
    if "[external_actions]" not in edit[1]:  # the line of the entry that is wrong, not of the first like it
        line = broken[: broken.index(edit[1])].count("\n") + 1
        assert f"participation.toml:{line} " in result.output
    with pytest.raises(ConfigError):
        load_config(tmp_path)


# ---------------------------------------------------------------- in the digest


def test_a_nei_call_never_reaches_the_digest_and_is_listed_under_holdt_utenfor():
    from eumonitor.digests.build import IsoWeek, build_digest, period_for
    from eumonitor.digests.render import render_digest
    from tests.support.digest import NOW, OSLO, SPEC, change, inputs, match

    jamaica, ocean = recorded("EuropeAid/186661/DD/ACT/JM"), recorded("HORIZON-MISS-2027-03-OCEAN-04")
    calls = [jamaica, ocean]
    data = replace(
        inputs(calls, [match(jamaica, "kultur", 0.9), match(ocean, "hav", 0.5)], [change(c, "new") for c in calls]),
        participation={c.key: judge(c, rules()) for c in calls},
    )
    week = IsoWeek(2026, 26)
    digest = build_digest(SPEC, SPEC.subscribers[0], week, period_for(week, NOW, None, OSLO), data)
    assert [i.identifier for i in digest.new] == [ocean.external_id]
    assert digest.new[0].participation == "ja" and "Horisont Europa" in digest.new[0].participation_reason
    assert [i.identifier for i in digest.not_eligible] == [jamaica.external_id]
    rendered = render_digest(digest)
    for part in (rendered.text, rendered.html):
        assert "Holdt utenfor" in part or "HOLDT UTENFOR" in part
        assert "rettet mot aktører i Jamaica" in part
        assert "Kan vi delta?" in part
    # An edition that asks for everything gets it, still marked.
    everything = build_digest(
        replace(SPEC, include_not_eligible=True), SPEC.subscribers[0], week, period_for(week, NOW, None, OSLO), data
    )
    assert {i.identifier for i in everything.new} == {jamaica.external_id, ocean.external_id}
    assert next(i for i in everything.new if i.identifier == jamaica.external_id).participation == "nei"


# ---------------------------------------------------------------- on the call page, in explain and search --json


@pytest.fixture
def root(tmp_path):
    from tests.support.matching import archive_root

    return archive_root(tmp_path, "[web]\ncookie_secure = false\n", calls=len(corpus()))


def test_the_call_page_says_whether_we_can_take_part_and_why(root):
    from eumonitor.context import AppContext
    from eumonitor.web import create_app

    ctx = AppContext(load_config(root), "2026-06-24")
    try:
        client = create_app(ctx).test_client()
        html = client.get("/call/eu-funding-tenders/EuropeAid/186661/DD/ACT/JM").get_data(as_text=True)
        assert "Kan vi delta?" in html and "can-nei" in html
        assert "rettet mot aktører i Jamaica" in html
        page = client.get("/call/eu-funding-tenders/HORIZON-WIDERA-2027-05-ERA-05").get_data(as_text=True)
        assert "can-ja" in page and "Associated Countries: Norway and Iceland" in page
    finally:
        ctx.close()


def test_explain_and_search_json_carry_the_verdict(root):
    import json

    runner = CliRunner()
    assert runner.invoke(main, ["--root", str(root), "--now", "2026-06-24", "match"]).exit_code == 0
    explained = runner.invoke(
        main, ["--root", str(root), "--now", "2026-06-24", "explain", "EuropeAid/186661/DD/ACT/JM"]
    )
    assert explained.exit_code == 0, explained.output
    assert "Kan vi delta? Nei – Ekstern bistand (EuropeAid) rettet mot aktører i Jamaica" in explained.output
    assert "holdt utenfor sammendragene" in explained.output
    found = runner.invoke(main, ["--root", str(root), "--now", "2026-06-24", "search", "--json", "Jamaica"])
    rows = json.loads(found.stdout)
    jamaica = next(r for r in rows if r["id"] == "EuropeAid/186661/DD/ACT/JM")
    assert jamaica["participation"]["verdict"] == "nei"
    assert {f["kind"] for f in jamaica["participation"]["factors"]} >= {"programme", "external", "role"}


def test_norge_kan_delta_in_search_takes_the_programmes_norway_is_in():
    from eumonitor.matching.participation import norway_programme_ids

    ids = norway_programme_ids(rules())
    assert "43108390" in ids and "43353764" in ids  # Horizon Europe, Erasmus+
    assert "43251567" not in ids and "43252405" not in ids  # Connecting Europe Facility (nei), LIFE (begrenset)
    assert norway_programme_ids(None) == ()


def test_a_week_whose_every_match_is_held_back_still_says_so():
    from eumonitor.digests.build import IsoWeek, build_digest, period_for
    from eumonitor.digests.render import render_digest
    from tests.support.digest import NOW, OSLO, SPEC, change, inputs, match

    jamaica = recorded("EuropeAid/186661/DD/ACT/JM")
    data = replace(
        inputs([jamaica], [match(jamaica, "kultur", 0.9)], [change(jamaica, "new")]),
        participation={jamaica.key: judge(jamaica, rules())},
    )
    week = IsoWeek(2026, 26)
    digest = build_digest(SPEC, SPEC.subscribers[0], week, period_for(week, NOW, None, OSLO), data)
    assert digest.is_empty and digest.not_eligible_total == 1
    text = render_digest(digest).text
    assert "HOLDT UTENFOR" in text and "rettet mot aktører i Jamaica" in text
