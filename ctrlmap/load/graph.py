"""The dependency graph between controls, built once per set of catalogs.

An edge A -> B means A depends on B (B is A's prerequisite), so everything that depends on X,
directly or not, is `nx.ancestors(G, X)`. A child depends on its parent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from ctrlmap.models import global_key
from ctrlmap.models.results import AssignResult, GraphEdge, GraphNode, GraphResult

if TYPE_CHECKING:
    from ctrlmap.load.library import Library


def build_graph(lib: Library) -> nx.DiGraph[str]:
    """One DiGraph over every control of every catalog; hub catalogs carry no edges."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    for cat in lib.catalogs.values():
        for control in cat.controls:
            graph.add_node(
                global_key(cat.id, control.id),
                catalog=cat.id,
                level=control.level,
                status=control.status,
                hub=cat.hub,
            )
    for cat in lib.catalogs.values():
        for control in cat.controls:
            key = global_key(cat.id, control.id)
            if control.parent is not None:
                graph.add_edge(
                    key,
                    global_key(cat.id, control.parent),
                    kind="parent",
                    basis="text",
                    reason="a specification depends on its standard",
                )
            for dep in control.depends_on:
                graph.add_edge(
                    key,
                    lib.resolve(cat.id, dep.control),
                    kind="depends_on",
                    basis=dep.basis,
                    reason=dep.reason or "",
                )
    return graph


@dataclass(frozen=True)
class Scope:
    """A profile's part of the graph and each control's weight, built once per catalog set."""

    graph: nx.DiGraph[str]
    weights: dict[str, int]

    def weight(self, key: str) -> int:
        """How many controls in scope depend on this one, directly or not."""
        return self.weights.get(key, 0)


def build_scope(
    graph: nx.DiGraph[str], frameworks: Iterable[str], include_proposed: bool = False
) -> Scope:
    """The scoped graph of a set of frameworks with its weights."""
    sub = scope(graph, frameworks, include_proposed)
    return Scope(sub, dependents(sub))


def scope(
    graph: nx.DiGraph[str], frameworks: Iterable[str], include_proposed: bool = False
) -> nx.DiGraph[str]:
    """The subgraph of a profile's frameworks plus the external prerequisites they point to.

    External nodes (controls of catalogs outside the frameworks) carry `external=True`; they are
    shown, never assigned. Proposed controls are left out unless asked for.
    """
    wanted = set(frameworks)
    keep = {
        node
        for node, data in graph.nodes(data=True)
        if data["catalog"] in wanted
        and (data["status"] == "active" or (include_proposed and data["status"] == "proposed"))
    }
    external = {
        target
        for node in keep
        for target in graph.successors(node)
        if target not in keep and (include_proposed or graph.nodes[target]["status"] != "proposed")
    }
    sub: nx.DiGraph[str] = nx.DiGraph()
    for node in sorted(keep | external):
        sub.add_node(node, **graph.nodes[node], external=node in external)
    for node in keep:
        for target in graph.successors(node):
            if target in sub:
                sub.add_edge(node, target, **graph.edges[node, target])
    return sub


def dependents(graph: nx.DiGraph[str]) -> dict[str, int]:
    """How many controls depend on each control, directly or not (its weight)."""
    weight: dict[str, int] = {}
    # ancestors of X are the nodes that reach X; in reverse topological order we can union sets.
    reach: dict[str, frozenset[str]] = {}
    for node in nx.topological_sort(graph):
        preds = graph.predecessors(node)
        acc: set[str] = set()
        for pred in preds:
            acc.add(pred)
            acc |= reach[pred]
        reach[node] = frozenset(acc)
        weight[node] = len(acc)
    return weight


def graph_view(
    lib: Library,
    result: AssignResult,
    frameworks: Iterable[str] | None = None,
    include_proposed: bool = False,
) -> GraphResult:
    """The scoped graph with each node's owner and each edge's party crossing.

    With `frameworks`, only their controls are shown, plus the prerequisites they point to in
    other catalogs, as context nodes (`external`), so that no dependency silently disappears.
    """
    scoped = lib.scope(result.frameworks, include_proposed)
    wanted = set(frameworks) if frameworks else set(result.frameworks)
    by_key = {a.control: a for a in result.assignments}
    shown = {key for key, data in scoped.graph.nodes(data=True) if data["catalog"] in wanted}
    context = {t for key in shown for t in scoped.graph.successors(key) if t not in shown}
    nodes = []
    for key, data in scoped.graph.nodes(data=True):
        if key not in shown and key not in context:
            continue
        a = by_key.get(key)
        nodes.append(
            GraphNode(
                id=key,
                framework=data["catalog"],
                title=lib.controls[key].title,
                owner=a.owner if a else None,
                responsible=a.raci.responsible if a and a.raci else (),
                applicable=bool(a and a.applicable),
                external=key in context,
                level=lib.controls[key].level,
                weight=scoped.weight(key),
            )
        )
    kept = {n.id for n in nodes}
    edges = []
    for source, target, data in sorted(scoped.graph.edges(data=True)):
        if source not in kept or target not in kept:
            continue
        a, b = by_key.get(source), by_key.get(target)
        crosses = bool(
            a and b and a.raci and b.raci and set(a.raci.responsible) != set(b.raci.responsible)
        )
        edges.append(
            GraphEdge.model_validate(
                {
                    "from": source,
                    "to": target,
                    "kind": data["kind"],
                    "basis": data["basis"],
                    "reason": data["reason"],
                    "crosses": crosses,
                }
            )
        )
    return GraphResult(
        organization=result.organization,
        model=result.model,
        frameworks=tuple(f for f in result.frameworks if f in wanted),
        nodes=tuple(nodes),
        edges=tuple(edges),
    )
