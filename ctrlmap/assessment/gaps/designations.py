"""Designation rules: the roles the law makes the organization name, and their overseers."""

from __future__ import annotations

from collections.abc import Iterator

from ctrlmap.assessment.gaps.registry import Facts, Finding, remedy, rule, unique_sorted
from ctrlmap.models import ROLES

OWN_PEOPLE = {"supervising-lawyer": "lawyers", "ma-wisp-coordinator": "employees"}
"""Whom the role must be one of, where a provider may not hold it (else: executives)."""


def _role_controls(facts: Facts, role: str) -> list[str]:
    return [k for k, a in facts.applicable.items() if facts.control(k).designation == role]


@rule(
    "designation-missing",
    base="critical",
    why="A role the rule requires the organization to name is not named: the first thing an "
    "examiner asks for ({cites}).",
    cites={
        "hipaa-security": "45 CFR 164.308(a)(2)",
        "glba-safeguards": "16 CFR 314.4(a)",
        "nydfs-500": "23 NYCRR 500.4(a)",
        "pci-dss-4": "PCI DSS 12.1.4",
    },
    notes={
        "aba-model-rules": "A role the rules only imply (a supervising lawyer, ABA Model Rules 5.1 "
        "and 5.3) is a low recommendation."
    },
)
def designation_missing(facts: Facts) -> Iterator[Finding]:
    """A role the frameworks require is not designated, or is held by a provider the law does not allow."""
    for role, entry in facts.result.designations.items():
        keys = _role_controls(facts, role)
        if not keys:
            continue
        rule_info = ROLES[role]  # type: ignore[index]
        if entry.holder is None and not rule_info.required:
            yield Finding(
                rule="designation-missing",
                key=(role, "not-named"),
                controls=keys,
                roles=[role],
                parties=["internal"],
                message=f"No {rule_info.title} is named. {rule_info.citation} requires the supervision, "
                "not a named supervisor, but naming one is how a firm shows who does it.",
                remediation=remedy(
                    f"Recommended: name a {rule_info.title} in the firm's written procedures.",
                    f"designations, {role}, with the person as holder.",
                ),
                citation=rule_info.citation,
                base="low",
            )
        elif entry.holder is None:
            yield Finding(
                rule="designation-missing",
                key=(role, "not-named"),
                controls=keys,
                roles=[role],
                parties=["internal"],
                message=f"No {rule_info.title} is designated, but {rule_info.citation} requires the "
                "organization to name one.",
                remediation=remedy(
                    f"Designate a {rule_info.title} and record the appointment in writing.",
                    f"designations, {role}, with the person as holder.",
                ),
                citation=rule_info.citation,
            )
        elif entry.holder_party != "internal" and not rule_info.provider_may_hold:
            own = OWN_PEOPLE.get(role, "executives")
            yield Finding(
                rule="designation-missing",
                key=(role, "held-by-provider"),
                controls=keys,
                roles=[role],
                parties=[entry.holder_party or entry.holder],
                message=f"The {rule_info.title} is held by the provider {entry.holder_name}, but "
                + (
                    f"{rule_info.citation} requires one of the organization's own {own}."
                    if rule_info.required
                    else f"under {rule_info.citation} the supervisor should be one of the "
                    f"organization's own {own} (recommended practice)."
                ),
                remediation=remedy(
                    f"Designate one of the organization's own {own} as {rule_info.title}; the "
                    "provider can support the work but cannot hold the role.",
                    f"designations, {role}, with that person as holder.",
                ),
                citation=rule_info.citation,
                base="critical" if rule_info.required else "low",
            )


@rule(
    "outsourced-designation-without-overseer",
    base="high",
    why="The rule lets a provider fill the role only under a named senior overseer of the "
    "organization ({cites}).",
    cites={"glba-safeguards": "16 CFR 314.4(a)(2)", "nydfs-500": "23 NYCRR 500.4(a)(2)"},
)
def outsourced_without_overseer(facts: Facts) -> Iterator[Finding]:
    """A role is filled by a provider and no internal senior overseer is named."""
    for role, entry in facts.result.designations.items():
        rule_info = ROLES[role]  # type: ignore[index]
        if entry.holder is None or entry.holder_party == "internal" or entry.overseer is not None:
            continue
        if not entry.required:
            continue  # no applicable control of the frameworks in scope requires this role
        if not rule_info.overseer_required or not rule_info.provider_may_hold:
            continue
        keys = _role_controls(facts, role) + [
            k
            for k, a in facts.applicable.items()
            if (facts.control(k).applies_if or {}).get("outsourced") == (role,)
        ]
        yield Finding(
            rule="outsourced-designation-without-overseer",
            key=(role,),
            controls=unique_sorted(keys),
            roles=[role],
            parties=[entry.holder_party or entry.holder],
            message=f"The {rule_info.title} is held by {entry.holder_name}, a provider, and no senior member of "
            "the organization is named to direct and oversee it.",
            remediation=remedy(
                "Designate a senior member of the organization to direct and oversee the "
                f"{rule_info.title}'s work.",
                f"designations, {role}, with that person as overseer.",
            ),
            citation=rule_info.citation,
        )
