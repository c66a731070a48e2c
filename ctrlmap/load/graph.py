"""The dependency graph between controls, built once per set of catalogs.

An edge A -> B means A depends on B (B is A's prerequisite), so everything that depends on X,
directly or not, is `nx.ancestors(G, X)`. A child depends on its parent.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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


REACHES_KEPT = 32
"""How many reaches a scope keeps: a bound on memory whatever the portfolio holds."""


@dataclass(frozen=True)
class Scope:
    """A profile's part of the graph and each control's weight, built once per catalog set."""

    graph: nx.DiGraph[str]
    weights: dict[str, int]
    _reaches: dict[frozenset[str], Reach] = field(default_factory=dict, compare=False, repr=False)
    """The reaches asked for, by the applicable controls they stay within (profiles of one kind
    share them: a portfolio assesses hundreds of clinics over one framework set)."""

    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Results derived from this scope's graph alone, by name, for the stages that read them
    for every profile (the hand-off rule's interfaces)."""

    def reach(self, within: frozenset[str]) -> Reach:
        """Who depends on each control through `within` only, built once per such set."""
        found = self._reaches.get(within)
        if found is None:
            if len(self._reaches) >= REACHES_KEPT:
                del self._reaches[next(iter(self._reaches))]  # the oldest
            found = self._reaches[within] = Reach.build(self.graph, within)
        return found

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
    reach = Reach.build(graph)
    return {node: reach.up[node].bit_count() for node in reach.nodes}


@dataclass(frozen=True)
class Reach:
    """For every control, the controls that depend on it, as one integer bitset each.

    Built in one topological pass (dependents before their prerequisites), OR-ing each
    dependent's bitset into its prerequisite's: n integers of at most n bits, where sets of
    strings took a Python object per pair (a chain of 10,000 controls held 50 million of them).
    """

    nodes: tuple[str, ...]
    """The controls by bit position."""
    index: dict[str, int]
    up: dict[str, int]
    """Each control's dependents, directly or not, as bits of `nodes`."""

    @classmethod
    def build(cls, graph: nx.DiGraph[str], within: Container[str] | None = None) -> Reach:
        """The bitsets of `graph`; with `within`, a path counts only through those controls."""
        index: dict[str, int] = {}
        up: dict[str, int] = {}
        for node in nx.topological_sort(graph):
            acc = 0
            for pred in graph.predecessors(node):
                if within is None or pred in within:
                    acc |= up[pred] | (1 << index[pred])
            index[node] = len(index)
            up[node] = acc
        return cls(tuple(index), index, up)

    def _bits(self, keys: Iterable[str]) -> int:
        start = reached = 0
        for key in keys:
            position = self.index.get(key)
            if position is not None:
                start |= 1 << position
                reached |= self.up[key]
        return reached & ~start

    def count(self, keys: Iterable[str]) -> int:
        """How many controls depend on any of `keys`, directly or not, leaving `keys` out."""
        return self._bits(keys).bit_count()

    def downstream(self, keys: Iterable[str]) -> set[str]:
        """The controls that depend on any of `keys`, directly or not, leaving `keys` out."""
        digits = bin(self._bits(keys))[:1:-1]
        found: set[str] = set()
        at = digits.find("1")
        while at >= 0:
            found.add(self.nodes[at])
            at = digits.find("1", at + 1)
        return found
