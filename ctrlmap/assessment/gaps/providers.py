"""Provider rules: contracts, the agreements each framework requires, and periodic oversight."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from ctrlmap.assessment.gaps.registry import Facts, Finding, remedy, rule, unique_sorted
from ctrlmap.models import Provider
from ctrlmap.models.base import Severity, is_placeholder, possessive


@dataclass(frozen=True)
class Agreement:
    """An agreement a framework requires of a provider that does its work."""

    kind: str
    """The provider's field that records it."""
    what: str
    citation: str
    base: Severity
    """Missing: critical for a business associate agreement (OCR settles such cases), high for
    the contract terms the financial rules require."""


BAA = Agreement(
    "baa",
    "a HIPAA business associate agreement",
    "45 CFR 164.308(b)(1), 164.502(e), 164.314(a)",
    "critical",
)
SAFEGUARDS = "safeguards_terms"

AGREEMENTS: dict[str, Agreement] = {
    "hipaa-security": BAA,
    "hipaa-breach": BAA,
    "pci-dss-4": Agreement(
        "pci_acknowledgement",
        "the PCI DSS written acknowledgment of responsibility",
        "PCI DSS v4.0.1 12.8.2",
        "high",
    ),
    "glba-safeguards": Agreement(
        SAFEGUARDS,
        "the safeguards terms the service agreement must carry",
        "16 CFR 314.4(f)(2)",
        "high",
    ),
    "nydfs-500": Agreement(
        SAFEGUARDS,
        "the safeguards terms the service agreement must carry",
        "23 NYCRR 500.11(b)",
        "high",
    ),
    "ncua-748": Agreement(
        SAFEGUARDS,
        "the safeguards terms the service agreement must carry",
        "12 CFR Part 748, Appendix A, III.D.2",
        "high",
    ),
    "ma-201-cmr-17": Agreement(
        SAFEGUARDS,
        "the safeguards terms the service agreement must carry",
        "201 CMR 17.03(2)(f)2",
        "high",
    ),
}
"""The agreement each framework requires of a provider that does its work."""

HIPAA = ("hipaa-security", "hipaa-breach")
FINANCIAL = ("glba-safeguards", "nydfs-500", "ncua-748", "ma-201-cmr-17")
"""The frameworks whose service agreements must carry safeguards terms."""
_BAA_NOTE = (
    "A business associate handling ePHI with no BAA (or an expired one) is critical: OCR has "
    "settled such cases for $31,000 to $1.55 million."
)
_TERMS_NOTE = (
    "Missing safeguards terms are high; terms not recorded either way are medium until someone "
    "reads the contract."
)


