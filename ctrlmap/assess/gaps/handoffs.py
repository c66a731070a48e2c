"""Hand-off rule: a dependency crosses parties with no documented interface."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ctrlmap.assess.gaps.registry import (
    Facts,
    Finding,
    rule,
    unique_sorted,
)
from ctrlmap.models import split_key

if TYPE_CHECKING:
    pass


@rule("missing-handoff", base=2)
def missing_handoff(facts: Facts) -> Iterator[Finding]:
    """A dependency crosses parties with no documented hand-off between them."""
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    graph = facts.scope.graph
    for dependent, prerequisite in graph.edges:
        a, b = facts.applicable.get(dependent), facts.applicable.get(prerequisite)
        if a is None or b is None or a.raci is None or b.raci is None:
            continue
        for p in b.raci.responsible:
            for q in a.raci.responsible:
                if p != q and not _handed_off(facts, p, q, prerequisite, dependent):
                    groups[(p, q)].append((dependent, prerequisite))
    for (p, q), edges in sorted(groups.items()):
        keys = unique_sorted(k for edge in edges for k in edge)
        functions = unique_sorted(f for _, b in edges for f in facts.control(b).functions)
        yield Finding(
            rule="missing-handoff",
            controls=keys,
            parties=[p, q],
            functions=functions,
            message=f"{len(edges)} dependenc{'y' if len(edges) == 1 else 'ies'} run from work of "
            f"{facts.name(p)} to work of {facts.name(q)} with no documented hand-off "
            f"(e.g. {split_key(edges[0][0])[1]} depends on {split_key(edges[0][1])[1]}).",
            remediation=f"Document how {facts.name(p)} hands results to {facts.name(q)} (handoffs: from {p}, "
            f"to {q}, with the functions and the agreement clause).",
            citation=facts.citations(keys),
            chain=[f"{d} depends on {b}" for d, b in edges[:20]],
        )


def _handed_off(facts: Facts, p: str, q: str, prerequisite: str, dependent: str) -> bool:
    from_functions = facts.control(prerequisite).functions
    to_functions = facts.control(dependent).functions
    return any(
        h.from_ == p
        and h.to == q
        and (h.from_function is None or h.from_function in from_functions)
        and (h.to_function is None or h.to_function in to_functions)
        for h in facts.profile.handoffs
    )
