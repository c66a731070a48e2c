"""Compare two operating models for one organization and plan the transition between them.

`compare_models` assigns every control under both models, runs the gap rules under both, and
returns what moves (and why), which gaps open and close, what the target model needs that the
profile lacks, and a phased transition plan:

- phase 1, **Prepare**: actions only, for what must exist before anyone new touches regulated
  data (due diligence, agreements and business associate agreements, designations, documented
  splits, then access for the incoming parties), once each and grouped by the party and
  agreement they concern;
- phases 2..k, **Move**: one per service cut-over, a party taking on a service (the taxonomy's
  `service` groups functions: infrastructure, identity and access, the security program...) or
  the organization taking one back. Every moving control is in exactly one phase: the cut-over of
  the party its work goes to and the service of its first changing function, or a later phase
  when a control it depends on (directly or through controls that do not move) moves later, so
  that a prerequisite always moves before or with its dependents. Cut-overs follow the services'
  dependencies; services that depend on each other are ordered greedily, the one with the fewest
  unmet dependencies first. Each phase lists its controls per framework as counts and ranges,
  and the hand-offs that start with it (a dependency A -> B needs one from every party
  Responsible for B to every other party Responsible for A): `interim` ones, needed from this
  phase's moves until phase `until_phase` moves the other end, and `lasting` ones, still needed
  under the target model; each names the profile's documented hand-off (`agreement`) when one
  already covers it;
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

from collections import defaultdict
from collections.abc import Iterable

from ctrlmap.analyse.transition import (
    control_groups,
    function_name,
    handed_over,
    plan_cutovers,
    plan_phases,
    stranded_work,
    taken_over,
)
from ctrlmap.assessment.pipeline import Assessment, assess
from ctrlmap.errors import CtrlmapError, shown
from ctrlmap.load.library import Library
from ctrlmap.models import OperatingModel, Profile
from ctrlmap.models.base import BUILTIN_MODELS, DefaultOwner, join_names, plural
from ctrlmap.models.comparison import (
    MOVEMENTS,
    NEED_KINDS,
    NEED_ORDER,
    Change,
    CompareResult,
    CompareSummary,
    FunctionChange,
    GapChange,
    Movement,
    Need,
)
from ctrlmap.models.results import Assignment, Gap


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
            f"--from and --to both name the model {shown(source_id)}; name two different models "
            f"(known: {', '.join(lib.models)})"
        )


def compare_with(current: Assessment, to_model: str | None = None) -> CompareResult:
    """Compare an assessment with the same profile under `to_model` (default: `default_target`).

    Only the target model's assessment is computed; the current one is reused as it is.
    """
    target_id = to_model or default_target(current.library, current.model.id)
    check_models(current.library, current.model.id, target_id)
    target = assess(
        current.profile,
        current.library,
        target_id,
        current.as_of,
        current.include_proposed,
        arrangement="target",
    )
    return compare_models(current, target)


def compare_models(current: Assessment, target_assessment: Assessment) -> CompareResult:
    """Compare two assessments of one profile under two models: the changes, gaps, needs and a
    phased transition plan.

    Long because it assembles the whole CompareResult in one place, field by field.
    """
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
    diffs = _arranged_diff(current, target, lib)
    differing = {f.function for f in diffs}
    # Work nobody takes on under the target (nobody named, or a provider named whose agreement
    # does not cover it) is a gap to staff or contract, decided in phase 1, not a cut-over; and
    # a function whose share keeps its parties does not change hands.
    stranded = {
        k
        for k in moving
        if movement(old[k], new[k]) == "to-unassigned"
        or (handed_over(old[k], new[k]) and not taken_over(old[k], new[k]))
    }
    moved = {
        k: tuple(f for f in _functions(lib, k) if f in differing and f in handed)
        or tuple(f for f in _functions(lib, k) if f in handed)
        or tuple(f for f in _functions(lib, k) if f in differing)
        or _functions(lib, k)
        for k in moving
        if k not in stranded
        for handed in (taken_over(old[k], new[k]),)
    }
    cutovers, position = plan_cutovers(graph, lib, profile, old, new, moved)
    moves = {k: position[k] + 2 for k in moved}  # phase 1 prepares
    # a stranded control is decided in phase 1 and, until then, stays with its current parties
    phase_of = {**moves, **dict.fromkeys(stranded, 1)}
    changes = sorted(
        (_change(lib, diffs, old[k], new[k], phase_of[k], k in stranded) for k in moving),
        key=lambda c: (MOVEMENTS.index(c.movement), order[c.control]),
    )
    opened, closed, changed = _gap_delta(gaps_before.gaps, gaps_after.gaps)
    known = {g.id for g in gaps_before.gaps}
    needs = _merged(_needs(gaps_after.gaps, known), profile, list(old))
    phases = plan_phases(profile, lib, target_id, graph, old, new, moves, cutovers, changes, needs)
    counted = [
        f.model_copy(update={"controls": sum(f.function in _functions(lib, c) for c in moving)})
        for f in diffs
    ]
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
            moved=len(moves),
            decisions=len(stranded),
            gaps_note=_gaps_note(lib, target, stranded_work(old, new), opened),
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
        names={
            "internal": profile.organization.name,
            **{p.id: p.name for p in profile.providers},
            **{p.id: p.name for p in profile.internal},
        },
        function_titles={fid: f.title for fid, f in lib.functions.items()},
        framework_titles={fw: lib.catalogs[fw].title for fw in before.frameworks},
    )


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


def _functions(lib: Library, key: str) -> tuple[str, ...]:
    return lib.controls[key].functions


def _arranged_owners(current: Assessment) -> dict[str, DefaultOwner]:
    """Per function, the owner its shares have today where the profile's coverage decided it.

    Reality first: a function the profile's people or agreements cover has the owner they give
    it, whatever the source model says. The most common owner across its controls is taken.
    """
    counts: dict[str, dict[DefaultOwner, int]] = defaultdict(lambda: defaultdict(int))
    for a in current.applicable.values():
        for share in a.shares:
            if share.function is not None and share.source == "coverage":
                counts[share.function][share.owner] += 1
    return {f: max(c, key=lambda o: (c[o], o)) for f, c in counts.items()}


def _arranged_diff(
    current: Assessment, target: OperatingModel, lib: Library
) -> list[FunctionChange]:
    """The functions whose arrangement today differs from the target model's default.

    Today is the source model's default where nobody covers a function, and the profile's own
    coverage where somebody does; the reason shown is the model's rationale, or that coverage.
    """
    return _model_diff(current.model, target, lib, _arranged_owners(current))


def _model_diff(
    source: OperatingModel,
    target: OperatingModel,
    lib: Library,
    arranged: dict[str, DefaultOwner] | None = None,
) -> list[FunctionChange]:
    """Functions whose (owner, Accountable) differ: the source model's, or today's arrangement."""
    order = [*lib.functions, *sorted(set(source.functions) | set(target.functions))]
    arranged = arranged or {}
    out = []
    for fid in dict.fromkeys(order):
        a, b = source.functions.get(fid), target.functions.get(fid)
        if a is None and b is None:
            continue
        owner = arranged.get(fid, a.owner if a else None)
        before = (owner, a.accountable if a else None)
        if before == _pair(target, fid):
            continue
        covered = fid in arranged and (a is None or arranged[fid] != a.owner)
        out.append(
            FunctionChange(
                function=fid,
                from_owner=owner,
                from_accountable=a.accountable if a else None,
                to_owner=b.owner if b else None,
                to_accountable=b.accountable if b else None,
                from_rationale="as the profile's people and agreements arrange it today"
                if covered
                else (a.rationale if a else None),
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
    decision: bool = False,
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
    reason = "; ".join(_why(lib, f) for f in why) or (notes[0] if notes else "")
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
        decision=decision,
    )


OWNER_WORDS = {
    "internal": "the organization",
    "provider": "a provider",
    "shared": "shared work",
    None: "nobody",
}
"""A model's owner or Accountable party of a function, as a sentence says it."""