@rule(
    "provider-not-contracted",
    base="medium",
    why="Work a provider does without an agreement that covers it: the organization cannot hold "
    "it to the work; raised to high when many controls rest on it.",
)
def provider_not_contracted(facts: Facts) -> Iterator[Finding]:
    """A provider is Responsible for a function its agreement does not cover."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a in facts.applicable.values():
        for share in a.shares:
            if share.function is None or share.contracted:
                continue
            for party in share.parties:
                if party != "internal" and not facts.ctx.contracted(party, share.function):
                    groups[(party, share.function)].append(a.control)
    unrecorded: dict[str, list[str]] = defaultdict(list)
    for (party, _), keys in sorted(groups.items()):
        if is_placeholder(facts.ctx.providers[party].agreement, optional=True):
            unrecorded[party].extend(keys)
    for party, keys in unrecorded.items():
        provider = facts.ctx.providers[party]
        functions = unique_sorted(f for (p, f) in groups if p == party)
        yield Finding(
            rule="provider-not-contracted",
            key=(party, "agreement-unrecorded"),
            controls=unique_sorted(keys),
            parties=[party],
            functions=functions,
            message=f"{provider.name} is expected to do {facts.functions(functions)}, but its "
            f"agreement is recorded only as {provider.agreement!r}: nothing documents that it is "
            "contracted.",
            remediation=remedy(
                f"Locate {possessive(provider.name)} contract and the clauses that cover this work, "
                "or sign one.",
                "the provider's agreement: the contract's name and clauses.",
            ),
            citation=facts.citations(keys),
        )
    for (party, function), keys in sorted(groups.items()):
        provider = facts.ctx.providers[party]
        if party in unrecorded:
            continue
        else:
            agreement = provider.agreement or "its agreement"
            why = f"{agreement} does not cover it"
            fix = remedy(
                f"Add {facts.function(function)} to {possessive(provider.name)} statement of "
                "work, or assign the work to someone else.",
                "the function in the provider's functions, or an override.",
            )
        yield Finding(
            rule="provider-not-contracted",
            key=(party, function),
            controls=unique_sorted(keys),
            parties=[party],
            functions=[function],
            message=f"{provider.name} is expected to do {facts.function(function)} for "
            f"{len(set(keys))} control(s), but {why}.",
            remediation=fix,
            citation=facts.citations(keys),
        )


def _agreement_state(provider: Provider, agreement: Agreement, facts: Facts) -> str | None:
    """What is wrong with the provider's agreement of this kind, or None when it is in force."""
    if agreement.kind == "baa":
        if not provider.baa:
            return "missing"
        if provider.baa_expires is not None and provider.baa_expires < facts.as_of:
            return f"expired on {provider.baa_expires.isoformat()}"
        return None
    value = getattr(provider, agreement.kind)
    if value is None:
        return "unknown"
    return None if value else "missing"


@rule(
    "provider-agreement-missing",
    base="high",
    why="A provider does regulated work without the agreement the rule requires ({cites}).",
    cites={fw: a.citation for fw, a in AGREEMENTS.items()},
    notes={
        **dict.fromkeys(HIPAA, _BAA_NOTE),
        "pci-dss-4": "A missing written acknowledgment is high.",
        **dict.fromkeys(FINANCIAL, _TERMS_NOTE),
    },
)
def provider_agreement_missing(facts: Facts) -> Iterator[Finding]:
    """A provider doing a framework's work lacks the agreement that framework requires."""
    done: dict[tuple[str, str], list[str]] = defaultdict(list)
    for k, a in facts.applicable.items():  # once, not once per provider and framework
        if a.framework in AGREEMENTS:
            for party in dict.fromkeys(a.responsible):
                done[(a.framework, party)].append(k)
    for provider in facts.profile.providers:
        missing: dict[str, tuple[Agreement, str, list[str], list[str]]] = {}
        for framework, agreement in AGREEMENTS.items():
            keys = done.get((framework, provider.id), [])
            if not keys:
                continue
            state = _agreement_state(provider, agreement, facts)
            if state is None:
                continue
            entry = missing.setdefault(agreement.kind, (agreement, state, [], []))
            entry[2].extend(keys)
            entry[3].append(framework)
        for agreement, state, keys, frameworks in missing.values():
            cites = "; ".join(dict.fromkeys(AGREEMENTS[f].citation for f in frameworks))
            yield _agreement_finding(facts, provider, agreement, state, unique_sorted(keys), cites)


def _agreement_finding(
    facts: Facts,
    provider: Provider,
    agreement: Agreement,
    state: str,
    keys: list[str],
    citation: str,
) -> Finding:
    if state == "unknown":
        message = (
            f"{provider.name} does regulated work ({len(keys)} control(s)) and the profile does not "
            f"record whether its agreement carries {agreement.what} ({citation})."
        )
        fix = remedy(
            f"Read {possessive(provider.name)} agreement for the terms {citation} requires, and "
            "amend it if they are absent.",
            "safeguards_terms: true or false for the provider.",
        )
        base: Severity = "medium"
    elif state == "missing":
        message = f"{provider.name} does regulated work ({len(keys)} control(s)) without {agreement.what}."
        fix = remedy(
            f"Sign {agreement.what} with {provider.name} now, or stop giving it regulated data "
            "until one is signed.",
            f"{agreement.kind}: true for the provider once it is in force.",
        )
        base = agreement.base
    else:
        message = f"{provider.name} does regulated work ({len(keys)} control(s)), but {agreement.what} {state}."
        fix = remedy(
            f"Renew {agreement.what} with {provider.name}.", "baa_expires: the new expiry date."
        )
        base = agreement.base
    return Finding(
        rule="provider-agreement-missing",
        key=(provider.id, agreement.kind),
        controls=keys,
        parties=[provider.id],
        message=message,
        remediation=fix,
        citation=citation,
        base=base,
    )


