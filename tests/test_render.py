"""Rendering: the same digest as HTML (escaped, CSS inlined, compared with a golden file) and plain text."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import jinja2
import pytest

from eumonitor.digests.build import IsoWeek, build_digest, period_for
from eumonitor.digests.render import environment, render_digest
from tests.support.digest import NOW, OSLO, SPEC, call, change, failing, inputs, match

GOLDEN = Path(__file__).parent / "golden" / "digest-network-2026-W26.html"
HOSTILE = 'Ocean <script>alert("x")</script> & <b>bold</b> restoration'


def sample_digest(base_url: str = "https://eumonitor.bergen.kommune.no"):
    sea = call("HORIZON-MISS-2026-01-OCEAN-03", HOSTILE, total=15_000_000, summary="Restore marine ecosystems.")
    health = call("EU4H-2026-PJ-02", "Healthy ageing in cities", deadlines=(date(2026, 7, 3),))
    moved = call("ERASMUS-EDU-2026-PI-ALL-INNO", "Partnerships for innovation", deadlines=(date(2026, 10, 2),))
    data = inputs(
        [sea, health, moved],
        [
            match(sea, "hav", 0.82, "ocean", "marine"),
            match(health, "folkehelse", 0.61, "health"),
            match(moved, "kultur", 0.44, "culture"),
        ],
        [change(sea, "new"), change(moved, "deadline_moved", old=["2026-09-25"], new=["2026-10-02"])],
        [failing()],
        base_url,
    )
    week = IsoWeek(2026, 26)
    return build_digest(SPEC, SPEC.subscribers[0], week, period_for(week, NOW, None, OSLO), data)


def test_html_matches_the_golden_file():
    html = render_digest(sample_digest()).html
    if os.environ.get("UPDATE_GOLDEN") or not GOLDEN.exists():
        GOLDEN.write_text(html, encoding="utf-8")
    assert html == GOLDEN.read_text(encoding="utf-8"), "run with UPDATE_GOLDEN=1 after an intended change"


def test_hostile_title_is_shown_as_text_not_markup():
    rendered = render_digest(sample_digest())
    assert "<script>" not in rendered.html and "<b>bold" not in rendered.html
    assert 'Ocean &lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;' in rendered.html
    assert HOSTILE in rendered.text  # plain text needs no escaping; it is never interpreted


def test_css_is_inlined_for_mail_clients():
    html = render_digest(sample_digest()).html
    # Only the @media rules (phones, dark mode) stay in the head: they cannot be inlined.
    head_style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert html.count("<style") == 1 and head_style.lstrip().startswith("@media")
    assert "text-decoration" not in head_style
    assert 'style="color: #0b5cad;font-size: 16px;font-weight: bold;text-decoration: underline;"' in html


def test_html_and_text_carry_the_same_sections_and_facts():
    rendered = render_digest(sample_digest())
    for part in (rendered.html, rendered.text):
        assert "Nye utlysninger" in part or "NYE UTLYSNINGER" in part
        assert "15 000 000 EUR" in part
        assert "Hav og havnæringer 82" in part
        assert "Frist endret: 25. september 2026 → 2. oktober 2026." in part
        assert "Interreg Nordsjøen feilet 2 ganger (siste feil: HTTP 503)" in part
        assert "https://eumonitor.bergen.kommune.no/call/eu-funding-tenders/HORIZON-MISS-2026-01-OCEAN-03" in part
    assert "FRIST NÆRMER SEG" in rendered.text and "3. juli 2026 (11 dager igjen)" in rendered.text


def test_no_web_links_without_base_url():
    rendered = render_digest(sample_digest(base_url=""))
    assert "/call/" not in rendered.html and "I eumonitor:" not in rendered.text


def test_an_override_folder_replaces_a_packaged_template(tmp_path: Path):
    (tmp_path / "digest").mkdir()
    (tmp_path / "digest" / "email.txt").write_text("Egen mal: {{ d.subject }}\n", encoding="utf-8")
    rendered = render_digest(sample_digest(), environment(tmp_path))
    assert rendered.text == f"Egen mal: {rendered.subject}\n"
    assert "Nye utlysninger" in rendered.html  # the HTML still comes from the package


def test_a_template_typo_fails_instead_of_sending_holes(tmp_path: Path):
    (tmp_path / "digest").mkdir()
    (tmp_path / "digest" / "email.txt").write_text("{{ d.subjekt }}\n", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError, match="subjekt"):
        render_digest(sample_digest(), environment(tmp_path))
