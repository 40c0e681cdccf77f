"""The pure digest: what one subscriber gets in one week, in which section and in what order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from eumonitor.digests.build import IsoWeek, SourceHealth, build_digest, period_for, shorten
from eumonitor.digests.render import health_nb, render_digest
from tests.support.digest import NOW, OSLO, SPEC, call, change, failing, inputs, match

WEEK = IsoWeek(2026, 26)
EVERYONE, HEALTH_ONLY = SPEC.subscribers
PERIOD = period_for(WEEK, NOW, None, OSLO)


def build(calls, matches, changes, subscriber=EVERYONE, health=(), base_url=""):
    return build_digest(SPEC, subscriber, WEEK, PERIOD, inputs(calls, matches, changes, health, base_url))


def test_iso_week_parses_prints_and_rejects_nonsense():
    assert str(IsoWeek.parse("2026-w26")) == "2026-W26"
    assert IsoWeek.parse("2026-W26").monday() == date(2026, 6, 22)
    assert IsoWeek.of(date(2026, 1, 1)) == IsoWeek(2026, 1)
    assert str(IsoWeek(2026, 53).next()) == "2027-W01"
    with pytest.raises(ValueError, match="2026-W26"):
        IsoWeek.parse("uke 26")


def test_period_runs_from_the_last_digest_to_now_else_a_week_back():
    last = datetime(2026, 6, 15, 7, 0, tzinfo=OSLO)
    assert period_for(WEEK, NOW, last, OSLO) == (last, NOW)
    assert period_for(WEEK, NOW, None, OSLO) == (NOW - timedelta(days=7), NOW)
    later = datetime(2026, 7, 1, 12, 0, tzinfo=OSLO)  # a preview of a past week stops at the week's end
    assert period_for(WEEK, later, None, OSLO)[1] == datetime(2026, 6, 29, 0, 0, tzinfo=OSLO)
    # Another city's week ends at its own midnight, six hours after Oslo's for Chicago.
    chicago = ZoneInfo("America/Chicago")
    assert period_for(WEEK, later, None, chicago)[1] == datetime(2026, 6, 29, 0, 0, tzinfo=chicago)


def test_new_calls_ranked_by_score_and_tagged_with_themes():
    low, high = call("A-1", "Low"), call("B-2", "High")
    digest = build(
        [low, high],
        [match(low, "kultur", 0.3), match(high, "hav", 0.9, "ocean", "blue"), match(high, "kultur", 0.4)],
        [change(low, "new"), change(high, "new")],
    )
    assert [i.title for i in digest.new] == ["High", "Low"]
    assert [(t.title, t.percent) for t in digest.new[0].themes] == [("Hav og havnæringer", 90), ("Kultur", 40)]
    assert digest.new[0].why[:2] == ("ocean", "blue")
    assert digest.subject == "EU-utlysninger for Bergen kommune, uke 26: 2 nye treff – Hav og havnæringer, Kultur"


def test_only_changes_inside_the_period_and_matching_calls_count():
    old, unmatched, fresh = call("OLD-1"), call("NOPE-1"), call("NEW-1")
    before = (PERIOD[0] - timedelta(hours=1)).astimezone(UTC).isoformat(timespec="seconds")
    digest = build(
        [old, unmatched, fresh],
        [match(old, "hav", 0.8), match(fresh, "hav", 0.5)],
        [change(old, "new", at=before), change(unmatched, "new"), change(fresh, "new")],
    )
    assert [i.identifier for i in digest.new] == ["NEW-1"]


def test_subscriber_limited_to_some_themes_sees_only_those():
    sea, health = call("SEA-1"), call("HEALTH-1")
    digest = build(
        [sea, health],
        [match(sea, "hav", 0.9), match(health, "folkehelse", 0.5)],
        [change(sea, "new"), change(health, "new")],
        subscriber=HEALTH_ONLY,
    )
    assert [i.identifier for i in digest.new] == ["HEALTH-1"]
    assert digest.themes == ("Folkehelse",)


def test_sections_are_limited_but_totals_told():
    calls = [call(f"C-{n}") for n in range(5)]
    digest = build(
        calls, [match(c, "hav", 0.5 + n / 10) for n, c in enumerate(calls)], [change(c, "new") for c in calls]
    )
    assert (len(digest.new), digest.new_total) == (3, 5)
    assert [i.identifier for i in digest.new] == ["C-4", "C-3", "C-2"]


def test_closing_soon_holds_open_calls_with_a_deadline_in_the_window():
    soon = call("SOON-1", deadlines=(date(2026, 7, 1),))
    later = call("LATER-1", deadlines=(date(2026, 9, 1),))
    forthcoming = call("FORTH-1", status="forthcoming", deadlines=(date(2026, 7, 2),))
    passed = call("PAST-1", deadlines=(date(2026, 6, 1),))
    digest = build(
        [soon, later, forthcoming, passed], [match(c, "hav", 0.5) for c in (soon, later, forthcoming, passed)], []
    )
    assert [i.identifier for i in digest.closing] == ["SOON-1"]
    assert digest.closing[0].deadline_text == "1. juli 2026 (9 dager igjen)"
    assert digest.subject.endswith("ingen nye treff, 1 frist nærmer seg")


def test_changes_tell_moved_deadlines_and_calls_that_opened():
    moved, opened, edited = call("MOVED-1"), call("OPENED-1"), call("EDITED-1")
    digest = build(
        [moved, opened, edited],
        [match(moved, "hav", 0.7), match(opened, "hav", 0.6), match(edited, "hav", 0.9)],
        [
            change(moved, "deadline_moved", old=["2026-09-01"], new=["2026-09-08"]),
            change(moved, "deadline_moved", old=["2026-09-08"], new=["2026-09-15"]),
            change(opened, "status_changed", old="forthcoming", new="open"),
            change(edited, "status_changed", old="open", new="closed"),
        ],
    )
    assert [(i.identifier, i.change) for i in digest.changes] == [
        ("MOVED-1", "Frist endret: 1. september 2026 → 15. september 2026."),
        ("OPENED-1", "Har åpnet for søknader (var kommende)."),
    ]


def test_a_new_call_closing_soon_is_listed_once_under_closing_and_marked_new():
    c = call("BOTH-1", deadlines=(date(2026, 7, 1),))
    digest = build(
        [c], [match(c, "hav", 0.7)], [change(c, "new"), change(c, "deadline_moved", old=[], new=["2026-07-01"])]
    )
    assert [(i.identifier, i.is_new) for i in digest.closing] == [("BOTH-1", True)]
    assert digest.new == () and digest.changes == ()
    assert (digest.new_total, digest.new_closing) == (1, 1)
    assert digest.subject.startswith("EU-utlysninger for Bergen kommune, uke 26: 1 nytt treff")


def test_closing_soon_is_never_capped_and_ordered_by_deadline():
    # per_section is 3: five urgent calls, new and old, are all listed, nearest deadline first.
    urgent = [call(f"URGENT-{n}", deadlines=(date(2026, 7, 5 - n),)) for n in range(5)]
    old = call("OLD-1", deadlines=(date(2026, 6, 23),))
    fresh = [call(f"FRESH-{n}") for n in range(4)]  # new, deadline in September
    calls = [*urgent, old, *fresh]
    digest = build(
        calls,
        [match(c, "hav", 0.4 + n / 100) for n, c in enumerate(calls)],
        [change(c, "new") for c in [*urgent, *fresh]],
        base_url="https://eumonitor.example.no",
    )
    assert [i.identifier for i in digest.closing] == ["OLD-1"] + [f"URGENT-{n}" for n in range(4, -1, -1)]
    assert [i.is_new for i in digest.closing] == [False] + [True] * 5
    assert [i.identifier for i in digest.new] == ["FRESH-3", "FRESH-2", "FRESH-1"]  # capped at 3 of 4
    assert (digest.new_total, digest.new_listed_total) == (9, 4)
    assert digest.more_new == (("Hav og havnæringer", "https://eumonitor.example.no/?theme=hav&since=2026-06-15"),)


def test_empty_week_and_source_health():
    digest = build([], [], [], health=[failing()])
    assert digest.is_empty
    assert digest.subject == "EU-utlysninger for Bergen kommune, uke 26: ingen nye treff denne uken"
    assert [h.title for h in digest.health] == ["Interreg Nordsjøen"]


def test_budget_and_web_app_link_when_known():
    c = call("HORIZON-CL6-2026-01", total=12_500_000)
    digest = build([c], [match(c, "hav", 0.7)], [change(c, "new")], base_url="https://eumonitor.example.no/")
    item = digest.new[0]
    assert item.budget_text == "12 500 000 EUR"
    assert item.app_url == "https://eumonitor.example.no/call/eu-funding-tenders/HORIZON-CL6-2026-01"
    assert build([call("X")], [match(call("X"), "hav", 0.5)], [change(call("X"), "new")]).new[0].budget_text == ""


def test_summary_is_cut_at_a_word():
    assert shorten("one two three four", 9) == "one two …"
    assert shorten("  short  text ", 50) == "short text"


def test_a_first_digest_shows_the_best_open_calls_per_theme_not_everything_as_new():
    calls = [call(f"SEA-{n}") for n in range(5)] + [call("HEALTH-1"), call("CLOSED-1", status="closed")]
    matches = [match(c, "hav", 0.3 + n / 10) for n, c in enumerate(calls[:5])]
    matches += [match(calls[5], "folkehelse", 0.5), match(calls[6], "hav", 0.99)]
    started = datetime(2026, 6, 20, 6, 0, tzinfo=OSLO)  # inside the week before NOW
    data = inputs(calls, matches, [change(c, "new") for c in calls], started=started)
    digest = build_digest(SPEC, EVERYONE, WEEK, PERIOD, data)
    assert digest.first and digest.started == date(2026, 6, 20)
    assert digest.new == () and digest.changes == ()
    best = {title: [i.identifier for i in items] for title, items in digest.best}
    assert best == {"Hav og havnæringer": ["SEA-4", "SEA-3", "SEA-2"], "Folkehelse": ["HEALTH-1"]}  # 3 each
    assert digest.subject.endswith("første sammendrag – de beste åpne utlysningene per tema")
    text = render_digest(digest).text
    assert "arkivet ble startet 20. juni 2026" in text and "nye treff" not in text


def test_no_successful_collect_in_the_period_is_the_first_thing_said():
    c = call("OLD-1", deadlines=(date(2026, 7, 1),))
    answered = datetime(2026, 6, 10, 6, 0, tzinfo=OSLO)
    data = inputs([c], [match(c, "hav", 0.5)], [], health=[failing()], answered=answered)
    digest = build_digest(SPEC, EVERYONE, WEEK, PERIOD, data)
    text = render_digest(digest).text
    first_paragraph = text.split("\n\n")[1]
    assert first_paragraph.startswith("Ingen nye data fra kildene siden 10. juni 2026")
    never = build_digest(SPEC, EVERYONE, WEEK, PERIOD, inputs([], [], [], started=None, answered=None))
    assert render_digest(never).text.split("\n\n")[1].startswith("Ingen nye data: ingen av kildene har svart")


def test_health_line_names_sources_that_never_answered_and_since_when_others_fail():
    long_error = "HTTP 503 fra https://interreg-baltic.eu/ " + "x" * 2000
    health = [
        SourceHealth("a", "Interreg Europe", never_answered=True),
        SourceHealth("b", "URBACT", never_answered=True),
        SourceHealth("c", "Interreg Østersjøen", errors=3, last_error=long_error, failing_since=date(2026, 6, 15)),
        SourceHealth("d", "EU-portalen"),  # answered as normal: not named
    ]
    line = health_nb(tuple(h for h in health if h.troubled))
    assert line.startswith("Interreg Europe og URBACT har aldri svart; Interreg Østersjøen feiler siden 15. juni 2026")
    assert "EU-portalen" not in line and len(line) < 300  # the whole error is on /sources
