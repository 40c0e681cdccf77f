"""The rss, ical, wp_json and html_list collectors on real recorded feeds (and derived HTML, see SOURCES.md)."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from eumonitor.model import Page, Parsed, Request, SourceSpec
from eumonitor.sources import SourceError, kinds

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "http://127.0.0.1:8080"


def read(name: str) -> bytes:
    data = (FIXTURES / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def spec(kind: str, url: str = BASE + "/feed", **options: Any) -> SourceSpec:
    return SourceSpec(id=f"test-{kind}", kind=kind, url=url, options=kinds()[kind].Options(**options))


def parse(source: SourceSpec, content: bytes, ctype: str = "", request: Request | None = None) -> Parsed:
    collector = kinds()[source.kind]
    req = request or collector.requests(source)[0]
    page = Page(url=req.url, status=200, headers={"Content-Type": ctype}, content=content, request=req)
    return collector.parse(source, page)


def test_every_feed_kind_is_registered() -> None:
    assert {"rss", "ical", "wp_json", "html_list"} <= set(kinds())


# ---------------------------------------------------------------- rss


def test_wordpress_feed_items_become_calls_with_links_and_text() -> None:
    parsed = parse(spec("rss"), read("wordpress-rss/thehacc-org_events-feed_2018-05-29.xml"))
    assert len(parsed.calls) == 6
    first = parsed.calls[0]
    assert first.title == "HACC-Harper College Scholarship Info Session"
    assert first.external_id == "http://thehacc.org/?post_type=tribe_events&p=2836"  # &#038; decoded
    assert first.url.startswith("http://thehacc.org/event/")
    titles = [c.title for c in parsed.calls]
    assert "Landlord Workshop – Nuts and Bolts of HCV Program" in titles  # &#8211; decoded


def test_keyword_rules_keep_only_call_like_items() -> None:
    source = spec("rss", include=["scholarship"], exclude=["Prairie"])
    parsed = parse(source, read("wordpress-rss/thehacc-org_events-feed_2018-05-29.xml"))
    assert [c.title for c in parsed.calls] == ["HACC-Harper College Scholarship Info Session"]


def test_keyword_rules_match_whole_words_only() -> None:
    parsed = parse(spec("rss", include=["scholar"]), read("wordpress-rss/thehacc-org_events-feed_2018-05-29.xml"))
    assert parsed.calls == ()


def test_drupal_feed_with_entity_escaped_html() -> None:
    parsed = parse(spec("rss"), read("drupal-rss/developmentseed-org_blog-all_2009-10.xml"))
    assert len(parsed.calls) == 10
    first = parsed.calls[0]
    assert first.external_id == "974 at http://developmentseed.org"
    assert first.title == "Open Atrium Translation Workflow: Two Way Translation Updates"
    assert "<div" in first.description_html
    assert first.extra["published"].startswith("2009-10-06")


def test_news_without_a_deadline_is_kept_without_one_and_says_why() -> None:
    call = parse(spec("rss"), read("drupal-rss/developmentseed-org_blog-all_2009-10.xml")).calls[0]
    assert call.deadlines == ()
    assert call.status == ""
    assert call.extra["dates_found"] == "none"


def test_a_feed_that_turned_into_an_html_page_is_a_source_error() -> None:
    html = read("html-list/listing.derived.html")
    with pytest.raises(SourceError, match="ventet RSS/Atom, fikk en HTML-side"):
        parse(spec("rss"), html, "text/html; charset=utf-8")


def test_garbage_instead_of_a_feed_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="ventet RSS/Atom"):
        parse(spec("rss"), b"this is not a feed at all")


# ---------------------------------------------------------------- ical


def test_interreg_no_event_is_a_call_with_programme_opening_and_deadline() -> None:
    source = spec("ical", deadline_tz="Europe/Oslo")
    parsed = parse(source, read("interreg-no/kalender-2024-05-21.outlook-ical.excerpt.txt"))
    (call,) = parsed.calls
    assert call.external_id == "18098"  # the post id from 18098-1710921600-1717675200@interreg.no
    assert call.programme == "Europe"
    assert call.title == "Third call for projects"
    assert call.opening_date == date(2024, 3, 20)
    assert call.deadlines == (date(2024, 6, 6),)  # DTEND 12:00 Oslo time
    assert call.extra["deadline_time"] == "12:00"
    assert "Norway, Serbia" in call.description_text  # \, unescaped
    assert "avkortet" in parsed.skipped[0].reason  # the recording has no END lines


def test_malformed_vtimezone_and_obfuscated_uids_do_not_stop_the_feed() -> None:
    parsed = parse(spec("ical"), read("ical-tribe/clihtf-org_2024-05-07.ics"))
    assert len(parsed.calls) == 30
    assert all("<span" not in c.external_id for c in parsed.calls)
    assert len({c.external_id for c in parsed.calls}) == 30
    first = parsed.calls[0]
    assert first.title == "Administrative Day"
    assert first.deadlines == (date(2024, 5, 8),)  # all-day: DTEND is exclusive


def test_ical_exclude_rule_on_the_title() -> None:
    source = spec("ical", exclude=["Cancelled"], match_in="title")
    parsed = parse(source, read("ical-tribe/glwater-org_2018-07-17.ics"))
    assert parsed.calls and all("cancel" not in c.title.lower() for c in parsed.calls)
    assert len(parsed.calls) < 7


def test_ical_events_as_single_deadlines() -> None:
    parsed = parse(spec("ical", dates="deadline"), read("ical-tribe/glwater-org_2018-07-17.ics"))
    first = parsed.calls[0]
    assert first.external_id == "6693"
    assert first.opening_date is None
    assert first.deadlines == (date(2018, 6, 27),)


def test_html_instead_of_a_calendar_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="HTML-side"):
        parse(spec("ical"), read("html-list/listing.derived.html"), "text/html")


# ---------------------------------------------------------------- wp_json


def test_events_calendar_rest_page_and_the_next_page_on_our_own_host() -> None:
    source = spec("wp_json", url=BASE + "/wp-json/tribe/events/v1/events?status=publish")
    parsed = parse(source, read("tribe-rest/atlantaregional-org_events_page1-of-4_2022-08-30.json"))
    assert len(parsed.calls) == 10
    (follow,) = parsed.follow
    assert follow.url.startswith(BASE + "/wp-json/tribe/events/v1/events?status=publish")
    assert "page=2" in follow.url
    assert parsed.calls[0].opening_date == date(2022, 9, 9)


def test_events_calendar_single_page_stops() -> None:
    parsed = parse(spec("wp_json"), read("tribe-rest/thefdha-org_events_2022-09-21.json"))
    assert len(parsed.calls) == 5
    assert parsed.follow == ()
    call = parsed.calls[0]
    assert call.title == "3Q Regular Full Board Meeting (2022)"
    assert call.deadlines == (date(2022, 11, 15),)
    assert call.deadline_tz == "America/New_York"


def test_events_with_long_html_descriptions_and_entities() -> None:
    parsed = parse(spec("wp_json"), read("tribe-rest/cecdetroit-org_events_2019-05-17.json.gz"))
    assert len(parsed.calls) == 20
    assert not any("&#" in c.title for c in parsed.calls)


def test_wordpress_posts_with_keyword_rule() -> None:
    everything = parse(spec("wp_json"), read("wp-rest/api-webaquebec-org_wp-v2-posts_2016.json.gz"))
    assert len(everything.calls) == 35
    assert everything.calls[0].external_id == "3578"
    assert any("Web à Québec 2016 – opération" in c.title for c in everything.calls)
    public = parse(
        spec("wp_json", include=["Gouvernement du Québec"]), read("wp-rest/api-webaquebec-org_wp-v2-posts_2016.json.gz")
    )
    assert 1 <= len(public.calls) < 35


def test_html_instead_of_json_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="ventet JSON fra WordPress-API-et, fikk en HTML-side"):
        parse(spec("wp_json"), read("html-list/listing.derived.html"), "text/html")


# ---------------------------------------------------------------- html_list

LISTING = BASE + "/utlysninger/"


def listing_spec(**options: Any) -> SourceSpec:
    defaults = {"item": ".call-item", "title": "h3", "date": ".date"}
    return spec("html_list", url=LISTING, **{**defaults, **options})


def test_listing_items_with_their_date_cell() -> None:
    parsed = parse(listing_spec(), read("html-list/listing.derived.html"))
    calls = {c.title: c for c in parsed.calls}
    assert calls["Pilot Helse"].deadlines == (date(2023, 9, 13),)
    assert calls["Pilot Helse"].url == BASE + "/utlysninger/2023/pilot-helse/"
    assert calls["Forskerprosjekt for fornyelse (tematisk utlysning)"].deadlines == (date(2025, 3, 5),)


def test_a_date_cell_that_no_longer_parses_keeps_the_call_and_warns() -> None:
    parsed = parse(listing_spec(), read("html-list/listing.derived.html"))
    rolling = next(c for c in parsed.calls if c.title.startswith("Regionale"))
    assert rolling.deadlines == ()
    (warning,) = parsed.skipped
    assert "beholdt uten frist" in warning.reason and "«Løpende»" in warning.reason
    assert warning.item == "Regionale samarbeidsprosjekt (2021)"


def test_a_selector_that_finds_nothing_explains_itself() -> None:
    parsed = parse(listing_spec(), read("html-list/listing-layout-changed.derived.html"))
    assert parsed.calls == ()
    assert parsed.notes == ("fant ingen elementer for selektoren '.call-item' – har sidens oppsett endret seg?",)


def test_follow_reads_deadline_and_text_from_each_page() -> None:
    source = listing_spec(follow=True, content="main")
    listing = parse(source, read("html-list/listing.derived.html"))
    assert listing.calls == ()
    assert [r.url for r in listing.follow] == [
        BASE + "/utlysninger/2025/forskerprosjekt-fornyelse-tematisk/",
        BASE + "/utlysninger/2023/pilot-helse/",
        BASE + "/utlysninger/2020/regionale-samarbeidsprosjekt-2021/",
    ]
    pages = {
        "forskerprosjekt": "page-2025-forskerprosjekt-fornyelse-tematisk",
        "pilot-helse": "page-2023-pilot-helse",
        "regionale": "page-2020-regionale-samarbeidsprosjekt-2021",
    }
    calls = {}
    for request in listing.follow:
        name = next(v for k, v in pages.items() if k in request.url)
        (call,) = parse(source, read(f"html-list/{name}.derived.html"), "text/html", request).calls
        calls[name] = call
    fornyelse = calls["page-2025-forskerprosjekt-fornyelse-tematisk"]
    assert fornyelse.deadlines == (date(2025, 3, 5),)
    assert fornyelse.opening_date == date(2025, 1, 22)
    assert "Formålet med utlysningen" in fornyelse.description_html
    assert "Forsiden" not in fornyelse.description_html  # the <nav> is not the call's text
    assert calls["page-2020-regionale-samarbeidsprosjekt-2021"].deadlines == (date(2020, 12, 1),)


def test_follow_applies_keyword_rules_to_the_page() -> None:
    source = listing_spec(follow=True, include=["kommunal sektor"])
    request = parse(source, read("html-list/listing.derived.html")).follow[2]
    kept = parse(source, read("html-list/page-2020-regionale-samarbeidsprosjekt-2021.derived.html"), "", request)
    assert len(kept.calls) == 1
    request = parse(source, read("html-list/listing.derived.html")).follow[1]
    dropped = parse(source, read("html-list/page-2023-pilot-helse.derived.html"), "", request)
    assert dropped.calls == ()


def test_a_page_watch_is_one_call_at_the_page_itself() -> None:
    source = spec("html_list", url=BASE + "/page", item="main", title="h1", link="")
    (call,) = parse(source, read("html-list/page-2023-pilot-helse.derived.html")).calls
    assert "Pilot Helse" in call.title  # no <h1> on this page: the start of its text stands in
    assert call.url == BASE + "/page"
    assert call.deadlines == (date(2023, 9, 13),)
