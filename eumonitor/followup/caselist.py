"""The rows of "Oppfølging" and `eumonitor cases`: every followed or assigned call, one row each, the same in both."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from eumonitor.context import AppContext
from eumonitor.followup import rules
from eumonitor.followup.yearly import CaseFacts
from eumonitor.nb import days_left_nb

# What the overview can be sorted by; the default puts the nearest deadline first (no deadline last).
SORT_NB = {
    "frist": "neste frist",
    "status": "status",
    "ansvarlig": "ansvarlig",
    "tittel": "tittel",
    "endret": "sist endret",
}
SORTS = tuple(SORT_NB)
COLUMNS = (
    "source",
    "id",
    "title",
    "programme",
    "themes",
    "status",
    "status_nb",
    "assignee",
    "followers",
    "next_deadline",
    "days_left",
    "amount_applied",
    "amount_won",
    "partners",
)


def overview_rows(ctx: AppContext, theme_titles: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per call that has a case or a follower, nearest deadline first."""
    store, today = ctx.store, ctx.today()
    cases = {row["call_id"]: row for row in store.list_cases()}
    followers: dict[int, list[str]] = {}
    keys: dict[int, tuple[str, str]] = {}
    for row in store.follows():
        followers.setdefault(row["call_id"], []).append(row["email"])
        keys[row["call_id"]] = (row["source"], row["external_id"])
    keys.update({cid: (row["source"], row["external_id"]) for cid, row in cases.items()})
    partners: dict[int, list[str]] = {}
    for p in store.case_partners():
        partners.setdefault(p["call_id"], []).append(f"{p['organisation']} ({p['role']})")
    rows = []
    for call_id, key in keys.items():
        call = store.get_call(*key)
        if call is None:  # pragma: no cover - cases and follows refer to calls
            continue
        case = cases.get(call_id) or {}
        deadline = call.next_deadline(today)
        status = case.get("status") or ""
        themes = [m.profile_id for m in store.matches_for_call(*key) if m.state == "match"]
        rows.append(
            {
                "source": call.source,
                "id": call.external_id,
                "title": call.title,
                "programme": call.programme,
                "themes": themes,
                "themes_nb": [(theme_titles or {}).get(t, t) for t in themes],
                "status": status or None,
                "status_nb": rules.STATUS_NB.get(status, "ingen sak"),
                "assignee": case.get("assignee") or "",
                "followers": sorted(followers.get(call_id, [])),
                "next_deadline": deadline.isoformat() if deadline else None,
                "days_left": (deadline - today).days if deadline else None,
                "amount_applied": case.get("amount_applied"),
                "amount_won": case.get("amount_won"),
                "partners": partners.get(call_id, []),
                "changed_at": case.get("changed_at") or "",
            }
        )
    return sort_rows(rows, "frist")


def report_facts(ctx: AppContext, theme_titles: dict[str, str] | None = None) -> list[CaseFacts]:
    """Every case as the yearly report counts it, with sent and decision dates on the city's calendar."""
    store, titles = ctx.store, theme_titles or {}
    partners: dict[int, list[str]] = {}
    for p in store.case_partners():
        partners.setdefault(p["call_id"], []).append(p["organisation"])
    facts = []
    for case in store.list_cases():
        themes = [
            m.profile_id for m in store.matches_for_call(case["source"], case["external_id"]) if m.state == "match"
        ]
        facts.append(
            CaseFacts(
                id=case["external_id"],
                title=case["title"],
                programme=case["programme"],
                themes=tuple(titles.get(t, t) for t in themes),
                partners=tuple(partners.get(case["call_id"], [])),
                status=case["status"],
                sent_on=_local_day(case["sent_at"], ctx),
                decided_on=_local_day(case["decided_at"], ctx),
                amount_applied=case["amount_applied"],
                amount_won=case["amount_won"],
            )
        )
    return facts


def _local_day(stamp: str | None, ctx: AppContext) -> date | None:
    return datetime.fromisoformat(stamp).astimezone(ctx.zone).date() if stamp else None


def filter_rows(
    rows: list[dict[str, Any]], *, status: str = "", assignee: str = "", theme: str = "", mine: str = ""
) -> list[dict[str, Any]]:
    """The rows matching every given filter (empty: no filter); `mine` keeps one person's followed or assigned."""
    found = rows
    if status:
        found = [r for r in found if (r["status"] or "") == status]
    if assignee:
        found = [r for r in found if r["assignee"].lower() == assignee.lower()]
    if theme:
        found = [r for r in found if theme in r["themes"]]
    if mine:
        who = mine.lower()
        found = [r for r in found if r["assignee"].lower() == who or who in r["followers"]]
    return found


def sort_rows(rows: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    if by == "status":
        order = {s: i for i, s in enumerate(rules.STATUSES)}
        return sorted(rows, key=lambda r: (order.get(r["status"] or "", -1), r["id"]))
    if by == "ansvarlig":
        return sorted(rows, key=lambda r: (not r["assignee"], r["assignee"], r["id"]))
    if by == "tittel":
        return sorted(rows, key=lambda r: (r["title"].lower(), r["id"]))
    if by == "endret":
        return sorted(rows, key=lambda r: (r["changed_at"], r["id"]), reverse=True)
    return sorted(rows, key=lambda r: (r["next_deadline"] is None, r["next_deadline"] or "", r["id"]))


def days_left_text(row: dict[str, Any], today: date) -> str:
    return days_left_nb(date.fromisoformat(row["next_deadline"]), today) if row["next_deadline"] else "ingen frist"


def json_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row as `cases --json` prints it: the documented columns only."""
    return {k: row[k] for k in COLUMNS}
