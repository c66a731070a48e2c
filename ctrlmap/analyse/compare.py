"""Compare two operating models for one organization and plan the transition between them.

`compare_models` assigns every control under both models, runs the gap rules under both, and
returns what moves (and why), which gaps open and close, what the target model needs that the
profile lacks, and a phased transition plan:

- phase 1, **Prepare**: actions only, for what must exist before anyone new touches regulated
  data (due diligence, agreements and business associate agreements, designations, documented
  splits, then access for the incoming parties);
- phases 2..k, **Move**: every moving control in exactly one phase. A control moves in a phase
  strictly after every moving control it depends on, directly or through controls that do not
  move: moves within one phase are not ordered, so "no control moves before the controls it
  depends on" can only be kept by putting a prerequisite in an earlier phase. The phases are the
  longest-path layers of that order, which is the fewest phases the rule allows; there is no cap,
  as merging layers would break the rule. Each phase lists the hand-offs that start with it (a
  dependency A -> B needs one from every party Responsible for B to every other party
  Responsible for A): `interim` ones, needed from this phase's moves until phase `until_phase`
  moves the other end, and `lasting` ones, still needed under the target model; each names the
  profile's documented hand-off (`agreement`) when one already covers it;
- phase k+1, **Close out**: actions only (credentials and tools handed over, the outgoing
  parties' access revoked, data returned or destroyed, oversight and evidence confirmed).

`untouched` lists the applicable controls that keep their Responsible and Accountable parties.
`needs` are the target's findings that ask the profile for something (an agreement, a
designation, a split, a person, a hand-off), with `new` false when the source model has the same
gap. When no target is named, a built-in model is compared with the other built-in one and a
custom model with the built-in model it differs from most (see `default_target`).

Movements (the direction the work travels; `MOVEMENTS` is their display order):
`internal-to-provider` (the organization's part leaves it: internal or shared to provider),
`provider-to-internal` (the providers' part leaves them: provider or shared to internal),
`to-shared` (internal or provider to shared), `between-providers` (the same kind of owner, other
providers), `to-unassigned` (nobody is Responsible under the target), `from-unassigned` (nobody
was Responsible under the source), `accountability-only` (the same Responsible parties, another
Accountable party).

A gap is the same gap under both models when its grouping identity is the same: rule, parties,
functions and roles, plus the frameworks of its controls for the rules grouped by framework.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Literal

import networkx as nx
from pydantic import ConfigDict, Field

from ctrlmap.assessment.gaps import GapSummary
from ctrlmap.assessment.parties import covering_handoff, crossings
from ctrlmap.assessment.pipeline import Assessment, assess
from ctrlmap.errors import CtrlmapError
from ctrlmap.load.library import Library
from ctrlmap.models import OperatingModel, Profile, Strict, global_key, split_key
from ctrlmap.models.base import DefaultOwner, Owner, PartyKind, Severity
from ctrlmap.models.results import Assignment, Gap

BUILTIN_MODELS = ("co-managed", "fully-managed")

Movement = Literal[
    "internal-to-provider",
    "provider-to-internal",
    "to-shared",
    "between-providers",
    "to-unassigned",
    "from-unassigned",
    "accountability-only",
]
MOVEMENTS: tuple[Movement, ...] = (
    "internal-to-provider",
    "provider-to-internal",
    "to-shared",
    "between-providers",
    "to-unassigned",
    "from-unassigned",
    "accountability-only",
)
"""Every movement, in the order changes are grouped and shown."""

NeedKind = Literal["agreement", "designation", "split", "capability", "assignment", "handoff"]
NEED_KINDS: dict[str, NeedKind] = {
    "provider-not-contracted": "agreement",
    "provider-agreement-missing": "agreement",
    "after-hours-gap": "agreement",
    "on-site-gap": "agreement",
    "designation-missing": "designation",
    "outsourced-designation-without-overseer": "designation",
    "shared-without-split": "split",
    "no-internal-capability": "capability",
    "single-point-of-failure": "capability",
    "unowned": "assignment",
    "no-single-accountable": "assignment",
    "non-delegable-accountability": "assignment",
    "self-assessment": "assignment",
    "missing-handoff": "handoff",
}
"""The gap rules whose findings under the target model are something the profile must add."""
NEED_ORDER: tuple[NeedKind, ...] = (
    "agreement",
    "designation",
    "split",
    "capability",
    "assignment",
    "handoff",
)

LEAD_FUNCTIONS = ("governance", "compliance-reporting", "vendor-management")
"""Who leads the transition and oversees the providers: the first person covering one of these."""

BY_FRAMEWORK = frozenset({"missing-evidence", "stale-evidence", "self-assessment"})
"""Rules grouped by framework: the framework is part of a finding's identity."""

ActionKind = Literal[
    "due-diligence",
    "agreement",
    "designation",
    "split",
    "capability",
    "assignment",
    "access",
    "knowledge-transfer",
    "credentials",
    "revoke-access",
    "data",
    "oversight",
    "profile",
    "briefing",
]

