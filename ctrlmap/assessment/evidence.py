"""Evidence status: one definition of current, stale, undecided and future-dated evidence.

The evidence rules and the report's evidence register both call `evidence_status`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ctrlmap.models import Control, Evidence

EvidenceStatus = Literal["current", "stale", "no decision recorded", "dated after the as-of date"]
"""What one evidence item is worth at the as-of date."""


def cycle_start(as_of: dt.date, month_day: str) -> dt.date | None:
    """The due date before the latest one: evidence for a yearly deadline must be newer than it.

    A filing due every April 15 (NYDFS 500.17(b)) is current at 2026-11-28 only if it is dated
    after 2025-04-15, the due date before the 2026 one. None when that due date would fall before
    the calendar's first year (an as-of date in year 1 or 2): no evidence is older than the cycle.
    """
    month, day = int(month_day[:2]), int(month_day[3:])

    def due(year: int) -> dt.date | None:
        if year < dt.MINYEAR:
            return None
        return dt.date(year, month, min(day, 28) if (month, day) == (2, 29) else day)

    this_year = due(as_of.year)
    latest = as_of.year if this_year is not None and this_year <= as_of else as_of.year - 1
    return due(latest - 1)


def needs_decision(control: Control) -> bool:
    """Whether the control's evidence must record the 164.306(d)(3) decision (addressable specs)."""
    return control.kind == "implementation-specification" and control.level == "addressable"


def review_limit(control: Control, default_days: int) -> int:
    """How many days evidence of this control stays current: its own period, else the profile's."""
    return control.review_days or default_days


def evidence_status(
    control: Control, item: Evidence, as_of: dt.date, default_days: int
) -> EvidenceStatus:
    """What an evidence item is worth at `as_of`.

    An addressable specification's evidence without a recorded decision does not count; a date
    after the as-of date is a typing mistake, not evidence; past the review period, or dated on
    or before the start of the annual cycle, it is stale.
    """
    if needs_decision(control) and item.decision is None:
        return "no decision recorded"
    if item.reviewed > as_of:
        return "dated after the as-of date"
    age = (as_of - item.reviewed).days
    cycle = cycle_start(as_of, control.annual_due) if control.annual_due else None
    if age > review_limit(control, default_days) or (cycle is not None and item.reviewed <= cycle):
        return "stale"
    return "current"
