"""The `ft_api` collector: open and forthcoming calls from the EU Funding & Tenders portal's SEDIA search."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from eumonitor.model import Budget, Page, Parsed, RawCall, Request, Skipped, SourceSpec
from eumonitor.sources.ft_programmes import programme_id, programme_label
from eumonitor.sources.kind import Kind, SourceError
from eumonitor.sources.normalize import html_to_text, shorten

BRUSSELS = ZoneInfo("Europe/Brussels")
TOPIC_PAGE = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/"
PROSPECT_PAGE = "https://webgate.ec.europa.eu/prospect/external/publishedcalls.htm?callId="
STATUS_CODES = {"forthcoming": "31094501", "open": "31094502", "closed": "31094503"}
# Closed variants beyond 31094503 are seen on tender records (spec §3.1).
STATUS_BY_CODE = {code: name for name, code in STATUS_CODES.items()} | {"310945031": "closed", "99999998": "closed"}
KNOWN_TYPES = ("0", "1", "2", "6", "8")
# A total order: the default relevance order is unstable across pages and loses documents (spec §9.2).
SORT = [
    {"field": "identifier", "order": "ASC"},
    {"field": "DATASOURCE", "order": "ASC"},
    {"field": "esDA_IngestDate", "order": "ASC"},
]
MAX_PAGE_SIZE = 100  # the server silently caps larger sizes, which would break the page-size echo check
JSON_PART = "application/json"


@dataclass(frozen=True)
class Options:
    """The [options] of an ft_api source."""

    programmes: tuple[str, ...] = ()  # ids or abbreviations (HORIZON, ERASMUS, LIFE …); empty = all
    types: tuple[str, ...] = ("1", "2", "8")
    statuses: tuple[str, ...] = ("open", "forthcoming")
    page_size: int = 100
    languages: tuple[str, ...] = ("en",)

    def __post_init__(self) -> None:
        # TOML hands us lists; store tuples so options stay hashable and comparable.
        for name in ("programmes", "types", "statuses", "languages"):
            value = getattr(self, name)
            items = (value,) if isinstance(value, str) else tuple(value)
            object.__setattr__(self, name, tuple(str(v).strip() for v in items))
        problems = _option_problems(self)
        if problems:
            raise ValueError("; ".join(problems))


def _option_problems(opts: Options) -> list[str]:
    problems = [f"ukjent programme '{p}'" for p in opts.programmes if programme_id(p) is None]
    problems += [
        f"ukjent status '{s}' (tillatt: {', '.join(STATUS_CODES)})" for s in opts.statuses if s not in STATUS_CODES
    ]
    problems += [f"ukjent type '{t}' (tillatt: {', '.join(KNOWN_TYPES)})" for t in opts.types if t not in KNOWN_TYPES]
    if isinstance(opts.page_size, bool) or not isinstance(opts.page_size, int):
        problems.append("page_size må være et heltall")
    elif not 1 <= opts.page_size <= MAX_PAGE_SIZE:
        problems.append(f"page_size må være mellom 1 og {MAX_PAGE_SIZE}")
    if not opts.languages:
        problems.append("languages kan ikke være tom")
    return problems


class _RecordError(ValueError):
    """One hit is unusable; becomes a Skipped entry with this message."""


def _options(spec: SourceSpec) -> Options:
    return spec.options if isinstance(spec.options, Options) else Options()


# ---------------------------------------------------------------- requests


def build_query(opts: Options) -> dict[str, Any]:
    """The `query` part: only `bool.must[].terms` works; values are strings (spec §2.2)."""
    must: list[dict[str, Any]] = [
        {"terms": {"type": list(opts.types)}},
        {"terms": {"status": [STATUS_CODES[s] for s in opts.statuses]}},
    ]
    if opts.programmes:
        ids = [programme_id(p) or p for p in opts.programmes]
        must.append({"terms": {"frameworkProgramme": ids}})
    return {"bool": {"must": must}}


def page_request(spec: SourceSpec, number: int) -> Request:
    """The POST for one result page; every part is a JSON blob or the portal answers 500 (spec §2.1)."""
    opts = _options(spec)
    parts = urlsplit(spec.url)
    # Paging is ours: drop any pageNumber/pageSize written in the URL, keep everything else as given.
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("pageNumber", "pageSize")]
    present = {k for k, _ in kept}
    url = urlunsplit(parts._replace(query=urlencode(kept)))
    params = [(k, v) for k, v in (("apiKey", "SEDIA"), ("text", "***")) if k not in present]
    params += [("pageSize", str(opts.page_size)), ("pageNumber", str(number))]
    files = (
        ("query", json.dumps(build_query(opts)), JSON_PART),
        ("languages", json.dumps(list(opts.languages)), JSON_PART),
        ("sort", json.dumps(SORT), JSON_PART),
    )
    return Request(
        url=url,
        method="POST",
        params=tuple(params),
        files=files,
        headers=(("Accept", "application/json"),),
        meta={"page": number},
    )


def requests(spec: SourceSpec) -> list[Request]:
    """The first page of the scan; later pages come back as `follow` from parse."""
    return [page_request(spec, 1)]


# ---------------------------------------------------------------- the page


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return ""


def _snippet(text: str, limit: int = 80) -> str:
    plain = html_to_text(text) if "<" in text else text
    plain = " ".join(plain.split())
    return plain[:limit]


def _decode(page: Page) -> Any:
    """The JSON body, or a SourceError that tells a person what the portal sent instead."""
    text = page.text
    stripped = text.strip()
    content_type = _header(page.headers, "Content-Type").split(";")[0].strip() or "ukjent innholdstype"
    if page.status >= 400:
        raise SourceError(f"EU-portalen svarte med HTTP {page.status} ('{_snippet(stripped)}…')")
    if not stripped:
        raise SourceError(f"EU-portalen sendte et tomt svar (HTTP {page.status}).")
    if stripped[0] not in "{[":
        raise SourceError(f"EU-portalen svarte ikke med JSON (fikk {content_type}, '{_snippet(stripped)}…')")
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"EU-portalen sendte et avkortet eller ødelagt JSON-svar "
            f"({len(page.content)} byte, feil ved tegn {exc.pos}: {exc.msg})."
        ) from exc


def _check_envelope(body: Any, expected_page: int, page_size: int) -> list[Any]:
    """Refuse a page whose shape, warnings or paging echo say it is not the page we asked for."""
    if not isinstance(body, dict):
        raise SourceError(f"EU-portalen har endret svarformatet: ventet et JSON-objekt, fikk {type(body).__name__}.")
    results = body.get("results")
    if not isinstance(results, list):
        raise SourceError("EU-portalen har endret svarformatet: feltet 'results' mangler eller er ikke en liste.")
    for key in ("totalResults", "pageNumber", "pageSize"):
        if isinstance(body.get(key), bool) or not isinstance(body.get(key), int):
            raise SourceError(f"EU-portalen har endret svarformatet: feltet '{key}' mangler eller er ikke et tall.")
    warnings = body.get("warnings") or []
    if warnings:
        raise SourceError(f"EU-portalen meldte advarsler, siden kan være ufullstendig: {str(warnings)[:200]}")
    if body["pageNumber"] != expected_page:
        raise SourceError(f"EU-portalen sendte side {body['pageNumber']}, men vi ba om side {expected_page}.")
    if body["pageSize"] != page_size:
        raise SourceError(
            f"EU-portalen brukte sidestørrelse {body['pageSize']}, men vi ba om {page_size}; "
            "sidene ville ikke passe sammen."
        )
    return results


def parse(spec: SourceSpec, page: Page) -> Parsed:
    """One search page -> calls, the request for the next page, and the hits we could not use."""
    opts = _options(spec)
    number = int(page.request.meta.get("page", 1))
    body = _decode(page)
    results = _check_envelope(body, number, opts.page_size)
    calls: list[RawCall] = []
    skipped: list[Skipped] = []
    for hit in results:
        try:
            calls.append(to_raw_call(spec.id, hit))
        except _RecordError as exc:
            skipped.append(Skipped(str(exc), _hit_label(hit)))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError, RecursionError) as exc:
            skipped.append(Skipped(f"uventet format i treffet: {exc!r}", _hit_label(hit)))
    total = body["totalResults"]
    more = len(results) >= opts.page_size and number * opts.page_size < total
    follow = (page_request(spec, number + 1),) if more else ()
    return Parsed(calls=tuple(calls), follow=follow, skipped=tuple(skipped), total_expected=total)


def _hit_label(hit: Any) -> str:
    if not isinstance(hit, dict):
        return repr(hit)[:80]
    meta = hit.get("metadata") if isinstance(hit.get("metadata"), dict) else {}
    return _first(meta, "identifier") or str(hit.get("reference") or "")[:80]


# ---------------------------------------------------------------- one hit


def _first(meta: Mapping[str, Any], key: str) -> str:
    """Metadata values are lists even for scalars (spec §2.5); tolerate a bare value too."""
    value = meta.get(key)
    if isinstance(value, list):
        return str(value[0]).strip() if value else ""
    return "" if value is None else str(value).strip()


def _all(meta: Mapping[str, Any], key: str) -> list[str]:
    value = meta.get(key)
    values = value if isinstance(value, list) else [] if value is None else [value]
    return [str(v).strip() for v in values if str(v).strip()]


def _json_field(meta: Mapping[str, Any], key: str) -> Any:
    """JSON stored as the one string of a list (actions, budgetOverview, links …); None when unusable."""
    raw = _first(meta, key)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return None  # a secondary field; the call is still worth showing without it


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def portal_datetime(value: str) -> datetime:
    """`2026-09-22T00:00:00.000+0000` and friends; a time without zone is taken as UTC."""
    value = value.strip()
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    stamp = datetime.fromisoformat(value)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def portal_date(value: str) -> date:
    """The calendar date in Brussels: `2026-09-21T22:00Z` is a Brussels-midnight deadline on the 22nd."""
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date.fromisoformat(value)
    try:
        return portal_datetime(value).astimezone(BRUSSELS).date()
    except (ValueError, OverflowError) as exc:  # year 9999 in UTC is year 10000 in Brussels: OverflowError
        raise _RecordError(f"ugyldig dato '{value[:40]}'") from exc


def to_raw_call(source: str, hit: Any) -> RawCall:
    """One search hit -> RawCall; raises _RecordError when the hit cannot be a call."""
    if not isinstance(hit, dict) or not isinstance(hit.get("metadata"), dict):
        raise _RecordError("treffet mangler metadata")
    meta = hit["metadata"]
    ident = _first(meta, "identifier")
    if not ident:
        raise _RecordError("treffet mangler identifier")
    title = " ".join((_first(meta, "title") or str(hit.get("summary") or "")).split())
    if not title:
        raise _RecordError("treffet mangler tittel")
    call_type = _first(meta, "type")
    call_id = _first(meta, "callIdentifier")
    pid = _first(meta, "frameworkProgramme")
    description = _description(meta)
    start = _first(meta, "startDate")
    return RawCall(
        source=source,
        external_id=ident,
        title=title,
        url=_public_url(ident, call_type, hit, meta),
        description_html=description,
        programme=programme_label(pid),
        programme_id=pid,
        call_identifier=call_id,
        call_title=" ".join(_first(meta, "callTitle").split()),
        call_type=call_type,
        status=STATUS_BY_CODE.get(_first(meta, "status"), ""),
        opening_date=portal_date(start) if start else None,
        deadlines=tuple(sorted({portal_date(v) for v in _all(meta, "deadlineDate")})),
        deadline_model=_first(meta, "deadlineModel"),
        budget=topic_budget(ident, meta),
        keywords=_keywords(meta, {ident, call_id}),
        tags=_unique(_all(meta, "tags") + _all(meta, "crossCuttingPriorities")),
        extra=_extra(hit, meta),
        quality=_quality(hit, meta, description),
    )


def _description(meta: Mapping[str, Any]) -> str:
    html = _first(meta, "descriptionByte")
    # Upstream writes literal `<p>null</p>` paragraphs where a section is empty (spec §11).
    html = re.sub(r"<p>\s*null\s*</p>", "", html, flags=re.IGNORECASE)
    return html.strip()


def _public_url(ident: str, call_type: str, hit: Mapping[str, Any], meta: Mapping[str, Any]) -> str:
    """Topics link to the portal's topic page; external-action calls keep their own (PROSPECT) page."""
    if call_type != "2":
        return TOPIC_PAGE + quote(ident, safe="-_.~")
    url = str(hit.get("url") or _first(meta, "url"))
    call_id = _first(meta, "callIdentifier")
    # Legacy type-2 rows point at a topicDetails JSON document, which is no page for a person.
    if (not url or "/data/topicDetails/" in url) and call_id.isdigit():
        return PROSPECT_PAGE + call_id
    return url