# Where each framework says the thing an action does; looked up in the catalogs so that only
# frameworks in scope are cited, with the catalog's own citation text.
DUE_DILIGENCE = {
    "hipaa-security": "164.308(b)(1)",
    "glba-safeguards": "314.4(f)(1)",
    "nydfs-500": "500.11(a)(2)",
    "pci-dss-4": "12.8.3",
    "aba-model-rules": "opinion-08-451",
}
ACCESS_GRANT = {
    "hipaa-security": "164.308(a)(4)(ii)(B)",
    "glba-safeguards": "314.4(c)(1)(ii)",
    "nydfs-500": "500.7",
    "pci-dss-4": "7.2.2",
    "aba-model-rules": "rule-1.6(c)",
}
ACCESS_REVOKE = {
    "hipaa-security": "164.308(a)(3)(ii)(C)",
    "glba-safeguards": "314.4(c)(1)",
    "nydfs-500": "500.7",
    "pci-dss-4": "8.2.5",
    "aba-model-rules": "rule-1.6(c)",
}
CONTRACT = {
    "hipaa-security": "164.314(a)(1)",
    "glba-safeguards": "314.4(f)(2)",
    "nydfs-500": "500.11(b)",
    "pci-dss-4": "12.8.2",
    "aba-model-rules": "rule-5.3(b)",
}
SPLITS = {"pci-dss-4": "12.8.5"}
DISPOSAL = {
    "hipaa-security": "164.310(d)(2)(i)",
    "glba-safeguards": "314.4(c)(6)(i)",
    "nydfs-500": "500.13(b)",
    "pci-dss-4": "9.4.7",
    "aba-model-rules": "rule-1.6(c)",
}


class FunctionChange(Strict):
    """One function whose default owner or Accountable party differs between the two models."""

    function: str
    from_owner: DefaultOwner | None
    from_accountable: PartyKind | None
    to_owner: DefaultOwner | None
    to_accountable: PartyKind | None
    from_rationale: str | None
    to_rationale: str | None
    controls: int = 0
    """How many moving controls have this function (in `CompareResult.functions` only)."""


class Change(Strict):
    """A control whose Responsible or Accountable party differs between the two models."""

    control: str
    framework: str
    title: str
    movement: Movement
    from_owner: Owner | None
    to_owner: Owner | None
    from_responsible: tuple[str, ...]
    to_responsible: tuple[str, ...]
    from_accountable: str | None
    to_accountable: str | None
    from_people: tuple[str, ...]
    to_people: tuple[str, ...]
    why: tuple[FunctionChange, ...]
    """The control's functions whose model defaults differ."""
    notes: tuple[str, ...]
    """Override, non-delegable, designation and provider steps that shape the target assignment."""
    reason: str
    """`why` (or the first note) in one line, for tables."""
    phase: int
    """The plan phase in which it moves."""


class GapChange(Strict):
    """A gap found under both models with a different severity."""

    rule: str
    parties: tuple[str, ...]
    functions: tuple[str, ...]
    roles: tuple[str, ...]
    from_severity: Severity
    to_severity: Severity
    message: str


class Need(Strict):
    """Something the target model needs that the profile does not have yet."""

    kind: NeedKind
    rule: str
    severity: Severity
    text: str
    """What to do (the gap's remediation)."""
    reason: str
    """Why (the gap's message)."""
    parties: tuple[str, ...]
    """For a hand-off: [from, to]; for a split: ["internal", provider...]."""
    functions: tuple[str, ...]
    roles: tuple[str, ...]
    controls: tuple[str, ...]
    example: str | None
    """For a hand-off: one dependency that needs it."""
    citation: str
    new: bool
    """False when the source model has the same gap: the profile lacks it already today."""


class Action(Strict):
    """One thing to do in the opening or closing phase, naming who does it."""

    kind: ActionKind
    text: str
    parties: tuple[str, ...]
    functions: tuple[str, ...] = ()
    citation: str | None = None


class Dependency(Strict):
    """One dependency a hand-off serves: `control` depends on `depends_on`."""

    control: str
    depends_on: str


class PhaseHandoff(Strict):
    """A hand-off that must be in place from this phase on: `from` delivers work `to` relies on."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    kind: Literal["interim", "lasting"]
    until_phase: int | None
    """For an interim hand-off, the phase that moves the other end and ends the need."""
    from_functions: tuple[str, ...]
    to_functions: tuple[str, ...]
    agreement: str | None
    """The profile's documented hand-off that already covers it; null when it must be agreed."""
    example: str
    dependencies: tuple[Dependency, ...]


class Phase(Strict):
    """One phase of the transition plan."""

    phase: int
    kind: Literal["prepare", "move", "close"]
    title: str
    summary: str
    actions: tuple[Action, ...]
    controls: tuple[str, ...]
    """Only moving controls, each in exactly one phase."""
    functions: tuple[str, ...]
    movements: dict[str, int]
    handoffs: tuple[PhaseHandoff, ...]
    people: tuple[str, ...]
    providers: tuple[str, ...]


