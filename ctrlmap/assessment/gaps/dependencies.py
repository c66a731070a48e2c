"""Dependency rule: controls downstream of a blocking gap."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ctrlmap.assessment.gaps.registry import (
    BLOCKING,
    Facts,
    Finding,
    control_list,
    finding_id,
    remedy,
    rule,
)
from ctrlmap.models import split_key

if TYPE_CHECKING:
    import networkx as nx


ROOT = {
    "unowned": "work nobody does",
    "no-single-accountable": "work nobody is Accountable for",
    "provider-not-contracted": "work a provider does without an agreement that covers it",
    "no-internal-capability": "work the organization holds but none of its people can do",
}
"""The blocking findings' work, in words, for the controls that rest on it."""


@rule(
    "at-risk-dependency",
    base="low",
    why="A consequence of a blocking finding, listed so its reach is visible; fix the root finding.",
    reads=BLOCKING,
)
def at_risk_dependency(facts: Facts) -> Iterator[Finding]:
    """Controls downstream of a blocking gap: they depend, directly or not, on work nobody can deliver."""
    graph = facts.scope.graph
    roots = [f for rule_id in BLOCKING for f in facts.found.get(rule_id, [])]
    for root in roots:
        inside = set(root.controls)
        downstream = facts.downstream(root.controls)
        # the units under a root finding's controls share its gap already; only work that rests
        # on it from elsewhere is news
        under = {c for key in inside for c in facts.lib.subtree(key)}
        if not downstream - under:
            continue
        keys = sorted(downstream)
        chain = _chain(graph, keys[0], inside)
        yield Finding(
            rule="at-risk-dependency",
            key=(root.rule, *root.key),
            controls=keys,
            parties=list(root.parties),
            functions=list(root.functions),
            message=f"{len(keys)} control(s) depend, directly or not, on {ROOT[root.rule]} "
            f"({control_list(facts, root.controls, 3)}, finding {finding_id(root.rule, root.key)}): "
            f"e.g. {' depends on '.join(split_key(k)[1] for k in chain)}.",
            remediation=remedy(
                f"Resolve finding {finding_id(root.rule, root.key)} first; these controls cannot "
                "be relied on until then."
            ),
            citation=facts.citations(keys),
            chain=chain,
        )


def _chain(graph: nx.DiGraph[str], start: str, targets: set[str]) -> list[str]:
    """The shortest path from `start` to one of `targets` (the first of them in sorted order
    among the nearest): one breadth-first walk finds the nearest, where a search per target
    was quadratic in a finding of thousands of controls."""
    import networkx as nx

    if start not in graph:
        return [start]
    distance = nx.single_source_shortest_path_length(graph, start)
    reached = sorted(t for t in targets if t in distance)
    if not reached:
        return [start]
    nearest = min(reached, key=lambda t: distance[t])
    return list(nx.shortest_path(graph, start, nearest))
