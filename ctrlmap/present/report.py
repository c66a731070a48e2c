"""The assessment: one object that feeds every report format, with all sorting, grouping and counting done here.

Its JSON rendering is the canonical, versioned snapshot of an assessment; the HTML report embeds it
with its SHA-256 so that `ctrlmap verify` can tell whether a report was edited.

Over 500 lines because the Report's published shape (its JSON is the snapshot) is defined here with the code that fills it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field

from ctrlmap import __version__
from ctrlmap.analyse.changes import DiffResult
from ctrlmap.assessment.evidence import EvidenceStatus, evidence_status, review_limit
from ctrlmap.assessment.gaps import GapSummary
from ctrlmap.assessment.gaps.registry import RULES
from ctrlmap.assessment.parties import covering_handoff, crossings, interfaces
from ctrlmap.assessment.pipeline import Assessment
from ctrlmap.assessment.severity import FORMULA, SEVERITIES
from ctrlmap.load.library import Library
from ctrlmap.load.read import Document
from ctrlmap.models import Organization, Profile, Strict
from ctrlmap.models.base import OWNERS, Date, Severity
from ctrlmap.models.comparison import CompareResult
from ctrlmap.models.results import Assignment, DesignationEntry, Gap
from ctrlmap.present.legal import legal_statement


def safe_url(text: str | None) -> str | None:
    """The text as a link target only when it is an absolute http(s) URL; anything else is not a link."""
    if not text:
        return None
    value = text.strip()
    # characters that could close a Markdown autolink or an HTML attribute are not in a link
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch in "<>\"'`\\{}|^" for ch in value):
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return value


class InputFile(Strict):
    """A file the assessment read, with its SHA-256."""

    kind: Literal["profile", "catalog", "model", "functions", "supporting"]
    name: str
    sha256: str
    builtin: bool


class FrameworkEntry(Strict):
    """A framework in scope and how its controls were assigned."""

    id: str
    title: str
    version: str
    source: str | None
    license_note: str | None
    controls: int
    applicable: int
    owners: dict[str, int]


class Fact(Strict):
    """An applicability fact and whether the profile gave it or its default was assumed."""

    fact: str
    values: tuple[str, ...]
    assumed: bool


class RuleEntry(Strict):
    """What a gap rule checks."""

    id: str
    base: Severity
    checks: str
    why: str
    """Why the base severity."""


class PersonEntry(Strict):
    """One of the organization's people."""

    id: str
    name: str
    role: str | None
    functions: tuple[str, ...]
    after_hours: bool
    backup: str | None


class ProviderEntry(Strict):
    """An outside party and its agreement facts."""

    id: str
    name: str
    agreement: str | None
    url: str | None
    """The agreement link, kept only when it is an http(s) URL."""
    functions: tuple[str, ...]
    after_hours: bool
    on_site: bool
    baa: bool
    pci_acknowledgement: bool
    last_reviewed: Date | None
    independent: bool
    baa_expires: Date | None = None
    safeguards_terms: bool | None = None
    """The agreement carries the safeguards terms the financial rules require (None: not known)."""
    frameworks: tuple[str, ...] | None = None
    """The frameworks its agreement covers (None: every framework of the profile)."""


class Keystone(Strict):
    """A control many others rest on: its weight and the parties whose work depends on it."""

    control: str
    framework: str
    title: str
    owner: str | None
    responsible: tuple[str, ...]
    weight: int
    """How many applicable controls depend on it, directly or not."""
    crossing: int
    """How many of those are done by a party that does not do this one."""
    parties: tuple[str, ...]
    """The parties that depend on it without doing it."""
    chain: tuple[str, ...]
    """One dependency chain from a control of another party down to this one."""


class SplitEntry(Strict):
    """A split of shared work: documented, or missing (from the gap list)."""

    function: str
    provider: str | None
    internal_part: str | None
    provider_part: str | None
    agreement: str | None
    documented: bool
    controls: int
    providers: tuple[str, ...] = ()
    """For a missing split: every provider sharing the work (with the organization, if it does)."""


class HandoffEntry(Strict):
    """A hand-off between parties: documented, or missing (from the gap list)."""

    from_: str = Field(alias="from")
    to: str
    from_function: str | None
    to_function: str | None
    agreement: str | None
    documented: bool
    dependencies: int
    example: str | None