class CompareSummary(Strict):
    """The comparison in figures."""

    applicable: int
    moving: int
    untouched: int
    by_movement: dict[str, int]
    gaps_opened: int
    gaps_closed: int
    gaps_changed: int
    phases: int
    gaps_from: GapSummary
    gaps_to: GapSummary


class CompareResult(Strict):
    """`ctrlmap compare`: what changes between two models and how to get from one to the other."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: Literal["ctrlmap/compare@1"] = Field("ctrlmap/compare@1", alias="schema")
    organization: str
    from_: str = Field(alias="from")
    to: str
    from_title: str
    to_title: str
    as_of: dt.date
    frameworks: tuple[str, ...]
    include_proposed: bool
    summary: CompareSummary
    functions: tuple[FunctionChange, ...]
    """Every function whose defaults differ, with how many moving controls it explains."""
    unchanged_functions: tuple[str, ...]
    changes: tuple[Change, ...]
    untouched: tuple[str, ...]
    """Applicable controls that keep their Responsible and Accountable parties."""
    gaps_opened: tuple[Gap, ...]
    gaps_closed: tuple[Gap, ...]
    gaps_changed: tuple[GapChange, ...]
    needs: tuple[Need, ...]
    phases: tuple[Phase, ...]


def default_target(lib: Library, from_model: str) -> str:
    """The model compared with `from_model` when none is named.

    A built-in model is compared with the other built-in one. A custom model is compared with
    the built-in model it differs from on the most functions ("the other one": a variant of
    co-managed is weighed against fully managed), co-managed on a tie.
    """
    if from_model in BUILTIN_MODELS:
        return next(m for m in BUILTIN_MODELS if m != from_model)
    source = lib.model(from_model)

    def distance(model_id: str) -> int:
        other = lib.model(model_id)
        return sum(
            _pair(source, f) != _pair(other, f)
            for f in set(source.functions) | set(other.functions)
        )

    return max(BUILTIN_MODELS, key=lambda m: (distance(m), m == "co-managed"))


def check_models(lib: Library, source_id: str, target_id: str) -> None:
    """Refuse to compare a model with itself."""
    if source_id == target_id:
        raise CtrlmapError(
            f"--from and --to both name the model {source_id!r}; name two different models "
            f"(known: {', '.join(lib.models)})"
        )


def compare_with(current: Assessment, to_model: str | None = None) -> CompareResult:
    """Compare an assessment with the same profile under `to_model` (default: `default_target`).

    Only the target model's assessment is computed; the current one is reused as it is.
    """
    target_id = to_model or default_target(current.library, current.model.id)
    check_models(current.library, current.model.id, target_id)
    target = assess(
        current.profile, current.library, target_id, current.as_of, current.include_proposed
    )
    return compare_models(current, target)


def compare_models(current: Assessment, target_assessment: Assessment) -> CompareResult:
    """Compare two assessments of one profile under two models: the changes, gaps, needs and a
    phased transition plan."""
    profile, lib = current.profile, current.library
    as_of, include_proposed = current.as_of, current.include_proposed
    source, target = current.model, target_assessment.model
    source_id, target_id = source.id, target.id
    check_models(lib, source_id, target_id)
    before, gaps_before = current.assignment, current.gaps
    after, gaps_after = target_assessment.assignment, target_assessment.gaps

    old = {a.control: a for a in before.assignments if a.applicable}
    new = {a.control: a for a in after.assignments if a.applicable}
    order = {key: i for i, key in enumerate(old)}
    moving = [k for k in old if _moves(old[k], new[k])]
    graph = current.scope.graph
    level = _levels(graph, set(moving))
    phase_of = {k: level[k] + 2 for k in moving}  # phase 1 prepares
    diffs = _model_diff(source, target, lib)
    changes = sorted(
        (_change(lib, diffs, old[k], new[k], phase_of[k]) for k in moving),
        key=lambda c: (MOVEMENTS.index(c.movement), order[c.control]),
    )
    opened, closed, changed = _gap_delta(gaps_before.gaps, gaps_after.gaps)
    known = {_identity(g) for g in gaps_before.gaps}
    needs = _needs(gaps_after.gaps, known)
    phases = _plan(profile, lib, target_id, graph, old, new, phase_of, changes, needs)
    counted = [
        f.model_copy(update={"controls": sum(f.function in _functions(lib, c) for c in moving)})
        for f in diffs
    ]
    differing = {f.function for f in diffs}
    untouched = tuple(k for k in old if k not in phase_of)
    return CompareResult(
        organization=profile.organization.name,
        from_=source_id,
        to=target_id,
        from_title=source.title,
        to_title=target.title,
        as_of=as_of,
        frameworks=before.frameworks,
        include_proposed=include_proposed,
        summary=CompareSummary(
            applicable=len(old),
            moving=len(moving),
            untouched=len(untouched),
            by_movement={m: n for m in MOVEMENTS if (n := sum(c.movement == m for c in changes))},
            gaps_opened=len(opened),
            gaps_closed=len(closed),
            gaps_changed=len(changed),
            phases=len(phases),
            gaps_from=gaps_before.summary,
            gaps_to=gaps_after.summary,
        ),
        functions=tuple(counted),
        unchanged_functions=tuple(f for f in lib.functions if f not in differing),
        changes=tuple(changes),
        untouched=untouched,
        gaps_opened=opened,
        gaps_closed=closed,
        gaps_changed=changed,
        needs=tuple(needs),
        phases=tuple(phases),
    )


def _plan(
    profile: Profile,
    lib: Library,
    target_id: str,
    graph: nx.DiGraph[str],
    old: dict[str, Assignment],
    new: dict[str, Assignment],
    phase_of: dict[str, int],
    changes: list[Change],
    needs: list[Need],
) -> list[Phase]:
    """The phases: prepare, one per layer of moving controls, close out."""
    handoffs = _phase_handoffs(graph, profile, lib, old, new, phase_of)
    gains, losses = _flows(old, new, phase_of, lib)
    phases = [
        Phase(
            phase=1,
            kind="prepare",
            title="Prepare: agreements, due diligence and access before anyone new touches "
            "regulated data",
            summary="Nothing moves yet. Every action here is done before the first control moves.",
            actions=tuple(_prepare(profile, lib, needs, gains, losses, old)),
            controls=(),
            functions=(),
            movements={},
            handoffs=(),
            people=_people_of(profile, gains, losses, lead=True),
            providers=_providers_of(profile, gains, losses),
        )
    ]
    by_phase: dict[int, list[str]] = defaultdict(list)
    for key, number in phase_of.items():
        by_phase[number].append(key)
    by_key = {c.control: c for c in changes}
    last_move = max(phase_of.values(), default=1)
    for number in range(2, last_move + 1):
        keys = by_phase[number]
        phases.append(_move_phase(profile, lib, number, keys, by_key, old, new, handoffs))
    phases.append(
        Phase(
            phase=last_move + 1,
            kind="close",
            title="Close out: credentials, access and data of the outgoing parties",
            summary="Every control has moved. Hand over what the outgoing parties still hold, "
            "revoke what they no longer need, and confirm oversight under the new model.",
            actions=tuple(_close(profile, lib, target_id, gains, losses, old, new)),
            controls=(),
            functions=(),
            movements={},
            handoffs=(),
            people=_people_of(profile, losses),
            providers=_providers_of(profile, gains, losses),
        )
    )
    return phases


def _pair(model: OperatingModel, function: str) -> tuple[str, str] | None:
    default = model.functions.get(function)
    return (default.owner, default.accountable) if default else None


def _moves(before: Assignment, after: Assignment) -> bool:
    return _parties(before) != _parties(after) or before.accountable != after.accountable


def _parties(a: Assignment) -> frozenset[str]:
    return frozenset(a.raci.responsible) if a.raci else frozenset()


def movement(before: Assignment, after: Assignment) -> Movement:
    """Which way a control's work travels between two assignments of it (see the module doc)."""
    r1, r2 = _parties(before), _parties(after)
    if r1 == r2:
        return "accountability-only"
    if not r2:
        return "to-unassigned"
    if not r1:
        return "from-unassigned"
    if after.owner == "shared" and before.owner != "shared":
        return "to-shared"
    if "internal" in r1 and "internal" not in r2:
        return "internal-to-provider"
    if r1 - {"internal"} and not r2 - {"internal"}:
        return "provider-to-internal"
    return "between-providers"


