"""The ft_api collector against recorded SEDIA search responses (tests/fixtures/ft-portal/)."""

from __future__ import annotations

import copy
import gzip
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from eumonitor.model import Page, Parsed, RawCall, SourceSpec
from eumonitor.sources import SourceError, kinds
from eumonitor.sources.ft_api import COLLECTOR, Options, page_request, portal_date

FIXTURES = Path(__file__).parent / "fixtures" / "ft-portal"
PAGE01 = "sedia_search_open-forthcoming_page01_2026-07-02.json.gz"
PAGE13 = "sedia_search_open-forthcoming_page13-last_2026-07-02.json.gz"
SUBSET = "sedia_search_subset_themes_2026-07-02.json.gz"
SEARCH_URL = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"


def fixture_bytes(name: str) -> bytes:
    return gzip.decompress((FIXTURES / name).read_bytes())


def fixture_json(name: str) -> dict[str, Any]:
    return json.loads(fixture_bytes(name))


def make_spec(url: str = SEARCH_URL, **options: Any) -> SourceSpec:
    return SourceSpec(id="eu-portal", kind="ft_api", url=url, options=Options(**options))


def make_page(content: bytes, number: int = 1, spec: SourceSpec | None = None, **kw: Any) -> Page:
    request = page_request(spec or make_spec(), number)
    headers = kw.pop("headers", {"Content-Type": "application/json"})
    return Page(url=request.url, status=kw.pop("status", 200), headers=headers, content=content, request=request)


def parse_fixture(name: str, number: int = 1) -> Parsed:
    return COLLECTOR.parse(make_spec(), make_page(fixture_bytes(name), number))


def by_id(calls: tuple[RawCall, ...] | list[RawCall]) -> dict[str, RawCall]:
    return {c.external_id: c for c in calls}


@pytest.fixture(scope="module")
def subset() -> list[RawCall]:
    return list(parse_fixture(SUBSET).calls)


# ---------------------------------------------------------------- requests


def test_collector_is_registered() -> None:
    assert kinds()["ft_api"] is COLLECTOR
    assert COLLECTOR.Options is Options


def test_first_request_is_a_multipart_post_with_json_parts() -> None:
    [request] = COLLECTOR.requests(make_spec())
    assert request.method == "POST"
    assert request.url == SEARCH_URL
    assert dict(request.params) == {"apiKey": "SEDIA", "text": "***", "pageSize": "100", "pageNumber": "1"}
    assert [(name, ctype) for name, _, ctype in request.files] == [
        ("query", "application/json"),
        ("languages", "application/json"),
        ("sort", "application/json"),
    ]
    parts = {name: json.loads(body) for name, body, _ in request.files}
    assert parts["languages"] == ["en"]
    assert parts["sort"] == [
        {"field": "identifier", "order": "ASC"},
        {"field": "DATASOURCE", "order": "ASC"},
        {"field": "esDA_IngestDate", "order": "ASC"},
    ]
    assert parts["query"] == {
        "bool": {"must": [{"terms": {"type": ["1", "2", "8"]}}, {"terms": {"status": ["31094502", "31094501"]}}]}
    }
    assert request.meta == {"page": 1}


def test_query_in_the_source_url_is_kept_and_not_repeated() -> None:
    spec = make_spec(SEARCH_URL + "?apiKey=SEDIA&text=ocean&pageNumber=7")
    [request] = COLLECTOR.requests(spec)
    assert request.url == SEARCH_URL + "?apiKey=SEDIA&text=ocean"
    assert dict(request.params) == {"pageSize": "100", "pageNumber": "1"}