class FunctionLink(Strict):
    """Work of one party feeding work of another: the hand-off map's edges."""

    from_party: str
    from_function: str
    to_party: str
    to_function: str
    dependencies: int
    documented: bool


class FunctionNode(Strict):
    """A function a party holds, placed on the hand-off map's grid."""

    party: str
    function: str
    row: int
    controls: int


class EvidenceEntry(Strict):
    """One item of the evidence register."""

    control: str
    title: str
    reference: str
    url: str | None
    reviewed: Date
    age_days: int
    limit_days: int
    decision: str | None
    status: EvidenceStatus


class DepartureEntry(Strict):
    """A function the profile's people and agreements arrange otherwise than the model says."""

    function: str
    model_owner: str
    """What the model's default gives the function."""
    owner: str
    """Who does it here: internal, provider or shared."""
    parties: tuple[str, ...]
    controls: int


class GapEntry(Strict):
    """A finding with how many applicable controls rest on it."""

    gap: Gap
    downstream: int


class UnmatchedEntry(Strict):
    """An accepted-risk or remediation entry whose finding is no longer found."""

    section: Literal["accepted_risks", "remediation"]
    finding: str


class Report(Strict):
    """Everything a report shows; its JSON is the canonical snapshot."""

    schema_: Literal["ctrlmap/report@2"] = Field("ctrlmap/report@2", alias="schema")
    tool: str
    as_of: Date
    organization: Organization
    model: str
    model_title: str
    model_description: str | None
    include_proposed: bool
    frameworks: tuple[FrameworkEntry, ...]
    applicability: tuple[Fact, ...]
    rules: tuple[RuleEntry, ...]
    severity_formula: str
    people: tuple[PersonEntry, ...]
    providers: tuple[ProviderEntry, ...]
    designations: dict[str, DesignationEntry]
    assignments: tuple[Assignment, ...]
    gaps: tuple[GapEntry, ...]
    gap_summary: GapSummary
    departures: tuple[DepartureEntry, ...] = ()
    """Where the arrangement departs from the model (information, not a gap)."""
    splits: tuple[SplitEntry, ...]
    handoffs: tuple[HandoffEntry, ...]
    function_order: tuple[str, ...]
    """Functions in dependency order (prerequisites first), for the hand-off map's rows."""
    function_nodes: tuple[FunctionNode, ...]
    function_links: tuple[FunctionLink, ...]
    evidence: tuple[EvidenceEntry, ...]
    legal_statement: str
    inputs: tuple[InputFile, ...]
    comparison: CompareResult | None = None
    """With `report --compare-to M`: the move to model M and its phased plan."""
    remediation_policy: dict[str, int] = Field(default_factory=dict)
    """Days from the as-of date to fix a finding with no planned due date, by severity."""
    changes: DiffResult | None = None
    """With `report --baseline OLD`: what changed since that snapshot."""
    unmatched: tuple[UnmatchedEntry, ...] = ()
    """Plan and acceptance entries matching no current finding (resolved, or a mistyped id)."""
    keystones: tuple[Keystone, ...] = ()
    """Per framework, the few controls most others rest on (highest weight)."""
    function_titles: dict[str, str] = Field(default_factory=dict)
    """Each function's display name (`Patch management` for `patch-management`), for the text."""