def _levels(graph: nx.DiGraph[str], moving: set[str]) -> dict[str, int]:
    """Each moving control's layer: one more than the deepest moving control it depends on.

    Dependencies count directly or through controls that do not move (and through controls that
    are not applicable: a conservative reading of the catalog's order). One pass in dependency
    order: prerequisites first.
    """
    level: dict[str, int] = {}
    below: dict[str, int] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        deepest = max(
            (level[s] if s in moving else below[s] for s in graph.successors(node)), default=-1
        )
        below[node] = deepest
        if node in moving:
            level[node] = deepest + 1
    return level


def _functions(lib: Library, key: str) -> tuple[str, ...]:
    return lib.controls[key].functions


def _model_diff(
    source: OperatingModel, target: OperatingModel, lib: Library
) -> list[FunctionChange]:
    order = [*lib.functions, *sorted(set(source.functions) | set(target.functions))]
    out = []
    for fid in dict.fromkeys(order):
        a, b = source.functions.get(fid), target.functions.get(fid)
        if a is None and b is None:
            continue
        if _pair(source, fid) == _pair(target, fid):
            continue
        out.append(
            FunctionChange(
                function=fid,
                from_owner=a.owner if a else None,
                from_accountable=a.accountable if a else None,
                to_owner=b.owner if b else None,
                to_accountable=b.accountable if b else None,
                from_rationale=a.rationale if a else None,
                to_rationale=b.rationale if b else None,
            )
        )
    return out


