"""The `interreg_eu` collector: interreg.eu's "Open & Coming Calls", read from the Algolia index behind that page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin

from eumonitor.model import Page, Parsed, RawCall, Request, Skipped, SourceSpec
from eumonitor.sources.eligibility import split_list
from eumonitor.sources.kind import Kind, SourceError

STATUS = {"open": "open", "forthcoming": "forthcoming", "closed": "closed"}
# How a person finds the key the site uses today; the key is public (search-only) and rotates.
KEY_HELP = (
    "Slik finner du dagens offentlige søkenøkkel: åpne https://www.interreg.eu/calls-for-projects/ "
    "(«Open & Coming Calls») i en nettleser, åpne utviklerverktøyene (F12) og fanen Nettverk, last siden på nytt "
    "og velg forespørselen til «algolia.net». Der står «x-algolia-application-id» og «x-algolia-api-key». "
    "Skriv dem inn som app_id og api_key under [options] i sources/{id}.toml."
)


@dataclass(frozen=True)
class Options:
    """The [options] of an interreg_eu source: the Algolia application, its public key and what to ask for.

    The source's url is the index's search address, https://<app id>-dsn.algolia.net/1/indexes/<index>.
    """

    app_id: str = "2E032DRCNS"
    api_key: str = ""  # the site's public search-only key; it rotates (KEY_HELP says where to read it)
    filters: str = "contentType:callForProjectsPage AND (callStatus:Open OR callStatus:Forthcoming)"
    hits_per_page: int = 500  # Algolia answers at most 1000 per page
    max_pages: int = 20
    site: str = "https://www.interreg.eu"  # hits carry their page's path on this site


def _options(spec: SourceSpec) -> Options:
    return spec.options if isinstance(spec.options, Options) else Options()


def validate_options(opts: Options) -> list[tuple[str, str]]:
    problems = []
    if isinstance(opts.hits_per_page, bool) or not 1 <= opts.hits_per_page <= 1000:
        problems.append(("hits_per_page", "må være et heltall mellom 1 og 1000"))
    if isinstance(opts.max_pages, bool) or not 1 <= opts.max_pages <= 100:
        problems.append(("max_pages", "må være et heltall mellom 1 og 100"))
    if not opts.app_id.strip():
        problems.append(("app_id", "må oppgis (Algolia-applikasjonen bak interreg.eu)"))
    return problems


def page_request(spec: SourceSpec, number: int) -> Request:
    """One page (0-based, as Algolia counts) of the index's search, every parameter in the URL.

    A GET: the shared HTTP client sends no raw request bodies. The key travels as headers, as the site's own
    search does, so it never ends up in a logged URL.
    """
    opts = _options(spec)
    params = (
        ("query", ""),
        ("filters", opts.filters),
        ("hitsPerPage", str(opts.hits_per_page)),
        ("page", str(number)),
    )
    headers = (
        ("Accept", "application/json"),
        ("x-algolia-application-id", opts.app_id),
        ("x-algolia-api-key", opts.api_key),
    )
    return Request(url=spec.url, params=params, headers=headers, meta={"page": number})


def requests(spec: SourceSpec) -> list[Request]:
    if not _options(spec).api_key.strip():
        raise SourceError("Mangler api_key for interreg.eus søk. " + KEY_HELP.format(id=spec.id))
    return [page_request(spec, 0)]


def explain_refusal(spec: SourceSpec, status: int) -> str | None:
    """A 403 from Algolia means the public key has rotated: say how to find the new one."""
    if status in (401, 403):
        return "interreg.eu avviste søkenøkkelen (den byttes av og til). " + KEY_HELP.format(id=spec.id)
    return None


def _answer(page: Page) -> dict[str, Any]:
    """The search answer: a single-index answer, or the first of a multi-query answer (the recorded shape)."""
    try:
        body = json.loads(page.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"ventet JSON fra interreg.eus søk, men svaret fra {page.url} er ikke gyldig JSON") from exc
    if isinstance(body, dict) and isinstance(body.get("results"), list) and body["results"]:
        body = body["results"][0]
    if not isinstance(body, dict) or not isinstance(body.get("hits"), list):
        raise SourceError(f"ventet et søkesvar med «hits» fra interreg.eu, fikk noe annet fra {page.url}")
    return body


def parse(spec: SourceSpec, page: Page) -> Parsed:
    """Every hit a call; asks for the next page while Algolia's `nbPages` says there is one."""
    answer = _answer(page)
    opts = _options(spec)
    calls: list[RawCall] = []
    skipped: list[Skipped] = []
    for hit in answer["hits"]:
        try:
            calls.append(hit_call(spec, opts, hit))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            label = str(hit.get("contentUrl") or hit.get("objectID")) if isinstance(hit, dict) else ""
            skipped.append(Skipped(f"uventet format i treffet: {exc!r}", label[:120]))
    number = int(page.request.meta.get("page", 0))
    pages = _int(answer.get("nbPages"))
    more = number + 1 < pages and number + 1 < opts.max_pages and bool(answer["hits"])
    return Parsed(
        calls=tuple(calls),
        follow=(page_request(spec, number + 1),) if more else (),
        skipped=tuple(skipped),
        # Algolia stops paging at its paginationLimitedTo (1000 hits): then the scan cannot be complete.
        total_expected=_int(answer.get("nbHits")) if "nbHits" in answer else None,
    )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _day(value: Any) -> date | None:
    """ "2026-09-30T00:00:00Z": keep.eu stores dates as midnight UTC; the date part is the day published."""
    text = str(value or "").strip()
    return date.fromisoformat(text[:10]) if text else None


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return split_list(value)
    return tuple(dict.fromkeys(" ".join(str(v).split()) for v in value or () if str(v).strip()))


