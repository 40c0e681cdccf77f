"""Pure extraction of deadlines and opening dates from English and Norwegian text; never guesses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Bokmål, nynorsk and English month tokens; the first three letters are enough for all of them.
MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "mai": 5, "may": 5, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "des": 12, "dec": 12,
}  # fmt: skip
MONTH_WORD = (
    r"(?:januar|january|jan|februar|february|feb|mars|march|mar|april|apr|mai|may|juni|june|jun|juli|july|jul|"
    r"august|aug|september|sept|sep|oktober|october|okt|oct|november|nov|desember|december|des|dec)"
)
ORD = r"(?:st|nd|rd|th)?"
TIME = (
    r"(?:\s*(?:,|kl\.?|klokka|klokken|at|@|\()?\s*(?P<time>\d{1,2}[:.]\d{2})"
    r"(?:\s*(?:noon|midday|\(midday\)|p\.?m\.?))?)?"
)
PATTERNS = (
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T ](?P<time>\d{2}:\d{2}))?")),
    ("dmy", re.compile(rf"\b(?P<d>\d{{1,2}})[./](?P<m>\d{{1,2}})[./](?P<y>\d{{4}})\b{TIME}")),
    (
        "day_month",
        re.compile(rf"\b(?P<d>\d{{1,2}}){ORD}\.?\s*(?P<mon>{MONTH_WORD})\b\.?(?:,?\s+(?P<y>\d{{4}})\b)?{TIME}", re.I),
    ),
    ("month_day", re.compile(rf"\b(?P<mon>{MONTH_WORD})\.?\s+(?P<d>\d{{1,2}}){ORD},\s*(?P<y>\d{{4}})\b{TIME}", re.I)),
    ("month_year", re.compile(rf"\b(?P<mon>{MONTH_WORD})\s+(?P<y>\d{{4}})\b", re.I)),
)
DEADLINE_WORDS = (
    r"deadline|\w*frist|closing date|closes|close on|closes on|closed on|cut-off|cut off|cutoff|until|untill|"
    r"not later than|no later than|submit(?:ted)? by|apply by|due|siste moglege|siste mulige"
)
OPENING_WORDS = (
    r"opening date|opens|open from|opens on|open on|opened|opening|åpen for søknad|open for søknad|åpner|opnar|"
    r"åpnar|from|fra|frå|between|mellom|launch(?:es|ed)?|starts?|starting"
)
# Dates that are neither: when the project may start, when answers come, when the page was edited.
OTHER_WORDS = (
    r"\w*prosjektstart|\w*prosjektslutt|project start|project end|end date|svar\w*|decision|vedtak|webinar|"
    r"event|meeting|møte|published|publisert|edited|updated|oppdatering|oppdatert|prosjektverkstad|maler|tilgjengelige|"
    r"info ?day|informasjonsmøte|registration|påmelding"
)
LABEL = re.compile(
    rf"(?<!\w)(?:(?P<other>{OTHER_WORDS})|(?P<deadline>{DEADLINE_WORDS})|(?P<opening>{OPENING_WORDS}))(?!\w)", re.I
)
# What may stand between the two ends of a range: "17 March - 17 June", "20 March to 7 June", "A @ 12:00 B".
RANGE_GAP = re.compile(r"^\s*(?:-|–|—|to|til|till|and|og|until)?\s*$", re.I)
TZ_ONLY = re.compile(r"^[\W_]*(?:(?:CEST|CET|UTC|GMT|noon|midday|Paris time|Brussels time)[\W_]*)*$", re.I)
# Words that settle the state of a call without any date.
STATE_WORDS = (
    ("expired", re.compile(r"\butløpt\b|\butløpe\b", re.I)),
    ("rolling", re.compile(r"\bl[øo]pande\b|\bløpende\b|\brolling\b|\bcontinuously open\b|\bopen all year\b", re.I)),
    ("closed", re.compile(r"\bgjennomført\b|\bnow closed\b|\bis closed\b|\bno more open calls\b|\bavslutta\b", re.I)),
)
RANGE_START, RANGE_END = "fra", "til"  # the label words given to the two ends of an unlabelled range
STATE_NOTES = {"expired": "fristen er utløpt", "rolling": "løpende søknadsfrist", "closed": "utlysningen er avsluttet"}
LABEL_CONTEXT = 160  # characters before a date searched for its label
YEAR_BORROW = 60  # "20 March to 7 June 2024": a yearless date borrows from a dated one this close after it


@dataclass(frozen=True)
class FoundDate:
    """One date in a text, where it was and what the words around it say it is."""

    value: date
    role: str  # deadline | opening | other | "" (no label)
    precision: str = "day"  # day | month (month-only dates are never deadlines)
    time: str = ""  # "13:00" when the text gives a time of day
    label: str = ""  # the word that gave the role
    start: int = 0
    end: int = 0
    text: str = ""


@dataclass(frozen=True)
class DateReport:
    """What a text says about a call's dates; `found` is False when it names no deadline."""

    deadlines: tuple[date, ...] = ()
    opening: date | None = None
    deadline_time: str = ""
    state: str = "none"  # dated | expired | rolling | closed | none
    dates: tuple[FoundDate, ...] = ()
    note: str = ""  # in Norwegian: why no deadline was taken

    @property
    def found(self) -> bool:
        return bool(self.deadlines)


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    value: date | None
    precision: str
    time: str
    yearless: tuple[int, int] | None = None  # (month, day) waiting for a year


