"""The overview's rows as CSV and as an Excel workbook (.xlsx): the same columns, Norwegian headers, no formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

# (header, how to read the row); the web page shows the same rows.
COLUMNS: tuple[tuple[str, Callable[[dict[str, Any]], Any]], ...] = (
    ("Utlysning", lambda r: r["id"]),
    ("Tittel", lambda r: r["title"]),
    ("Program", lambda r: r["programme"]),
    ("Temaer", lambda r: ", ".join(r["themes_nb"])),
    ("Status", lambda r: r["status_nb"]),
    ("Ansvarlig", lambda r: r["assignee"]),
    ("Følges av", lambda r: ", ".join(r["followers"])),
    ("Neste frist", lambda r: r["next_deadline"] or ""),
    ("Dager igjen", lambda r: r["days_left"]),
    ("Søkt (EUR)", lambda r: r["amount_applied"]),
    ("Tildelt (EUR)", lambda r: r["amount_won"]),
    ("Partnere", lambda r: ", ".join(r["partners"])),
    ("Kilde", lambda r: r["source"]),
    ("Lenke", lambda r: r.get("link", "")),
)
# A cell starting with one of these is a formula to a spreadsheet: a call title from a source must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def rows_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """Semicolons and a byte-order mark: what Excel in Norwegian opens as columns with æøå intact."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([header for header, _ in COLUMNS])
    for row in rows:
        writer.writerow([_text_cell(read(row)) for _, read in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def rows_xlsx(rows: Sequence[dict[str, Any]], title: str = "Oppfølging") -> bytes:
    """One sheet, a bold header row, dates as dates and amounts as numbers; every text cell stored as text."""
    from openpyxl import Workbook  # only the export needs it
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([header for header, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = [read(row) for _, read in COLUMNS]
        values[7] = date.fromisoformat(values[7]) if values[7] else None
        sheet.append([None if v == "" else v for v in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif isinstance(cell.value, date):
                cell.number_format = "dd.mm.yyyy"
    for column, width in zip("ABCDEFGHIJKLMN", (28, 50, 20, 24, 14, 28, 28, 12, 10, 14, 14, 36, 18, 50), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
