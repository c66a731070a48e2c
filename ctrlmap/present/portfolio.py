"""The portfolio shaped for its formats: clients by risk, their severity bars, providers by findings.

All sorting and counting of the portfolio's views happens here; the renderers and templates only
loop and print. Clients are ranked invalid first (nothing is known of them), then by open
critical, high, medium and low findings, then by file; providers by their findings across
clients, then by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from ctrlmap.assessment.severity import SEVERITIES
from ctrlmap.models.base import OWNERS
from ctrlmap.models.portfolio import ClientRef, ClientRow, PortfolioResult, ProviderRow

BAR_WIDTH = 160
"""The width of a client's severity bar (SVG user units: pixels on screen)."""
BAR_HEIGHT = 14


@dataclass(frozen=True)
class Segment:
    """One severity's part of a client's bar."""

    kind: str
    """A severity, or `accepted`."""
    count: int
    x: int
    width: int


@dataclass(frozen=True)
class ClientView:
    """One client's row as the formats print it."""

    row: ClientRow
    rank: int
    label: str
    """The organization's name, or the file for a client that could not be assessed."""
    bar: tuple[Segment, ...]
    bar_text: str
    """The bar in words, for its title and for text formats."""
    owners: str
    expiring: str
    """`GAP-XXXXXX on 2026-12-10; ...`."""


@dataclass(frozen=True)
class ProviderView:
    """One provider's row across the clients."""

    row: ProviderRow
    clients: str
    reviews_overdue: str
    agreements_missing: str
    findings: int


@dataclass(frozen=True)
class PortfolioView:
    """Everything the portfolio's formats show."""

    result: PortfolioResult
    figures: tuple[tuple[str, str], ...]
    """The totals, as (label, figure) lines."""
    clients: tuple[ClientView, ...]
    providers: tuple[ProviderView, ...]
    severities: tuple[str, ...]
    bar_width: int
    bar_height: int


def risk_key(row: ClientRow) -> tuple[object, ...]:
    """Most at risk first: invalid clients, then by open findings from critical down, then file."""
    o = row.open
    return (row.status != "invalid", -o.critical, -o.high, -o.medium, -o.low, row.file)


def client_label(ref: ClientRef | ClientRow, duplicates: set[str]) -> str:
    """The organization's name, with its file when another client has the same name."""
    name = ref.organization or ref.file
    return f"{name} ({ref.file})" if ref.file in duplicates else name


def bar(row: ClientRow, most: int) -> tuple[Segment, ...]:
    """The client's open findings by severity, then its accepted ones, on a common scale: the
    client with the most findings fills the bar. Edges are rounded from the running total, so
    the segments tile without a gap and never pass the bar's end."""
    parts = [(s, getattr(row.open, s)) for s in SEVERITIES] + [("accepted", row.accepted.total())]
    segments, running = [], 0
    for kind, count in parts:
        if not count:
            continue
        start = running * BAR_WIDTH // most
        running += count
        segments.append(Segment(kind, count, start, running * BAR_WIDTH // most - start))
    return tuple(segments)


def bar_text(row: ClientRow) -> str:
    """`2 critical, 5 high, 4 medium, 3 low open; 1 accepted`."""
    if row.status == "invalid":
        return "not assessed"
    opened = ", ".join(f"{getattr(row.open, s)} {s}" for s in SEVERITIES)
    return f"{opened} open; {row.accepted.total()} accepted"


def portfolio_view(result: PortfolioResult) -> PortfolioView:
    """The portfolio ranked and laid out."""
    duplicates = {r.file for r in result.clients if r.duplicate}
    ranked = sorted(result.clients, key=risk_key)
    most = max((r.open.total() + r.accepted.total() for r in ranked), default=0) or 1
    clients = tuple(
        ClientView(
            row=r,
            rank=n,
            label=client_label(r, duplicates),
            bar=bar(r, most),
            bar_text=bar_text(r),
            owners=", ".join(f"{r.owners.get(o, 0)} {o}" for o in OWNERS)
            if r.status == "assessed"
            else "",
            expiring="; ".join(f"{e.finding} on {e.expires.isoformat()}" for e in r.expiring),
        )
        for n, r in enumerate(ranked, 1)
    )
    providers = tuple(
        ProviderView(
            row=p,
            clients="; ".join(client_label(c, duplicates) for c in p.clients),
            reviews_overdue="; ".join(client_label(c, duplicates) for c in p.reviews_overdue),
            agreements_missing="; ".join(client_label(c, duplicates) for c in p.agreements_missing),
            findings=p.findings.total(),
        )
        for p in sorted(
            result.providers,
            key=lambda p: (
                -p.findings.critical,
                -p.findings.total(),
                -len(p.clients),
                " ".join(p.name.split()).casefold(),
            ),
        )
    )
    return PortfolioView(
        result, figures(result), clients, providers, SEVERITIES, BAR_WIDTH, BAR_HEIGHT
    )


def figures(result: PortfolioResult) -> tuple[tuple[str, str], ...]:
    """The totals in words, in the order the dashboard shows them."""
    t = result.totals
    return (
        ("Clients", f"{t.clients:,} ({t.assessed:,} assessed, {t.invalid:,} invalid)"),
        ("Open findings", ", ".join(f"{getattr(t.open, s):,} {s}" for s in SEVERITIES)),
        ("Accepted findings", f"{t.accepted.total():,}"),
        ("Clients with an open critical finding", f"{t.clients_with_critical:,}"),
        ("Providers without a business associate agreement", f"{t.missing_baas:,}"),
        ("Providers without a PCI DSS acknowledgment", f"{t.missing_pci_acknowledgments:,}"),
        ("Provider reviews overdue", f"{t.reviews_overdue:,}"),
        ("Controls without evidence", f"{t.evidence_missing:,}"),
        ("Controls with stale evidence", f"{t.evidence_stale:,}"),
        ("Findings past their remediation due date", f"{t.remediation_overdue:,}"),
        (
            f"Acceptances expiring within {result.expiring_within_days} days",
            f"{t.expiring:,}",
        ),
        ("Clients sharing their name with another client", f"{t.duplicate_names:,}"),
    )
