"""Scope: which controls of the profile's frameworks are assessed at the as-of date, and why not.

Before the applicability facts (`applies_if`), three things take a control out of scope, each
recorded as the control's basis: a scope exclusion in the profile (the control and everything
under it, with the reason given), the PCI DSS self-assessment questionnaire the organization
files (only the requirements its Section 2 asks, and the units above them), and an effective date
after the as-of date (a duty phased in later).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ctrlmap.load.library import Library
from ctrlmap.models import Profile, global_key, split_key
from ctrlmap.models.results import BasisStep

PCI = "pci-dss-4"


def out_of_scope(
    profile: Profile, lib: Library, frameworks: Iterable[str], as_of: dt.date
) -> dict[str, BasisStep]:
    """The global keys of the controls out of scope, each with the step that says why."""
    steps: dict[str, BasisStep] = {}
    chosen = set(frameworks)
    for framework in chosen:
        catalog = lib.catalogs[framework]
        for control in catalog.controls:
            if control.effective is not None and control.effective > as_of:
                steps[global_key(framework, control.id)] = BasisStep(
                    step="scope",
                    text=f"Not yet in force: this duty takes effect on {control.effective.isoformat()}, "
                    f"after the as-of date {as_of.isoformat()}.",
                    citation=control.citation,
                )
    if PCI in chosen:
        steps.update(_saq_steps(profile, lib))
    for exclusion in profile.scope_exclusions:
        framework, control_id = split_key(exclusion.control)
        if framework not in chosen:
            continue
        ref = f" ({exclusion.reference})" if exclusion.reference else ""
        for key in lib.subtree(exclusion.control):
            inherited = "" if key == exclusion.control else f", with {control_id} above it"
            steps[key] = BasisStep(
                step="scope",
                text=f"Excluded from scope{inherited}: {exclusion.reason}{ref}.",
                citation=None,
            )
    return steps


def _saq_steps(profile: Profile, lib: Library) -> dict[str, BasisStep]:
    """PCI DSS requirements the organization's SAQ does not ask, when it names one."""
    saq = profile.applicability.pci_saq
    if saq is None or lib.saqs is None:
        return {}
    entry = lib.saqs.entry(saq, profile.applicability.pci)
    if entry is None or entry.whole_standard or entry.requirements is None:
        return {}
    catalog = lib.catalogs[PCI]
    parent = {c.id: c.parent for c in catalog.controls}
    asked: set[str] = set()
    for rid in entry.requirements:
        current: str | None = rid
        while current is not None and current not in asked:
            asked.add(current)
            current = parent.get(current)
    return {
        global_key(PCI, c.id): BasisStep(
            step="scope",
            text=f"Not asked by SAQ {saq}, the questionnaire the organization files "
            f"({entry.document}, {entry.section}).",
            citation=entry.document,
        )
        for c in catalog.controls
        if c.id not in asked
    }
