"""The phased transition plan: service cut-overs, the actions before and after, and the hand-offs each phase needs.

Over 500 lines because the plan's phases, actions and hand-offs are one algorithm with its wording.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import networkx as nx

from ctrlmap.assessment.parties import covering_handoff, crossings, interfaces
from ctrlmap.load.library import Library
from ctrlmap.models import OperatingModel, Profile, global_key, split_key
from ctrlmap.models.base import join_names, possessive
from ctrlmap.models.comparison import (
    MOVEMENT_PHRASES,
    MOVEMENTS,
    Action,
    Change,
    ControlGroup,
    Dependency,
    Need,
    Phase,
    PhaseHandoff,
)
from ctrlmap.models.results import Assignment, Share

LEAD_FUNCTIONS = ("governance", "compliance-reporting", "vendor-management")
"""Who leads the transition and oversees the providers: the first person covering one of these."""


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


def plan_phases(
    profile: Profile,
    lib: Library,
    target_id: str,
    graph: nx.DiGraph[str],
    old: dict[str, Assignment],
    new: dict[str, Assignment],
    phase_of: dict[str, int],
    cutovers: list[Cutover],
    changes: list[Change],
    needs: list[Need],
) -> list[Phase]:
    """The phases: prepare, one per service cut-over (in `cutovers` order), close out."""
    handoffs = _phase_handoffs(graph, profile, lib, old, new, phase_of)
    gains, losses = _flows(old, new, phase_of, lib)
    target = lib.model(target_id).title
    stranded = stranded_work(old, new)
    summary = (
        f"Nothing moves yet. The plan moves each function to where {target}'s defaults put it, "
        "not to whoever does the work today"
        + (
            ", so where the model gives work to a provider whose agreement does not cover it, "
            "nobody would be Responsible: each such function is listed below as a gap to staff "
            "or contract, decided before the cut-overs, and it stays with its current parties "
            "until then."
            if stranded
            else "."
        )
        + " Every action here is done before the first service changes hands, grouped by the "
        "party and agreement it concerns."
    )
    covered = {k for keys in stranded.values() for k in keys}
    # the staffing decisions below say what the unowned findings (and the Accountable gaps
    # they cause) ask, once per function
    kept = [
        n
        for n in needs
        if not (
            n.rule == "unowned"
            or (n.rule == "no-single-accountable" and set(n.controls) <= covered)
        )
    ]
    takers = {c.taker for c in cutovers}
    givers = {p for ch in changes for p in set(ch.from_responsible) - set(ch.to_responsible)}
    opening = _prepare(profile, lib, kept, gains, losses, old, takers, givers)
    opening[1:1] = _staffing(profile, lib, lib.model(target_id), stranded, old)
    phases = [
        Phase(
            phase=1,
            kind="prepare",
            title="Prepare: agreements, due diligence and access before anyone new touches "
            "regulated data",
            summary=summary,
            actions=_grouped(profile, opening),
            controls=(),
            functions=(),
            movements={},
            handoffs=(),
            people=_people_of(profile, gains, losses, lead=True),
            providers=_providers_of(profile, gains, losses),
        )
    ]
    by_phase: dict[int, list[str]] = defaultdict(list)
    for key in old:  # catalog order
        if key in phase_of:
            by_phase[phase_of[key]].append(key)
    by_key = {c.control: c for c in changes}
    for i, cutover in enumerate(cutovers):
        number = i + 2
        phases.append(
            _move_phase(profile, lib, number, cutover, by_phase[number], by_key, old, new, handoffs)
        )
    last = len(cutovers) + 2
    phases.append(
        Phase(
            phase=last,
            kind="close",
            title="Close out: credentials, access and data of the outgoing parties",
            summary="Every service has changed hands. Hand over what the outgoing parties still "
            "hold, revoke what they no longer need, and confirm oversight under the new model.",
            actions=_grouped(
                profile,
                _close(profile, lib, target_id, gains, losses, old, new, phase_of),
                last=True,
            ),
            controls=(),
            functions=(),
            movements={},
            handoffs=(),
            people=_people_of(profile, losses),
            providers=_providers_of(profile, gains, losses),
        )
    )
    return phases


def stranded_work(old: dict[str, Assignment], new: dict[str, Assignment]) -> dict[str, list[str]]:
    """Function -> the controls (catalog order) whose share of it nobody does under the target."""
    found: dict[str, list[str]] = defaultdict(list)
    for key in old:
        for share in new[key].shares:
            if untaken(share) and share.function:
                found[share.function].append(key)
    return found


def _staffing(
    profile: Profile,
    lib: Library,
    model: OperatingModel,
    stranded: dict[str, list[str]],
    old: dict[str, Assignment],
) -> list[Action]:
    """Phase 1: one decision per function the target gives to a provider nobody contracted:
    a gap to staff or contract, not a cut-over."""
    order = list(lib.functions)
    actions = []
    for fid in sorted(stranded, key=lambda f: order.index(f) if f in order else len(order)):
        keys = stranded[fid]
        name = function_name(lib, fid)
        today = [p.name for p in profile.internal if fid in p.functions] or [
            profile.name_of(p)
            for p in profile.party_order(
                q for k in keys for s in old[k].shares if s.function == fid for q in s.parties
            )
            if p != "internal"
        ]
        where = (
            f"keep it with {_list(today)}, who {'does' if len(today) == 1 else 'do'} it today"
            if today
            else "assign it to a member of staff"
        )
        groups = "; ".join(
            f"{lib.catalogs[g.framework].title} {', '.join(g.ranges)}"
            for g in control_groups(profile, list(old), set(keys))
        )
        noun = "control" if len(keys) == 1 else "controls"
        default = model.functions.get(fid)
        gives = (
            "gives it"
            if default is not None and default.owner == "provider"
            else "gives a share of it"
        )
        actions.append(
            Action(
                kind="assignment",
                text=f"Decide who does {name}: {model.title} {gives} to a provider, but no "
                f"provider's agreement covers it for these controls, so {len(keys)} {noun} would have nobody "
                f"doing that work ({groups}). Contract a provider for it (add it to a statement "
                f"of work) or {where}, and record the choice; until then it stays where it is.",
                parties=("internal",),
                functions=(fid,),
            )
        )
    return actions


def function_name(lib: Library, fid: str) -> str:
    """A function's display name in running text (`access management`)."""
    found = lib.functions.get(fid)
    return found.title[:1].lower() + found.title[1:] if found else fid


