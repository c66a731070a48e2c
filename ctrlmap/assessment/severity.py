"""Severity: one formula from the rule's base, the control's level and its weight in the graph."""

from __future__ import annotations

from collections.abc import Iterable

from ctrlmap.models.base import Level, Severity

LEVEL_POINTS = {"required": 1, "addressable": 0, "guidance": -1}


HEAVY = 10
"""A control on which this many controls depend (directly or not) weighs one more point."""


SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")


def score(base: int, controls: Iterable[tuple[Level, int]]) -> int:
    """The severity score of a finding: its highest-scoring control, from (level, weight) pairs."""
    points = [
        base + LEVEL_POINTS[level] + (1 if weight >= HEAVY else 0) for level, weight in controls
    ]
    return max(points, default=base)


def severity_of(points: int) -> Severity:
    """Map a score to a severity."""
    if points >= 5:
        return "critical"
    if points == 4:
        return "high"
    if points == 3:
        return "medium"
    return "low"
