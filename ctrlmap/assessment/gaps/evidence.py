"""Evidence rules: controls with no evidence on file, or evidence past its review period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ctrlmap.assessment.evidence import evidence_status
from ctrlmap.assessment.gaps.registry import (
    Facts,
    Finding,
    control_list,
    remedy,
    rule,
)
from ctrlmap.models import Evidence
from ctrlmap.models.base import is_placeholder

if TYPE_CHECKING:
    pass


def _evidence_findings(facts: Facts, stale: bool) -> Iterator[Finding]:
    items_of: dict[str, list[Evidence]] = defaultdict(list)
    for item in facts.profile.evidence:
        if not is_placeholder(item.reference):  # 'TBD' is not evidence
            items_of[item.control].append(item)
    per_framework: dict[str, list[str]] = defaultdict(list)
    oldest: dict[str, int] = {}
    future: dict[str, int] = defaultdict(int)
    for key, a in facts.applicable.items():
        items = items_of.get(key)
        if not items:  # most controls of a first assessment: nothing to rate
            if not stale:
                per_framework[a.framework].append(key)
            continue
        control = facts.control(key)
        rated = [
            (item, evidence_status(control, item, facts.as_of, facts.profile.review_period_days))
            for item in items
        ]
        future[a.framework] += sum(status == "dated after the as-of date" for _, status in rated)
        counted = [(i, s) for i, s in rated if s in ("current", "stale")]
        if not counted:
            if not stale:
                per_framework[a.framework].append(key)
            continue
        newest, status = max(counted, key=lambda pair: pair[0].reviewed)
        if stale and status == "stale":
            per_framework[a.framework].append(key)
            age = (facts.as_of - newest.reviewed).days
            oldest[a.framework] = max(oldest.get(a.framework, 0), age)
    for framework, keys in sorted(per_framework.items()):
        title = facts.lib.catalogs[framework].title
        if stale:
            yield Finding(
                rule="stale-evidence",
                key=(framework,),
                controls=keys,
                parties=["internal"],
                message=f"{len(keys)} control(s) of {title} have evidence older than their review period "
                f"(the oldest {oldest[framework]} days): {control_list(facts, keys)}.",
                remediation=remedy(
                    "Review the evidence and refresh it.", "the item's new review date."
                ),
                citation=facts.citations(keys),
            )
        else:
            yield Finding(
                rule="missing-evidence",
                key=(framework,),
                controls=keys,
                parties=["internal"],
                message=f"{len(keys)} applicable control(s) of {title} have no evidence on file: {control_list(facts, keys)}."
                + (
                    f" {future[framework]} evidence item(s) are dated after the as-of date and were not counted; check their dates."
                    if future[framework]
                    else ""
                )
                + (
                    " For an addressable specification the evidence must record the 164.306(d)(3) decision."
                    if framework == "hipaa-security"
                    else ""
                ),
                remediation=remedy(
                    "Collect the evidence (policy, log, report, decision memo) and file it where "
                    "an auditor can be shown it.",
                    "each item in the evidence register, with its review date.",
                ),
                citation=facts.citations(keys),
            )


@rule(
    "missing-evidence",
    base="low",
    why="Nothing to show an auditor yet: an audit-readiness matter, not a control failure by itself.",
)
def missing_evidence(facts: Facts) -> Iterator[Finding]:
    """Applicable controls with no evidence on file (for addressable specs: no recorded decision)."""
    return _evidence_findings(facts, stale=False)


@rule(
    "stale-evidence",
    base="low",
    why="Evidence past its review period: refresh it before the examiner asks.",
)
def stale_evidence(facts: Facts) -> Iterator[Finding]:
    """Evidence older than the control's review period (else the profile's) at the as-of date."""
    return _evidence_findings(facts, stale=True)