def _heading(profile: Profile, party: str) -> str:
    if party == "internal":
        return "The organization"
    agreement = next((p.agreement for p in profile.providers if p.id == party), None)
    return f"{profile.name_of(party)} ({agreement or 'no agreement on file yet'})"


def _grouped(profile: Profile, actions: list[Action], last: bool = False) -> tuple[Action, ...]:
    """The actions once each, grouped by the party they concern: the organization first (last
    when `last`), then each provider in profile order; the order within a group is kept.

    Two actions saying the same thing for the same party are one, their functions merged.
    """
    merged: dict[tuple[str, str], Action] = {}
    for action in actions:
        key = (action.party, action.text)
        if key in merged:
            was = merged[key]
            action = was.model_copy(
                update={
                    "functions": tuple(dict.fromkeys((*was.functions, *action.functions))),
                    "parties": tuple(dict.fromkeys((*was.parties, *action.parties))),
                }
            )
        merged[key] = action
    order = list(profile.party_order({a.party for a in merged.values()}))
    if last and "internal" in order:
        order = [*order[1:], "internal"]
    return tuple(
        a.model_copy(update={"heading": _heading(profile, party)})
        for party in order
        for a in merged.values()
        if a.party == party
    )


@dataclass(frozen=True)
class Cutover:
    """One service changing hands: the party that takes it on, and the service."""

    taker: str
    """A provider id, or `internal` when the organization takes the work back."""
    service: str
    """The service cut over, or the services of a folded cut-over as a list in prose."""
    services: tuple[str, ...] = ()
    """Every service this cut-over moves (one unless folded)."""

    @property
    def moves(self) -> tuple[str, ...]:
        """The services this cut-over moves."""
        return self.services or (self.service,)


