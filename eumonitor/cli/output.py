"""Pure formatting of runs, search results and calls for the terminal (Norwegian) and for --json."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, date, tzinfo
from pathlib import Path
from typing import Any

from eumonitor.model import Call, Participation, SourceRun
from eumonitor.nb import (
    CHANGE_NB,
    DEADLINE_MODEL_NB,
    FACTOR_NB,
    STATUS_NB,
    change_detail,
    date_nb,
    days_left_nb,
    local_date_nb,
    money_nb,
    score_nb,
)
from eumonitor.sources.textsafe import strip_controls


def run_json(run: SourceRun) -> dict[str, Any]:
    """The --json shape of one source's collect, as documented in the README."""
    return {
        "source": run.source,
        "status": run.status,
        "error": run.error,
        "new": list(run.changes.new),
        "changed": list(run.changes.changed),
        "unlisted": list(run.changes.unlisted),
        "counts": dict(run.counts),
    }


def terminal_safe(lines: Sequence[str]) -> list[str]:
    """Lines with no control characters: a source's ESC sequence must not repaint or retitle the terminal."""
    return [strip_controls(line) for line in lines]


def run_lines(run: SourceRun, titles: dict[str, str], show_new: int = 15) -> list[str]:
    """A person's summary of one source's collect, with the new calls named."""
    return terminal_safe(_run_lines(run, titles, show_new))


def _run_lines(run: SourceRun, titles: dict[str, str], show_new: int) -> list[str]:
    c = run.counts
    head = {"ok": "OK", "empty": "TOM", "error": "FEIL"}.get(run.status, run.status)
    lines = [
        f"{run.source}: {head} – {c.get('new', 0)} nye, {c.get('changed', 0)} endret, "
        f"{c.get('unchanged', 0)} uendret, {c.get('unlisted', 0)} ikke lenger listet, "
        f"{c.get('skipped', 0)} hoppet over, {c.get('errors', 0)} feil"
    ]
    if run.error:
        lines.append(f"  {run.error}")
    for ext in run.changes.new[:show_new]:
        lines.append(f"  + {ext}  {titles.get(ext, '')}".rstrip())
    if len(run.changes.new) > show_new:
        lines.append(f"  … og {len(run.changes.new) - show_new} nye til")
    return lines


REASON_CHARS = 200  # a failing source's reason on one terminal line or two; `eumonitor show`-like detail elsewhere


def failed_lines(runs: Sequence[SourceRun]) -> list[str]:
    """Each failed source with its one-line reason, for the end of a collect."""
    failed = [r for r in runs if r.status == "error"]
    if not failed:
        return []
    lines = [f"{len(failed)} av {len(runs)} kilder feilet:"]
    for run in failed:
        reason = " ".join((run.error or "ukjent feil").split())
        reason = reason if len(reason) <= REASON_CHARS else reason[: REASON_CHARS - 1] + "…"
        lines.append(f"  - {run.source}: {reason}")
    return lines


def step_lines(name: str, value: Any, transport: str, root: Path) -> list[str]:
    """One step of `run --once` as it ends: what it did, in a line or a few."""
    if name == "collect" and not value:
        return ["1/4 Innhenting: ingen aktive kilder i sources/."]
    if name == "collect":
        new = sum(r.counts.get("new", 0) for r in value)
        ok = sum(1 for r in value if r.status != "error")
        head = f"1/4 Innhenting: {ok} av {len(value)} kilder svarte, {new} nye utlysninger."
        return [head, *failed_lines(value)]
    if name == "match":
        if value is None:
            return ["2/4 Matching: ingen profiler i profiles/; ingenting å matche."]
        return ["2/4 " + match_lines(value)[0], *match_lines(value)[1:]]
    if name == "alert":
        if not value:
            return ["3/4 Varsel til staben: ingen kilde å varsle om."]
        where = f"skrevet til {root / 'var' / 'outbox'}" if transport == "outbox" else "sendt"
        return [f"3/4 Varsel til staben om {', '.join(f.source for f in value)}: {where}."]
    if name == "follow":  # told only when it did something: most mornings nobody's deadline is near
        if not (value.reminders or value.changes or value.failed):
            return []
        return [f"    {value.line()[0].upper()}{value.line()[1:]}."]
    lines = send_lines(value, dry_run=False)
    return ["4/4 Sammendrag: " + lines[0][0].lower() + lines[0][1:], *lines[1:]]


