"""Parties and the work between them: one definition of a crossing and of a covering hand-off."""

from __future__ import annotations

from collections.abc import Iterable

from ctrlmap.models import Handoff
from ctrlmap.models.results import Assignment


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


PLACEHOLDERS = frozenset(
    {
        "",
        "tbd",
        "tba",
        "todo",
        "?",
        "??",
        "???",
        "-",
        "--",
        "n/a",
        "na",
        "none",
        "pending",
        "xxx",
        "...",
    }
)
"""Texts that say nothing: a hand-off, split or agreement written so is not documented."""


def is_placeholder(text: str | None, optional: bool = False) -> bool:
    """Whether a text is a placeholder (`TBD`, `TODO`, `?`, `-`, `n/a`, empty, and the like).

    With `optional`, an omitted text (None) is not a placeholder: the field was left out, not
    filled with nothing.
    """
    if text is None:
        return not optional
    words = text.strip().lower().rstrip(".:!")
    return words in PLACEHOLDERS or words.startswith(
        ("tbd ", "todo ", "tba ", "to be determined", "to be confirmed")
    )