FOLD_BELOW = 30
"""A party taking on fewer moving controls than this takes them on in one phase, not one per
service: a client follows three cut-overs, not a dozen of one or two controls each."""


def handed_over(before: Assignment, after: Assignment) -> set[str]:
    """The functions of a control whose share changes parties between two assignments of it."""
    was = {s.function: set(s.parties) for s in before.shares if s.function}
    now = {s.function: set(s.parties) for s in after.shares if s.function}
    return {f for f in set(was) | set(now) if was.get(f, set()) != now.get(f, set())}


def untaken(share: Share) -> bool:
    """A function's share nobody takes on: nobody named, or a provider named whose agreement
    does not cover the function (`contracted` false): a decision to make, not a cut-over."""
    return bool(share.function) and (not share.parties or not share.contracted)


def taken_over(before: Assignment, after: Assignment) -> set[str]:
    """The functions of a control that change hands to a party contracted (or staffed) for them."""
    dropped = {s.function for s in after.shares if untaken(s)}
    return handed_over(before, after) - dropped


def service_of(lib: Library, function: str) -> str:
    """The service a function changes hands with: the taxonomy's `service`, else its title."""
    found = lib.functions.get(function)
    if found is None:
        return function
    return found.service or found.title


def taker_of(profile: Profile, before: Assignment, after: Assignment) -> str:
    """The party a moving control's work goes to: a provider joining, the organization taking
    work back, or (when nobody new joins) the party left doing it or newly Accountable."""
    r1 = set(before.raci.responsible) if before.raci else set()
    r2 = set(after.raci.responsible) if after.raci else set()
    # a provider named for work its agreement does not cover takes nothing on
    taken = taken_over(before, after)
    doing = {p for s in after.shares if s.function in taken for p in s.parties}
    if doing:
        r2 = (r2 & doing) | (r2 & r1)
    gained = [p for p in profile.party_order(r2 - r1) if p != "internal"]
    if gained:
        return gained[0]
    if "internal" in r2 - r1:
        return "internal"
    remaining = [p for p in profile.party_order(r2) if p != "internal"]
    if "internal" in r1 - r2 and remaining:
        return remaining[0]
    if r1 - r2 and "internal" in r2:
        return "internal"
    if remaining and r1 != r2:
        return remaining[0]
    return after.accountable or "internal"


def plan_cutovers(
    graph: nx.DiGraph[str],
    lib: Library,
    profile: Profile,
    old: dict[str, Assignment],
    new: dict[str, Assignment],
    moved: dict[str, tuple[str, ...]],
) -> tuple[list[Cutover], dict[str, int]]:
    """The service cut-overs in order, and the index of the one each moving control moves with.

    `moved` gives each moving control's functions whose arrangement changes. A control belongs
    to the cut-over of the party its work goes to and the service of its first such function.
    Cut-overs are ordered so that a service moves after the services it rests on (cyclic ones
    greedily, the fewest unmet dependencies first); then a control moves with its cut-over or,
    when a control it depends on (directly or through controls that do not move) moves later,
    with that one: every prerequisite moves before or with its dependents, never after.
    """
    order = {f: i for i, f in enumerate(lib.functions)}
    home: dict[str, Cutover] = {}
    for key, functions in moved.items():
        first = min(functions, key=lambda f: (order.get(f, len(order)), f))
        home[key] = Cutover(taker_of(profile, old[key], new[key]), service_of(lib, first))
    service_rank: dict[str, int] = {}
    for fid in lib.functions:
        service_rank.setdefault(service_of(lib, fid), len(service_rank))
    home = _folded(home, service_rank)
    rank = {
        p: i
        for i, p in enumerate(profile.party_order({"internal", *(x.id for x in profile.providers)}))
    }

    def sort_key(unit: Cutover) -> tuple[int, int, str, str]:
        return (
            min(service_rank.get(s, 99) for s in unit.moves),
            rank.get(unit.taker, 99),
            unit.service,
            unit.taker,
        )

    nearest = _moving_prerequisites(graph, set(home))
    units: nx.DiGraph[Cutover] = nx.DiGraph()
    units.add_nodes_from(home.values())
    for key, prerequisites in nearest.items():
        for prerequisite in prerequisites:
            a, b = home[key], home[prerequisite]
            if a != b:
                weight = units.get_edge_data(a, b, {}).get("weight", 0)
                units.add_edge(a, b, weight=weight + 1)
    ordered = _order_units(units, sort_key)
    index = {u: i for i, u in enumerate(ordered)}
    position: dict[str, int] = {}
    carried: dict[str, int] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        latest = max(
            (position[s] if s in position else carried.get(s, -1) for s in graph.successors(node)),
            default=-1,
        )
        if node in home:
            position[node] = max(index[home[node]], latest)
        carried[node] = position.get(node, latest)
    used = sorted({position[k] for k in home})
    renumber = {old_index: i for i, old_index in enumerate(used)}
    return [ordered[i] for i in used], {k: renumber[position[k]] for k in home}


