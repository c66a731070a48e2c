"""What `ctrlmap portfolio` produces: one row per client, one per provider across clients, totals."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ctrlmap.models.base import Date, Flag, Owner, Severity, Strict


class SeverityCounts(Strict):
    """How many findings at each severity."""

    critical: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0

    def total(self) -> int:
        """All four together."""
        return self.critical + self.high + self.medium + self.low

    def at_or_above(self, severity: str) -> int:
        """The findings at `severity` (critical, high, medium or low) or more severe."""
        order = ("critical", "high", "medium", "low")
        return sum(getattr(self, s) for s in order[: order.index(severity) + 1])


class Expiring(Strict):
    """An accepted risk whose acceptance ends within the portfolio's warning window."""

    finding: str
    rule: str
    severity: Severity
    expires: Date


class ClientProvider(Strict):
    """One provider as one client's profile records it: what the portfolio aggregates."""

    id: str
    name: str
    functions: tuple[str, ...]
    findings: SeverityCounts
    """The client's findings that name this provider among their parties (open and accepted)."""
    review_overdue: Flag
    agreements_missing: tuple[str, ...]
    """`baa`, `pci_acknowledgement`: the agreements the client's findings say it lacks."""


class ClientRow(Strict):
    """One client of the portfolio: its assessment in a row, or why it could not be assessed."""

    file: str
    status: Literal["assessed", "invalid"]
    problem: str | None = None
    """For an invalid client: its first problem, `file:line: field: what is wrong`."""
    organization: str | None = None
    duplicate: Flag = False
    """Another client of the portfolio has the same organization name."""
    frameworks: tuple[str, ...] = ()
    model: str | None = None
    applicable: int = 0
    owners: dict[Owner, int] = Field(default_factory=dict)
    """Applicable controls by owner: internal, provider, shared, unassigned."""
    open: SeverityCounts = Field(default_factory=SeverityCounts)
    accepted: SeverityCounts = Field(default_factory=SeverityCounts)
    critical: tuple[str, ...] = ()
    """The ids of the open critical findings."""
    missing_baas: tuple[str, ...] = ()
    """Providers doing HIPAA work without a business associate agreement in force (names)."""
    missing_pci_acknowledgments: tuple[str, ...] = ()
    """Providers doing PCI DSS work without the 12.8.2 written acknowledgment (names)."""
    reviews_overdue: tuple[str, ...] = ()
    """Providers whose periodic oversight review is missing or overdue (names)."""
    evidence_missing: int = 0
    """Applicable controls with no evidence on file."""
    evidence_stale: int = 0
    """Applicable controls whose evidence is past its review period."""
    remediation_overdue: int = 0
    """Findings past their due date, not done and not accepted."""
    expiring: tuple[Expiring, ...] = ()
    report: str | None = None
    """The client's HTML report written with --reports, as a path."""
    providers: tuple[ClientProvider, ...] = ()


class ClientRef(Strict):
    """A client named in a provider's row."""

    file: str
    organization: str


class ProviderRow(Strict):
    """A provider across the portfolio, matched by name (case and spacing ignored)."""

    name: str
    """The name as the first client (in path order) spells it."""
    clients: tuple[ClientRef, ...]
    functions: tuple[str, ...]
    """Every function any client's agreement with it covers."""
    findings: SeverityCounts
    """The findings, across clients, that name it among their parties."""
    reviews_overdue: tuple[ClientRef, ...]
    agreements_missing: tuple[ClientRef, ...]
    """The clients whose findings say it lacks a BAA or a PCI DSS acknowledgment."""


class PortfolioTotals(Strict):
    """The portfolio's figures at a glance."""

    clients: int
    assessed: int
    invalid: int
    open: SeverityCounts
    accepted: SeverityCounts
    clients_with_critical: int
    missing_baas: int
    missing_pci_acknowledgments: int
    reviews_overdue: int
    evidence_missing: int
    evidence_stale: int
    remediation_overdue: int
    expiring: int
    duplicate_names: int
    """Clients that share their organization name with another client."""


class PortfolioResult(Strict):
    """`ctrlmap portfolio`: many clients at one date, in path order."""

    schema_: Literal["ctrlmap/portfolio@1"] = Field("ctrlmap/portfolio@1", alias="schema")
    as_of: Date
    expiring_within_days: int
    totals: PortfolioTotals
    clients: tuple[ClientRow, ...]
    providers: tuple[ProviderRow, ...]
