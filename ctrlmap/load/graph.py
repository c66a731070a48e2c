"""The dependency graph between controls, built once per set of catalogs.

An edge A -> B means A depends on B (B is A's prerequisite), so everything that depends on X,
directly or not, is `nx.ancestors(G, X)`. A child depends on its parent.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from ctrlmap.load.edges import dependency_edges
from ctrlmap.models import global_key

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
    for edge in dependency_edges(lib.catalogs.values()):
        graph.add_edge(
            edge.dependent,
            edge.prerequisite,
            kind=edge.kind,
            basis=edge.basis,
            reason=edge.reason,
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

    def downstream(self, keys: Iterable[str], within: Container[str] | None = None) -> set[str]:
        """The controls that depend on any of `keys`, directly or not, leaving `keys` out.

        One walk against the edges from all the keys at once: linear in the part of the graph
        it reaches, however many keys there are. With `within`, the walk stays inside those
        controls (an edge through a control that does not apply counts for nothing).
        """
        start = {k for k in keys if k in self.graph}
        seen: set[str] = set()
        todo = list(start)
        while todo:
            for pred in self.graph.predecessors(todo.pop()):
                if within is not None and pred not in within:
                    continue
                if pred not in seen:
                    seen.add(pred)
                    todo.append(pred)
        return seen - start


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