def _folded(home: dict[str, Cutover], service_rank: dict[str, int]) -> dict[str, Cutover]:
    """Each control's cut-over, a party's cut-overs folded into one when it takes on fewer than
    FOLD_BELOW controls."""
    taken: dict[str, list[str]] = defaultdict(list)
    for key, unit in home.items():
        taken[unit.taker].append(key)
    folded: dict[str, Cutover] = {}
    for keys in taken.values():
        services = sorted(
            {home[k].service for k in keys}, key=lambda s: (service_rank.get(s, 99), s)
        )
        if len(keys) >= FOLD_BELOW or len(services) == 1:
            folded.update((k, home[k]) for k in keys)
            continue
        unit = Cutover(home[keys[0]].taker, _all(services), tuple(services))
        folded.update(dict.fromkeys(keys, unit))
    return folded


def _moving_prerequisites(graph: nx.DiGraph[str], moving: set[str]) -> dict[str, set[str]]:
    """Each moving control's nearest moving prerequisites, directly or through controls that do
    not move (or are not applicable: a conservative reading of the catalog's order)."""
    nearest: dict[str, set[str]] = {}
    through: dict[str, set[str]] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        found: set[str] = set()
        for succ in graph.successors(node):
            found |= {succ} if succ in moving else through[succ]
        through[node] = found
        if node in moving:
            nearest[node] = found
    return nearest


def _order_units(
    units: nx.DiGraph[Cutover], sort_key: Callable[[Cutover], tuple[int, int, str, str]]
) -> list[Cutover]:
    """Prerequisite services first; within a cycle, the one with the fewest unmet dependencies."""
    condensed = nx.condensation(units)
    members = nx.get_node_attributes(condensed, "members")
    first = nx.lexicographical_topological_sort(
        condensed.reverse(copy=True), key=lambda n: sort_key(min(members[n], key=sort_key))
    )
    out: list[Cutover] = []
    for component in first:
        rest = set(members[component])
        while rest:
            best = _fewest_unmet(units, rest, sort_key)
            out.append(best)
            rest.remove(best)
    return out


