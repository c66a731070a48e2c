"""Parties and the work between them: one definition of a crossing and of a covering hand-off."""

from __future__ import annotations

from collections.abc import Iterable

from ctrlmap.models import Handoff
from ctrlmap.models.results import Assignment


def crossings(dependent: Assignment, prerequisite: Assignment) -> list[tuple[str, str]]:
    """The (from, to) party pairs a dependency crosses, in party order.

    Every party Responsible for the prerequisite hands its result to every other party
    Responsible for the dependent control.
    """
    return [(p, q) for p in prerequisite.responsible for q in dependent.responsible if p != q]


def covering_handoff(
    handoffs: Iterable[Handoff],
    p: str,
    q: str,
    from_functions: Iterable[str],
    to_functions: Iterable[str],
) -> Handoff | None:
    """The first documented hand-off from p to q whose optional functions match, if any."""
    froms, tos = set(from_functions), set(to_functions)
    for h in handoffs:
        if (
            h.from_ == p
            and h.to == q
            and (h.from_function is None or h.from_function in froms)
            and (h.to_function is None or h.to_function in tos)
        ):
            return h
    return None