def test_programmes_by_abbreviation_or_id_narrow_the_query() -> None:
    spec = make_spec(programmes=["HORIZON", "Erasmus+", "43252405"], statuses=["open"], page_size=50)
    [request] = COLLECTOR.requests(spec)
    query = json.loads(dict((n, b) for n, b, _ in request.files)["query"])
    assert {"terms": {"frameworkProgramme": ["43108390", "43353764", "43252405"]}} in query["bool"]["must"]
    assert {"terms": {"status": ["31094502"]}} in query["bool"]["must"]
    assert dict(request.params)["pageSize"] == "50"
    assert spec.options.programmes == ("HORIZON", "Erasmus+", "43252405")  # lists from TOML become tuples


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"programmes": ["HORIZONT"]}, "ukjent programme 'HORIZONT'"),
        ({"statuses": ["åpen"]}, "ukjent status 'åpen'"),
        ({"page_size": 500}, "page_size må være mellom 1 og 100"),
    ],
)
def test_bad_options_are_refused_with_a_readable_reason(options: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        Options(**options)


# ---------------------------------------------------------------- paging


def test_page01_parses_every_hit_and_asks_for_page_2_with_the_same_parts() -> None:
    parsed = parse_fixture(PAGE01)
    assert len(parsed.calls) == 100
    assert parsed.skipped == ()
    assert parsed.total_expected == 1235
    [follow] = parsed.follow
    [first] = COLLECTOR.requests(make_spec())
    assert dict(follow.params)["pageNumber"] == "2"
    assert follow.files == first.files
    assert follow.url == first.url and follow.method == "POST"
    assert follow.meta == {"page": 2}


def test_last_page_parses_every_hit_and_stops() -> None:
    parsed = parse_fixture(PAGE13, number=13)
    assert len(parsed.calls) == 35
    assert parsed.skipped == ()
    assert parsed.follow == ()


def test_a_whole_weekly_scan_is_walked_page_by_page_to_the_end() -> None:
    spec = make_spec()
    [request] = COLLECTOR.requests(spec)
    seen: list[RawCall] = []
    for number in range(1, 8):
        assert dict(request.params)["pageNumber"] == str(number)
        content = fixture_bytes(f"scans/2026-06-24/page-{number}.json.gz")
        parsed = COLLECTOR.parse(spec, Page(SEARCH_URL, 200, {}, content, request))
        seen.extend(parsed.calls)
        assert parsed.total_expected == 635
        if number < 7:
            [request] = parsed.follow
    assert parsed.follow == ()
    assert len(seen) == 635


# ---------------------------------------------------------------- what a call looks like


def test_mission_ocean_topic(subset: list[RawCall]) -> None:
    call = by_id(subset)["HORIZON-MISS-2026-03-OCEAN-01"]
    assert call.title.startswith("Large-scale demonstration for mapping the distribution")
    assert call.url == (
        "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
        "topic-details/HORIZON-MISS-2026-03-OCEAN-01"
    )
    assert (call.programme, call.programme_id) == ("Horizon Europe", "43108390")
    assert call.call_identifier == "HORIZON-MISS-2026-03"
    assert (call.status, call.call_type, call.deadline_model) == ("open", "1", "single-stage")
    assert call.opening_date == date(2026, 2, 4)
    assert call.deadlines == (date(2026, 9, 23),)
    assert "OCEAN" in call.tags and "Habitat mapping" in call.tags
    assert "Marine Conservation" in call.keywords
    assert call.external_id not in call.keywords and "HORIZON-MISS-2026-03" not in call.keywords
    assert call.description_html.startswith('<p class="topicdescriptionkind">Expected Outcome:')


def test_budget_is_the_topics_own_line_not_the_whole_call(subset: list[RawCall]) -> None:
    budget = by_id(subset)["HORIZON-MISS-2026-03-OCEAN-01"].budget
    assert budget.total == 31_000_000
    assert budget.currency == "EUR"
    assert budget.expected_grants == 4
    assert (budget.min_contribution, budget.max_contribution) == (7_000_000, 7_750_000)
    assert budget.years == (("2026", 31_000_000),)


def test_a_budget_line_shared_by_several_actions_is_counted_once() -> None:
    calls = by_id(parse_fixture("scans/2026-06-24/page-7.json.gz", number=7).calls)
    budget = calls["HORIZON-MSCA-2026-DN-01-01"].budget
    assert budget.total == 593_033_846  # listed three times (DN, DN-JD, DN-ID) with the same amount
    assert budget.expected_grants is None and budget.min_contribution is None  # 0 means "not stated"


def test_two_stage_topic_keeps_both_deadlines(subset: list[RawCall]) -> None:
    call = by_id(subset)["HORIZON-HLTH-2027-02-IND-02-two-stage"]
    assert call.deadlines == (date(2027, 4, 13), date(2027, 9, 22))
    assert (call.status, call.deadline_model) == ("forthcoming", "two-stage")


def test_multi_cut_off_topic_keeps_every_cut_off(subset: list[RawCall]) -> None:
    [current, legacy] = [c for c in subset if c.external_id == "ERASMUS-EDU-2022-ECHE-CERT-FP"]
    assert current.deadlines[0] == date(2022, 5, 3) and current.deadlines[-1] == date(2026, 3, 24)
    assert len(current.deadlines) == 5
    assert current.quality > legacy.quality  # the current SEDIA index wins over the legacy copy
    assert current.extra["datasource"] == "SEDIA" and legacy.extra["datasource"] == "SEDIA_PRD_CENTRICITY"


def test_external_action_call_keeps_its_identifier_link_and_flat_budget(subset: list[RawCall]) -> None:
    call = by_id(subset)["EuropeAid/186091/DD/ACT/ZA"]
    assert call.call_type == "2"
    assert call.url == "https://webgate.ec.europa.eu/prospect/external/publishedcalls.htm?callId=186091"
    assert (call.budget.total, call.budget.currency) == (2_550_000, "EUR")
    assert call.deadlines == (date(2026, 8, 27),)
    assert call.programme == "EU External Action (EuropeAid)"
    assert call.extra["documents"][0]["label"] == "Guidelines"


def test_external_action_call_without_deadline_has_none(subset: list[RawCall]) -> None:
    call = by_id(subset)["EuropeAid/167264/DD/ACT/Multi"]
    assert call.deadlines == ()
    assert call.status == "open"  # as the portal claims; normalize decides, not the parser
    # The legacy row links to a topicDetails JSON document; users get the PROSPECT page instead.
    assert call.url == "https://webgate.ec.europa.eu/prospect/external/publishedcalls.htm?callId=167264"


def test_legacy_keywords_encoded_as_one_json_string_become_a_list(subset: list[RawCall]) -> None:
    call = by_id(subset)["HORIZON-MISS-2023-CLIMA-01-01"]
    assert call.keywords[:2] == ("Forest adaptation to climate change", "Agroecology")
    assert len(call.keywords) == 27
    assert not any(k.startswith("[") for k in call.keywords)
    assert call.status == "open" and call.deadlines == (date(2023, 9, 20),)


def test_extra_holds_what_the_call_page_shows(subset: list[RawCall]) -> None:
    extra = by_id(subset)["HORIZON-HLTH-2027-02-IND-02-two-stage"].extra
    assert extra["destination"].startswith("Maintaining an innovative, sustainable, and competitive EU health")
    assert extra["reference"].endswith("TOPICSen")
    assert extra["language"] == "en" and extra["deadline_model"] == "two-stage"
    assert "submission_links" not in extra  # forthcoming: nothing to submit to yet
    json.dumps(dict(extra))  # stays JSON-able for the store
    ocean = by_id(subset)["HORIZON-MISS-2026-03-OCEAN-01"].extra
    assert ocean["submission_links"] == [
        {
            "label": "HORIZON Innovation Actions",
            "url": "https://ec.europa.eu/research/participants/submission/manage/screen/submission/"
            "create-draft/43691?topic=HORIZON-MISS-2026-03-OCEAN-01",
        }
    ]
    assert ocean["types_of_action"] == ["HORIZON Innovation Actions"]
    assert "OCEAN" in ocean["cross_cutting_priorities"]
    assert "43121583" in ocean["programme_divisions"]  # Seas, Oceans and Inland Waters


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-09-23T00:00:00.000+0000", date(2026, 9, 23)),  # current index: date only
        ("2023-09-20T17:00:00.000+0000", date(2023, 9, 20)),  # legacy index: 17:00 UTC
        ("2026-09-21T22:00:00.000+0000", date(2026, 9, 22)),  # Brussels midnight stored as UTC (summer)
        ("2022-03-23T23:00:00.000+0000", date(2022, 3, 24)),  # … and in winter
        ("2026-07-10T21:59:00.000+0000", date(2026, 7, 10)),  # 23:59 Brussels
        ("2026-09-22", date(2026, 9, 22)),
    ],
)
def test_portal_dates_are_calendar_dates_in_brussels(value: str, expected: date) -> None:
    assert portal_date(value) == expected