def _fewest_unmet(
    units: nx.DiGraph[Cutover],
    rest: set[Cutover],
    sort_key: Callable[[Cutover], tuple[int, int, str, str]],
) -> Cutover:
    """The cut-over of `rest` whose controls depend least on the others of `rest`."""
    return min(
        rest,
        key=lambda unit: (
            sum(d["weight"] for _, v, d in units.out_edges(unit, data=True) if v in rest),
            sort_key(unit),
        ),
    )


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
        # work nobody takes on stays with its current parties until phase 1's decision
        after = {
            s.function: before.get(s.function, set()) if untaken(s) else set(s.parties)
            for s in new[key].shares
            if s.function
        }
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
    if len(items) <= limit:
        return join_names(shown)
    return ", ".join(shown) + f" and {len(items) - limit} more"


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
    takers: Iterable[str] = (),
    givers: Iterable[str] = (),
) -> list[Action]:
    """Phase 1: what must exist before anyone new touches regulated data.

    `takers` and `givers`: the parties that take on work in a cut-over and those that give
    work up, whom the transition lead briefs besides the organization's own staff.

    Long because each opening action (briefing, due diligence, agreements, access) has its own wording.
    """
    incoming = [p for p in profile.party_order({*gains, *takers}) if p != "internal"]
    outgoing = [
        p for p in profile.party_order({*losses, *givers}) if p != "internal" and p not in incoming
    ]
    involved = profile.party_order({"internal", *incoming, *outgoing})
    owners = _covering(profile, LEAD_FUNCTIONS)
    roles = [
        f"{label}: {_all(profile.name_of(p) for p in parties)}"
        for label, parties in (("taking on work", incoming), ("handing work over", outgoing))
        if parties
    ]
    audience = (
        f"the organization's own staff and the providers involved ({'; '.join(roles)}) on this plan"
        if roles
        else "the organization's own staff on this plan"
    )
    plan = (
        ": who takes on what in which phase, the hand-offs that keep each dependency covered "
        "meanwhile, and whom to call while responsibilities shift."
    )
    if owners:
        lead = profile.name_of(owners[0])
        briefing = f"Make {lead} responsible for the transition; {lead} briefs {audience}{plan}"
    else:
        briefing = (
            f"Name an internal owner responsible for the transition, who briefs {audience}{plan}"
        )
    # The seed: phase the onboarding so support does not lapse while responsibilities shift.
    actions = [Action(kind="briefing", text=briefing, parties=tuple(involved))]
    working = {p for a in old.values() if a.raci for p in a.raci.responsible}
    incoming = [p for p in profile.party_order(gains) if p != "internal"]
    for provider in incoming:
        functions = tuple(gains[provider])
        verb = "extending its role to" if provider in working else "engaging it for"
        actions.append(
            Action(
                kind="due-diligence",
                text=f"Carry out due diligence on {profile.name_of(provider)} before {verb} "
                f"{_all(function_name(lib, f) for f in functions)}: its security program, audit reports or certifications, "
                "incident history and references.",
                parties=("internal", provider),
                functions=functions,
                citation=_cite(lib, profile, DUE_DILIGENCE),
                party=provider,
            )
        )
    actions.extend(_need_actions(profile, lib, needs))
    for provider in incoming:
        functions = tuple(gains[provider])
        actions.append(
            Action(
                kind="access",
                text=f"Once its agreement is signed, give {profile.name_of(provider)} named, "
                f"least-privilege, MFA-protected access for {_all(function_name(lib, f) for f in functions)}, and record it in "
                "the access register.",
                parties=("internal", provider),
                functions=functions,
                citation=_cite(lib, profile, ACCESS_GRANT),
                party=provider,
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
                f"{_all(function_name(lib, f) for f in functions)} before the organization takes that work on.",
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
            party=_concerns(slot),
        )
        for slot in slots
    ]


