"""The graph view: the scoped dependency graph with each node's owner and each edge's party crossing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ctrlmap.assessment.parties import crossings
from ctrlmap.assessment.pipeline import Assessment
from ctrlmap.models.results import GraphEdge, GraphNode, GraphResult

if TYPE_CHECKING:
    pass


def graph_view(assessment: Assessment, frameworks: Iterable[str] | None = None) -> GraphResult:
    """The scoped graph with each node's owner and each edge's party crossing.

    With `frameworks`, only their controls are shown, plus the prerequisites they point to in
    other catalogs, as context nodes (`external`), so that no dependency silently disappears.
    """
    lib, result, scoped = assessment.library, assessment.assignment, assessment.scope
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
        crosses = bool(a and b and data["kind"] != "parent" and crossings(a, b))
        edges.append(
            GraphEdge.model_validate(
                {
                    "from": source,
                    "to": target,
                    "kind": data["kind"],
                    "basis": data["basis"],
                    "reason": data["reason"],
                    "crosses": crosses,
                    "dropped": not (a and b and a.applicable and b.applicable),
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