def test_brussels_midnight_deadlines_in_a_real_record() -> None:
    calls = by_id(parse_fixture("scans/2026-06-17/page-2.json.gz", number=2).calls)
    call = calls["ESC-HUMAID-2021-QUAL-LABEL-FP"]
    assert call.deadlines[0] == date(2021, 9, 22) and call.deadlines[-1] == date(2026, 9, 22)


# ---------------------------------------------------------------- broken pages and records


def test_html_error_page_is_a_source_error_in_norwegian() -> None:
    page = make_page(
        b"<html><body>Service Unavailable</body></html>", headers={"Content-Type": "text/html; charset=utf-8"}
    )
    with pytest.raises(SourceError, match="EU-portalen svarte ikke med JSON") as info:
        COLLECTOR.parse(make_spec(), page)
    assert "text/html" in str(info.value) and "Service Unavailable" in str(info.value)


def test_truncated_body_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="avkortet eller ødelagt JSON"):
        COLLECTOR.parse(make_spec(), make_page(fixture_bytes(PAGE01)[:50_000]))


def test_server_error_is_a_source_error() -> None:
    body = b'{"type":"throwable","message":"An internal error occurred"}'
    with pytest.raises(SourceError, match="HTTP 500.*An internal error occurred"):
        COLLECTOR.parse(make_spec(), make_page(body, status=500))


