"""Evidence status: missing, current or stale, by review period, annual cycle and recorded decision."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


def cycle_start(as_of: dt.date, month_day: str) -> dt.date:
    """The due date before the latest one: evidence for a yearly deadline must be newer than it.

    A filing due every April 15 (NYDFS 500.17(b)) is current at 2026-11-28 only if it is dated
    after 2025-04-15, the due date before the 2026 one.
    """
    month, day = int(month_day[:2]), int(month_day[3:])

    def due(year: int) -> dt.date:
        return dt.date(year, month, min(day, 28) if (month, day) == (2, 29) else day)

    latest = due(as_of.year) if due(as_of.year) <= as_of else due(as_of.year - 1)
    return due(latest.year - 1)
