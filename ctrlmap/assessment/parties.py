"""Parties and the work between them: one definition of a crossing and of a covering hand-off."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ctrlmap.models import Handoff
from ctrlmap.models.base import is_placeholder
from ctrlmap.models.results import Assignment

if TYPE_CHECKING:
    import networkx as nx

    from ctrlmap.load.graph import Scope


def interfaces(graph: nx.DiGraph[str]) -> Iterator[tuple[str, str]]:
    """The (dependent, prerequisite) edges where work can cross parties: explicit prerequisites.

    A unit's link to its parent is structure, not an interface: a specification "depends on" its
    standard because it is part of it, and nobody hands a standard's result to its own parts.
    """
    for dependent, prerequisite, data in graph.edges(data=True):
        if data.get("kind") != "parent":
            yield dependent, prerequisite


def scope_interfaces(scope: Scope) -> tuple[tuple[str, str], ...]:
    """The scope's interfaces (see `interfaces`), listed once per scope: every profile over the
    same frameworks walks the same edges."""
    found = scope.memo.get("interfaces")
    if found is None:
        found = scope.memo["interfaces"] = tuple(interfaces(scope.graph))
    return found


def crossings(dependent: Assignment, prerequisite: Assignment) -> list[tuple[str, str]]:
    """The (from, to) party pairs a dependency crosses, in party order.

    Every party Responsible for the prerequisite hands its result to every other party
    Responsible for the dependent control, unless both parties work on both controls: how two
    parties doing the same work divide it is their split's business (shared-without-split), not
    a hand-off's. So two controls done by the same parties cross nothing.
    """
    before, after = set(prerequisite.responsible), set(dependent.responsible)
    return [
        (p, q)
        for p in prerequisite.responsible
        for q in dependent.responsible
        if p != q and not (p in after and q in before)
    ]


def covering_handoff(
    handoffs: Iterable[Handoff],
    p: str,
    q: str,
    from_functions: Iterable[str],
    to_functions: Iterable[str],
) -> Handoff | None:
    """The first documented hand-off from p to q whose optional functions match, if any.

    A hand-off whose agreement is a placeholder (`TBD`, `?`, ...) documents nothing.
    """
    froms, tos = set(from_functions), set(to_functions)
    for h in handoffs:
        if (
            not is_placeholder(h.agreement)
            and h.from_ == p
            and h.to == q
            and (h.from_function is None or h.from_function in froms)
            and (h.to_function is None or h.to_function in tos)
        ):
            return h
    return None
