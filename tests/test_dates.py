"""Deadline extraction on the forms the sources use, and on the real text excerpts of their pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from eumonitor.sources.dates import parse_date, read_dates

PAGES = Path(__file__).parent / "fixtures" / "source-pages"  # copies of shared/research/source-pages
LOCAL = Path(__file__).parent / "fixtures"


def excerpt(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "deadline", "opening", "time"),
    [
        ("Deadline: 30 September 2026", date(2026, 9, 30), None, ""),
        ("Frist 15. mars 2026 kl. 13:00", date(2026, 3, 15), None, "13:00"),
        ("Opens 1 Feb, closes 30 Apr 2026", date(2026, 4, 30), date(2026, 2, 1), ""),
        ("Søknadsfrist: 2026-10-01", date(2026, 10, 1), None, ""),
        ("URBACT call for Networks is open, 17 March - 17 June 2026", date(2026, 6, 17), date(2026, 3, 17), ""),
        ("Siste frist for søknad 01. des 2020", date(2020, 12, 1), None, ""),
        ("Søknadsfrist 5.februar 2024.", date(2024, 2, 5), None, ""),
        ("Søknadsfrist:\n15.10.2014 13:00 CEST", date(2014, 10, 15), None, "13:00"),
        ("Closing date: 14 November 2022 at 17.00 CET.", date(2022, 11, 14), None, "17:00"),
        ("open from 1 December to 15 January 2026", date(2026, 1, 15), date(2025, 12, 1), ""),
        ("Frist 16 des 2020", date(2020, 12, 16), None, ""),
    ],
)
def test_forms_in_english_and_norwegian(text: str, deadline: date, opening: date | None, time: str) -> None:
    report = read_dates(text)
    assert report.deadlines == (deadline,)
    assert report.opening == opening
    assert report.deadline_time == time
    assert report.state == "dated"


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("Søknadsfrist\n\nUtløpt", "expired"),
        ("Søknader vert handsama løpande", "rolling"),
        ("The Fifth Call for main projects is now closed.", "closed"),
        ("A page about cities, with no date at all.", "none"),
    ],
)
def test_words_without_a_date_say_what_they_say_and_nothing_more(text: str, state: str) -> None:
    report = read_dates(text)
    assert report.deadlines == ()
    assert report.state == state
    assert report.note


def test_dates_that_are_not_labelled_as_deadlines_are_not_guessed_to_be_one() -> None:
    report = read_dates("Eurocities News 24 May 2024\nPreventing food crises through collaboration")
    assert report.deadlines == ()
    assert report.state == "none"
    assert "24 May 2024" in report.note
    assert [d.value for d in report.dates] == [date(2024, 5, 24)]


def test_a_day_without_a_year_far_from_any_year_is_dropped() -> None:
    assert read_dates("Join our Q&A webinar on 15 May 10-11 am.").dates == ()


def test_month_only_is_never_a_deadline() -> None:
    report = read_dates("Søknadsfrist\nFebruar 2024")
    assert report.deadlines == ()
    assert report.dates[0].precision == "month"


def test_parse_date_reads_one_cell() -> None:
    assert parse_date("13. sep. 2023") == date(2023, 9, 13)
    assert parse_date("01/05/2025") == date(2025, 5, 1)  # DD/MM, as the European sites write it
    assert parse_date("snart") is None


# ---------------------------------------------------------------- real page texts


def test_forskningsradet_viktige_datoer_puts_the_date_above_its_label() -> None:
    report = read_dates(excerpt("forskningsradet/utlysninger-2023-pilot-helse-tab1.txt"))
    assert report.deadlines == (date(2023, 9, 13),)
    assert report.opening == date(2023, 8, 2)
    roles = {d.value: d.role for d in report.dates}
    assert roles[date(2024, 1, 1)] == "other"  # "Tidligste tillatte prosjektstart", not a deadline


def test_forskningsradet_2025_forthcoming_call() -> None:
    report = read_dates(excerpt("forskningsradet/utlysninger-2025-forskerprosjekt-fornyelse-tematisk.txt"))
    assert report.deadlines == (date(2025, 3, 5),)
    assert report.opening == date(2025, 1, 22)


def test_rff_vestland_nynorsk_labels() -> None:
    report = read_dates(excerpt("rff-vestland/rffvestland-2020-regionale-samarbeidsprosjekt-2021.txt"))
    assert report.deadlines == (date(2020, 12, 1),)
    assert report.opening == date(2020, 10, 15)


def test_rff_legacy_layout_with_time_and_zone() -> None:
    report = read_dates(excerpt("rff-vestland/legacy-prognett-vestlandet-utlysning-RFFVEST-2014.txt"))
    assert report.deadlines == (date(2014, 10, 15),)
    assert report.deadline_time == "13:00"


def test_interreg_no_announcement_with_label_above_date() -> None:
    report = read_dates(excerpt("interreg-no/utlysninger-interreg-nord-5.txt"))
    assert report.opening == date(2017, 11, 1)
    assert report.deadlines == (date(2018, 2, 15),)


def test_interreg_no_calendar_range_with_at_times() -> None:
    report = read_dates(excerpt("interreg-no/kalender-espon-apen-utlysning-malrettede-analyser.txt"))
    assert report.opening == date(2022, 11, 11)
    assert report.deadlines == (date(2023, 2, 24),)
    assert report.deadline_time == "12:00"


def test_interreg_europe_page_keeps_every_call_and_the_current_one_is_among_them() -> None:
    report = read_dates(excerpt("interreg-europe/next-call-for-projects.capture-a.txt"))
    assert date(2024, 6, 7) in report.deadlines  # "open from 20 March to 7 June 2024 (12:00 noon CEST"
    assert report.opening == date(2024, 3, 20)
    assert report.deadline_time == "12:00"


def test_north_sea_closing_date_label() -> None:
    text = excerpt("interreg-north-sea/northsearegion-eu-new-programme-calls-for-applications-call-2.txt")
    report = read_dates(text)
    assert report.deadlines == (date(2022, 11, 14),)
    assert report.deadline_time == "17:00"


def test_north_sea_news_date_is_not_a_deadline() -> None:
    report = read_dates(excerpt("interreg-north-sea/our-news-call-5-is-open-apply-for-norwegian-funds.txt"))
    assert date(2025, 5, 1) not in report.deadlines  # the publication date 01/05/2025
    assert date(2026, 7, 1) not in report.deadlines  # "an end date of 1 July 2026": a project's end


def test_urbact_project_period_does_not_outlive_the_call() -> None:
    name = "urbact/whats-new-stories-urbact-answers-your-questions-about-call-action-networks.txt"
    report = read_dates(excerpt(name))
    assert report.deadlines == (date(2026, 6, 17),)
    assert report.opening == date(2026, 3, 17)


def test_baltic_news_names_every_labelled_deadline() -> None:
    report = read_dates(excerpt("interreg-baltic/news-2022-new-funding-open-calls-for-project-applications.txt"))
    assert report.deadlines == (date(2022, 3, 9), date(2022, 3, 15), date(2022, 3, 30), date(2022, 4, 26))


def test_hkdir_expired_and_vestland_no_space_date() -> None:
    expired = excerpt(
        "hkdir-erasmus/hkdir-no-utlysninger-og-tilskudd-soknad-om-midler-for-akkrediterte-institusjoner.txt"
    )
    assert read_dates(expired).state == "expired"
    vestland = read_dates(
        excerpt("hkdir-erasmus/vestlandfylke-no-internasjonalt-samarbeid-erasmus-vaksenopplaering.txt")
    )
    assert vestland.deadlines == (date(2024, 2, 5),)


def test_news_without_dates_says_none() -> None:
    report = read_dates(excerpt("vest-norges-brusselkontor/erasmus-utlysingane-for-2022-er-her.txt"))
    assert report.found is False
    assert report.note == "fant ingen dato i teksten"


def test_interreg_no_ical_description_in_the_local_copy() -> None:
    text = (LOCAL / "interreg-no" / "kalender-2024-05-21.outlook-ical.excerpt.txt").read_text(encoding="utf-8")
    assert date(2024, 6, 7) in read_dates(text.replace("\\n", "\n").replace("\\,", ",")).deadlines