def search_json(
    rows: Sequence[dict[str, Any]], verdicts: Mapping[tuple[str, str], Participation] | None = None
) -> list[dict[str, Any]]:
    verdicts = verdicts or {}
    return [
        {
            "source": r["source"],
            "id": r["external_id"],
            "title": r["title"],
            "status": r["status"],
            "next_deadline": r["next_deadline"],
            "programme": r["programme"],
            "url": r["url"],
            "norway_eligible": _verdict(r.get("norway_eligible")),
            "municipalities_eligible": _verdict(r.get("municipalities_eligible")),
            **({"score": r["score"]} if "score" in r else {}),
            **(
                {"participation": verdicts[(r["source"], r["external_id"])].as_json()}
                if (r["source"], r["external_id"]) in verdicts
                else {}
            ),
            **({"links": [{"source": s, "id": i, "url": u} for s, i, u in r["links"]]} if r.get("links") else {}),
        }
        for r in rows
    ]


def _verdict(value: Any) -> bool | None:
    """A stored 1/0/NULL as true/false/null: null means the source does not say."""
    return None if value is None else bool(value)


VERDICT_NB = {True: "ja", False: "nei", None: "ukjent (kilden oppgir ikke)"}


def eligibility_lines(call: Call) -> list[str]:
    """Who may apply, as the source says, and the two verdicts the search filters use."""
    norway, municipalities = VERDICT_NB[call.norway_eligible], VERDICT_NB[call.municipalities_eligible]
    lines = [f"Norge kan delta: {norway} · Kommuner kan søke: {municipalities}"]
    if call.eligible_countries:
        lines.append(f"Land som kan delta: {', '.join(call.eligible_countries)}")
    if call.applicant_types:
        lines.append(f"Hvem kan søke: {', '.join(call.applicant_types)}")
    return lines


def search_lines(
    rows: Sequence[dict[str, Any]],
    total: int,
    today: date,
    verdicts: Mapping[tuple[str, str], Participation] | None = None,
) -> list[str]:
    return terminal_safe(_search_lines(rows, total, today, verdicts or {}))


def _search_lines(
    rows: Sequence[dict[str, Any]], total: int, today: date, verdicts: Mapping[tuple[str, str], Participation]
) -> list[str]:
    if not rows:
        return ["Ingen utlysninger passet søket."]
    lines = [f"{total} treff" + (f", viser {len(rows)}" if total > len(rows) else "")]
    for r in rows:
        deadline = r["next_deadline"]
        when = f"frist {date_nb(deadline)} ({days_left_nb(deadline, today)})" if deadline else "ingen kommende frist"
        lines.append(f"{r['external_id']}  [{STATUS_NB.get(r['status'], r['status'])}]  {r['title']}")
        score = f" · temaskår {score_nb(r['score'])}" if r.get("score") is not None else ""
        who = "".join(
            f" · {label}"
            for key, label in (("norway_eligible", "Norge kan delta"), ("municipalities_eligible", "kommuner kan søke"))
            if r.get(key)
        )
        verdict = verdicts.get((r["source"], r["external_id"]))
        can = f" · kan vi delta: {verdict.verdict}" if verdict else ""
        lines.append(f"    {r['programme'] or r['source']} · {when}{score}{who}{can}")
        others = [
            source for source, ext, _url in r.get("links", ()) if (source, ext) != (r["source"], r["external_id"])
        ]
        if others:
            lines.append(f"    også hos: {', '.join(others)}")
    return lines


def call_json(call: Call, record: dict[str, Any], history: list[dict[str, Any]], today: date) -> dict[str, Any]:
    data = asdict(call)
    data["id"] = data.pop("external_id")
    data["opening_date"] = call.opening_date.isoformat() if call.opening_date else None
    data["deadlines"] = [d.isoformat() for d in call.deadlines]
    nxt = call.next_deadline(today)
    data["next_deadline"] = nxt.isoformat() if nxt else None
    data["archive"] = {k: record[k] for k in ("first_seen", "last_seen", "last_changed", "listed", "unlisted_at")}
    data["history"] = history
    return data


def call_lines(
    call: Call,
    record: dict[str, Any],
    history: list[dict[str, Any]],
    today: date,
    zone: tzinfo = UTC,
    verdict: Participation | None = None,
) -> list[str]:
    """`show`: one call; the archive's moments (first seen, history) as dates in the city's time zone."""
    return terminal_safe(_call_lines(call, record, history, today, zone, verdict))


def participation_lines(verdict: Participation | None) -> list[str]:
    """ "Kan vi delta?" with the reason that decided it and every factor weighed, its evidence quoted."""
    if verdict is None:
        return []
    lines = [f"Kan vi delta? {verdict.verdict.capitalize()} – {verdict.reason}"]
    for factor in verdict.factors:
        said = f" ({factor.verdict})" if factor.verdict else ""
        lines.append(f"  {FACTOR_NB.get(factor.kind, factor.kind)}{said}: {factor.reason}")
        if factor.evidence:
            lines.append(f"    «{factor.evidence}»")
    return lines