def test_missing_results_is_a_changed_shape() -> None:
    body = fixture_json(PAGE13)
    del body["results"]
    with pytest.raises(SourceError, match="'results' mangler"):
        COLLECTOR.parse(make_spec(), make_page(json.dumps(body).encode(), number=13))


def test_warnings_mean_an_incomplete_page() -> None:
    body = fixture_json(PAGE13)
    body["warnings"] = ["partial results"]
    with pytest.raises(SourceError, match="advarsler"):
        COLLECTOR.parse(make_spec(), make_page(json.dumps(body).encode(), number=13))


def test_a_page_other_than_the_one_asked_for_is_refused() -> None:
    with pytest.raises(SourceError, match="sendte side 13, men vi ba om side 2"):
        COLLECTOR.parse(make_spec(), make_page(fixture_bytes(PAGE13), number=2))
    with pytest.raises(SourceError, match="sidestørrelse 100, men vi ba om 50"):
        spec = make_spec(page_size=50)
        COLLECTOR.parse(spec, make_page(fixture_bytes(PAGE13), number=13, spec=spec))


def test_a_record_without_identifier_is_skipped_not_fatal() -> None:
    body = fixture_json(SUBSET)
    broken = copy.deepcopy(body["results"][0])
    del broken["metadata"]["identifier"]
    body["results"] = [broken, *body["results"][1:], "not a record"]
    parsed = COLLECTOR.parse(make_spec(), make_page(json.dumps(body).encode()))
    assert len(parsed.calls) == 25
    assert [s.reason for s in parsed.skipped] == ["treffet mangler identifier", "treffet mangler metadata"]
    assert parsed.skipped[0].item == "50136030TOPICSen"


def test_a_record_with_an_unreadable_deadline_is_skipped() -> None:
    body = fixture_json(SUBSET)
    body["results"][1]["metadata"]["deadlineDate"] = ["next spring"]
    parsed = COLLECTOR.parse(make_spec(), make_page(json.dumps(body).encode()))
    assert len(parsed.calls) == 25
    assert parsed.skipped[0].reason == "ugyldig dato 'next spring'"
    assert parsed.skipped[0].item == "HORIZON-MISS-2027-03-OCEAN-02"