def _change(
    lib: Library,
    diffs: list[FunctionChange],
    before: Assignment,
    after: Assignment,
    phase: int,
) -> Change:
    """One moving control: which way it moves, and why."""
    control = lib.controls[after.control]
    why = tuple(f for f in diffs if f.function in control.functions)
    shaping = ("override", "non-delegable", "designation", "provider")
    seen = {s.text for s in before.basis}
    notes = tuple(
        dict.fromkeys(
            s.text
            for s in after.basis
            if s.step in shaping and (s.step == "override" or s.text not in seen)
        )
    )
    reason = "; ".join(
        f"{f.function}: {f.from_owner or 'none'}/{f.from_accountable or 'none'} -> "
        f"{f.to_owner or 'none'}/{f.to_accountable or 'none'} ({f.to_rationale or 'no default'})"
        for f in why
    ) or (notes[0] if notes else "")
    return Change(
        control=after.control,
        framework=after.framework,
        title=after.title,
        movement=movement(before, after),
        from_owner=before.owner,
        to_owner=after.owner,
        from_responsible=before.raci.responsible if before.raci else (),
        to_responsible=after.raci.responsible if after.raci else (),
        from_accountable=before.accountable,
        to_accountable=after.accountable,
        from_people=before.people,
        to_people=after.people,
        why=why,
        notes=notes,
        reason=reason,
        phase=phase,
    )


GapIdentity = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _identity(gap: Gap) -> GapIdentity:
    """What makes two findings of two runs the same gap: their grouping key, not their controls."""
    frameworks = (
        tuple(sorted({split_key(k)[0] for k in gap.controls})) if gap.rule in BY_FRAMEWORK else ()
    )
    return (
        gap.rule,
        gap.parties,
        tuple(sorted(gap.functions)),
        tuple(sorted(gap.roles)),
        frameworks,
    )


def _gap_delta(
    before: Iterable[Gap], after: Iterable[Gap]
) -> tuple[tuple[Gap, ...], tuple[Gap, ...], tuple[GapChange, ...]]:
    old = {_identity(g): g for g in before}
    new = {_identity(g): g for g in after}
    opened = tuple(g for i, g in new.items() if i not in old)
    closed = tuple(g for i, g in old.items() if i not in new)
    changed = tuple(
        GapChange(
            rule=g.rule,
            parties=g.parties,
            functions=g.functions,
            roles=g.roles,
            from_severity=old[i].severity,
            to_severity=g.severity,
            message=g.message,
        )
        for i, g in new.items()
        if i in old and old[i].severity != g.severity
    )
    return opened, closed, changed


def _needs(gaps: Iterable[Gap], known: set[GapIdentity]) -> list[Need]:
    """The target's findings that ask the profile for something it does not have."""
    needs = [
        Need(
            kind="capability"
            if g.rule in ("after-hours-gap", "on-site-gap") and g.parties == ("internal",)
            else NEED_KINDS[g.rule],
            rule=g.rule,
            severity=g.severity,
            text=g.remediation,
            reason=g.message,
            parties=g.parties,
            functions=g.functions,
            roles=g.roles,
            controls=g.controls,
            example=g.chain[0] if g.rule == "missing-handoff" and g.chain else None,
            citation=g.citation,
            new=_identity(g) not in known,
        )
        for g in gaps
        if g.rule in NEED_KINDS
    ]
    needs.sort(key=lambda n: (NEED_ORDER.index(n.kind), not n.new, n.parties, n.functions))
    return needs


Flows = dict[str, dict[str, None]]
"""Party -> the functions (ordered, as dict keys) it gains or loses among the moving controls."""


def _flows(
    old: dict[str, Assignment], new: dict[str, Assignment], moving: Iterable[str], lib: Library
) -> tuple[Flows, Flows]:
    """Per party, the functions whose share it takes on and the ones it gives up."""
    gains: dict[str, set[str]] = defaultdict(set)
    losses: dict[str, set[str]] = defaultdict(set)
    for key in moving:
        before = {s.function: set(s.parties) for s in old[key].shares if s.function}
        after = {s.function: set(s.parties) for s in new[key].shares if s.function}
        for fid in set(before) | set(after):
            for party in after.get(fid, set()) - before.get(fid, set()):
                gains[party].add(fid)
            for party in before.get(fid, set()) - after.get(fid, set()):
                losses[party].add(fid)
    order = list(lib.functions)

    def ordered(found: dict[str, set[str]]) -> Flows:
        return {
            p: dict.fromkeys(sorted(fs, key=lambda f: order.index(f) if f in order else len(order)))
            for p, fs in found.items()
        }

    return ordered(gains), ordered(losses)


def _list(items: Iterable[str], limit: int = 6) -> str:
    items = list(items)
    shown = items[:limit]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    if len(shown) > 1 and not more:
        return ", ".join(shown[:-1]) + " and " + shown[-1]
    return ", ".join(shown) + more


def _all(items: Iterable[str]) -> str:
    """Every item, for a text that must be complete (a contract's scope, a hand-over list)."""
    return _list(items, limit=1000)


def _cite(lib: Library, profile: Profile, table: dict[str, str]) -> str | None:
    """The citations of `table`'s controls for the frameworks in scope, in the catalogs' words."""
    found = [
        lib.controls[key].citation
        for fw in profile.frameworks
        if fw in table and (key := global_key(fw, table[fw])) in lib.controls
    ]
    return "; ".join(dict.fromkeys(found)) or None


