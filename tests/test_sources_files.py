"""Every shipped source file validates, says what it watches, and bad feed options are named clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from eumonitor.config import load_config
from eumonitor.config.checker import ConfigError

ROOT = Path(__file__).resolve().parent.parent
FEED_SOURCES = {
    "interreg-no": "ical",
    "interreg-north-sea": "html_list",
    "interreg-baltic": "rss",
    "interreg-npa": "html_list",
    "interreg-europe": "html_list",
    "urbact": "html_list",
    "espon": "html_list",
    "eurocities": "rss",
    "forskningsradet": "html_list",
    "hkdir-erasmus": "html_list",
    "vest-norges-brusselkontor": "rss",
}


def test_every_shipped_source_file_validates() -> None:
    config = load_config(ROOT)
    assert set(FEED_SOURCES) <= set(config.sources)
    assert {config.sources[s].kind for s in FEED_SOURCES} == {"ical", "html_list", "rss"}
    for source_id, kind in FEED_SOURCES.items():
        spec = config.sources[source_id]
        assert spec.kind == kind, source_id
        assert spec.note, f"{source_id} has no note of what it watches"
        assert spec.verified_on == "", f"{source_id} claims a live check nobody could make from here"


# What each source shipped enabled rests on: a test on a real recording of that source, or a generic kind tested on
# real recordings of the same software at an address that software always serves.
OWN_RECORDING = {
    "eu-funding-tenders": "tests/test_collect_e2e.py",
    "interreg-eu": "tests/test_interreg_eu.py",
    "euro-access": "tests/test_euro_access.py",
}
SAME_SOFTWARE = {
    "eurocities": ("/feed/", "tests/fixtures/wordpress-rss"),  # WordPress
    "vest-norges-brusselkontor": ("/feed/", "tests/fixtures/wordpress-rss"),  # WordPress
    "interreg-no": ("?ical=1", "tests/fixtures/ical-tribe"),  # The Events Calendar
}


def test_only_sources_with_real_recordings_behind_them_ship_enabled() -> None:
    config = load_config(ROOT)
    assert {s for s, spec in config.sources.items() if spec.enabled} == set(OWN_RECORDING) | set(SAME_SOFTWARE)
    for test in OWN_RECORDING.values():
        assert (ROOT / test).is_file(), test
    for source_id, (address, recordings) in SAME_SOFTWARE.items():
        assert config.sources[source_id].url.endswith(address), source_id
        assert any((ROOT / recordings).iterdir()), recordings


def test_disabled_sources_say_why_and_what_to_record() -> None:
    config = load_config(ROOT)
    disabled = [s for s, spec in config.sources.items() if not spec.enabled]
    assert {"interreg-north-sea", "interreg-npa", "interreg-baltic", "interreg-europe"} <= set(disabled)
    for source_id in disabled:
        text = (ROOT / "sources" / f"{source_id}.toml").read_text(encoding="utf-8")
        assert text.startswith("# DISABLED:"), source_id
        assert f"eumonitor test-source {source_id}" in text, source_id
    for source_id in ("interreg-north-sea", "interreg-npa", "interreg-baltic", "interreg-europe"):
        assert "sources/interreg-eu.toml, preferred" in (ROOT / "sources" / f"{source_id}.toml").read_text(), source_id
    # Guessed CSS selectors alone are never enough to ship enabled.
    assert all(not spec.enabled for spec in config.sources.values() if spec.kind == "html_list")


def test_the_aggregators_are_shipped_with_their_kinds() -> None:
    config = load_config(ROOT)
    assert config.sources["interreg-eu"].kind == "interreg_eu"
    assert config.sources["euro-access"].kind == "euro_access"
    assert "sekundær" in config.sources["euro-access"].tags  # the portal's or interreg.eu's copy is shown first


def test_news_feeds_that_mix_calls_with_news_have_keyword_rules() -> None:
    config = load_config(ROOT)
    for source_id in ("interreg-baltic", "eurocities", "vest-norges-brusselkontor", "interreg-north-sea"):
        assert config.sources[source_id].options.include, source_id


def test_interreg_no_drops_programmes_vestland_cannot_join() -> None:
    options = load_config(ROOT).sources["interreg-no"].options
    assert {"Sverige-Norge", "Aurora", "Kolarctic"} <= set(options.exclude)


def write_source(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "config.toml").touch()  # an empty config.toml: every setting at its default
    (tmp_path / "sources" / f"{name}.toml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("body", "key", "words"),
    [
        ('kind = "html_list"\nurl = "https://x.no/"\n[options]\nitem = "li[class="\n', "options.item", "ugyldig CSS"),
        ('kind = "html_list"\nurl = "https://x.no/"\n[options]\ntitle = "h2"\n', "options.item", "påkrevd"),
        ('kind = "rss"\nurl = "https://x.no/feed/"\n[options]\nincluded = ["call"]\n', "options.included", "ukjent"),
        ('kind = "rss"\nurl = "https://x.no/feed/"\n[options]\nmatch_in = "body"\n', "options.match_in", "tillatt"),
        ('kind = "ical"\nurl = "https://x.no/?ical=1"\n[options]\ndates = "end"\n', "options.dates", "open_close"),
        ('kind = "wp_json"\nurl = "https://x.no/wp-json/"\n[options]\nper_page = 500\n', "options.per_page", "100"),
        (
            'kind = "interreg_eu"\nurl = "https://x.algolia.net/1/indexes/i"\n[options]\nhits_per_page = 5000\n',
            "options.hits_per_page",
            "1000",
        ),
        ('kind = "interreg_eu"\nurl = "https://x.algolia.net/"\n[options]\nkey = "k"\n', "options.key", "ukjent"),
        (
            'kind = "euro_access"\nurl = "https://x.eu/"\n[options]\ndeadline_tz = "CET+1"\n',
            "options.deadline_tz",
            "tidssone",
        ),
        (
            'kind = "ical"\nurl = "https://x.no/"\n[options]\ndeadline_tz = "Europe/Bergen"\n',
            "options.deadline_tz",
            "tidssone",
        ),
    ],
)
def test_bad_feed_options_name_the_key_and_what_is_wrong(tmp_path: Path, body: str, key: str, words: str) -> None:
    root = write_source(tmp_path, "bad", body)
    with pytest.raises(ConfigError) as info:
        load_config(root)
    problems = info.value.problems
    assert any(p.key == key and words in p.message for p in problems), [str(p) for p in problems]
