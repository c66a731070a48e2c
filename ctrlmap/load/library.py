"""The library: everything ctrlmap knows before it reads a profile."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ctrlmap.errors import CtrlmapError, Problem, shown
from ctrlmap.load.edges import resolve
from ctrlmap.models import (
    Catalog,
    Control,
    FunctionDef,
    OperatingModel,
    SaqData,
    global_key,
    split_key,
)

if TYPE_CHECKING:
    import networkx as nx

    from ctrlmap.load.graph import Scope


@dataclass(frozen=True)
class Source:
    """A file that shaped the library (catalog, model, functions, map), for the inputs record."""

    name: str
    sha256: str
    builtin: bool
    path: Path | None = None
    """Where it was read from, so that no output is written over it."""


@dataclass(frozen=True)
class Library:
    """Everything ctrlmap knows before it reads a profile: catalogs, models, functions.

    Immutable once loaded. What is derived from it (every control by key, the dependency graph,
    the scoped graph of a set of frameworks) is computed on first use and kept by this instance
    alone: `dataclasses.replace` gives a new library that derives its own.
    """

    functions: dict[str, FunctionDef]
    catalogs: dict[str, Catalog]
    models: dict[str, OperatingModel]
    sources: dict[str, Source] = field(default_factory=dict)
    saqs: SaqData | None = None
    """The PCI DSS SAQ requirement lists (frameworks/saq/pci-saq.yaml), for the `pci-saq` fact."""
    warnings: tuple[Problem, ...] = ()
    """Things worth telling the user that do not stop the run (e.g. withdrawn OSCAL controls left out)."""
    _scopes: dict[tuple[tuple[str, ...], bool], Scope] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _memos: dict[str, dict[Any, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def memo(self, name: str) -> dict[Any, Any]:
        """A cache, by `name`, of results that depend on this library and the key alone (kept by
        this instance, shared by every profile assessed with it). Its users keep it bounded:
        keyed by what the catalogs name, never by free text from a profile."""
        return self._memos.setdefault(name, {})

    @cached_property
    def controls(self) -> dict[str, Control]:
        """Every control of every catalog, by global key."""
        return {global_key(cat.id, c.id): c for cat in self.catalogs.values() for c in cat.controls}

    @cached_property
    def keyed(self) -> dict[str, tuple[tuple[str, Control], ...]]:
        """Each catalog's controls in catalog order, each with its global key (built once: every
        assessment walks them)."""
        return {
            cat.id: tuple((global_key(cat.id, c.id), c) for c in cat.controls)
            for cat in self.catalogs.values()
        }

    @cached_property
    def control_ids(self) -> dict[str, tuple[str, ...]]:
        """Each catalog's control ids, sorted once (for "did you mean" on a large catalog)."""
        return {cat.id: tuple(sorted(c.id for c in cat.controls)) for cat in self.catalogs.values()}

    @cached_property
    def children(self) -> dict[str, tuple[str, ...]]:
        """Each control's children by `parent`, by global key, indexed once."""
        found: dict[str, list[str]] = {}
        for cat in self.catalogs.values():
            for control in cat.controls:
                if control.parent is not None:
                    found.setdefault(global_key(cat.id, control.parent), []).append(
                        global_key(cat.id, control.id)
                    )
        return {key: tuple(keys) for key, keys in found.items()}

    def subtree(self, key: str) -> Iterator[str]:
        """The control and every control under it (children by `parent`, transitively)."""
        todo = [key]
        while todo:
            current = todo.pop()
            yield current
            todo.extend(self.children.get(current, ()))

    @cached_property
    def graph(self) -> nx.DiGraph[str]:
        """The dependency graph over every catalog, built once (see ctrlmap.load.graph)."""
        from ctrlmap.load.graph import build_graph

        return build_graph(self)

    def scope(self, frameworks: Iterable[str], include_proposed: bool = False) -> Scope:
        """The graph of these frameworks with its weights, built once per catalog set.

        Until the whole graph is wanted, it is built over only the catalogs the scope can reach
        (the frameworks and the catalogs their dependencies name): a scope takes their controls
        and the prerequisites one step outside, so the graph of the rest changes nothing but
        the time (a 1,000-control OSCAL catalog loaded beside the profile's baseline).
        """
        from ctrlmap.load.graph import build_graph, build_scope

        key = (tuple(sorted(frameworks)), include_proposed)
        if key not in self._scopes:
            graph = self.__dict__.get("graph")
            if graph is None:
                graph = build_graph(replace(self, catalogs=self._reached(key[0])))
            self._scopes[key] = build_scope(graph, key[0], include_proposed)
        return self._scopes[key]

    def _reached(self, frameworks: Iterable[str]) -> dict[str, Catalog]:
        """The catalogs of these frameworks and those their controls depend on, in load order."""
        wanted = set(frameworks)
        for fw in list(wanted):
            for control in self.catalogs[fw].controls if fw in self.catalogs else ():
                for dep in control.depends_on:
                    wanted.add(split_key(self.resolve(fw, dep.control))[0])
        return {cid: cat for cid, cat in self.catalogs.items() if cid in wanted}

    def facts_used(self, frameworks: Iterable[str]) -> set[str]:
        """The applicability facts the controls of these frameworks depend on (and pci-saq)."""
        used = {
            fact
            for fw in frameworks
            if fw in self.catalogs
            for c in self.catalogs[fw].controls
            for fact in (c.applies_if or {})
            if fact != "outsourced"
        }
        if "pci-dss-4" in frameworks:
            used.add("pci-saq")
        return used

    def catalog(self, catalog_id: str) -> Catalog:
        """The catalog with this id, or a clear error naming the ones there are."""
        try:
            return self.catalogs[catalog_id]
        except KeyError:
            if catalog_id in self.models:
                raise CtrlmapError(
                    f"{catalog_id} is an operating model; try `ctrlmap models show {catalog_id}`"
                ) from None
            from ctrlmap.load.problems import hint

            raise CtrlmapError(
                f"unknown catalog {shown(catalog_id)}; {hint(catalog_id, self.catalogs)} "
                "(`ctrlmap frameworks list` lists them)"
            ) from None

    def model(self, model_id: str) -> OperatingModel:
        """The operating model with this id, or a clear error naming the ones there are."""
        try:
            return self.models[model_id]
        except KeyError:
            if model_id in self.catalogs:
                raise CtrlmapError(
                    f"{model_id} is a catalog, not an operating model; try "
                    f"`ctrlmap frameworks show {model_id}`"
                ) from None
            from ctrlmap.load.problems import hint

            raise CtrlmapError(
                f"unknown model {shown(model_id)}; {hint(model_id, self.models)} "
                "(add your own with --catalog-dir DIR holding models/<id>.yaml)"
            ) from None

    def resolve(self, catalog_id: str, ref: str) -> str:
        """The global key a control reference of `catalog_id` points to."""
        return resolve(catalog_id, ref)
