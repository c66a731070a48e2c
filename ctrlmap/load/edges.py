"""The dependency edges of a set of catalogs: one builder for the cycle check and the graph.

Kept apart from `load/graph.py` so that loading checks for cycles without importing networkx.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from ctrlmap.models import Catalog, global_key


@dataclass(frozen=True)
class Edge:
    """`dependent` depends on `prerequisite` (a child on its parent, or a `depends_on` entry)."""

    dependent: str
    prerequisite: str
    kind: Literal["parent", "depends_on"]
    basis: str
    reason: str


def resolve(catalog_id: str, ref: str) -> str:
    """The global key a control reference of `catalog_id` points to."""
    return ref if ":" in ref else global_key(catalog_id, ref)


def dependency_edges(catalogs: Iterable[Catalog]) -> Iterator[Edge]:
    """Every dependency of every control, parent links first, in catalog order."""
    for cat in catalogs:
        for control in cat.controls:
            key = global_key(cat.id, control.id)
            if control.parent is not None:
                yield Edge(
                    key,
                    global_key(cat.id, control.parent),
                    "parent",
                    "text",
                    "a specification depends on its standard",
                )
            for dep in control.depends_on:
                yield Edge(
                    key, resolve(cat.id, dep.control), "depends_on", dep.basis, dep.reason or ""
                )
