"""Hand-off rule: a dependency crosses parties with no documented interface."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ctrlmap.assessment.gaps.registry import (
    Facts,
    Finding,
    rule,
    unique_sorted,
)
from ctrlmap.assessment.parties import covering_handoff, crossings
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
        if a is None or b is None:
            continue
        for p, q in crossings(a, b):
            if not _handed_off(facts, p, q, prerequisite, dependent):
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
            dependencies=len(edges),
        )


def _handed_off(facts: Facts, p: str, q: str, prerequisite: str, dependent: str) -> bool:
    return (
        covering_handoff(
            facts.profile.handoffs,
            p,
            q,
            facts.control(prerequisite).functions,
            facts.control(dependent).functions,
        )
        is not None
    )