def _call_lines(
    call: Call,
    record: dict[str, Any],
    history: list[dict[str, Any]],
    today: date,
    zone: tzinfo,
    verdict: Participation | None,
) -> list[str]:
    nxt = call.next_deadline(today)
    status = call.status_on(today)
    b = call.budget
    lines = [
        f"{call.external_id} – {call.title}",
        f"Kilde: {call.source} · Program: {call.programme or '–'} · Status: {STATUS_NB.get(status, status)}",
        f"Utlysning: {call.call_identifier or '–'} {call.call_title}".rstrip(),
        f"Åpner: {date_nb(call.opening_date)}",
        "Frister: "
        + (", ".join(date_nb(d) for d in call.deadlines) or "ingen oppgitt")
        + (f" ({DEADLINE_MODEL_NB.get(call.deadline_model, call.deadline_model)})" if call.deadline_model else ""),
        f"Neste frist: {date_nb(nxt)} ({days_left_nb(nxt, today)})" if nxt else "Neste frist: ingen kommende",
        f"Budsjett: {money_nb(b.total, b.currency)}"
        + (f", {b.expected_grants} forventede tildelinger" if b.expected_grants else "")
        + (
            f", {money_nb(b.min_contribution, b.currency)}–{money_nb(b.max_contribution, b.currency)} per prosjekt"
            if b.min_contribution and b.max_contribution
            else ""
        ),
        *eligibility_lines(call),
        *participation_lines(verdict),
        f"Lenke: {call.url}",
        f"Først sett: {local_date_nb(record['first_seen'], zone)} · "
        f"sist sett: {local_date_nb(record['last_seen'], zone)}"
        + ("" if record["listed"] else f" · ikke lenger listet siden {local_date_nb(record['unlisted_at'], zone)}"),
    ]
    if call.summary:
        lines += ["", call.summary]
    if history:
        lines += ["", "Historikk:"]
        for h in history:
            detail = change_detail(h)
            when = local_date_nb(h["at"], zone)
            kind = CHANGE_NB.get(h["kind"], h["kind"])
            lines.append(f"  {when}  {kind}" + (f": {detail}" if detail else ""))
    return lines


def send_lines(reports: Sequence[Any], dry_run: bool) -> list[str]:
    """What a send did, per digest and per subscriber that failed (or would get it, on a dry run)."""
    if not reports:
        return ["Ingen sammendrag er forfalt nå."]
    lines: list[str] = []
    for report in reports:
        lines.append(report.summary(dry_run))
        lines.extend(f"  ikke sendt til {email}: {error}" for email, error in report.failed)
        lines.extend(f"  usikkert om {email} fikk det: {error}" for email, error in report.uncertain)
        lines.extend(f"  ville sendt til {sub.email}: {rendered.subject}" for sub, rendered in report.previews)
    return lines


def match_lines(report: Any) -> list[str]:
    """The summary of a match run, in Norwegian."""
    if not report.archived:
        return ["Matching: arkivet har ingen utlysninger ennå; ingenting å matche (kjør `eumonitor collect`)."]
    how = "full gjenoppbygging" if report.rebuilt else "inkrementelt"
    lines = [f"Matching ({how}): {report.calls_scored} nye eller endrede utlysninger vektorisert."]
    if report.profiles_rescored:
        lines.append(f"Profiler skåret på nytt mot hele arkivet: {', '.join(report.profiles_rescored)}")
    counts = ", ".join(f"{pid} {n}" for pid, n in sorted(report.counts.items())) or "ingen"
    lines.append(f"Treff per tema: {counts}")
    if report.unfitted:
        lines.append(
            f"Nye fraser telles som enkeltord til neste `eumonitor match --rebuild`: {', '.join(report.unfitted)}"
        )
    return lines


PORTAL_SOURCE = "eu-funding-tenders"  # the EU portal's calls are shown by id alone, as users know them


def call_label(key: tuple[str, str]) -> str:
    """A call's id, with its source when that is not the EU portal (other sources may share ids)."""
    source, external_id = key
    return external_id if source == PORTAL_SOURCE else f"{external_id} ({source})"


def unknown_filter_lines(facets: dict[str, list[tuple[str, str, int]]], programme: str, source: str) -> list[str]:
    """Warnings for a --programme or --source that no call in the archive has."""
    lines: list[str] = []
    if source and source not in {value for value, _, _ in facets["sources"]}:
        known = ", ".join(value for value, _, _ in facets["sources"]) or "ingen ennå"
        lines.append(f"Ingen utlysninger fra kilden {source!r} i arkivet; kilder med utlysninger: {known}.")
    if programme:
        wanted = programme.lower()
        if not any(wanted == value.lower() or wanted in label.lower() for value, label, _ in facets["programmes"]):
            lines.append(f"Ingen utlysninger i programmet {programme!r}; se programmene i nettsidens søk.")
    return lines
