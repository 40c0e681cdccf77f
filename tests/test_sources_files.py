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
