"""Hand-off rule: dependencies cross between two parties with no documented interface."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator

from ctrlmap.assessment.gaps.registry import Facts, Finding, remedy, rule, unique_sorted
from ctrlmap.assessment.parties import covering_handoff, crossings, scope_interfaces
from ctrlmap.models import split_key
from ctrlmap.models.results import Assignment, HandoffNeed

DETECTS = frozenset({"security-monitoring", "incident-response"})
NOTIFIES = frozenset({"incident-response", "regulatory-notification"})
"""A dependency from detection to notification, where a breach clock runs, weighs more."""


def _done_by(facts: Facts, a: Assignment, party: str) -> list[str]:
    """The functions of a control whose share the party does (all of them for a role's share)."""
    control = facts.control(a.control)
    found = [s.function for s in a.shares if party in s.parties and s.function is not None]
    if any(party in s.parties and s.function is None for s in a.shares):
        found.extend(control.functions)
    return list(dict.fromkeys(found)) or list(control.functions)


def _incident_interface(facts: Facts, p: str, q: str) -> bool:
    """Whether p and q documented how an incident passes from p to q (a detection to response or
    notification hand-off): then the rest of their interface does not run on the breach clock."""
    return covering_handoff(facts.profile.handoffs, p, q, DETECTS, NOTIFIES) is not None


def _uncovered(
    facts: Facts,
    a: Assignment,
    b: Assignment,
    pairs: dict[frozenset[str], set[tuple[str, str, str, str]]],
    done_by: Callable[[Assignment, str], list[str]],
) -> list[tuple[frozenset[str], str, str]]:
    """The crossings of `a` depending on `b` that no hand-off covers, their flows noted in `pairs`
    (`done_by`: `_done_by` for these facts, remembered)."""
    found: list[tuple[frozenset[str], str, str]] = []
    crossed = crossings(a, b)
    if not crossed:
        return found
    for p, q in crossed:
        froms, tos = done_by(b, p), done_by(a, q)
        if covering_handoff(facts.profile.handoffs, p, q, froms, tos) is not None:
            continue
        key = frozenset((p, q))
        found.append((key, p, q))
        pairs[key].update((p, f, q, g) for f in froms for g in tos)
    return found


@rule(
    "missing-handoff",
    base="medium",
    why="An undocumented interface between two parties: work waits on results nobody agreed to "
    "deliver. High on the path from detection to notification, where a breach clock runs.",
)
def missing_handoff(facts: Facts) -> Iterator[Finding]:
    """Dependencies cross between two parties with no documented hand-off: one finding per pair.

    Long because each direction of a pair is described with its flows and example.
    """
    edges: dict[frozenset[str], list[tuple[str, str, str, str]]] = defaultdict(list)
    pairs: dict[frozenset[str], set[tuple[str, str, str, str]]] = defaultdict(set)
    # Controls resolved alike cross alike (Context.alike): the uncovered crossings of a
    # dependency depend only on each end's functions and who does each share, so they are
    # worked out once per pair of resolutions (with hundreds of providers an edge has thousands
    # of crossings, and edges repeat them), and a party's functions once per resolution.
    known: dict[tuple[int, int], list[tuple[frozenset[str], str, str]]] = {}
    resolution = facts.ctx.alike
    functions: dict[tuple[int, str], list[str]] = {}

    def done_by(a: Assignment, party: str) -> list[str]:
        key = (resolution[a.control], party)
        found = functions.get(key)
        if found is None:
            found = functions[key] = _done_by(facts, a, party)
        return found

    for dependent, prerequisite in scope_interfaces(facts.scope):
        a, b = facts.applicable.get(dependent), facts.applicable.get(prerequisite)
        if a is None or b is None:
            continue
        alike = (resolution[dependent], resolution[prerequisite])
        uncovered = known.get(alike)
        if uncovered is None:
            uncovered = known[alike] = _uncovered(facts, a, b, pairs, done_by)
        for key, p, q in uncovered:
            edges[key].append((dependent, prerequisite, p, q))
    for key, found in sorted(edges.items(), key=lambda item: facts.profile.party_order(item[0])):
        first, second = facts.profile.party_order(key)
        on_clock = any(
            f in DETECTS and g in NOTIFIES and not _incident_interface(facts, p, q)
            for p, f, q, g in pairs[key]
        )
        directions = []
        needs = []
        for p, q in ((first, second), (second, first)):
            these = [e for e in found if (e[2], e[3]) == (p, q)]
            if not these:
                continue
            flows = sorted({f"{f} -> {g}" for pp, f, qq, g in pairs[key] if (pp, qq) == (p, q)})
            example = f"{split_key(these[0][0])[1]} depends on {split_key(these[0][1])[1]}"
            needs.append(
                HandoffNeed.model_validate(
                    {
                        "from": p,
                        "to": q,
                        "dependencies": len(these),
                        "flows": tuple(flows),
                        "example": example,
                    }
                )
            )
            work = sorted(
                {
                    f"{facts.function(f)} to {facts.function(g)}"
                    for pp, f, qq, g in pairs[key]
                    if (pp, qq) == (p, q)
                }
            )
            directions.append(
                f"{facts.name(p)} to {facts.name(q)}: {len(these)} (e.g. {example}; "
                f"{'; '.join(work[:3])}{' and more' if len(work) > 3 else ''})"
            )
        keys = unique_sorted(k for e in found for k in e[:2])
        yield Finding(
            rule="missing-handoff",
            key=tuple(sorted(key)),
            controls=keys,
            parties=[first, second],
            functions=unique_sorted(f for _, f, _, g in pairs[key] for f in (f, g)),
            message=f"{len(found)} dependenc{'y crosses' if len(found) == 1 else 'ies cross'} between "
            f"{facts.name(first)} and {facts.name(second)} with no documented hand-off: "
            + "; ".join(directions)
            + ("." if not on_clock else ". Some lie between detection and notification."),
            remediation=remedy(
                f"Document the hand-offs between {facts.name(first)} and {facts.name(second)}: "
                "in each direction that has dependencies, what is handed over, how fast, and the "
                "agreement clause that says so.",
                "a hand-off per direction (from, to, the functions, the agreement).",
            ),
            citation="ctrlmap practice, on the work of " + facts.citations(keys),
            chain=[
                f"{split_key(d)[1]} depends on {split_key(b)[1]} ({facts.name(p)} to {facts.name(q)})"
                for d, b, p, q in found[:20]
            ],
            dependencies=len(found),
            handoffs=needs,
            base="high" if on_clock else None,
        )
