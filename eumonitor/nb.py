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
    "countries_changed": "land som kan delta endret",
    "applicants_changed": "søkertyper endret",
    "unlisted": "ikke lenger listet",
    "relisted": "listet igjen",
}
# What weighed in "Kan vi delta?" (matching/participation.py), as the call page and `show` name it.
FACTOR_NB = {
    "programme": "Program",
    "countries": "Land",
    "conditions": "Vilkår",
    "external": "Ekstern bistand",
    "role": "Kommunens rolle",
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


def os_error_nb(exc: BaseException) -> str:
    """A network failure as a person reads it; the operating system and smtplib word theirs in English."""
    import socket
    import ssl

    if isinstance(exc, socket.gaierror):
        return "fant ikke vertsnavnet"
    if isinstance(exc, ConnectionRefusedError):
        return "tilkoblingen ble avvist"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "tidsavbrudd: tjeneren svarte ikke i tide"
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return "tjeneren brøt forbindelsen"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"sertifikatet kunne ikke bekreftes ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS-feil ({exc.reason or exc})"
    if type(exc).__name__ == "SMTPServerDisconnected":
        return "tjeneren lukket forbindelsen uventet"
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) or type(exc).__name__


def count_nb(n: int, one: str, many: str) -> str:
    """A count with its noun in the right number: "1 kilde", "3 kilder", "0 kilder"."""
    return f"{n} {one if n == 1 else many}"


def score_nb(value: float) -> str:
    """A score with a decimal comma, as Norwegian readers write it: 0,42."""
    return f"{value:.2f}".replace(".", ",")


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
    """What a history entry changed from and to, in Norwegian ("13. april 2027 → ingen"), or "" for other kinds."""
    old, new = change["old"], change["new"]
    kind = change["kind"]
    if kind == "deadline_moved":
        return f"{_dates(old)} → {_dates(new)}"
    if kind in ("countries_changed", "applicants_changed"):
        return f"{', '.join(old or []) or 'ingen'} → {', '.join(new or []) or 'ingen'}"
    if kind == "status_changed":
        return f"{STATUS_NB.get(old or '', old)} → {STATUS_NB.get(new or '', new)}"
    if kind == "opening_changed":
        return f"{_date_or_text(old) if old else 'ingen'} → {_date_or_text(new) if new else 'ingen'}"
    if kind == "budget_changed":
        return f"{_money(old)} → {_money(new)}"
    return ""


def _dates(days: list[str] | None) -> str:
    return ", ".join(_date_or_text(d) for d in days) if days else "ingen"


def _date_or_text(day: str) -> str:
    try:
        return date_nb(day[:10])
    except ValueError:  # not an ISO date: shown as stored rather than hidden
        return day


def _money(amount: Any) -> str:
    return money_nb(amount) if isinstance(amount, int) else ("ingen" if amount is None else str(amount))


FALLBACK_NOTE = "Ingen treff med alle ordene; viser treff med minst ett av dem."


def search_notes(added: tuple[str, ...], any_word: bool, pinned: int = 0) -> list[str]:
    """What a search did beyond the user's words, said above its results (web page and command line)."""
    notes = []
    if pinned:
        which = "Utlysningen med denne id-en" if pinned == 1 else f"De {pinned} utlysningene med denne id-en"
        notes.append(f"{which} står øverst.")
    if added:
        notes.append(f"Søkte også etter: {', '.join(added)}.")
    if any_word:
        notes.append(FALLBACK_NOTE)
    return notes
