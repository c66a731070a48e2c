"""The portfolio: many clients' assessments, one row each, and their providers across clients.

A row is read off one client's `Assessment` (its tracked findings, applicable controls and
providers): every count is a count of the gap rules' own findings, never a second
definition of a rule. Providers are matched across clients by name, case and spacing ignored.
Running the clients (a process pool, the library loaded once per process) is in
`ctrlmap.analyse.fleet`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from ctrlmap.assessment.gaps.providers import AGREEMENTS, BAA
from ctrlmap.assessment.gaps.registry import finding_id
from ctrlmap.assessment.pipeline import Assessment
from ctrlmap.assessment.severity import SEVERITIES
from ctrlmap.errors import CtrlmapError
from ctrlmap.models.base import OWNERS
from ctrlmap.models.portfolio import (
    ClientProvider,
    ClientRef,
    ClientRow,
    Expiring,
    PortfolioResult,
    PortfolioTotals,
    ProviderRow,
    SeverityCounts,
)
from ctrlmap.models.results import Gap

EXPIRING_DAYS = 30
"""An acceptance that ends within this many days of the as-of date is flagged as expiring."""
SUFFIXES = (".yaml", ".yml", ".json")
"""The files of a folder that are clients."""
AGREEMENT = "provider-agreement-missing"
OVERSIGHT = "provider-oversight-overdue"
PCI_ACK = AGREEMENTS["pci-dss-4"].kind


def same_name(name: str) -> str:
    """The key two names match on: case and runs of spaces ignored (`Harbor  IT` = `harbor it`)."""
    return " ".join(name.split()).casefold()


def client_files(paths: Iterable[Path]) -> list[Path]:
    """The clients: each PATH that is a file, and every `*.yaml`, `*.yml`, `*.json` of each folder
    in sorted order; a file named twice counts once, where first named."""
    found: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir():
            # a link that leads nowhere (broken, or a loop) is not a folder either: it becomes
            # an invalid client with its reason, never silently left out
            members = sorted(
                (p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and not p.is_dir()),
                key=lambda p: p.name,
            )
            if not members:
                raise CtrlmapError(
                    f"{path}: holds no profiles (*.yaml, *.yml, *.json); give a folder of "
                    "profiles or a profile"
                )
        else:
            members = [path]  # a missing file becomes an invalid client, like a broken one
        for member in members:
            # realpath, not Path.resolve: it does not raise on a symbolic link loop
            found.setdefault(Path(os.path.realpath(member)), member)
    return list(found.values())


def counts(gaps: Iterable[Gap]) -> SeverityCounts:
    """The findings counted by severity."""
    tally: Counter[str] = Counter(g.severity for g in gaps)
    return SeverityCounts(**tally)


def _lacks(gap: Gap, provider: str, kind: str) -> bool:
    """Whether `gap` is the agreement finding about `provider`'s agreement of this kind: its id
    is the rule's own id for that key (rule, provider, agreement kind)."""
    return gap.rule == AGREEMENT and gap.id == finding_id(AGREEMENT, (provider, kind))


def client_row(assessment: Assessment, file: str, report: str | None = None) -> ClientRow:
    """One client's row, read off its assessment."""
    gaps = assessment.gaps.gaps
    as_of = assessment.as_of
    names = assessment.context.names
    owners = Counter(a.owner for a in assessment.applicable.values() if a.owner is not None)
    providers = []
    for p in assessment.profile.providers:
        involved = [g for g in gaps if p.id in g.parties]
        providers.append(
            ClientProvider(
                id=p.id,
                name=p.name,
                functions=tuple(sorted(p.functions)),
                findings=counts(involved),
                review_overdue=any(g.rule == OVERSIGHT for g in involved),
                agreements_missing=tuple(
                    kind for kind in (BAA.kind, PCI_ACK) if any(_lacks(g, p.id, kind) for g in gaps)
                ),
            )
        )
    expiring = [
        Expiring(finding=g.id, rule=g.rule, severity=g.severity, expires=g.acceptance.expires)
        for g in gaps
        if g.acceptance is not None and (g.acceptance.expires - as_of).days <= EXPIRING_DAYS
    ]
    return ClientRow(
        file=file,
        status="assessed",
        organization=assessment.profile.organization.name,
        frameworks=assessment.profile.frameworks,
        model=assessment.model.id,
        applicable=len(assessment.applicable),
        owners={o: owners[o] for o in OWNERS},
        open=counts(g for g in gaps if g.status == "open"),
        accepted=counts(g for g in gaps if g.status == "accepted"),
        critical=tuple(g.id for g in gaps if g.severity == "critical" and g.status == "open"),
        missing_baas=tuple(p.name for p in providers if BAA.kind in p.agreements_missing),
        missing_pci_acknowledgments=tuple(
            p.name for p in providers if PCI_ACK in p.agreements_missing
        ),
        reviews_overdue=tuple(
            names.get(party, party)
            for g in gaps
            if g.rule == OVERSIGHT
            for party in g.parties
            if party != "internal"
        ),
        evidence_missing=sum(len(g.controls) for g in gaps if g.rule == "missing-evidence"),
        evidence_stale=sum(len(g.controls) for g in gaps if g.rule == "stale-evidence"),
        remediation_overdue=sum(g.overdue for g in gaps),
        expiring=tuple(sorted(expiring, key=lambda e: (e.expires, e.finding))),
        report=report,
        providers=tuple(providers),
    )


