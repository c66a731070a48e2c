"""Provider rules: contracts, required agreements and periodic oversight."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ctrlmap.assessment.gaps.registry import (
    Facts,
    Finding,
    rule,
    unique_sorted,
)

if TYPE_CHECKING:
    pass


AGREEMENTS = {
    "hipaa-security": (
        "baa",
        "a HIPAA business associate agreement",
        "45 CFR 164.308(b)(1), 164.314(a)",
    ),
    "hipaa-breach": (
        "baa",
        "a HIPAA business associate agreement",
        "45 CFR 164.308(b)(1), 164.314(a)",
    ),
    "pci-dss-4": (
        "pci_acknowledgement",
        "the PCI DSS written acknowledgement of responsibility",
        "PCI DSS v4.0.1 12.8.2",
    ),
}
"""The agreement each framework requires of a provider that does its work."""


@rule("provider-not-contracted", base=2)
def provider_not_contracted(facts: Facts) -> Iterator[Finding]:
    """A provider is Responsible for a function its agreement does not cover."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a in facts.applicable.values():
        for share in a.shares:
            if share.function is None or share.contracted:
                continue
            for party in share.parties:
                if (
                    party != "internal"
                    and share.function not in facts.ctx.providers[party].functions
                ):
                    groups[(party, share.function)].append(a.control)
    for (party, function), keys in sorted(groups.items()):
        agreement = facts.ctx.providers[party].agreement or "its agreement"
        yield Finding(
            rule="provider-not-contracted",
            controls=unique_sorted(keys),
            parties=[party],
            functions=[function],
            message=f"{facts.name(party)} is expected to do {function} for {len(set(keys))} control(s), "
            f"but {agreement} does not cover {function}.",
            remediation=f"Add {function} to {party}'s statement of work, or give the work to someone else "
            "with an override.",
            citation=facts.citations(keys),
        )


@rule("provider-agreement-missing", base=2)
def provider_agreement_missing(facts: Facts) -> Iterator[Finding]:
    """A provider doing a framework's work lacks the agreement that framework requires."""
    for provider in facts.profile.providers:
        missing: list[tuple[str, str, list[str]]] = []
        for framework, (attr, what, cite) in AGREEMENTS.items():
            keys = [
                k
                for k, a in facts.applicable.items()
                if a.framework == framework and a.raci and provider.id in a.raci.responsible
            ]
            if keys and not getattr(provider, attr):
                missing.append((what, cite, keys))
        merged: dict[str, tuple[str, list[str]]] = {}
        for what, cite, keys in missing:
            merged.setdefault(what, (cite, []))[1].extend(keys)
        if not merged:
            continue
        keys = unique_sorted(k for _, ks in merged.values() for k in ks)
        yield Finding(
            rule="provider-agreement-missing",
            controls=keys,
            parties=[provider.id],
            message=f"{provider.name} does regulated work ({len(keys)} control(s)) without "
            f"{' or '.join(merged)} on file.",
            remediation=f"Sign {' and '.join(merged)} with {provider.name} before it touches regulated data, "
            "and record it in the profile.",
            citation="; ".join(cite for cite, _ in merged.values()),
        )


@rule("provider-oversight-overdue", base=1)
def provider_oversight_overdue(facts: Facts) -> Iterator[Finding]:
    """A provider's periodic oversight review is missing or older than the rule allows."""
    oversight = [facts.applicable[k] for k in facts.applicable if facts.control(k).oversight]
    for provider in facts.profile.providers:
        due: list[tuple[str, int]] = []
        for a in oversight:
            works = any(
                provider.id in (b.raci.responsible if b.raci else ())
                for b in facts.applicable.values()
                if b.framework == a.framework
            )
            if works:
                due.append((a.control, facts.control(a.control).review_days or 365))
        if not due:
            continue
        days = min(d for _, d in due)
        last = provider.last_reviewed
        age = (facts.as_of - last).days if last else None
        if age is not None and 0 <= age <= days:
            continue
        keys = [k for k, _ in due]
        when = (
            "has never been reviewed"
            if last is None
            else f"has a last review dated {last.isoformat()}, after the as-of date (check the date)"
            if age is not None and age < 0
            else f"was last reviewed on {last.isoformat()} ({age} days ago)"
        )
        yield Finding(
            rule="provider-oversight-overdue",
            controls=keys,
            parties=[provider.id],
            message=f"{provider.name} {when}; the rules require a review at least every {days} days.",
            remediation=f"Review {provider.name}'s security and compliance status (reports, attestations, "
            "contract performance) and record the date as last_reviewed.",
            citation=facts.citations(keys),
        )
