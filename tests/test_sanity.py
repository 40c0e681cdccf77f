"""The pure scan-consistency and schema-drift checks: what they refuse, and what they leave alone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from eumonitor.model import Parsed, RawCall, Skipped
from eumonitor.sources.kind import SourceError
from eumonitor.sources.normalize import normalize
from eumonitor.sources.sanity import ScanLedger, emptied_fields, presence, skipped_most

NOW = datetime(2026, 6, 17, 10, tzinfo=UTC)


def call(n: int, deadline: bool = True, status: str = "open", ref: str = ""):
    return RawCall(
        "s", f"ID-{n}", f"Tittel {n}", status=status, deadlines=(date(2026, 9, 1),) if deadline else (),
        extra={"reference": ref} if ref else {},
    )  # fmt: skip


def page(calls, total=10) -> Parsed:
    return Parsed(calls=tuple(calls), total_expected=total)


def test_a_page_of_new_hits_with_the_same_total_passes_and_a_short_scan_names_its_repeating_pages() -> None:
    ledger = ScanLedger()
    ledger.add(1, page([call(i) for i in range(5)]))
    ledger.add(2, page([call(i) for i in range(3, 8)]))
    assert ledger.repeats == {2: 2}
    assert "side 2 gjentok 2" in ledger.shortfall() and "10 treff, men bare 8 ulike" in ledger.shortfall()


def test_legacy_copies_of_one_identifier_are_distinct_records() -> None:
    ledger = ScanLedger()
    ledger.add(1, page([call(1, ref="a"), call(1, ref="b")], total=2))
    assert ledger.shortfall() is None


@pytest.mark.parametrize(
    ("second", "words"),
    [(page([call(9)], total=11), "side 2 oppga 11 treff, men side 1 oppga 10"), (page([call(1)]), "side 2 ga bare")],
)
def test_a_page_that_disagrees_is_refused_by_name(second: Parsed, words: str) -> None:
    ledger = ScanLedger()
    ledger.add(1, page([call(1), call(2)]))
    with pytest.raises(SourceError, match=words):
        ledger.add(2, second)


def test_a_feed_without_a_total_is_never_judged() -> None:
    ledger = ScanLedger()
    ledger.add(1, Parsed(calls=(call(1),)))
    ledger.add(2, Parsed(calls=(call(1),)))
    assert ledger.shortfall() is None


def stored(calls) -> dict:
    return {c.external_id: presence(c) for c in (normalize(r, NOW) for r in calls)}


def test_one_call_losing_its_deadline_is_a_change_not_drift() -> None:
    archive = stored(call(i) for i in range(20))
    incoming = [normalize(call(i, deadline=i != 3), NOW) for i in range(20)]
    assert emptied_fields(archive, incoming) is None


def test_most_calls_losing_their_deadlines_or_statuses_is_drift_naming_the_field() -> None:
    archive = stored(call(i) for i in range(20))
    message = emptied_fields(archive, [normalize(call(i, deadline=False, status=""), NOW) for i in range(20)])
    assert "feltet deadlines: 20 av 20" in message and "feltet status: 20 av 20" in message


def test_a_field_the_archive_mostly_lacked_and_small_sources_are_not_judged() -> None:
    mostly_without = stored(call(i, deadline=i < 5) for i in range(20))
    assert emptied_fields(mostly_without, [normalize(call(i, deadline=False), NOW) for i in range(20)]) is None
    small = stored(call(i) for i in range(4))
    assert emptied_fields(small, [normalize(call(i, deadline=False), NOW) for i in range(4)]) is None


def test_skipping_most_records_is_drift_with_the_commonest_reasons() -> None:
    reasons = [Skipped("treffet mangler identifier")] * 8 + [Skipped("ugyldig dato")]
    assert "9 av 10 poster" in skipped_most(1, reasons) and "«treffet mangler identifier» (8)" in skipped_most(
        1, reasons
    )
    assert skipped_most(10, reasons) is None  # fewer skipped than read: single bad records
    assert skipped_most(1, reasons[:3]) is None  # too few to call it a format
    assert "2 av 2 poster" in skipped_most(0, reasons[:2])  # but when nothing was read, they say why