def build_report(
    assessment: Assessment,
    doc: Document,
    profile_name: str | None = None,
    comparison: CompareResult | None = None,
) -> Report:
    """Shape everything the reports show from one assessment (and a comparison, when given).

    `profile_name` is how the inputs section names the profile (default: as it was given).

    Long because it assembles the whole Report, field by field.
    """
    profile, lib, as_of = assessment.profile, assessment.library, assessment.as_of
    include_proposed = assessment.include_proposed
    result, found, model = assessment.assignment, assessment.gaps, assessment.model
    scope = assessment.scope
    applicable = assessment.applicable

    frameworks = []
    for fw in result.frameworks:
        cat = lib.catalogs[fw]
        rows = [a for a in result.assignments if a.framework == fw]
        counts = Counter(a.owner for a in rows if a.applicable)
        frameworks.append(
            FrameworkEntry(
                id=fw,
                title=cat.title,
                version=cat.version,
                source=cat.source,
                license_note=cat.license_note,
                controls=len(rows),
                applicable=sum(a.applicable for a in rows),
                owners={o: counts.get(o, 0) for o in OWNERS},
            )
        )

    assumed = set(profile.applicability.defaults_assumed())
    used = lib.facts_used(profile.frameworks)  # facts of other frameworks are not this report's
    applicability = tuple(
        Fact(
            fact=name,
            values=tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in values),
            assumed=name in assumed,
        )
        for name, values in profile.applicability.facts().items()
        if name in used
    )

    gap_entries = [
        GapEntry(gap=gap, downstream=assessment.downstream_count(gap.controls))
        for gap in found.gaps
    ]

    return Report(
        tool=f"ctrlmap {__version__}",
        as_of=as_of,
        organization=profile.organization,
        model=model.id,
        model_title=model.title,
        model_description=model.description,
        include_proposed=include_proposed,
        frameworks=tuple(frameworks),
        applicability=applicability,
        rules=tuple(
            RuleEntry(id=r.id, base=r.base, checks=r.summary, why=r.why_for(result.frameworks))
            for r in RULES.values()
        ),
        severity_formula=FORMULA,
        people=tuple(
            PersonEntry(
                id=p.id,
                name=p.name,
                role=p.role,
                functions=p.functions,
                after_hours=p.after_hours,
                backup=p.backup,
            )
            for p in profile.internal
        ),
        providers=tuple(
            ProviderEntry(
                id=p.id,
                name=p.name,
                agreement=p.agreement,
                url=safe_url(p.url),
                functions=p.functions,
                after_hours=p.after_hours,
                on_site=p.on_site,
                baa=p.baa,
                pci_acknowledgement=p.pci_acknowledgement,
                last_reviewed=p.last_reviewed,
                independent=p.independent,
                baa_expires=p.baa_expires,
                safeguards_terms=p.safeguards_terms,
                frameworks=p.frameworks,
            )
            for p in profile.providers
        ),
        designations=result.designations,
        assignments=result.assignments,
        gaps=tuple(gap_entries),
        gap_summary=found.summary,
        remediation_policy=profile.remediation_policy.model_dump(),
        unmatched=_unmatched(profile, found.gaps),
        departures=_departures(applicable.values()),
        splits=_splits(profile, found.gaps),
        handoffs=_handoffs(profile, found.gaps),
        **_function_map(lib, profile, applicable, scope.graph),
        evidence=_evidence(profile, lib, as_of),
        legal_statement=legal_statement(result.frameworks),
        inputs=_inputs(doc, profile_name or doc.name, lib, scope.graph, model.id),
        comparison=comparison,
        keystones=_keystones(assessment),
        function_titles={fid: f.title for fid, f in lib.functions.items()},
    )


KEYSTONES = 5
"""How many of a framework's heaviest controls the report shows."""


def _keystones(assessment: Assessment) -> tuple[Keystone, ...]:
    """Per framework, the applicable controls with the most applicable controls resting on them.

    A chain runs from the first dependent done by another party down to the keystone, along
    the shortest path in the dependency graph.
    """
    import networkx as nx

    graph, applicable = assessment.scope.graph, assessment.applicable
    rows = []
    for fw in assessment.assignment.frameworks:
        weighed = []
        for key, a in applicable.items():
            if a.framework != fw:
                continue
            below = assessment.downstream([key])
            if below:
                weighed.append((len(below), key, a, below))
        weighed.sort(key=lambda item: (-item[0], item[1]))
        for weight, key, a, below in weighed[:KEYSTONES]:
            doers = set(a.responsible)
            others = sorted(k for k in below if set(applicable[k].responsible) - doers)
            parties = {p for k in others for p in applicable[k].responsible} - doers
            chain = tuple(nx.shortest_path(graph, others[0], key)) if others else ()
            rows.append(
                Keystone(
                    control=key,
                    framework=fw,
                    title=a.title,
                    owner=a.owner,
                    responsible=a.responsible,
                    weight=weight,
                    crossing=len(others),
                    parties=tuple(assessment.profile.party_order(parties)),
                    chain=chain,
                )
            )
    return tuple(rows)


