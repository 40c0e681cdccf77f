"""When a followed call's reminders fall due (pure): one mail per lead time, the nearest when several are due."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date


def reminders_due(
    deadline: date | None, today: date, lead_days: Collection[int], sent: Collection[int]
) -> tuple[int | None, list[int]]:
    """Which reminder to send now for one follower and one deadline, and every lead time it settles.

    Each lead time whose day has come (days left <= lead) is due once. When several are due at once (a call
    followed late, a scheduler that was down), one mail is sent, for the nearest, and the others count as
    sent: a follower gets one reminder, not three. Nothing after the deadline.
    """
    if deadline is None or deadline < today:
        return None, []
    left = (deadline - today).days
    due = sorted(d for d in lead_days if left <= d and d not in sent)
    return (due[0] if due else None), due


def days_nb(days: int) -> str:
    """A lead time in words: "6 uker", "2 uker", "1 uke", "3 dager", "1 dag"."""
    if days % 7 == 0 and days >= 14:
        return f"{days // 7} uker"
    if days == 7:
        return "1 uke"
    return "1 dag" if days == 1 else f"{days} dager"
