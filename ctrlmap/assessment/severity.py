"""Severity follows legal exposure: what a regulator or an assessor would do with the finding.

Each rule has a base severity, documented with its reason in the README's rule table; a rule may
give one finding another base where the exposure differs (a missing business associate agreement
is critical, a missing PCI DSS acknowledgment high). Two adjustments, and no others:
- breadth: a blocking finding (work nobody can deliver) on which `HEAVY` or more controls depend
  is raised one level, but never to critical: breadth alone never makes a finding critical;
- guidance: a finding whose controls are all guidance-level (ABA formal opinions, NCUA's
  appendices) is lowered one level, not below low.
Severity never depends on how many controls a party happens to touch.
"""

from __future__ import annotations

from collections.abc import Iterable

from ctrlmap.models.base import Level, Severity

SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")
"""Most severe first."""

RANK: dict[Severity, int] = {"low": 1, "medium": 2, "high": 3, "critical": 4}
"""A severity as a number (the gap's `score`)."""
BY_RANK: dict[int, Severity] = {rank: name for name, rank in RANK.items()}

HEAVY = 10
"""A blocking finding whose controls this many others depend on (directly or not) is raised."""

FORMULA = (
    "Each rule's base severity follows the legal exposure of what it finds (README, 'Gap rules'). "
    f"A blocking finding with {HEAVY} or more controls depending on it is raised one level, never "
    "to critical; a finding whose controls are all guidance-level is lowered one level, not below low."
)
"""The formula in one sentence, for the reports' method sections."""


def severity(
    base: Severity, controls: Iterable[tuple[Level, int]], blocking: bool
) -> tuple[Severity, int]:
    """A finding's severity and score from its base and its controls' (level, weight) pairs."""
    pairs = list(controls)
    rank = RANK[base]
    if blocking and rank < RANK["high"] and any(weight >= HEAVY for _, weight in pairs):
        rank += 1
    if pairs and all(level == "guidance" for level, _ in pairs) and rank > RANK["low"]:
        rank -= 1
    return BY_RANK[rank], rank