def _keywords(meta: Mapping[str, Any], drop: set[str]) -> tuple[str, ...]:
    """Both shapes: a list of strings, and the legacy one-string JSON array (spec §2.6)."""
    words: list[str] = []
    for value in _all(meta, "keywords"):
        decoded = None
        if value.startswith("["):
            try:
                decoded = json.loads(value)
            except json.JSONDecodeError:
                decoded = None
        if isinstance(decoded, list):
            words.extend(str(v).strip() for v in decoded)
        else:
            words.append(value)
    # Current rows start with the topic and call ids, which are no keywords for a reader.
    return _unique(w for w in words if w not in drop)


def _amount(value: Any) -> int:
    try:
        return int(float(str(value).replace(",", "").strip() or 0))
    except ValueError:
        return 0


def topic_budget(ident: str, meta: Mapping[str, Any]) -> Budget:
    """The topic's own budget line; 0 means "not stated" and becomes None (spec §6)."""
    if "budget" in meta:  # external-action (type 2) rows: a flat amount
        return Budget(total=_amount(_first(meta, "budget")) or None, currency=_first(meta, "currency") or "EUR")
    overview = _json_field(meta, "budgetOverview")
    action_map = overview.get("budgetTopicActionMap") if isinstance(overview, dict) else None
    if not isinstance(action_map, dict):
        return Budget()
    entries = [
        e
        for rows in action_map.values()
        if isinstance(rows, list)
        for e in rows
        if isinstance(e, dict) and str(e.get("action", "")).startswith(ident + " - ")
    ]
    # Actions of one topic often repeat one shared budget line (MSCA DN lists it 3 times): count it once.
    lines = {json.dumps(e.get("budgetYearMap") or {}, sort_keys=True): e for e in entries}.values()
    years: Counter[str] = Counter()
    for line in lines:
        for year, value in (line.get("budgetYearMap") or {}).items():
            years[str(year)] += _amount(value)
    mins = [_amount(e.get("minContribution")) for e in lines if _amount(e.get("minContribution"))]
    maxs = [_amount(e.get("maxContribution")) for e in lines if _amount(e.get("maxContribution"))]
    return Budget(
        total=sum(years.values()) or None,
        expected_grants=sum(_amount(e.get("expectedGrants")) for e in lines) or None,
        min_contribution=min(mins) if mins else None,
        max_contribution=max(maxs) if maxs else None,
        years=tuple(sorted((y, v) for y, v in years.items() if v)),
    )