PRACTICE = "NIST SP 800-66r2, key activities for 45 CFR 164.308(b)(1) (recommended practice, not a requirement)"


@rule(
    "provider-oversight-overdue",
    base="medium",
    why="Providers' work is reviewed periodically ({cites}): the first thing an examiner asks "
    "for after the contract.",
    cites={
        "glba-safeguards": "16 CFR 314.4(f)(3)",
        "nydfs-500": "23 NYCRR 500.11",
        "pci-dss-4": "PCI DSS 12.8.4",
    },
    notes=dict.fromkeys(
        HIPAA,
        "Under HIPAA it is recommended practice (NIST SP 800-66r2), not a requirement: low "
        "when no other framework in scope requires it.",
    ),
)
def provider_oversight_overdue(facts: Facts) -> Iterator[Finding]:
    """A provider's periodic oversight review is missing or older than the rule (or practice) allows."""
    oversight = [facts.applicable[k] for k in facts.applicable if facts.control(k).oversight]
    frameworks_of: dict[str, set[str]] = defaultdict(set)
    for a in facts.applicable.values():
        for party in a.responsible:
            frameworks_of[party].add(a.framework)
    for provider in facts.profile.providers:
        works = frameworks_of.get(provider.id, set())
        due = [
            (a.control, facts.control(a.control).review_days or 365)
            for a in oversight
            if a.framework in works
        ]
        practice = not due and bool(works & set(HIPAA))
        if not due and not practice:
            continue
        days = min((d for _, d in due), default=365)
        last = provider.last_reviewed
        age = (facts.as_of - last).days if last else None
        if age is not None and 0 <= age <= days:
            continue
        when = (
            "has never been reviewed"
            if last is None
            else f"has a last review dated {last.isoformat()}, after the as-of date (check the date)"
            if age is not None and age < 0
            else f"was last reviewed on {last.isoformat()} ({age} days ago)"
        )
        if practice:
            keys = unique_sorted(
                k
                for k, a in facts.applicable.items()
                if a.framework in HIPAA and provider.id in a.responsible
            )
            yield Finding(
                rule="provider-oversight-overdue",
                key=(provider.id,),
                controls=keys,
                parties=[provider.id],
                message=f"{provider.name}, a business associate, {when}. The Security Rule sets no "
                "review cycle, but a yearly review of each business associate is recommended practice.",
                remediation=remedy(
                    f"Recommended: review {possessive(provider.name)} safeguards (its SOC 2 or "
                    "HITRUST report, incidents, BAA terms) once a year.",
                    "last_reviewed: the date of the review.",
                ),
                citation=PRACTICE,
                base="low",
            )
            continue
        keys = [k for k, _ in due]
        yield Finding(
            rule="provider-oversight-overdue",
            key=(provider.id,),
            controls=keys,
            parties=[provider.id],
            message=f"{provider.name} {when}; {facts.citations(keys, 2)} {'requires' if len({facts.control(k).citation for k in keys}) == 1 else 'require'} periodic review of "
            f"service providers, and ctrlmap expects one at least every {days} days (the rule's own "
            "period where it sets one).",
            remediation=remedy(
                f"Review {possessive(provider.name)} security and compliance status (reports, "
                "attestations, contract performance).",
                "last_reviewed: the date of the review.",
            ),
            citation=facts.citations(keys),
        )
