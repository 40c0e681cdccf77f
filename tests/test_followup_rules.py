"""The pure rules of follow-up work: roles, the status workflow, amounts, partners and when reminders fall due."""

from __future__ import annotations

from datetime import date

import pytest

from eumonitor.config.settings import check_reminder_days
from eumonitor.digests.reminders import days_nb, reminders_due
from eumonitor.followup import rules
from eumonitor.followup.rules import CaseRuleError, allowed_next, check_transition


def test_roles_are_ordered_and_spelled_either_way() -> None:
    assert rules.role_id("Redaktor") == rules.role_id("redaktør") == "redaktør"
    assert rules.may("admin", "redaktør") and rules.may("redaktør", "redaktør")
    assert not rules.may("leser", "redaktør") and not rules.may(None, "leser")
    with pytest.raises(CaseRuleError, match="ukjent rolle «sjef»"):
        rules.role_id("sjef")


def test_the_workflow_goes_forward_steps_back_once_and_decisions_are_final() -> None:
    assert allowed_next("til-vurdering") == ("aktuell", "soker", "sendt", "ikke-aktuell")
    assert allowed_next("soker") == ("aktuell", "sendt", "ikke-aktuell")
    assert allowed_next("sendt") == ("soker", "innvilget", "avslatt", "ikke-aktuell")
    assert allowed_next("ikke-aktuell") == ("til-vurdering", "aktuell")
    assert allowed_next("innvilget") == allowed_next("avslatt") == ()
    check_transition("sendt", "innvilget")
    with pytest.raises(CaseRuleError, match="kan ikke gå fra «aktuell» til «innvilget»; mulig nå: til vurdering"):
        check_transition("aktuell", "innvilget")
    with pytest.raises(CaseRuleError, match="avgjørelsen er endelig"):
        check_transition("innvilget", "avslatt")
    with pytest.raises(CaseRuleError, match="allerede status «søker»"):
        check_transition("soker", "soker")
    check_transition("soker", "soker", amount=1_200_000)  # the same status with an amount corrects the amount


def test_ikke_aktuell_needs_a_reason_and_amounts_go_with_their_statuses() -> None:
    with pytest.raises(CaseRuleError, match="trenger en begrunnelse"):
        check_transition("aktuell", "ikke-aktuell", "  ")
    check_transition("aktuell", "ikke-aktuell", "Ikke relevant for kommunen")
    assert rules.amount_field("sendt") == "amount_applied" and rules.amount_field("innvilget") == "amount_won"
    with pytest.raises(CaseRuleError, match="beløp kan bare oppgis"):
        check_transition("til-vurdering", "aktuell", amount=1000)
    assert rules.check_amount("250 000") == 250000 and rules.check_amount(250000) == 250000
    assert rules.check_amount(None) is None and rules.check_amount("") is None
    # Whole euros only, and a sane size: nothing is rounded or stored as an empty-looking 0.
    for bad in ("-5", "mange", "1e12", "nan", "1,5", "1200000,50", "0", "0,5", "10000000000"):
        with pytest.raises(CaseRuleError):
            rules.check_amount(bad)


def test_notes_partners_and_reminder_days_are_checked() -> None:
    assert rules.check_note("  Ring NTNU  ") == "Ring NTNU"
    with pytest.raises(CaseRuleError, match="notatet er tomt"):
        rules.check_note(" ")
    assert rules.check_partner("  Universitetet   i Bergen ", "Partner") == ("Universitetet i Bergen", "partner")
    with pytest.raises(CaseRuleError, match="ukjent partnerrolle «sponsor»"):
        rules.check_partner("UiB", "sponsor")
    assert check_reminder_days((42, 14, 3)) == []
    assert len(check_reminder_days((0, 14, 14))) == 2


def test_a_reminder_falls_due_once_and_a_late_follow_gets_only_the_nearest() -> None:
    deadline, leads = date(2026, 9, 1), (42, 14, 3)
    assert reminders_due(deadline, date(2026, 7, 20), leads, set()) == (None, [])  # 43 days left
    assert reminders_due(deadline, date(2026, 7, 21), leads, set()) == (42, [42])
    assert reminders_due(deadline, date(2026, 7, 22), leads, {42}) == (None, [])
    assert reminders_due(deadline, date(2026, 8, 30), leads, set()) == (3, [3, 14, 42])  # followed late
    assert reminders_due(deadline, date(2026, 8, 30), leads, {42, 14}) == (3, [3])
    assert reminders_due(deadline, date(2026, 9, 2), leads, set()) == (None, [])  # past
    assert days_nb(42) == "6 uker" and days_nb(3) == "3 dager" and days_nb(1) == "1 dag"