def _links(meta: Mapping[str, Any], key: str, label_key: str, url_key: str) -> list[dict[str, str]]:
    """Submission links (`links`) or call documents (`publicationDocuments`), once per URL."""
    items = _json_field(meta, key)
    found = [
        {"label": " ".join(str(item.get(label_key) or "").split()), "url": item[url_key]}
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get(url_key), str)
    ]
    return list({item["url"]: item for item in found}.values())


CONDITIONS_MAX = 20_000  # the recorded scans: median 3,500, longest 18,300; a hostile one must not bloat every row


def _extra(hit: Mapping[str, Any], meta: Mapping[str, Any]) -> dict[str, Any]:
    """What the call page may show; small and JSON-able. Empty values are left out."""
    extra: dict[str, Any] = {
        "destination": " ".join(html_to_text(_first(meta, "destinationDescription")).split()),
        # The portal writes "HORIZON  Research and Innovation Actions" with a double space.
        "types_of_action": [" ".join(t.split()) for t in _all(meta, "typesOfAction")],
        "cross_cutting_priorities": _all(meta, "crossCuttingPriorities"),
        "programme_divisions": _all(meta, "programmeDivision"),
        "datasource": _first(meta, "DATASOURCE"),
        "reference": str(hit.get("reference") or _first(meta, "REFERENCE")),
        "ingested_at": _first(meta, "esDA_IngestDate"),
        "language": str(hit.get("language") or _first(meta, "language")),
        "deadline_model": _first(meta, "deadlineModel"),
        "submission_links": _links(meta, "links", "criterionDescription", "url"),
        # Who may take part (eligible countries, restrictions): what "Kan vi delta?" reads, as plain text.
        "conditions": shorten(" ".join(html_to_text(" ".join(_all(meta, "topicConditions"))).split()), CONDITIONS_MAX),
        "documents": _links(meta, "publicationDocuments", "nameDoc", "docUrl"),
    }
    return {k: v for k, v in extra.items() if v}


def _quality(hit: Mapping[str, Any], meta: Mapping[str, Any], description: str) -> tuple[int, ...]:
    """Rank copies of one identifier: current index > has text > English > most recently indexed."""
    ingested = _first(meta, "esDA_IngestDate")
    try:
        stamp = int(portal_datetime(ingested).timestamp()) if ingested else 0
    except (ValueError, OverflowError):
        stamp = 0
    language = str(hit.get("language") or _first(meta, "language"))
    return (int(_first(meta, "DATASOURCE") == "SEDIA"), int(bool(description)), int(language == "en"), stamp)


COLLECTOR = Kind(Options, requests, parse)
