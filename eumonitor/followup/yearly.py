"""The yearly report (pure): applications sent, decisions, success rate and euros, per theme, programme and partner,
and its chart as a small server-side SVG (no script, no CDN)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any

MONTHS_NB = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")
NO_THEME, NO_PROGRAMME = "uten tema", "ukjent program"


@dataclass(frozen=True)
class CaseFacts:
    """One case as the report counts it; the dates are on the city's calendar."""

    id: str
    title: str
    programme: str
    themes: tuple[str, ...]
    partners: tuple[str, ...]
    status: str
    sent_on: date | None
    decided_on: date | None
    amount_applied: int | None
    amount_won: int | None


@dataclass
class Tally:
    """Counts and sums of one group (the whole year, a theme, a programme, a partner)."""

    sent: int = 0
    granted: int = 0
    rejected: int = 0
    applied_eur: int = 0
    won_eur: int = 0

    @property
    def success_rate(self) -> float | None:
        decided = self.granted + self.rejected
        return round(self.granted / decided, 3) if decided else None

    def as_json(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "granted": self.granted,
            "rejected": self.rejected,
            "decisions": self.granted + self.rejected,
            "success_rate": self.success_rate,
            "applied_eur": self.applied_eur,
            "won_eur": self.won_eur,
        }


def ranked(found: dict[str, Tally]) -> list[tuple[str, Tally]]:
    """A group's rows as every view lists them: most applications sent first, then by name."""
    return sorted(found.items(), key=lambda kv: (-kv[1].sent, kv[0]))


@dataclass
class Report:
    year: int
    total: Tally = field(default_factory=Tally)
    themes: dict[str, Tally] = field(default_factory=dict)
    programmes: dict[str, Tally] = field(default_factory=dict)
    partners: dict[str, Tally] = field(default_factory=dict)
    months: list[Tally] = field(default_factory=lambda: [Tally() for _ in range(12)])
    cases: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        def groups(found: dict[str, Tally]) -> list[dict[str, Any]]:
            return [{"name": k, **t.as_json()} for k, t in ranked(found)]

        return {
            "year": self.year,
            **self.total.as_json(),
            "per_theme": groups(self.themes),
            "per_programme": groups(self.programmes),
            "per_partner": groups(self.partners),
            "per_month": [{"month": i + 1, **t.as_json()} for i, t in enumerate(self.months)],
            "cases": self.cases,
        }


def build_report(year: int, facts: Iterable[CaseFacts]) -> Report:
    """An application counts in the year it was sent; a decision (and the euros won) in the year it was made."""
    report = Report(year)
    for case in facts:
        # Sent means it still is: a case moved back from "sendt" to fix a slip is no application.
        still_sent = case.status in ("sendt", "innvilget", "avslatt")
        sent = still_sent and case.sent_on is not None and case.sent_on.year == year
        decided = (
            case.decided_on is not None and case.decided_on.year == year and case.status in ("innvilget", "avslatt")
        )
        if not (sent or decided):
            continue
        groups = [report.total]
        groups += [report.themes.setdefault(t, Tally()) for t in case.themes or (NO_THEME,)]
        groups.append(report.programmes.setdefault(case.programme or NO_PROGRAMME, Tally()))
        groups += [report.partners.setdefault(p, Tally()) for p in case.partners]
        for tally in groups:
            _count(tally, case, sent, decided)
        if sent and case.sent_on:
            _count(report.months[case.sent_on.month - 1], case, True, False)
        if decided and case.decided_on:
            _count(report.months[case.decided_on.month - 1], case, False, True)
        report.cases.append(
            {
                "id": case.id,
                "title": case.title,
                "programme": case.programme,
                "status": case.status,
                "sent_on": case.sent_on.isoformat() if case.sent_on else None,
                "decided_on": case.decided_on.isoformat() if case.decided_on else None,
                "amount_applied": case.amount_applied,
                "amount_won": case.amount_won,
            }
        )
    return report


def _count(tally: Tally, case: CaseFacts, sent: bool, decided: bool) -> None:
    if sent:
        tally.sent += 1
        tally.applied_eur += case.amount_applied or 0
    if decided and case.status == "innvilget":
        tally.granted += 1
        tally.won_eur += case.amount_won or 0
    elif decided:
        tally.rejected += 1


def rate_nb(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.0f} %".replace(".", ",")


def chart_svg(year: int, months: Sequence[Tally]) -> str:
    """Bars per month: applications sent and grants won; an accessible SVG with a title and text labels."""
    width, height, left, bottom, top = 640, 240, 36, 28, 16
    most = max([1, *(max(m.sent, m.granted) for m in months)])
    step = (width - left - 8) / 12
    bar = step / 3
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-title" class="chart"><title id="chart-title">Søknader sendt og innvilget per måned '
        f"i {year}</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 4}" y2="{height - bottom}" stroke="#555"/>',
        f'<text x="4" y="{top + 4}" font-size="11">{most}</text>',
        f'<text x="4" y="{height - bottom}" font-size="11">0</text>',
    ]
    scale = (height - bottom - top) / most
    for i, month in enumerate(months):
        x = left + i * step + bar / 2
        for offset, value, colour, label in (
            (0, month.sent, "#1f5f99", "sendt"),
            (bar, month.granted, "#2e7d32", "innvilget"),
        ):
            if value:
                h = value * scale
                parts.append(
                    f'<rect x="{x + offset:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"><title>{escape(MONTHS_NB[i])}: {value} {label}</title></rect>'
                )
        parts.append(
            f'<text x="{x + bar:.1f}" y="{height - 10}" font-size="11" text-anchor="middle">{MONTHS_NB[i]}</text>'
        )
    parts.append(
        f'<rect x="{width - 190}" y="4" width="10" height="10" fill="#1f5f99"/><text x="{width - 176}" y="13" '
        f'font-size="11">sendt</text><rect x="{width - 120}" y="4" width="10" height="10" fill="#2e7d32"/>'
        f'<text x="{width - 106}" y="13" font-size="11">innvilget</text></svg>'
    )
    return "".join(parts)


CSV_HEADER = ("Gruppe", "Navn", "Sendt", "Innvilget", "Avslått", "Suksessrate", "Søkt (EUR)", "Tildelt (EUR)")


def report_csv(report: Report) -> str:
    """The report's tables in one CSV (semicolons, as Excel in Norwegian reads them): the year, then per group."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)

    def line(group: str, name: str, t: Tally) -> None:
        # A decimal comma, as Excel in Norwegian reads a number in a semicolon CSV.
        rate = "" if t.success_rate is None else f"{t.success_rate:.3f}".replace(".", ",")
        safe = "'" + name if name.startswith(("=", "+", "-", "@")) else name  # a name is never a formula
        writer.writerow((group, safe, t.sent, t.granted, t.rejected, rate, t.applied_eur, t.won_eur))

    line("år", str(report.year), report.total)
    for group, found in (("tema", report.themes), ("program", report.programmes), ("partner", report.partners)):
        for name, tally in ranked(found):
            line(group, name, tally)
    for i, tally in enumerate(report.months):
        line("måned", MONTHS_NB[i], tally)
    return out.getvalue()