def _departures(assignments: Iterable[Assignment]) -> tuple[DepartureEntry, ...]:
    """The model's departures, one row per function and arrangement, with how many controls."""
    counts: Counter[tuple[str, str, str, tuple[str, ...]]] = Counter()
    for a in assignments:
        for s in a.shares:
            if s.function is not None and s.model_owner is not None:
                counts[(s.function, s.model_owner, s.owner, s.parties)] += 1
    return tuple(
        DepartureEntry(function=f, model_owner=m, owner=o, parties=p, controls=n)
        for (f, m, o, p), n in sorted(counts.items())
    )


def _splits(profile: Profile, gaps: tuple[Gap, ...]) -> tuple[SplitEntry, ...]:
    documented = [
        SplitEntry(
            function=s.function,
            provider=s.provider,
            internal_part=s.internal_part,
            provider_part=s.provider_part,
            agreement=s.agreement,
            documented=True,
            controls=0,
        )
        for s in profile.splits
    ]
    missing = [
        SplitEntry(
            function=g.functions[0],
            provider=None,
            providers=tuple(p for p in g.parties if p != "internal"),
            internal_part=None,
            provider_part=None,
            agreement=None,
            documented=False,
            controls=len(g.controls),
        )
        for g in gaps
        if g.rule == "shared-without-split"
    ]
    return tuple(documented + missing)


def _handoffs(profile: Profile, gaps: tuple[Gap, ...]) -> tuple[HandoffEntry, ...]:
    documented = [
        HandoffEntry.model_validate(
            {
                "from": h.from_,
                "to": h.to,
                "from_function": h.from_function,
                "to_function": h.to_function,
                "agreement": h.agreement,
                "documented": True,
                "dependencies": 0,
                "example": None,
            }
        )
        for h in profile.handoffs
    ]
    missing = [
        HandoffEntry.model_validate(
            {
                "from": need.from_,
                "to": need.to,
                "from_function": None,
                "to_function": None,
                "agreement": None,
                "documented": False,
                "dependencies": need.dependencies,
                "example": need.example,
            }
        )
        for g in gaps
        if g.rule == "missing-handoff"
        for need in g.handoffs
    ]
    return tuple(documented + missing)


def _function_map(
    lib: Library, profile: Profile, applicable: dict[str, Assignment], graph: Any
) -> dict[str, Any]:
    """The hand-off map: which party's function feeds which, laid out by dependency order.

    Rows come from `nx.topological_generations` over the function-level graph (its strongly
    connected parts condensed), so prerequisites sit above the work that rests on them.

    Long and branching because it builds the function-level graph and its layout in one pass over the edges.
    """
    import networkx as nx

    held: dict[tuple[str, str], int] = Counter()
    for assignment in applicable.values():
        for share in assignment.shares:
            if share.function:
                for party in share.parties:
                    held[(party, share.function)] += 1
    links: dict[tuple[str, str, str, str], int] = defaultdict(int)
    function_graph: nx.DiGraph[str] = nx.DiGraph()
    function_graph.add_nodes_from(sorted({f for _, f in held}))
    for dependent, prerequisite in interfaces(graph):
        a, b = applicable.get(dependent), applicable.get(prerequisite)
        if a is None or b is None:
            continue
        # the one definition the missing-handoff findings use: parties doing both controls
        # divide the work by their split, not by a hand-off
        crossed = set(crossings(a, b))
        for sb in b.shares:
            for sa in a.shares:
                if not sa.function or not sb.function:
                    continue
                if sa.function != sb.function:
                    function_graph.add_edge(sb.function, sa.function)
                for p in sb.parties:
                    for q in sa.parties:
                        if (p, q) in crossed:
                            links[(p, sb.function, q, sa.function)] += 1
    condensed = nx.condensation(function_graph)
    rank: dict[str, int] = {}
    for generation, members in enumerate(nx.topological_generations(condensed)):
        for member in members:
            for function in condensed.nodes[member]["members"]:
                rank[function] = generation
    order = tuple(sorted(rank, key=lambda f: (rank[f], f)))
    row = {f: i for i, f in enumerate(order)}

    def documented(p: str, fp: str, q: str, fq: str) -> bool:
        return covering_handoff(profile.handoffs, p, q, (fp,), (fq,)) is not None

    return {
        "function_order": order,
        "function_nodes": tuple(
            FunctionNode(party=p, function=f, row=row[f], controls=n)
            for (p, f), n in sorted(held.items(), key=lambda item: (row[item[0][1]], item[0][0]))
        ),
        "function_links": tuple(
            FunctionLink(
                from_party=p,
                from_function=fp,
                to_party=q,
                to_function=fq,
                dependencies=n,
                documented=documented(p, fp, q, fq),
            )
            for (p, fp, q, fq), n in sorted(links.items())
        ),
    }