def _why(lib: Library, f: FunctionChange) -> str:
    """Why a function's share moves, in words: `Access management: from the organization to a
    provider, the organization still accountable (The partner administers access ...)`."""
    found = lib.functions.get(f.function)
    title = found.title if found else f.function
    if f.from_owner == f.to_owner:
        does = f"still done by {OWNER_WORDS[f.to_owner]}"
    else:
        does = f"from {OWNER_WORDS[f.from_owner]} to {OWNER_WORDS[f.to_owner]}"
    if f.from_accountable == f.to_accountable:
        answers = f"{OWNER_WORDS[f.to_accountable]} still accountable"
    else:
        answers = (
            f"accountable from {OWNER_WORDS[f.from_accountable]} to {OWNER_WORDS[f.to_accountable]}"
        )
    return f"{title}: {does}, {answers} ({f.to_rationale or 'no default in the model'})"


# the findings that work nobody takes on raises: nobody doing it, nobody answering for it, a
# provider named for work it is not contracted for, and the controls downstream of them
UNTAKEN_RULES = frozenset(
    {"unowned", "no-single-accountable", "provider-not-contracted", "at-risk-dependency"}
)


def _gaps_note(
    lib: Library,
    target: OperatingModel,
    stranded: dict[str, list[str]],
    opened: Iterable[Gap],
) -> str:
    """What the target's gap count means when the target gives work to a provider no agreement
    covers: what the organization would have to contract for or decide, in one sentence."""
    if not stranded:
        return ""
    order = list(lib.functions)
    functions = sorted(stranded, key=lambda f: order.index(f) if f in order else len(order))
    keys = {k for f in functions for k in stranded[f]}
    opened = list(opened)
    untaken = sum(g.rule in UNTAKEN_RULES and bool(keys & {*g.controls, *g.chain}) for g in opened)
    work = (
        f"{join_names(function_name(lib, f) for f in functions)} for "
        f"{plural(len(keys), 'control')}, which {target.title} gives to a provider no agreement "
        "covers"
    )
    if not untaken:
        return (
            f"None of the {len(opened)} gaps that open comes from work nobody would take on, but "
            f"phase 1 still decides who does {work}."
        )
    share = f"All {untaken}" if untaken == len(opened) else f"{untaken} of the {len(opened)}"
    return (
        f"{share} gaps that open are work nobody would do under {target.title} until the "
        f"organization contracts a provider for it or decides to keep it in house (phase 1): "
        f"{work}."
    )


