"""Cases and scripting through the real CLI: follow, assign (the mail reaches a real SMTP server), status, notes,
partners, amounts, `cases --json`, the audit trail, and every refusal in Norwegian with a non-zero exit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from eumonitor.config import load_config
from eumonitor.context import AppContext
from tests.support.cases import CLIMA, COLLEAGUE, CULTURE, EDITOR, OCEAN, READER, cases_json, cli, make_root, populate
from tests.support.smtp_server import SmtpSink


@pytest.fixture()
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


@pytest.fixture()
def root(tmp_path: Path, sink: SmtpSink) -> Path:
    root = make_root(tmp_path, sink)
    populate(root)
    return root


def test_no_cases_yet_is_a_sentence(root: Path) -> None:
    result = cli(root, "cases")
    assert result.exit_code == 0 and "Ingen utlysninger følges eller har en sak ennå." in result.output
    assert cases_json(root) == []


def test_a_case_from_assignment_to_grant_with_its_audit_trail(root: Path, sink: SmtpSink) -> None:
    followed = cli(root, "follow", OCEAN.lower(), "--as", READER, "--json")  # any case of the id
    assert followed.exit_code == 0, followed.output
    assert json.loads(followed.stdout) == {
        "id": OCEAN,
        "source": "eu-funding-tenders",
        "following": True,
        "changed": True,
    }
    assigned = cli(root, "assign", OCEAN, COLLEAGUE, "--as", EDITOR)
    assert assigned.exit_code == 0, assigned.output
    assert f"ansvarlig er {COLLEAGUE}; varslet {COLLEAGUE} på e-post." in assigned.output
    assert sink.subjects() == [(COLLEAGUE, f"Ansvar for {OCEAN}")]
    body = sink.messages[0].get_content()
    assert (
        "Anna Berg (anna@bergen.kommune.no) har gitt deg ansvaret" in body and "Neste frist: 1. september 2026" in body
    )
    assert f"http://127.0.0.1:8080/call/eu-funding-tenders/{OCEAN}" in body

    assert cli(root, "status", OCEAN, "aktuell", "--as", EDITOR).exit_code == 0
    moved = cli(root, "status", OCEAN, "soker", "--as", COLLEAGUE, "--json")
    assert json.loads(moved.stdout)["status_nb"] == "søker"
    assert cli(root, "note", OCEAN, "Møte med UiB <fredag>", "--as", COLLEAGUE).exit_code == 0
    assert cli(root, "note", OCEAN, "Budsjett klart", "--as", EDITOR).exit_code == 0
    partner = cli(root, "partner", "add", OCEAN, "Universitetet i Bergen", "--role", "koordinator", "--as", EDITOR)
    assert partner.exit_code == 0 and "Universitetet i Bergen er koordinator" in partner.output
    assert (
        cli(root, "partner", "add", OCEAN, "Havforskningsinstituttet", "--role", "partner", "--as", EDITOR).exit_code
        == 0
    )
    sent = cli(root, "status", OCEAN, "sendt", "--amount", "250000", "--as", COLLEAGUE)
    assert sent.exit_code == 0 and "søkt 250 000 EUR" in sent.output
    won = cli(root, "status", OCEAN, "innvilget", "--amount", "200 000", "--as", COLLEAGUE, "--json")
    data = json.loads(won.stdout)
    assert (data["status"], data["amount_applied"], data["amount_won"]) == ("innvilget", 250000, 200000)

    [row] = cases_json(root)
    assert row["id"] == OCEAN and row["status"] == "innvilget" and row["assignee"] == COLLEAGUE
    assert row["followers"] == [READER] and row["next_deadline"] == "2026-09-01" and row["days_left"] == 68
    assert row["partners"] == ["Universitetet i Bergen (koordinator)", "Havforskningsinstituttet (partner)"]
    ctx = AppContext(load_config(root))
    call_id = ctx.store.call_id("eu-funding-tenders", OCEAN)
    audit = [(a["who"], a["field"], a["old"], a["new"]) for a in ctx.store.case_audit(call_id)]
    assert audit[:2] == [(EDITOR, "case", None, "opprettet"), (EDITOR, "assignee", "", COLLEAGUE)]
    assert (COLLEAGUE, "status", "sendt", "innvilget") in audit and (COLLEAGUE, "amount_won", None, "200000") in audit
    assert [n["text"] for n in ctx.store.case_notes(call_id)] == ["Møte med UiB <fredag>", "Budsjett klart"]
    ctx.close()
    listing = cli(root, "cases").output
    assert f"{OCEAN}  innvilget  {COLLEAGUE}  68 dager igjen" in listing


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("status", "UKJENT-2026", "aktuell", "--as", EDITOR), 1, "Fant ingen utlysning UKJENT-2026 i arkivet."),
        (("status", OCEAN, "aktuell", "--as", "ingen@x.no"), 1, "Ukjent bruker ingen@x.no."),
        (("status", OCEAN, "aktuell"), 2, "Oppgi hvem som gjør endringen med --as EPOST."),
        (("status", OCEAN, "innvilget", "--as", EDITOR), 2, "Kan ikke gå fra «til vurdering» til «innvilget»"),
        (("status", OCEAN, "ferdig", "--as", EDITOR), 2, "Ukjent status «ferdig»; tillatt: til-vurdering, aktuell"),
        (("status", OCEAN, "ikke-aktuell", "--as", EDITOR), 2, "«ikke aktuell» trenger en begrunnelse (--reason)"),
        (("status", OCEAN, "soker", "--amount", "mye", "--as", EDITOR), 2, "Beløpet «mye» er ikke et helt antall euro"),
        (("status", OCEAN, "aktuell", "--as", READER), 4, "kari@bergen.kommune.no har rollen leser; dette krever"),
        (("assign", OCEAN, "ingen@x.no", "--as", EDITOR), 1, "Ukjent bruker ingen@x.no: saken kan bare gis til"),
        (("assign", OCEAN, READER, "--as", EDITOR), 2, f"{READER} er leser og kan ikke endre saken"),
        (("status", OCEAN, "soker", "--amount", "1,5", "--as", EDITOR), 2, "ikke et helt antall euro"),
        (("status", OCEAN, "soker", "--amount", "0", "--as", EDITOR), 2, "Beløpet skal være mellom 1 og"),
        (("note", OCEAN, "  ", "--as", EDITOR), 2, "Notatet er tomt."),
        (("note", OCEAN, "hei", "--as", READER), 4, "har rollen leser"),
        (("partner", "add", OCEAN, "UiB", "--role", "sponsor", "--as", EDITOR), 2, "Ukjent partnerrolle «sponsor»"),
        (("follow", "UKJENT-2026", "--as", READER), 1, "Fant ingen utlysning"),
    ],
)
def test_refusals_are_norwegian_with_an_exit_status_and_change_nothing(root: Path, args, code, message) -> None:
    result = cli(root, *args)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert cases_json(root) == []


def test_a_decision_is_final_and_ikke_aktuell_keeps_its_reason(root: Path) -> None:
    for status in ("soker", "sendt", "avslatt"):
        assert cli(root, "status", CLIMA, status, "--as", EDITOR).exit_code == 0
    final = cli(root, "status", CLIMA, "innvilget", "--as", EDITOR)
    assert final.exit_code == 2 and "avgjørelsen er endelig" in final.output
    dropped = cli(root, "status", CULTURE, "ikke-aktuell", "--reason", "Fristen er for nær", "--as", EDITOR, "--json")
    assert json.loads(dropped.stdout)["reason"] == "Fristen er for nær"
    assert {r["id"]: r["status"] for r in cases_json(root)} == {CLIMA: "avslatt", CULTURE: "ikke-aktuell"}


def test_unfollow_and_following_twice_say_so(root: Path) -> None:
    assert "følger nå" in cli(root, "follow", CLIMA, "--as", READER).output
    assert "fulgte allerede" in cli(root, "follow", CLIMA, "--as", READER).output
    assert cases_json(root)[0]["status"] is None  # followed, no case
    assert "følger ikke lenger" in cli(root, "unfollow", CLIMA, "--as", READER).output
    assert cases_json(root) == []


def test_a_removed_user_follows_nothing_but_their_notes_keep_their_name(root: Path) -> None:
    assert cli(root, "follow", CLIMA, "--as", READER).exit_code == 0
    assert cli(root, "note", CLIMA, "Sjekk budsjettet", "--as", EDITOR).exit_code == 0
    assert cli(root, "user", "remove", READER).exit_code == 0
    assert cli(root, "user", "remove", EDITOR).exit_code == 0
    [row] = cases_json(root)
    assert row["followers"] == []
    ctx = AppContext(load_config(root))
    assert ctx.store.case_notes(ctx.store.call_id("eu-funding-tenders", CLIMA))[0]["author"] == EDITOR
    ctx.close()
    gone = cli(root, "note", CLIMA, "igjen", "--as", EDITOR)
    assert gone.exit_code == 1 and f"Ukjent bruker {EDITOR}." in gone.output


def test_removing_the_person_responsible_says_which_cases_still_name_them(root: Path) -> None:
    assert cli(root, "assign", CLIMA, COLLEAGUE, "--as", EDITOR).exit_code == 0
    removed = cli(root, "user", "remove", COLLEAGUE)
    assert removed.exit_code == 0
    assert f"1 sak står fortsatt på {COLLEAGUE}, som er fjernet: {CLIMA}" in removed.output
    assert "eumonitor assign" in removed.output


def test_a_partner_added_by_mistake_can_be_taken_out_and_the_history_says_so(root: Path) -> None:
    assert (
        cli(root, "partner", "add", CLIMA, "Universitetet i Bregen", "--role", "partner", "--as", EDITOR).exit_code == 0
    )
    taken = cli(root, "partner", "remove", CLIMA, "universitetet i bregen", "--as", EDITOR)
    assert taken.exit_code == 0 and "er tatt ut av" in taken.output
    [row] = cases_json(root)
    assert row["partners"] == []
    again = cli(root, "partner", "remove", CLIMA, "UiB", "--as", EDITOR)
    assert again.exit_code == 1 and "UiB er ikke partner i" in again.output
    reader = cli(root, "partner", "remove", CLIMA, "UiB", "--as", READER)
    assert reader.exit_code == 4
    ctx = AppContext(load_config(root))
    audit = ctx.store.case_audit(ctx.store.call_id("eu-funding-tenders", CLIMA))
    assert [(a["field"], a["old"], a["new"]) for a in audit if a["field"] == "partner"][-1] == (
        "partner",
        "Universitetet i Bregen: partner",
        None,
    )
    ctx.close()
    assert cli(root, "assign", CLIMA, EDITOR, "--as", EDITOR).exit_code == 0
    demoted = cli(root, "user", "set-role", EDITOR, "leser")
    assert demoted.exit_code == 0 and f"står fortsatt på {EDITOR}, som nå er leser" in demoted.output