def _evidence(profile: Profile, lib: Library, as_of: dt.date) -> tuple[EvidenceEntry, ...]:
    rows = []
    for item in sorted(profile.evidence, key=lambda e: (e.control, e.reviewed)):
        control = lib.controls[item.control]
        limit = review_limit(control, profile.review_period_days)
        age = (as_of - item.reviewed).days
        status = evidence_status(control, item, as_of, profile.review_period_days)
        rows.append(
            EvidenceEntry(
                control=item.control,
                title=control.title,
                reference=item.reference,
                url=safe_url(item.reference),
                reviewed=item.reviewed,
                age_days=age,
                limit_days=limit,
                decision=item.decision,
                status=status,
            )
        )
    return tuple(rows)


def _inputs(
    doc: Document, name: str, lib: Library, graph: Any, model_id: str
) -> tuple[InputFile, ...]:
    """The profile, every catalog the scoped graph touches, the hub, the model and the taxonomy."""
    files = [InputFile(kind="profile", name=name, sha256=doc.sha256, builtin=False)]
    touched = {data["catalog"] for _, data in graph.nodes(data=True)}
    wanted = [c.id for c in lib.catalogs.values() if c.id in touched or c.hub]
    for fw in wanted:
        src = lib.sources[fw]
        files.append(
            InputFile(kind="catalog", name=src.name, sha256=src.sha256, builtin=src.builtin)
        )
    model_src = lib.sources[f"model:{model_id}"]
    files.append(
        InputFile(
            kind="model", name=model_src.name, sha256=model_src.sha256, builtin=model_src.builtin
        )
    )
    if "functions" in lib.sources:
        src = lib.sources["functions"]
        files.append(
            InputFile(kind="functions", name=src.name, sha256=src.sha256, builtin=src.builtin)
        )
    for key, src in lib.sources.items():
        if not key.startswith("file:"):
            continue
        if _saq_source(key) and (lib.saqs is None or lib.saqs.catalog not in wanted):
            continue  # the SAQ lists serve only a PCI DSS scope
        # extra functions, OSCAL function maps and imported catalogs
        files.append(
            InputFile(kind="supporting", name=src.name, sha256=src.sha256, builtin=src.builtin)
        )
    return tuple(files)


def _saq_source(key: str) -> bool:
    """Whether a supporting source is the PCI DSS SAQ lists."""
    from ctrlmap.load.catalogs import SAQ_FILE

    return key == f"file:frameworks/{SAQ_FILE}"


def canonical_json(report: Report) -> str:
    """The canonical snapshot text: the JSON report, byte for byte."""
    from ctrlmap.formats.json import dump

    return dump(report)


def severity_counts(report: Report) -> list[tuple[str, int]]:
    """Gap counts in severity order."""
    return [(s, report.gap_summary.by_severity.get(s, 0)) for s in SEVERITIES]


def _unmatched(profile: Profile, gaps: Iterable[Gap]) -> tuple[UnmatchedEntry, ...]:
    ids = {g.id for g in gaps}
    return tuple(
        UnmatchedEntry(section=section, finding=finding)
        for section, _, finding in profile.tracking_entries()
        if finding not in ids
    )


def with_baseline(report: Report, baseline: Path) -> Report:
    """The report with a "changes since" section against the snapshot at `baseline`."""
    from ctrlmap.analyse.changes import diff, side
    from ctrlmap.load.snapshots import Snapshot, canonical_digest, read_snapshot

    old, old_sha = read_snapshot(baseline)
    data = report.model_dump(mode="json", by_alias=True)
    new = Snapshot.from_data(data)
    changes = diff(
        old,
        new,
        side(old, str(baseline), old_sha),
        side(new, "this report", canonical_digest(data)),
    )
    return report.model_copy(update={"changes": changes})