def _gap_delta(
    before: Iterable[Gap], after: Iterable[Gap]
) -> tuple[tuple[Gap, ...], tuple[Gap, ...], tuple[GapChange, ...]]:
    old = {g.id: g for g in before}  # a finding's id is its identity across runs
    new = {g.id: g for g in after}
    opened = tuple(g for i, g in new.items() if i not in old)
    closed = tuple(g for i, g in old.items() if i not in new)
    changed = tuple(
        GapChange(
            id=g.id,
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


def _needs(gaps: Iterable[Gap], known: set[str]) -> list[Need]:
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
            new=g.id not in known,
        )
        for g in gaps
        if g.rule in NEED_KINDS
    ]
    needs.sort(key=lambda n: (NEED_ORDER.index(n.kind), not n.new, n.parties, n.functions))
    return needs


SEVERITY_RANK = ("low", "medium", "high", "critical")


def _merged(needs: list[Need], profile: Profile, catalog_order: list[str]) -> list[Need]:
    """The needs once each: findings asking for the same thing (one function's staffing, split
    by the other functions and parties of their controls) are one need, their controls
    merged in catalog order and grouped per framework, the highest severity kept."""
    groups: dict[tuple[str, str, str], list[Need]] = defaultdict(list)
    for n in needs:  # the text names the function and any party it asks
        groups[(n.kind, n.rule, n.text)].append(n)
    rank = {k: i for i, k in enumerate(catalog_order)}
    out = []
    for same in groups.values():
        first = same[0]
        controls = sorted(
            {k for n in same for k in n.controls}, key=lambda k: (rank.get(k, len(rank)), k)
        )
        out.append(
            first.model_copy(
                update={
                    "severity": max(
                        (n.severity for n in same),
                        key=lambda v: SEVERITY_RANK.index(v) if v in SEVERITY_RANK else -1,
                    ),
                    "reason": " ".join(dict.fromkeys(n.reason for n in same)),
                    "parties": tuple(dict.fromkeys(p for n in same for p in n.parties)),
                    "functions": tuple(dict.fromkeys(f for n in same for f in n.functions)),
                    "roles": tuple(dict.fromkeys(r for n in same for r in n.roles)),
                    "controls": tuple(controls),
                    "citation": "; ".join(dict.fromkeys(n.citation for n in same if n.citation)),
                    "new": any(n.new for n in same),
                    "control_groups": control_groups(profile, catalog_order, set(controls)),
                }
            )
        )
    return out
