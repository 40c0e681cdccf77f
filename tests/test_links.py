"""Two sources announcing one call produce one linked call, shown once with both links."""

from __future__ import annotations

import html
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from eumonitor.model import Page, RawCall, SourceSpec
from eumonitor.sources import kinds
from eumonitor.sources.normalize import normalize
from eumonitor.store import Store
from eumonitor.store.search import SearchQuery

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2024, 4, 2, 10, 0, tzinfo=UTC)


def collected(source_id: str, kind: str, url: str, content: bytes, **options) -> list[RawCall]:
    collector = kinds()[kind]
    spec = SourceSpec(id=source_id, kind=kind, url=url, options=collector.Options(**options))
    request = collector.requests(spec)[0]
    page = Page(url=url, status=200, headers={}, content=content, request=request)
    return list(collector.parse(spec, page).calls)


def interreg_no() -> list[RawCall]:
    """interreg.no's real iCal export: "Europe: Third call for projects", closing 6 June 2024 12:00 Oslo."""
    content = (FIXTURES / "interreg-no" / "kalender-2024-05-21.outlook-ical.excerpt.txt").read_bytes()
    return collected("interreg-no", "ical", "https://interreg.no/kalender/liste/?ical=1", content,
                     deadline_tz="Europe/Oslo")  # fmt: skip


def interreg_europe() -> list[RawCall]:
    """The programme's own page, as a page watch; the HTML is ours, the text is the real capture."""
    text = (FIXTURES / "source-pages" / "interreg-europe" / "next-call-for-projects.capture-a.txt").read_text()
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines()[5:] if line.strip())
    page = f"<html><body><main><h1>Next call for projects</h1>{paragraphs}</main></body></html>".encode()
    return collected("interreg-europe", "html_list", "https://www.interregeurope.eu/next-call-for-projects", page,
                     item="main", title="h1", link="", programme="Interreg Europe")  # fmt: skip


def store_calls(store: Store, source: str, raws: list[RawCall]) -> None:
    with store.transaction():
        store.upsert_calls(source, [normalize(r, NOW) for r in raws], NOW, None, complete=True)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    archive = Store(tmp_path / "links.db")
    yield archive
    archive.close()


def test_one_call_on_a_programme_site_and_on_interreg_no_is_linked(store: Store) -> None:
    store_calls(store, "interreg-no", interreg_no())
    store_calls(store, "interreg-europe", interreg_europe())
    assert store.link_duplicates(NOW, secondary={"interreg-no"}) == 1
    group = store.linked_calls("interreg-no", "18098")
    assert [(s, i) for s, i, _ in group] == [
        ("interreg-europe", "https://www.interregeurope.eu/next-call-for-projects"),
        ("interreg-no", "18098"),
    ]
    assert store.linked_calls("interreg-europe", group[0][1]) == group
    assert store.primary_of("interreg-no", "18098") == ("interreg-europe", group[0][1])


def test_search_shows_the_linked_call_once_with_both_links(store: Store) -> None:
    store_calls(store, "interreg-no", interreg_no())
    store_calls(store, "interreg-europe", interreg_europe())
    store.link_duplicates(NOW, secondary={"interreg-no"})
    rows, total = store.search(SearchQuery(text="call projects"), date(2024, 4, 2))
    assert total == 2
    (shown,) = store.collapse_linked(rows)
    assert {link[0] for link in shown["links"]} == {"interreg-europe", "interreg-no"}
    assert any(url == "https://www.interregeurope.eu/next-call-for-projects" for _, _, url in shown["links"])


def test_without_a_secondary_the_first_seen_is_primary_and_relinking_is_stable(store: Store) -> None:
    store_calls(store, "interreg-no", interreg_no())
    store_calls(store, "interreg-europe", interreg_europe())
    assert store.link_duplicates(NOW) == 1
    assert store.link_duplicates(NOW) == 1
    assert (
        store.primary_of("interreg-europe", "https://www.interregeurope.eu/next-call-for-projects")[0] == "interreg-no"
    )


def test_a_different_call_with_the_same_deadline_is_not_linked(store: Store) -> None:
    store_calls(store, "interreg-no", interreg_no())
    other = RawCall(source="eu-portal", external_id="HORIZON-CL5-2024-D1-01", title="Climate-neutral cities",
                    programme="Horizon Europe", deadlines=(date(2024, 6, 6),), status="open")  # fmt: skip
    store_calls(store, "eu-portal", [other])
    assert store.link_duplicates(NOW) == 0
    assert store.linked_calls("interreg-no", "18098") == []
    assert store.primary_of("interreg-no", "18098") == ("interreg-no", "18098")


def test_a_news_item_naming_a_topic_id_links_to_that_topic_only_once(store: Store) -> None:
    topics = [
        RawCall(
            source="eu-portal",
            external_id=ident,
            title=title,
            programme="Horizon Europe",
            status="open",
            deadlines=(date(2024, 9, 17),),
        )  # fmt: skip
        for ident, title in (("HORIZON-MISS-2024-OCEAN-01-01", "Ocean"), ("HORIZON-MISS-2024-OCEAN-01-02", "Sea"))
    ]
    store_calls(store, "eu-portal", topics)
    news = RawCall(source="vnb", external_id="n1", title="Nye havutlysingar",
                   description_text="Sjå HORIZON-MISS-2024-OCEAN-01-01 og HORIZON-MISS-2024-OCEAN-01-02.")  # fmt: skip
    store_calls(store, "vnb", [news])
    assert store.link_duplicates(NOW, secondary={"vnb"}) == 1
    group = store.linked_calls("vnb", "n1")
    assert len(group) == 2  # the two EU topics stay two calls
    assert group[0][0] == "eu-portal"