def _covering(profile: Profile, functions: Iterable[str]) -> list[str]:
    wanted = set(functions)
    return [p.id for p in profile.internal if wanted & set(p.functions)]


def _prepare(
    profile: Profile,
    lib: Library,
    needs: list[Need],
    gains: Flows,
    losses: Flows,
    old: dict[str, Assignment],
) -> list[Action]:
    """Phase 1: what must exist before anyone new touches regulated data."""
    involved = profile.party_order({*gains, *losses, "internal"})
    owners = _covering(profile, LEAD_FUNCTIONS)
    lead = f"{profile.name_of(owners[0])} ({owners[0]})" if owners else "an internal owner"
    # The seed: phase the onboarding so support does not lapse while responsibilities shift.
    actions = [
        Action(
            kind="briefing",
            text=f"Make {lead} responsible for the transition and brief "
            f"{_list(profile.name_of(p) for p in involved)} on this plan: who takes on what in "
            "which phase, the hand-offs that keep each dependency covered meanwhile, and whom to "
            "call while responsibilities shift.",
            parties=tuple(involved),
        )
    ]
    working = {p for a in old.values() if a.raci for p in a.raci.responsible}
    incoming = [p for p in profile.party_order(gains) if p != "internal"]
    for provider in incoming:
        functions = tuple(gains[provider])
        verb = "extending its role to" if provider in working else "engaging it for"
        actions.append(
            Action(
                kind="due-diligence",
                text=f"Carry out due diligence on {profile.name_of(provider)} before {verb} "
                f"{_all(functions)}: its security program, audit reports or certifications, "
                "incident history and references.",
                parties=("internal", provider),
                functions=functions,
                citation=_cite(lib, profile, DUE_DILIGENCE),
            )
        )
    actions.extend(_need_actions(profile, lib, needs))
    for provider in incoming:
        functions = tuple(gains[provider])
        actions.append(
            Action(
                kind="access",
                text=f"Once the agreements above are signed, give {profile.name_of(provider)} named, "
                f"least-privilege, MFA-protected access for {_all(functions)}, and record it in "
                "the access register.",
                parties=("internal", provider),
                functions=functions,
                citation=_cite(lib, profile, ACCESS_GRANT),
            )
        )
    if "internal" in gains:
        functions = tuple(gains["internal"])
        people = _covering(profile, functions)
        sources = [p for p in profile.party_order(_holders(old, functions)) if p != "internal"]
        who = (
            _list(profile.name_of(p) for p in people)
            if people
            else "the people who will take it on (nobody internal covers it yet)"
        )
        frm = f" from {_list(profile.name_of(p) for p in sources)}" if sources else ""
        actions.append(
            Action(
                kind="knowledge-transfer",
                text=f"Give {who} the administrative access, documentation and runbooks{frm} for "
                f"{_all(functions)} before the organization takes that work on.",
                parties=("internal", *sources),
                functions=functions,
                citation=_cite(lib, profile, ACCESS_GRANT),
            )
        )
    return actions


MERGED = ("provider-not-contracted", "shared-without-split")
"""Needs merged into one action per provider: a contract's scope and its splits are one document."""


def _need_actions(profile: Profile, lib: Library, needs: list[Need]) -> list[Action]:
    """The target's needs as actions, in the needs' order; hand-offs are left to the phases."""
    slots: list[Need | tuple[str, tuple[str, ...]]] = []
    merged: dict[tuple[str, tuple[str, ...]], list[Need]] = defaultdict(list)
    for need in needs:
        if need.kind == "handoff":
            continue
        if need.rule in MERGED:
            key = (need.rule, need.parties)
            if key not in merged:
                slots.append(key)
            merged[key].append(need)
        else:
            slots.append(need)
    return [
        _merged_action(profile, lib, slot[0], slot[1], merged[slot])
        if isinstance(slot, tuple)
        else Action(
            kind=slot.kind,
            text=slot.text,
            parties=slot.parties,
            functions=slot.functions,
            citation=slot.citation,
        )
        for slot in slots
    ]


def _merged_action(
    profile: Profile, lib: Library, rule: str, parties: tuple[str, ...], group: list[Need]
) -> Action:
    functions = tuple(dict.fromkeys(f for n in group for f in n.functions))
    providers = [p for p in parties if p != "internal"]
    names = _list(profile.name_of(p) for p in providers)
    if rule == "provider-not-contracted":
        agreement = next(
            (x.agreement for x in profile.providers if x.id in providers and x.agreement), None
        )
        return Action(
            kind="agreement",
            text=f"Extend {names}'s agreement"
            + (f" ({agreement})" if agreement else "")
            + f" to cover {_all(functions)} before it takes that work on, or give the work to "
            "someone else with an override.",
            parties=("internal", *providers),
            functions=functions,
            citation=_cite(lib, profile, CONTRACT),
        )
    return Action(
        kind="split",
        text=f"Document who does which part of {_all(functions)} between the organization and "
        f"{names}: a split per function in the profile and in the statement of work.",
        parties=parties,
        functions=functions,
        citation=_cite(lib, profile, SPLITS),
    )