def _concerns(need: Need) -> str:
    """An agreement or a split concerns its provider; everything else, the organization."""
    providers = [p for p in need.parties if p != "internal"]
    return providers[0] if need.kind in ("agreement", "split") and providers else "internal"


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
            text=f"Extend {possessive(names)} agreement"
            + (f" ({agreement})" if agreement else "")
            + f" to cover {_all(function_name(lib, f) for f in functions)} before it takes that work on, or give the work to "
            "someone else with an override.",
            parties=("internal", *providers),
            functions=functions,
            citation=_cite(lib, profile, CONTRACT),
            party=providers[0] if providers else "internal",
        )
    return Action(
        kind="split",
        text=f"Document who does which part of {_all(function_name(lib, f) for f in functions)} between the organization and "
        f"{names}: a split per function in the profile and in the statement of work.",
        parties=parties,
        functions=functions,
        citation=_cite(lib, profile, SPLITS),
        party=providers[0] if providers else "internal",
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
    moving: Iterable[str] = (),
) -> list[Action]:
    """The last phase: credentials handed over, access revoked, data returned, oversight confirmed.

    Long because each closing action (credentials, revocation, hand-over, oversight) has its own wording.
    """
    actions: list[Action] = []
    still = {p for a in new.values() if a.raci for p in a.raci.responsible}
    incoming = [p for p in profile.party_order(gains) if p != "internal"]
    for party in profile.party_order(losses):
        functions = tuple(losses[party])
        if party == "internal":
            takers = [p for p in incoming if set(gains[p]) & set(functions)] or [
                # a provider that shared the work and now does all of it takes it on
                p
                for p in profile.party_order(
                    q
                    for key in moving
                    for s in new[key].shares
                    if s.function in functions and not untaken(s)
                    for q in s.parties
                )
                if p != "internal"
            ]
            people = _covering(profile, functions)
            to = _list(profile.name_of(p) for p in takers) if takers else "the parties taking it on"
            staff = _list(profile.name_of(p) for p in people) if people else "the internal staff"
            actions.append(
                Action(
                    kind="credentials",
                    text=f"Hand over to {to} the credentials, tool consoles, documentation and "
                    f"runbooks (network maps, asset inventory, configurations) for {_all(function_name(lib, f) for f in functions)}; "
                    "keep a break-glass administrator account under the organization's control.",
                    parties=("internal", *takers),
                    functions=functions,
                    party=takers[0] if len(takers) == 1 else "internal",
                )
            )
            actions.append(
                Action(
                    kind="revoke-access",
                    text=f"Reduce the standing administrative access of {staff} for "
                    f"{_all(function_name(lib, f) for f in functions)} to what their remaining role needs.",
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
                f"for {_all(function_name(lib, f) for f in functions)}, and rotate every secret it knew.",
                parties=("internal", party),
                functions=functions,
                party=party,
            )
        )
        actions.append(
            Action(
                kind="revoke-access",
                text=f"Revoke {possessive(name)} access for {_all(function_name(lib, f) for f in functions)}"
                + (" (all of it: it no longer works for the organization)" if leaves else "")
                + " and confirm the removal in the access register.",
                parties=("internal", party),
                functions=functions,
                citation=_cite(lib, profile, ACCESS_REVOKE),
                party=party,
            )
        )
        actions.append(
            Action(
                kind="data",
                text=f"Have {name} return or securely destroy the regulated data it held for "
                f"{_all(function_name(lib, f) for f in functions)}, and certify the destruction in writing.",
                parties=("internal", party),
                functions=functions,
                citation=_cite(lib, profile, DISPOSAL),
                party=party,
            )
        )
        actions.append(
            Action(
                kind="agreement",
                text=f"End the agreement with {name}."
                if leaves
                else f"Amend {possessive(name)} agreement to remove {_all(function_name(lib, f) for f in functions)}.",
                parties=("internal", party),
                functions=functions,
                party=party,
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
                text=f"{overseer} reviews {possessive(profile.name_of(provider))} performance of "
                f"{_list(function_name(lib, f) for f in gains[provider])} after the move and records the date as last_reviewed.",
                parties=("internal", provider),
                functions=tuple(gains[provider]),
                citation=oversight or None,
                party=provider,
            )
        )
    actions.append(
        Action(
            kind="profile",
            text="Keep the signed agreements, access changes and destruction certificates as "
            f"evidence of the transition, and assess the organization again under "
            f"{lib.model(target_id).title}. In the profile: model: {target_id}, with the new "
            "splits, hand-offs and agreements; then rerun `ctrlmap gaps`.",
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
    cutover: Cutover,
    keys: list[str],
    changes: dict[str, Change],
    old: dict[str, Assignment],
    new: dict[str, Assignment],
    handoffs: dict[int, list[PhaseHandoff]],
) -> Phase:
    """One service cut-over: its controls (compactly), functions, hand-offs, people, providers.

    Long because the title and summary are worded from the cut-over's figures.
    """
    counts: dict[str, int] = defaultdict(int)
    handed = {k: taken_over(old[k], new[k]) for k in keys}

    def moving(key: str) -> list[str]:
        # the functions that change hands say what moves; a control's other functions do not
        why = [f.function for f in changes[key].why]
        return (
            [f for f in why if f in handed[key]]
            or [f for f in lib.controls[key].functions if f in handed[key]]
            or why
            or list(lib.controls[key].functions)
        )

    for key in keys:
        for fid in moving(key):
            counts[fid] += 1
    functions = tuple(sorted(counts, key=lambda f: (-counts[f], f)))
    order = list(lib.functions)
    own = sorted(
        {
            f
            for k in keys
            if taker_of(profile, old[k], new[k]) == cutover.taker
            for f in moving(k)
            if service_of(lib, f) in cutover.moves
        },
        key=lambda f: order.index(f) if f in order else len(order),
    )
    movements = {m: n for m in MOVEMENTS if (n := sum(changes[k].movement == m for k in keys))}
    givers = [
        p
        for p in profile.party_order(
            {
                q
                for k in keys
                for q in set(changes[k].from_responsible) - set(changes[k].to_responsible)
            }
        )
        if p != cutover.taker
    ]
    if not givers:
        # nobody leaves the work (it becomes shared, or only its Accountable party changes): it
        # comes from the parties that did it, or answered for it, before
        before: set[str] = set()
        for k in keys:
            if set(movements) == {"accountability-only"}:
                before.update(p for p in (changes[k].from_accountable,) if p is not None)
            else:
                before.update(changes[k].from_responsible)
        givers = [p for p in profile.party_order(before) if p != cutover.taker]
    frm = f" from {_list(profile.name_of(p) for p in givers)}" if givers else ""
    service = cutover.service
    if cutover.taker == "internal":
        share = "a share of " if set(movements) == {"to-shared"} else ""
        title = f"The organization takes back {share}{service}{frm}"
    elif set(movements) == {"accountability-only"}:
        # the same parties keep doing the work: only who answers for it changes
        instead = f" in place of {_list(profile.name_of(p) for p in givers)}" if givers else ""
        title = f"{profile.name_of(cutover.taker)} becomes accountable for {service}{instead}"
    elif set(movements) == {"to-shared"}:
        title = f"{profile.name_of(cutover.taker)} takes on a share of {service}{frm}"
    else:
        title = f"{profile.name_of(cutover.taker)} takes over {service}{frm}"
    if own:
        title += f": {_all(function_name(lib, f) for f in own)}"
    noun = "control moves" if len(keys) == 1 else "controls move"
    moves = ", ".join(f"{n} {MOVEMENT_PHRASES[m]}" for m, n in movements.items())
    summary = (
        f"{len(keys)} {noun} ({moves}). Every moving control they depend on moves in an earlier "
        "phase or in this one."
    )
    waiting = sorted({service_of(lib, moving(k)[0]) for k in keys} - set(cutover.moves))
    if waiting:
        late = sum(service_of(lib, moving(k)[0]) not in cutover.moves for k in keys)
        summary += (
            f" 1 of them belongs to {_all(waiting)} and moves here because it depends on work "
            "this phase moves."
            if late == 1
            else f" {late} of them belong to {_all(waiting)} and move here because they depend "
            "on work this phase moves."
        )
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
        service=service,
        taker=cutover.taker,
        control_groups=control_groups(profile, list(old), set(keys)),
    )