def hit_call(spec: SourceSpec, opts: Options, hit: dict[str, Any]) -> RawCall:
    """One Algolia hit as a call: programme, dates, status, themes and who may take part."""
    title = " ".join(str(hit.get("title") or hit["nodeName"]).split())
    if not title:
        raise ValueError("treffet har ingen tittel")
    programmes = _strings(hit.get("associatedProgrammes"))
    themes = _strings(hit.get("callThemes") or hit.get("themes"))
    countries = _strings(hit.get("callEligibleCountryNames") or hit.get("countries"))
    external = str(hit.get("callExternalUrl") or "")
    deadline = _day(hit.get("callDeadlineDate"))
    # The index has no description; programme and themes give the matcher words beyond the title.
    lines = [f"Programme: {', '.join(programmes)}" * bool(programmes), f"Themes: {', '.join(themes)}" * bool(themes)]
    extra = {
        "themes": list(themes),
        "eligible_regions": list(_strings(hit.get("callEligibleRegionNames"))),
        "eligible_country_codes": list(_strings(hit.get("callEligibleCountryNuts"))),
        "updated": str(hit.get("updatedDate") or ""),
        "links": [{"label": "Programmets side om utlysningen", "url": external}] if external else [],
    }
    return RawCall(
        source=spec.id,
        external_id=str(hit.get("pageId") or hit["objectID"]),
        title=title,
        url=urljoin(opts.site.rstrip("/") + "/", str(hit["contentUrl"])) if hit.get("contentUrl") else external,
        description_text="\n".join(line for line in lines if line),
        programme=", ".join(programmes),
        status=STATUS.get(str(hit.get("callStatus") or "").strip().lower(), ""),
        opening_date=_day(hit.get("callOpenDate")),
        deadlines=(deadline,) if deadline else (),
        keywords=themes,
        tags=spec.tags,
        extra={k: v for k, v in extra.items() if v},
        eligible_countries=countries,
        applicant_types=_strings(hit.get("targetAudience")),
    )


COLLECTOR = Kind(Options, requests, parse, validate_options, explain_refusal=explain_refusal)