def _holders(old: dict[str, Assignment], functions: Iterable[str]) -> set[str]:
    wanted = set(functions)
    return {p for a in old.values() for s in a.shares if s.function in wanted for p in s.parties}


def _close(
    profile: Profile,
    lib: Library,
    target_id: str,
    gains: Flows,
    losses: Flows,
    old: dict[str, Assignment],
    new: dict[str, Assignment],
) -> list[Action]:
    """The last phase: credentials handed over, access revoked, data returned, oversight confirmed."""
    actions: list[Action] = []
    still = {p for a in new.values() if a.raci for p in a.raci.responsible}
    incoming = [p for p in profile.party_order(gains) if p != "internal"]
    for party in profile.party_order(losses):
        functions = tuple(losses[party])
        if party == "internal":
            takers = [p for p in incoming if set(gains[p]) & set(functions)]
            people = _covering(profile, functions)
            to = _list(profile.name_of(p) for p in takers) if takers else "the parties taking it on"
            staff = _list(profile.name_of(p) for p in people) if people else "the internal staff"
            actions.append(
                Action(
                    kind="credentials",
                    text=f"Hand over to {to} the credentials, tool consoles, documentation and "
                    f"runbooks (network maps, asset inventory, configurations) for {_all(functions)}; "
                    "keep a break-glass administrator account under the organization's control.",
                    parties=("internal", *takers),
                    functions=functions,
                )
            )
            actions.append(
                Action(
                    kind="revoke-access",
                    text=f"Reduce the standing administrative access of {staff} for "
                    f"{_all(functions)} to what their remaining role needs.",
                    parties=("internal",),
                    functions=functions,
                    citation=_cite(lib, profile, ACCESS_REVOKE),
                )
            )
            continue
        name = profile.name_of(party)
        leaves = party not in still
        actions.append(
            Action(
                kind="credentials",
                text=f"Take back from {name} the administrator credentials, keys and tool consoles "
                f"for {_all(functions)}, and rotate every secret it knew.",
                parties=("internal", party),
                functions=functions,
            )
        )
        actions.append(
            Action(
                kind="revoke-access",
                text=f"Revoke {name}'s access for {_all(functions)}"
                + (" (all of it: it no longer works for the organization)" if leaves else "")
                + " and confirm the removal in the access register.",
                parties=("internal", party),
                functions=functions,
                citation=_cite(lib, profile, ACCESS_REVOKE),
            )
        )
        actions.append(
            Action(
                kind="data",
                text=f"Have {name} return or securely destroy the regulated data it held for "
                f"{_all(functions)}, and certify the destruction in writing.",
                parties=("internal", party),
                functions=functions,
                citation=_cite(lib, profile, DISPOSAL),
            )
        )
        actions.append(
            Action(
                kind="agreement",
                text=f"End the agreement with {name}."
                if leaves
                else f"Amend {name}'s agreement to remove {_all(functions)}.",
                parties=("internal", party),
                functions=functions,
            )
        )
    oversight = "; ".join(
        dict.fromkeys(c.citation for key, c in lib.controls.items() if c.oversight and key in old)
    )
    owners = _covering(profile, LEAD_FUNCTIONS)
    overseer = profile.name_of(owners[0]) if owners else "the internal compliance owner"
    for provider in incoming:
        actions.append(
            Action(
                kind="oversight",
                text=f"{overseer} reviews {profile.name_of(provider)}'s performance of "
                f"{_list(gains[provider])} after the move and records the date as last_reviewed.",
                parties=("internal", provider),
                functions=tuple(gains[provider]),
                citation=oversight or None,
            )
        )
    actions.append(
        Action(
            kind="profile",
            text=f"Update the profile: model {target_id}, with the new splits, hand-offs and "
            "agreements; rerun `ctrlmap gaps` and keep the signed agreements, access changes and "
            "destruction certificates as evidence of the transition.",
            parties=("internal",),
        )
    )
    return actions


def _people_of(profile: Profile, *flows: Flows, lead: bool = False) -> tuple[str, ...]:
    """The internal people who cover the moving functions (and the transition's lead)."""
    wanted = set(_covering(profile, {f for flow in flows for fs in flow.values() for f in fs}))
    if lead:
        wanted.update(_covering(profile, LEAD_FUNCTIONS)[:1])
    return tuple(p.id for p in profile.internal if p.id in wanted)


def _providers_of(profile: Profile, *flows: Flows) -> tuple[str, ...]:
    """The providers that take on or give up work."""
    return tuple(p for p in profile.party_order({p for f in flows for p in f}) if p != "internal")


