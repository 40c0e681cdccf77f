"""The sane ranges of the [http] settings, checked in config.toml and in every source's own [http] table."""

from __future__ import annotations

import math
from typing import Any

# key -> (lowest, highest, lowest allowed itself, unit). A timeout of 0 would fail every request at once,
# a backoff of 100000 would hold a collect for a day, nan compares false with everything and so slips past
# any later check: every value must be a finite number inside its range.
RANGES: dict[str, tuple[float, float, bool, str]] = {
    "timeout": (0, 600, False, "sekunder"),
    "retries": (0, 10, True, "forsøk"),
    "backoff": (0, 300, True, "sekunder"),
    "min_interval": (0, 3600, True, "sekunder"),
    "max_bytes": (1, 2_000_000_000, True, "byte"),
}


def _number_nb(value: float) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text.replace(".", ",")


def http_problems(values: Any, prefix: str = "http") -> list[tuple[str, str]]:
    """(key, message) for every [http] value outside its range; None (not set in a source file) is fine."""
    found: list[tuple[str, str]] = []
    for key, (low, high, low_ok, unit) in RANGES.items():
        value = getattr(values, key, None)
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue  # a missing value keeps the default; a wrong type is the checker's own problem
        inside = math.isfinite(value) and (value >= low if low_ok else value > low) and value <= high
        if not inside:
            lowest = f"fra og med {_number_nb(low)}" if low_ok else f"over {_number_nb(low)}"
            found.append(
                (
                    f"{prefix}.{key}",
                    f"utenfor tillatt område: skal være {lowest} til og med {_number_nb(high)} {unit}, "
                    f"fikk {_number_nb(value)}",
                )
            )
    return found