def test_digest_shows_the_linked_call_once_with_the_other_link(store: Store, tmp_path: Path) -> None:
    from eumonitor.config import Config, Settings
    from eumonitor.digests.build import IsoWeek, build_digest
    from eumonitor.digests.render import render_digest
    from eumonitor.digests.send import gather
    from eumonitor.model import DigestSpec, Match, Profile, Subscriber

    store_calls(store, "interreg-no", interreg_no())
    store_calls(store, "interreg-europe", interreg_europe())
    store.link_duplicates(NOW, secondary={"interreg-no"})
    primary = store.primary_of("interreg-no", "18098")
    for source, ext in (primary, ("interreg-no", "18098")):
        store.save_matches("klima-miljo", [Match("klima-miljo", source, ext, 0.7, ("cities",))], NOW)
    sources = {
        "interreg-no": SourceSpec(id="interreg-no", kind="ical", url="https://interreg.no/", title="interreg.no"),
        "interreg-europe": SourceSpec(id="interreg-europe", kind="html_list", url="https://x", title="Interreg Europe"),
    }
    profile = Profile(id="klima-miljo", title="Klima, miljø og energi", owner="k@bergen.kommune.no", description="x")
    config = Config(root=tmp_path, settings=Settings(), sources=sources, profiles={"klima-miljo": profile})
    spec = DigestSpec(id="network", title="EU-utlysninger", profiles=("klima-miljo",),
                      subscribers=(Subscriber(email="a@bergen.kommune.no"),))  # fmt: skip
    since = datetime(2024, 3, 30, tzinfo=UTC)
    data = gather(store, config, spec, since, NOW)
    assert list(data.calls) == [primary]
    digest = build_digest(spec, spec.subscribers[0], IsoWeek.of(date(2024, 4, 2)), (since, NOW), data)
    text = render_digest(digest).text
    assert "1 nytt treff" in text and text.count("\n* ") == 1  # one item, not one per source
    assert "Også omtalt hos interreg.no:" in text


def linked_root(tmp_path: Path) -> Path:
    """A root whose archive holds the interreg.no and Interreg Europe copies of one call, linked."""
    from eumonitor.config import load_config
    from eumonitor.context import AppContext

    root = tmp_path / "root"
    (root / "sources").mkdir(parents=True)
    (root / "config.toml").write_text("[web]\ncookie_secure = false\n")
    (root / "sources" / "interreg-no.toml").write_text(
        'kind = "ical"\ntitle = "interreg.no"\nurl = "https://interreg.no/kalender/liste/?ical=1"\n'
    )
    (root / "sources" / "interreg-europe.toml").write_text(
        'kind = "html_list"\ntitle = "Interreg Europe"\nurl = "https://www.interregeurope.eu/next-call-for-projects"\n'
        '[options]\nitem = "main"\ntitle = "h1"\nlink = ""\n'
    )
    ctx = AppContext(config=load_config(root), fixed_now=NOW)
    store_calls(ctx.store, "interreg-no", interreg_no())
    store_calls(ctx.store, "interreg-europe", interreg_europe())
    ctx.store.link_duplicates(NOW, secondary={"interreg-no"})
    ctx.close()
    return root


def page_of(root: Path, path: str) -> str:
    from eumonitor.config import load_config
    from eumonitor.context import AppContext
    from eumonitor.web import create_app

    ctx = AppContext(config=load_config(root), fixed_now=NOW)
    try:
        return create_app(ctx).test_client().get(path).get_data(as_text=True)
    finally:
        ctx.close()


def test_the_call_page_names_the_other_sources_of_the_same_call(tmp_path: Path) -> None:
    page = page_of(linked_root(tmp_path), "/call/interreg-no/18098")
    assert "Samme utlysning hos andre kilder" in page
    assert "Interreg Europe</a>" in page and "https://www.interregeurope.eu/next-call-for-projects" in page


def test_search_page_and_cli_show_the_linked_call_once(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from eumonitor.cli import main

    root = linked_root(tmp_path)
    page = page_of(root, "/?q=call+projects")
    assert page.count('class="result"') == 1 and "Også hos:" in page and "interreg.no</a>" in page
    args = ["--root", str(root), "--now", "2024-04-02", "search", "call", "projects", "--json"]
    (row,) = json.loads(CliRunner().invoke(main, args).output)
    assert {link["source"] for link in row["links"]} == {"interreg-europe", "interreg-no"}


def test_the_linking_rule_is_pure_and_keeps_one_call_per_source_in_a_group() -> None:
    import ast

    import eumonitor.store.linking as linking

    tree = ast.parse(Path(linking.__file__).read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any(name.startswith(("sqlite3", "eumonitor.store")) for name in imported)

    def candidate(i: int, source: str, ident: str, title: str, programme: str = "") -> linking.Candidate:
        return linking.Candidate(i, source, ident, title, programme, "", (date(2024, 6, 6),), "", "2024-04-01")

    calls = [
        candidate(0, "interreg-no", "a", "Europe: Third call for projects", "Interreg Europe"),
        candidate(1, "interreg-europe", "b", "Next call for projects Europe", "Interreg Europe"),
        candidate(2, "interreg-europe", "c", "Europe: Third call for projects"),
    ]
    pairs = linking.find_pairs(calls)
    assert {(i, j) for i, j, _ in pairs} == {(0, 1), (0, 2)}
    # Both interreg-europe calls pair with the interreg.no one, but a group holds one call per source.
    found = linking.groups([c.source for c in calls], pairs)
    assert [sorted(members) for members, _ in found.values()] == [[0, 1]]
