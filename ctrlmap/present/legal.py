"""The statement every report carries: the organization stays answerable in law, framework by framework.

Only the frameworks in the profile are named, so a HIPAA-only report cites HIPAA alone.
"""

from __future__ import annotations

from collections.abc import Iterable

LEAD = (
    "Accountable in this RACI is the operational owner who answers for the result. Whatever it "
    "outsources, the organization remains answerable in law"
)
"""The first sentence and the start of the second."""

GROUNDS: tuple[tuple[frozenset[str], str], ...] = (
    (
        frozenset({"hipaa-security", "hipaa-breach"}),
        "a covered entity is liable for the acts of its business associates that act as its agents "
        "(HIPAA, 45 CFR 160.402(c))",
    ),
    (
        frozenset({"glba-safeguards"}),
        "a financial institution keeps responsibility for its information security program when a "
        "service provider runs it (16 CFR 314.4(a)(1))",
    ),
    (
        frozenset({"nydfs-500"}),
        "a covered entity keeps responsibility for compliance when an affiliate or third-party "
        "service provider serves as its CISO (23 NYCRR 500.4(a)(1))",
    ),
    (
        frozenset({"ncua-748"}),
        "a credit union's board stays responsible for its security program and for overseeing its "
        "service providers (12 CFR 748.0 and Part 748, Appendix A)",
    ),
    (
        frozenset({"sec-reg-s-p"}),
        "a covered institution stays responsible for notice to affected individuals even when a "
        "service provider sends it (17 CFR 248.30(a)(5))",
    ),
    (
        frozenset({"ma-201-cmr-17"}),
        "a business that holds Massachusetts residents' personal information must oversee its "
        "service providers by contract (201 CMR 17.03(2)(f))",
    ),
    (
        frozenset({"pci-dss-4"}),
        "using a PCI DSS service provider never relieves the entity of its own compliance "
        "(PCI DSS v4.0.1, Requirement 12.8)",
    ),
    (
        frozenset({"aba-model-rules"}),
        "lawyers keep their duties of competence, confidentiality and supervision (ABA Model Rules "
        "1.1, 1.6, 5.1, 5.3)",
    ),
)
"""Each ground and the catalogs whose presence calls for it, in the order the statement lists them."""


def legal_statement(frameworks: Iterable[str]) -> str:
    """The statement for these frameworks; the general sentence alone for catalogs of one's own."""
    chosen = set(frameworks)
    grounds = [text for catalogs, text in GROUNDS if catalogs & chosen]
    if not grounds:
        return f"{LEAD}: using a provider does not move the organization's legal duties to it."
    return f"{LEAD}: " + "; ".join(grounds) + "."