def control_groups(
    profile: Profile, catalog_order: list[str], keys: set[str]
) -> tuple[ControlGroup, ...]:
    """`keys` per framework as runs of consecutive controls in `catalog_order`."""
    runs: dict[str, list[list[str]]] = defaultdict(list)
    previous: str | None = None
    for key in catalog_order:
        if key not in keys:
            previous = None
            continue
        framework, ident = split_key(key)
        if previous == framework:
            runs[framework][-1].append(ident)
        else:
            runs[framework].append([ident])
        previous = framework
    return tuple(
        ControlGroup(
            framework=fw,
            count=sum(len(r) for r in runs[fw]),
            ranges=tuple(r[0] if len(r) == 1 else f"{r[0]} – {r[-1]}" for r in runs[fw]),
        )
        for fw in profile.frameworks
        if fw in runs
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

    Long because the interim and lasting hand-offs are one sweep over the phases.
    """

    def state(key: str, t: int) -> Assignment:
        return new[key] if key in phase_of and phase_of[key] <= t else old[key]

    def pairs(dependent: str, prerequisite: str, t: int) -> set[tuple[str, str]]:
        return set(crossings(state(dependent, t), state(prerequisite, t)))

    groups: dict[tuple[int, str, str, int | None, str | None], list[tuple[str, str]]] = defaultdict(
        list
    )
    for dependent, prerequisite in interfaces(graph):
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
