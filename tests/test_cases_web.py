"""The call page's follow-up section through Flask's test client: follow, the case forms, roles, CSRF and escaping."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.web import create_app
from tests.support.cases import (
    COLLEAGUE,
    EDITOR,
    NOW,
    OCEAN,
    READER,
    SOURCE,
    cases_json,
    csrf_of,
    logged_in,
    make_root,
    populate,
)
from tests.support.smtp_server import SmtpSink

PAGE = f"/call/{SOURCE}/{OCEAN}"


@pytest.fixture()
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


@pytest.fixture()
def root(tmp_path: Path, sink: SmtpSink) -> Path:
    root = make_root(tmp_path, sink)
    populate(root)
    return root


@pytest.fixture()
def ctx(root: Path) -> Iterator[AppContext]:
    ctx = AppContext(config=load_config(root), fixed_now=NOW)
    yield ctx
    ctx.close()


def page(client) -> str:
    return client.get(PAGE).get_data(as_text=True)


def post(client, action: str, **fields: str):
    data = {"csrf_token": csrf_of(page(client)), "source": SOURCE, "external_id": OCEAN, **fields}
    return client.post(f"/sak/{action}", data=data)


def test_visitors_see_the_case_block_but_no_forms(ctx: AppContext) -> None:
    html = page(create_app(ctx).test_client())
    assert 'id="oppfolging"' in html and "Ingen sak ennå" in html and "Ingen notater ennå." in html
    assert "for å følge utlysningen" in html and "/sak/status" not in html
    assert create_app(ctx).test_client().post("/sak/folg", data={}).status_code == 403


def test_a_reader_follows_but_cannot_change_the_case(ctx: AppContext) -> None:
    client = logged_in(ctx, READER)
    html = page(client)
    assert "Følg utlysningen" in html and "/sak/status" not in html and "krever rollen redaktør" in html
    followed = post(client, "folg", follow="1")
    assert followed.status_code == 303 and followed.headers["Location"].endswith(PAGE + "#oppfolging")
    html = page(client)
    assert "Du følger nå utlysningen" in html and "Slutt å følge" in html and READER in html
    assert post(client, "status", status="aktuell").status_code == 403
    assert post(client, "notat", text="hei").status_code == 403
    assert ctx.store.get_case(ctx.store.call_id(SOURCE, OCEAN)) is None
    assert post(client, "folg", follow="0").status_code == 303
    assert "Du følger ikke lenger" in page(client)


def test_every_case_form_needs_the_csrf_token(ctx: AppContext) -> None:
    client = logged_in(ctx, EDITOR)
    for action, fields in (
        ("folg", {}),
        ("status", {"status": "aktuell"}),
        ("notat", {"text": "x"}),
        ("ansvar", {"assignee": COLLEAGUE}),
        ("partner", {"organisation": "UiB", "role": "partner"}),
        ("belop", {"applied": "5"}),
    ):
        refused = client.post(f"/sak/{action}", data={"source": SOURCE, "external_id": OCEAN, **fields})
        assert refused.status_code == 400, action
    assert ctx.store.get_case(ctx.store.call_id(SOURCE, OCEAN)) is None


def test_an_editor_works_a_case_through_the_page(ctx: AppContext, root: Path, sink: SmtpSink) -> None:
    client = logged_in(ctx, EDITOR)
    assert post(client, "ansvar", assignee=COLLEAGUE).status_code == 303
    assert sink.subjects() == [(COLLEAGUE, f"Ansvar for {OCEAN}")]
    assert post(client, "status", status="soker").status_code == 303
    post(client, "notat", text="<script>alert('x')</script> Ring UiB\nog HVL")
    post(client, "partner", organisation="Universitetet i Bergen", role="koordinator")
    post(client, "status", status="sendt", amount="250000")
    wrong = post(client, "status", status="til-vurdering")
    assert wrong.status_code == 303
    assert "Ikke lagret: Kan ikke gå fra «sendt» til «til vurdering»" in page(client)
    post(client, "status", status="innvilget", amount="200000")
    html = page(client)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Ring UiB" in html
    assert "Innvilget" in html and "250 000 EUR" in html and "200 000 EUR" in html
    assert "Universitetet i Bergen (koordinator)" in html and f"{EDITOR}: status sendt → innvilget" in html
    assert f"{EDITOR}: ansvarlig – → {COLLEAGUE}" in html
    assert "Avgjørelsen er endelig" in html and 'id="case-status"' not in html
    [row] = cases_json(root)  # the CLI reads the same case
    assert (row["status"], row["assignee"], row["amount_applied"], row["amount_won"]) == (
        "innvilget",
        COLLEAGUE,
        250000,
        200000,
    )


def test_an_unknown_call_or_a_bad_value_is_told_in_norwegian(ctx: AppContext) -> None:
    client = logged_in(ctx, EDITOR)
    token = csrf_of(page(client))
    missing = client.post("/sak/notat", data={"csrf_token": token, "source": SOURCE, "external_id": "NEI", "text": "x"})
    assert missing.status_code == 404 and "Fant ingen utlysning NEI" in missing.get_data(as_text=True)
    unknown = post(client, "ansvar", assignee="ukjent@x.no")
    assert unknown.status_code == 404 and "Ukjent bruker ukjent@x.no" in unknown.get_data(as_text=True)
    post(client, "status", status="soker", amount="mange")
    assert "Ikke lagret: Beløpet «mange» er ikke et helt antall euro" in page(client)


def test_the_note_field_stops_where_the_rule_does_so_a_long_note_is_never_typed_in_vain(ctx: AppContext) -> None:
    from eumonitor.followup.rules import MAX_NOTE

    client = logged_in(ctx, EDITOR)
    assert f'name="text" rows="3" required maxlength="{MAX_NOTE}"' in page(client)
    post(client, "notat", text="x" * MAX_NOTE)
    assert "Notatet er lagret." in page(client)
    post(client, "notat", text="y" * (MAX_NOTE + 1))  # what a client that ignores maxlength could send
    assert "Ikke lagret:" in page(client) and "y" * MAX_NOTE not in page(client)


def test_an_amount_won_is_refused_before_the_case_is_granted(ctx: AppContext) -> None:
    client = logged_in(ctx, EDITOR)
    post(client, "status", status="soker")
    post(client, "belop", applied="250000", won="200000")
    assert "Ikke lagret: Tildelt beløp kan bare oppgis når saken er innvilget" in page(client)
    assert ctx.store.get_case(ctx.store.call_id(SOURCE, OCEAN))["amount_won"] is None


def test_saving_empty_amounts_on_a_call_without_a_case_makes_no_case(ctx: AppContext) -> None:
    client = logged_in(ctx, EDITOR)
    assert post(client, "belop", applied="", won="").status_code == 303
    assert ctx.store.get_case(ctx.store.call_id(SOURCE, OCEAN)) is None


def test_the_stored_amount_sent_back_by_the_form_after_a_step_back_is_no_error(ctx: AppContext) -> None:
    client = logged_in(ctx, EDITOR)
    assert post(client, "status", status="soker", amount="250000").status_code == 303
    assert post(client, "status", status="aktuell").status_code == 303
    assert post(client, "belop", applied="250000", won="").status_code == 303  # the form pre-fills the stored amount
    shown = page(client)
    assert "Ikke lagret" not in shown and "Beløpene er lagret." in shown
    case = ctx.store.get_case(ctx.store.call_id(SOURCE, OCEAN))
    assert (case["status"], case["amount_applied"]) == ("aktuell", 250000)
