"""Load catalogs, models, the function taxonomy and profiles into validated models.

Every problem names the file, the line, the field and the fix; all problems of a file are
reported together.
"""

from __future__ import annotations

import graphlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ctrlmap.errors import InputError, Problem, shown
from ctrlmap.load import resources
from ctrlmap.load.edges import dependency_edges
from ctrlmap.load.library import Library, Source
from ctrlmap.load.oscal_cache import Conversion, conversion_key, load_conversion, store_conversion
from ctrlmap.load.oscal_model import CatalogMemo
from ctrlmap.load.problems import unknown, validate
from ctrlmap.load.read import Document, read_document
from ctrlmap.load.resources import PROFILE_MAX_BYTES, builtin_root
from ctrlmap.models import (
    ROLES,
    Catalog,
    FunctionDef,
    OperatingModel,
    SaqData,
    Taxonomy,
    global_key,
    split_key,
)
from ctrlmap.models.base import slugify

if TYPE_CHECKING:
    pass


Entry = tuple[Document, Path | None, str | None, bool]
"""A catalog document to load: the document, its path, the id given for it, whether built in."""
ModelDoc = tuple[Document, Path, bool]
"""A model document: the document, its path, whether built in."""


@dataclass
class _Found:
    """What the loader gathers before it builds the immutable library."""

    functions: dict[str, FunctionDef]
    entries: list[Entry] = field(default_factory=list)
    model_docs: list[ModelDoc] = field(default_factory=list)
    supporting: list[tuple[Document, Path | None]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    catalogs: dict[str, Catalog] = field(default_factory=dict)
    models: dict[str, OperatingModel] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    docs: dict[str, Document] = field(default_factory=dict)


def load_library(
    catalogs: Sequence[str] = (),
    catalog_dirs: Sequence[Path] = (),
) -> Library:
    """Load the built-in catalogs plus the user's `--catalog [ID=]FILE` and `--catalog-dir DIR`."""
    root = builtin_root()
    taxonomy_doc = read_document(root / "functions.yaml", "frameworks/functions.yaml", cache=True)
    found = _Found(functions=dict(validate(Taxonomy, taxonomy_doc).functions))
    builtin_functions = set(found.functions)
    found.sources["functions"] = Source(
        taxonomy_doc.name, taxonomy_doc.sha256, True, root / "functions.yaml"
    )
    _builtin_documents(root, found)
    for directory in catalog_dirs:
        _directory_documents(directory, found)
    for spec in catalogs:
        given, _, file = spec.rpartition("=") if "=" in spec else ("", "", spec)
        if not file:
            raise InputError([Problem(spec, None, "--catalog", "give a file: --catalog [ID=]FILE")])
        # cached like the built-in catalogs: an OSCAL catalog costs more to parse than to load
        doc = read_document(Path(file), cache=True)
        found.entries.append((doc, Path(file), given or None, False))
    _load_catalogs(found)
    _check_size(found)
    saqs = _load_saqs(root, found)
    _load_models(found, builtin_functions)
    for doc, origin in found.supporting:
        builtin = doc.name.startswith("frameworks/")
        where = origin or (root.parent / doc.name if builtin else Path(doc.name))
        found.sources.setdefault(f"file:{doc.name}", Source(doc.name, doc.sha256, builtin, where))
    if found.problems:
        raise InputError(found.problems)
    lib = Library(
        functions=found.functions,
        catalogs=found.catalogs,
        models=found.models,
        sources=found.sources,
        saqs=saqs,
        warnings=tuple(found.warnings),
    )
    _check_references(lib, found.docs)
    return lib


def _check_size(found: _Found) -> None:
    """Refuse a library of more controls than ctrlmap assesses in seconds, naming the catalog
    that crosses the limit (ctrlmap.load.resources.MAX_CONTROLS)."""
    total = sum(len(cat.controls) for cat in found.catalogs.values())
    if total <= resources.MAX_CONTROLS:
        return
    running = 0
    for cat_id, cat in found.catalogs.items():
        running += len(cat.controls)
        if running > resources.MAX_CONTROLS:
            doc = found.docs[cat_id]
            raise InputError(
                [
                    Problem(
                        doc.name,
                        doc.line_of(("controls",)),
                        "controls",
                        f"the catalogs hold {total:,} controls in all ({len(cat.controls):,} "
                        f"here), over ctrlmap's limit of {resources.MAX_CONTROLS:,}; split "
                        "the catalog and assess its parts, or load fewer catalogs at once",
                    )
                ]
            )


SAQ_FILE = "saq/pci-saq.yaml"
"""The PCI DSS SAQ requirement lists, beside the built-in catalogs."""


def _load_saqs(root: Path, found: _Found) -> SaqData | None:
    """The SAQ lists; every id they select must be a requirement of the PCI DSS catalog."""
    path = root / SAQ_FILE
    if not path.exists():
        return None
    doc = read_document(path, f"frameworks/{SAQ_FILE}", cache=True)
    try:
        data = validate(SaqData, doc)
    except InputError as exc:
        found.problems.extend(exc.problems)
        return None
    found.sources[f"file:{doc.name}"] = Source(doc.name, doc.sha256, True, path)
    catalog = found.catalogs.get(data.catalog)
    known = {c.id for c in catalog.controls} if catalog else set()
    for name, saq in data.saqs.items():
        for index, rid in enumerate(saq.requirements or ()):
            if rid not in known:
                found.problems.append(
                    doc.problem(
                        ("saqs", name, "requirements", index),
                        unknown(f"requirement of {data.catalog}", rid, known, nearest=True),
                    )
                )
    return data


def _builtin_documents(root: Path, found: _Found) -> None:
    """The shipped catalogs and models (their parsed form cached by content hash)."""
    for path in sorted(root.glob("*.yaml")):
        if path.name != "functions.yaml":
            doc = read_document(path, f"frameworks/{path.name}", cache=True)
            found.entries.append((doc, path, path.stem, True))
    for path in sorted((root / "models").glob("*.yaml")):
        doc = read_document(path, f"frameworks/models/{path.name}", cache=True)
        found.model_docs.append((doc, path, True))


def _directory_documents(directory: Path, found: _Found) -> None:
    """A `--catalog-dir`: catalogs, `models/` and an optional `functions.yaml` adding functions."""
    if not directory.is_dir():
        raise InputError(
            [Problem(str(directory), None, "", "not a folder; give --catalog-dir a folder")]
        )
    extra = directory / "functions.yaml"
    if extra.exists():
        doc = read_document(extra)
        found.supporting.append((doc, extra))
        for fid, fdef in validate(Taxonomy, doc).functions.items():
            if fid in found.functions:
                found.problems.append(
                    doc.problem(
                        ("functions", fid), f"function {shown(fid)} already exists; rename it"
                    )
                )
            found.functions[fid] = fdef
    for path in sorted(
        [*directory.glob("*.yaml"), *directory.glob("*.yml"), *directory.glob("*.json")]
    ):
        if path.name != "functions.yaml" and not path.name.endswith(".functions.yaml"):
            found.entries.append((read_document(path, cache=True), path, None, False))
    for path in sorted(
        [*(directory / "models").glob("*.yaml"), *(directory / "models").glob("*.yml")]
    ):
        found.model_docs.append((read_document(path, max_bytes=PROFILE_MAX_BYTES), path, False))


def _load_catalogs(found: _Found) -> None:
    """Validate every catalog document (OSCAL converted first); ids must be unique."""
    conversions = _Conversions(found.entries)
    for doc, source, given_id, builtin in found.entries:
        read: list[Document] = []
        catalog = _load_catalog(
            doc, source, given_id, found.problems, conversions, found.warnings, read
        )
        found.supporting.extend((extra_doc, None) for extra_doc in read)
        if catalog is None:
            continue
        if catalog.id in found.catalogs:
            found.problems.append(
                Problem(
                    doc.name,
                    doc.line_of(("id",)),
                    "id",
                    f"catalog id {shown(catalog.id)} is already used by {found.docs[catalog.id].name}; "
                    "give this one another id with --catalog NEWID=FILE",
                )
            )
            continue
        found.catalogs[catalog.id] = catalog
        found.docs[catalog.id] = doc
        found.sources[catalog.id] = Source(doc.name, doc.sha256, builtin, source)


class _Conversions:
    """The OSCAL conversions of one load: cached ones reused, the rest converted once each."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.given = [
            (path, doc.sha256) for doc, path, _, builtin in entries if path and not builtin
        ]
        self.catalogs: CatalogMemo = {}
        self._oscal_docs: list[tuple[Path, Document]] | None = None

    @property
    def oscal_docs(self) -> list[tuple[Path, Document]]:
        """The OSCAL documents given, for imports to resolve against (parsed on the first miss)."""
        if self._oscal_docs is None:
            self._oscal_docs = [
                (source, doc)
                for doc, source, _, _ in self.entries
                if source is not None and is_oscal(doc.data)
            ]
        return self._oscal_docs

    def convert(
        self, doc: Document, path: Path | None, given_id: str | None, read: list[Document]
    ) -> tuple[dict[str, Any], list[Problem]] | None:
        """The native data and warnings of an OSCAL document, or None when it is not OSCAL."""
        key = conversion_key(doc, path, given_id, self.given) if path is not None else None
        done = load_conversion(key) if key is not None else None
        if done is not None:
            read.extend(done.read)
            return done.data, done.warnings
        if not is_oscal(doc.data):
            return None
        from ctrlmap.load.oscal import convert_oscal

        looked: list[Path] = []
        mine: list[Document] = []
        data, warnings = convert_oscal(
            doc, path, given_id, self.oscal_docs, mine, self.catalogs, looked
        )
        read.extend(mine)
        if key is not None:
            store_conversion(key, Conversion(data, warnings, mine), looked)
        return data, warnings


def _load_models(found: _Found, builtin_functions: set[str]) -> None:
    """Validate every model: unique ids, a default for every function, no unknown function."""
    for doc, path, builtin in found.model_docs:
        try:
            model = validate(OperatingModel, doc)
        except InputError as exc:
            found.problems.extend(exc.problems)
            continue
        if model.id in found.models:
            found.problems.append(
                doc.problem(("id",), f"model id {shown(model.id)} is already defined; rename it")
            )
            continue
        expected = builtin_functions if builtin else set(found.functions)
        missing = sorted(expected - set(model.functions))
        if missing:
            found.problems.append(
                doc.problem(("functions",), f"no default for {', '.join(missing)}; add them")
            )
        for fid in model.functions:
            if fid not in found.functions:
                found.problems.append(
                    doc.problem(("functions", fid), unknown("function", fid, found.functions))
                )
        found.models[model.id] = model
        found.sources[f"model:{model.id}"] = Source(doc.name, doc.sha256, builtin, path)


def is_oscal(data: Any) -> bool:
    """Whether parsed data is an OSCAL catalog or profile (its root key), not a ctrlmap catalog."""
    return (
        isinstance(data, dict)
        and ("catalog" in data or "profile" in data)
        and "controls" not in data
    )


def _load_catalog(
    doc: Document,
    path: Path | None,
    given_id: str | None,
    problems: list[Problem],
    conversions: _Conversions,
    warnings: list[Problem],
    read: list[Document],
) -> Catalog | None:
    try:
        converted = conversions.convert(doc, path, given_id, read)
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    data = doc.data if converted is None else converted[0]
    if converted is not None:
        warnings.extend(converted[1])
    elif isinstance(data, dict):
        stem = Path(doc.name).stem
        if given_id is not None:
            data = {**data, "id": given_id}
        elif "id" not in data:
            data = {**data, "id": slugify(stem)}
    try:
        catalog = validate(Catalog, doc, data)
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    counts = Counter(c.id for c in catalog.controls)
    for index, control in enumerate(catalog.controls):
        if counts[control.id] > 1:
            problems.append(
                doc.problem(
                    ("controls", index, "id"),
                    f"duplicate control id {shown(control.id)}; ids must be unique",
                )
            )
            counts[control.id] = 0
    return catalog


def _check_references(lib: Library, docs: dict[str, Document]) -> None:
    """Functions, parents and dependencies resolve; the CSF mappings exist; no cycles.

    Long because each kind of reference (function, parent, dependency, hub mapping, role) has its own message, and every problem of a catalog is reported in one pass.
    """
    problems: list[Problem] = []
    hub = next((c for c in lib.catalogs.values() if c.hub), None)
    hub_ids = {c.id for c in hub.controls} if hub else None
    for cat in lib.catalogs.values():
        doc = docs[cat.id]
        local = {c.id for c in cat.controls}
        for index, control in enumerate(cat.controls):
            at = ("controls", index)
            if not cat.hub and not control.functions and control.status != "external":
                problems.append(
                    doc.problem(
                        (*at, "functions"), "a control needs at least one function of the taxonomy"
                    )
                )
            if not cat.hub:
                for j, fid in enumerate(control.functions):
                    if fid not in lib.functions:
                        problems.append(
                            doc.problem(
                                (*at, "functions", j), unknown("function", fid, lib.functions)
                            )
                        )
            if control.parent is not None and control.parent not in local:
                problems.append(
                    doc.problem(
                        (*at, "parent"),
                        unknown("parent control", control.parent, local, nearest=True),
                    )
                )
            for j, dep in enumerate(control.depends_on):
                target = lib.resolve(cat.id, dep.control)
                target_cat, target_id = split_key(target)
                if target_cat not in lib.catalogs:
                    problems.append(
                        doc.problem(
                            (*at, "depends_on", j),
                            f"unknown catalog {shown(target_cat)} in {shown(dep.control)}; load it with --catalog",
                        )
                    )
                elif lib.catalogs[target_cat].hub and not cat.hub:
                    problems.append(
                        doc.problem(
                            (*at, "depends_on", j),
                            f"{shown(target_cat)} is the mapping hub, not work to depend on; "
                            "map to it with maps_to instead",
                        )
                    )
                elif target not in lib.controls:
                    problems.append(
                        doc.problem(
                            (*at, "depends_on", j),
                            unknown(
                                f"control of {target_cat}",
                                target_id,
                                lib.control_ids[target_cat],
                                nearest=True,
                            ),
                        )
                    )
            if hub_ids is not None and not cat.hub:
                for j, sub in enumerate(control.maps_to):
                    if sub not in hub_ids:
                        problems.append(
                            doc.problem(
                                (*at, "maps_to", j),
                                unknown(
                                    f"{hub.id if hub else ''} subcategory",
                                    sub,
                                    hub_ids,
                                    nearest=True,
                                ),
                            )
                        )
            if control.designation is not None and control.designation not in ROLES:
                problems.append(
                    doc.problem((*at, "designation"), unknown("role", control.designation, ROLES))
                )
    if problems:
        raise InputError(problems)
    cycle = find_cycle(lib)
    if cycle:
        first_cat, first_id = split_key(cycle[0])
        doc = docs[first_cat]
        index = next(i for i, c in enumerate(lib.catalogs[first_cat].controls) if c.id == first_id)
        following = cycle[1] if len(cycle) > 1 else cycle[0]
        parent = lib.catalogs[first_cat].controls[index].parent
        field_name = (
            "parent" if parent and global_key(first_cat, parent) == following else "depends_on"
        )
        raise InputError(
            [
                doc.problem(
                    ("controls", index, field_name),
                    "dependency cycle: "
                    + " -> ".join([*cycle, cycle[0]])
                    + "; remove one of these dependencies",
                )
            ]
        )


def find_cycle(lib: Library) -> list[str]:
    """The controls of one dependency cycle, in order, or an empty list.

    Uses the standard library's graphlib so that loading does not pay for importing networkx;
    a plain count of waiting prerequisites first (Kahn's order) settles the usual case, where
    there is no cycle, at a third of graphlib's cost, which is left to name the cycle there is.
    """
    prerequisites: dict[str, list[str]] = {key: [] for key in lib.controls}
    for edge in dependency_edges(lib.catalogs.values()):
        prerequisites[edge.dependent].append(edge.prerequisite)
    if _acyclic(prerequisites):
        return []
    try:
        graphlib.TopologicalSorter(prerequisites).prepare()
    except graphlib.CycleError as exc:
        cycle = list(exc.args[1])
        # graphlib lists the cycle against the edge direction; report it as "depends on" order
        return list(reversed(cycle[1:])) if len(cycle) > 1 else cycle
    return []


def _acyclic(prerequisites: dict[str, list[str]]) -> bool:
    """Whether every control can be ordered after its prerequisites (False also when one is
    unknown, for graphlib to decide)."""
    waiting = {key: len(before) for key, before in prerequisites.items()}
    dependents: dict[str, list[str]] = {}
    for key, before in prerequisites.items():
        for prerequisite in before:
            dependents.setdefault(prerequisite, []).append(key)
    ready = [key for key, count in waiting.items() if not count]
    ordered = 0
    while ready:
        ordered += 1
        for key in dependents.get(ready.pop(), ()):
            waiting[key] -= 1
            if not waiting[key]:
                ready.append(key)
    return ordered == len(waiting) and all(p in waiting for p in dependents)