def _move_phase(
    profile: Profile,
    lib: Library,
    number: int,
    keys: list[str],
    changes: dict[str, Change],
    old: dict[str, Assignment],
    new: dict[str, Assignment],
    handoffs: dict[int, list[PhaseHandoff]],
) -> Phase:
    """One movement phase: its controls, the functions they carry, hand-offs, people, providers."""
    counts: dict[str, int] = defaultdict(int)
    for key in keys:
        # the functions whose defaults differ say what moves; a control's other functions do not
        moved = [f.function for f in changes[key].why] or lib.controls[key].functions
        for fid in moved:
            counts[fid] += 1
    functions = tuple(sorted(counts, key=lambda f: (-counts[f], f)))
    shown = _list(functions, 3)
    noun = "control" if len(keys) == 1 else "controls"
    title = (
        f"Move the foundations ({len(keys)} {noun}): {shown}"
        if number == 2
        else f"Move the next layer ({len(keys)} {noun}): {shown}"
    )
    summary = (
        "These controls depend on no other moving control."
        if number == 2
        else f"Each of these controls depends on a control moved in phase {number - 1} and on "
        "nothing that moves later."
    )
    movements = {m: n for m in MOVEMENTS if (n := sum(changes[k].movement == m for k in keys))}
    people = {p for k in keys for p in (*old[k].people, *new[k].people)}
    parties = {
        p
        for k in keys
        for a in (old[k], new[k])
        if a.raci
        for p in (*a.raci.responsible, a.raci.accountable)
        if p is not None
    }
    return Phase(
        phase=number,
        kind="move",
        title=title,
        summary=summary,
        actions=(),
        controls=tuple(keys),
        functions=functions,
        movements=movements,
        handoffs=tuple(handoffs.get(number, ())),
        people=tuple(p.id for p in profile.internal if p.id in people),
        providers=tuple(p for p in profile.party_order(parties) if p != "internal"),
    )


def _share_functions(lib: Library, a: Assignment, party: str) -> list[str]:
    """The functions whose share of a control the party does; a role holder's share by its role."""
    role = lib.controls[a.control].designation
    return [
        s.function or f"{role} (designated role)"
        for s in a.shares
        if party in s.parties and (s.function or role)
    ]


def _documented(
    profile: Profile, lib: Library, p: str, q: str, prerequisite: str, dependent: str
) -> str | None:
    """The agreement of the profile's hand-off from p to q that covers this dependency, if any."""
    found = covering_handoff(
        profile.handoffs,
        p,
        q,
        lib.controls[prerequisite].functions,
        lib.controls[dependent].functions,
    )
    return found.agreement if found else None


def _phase_handoffs(
    graph: nx.DiGraph[str],
    profile: Profile,
    lib: Library,
    old: dict[str, Assignment],
    new: dict[str, Assignment],
    phase_of: dict[str, int],
) -> dict[int, list[PhaseHandoff]]:
    """For each phase, the hand-offs that start with it.

    The state after phase t gives a control its target parties when it moved in a phase up to t,
    else its source parties. A dependency A -> B needs a hand-off from every party Responsible
    for B to every other party Responsible for A; one that the source state did not need starts
    in the phase that creates it and lasts until a later phase removes it (interim), or for good.
    """

    def state(key: str, t: int) -> Assignment:
        return new[key] if key in phase_of and phase_of[key] <= t else old[key]

    def pairs(dependent: str, prerequisite: str, t: int) -> set[tuple[str, str]]:
        return set(crossings(state(dependent, t), state(prerequisite, t)))

    groups: dict[tuple[int, str, str, int | None, str | None], list[tuple[str, str]]] = defaultdict(
        list
    )
    for dependent, prerequisite in graph.edges:
        if dependent not in old or prerequisite not in old:
            continue
        times = sorted({phase_of[k] for k in (dependent, prerequisite) if k in phase_of})
        if not times:
            continue
        previous = pairs(dependent, prerequisite, 1)
        for i, t in enumerate(times):
            now = pairs(dependent, prerequisite, t)
            for p, q in sorted(now - previous):
                until = next(
                    (u for u in times[i + 1 :] if (p, q) not in pairs(dependent, prerequisite, u)),
                    None,
                )
                agreement = _documented(profile, lib, p, q, prerequisite, dependent)
                groups[(t, p, q, until, agreement)].append((dependent, prerequisite))
            previous = now
    out: dict[int, list[PhaseHandoff]] = defaultdict(list)
    rank = {
        p: i
        for i, p in enumerate(profile.party_order({"internal", *(x.id for x in profile.providers)}))
    }
    for (t, p, q, until, agreement), edges in sorted(
        groups.items(),
        key=lambda item: (
            item[0][0],
            item[0][3] is None,
            rank.get(item[0][1], 99),
            rank.get(item[0][2], 99),
            item[0][3] or 0,
            item[0][4] or "",
        ),
    ):
        edges.sort()
        from_functions = dict.fromkeys(
            f for _, b in edges for f in _share_functions(lib, state(b, t), p)
        )
        to_functions = dict.fromkeys(
            f for d, _ in edges for f in _share_functions(lib, state(d, t), q)
        )
        dependent, prerequisite = edges[0]
        out[t].append(
            PhaseHandoff(
                from_=p,
                to=q,
                kind="lasting" if until is None else "interim",
                until_phase=until,
                from_functions=tuple(from_functions),
                to_functions=tuple(to_functions),
                agreement=agreement,
                example=f"{split_key(dependent)[1]} depends on {split_key(prerequisite)[1]}",
                dependencies=tuple(Dependency(control=d, depends_on=b) for d, b in edges),
            )
        )
    return out
