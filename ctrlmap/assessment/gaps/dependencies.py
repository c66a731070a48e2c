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
from ctrlmap.models.base import join_names, plural

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
    # root findings that put exactly the same controls at risk are one consequence, listed once;
    # a set that only overlaps another's, or lies inside it, is different work and stays apart
    groups: dict[frozenset[str], list[Finding]] = {}
    for root in (f for rule_id in BLOCKING for f in facts.found.get(rule_id, [])):
        inside = set(root.controls)
        downstream = facts.downstream(root.controls)
        # the units under a root finding's controls share its gap already; only work that rests
        # on it from elsewhere is news
        under = {c for key in inside for c in facts.lib.subtree(key)}
        if downstream - under:
            groups.setdefault(frozenset(downstream), []).append(root)
    for dependents, roots in groups.items():
        keys = sorted(dependents)
        chain = _chain(graph, keys[0], {c for root in roots for c in root.controls})
        ids = join_names(finding_id(root.rule, root.key) for root in roots)
        yield Finding(
            rule="at-risk-dependency",
            key=_key(roots),
            controls=keys,
            parties=list(dict.fromkeys(p for root in roots for p in root.parties)),
            functions=list(dict.fromkeys(f for root in roots for f in root.functions)),
            message=f"{plural(len(keys), 'control')} {'depends' if len(keys) == 1 else 'depend'}, directly or not, on {_roots(facts, roots)}: "
            f"e.g. {' depends on '.join(split_key(k)[1] for k in chain)}.",
            remediation=remedy(
                f"Resolve {'finding' if len(roots) == 1 else 'findings'} {ids} first; these "
                "controls cannot be relied on until then."
            ),
            citation=facts.citations(keys),
            chain=chain,
        )


def _key(roots: list[Finding]) -> tuple[str, ...]:
    """The finding's key: its root finding's rule and key, so a single root keeps the id it has
    always had; for several, each root's, sorted and joined by `+`, so the id does not
    depend on the order the rules found them."""
    key: list[str] = []
    for part in sorted((root.rule, *root.key) for root in roots):
        key.extend(("+", *part) if key else part)
    return tuple(key)


def _roots(facts: Facts, roots: list[Finding]) -> str:
    """The root findings as running text: the work of each rule in words, then each finding's
    controls and id; where there are several, each finding by its functions too."""
    by_rule: dict[str, list[Finding]] = {}
    for root in roots:
        by_rule.setdefault(root.rule, []).append(root)

    def cite(root: Finding) -> str:
        where = (
            f"{control_list(facts, root.controls, 3)}, finding {finding_id(root.rule, root.key)}"
        )
        if len(roots) == 1 or not root.functions:
            return where
        return f"{facts.functions(root.functions)} on {where}"

    return " and on ".join(
        f"{ROOT[rule_id]} ({'; '.join(cite(r) for r in found)})"
        for rule_id, found in by_rule.items()
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
