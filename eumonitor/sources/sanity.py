"""Pure checks that a scan is consistent and that a run would not silently empty the archive (schema drift)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from eumonitor.model import Call, Parsed, RawCall, Skipped
from eumonitor.sources.kind import SourceError

# Fields whose loss across a whole source means the source changed shape, not that every call changed at once.
DRIFT_FIELDS: tuple[tuple[str, str, Callable[[Call], bool]], ...] = (
    ("deadlines", "frister", lambda c: bool(c.deadlines)),
    ("status", "status", lambda c: bool(c.status)),
    ("title", "titler", lambda c: bool(c.title.strip())),
)
DRIFT_MIN = 5  # below this many calls one withdrawn deadline could look like drift; judge larger sources only


def record_key(raw: RawCall) -> tuple[str, str]:
    """One record of a paged scan: its identifier and the source's own document id when it has one.

    The portal keeps legacy copies of a topic as separate documents (counted in its total), so two
    records may share an identifier; the same document twice is a repeated hit.
    """
    return raw.external_id, str(raw.extra.get("reference", ""))


@dataclass
class ScanLedger:
    """What the pages of one paged scan said, to catch a scan that contradicts itself."""

    total: int | None = None
    total_page: int = 0
    seen: set[tuple[str, str]] = field(default_factory=set)
    skipped: int = 0
    repeats: dict[int, int] = field(default_factory=dict)  # page -> hits already seen on earlier pages

    def add(self, number: int, parsed: Parsed) -> None:
        """Take one page; raises SourceError when it disagrees with the pages before it."""
        if parsed.total_expected is None:
            return  # a source without a total (a feed, a listing): nothing to be consistent with
        if self.total is None:
            self.total, self.total_page = parsed.total_expected, number
        elif parsed.total_expected != self.total:
            raise SourceError(
                f"Uenig skann: side {number} oppga {parsed.total_expected} treff, men side {self.total_page} "
                f"oppga {self.total}; kilden endret seg under skannet, arkivet er ikke endret"
            )
        keys = [record_key(raw) for raw in parsed.calls]
        repeated = sum(1 for key in keys if key in self.seen)
        if keys and repeated == len(keys) and number > 1:
            raise SourceError(
                f"Uenig skann: side {number} ga bare treff som allerede kom på tidligere sider "
                f"({repeated} av {len(keys)}); arkivet er ikke endret"
            )
        if repeated:
            self.repeats[number] = repeated
        self.seen.update(keys)
        self.skipped += len(parsed.skipped)

    def shortfall(self) -> str | None:
        """Why the distinct records fall short of the reported total, naming the pages that repeated hits."""
        if self.total is None or len(self.seen) + self.skipped >= self.total:
            return None
        pages = ", ".join(f"side {n} gjentok {k}" for n, k in sorted(self.repeats.items()))
        where = f" ({pages})" if pages else ""
        return (
            f"Ufullstendig skann: kilden oppga {self.total} treff, men bare {len(self.seen) + self.skipped} "
            f"ulike kom fram{where}; ingen utlysninger er markert som ikke lenger listet"
        )


def skipped_most(calls: int, skipped: Sequence[Skipped]) -> str | None:
    """A run whose records were mostly unreadable is a changed format, not a source without calls.

    With no call read at all, any skipped record says why the run is empty, so it counts however few.
    """
    if not skipped or len(skipped) <= calls or (calls and len(skipped) < DRIFT_MIN):
        return None
    reasons = Counter(s.reason for s in skipped).most_common(2)
    why = "; ".join(f"«{reason}» ({n})" for reason, n in reasons)
    return (
        f"Kildens format har trolig endret seg: {len(skipped)} av {len(skipped) + calls} poster ble hoppet over "
        f"({why}); arkivet er ikke endret"
    )


def presence(call: Call) -> tuple[bool, ...]:
    """Whether a call has each of DRIFT_FIELDS, in their order; the store answers the same for stored calls."""
    return tuple(has(call) for _, _, has in DRIFT_FIELDS)


def emptied_fields(archived: Mapping[str, Sequence[bool]], incoming: Sequence[Call]) -> str | None:
    """A field the archive had for most of a source's calls, and that this run would empty for most of them.

    `archived` maps each stored call's id to whether it has each of DRIFT_FIELDS (Store.field_presence).
    """
    both = [(archived[c.external_id], presence(c)) for c in incoming if c.external_id in archived]
    problems = []
    for i, (name, label, _) in enumerate(DRIFT_FIELDS):
        had = [after[i] for before, after in both if before[i]]
        if len(had) < DRIFT_MIN or sum(1 for flags in archived.values() if flags[i]) * 2 <= len(archived):
            continue  # the archive did not have this field for most of the source's calls
        lost = had.count(False)
        if lost * 2 > len(had):
            problems.append(f"feltet {name}: {lost} av {len(had)} utlysninger ville mistet sine {label}")
    if not problems:
        return None
    return "Kildens format har trolig endret seg; " + "; ".join(problems) + ". Arkivet beholder det det hadde"