def invalid_row(file: str, error: CtrlmapError) -> ClientRow:
    """A client that could not be assessed, with the first problem its loader found."""
    lines = error.lines()
    return ClientRow(file=file, status="invalid", problem=lines[0] if lines else error.message)


def portfolio(rows: Sequence[ClientRow], as_of: dt.date) -> PortfolioResult:
    """The rows (in path order), duplicates marked, the providers across clients and the totals."""
    named = Counter(same_name(r.organization) for r in rows if r.organization is not None)
    rows = [
        r.model_copy(update={"duplicate": True})
        if r.organization is not None and named[same_name(r.organization)] > 1
        else r
        for r in rows
    ]
    assessed = [r for r in rows if r.status == "assessed"]

    def total(field: str) -> SeverityCounts:
        return SeverityCounts(
            **{s: sum(getattr(getattr(r, field), s) for r in assessed) for s in SEVERITIES}
        )

    totals = PortfolioTotals(
        clients=len(rows),
        assessed=len(assessed),
        invalid=len(rows) - len(assessed),
        open=total("open"),
        accepted=total("accepted"),
        clients_with_critical=sum(r.open.critical > 0 for r in assessed),
        missing_baas=sum(len(r.missing_baas) for r in assessed),
        missing_pci_acknowledgments=sum(len(r.missing_pci_acknowledgments) for r in assessed),
        reviews_overdue=sum(len(r.reviews_overdue) for r in assessed),
        evidence_missing=sum(r.evidence_missing for r in assessed),
        evidence_stale=sum(r.evidence_stale for r in assessed),
        remediation_overdue=sum(r.remediation_overdue for r in assessed),
        expiring=sum(len(r.expiring) for r in assessed),
        duplicate_names=sum(r.duplicate for r in rows),
    )
    return PortfolioResult(
        as_of=as_of,
        expiring_within_days=EXPIRING_DAYS,
        totals=totals,
        clients=tuple(rows),
        providers=providers_across(assessed),
    )


def providers_across(rows: Iterable[ClientRow]) -> tuple[ProviderRow, ...]:
    """Each provider across the clients, matched by name (case and spacing ignored), by name."""
    found: dict[str, list[tuple[ClientRef, ClientProvider]]] = defaultdict(list)
    for row in rows:
        ref = ClientRef(file=row.file, organization=row.organization or "")
        for p in row.providers:
            found[same_name(p.name)].append((ref, p))
    result = []
    for key in sorted(found):
        entries = found[key]
        result.append(
            ProviderRow(
                name=entries[0][1].name,
                clients=tuple(dict.fromkeys(ref for ref, _ in entries)),
                functions=tuple(sorted({f for _, p in entries for f in p.functions})),
                findings=SeverityCounts(
                    **{s: sum(getattr(p.findings, s) for _, p in entries) for s in SEVERITIES}
                ),
                reviews_overdue=tuple(dict.fromkeys(ref for ref, p in entries if p.review_overdue)),
                agreements_missing=tuple(
                    dict.fromkeys(ref for ref, p in entries if p.agreements_missing)
                ),
            )
        )
    return tuple(result)