def _month(token: str) -> int | None:
    # casefold, not lower: the pattern is matched case-insensitively, so "ſep" (long s) and "oKt" (Kelvin
    # sign) match it, and only casefold maps those onto the plain letters the table knows.
    return MONTHS.get(token.casefold()[:3])


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _scan(text: str) -> list[_Hit]:
    """Every date-like span, longest first where two patterns overlap."""
    hits: list[_Hit] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            hit = _hit(kind, m)
            if hit is not None:
                hits.append(hit)
                taken.append((m.start(), m.end()))
    return sorted(hits, key=lambda h: h.start)


def _hit(kind: str, m: re.Match[str]) -> _Hit | None:
    g = m.groupdict()
    time = (g.get("time") or "").replace(".", ":")
    if kind in ("iso", "dmy"):
        value = _make(int(g["y"]), int(g["m"]), int(g["d"]))
        return _Hit(m.start(), m.end(), value, "day", time) if value else None
    month = _month(g["mon"])
    if month is None:
        return None
    if kind == "month_year":
        first = _make(int(g["y"]), month, 1)  # "mai 0000": year 0 is no date
        return _Hit(m.start(), m.end(), first, "month", "") if first else None
    if not g.get("y"):
        return _Hit(m.start(), m.end(), None, "day", time, (month, int(g["d"])))
    value = _make(int(g["y"]), month, int(g["d"]))
    return _Hit(m.start(), m.end(), value, "day", time) if value else None


def _borrow_years(hits: list[_Hit]) -> list[_Hit]:
    """A yearless day takes the year of the next dated day close after it; otherwise it is dropped."""
    done: list[_Hit] = []
    for i, hit in enumerate(hits):
        if hit.yearless is None:
            done.append(hit)
            continue
        later = next((h for h in hits[i + 1 :] if h.value and h.precision == "day"), None)
        if later is None or later.start - hit.end > YEAR_BORROW:
            continue  # "On 15 May" with no year anywhere near: not a date we can stand behind
        month, day = hit.yearless
        year = later.value.year - (1 if month > later.value.month else 0)
        value = _make(year, month, day)
        if value:
            done.append(_Hit(hit.start, hit.end, value, "day", hit.time))
    return done


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, len(text) if line_end < 0 else line_end


def _neighbour_line(text: str, start: int, end: int, step: int) -> str:
    """The nearest non-empty line before (step -1) or after (step 1) the line holding start..end."""
    lines_before = text[:start].split("\n")[:-1]
    lines_after = text[end:].split("\n")[1:]
    pool = reversed(lines_before) if step < 0 else iter(lines_after)
    return next((line.strip() for line in pool if line.strip()), "")


def _label(context: str) -> tuple[str, str]:
    """The role given by the last label word in `context`, and that word."""
    found = list(LABEL.finditer(context))
    if not found:
        return "", ""
    last = found[-1]
    role = next(name for name in ("other", "deadline", "opening") if last.group(name))
    return role, last.group(0)


def _label_line(line: str) -> tuple[str, str]:
    """A short line that is only a label, like "Søknadsfrist" or "Åpen for søknad"."""
    if not line or len(line) > 60 or _scan(line):
        return "", ""
    return _label(line)


