"""Norwegian wording shared by digests, web pages and the command line: dates, days left, money, statuses, changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Any

STATUS_NB = {"open": "åpen", "forthcoming": "kommende", "closed": "stengt", "": "ukjent"}
CHANGE_NB = {
    "new": "ny",
    "deadline_moved": "frist endret",
    "status_changed": "status endret",
    "opening_changed": "åpningsdato endret",
    "budget_changed": "budsjett endret",
    "title_changed": "tittel endret",
    "text_changed": "tekst endret",
    "unlisted": "ikke lenger listet",
    "relisted": "listet igjen",
}
DEADLINE_MODEL_NB = {"single-stage": "ett trinn", "two-stage": "to trinn", "multiple cut-off": "flere frister"}
# The EU portal's type codes (research note ft-portal.md §3.2); other sources' types are shown as given.
CALL_TYPE_NB = {"0": "Anbud", "1": "Tilskudd", "2": "Forslagsinnbydelse (ekstern bistand)", "8": "Kaskadefinansiering"}
MONTHS_NB = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)


def date_nb(day: date | str | None) -> str:
    """15. mars 2026"""
    if not day:
        return "–"
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return f"{day.day}. {MONTHS_NB[day.month - 1]} {day.year}"


def local_date_nb(moment: datetime | str | None, zone: tzinfo) -> str:
    """A stored moment (UTC text or an aware datetime) as the city's calendar date: "17. juni 2026"."""
    local = _local(moment, zone)
    return date_nb(local.date()) if local else "–"


def local_time_nb(moment: datetime | str | None, zone: tzinfo) -> str:
    """A stored moment as the city's clock shows it: "22. juni 2026 kl. 07:00"."""
    local = _local(moment, zone)
    return f"{date_nb(local.date())} kl. {local:%H:%M}" if local else ""


def _local(moment: datetime | str | None, zone: tzinfo) -> datetime | None:
    if not moment:
        return None
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone)


def days_left_nb(deadline: date | str | None, today: date) -> str:
    if not deadline:
        return "ingen kommende frist"
    if isinstance(deadline, str):
        deadline = date.fromisoformat(deadline)
    days = (deadline - today).days
    if days == 0:
        return "frist i dag"
    if days == 1:
        return "1 dag igjen"
    return f"{days} dager igjen"


def money_nb(amount: int | None, currency: str = "EUR") -> str:
    if amount is None:
        return "se utlysningen"
    return f"{amount:,}".replace(",", " ") + f" {currency}"


def change_detail(change: dict[str, Any]) -> str:
    """What a history entry changed from and to ("22. sep → 6. okt" style, as stored), or "" for other kinds."""
    old, new = change["old"], change["new"]
    if change["kind"] == "deadline_moved":
        return f"{', '.join(old or []) or '–'} → {', '.join(new or []) or '–'}"
    if change["kind"] in ("status_changed", "budget_changed", "opening_changed"):
        return f"{old or '–'} → {new or '–'}"
    return ""
