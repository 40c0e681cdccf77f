"""normalize: HTML to text, deadline-checked status, summary, content hash and dedup, on real portal data."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from eumonitor.model import Page, RawCall, SourceSpec
from eumonitor.sources.ft_api import COLLECTOR, Options, page_request
from eumonitor.sources.normalize import best_per_identifier, html_to_text, normalize, summarize

FIXTURES = Path(__file__).parent / "fixtures" / "ft-portal"
NOW = datetime(2026, 7, 2, 6, 0, tzinfo=UTC)  # the morning of the 2026-07-02 capture
SPEC = SourceSpec(id="eu-portal", kind="ft_api", url="https://example.invalid/search", options=Options())


def fixture_json(name: str) -> dict[str, Any]:
    return json.loads(gzip.decompress((FIXTURES / name).read_bytes()))


def parse(name: str) -> list[RawCall]:
    body = fixture_json(name)
    request = page_request(SPEC, body["pageNumber"])
    page = Page(request.url, 200, {}, json.dumps(body).encode(), request)
    return list(COLLECTOR.parse(SPEC, page).calls)


@pytest.fixture(scope="module")
def scan_0702() -> list[RawCall]:
    """Page 1 + the last page + the theme subset of the 2026-07-02 scan, duplicates and all."""
    return [
        *parse("sedia_search_open-forthcoming_page01_2026-07-02.json.gz"),
        *parse("sedia_search_open-forthcoming_page13-last_2026-07-02.json.gz"),
        *parse("sedia_search_subset_themes_2026-07-02.json.gz"),
    ]


@pytest.fixture(scope="module")
def best(scan_0702: list[RawCall]) -> dict[str, RawCall]:
    return {c.external_id: c for c in best_per_identifier(scan_0702)}


def raw_metadata(identifier: str) -> dict[str, Any]:
    for hit in fixture_json("sedia_search_subset_themes_2026-07-02.json.gz")["results"]:
        if hit["metadata"]["identifier"] == [identifier]:
            return hit["metadata"]
    raise LookupError(identifier)


# ---------------------------------------------------------------- html_to_text


def test_real_description_becomes_clean_text() -> None:
    html = raw_metadata("HORIZON-MISS-2026-03-OCEAN-01")["descriptionByte"][0]
    text = html_to_text(html)
    assert "<" not in text and ">" not in text
    assert text.startswith("Expected Outcome:\nThis topic aims at directly engaging")
    assert "\n• Member States have the capacity" in text  # list items stay apart
    assert "Mission Restore our Ocean and Waters[1]." in text  # footnote marks stay inline
    assert "  " not in text and "\n\n" not in text


def test_entities_in_real_descriptions_are_decoded(scan_0702: list[RawCall]) -> None:
    with_amp = [c for c in scan_0702 if "&amp;" in c.description_html]
    assert len(with_amp) > 10
    texts = [html_to_text(call.description_html) for call in with_amp]
    assert not any("&amp;" in text or "\xa0" in text for text in texts)
    assert sum("R&I" in text for text in texts) > 10


def test_known_upstream_defects_are_tolerated() -> None:
    html = (
        '<div class="eui-u-mt-l>"><h4>General conditions</h4>'
        "<p>null</p><p>Research&#xa0;&amp;&#xa0;innovation\r\n  for   cities</p>"
        '<ul level="0"><li>one</li><li>two<br>lines</li></ul><P>NULL</P></div>'
    )
    assert html_to_text(html) == "General conditions\nResearch & innovation for cities\n• one\n• two\nlines"


def test_empty_and_plain_input() -> None:
    assert html_to_text("") == ""
    assert html_to_text("<p>null</p>") == ""
    assert html_to_text("Plain words") == "Plain words"


# ---------------------------------------------------------------- dedup


def test_dedup_keeps_one_record_per_identifier_preferring_the_current_index(
    scan_0702: list[RawCall], best: dict[str, RawCall]
) -> None:
    assert len(best) == len({c.external_id for c in scan_0702})
    assert len(best) < len(scan_0702)
    eche = best["ERASMUS-EDU-2022-ECHE-CERT-FP"]
    assert eche.extra["datasource"] == "SEDIA"
    assert eche.description_html  # the legacy copy has no description


def test_dedup_keeps_first_seen_order_and_first_of_equals() -> None:
    a1 = RawCall(source="s", external_id="A", title="first", quality=(1,))
    b = RawCall(source="s", external_id="B", title="b", quality=(0,))
    a2 = RawCall(source="s", external_id="A", title="second", quality=(1,))
    a3 = RawCall(source="s", external_id="A", title="better", quality=(2,))
    other = RawCall(source="t", external_id="A", title="other source", quality=(0,))
    assert [c.title for c in best_per_identifier([a1, b, a2, other])] == ["first", "b", "other source"]
    assert [c.title for c in best_per_identifier([a1, b, a3])] == ["better", "b"]


# ---------------------------------------------------------------- status against the clock


@pytest.mark.parametrize(
    "identifier",
    ["ERASMUS-EDU-2022-ECHE-CERT-FP", "HORIZON-MISS-2023-CLIMA-01-01", "HORIZON-MISS-2023-OCEAN-01-11"],
)
def test_stale_open_calls_are_closed(best: dict[str, RawCall], identifier: str) -> None:
    assert best[identifier].status == "open"  # what the portal claims
    assert normalize(best[identifier], NOW).status == "closed"


def test_live_calls_keep_the_portals_status(best: dict[str, RawCall]) -> None:
    assert normalize(best["HORIZON-MISS-2026-03-OCEAN-01"], NOW).status == "open"
    assert normalize(best["HORIZON-MISS-2027-03-OCEAN-02"], NOW).status == "forthcoming"


def test_two_stage_call_keeps_both_deadlines_and_the_next_one_is_stage_one(best: dict[str, RawCall]) -> None:
    call = normalize(best["HORIZON-HLTH-2027-02-IND-02-two-stage"], NOW)
    assert call.deadlines == (date(2027, 4, 13), date(2027, 9, 22))
    assert call.next_deadline(date(2026, 7, 2)) == date(2027, 4, 13)
    assert call.next_deadline(date(2027, 4, 14)) == date(2027, 9, 22)


def test_a_deadline_holds_until_midnight_in_brussels(best: dict[str, RawCall]) -> None:
    raw = replace(best["HORIZON-MISS-2026-03-OCEAN-01"], deadlines=(date(2026, 9, 23),))
    late_evening = datetime(2026, 9, 23, 21, 30, tzinfo=UTC)  # 23:30 in Brussels (CEST)
    after_midnight = datetime(2026, 9, 23, 22, 30, tzinfo=UTC)  # 00:30 on the 24th in Brussels
    assert normalize(raw, late_evening).status == "open"
    assert normalize(raw, after_midnight).status == "closed"


def test_no_deadline_means_no_invented_closing(best: dict[str, RawCall]) -> None:
    call = normalize(best["EuropeAid/167264/DD/ACT/Multi"], NOW)
    assert call.deadlines == () and call.status == "open"


def test_forthcoming_past_its_opening_date_with_a_future_deadline_stays_forthcoming(
    best: dict[str, RawCall],
) -> None:
    raw = best["HORIZON-MISS-2027-03-OCEAN-02"]
    late = datetime(2027, 3, 1, tzinfo=UTC)  # opening was 2027-02-09, deadline 2027-09-21
    assert normalize(raw, late).status == "forthcoming"
    assert normalize(raw, datetime(2027, 9, 22, 12, tzinfo=UTC)).status == "closed"


# ---------------------------------------------------------------- text, summary, hash


def test_description_text_and_summary_come_from_the_html(best: dict[str, RawCall]) -> None:
    call = normalize(best["HORIZON-MISS-2026-03-OCEAN-01"], NOW)
    assert call.description_text.startswith("Expected Outcome:\nThis topic aims")
    assert call.summary.startswith("This topic aims at directly engaging")
    assert call.summary.endswith("…") and len(call.summary) <= 301
    assert call.summary[:-1] in call.description_text.replace("\n", " ")  # cut at a word
    assert call.budget.total == 31_000_000 and call.key == ("eu-portal", "HORIZON-MISS-2026-03-OCEAN-01")


def test_source_text_and_summary_are_used_when_given() -> None:
    raw = RawCall(source="rss", external_id="x", title="  A  call ", description_text="Line one\n\n  Line   two ")
    call = normalize(raw, NOW)
    assert (call.title, call.description_text, call.summary) == ("A call", "Line one\nLine two", "Line one Line two")
    assert normalize(replace(raw, summary="Given"), NOW).summary == "Given"


def test_summarize_cuts_at_a_word() -> None:
    text = "word " * 100
    assert summarize(text, 12) == "word word…"
    assert summarize("short text") == "short text"


def test_content_hash_follows_what_users_see(best: dict[str, RawCall]) -> None:
    raw = best["HORIZON-MISS-2026-03-OCEAN-01"]
    base = normalize(raw, NOW).content_hash
    assert normalize(raw, NOW).content_hash == base
    assert len(base) == 64
    # Index bookkeeping is not a change a user would care about ...
    assert normalize(replace(raw, extra={"ingested_at": "2026-07-01"}, quality=(0,)), NOW).content_hash == base
    # ... a moved deadline, a new budget or the passing of the deadline are.
    assert normalize(replace(raw, deadlines=(date(2026, 10, 1),)), NOW).content_hash != base
    assert normalize(replace(raw, budget=replace(raw.budget, total=1)), NOW).content_hash != base
    assert normalize(raw, datetime(2026, 10, 1, tzinfo=UTC)).content_hash != base


def test_summary_skips_the_leading_section_label() -> None:
    from eumonitor.sources.normalize import summarize

    text = "Expected Outcome:\nProject results are expected to contribute to healthier coastal cities."
    assert summarize(text) == "Project results are expected to contribute to healthier coastal cities."
    assert summarize("Scope: Pilots in three cities.") == "Pilots in three cities."


def test_only_http_links_survive(best: dict[str, RawCall]) -> None:
    from dataclasses import replace

    raw = best["HORIZON-MISS-2026-03-OCEAN-01"]
    assert normalize(raw, NOW).url.startswith("https://ec.europa.eu/")
    for hostile in ("javascript:alert(document.domain)", " JavaScript:alert(1)", "data:text/html,<script>"):
        assert normalize(replace(raw, url=hostile), NOW).url == ""