def _alone(text: str, hit: _Hit) -> bool:
    line_start, line_end = _line_bounds(text, hit.start, hit.end)
    rest = text[line_start : hit.start] + " " + text[hit.end : line_end]
    return bool(TZ_ONLY.match(rest))


def _labels_after(text: str, hits: list[_Hit]) -> bool:
    """Whether this page puts the label under its date ("13. sep. 2023\\nSøknadsfrist"), as Forskningsrådet does."""
    if re.search(r"viktige datoer", text, re.I):
        return True
    before = after = 0
    for hit in hits:
        if _alone(text, hit):
            before += bool(_label_line(_neighbour_line(text, hit.start, hit.end, -1))[0])
            after += bool(_label_line(_neighbour_line(text, hit.start, hit.end, 1))[0])
    return after > before


def _roles(text: str, hits: list[_Hit]) -> list[tuple[str, str]]:
    """(role, label word) for each hit, from the words around it."""
    below = _labels_after(text, hits)
    roles: list[tuple[str, str]] = []
    previous_end = 0
    for hit in hits:
        if _alone(text, hit):
            neighbour = _neighbour_line(text, hit.start, hit.end, 1 if below else -1)
            roles.append(_label_line(neighbour))
        else:
            line_start, _ = _line_bounds(text, hit.start, hit.end)
            begin = max(line_start, previous_end, hit.start - LABEL_CONTEXT)
            roles.append(_label(text[begin : hit.start]))
        previous_end = hit.end
    return _ranges_and_runs(text, hits, roles)


def _ranges_and_runs(text: str, hits: list[_Hit], roles: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """ "A to B" makes A the opening and B the deadline; an unlabelled date right after a deadline is one too."""
    for i in range(1, len(hits)):
        gap = text[hits[i - 1].end : hits[i].start]
        (prev_role, prev_word), (role, word) = roles[i - 1], roles[i]
        if RANGE_GAP.match(gap) and "\n" not in gap.strip(" "):
            if prev_role in ("", "opening") and role in ("", "deadline"):
                roles[i - 1] = ("opening", prev_word or RANGE_START)
                roles[i] = ("deadline", word or RANGE_END)
        elif not role and prev_role == "deadline" and len(gap) < YEAR_BORROW and "\n" not in gap and ". " not in gap:
            roles[i] = ("deadline", prev_word)  # "9 March 2022, whereas for the core projects – 15 March 2022"
    return roles


def find_dates(text: str) -> list[FoundDate]:
    """Every date in the text, in order, with the role its label gives it."""
    hits = _borrow_years(_scan(text))
    return [
        FoundDate(hit.value, role, hit.precision, hit.time, word, hit.start, hit.end, text[hit.start : hit.end])
        for hit, (role, word) in zip(hits, _roles(text, hits), strict=True)
        if hit.value is not None
    ]


def read_dates(text: str) -> DateReport:
    """The deadlines and opening a text states; an explicit 'none' with a reason when it states none."""
    found = find_dates(text or "")
    days = [f for f in found if f.precision == "day"]
    deadlines = [f for f in days if f.role == "deadline"]
    # A date labelled as a deadline outweighs the end of a bare range: on URBACT's page "17 March - 17 June
    # 2026" is the call and "Open until 17 June" confirms it, while "between 1 November 2026 and 30 April
    # 2029" is the project period.
    labelled = [f for f in deadlines if f.label != RANGE_END]
    chosen = labelled or deadlines
    opening = next((f.value for f in days if f.role == "opening"), None)
    if chosen:
        last = max(f.value for f in chosen)
        # The time may sit on another mention of the same day ("24. februar 2023 @ 12:00").
        time = next((f.time for f in deadlines if f.value == last and f.time), "")
        return DateReport(tuple(sorted({f.value for f in chosen})), opening, time, "dated", tuple(found))
    state = next((name for name, pattern in STATE_WORDS if pattern.search(text or "")), "none")
    if state != "none":
        return DateReport((), opening, "", state, tuple(found), STATE_NOTES[state])
    if found:
        shown = ", ".join(f.text for f in found[:3])
        return DateReport((), opening, "", "none", tuple(found), f"fant datoer ({shown}), men ingen merket som frist")
    return DateReport((), None, "", "none", (), "fant ingen dato i teksten")


def parse_date(text: str) -> date | None:
    """The one day-precision date in a short field such as a listing's date cell; None when there is none."""
    days = [f for f in find_dates(text or "") if f.precision == "day"]
    return days[0].value if days else None
