"""Norwegian words in search: the glossary, the profiles' pairings, exact identifiers first, and the notes shown."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.config import ConfigError, load_config
from eumonitor.config.glossary import GLOSSARY_PATH, label_words, load_glossary, with_profiles
from eumonitor.config.profiles import load_profiles
from eumonitor.context import AppContext
from eumonitor.model import RawCall
from eumonitor.nb import FALLBACK_NOTE
from eumonitor.sources.normalize import normalize
from eumonitor.store import Store
from eumonitor.store.query_expansion import Glossary, expand, lookup
from eumonitor.store.search import SearchQuery, fts_expression
from eumonitor.web import create_app
from tests.support.web import REPO, make_root

NOW = datetime(2026, 6, 17, 10, tzinfo=UTC)
TODAY = date(2026, 7, 1)
TOPIC = "HORIZON-CL6-2025-01-ZEROPOLLUTION-05"
CALL_ID = "HORIZON-CL6-2025-01"
SUPPORT = f"{TOPIC}-CSA"


def call(ident: str, title: str, text: str, **changes) -> object:
    raw = RawCall(
        source="eu",
        external_id=ident,
        title=title,
        url=f"https://example.org/{ident}",
        description_text=text,
        programme="Horizon Europe",
        status="open",
        deadlines=(date(2026, 9, 22),),
    )
    return normalize(replace(raw, **changes), NOW)


CALLS = [
    call("ADAPT-1", "Regions and cities ready for what is coming", "Climate adaptation plans with local communities."),
    call("ADAPT-2", "Resilient schools", "Schools lead climate adaptation in their neighbourhoods."),
    call("NB-1", "Lokale tiltak", "Kommunen prøver ut klimatilpasning i nye bydeler."),
    call("OTHER-1", "Hydrogen valleys", "Hydrogen production and storage for industry."),
    call(TOPIC, "Zero pollution monitoring", "Monitoring of pollutants.", call_identifier=CALL_ID),
    call(f"{CALL_ID}-SOIL-02", "Soil health", "Healthy soils.", call_identifier=CALL_ID),
    call(  # a support action named after the topic, saying its id over and over
        SUPPORT,
        f"{TOPIC}: {TOPIC} info",
        f"Help for {TOPIC}: write a proposal for {TOPIC}, meet partners for {TOPIC}.",
        keywords=(TOPIC, TOPIC),
        call_title=TOPIC,
    ),
]


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    found, problems = load_glossary()
    assert problems == [] and found is not None
    profiles, _ = load_profiles(REPO)
    return with_profiles(found, profiles)


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "archive.db")
    with s.transaction():
        s.upsert_calls("eu", CALLS, NOW, None, True)
    yield s
    s.close()


def ids(rows: list[dict]) -> list[str]:
    return [r["external_id"] for r in rows]


# ---------------------------------------------------------------- the archive's search


def test_klimatilpasning_finds_calls_that_say_climate_adaptation(store: Store, glossary: Glossary) -> None:
    plain, _ = store.search(SearchQuery(text="klimatilpasning"), TODAY)
    assert ids(plain) == ["NB-1"]  # without the glossary only the Norwegian text matches
    result = store.explained_search(SearchQuery(text="klimatilpasning"), TODAY, glossary)
    assert set(ids(result.rows)) == {"ADAPT-1", "ADAPT-2", "NB-1"} and result.total == 3
    assert "climate adaptation" in result.added and not result.any_word


def test_a_norwegian_word_in_a_calls_own_text_still_finds_it(store: Store, glossary: Glossary) -> None:
    result = store.explained_search(SearchQuery(text="bydeler"), TODAY, glossary)
    assert ids(result.rows) == ["NB-1"] and result.added == ()  # no glossary word: searched as before
    widened = store.explained_search(SearchQuery(text="klimatilpasning bydeler"), TODAY, glossary)
    assert ids(widened.rows) == ["NB-1"] and widened.added and not widened.any_word


def test_inflected_norwegian_word_is_widened_too(store: Store, glossary: Glossary) -> None:
    result = store.explained_search(SearchQuery(text="Klimatilpasningen"), TODAY, glossary)
    assert {"ADAPT-1", "ADAPT-2"} <= set(ids(result.rows))


def test_the_other_words_still_and_together(store: Store, glossary: Glossary) -> None:
    result = store.explained_search(SearchQuery(text="klimatilpasning og schools"), TODAY, glossary)
    assert ids(result.rows) == ["ADAPT-2"] and not result.any_word  # "og" is dropped, the rest must all match


def test_fallback_to_any_word_is_reported(store: Store, glossary: Glossary) -> None:
    result = store.explained_search(SearchQuery(text="klimatilpasning hydrogen"), TODAY, glossary)
    assert result.any_word and {"ADAPT-1", "OTHER-1"} <= set(ids(result.rows))
    found = store.explained_search(SearchQuery(text="hydrogen valleys"), TODAY, glossary)
    assert not found.any_word and found.added == ()


def test_an_exact_identifier_lists_that_call_first(store: Store, glossary: Glossary) -> None:
    # On its words alone the support action ranks first: its id starts with the topic's, and it names it often.
    plain = store.conn.execute(
        "SELECT c.external_id FROM calls_fts JOIN calls c ON c.id = calls_fts.rowid WHERE calls_fts MATCH :m "
        "ORDER BY bm25(calls_fts, 8.0, 6.0, 2.0, 2.0, 1.0, 1.0)",
        {"m": fts_expression(TOPIC)},
    ).fetchall()
    assert plain[0][0] == SUPPORT
    result = store.explained_search(SearchQuery(text=TOPIC.lower()), TODAY, glossary)
    assert ids(result.rows)[:2] == [TOPIC, SUPPORT] and result.pinned == 1
    assert ids(result.rows).count(TOPIC) == 1


def test_a_call_identifier_lists_its_topics_first(store: Store, glossary: Glossary) -> None:
    result = store.explained_search(SearchQuery(text=CALL_ID), TODAY, glossary)
    assert set(ids(result.rows)[:2]) == {TOPIC, f"{CALL_ID}-SOIL-02"} and result.pinned == 2
    # Filters still hold, and later pages are left as they are.
    closed = store.explained_search(SearchQuery(text=CALL_ID, status="closed"), TODAY, glossary)
    assert closed.pinned == 0
    later = store.explained_search(SearchQuery(text=CALL_ID, offset=20), TODAY, glossary)
    assert later.pinned == 0


def test_fts_expression_quotes_every_term() -> None:
    small = Glossary({"klimatilpasning": ("climate adaptation", 'odd "quoted" term')}, frozenset({"og"}))
    assert fts_expression("klimatilpasning og byer", glossary=small) == (
        '("klimatilpasning" OR "climate adaptation" OR "odd quoted term") AND "byer"*'
    )
    assert fts_expression("byer klimatilpasning", any_word=True, glossary=small) == (
        '"byer" OR ("klimatilpasning"* OR "climate adaptation" OR "odd quoted term")'
    )


# ---------------------------------------------------------------- the glossary


def test_packaged_glossary_covers_the_nine_themes(glossary: Glossary) -> None:
    text = GLOSSARY_PATH.read_text(encoding="utf-8")
    assert "IKKE ut fra relevansvurderingene" in text
    themes = {p.stem for p in (REPO / "profiles").glob("*.toml")}
    assert len(themes) == 9 and all(f"\n[{theme}]\n" in text for theme in themes)
    assert len(glossary.terms) >= 80
    for word in ("klimatilpasning", "havbruk", "folkehelse", "velferdsteknologi", "kulturarv", "beredskap"):
        assert glossary.terms[word], word
    assert "social exclusion" in glossary.terms["utenforskap"]


def test_inflections_and_compounds_find_their_word(glossary: Glossary) -> None:
    assert lookup("havbruket", glossary) == lookup("havbruk", glossary)
    assert lookup("helsa", glossary) == lookup("helse", glossary)
    assert lookup("folkehelsearbeid", glossary) == lookup("folkehelse", glossary)
    assert lookup("kulturarvsprosjekt", glossary) == lookup("kulturarv", glossary)  # the longest head wins
    assert lookup("have", glossary) == () and lookup("haven", glossary) == ()  # English words stay English
    phrase = expand("kritisk infrastruktur", glossary).groups
    assert len(phrase) == 1 and "critical infrastructure" in phrase[0].added


def test_profiles_pair_their_norwegian_title_words(glossary: Glossary) -> None:
    profiles, _ = load_profiles(REPO)
    assert label_words(profiles["klima-miljo"], Glossary()) == ["klima"]  # not "energi": no word for climate
    assert label_words(profiles["digitalisering"], Glossary()) == ["digitalisering"]
    named = {w for p in profiles.values() for w in label_words(p, Glossary())}
    assert named == {"klima", "hav", "folkehelse", "velferdsteknologi", "kompetanse", "kultur"} | {
        "menneskerettigheter",
        "digitalisering",
        "samfunnssikkerhet",
    }
    only_profiles = with_profiles(Glossary(), profiles)
    assert only_profiles.terms["folkehelse"] == ("public health", "health promotion", "prevention")
    assert "ocean" in only_profiles.terms["hav"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('"klima" = "climate"', "skal være en liste"),
        ('"klima" = ["climate", "(climate)"]', "er ikke et engelsk ord"),
        ('"Klima!" = ["climate"]', "små bokstaver"),
        ('"klima" = []', "minst ett engelsk uttrykk"),
    ],
)
def test_a_bad_glossary_entry_is_named_with_file_and_line(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "ordliste.toml"
    text = f'# ordliste\n[ignore]\nwords = ["og"]\n\n[klima-miljo]\n"miljø" = ["environment"]\n{entry}\n'
    path.write_text(text, encoding="utf-8")
    found, problems = load_glossary(path)
    assert found is None and len(problems) == 1
    assert str(problems[0]).startswith(f"{path}:7 [klima-miljo.") and message in problems[0].message


def test_a_broken_glossary_file_stops_the_configuration(tmp_path: Path) -> None:
    path = tmp_path / "ordliste.toml"
    path.write_text('[hav]\nhav = ["ocean"]\nhavbruk = aquaculture\n', encoding="utf-8")
    found, problems = load_glossary(path)
    assert found is None and problems[0].file == str(path) and problems[0].line == 3
    assert "ugyldig TOML" in problems[0].message


# ---------------------------------------------------------------- web page and command line


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = make_root(tmp_path)
    ctx = AppContext(config=load_config(root))
    with ctx.store.transaction():
        ctx.store.upsert_calls("eu", CALLS, NOW, None, True)
    ctx.close()
    return root


def test_search_page_says_what_it_searched_for(root: Path) -> None:
    ctx = AppContext(config=load_config(root), fixed_now=datetime(2026, 7, 1, 12, tzinfo=UTC))
    try:
        client = create_app(ctx).test_client()
        html = client.get("/?q=klimatilpasning").get_data(as_text=True)
        assert "Søkte også etter: climate adaptation, " in html and "Resilient schools" in html
        assert FALLBACK_NOTE not in html
        mixed = client.get("/?q=klimatilpasning+hydrogen").get_data(as_text=True)
        assert FALLBACK_NOTE in mixed and "Hydrogen valleys" in mixed
        ident = client.get(f"/?q={TOPIC.lower()}").get_data(as_text=True)
        assert ident.index("Zero pollution monitoring") < ident.index(f"{TOPIC}: {TOPIC} info")
        assert "Utlysningen med denne id-en står øverst." in ident
        assert "Søkte også etter" not in client.get("/?q=hydrogen").get_data(as_text=True)
    finally:
        ctx.close()


def test_a_theme_added_on_disk_widens_the_next_search_without_a_restart(root: Path) -> None:
    ctx = AppContext(config=load_config(root), fixed_now=datetime(2026, 7, 1, 12, tzinfo=UTC))
    try:
        client = create_app(ctx).test_client()
        assert "Søkte også etter" not in client.get("/?q=vannkraft").get_data(as_text=True)
        # What a save on the profile page does: the file changes while the app runs.
        (root / "profiles" / "vannkraft.toml").write_text(
            'title = "Vannkraft og fornybar energi"\nowner = "energi@bergen.kommune.no"\n'
            'description = "Hydropower."\nmin_score = 0.25\nexclude = []\n\n'
            '[[keywords]]\nweight = 3.0\nterms = ["vannkraft", "hydropower"]\n',
            encoding="utf-8",
        )
        assert "Søkte også etter: hydropower" in client.get("/?q=vannkraft").get_data(as_text=True)
    finally:
        ctx.close()


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), "--now", "2026-07-01", "search", *args])


def test_cli_prints_the_notes_first_and_keeps_json_clean(root: Path) -> None:
    text = cli(root, "klimatilpasning")
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("Søkte også etter: climate adaptation, ") and "ADAPT-2" in text.stdout
    as_json = cli(root, "klimatilpasning", "hydrogen", "--json")
    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.stdout)  # the same list of calls as before: the notes went to stderr
    assert isinstance(rows, list) and {"ADAPT-1", "OTHER-1"} <= {r["id"] for r in rows}
    assert "Søkte også etter" in as_json.stderr and FALLBACK_NOTE in as_json.stderr
    first = json.loads(cli(root, CALL_ID.lower(), "--json").stdout)
    assert {r["id"] for r in first[:2]} == {TOPIC, f"{CALL_ID}-SOIL-02"}


def test_a_broken_glossary_is_a_configuration_error(root: Path) -> None:
    """The packaged file is edited by hand: a mistake in it is reported like one in the root's files."""
    bad = root / "ordliste.toml"
    bad.write_text('[hav]\n"hav" = "ocean"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"ordliste.toml:2 \[hav.hav\]: skal være en liste"):
        load_config(root, glossary_path=bad)
