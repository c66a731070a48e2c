"""Load catalogs, models, the function taxonomy and profiles into validated models.

Every problem names the file, the line, the field and the fix; all problems of a file are
reported together.
"""

from __future__ import annotations

import graphlib
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ctrlmap.errors import InputError, Problem
from ctrlmap.load.library import Library, Source
from ctrlmap.load.problems import unknown, validate
from ctrlmap.load.read import Document, read_document
from ctrlmap.load.resources import PROFILE_MAX_BYTES, builtin_root
from ctrlmap.models import (
    ROLES,
    Catalog,
    OperatingModel,
    Taxonomy,
    global_key,
    split_key,
)

if TYPE_CHECKING:
    pass


def slugify(text: str) -> str:
    """A catalog id from a file stem: lower case, runs of other characters become '-'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "catalog"


def load_library(
    catalogs: Sequence[str] = (),
    catalog_dirs: Sequence[Path] = (),
) -> Library:
    """Load the built-in catalogs plus the user's `--catalog [ID=]FILE` and `--catalog-dir DIR`."""
    root = builtin_root()
    problems: list[Problem] = []
    taxonomy_doc = read_document(root / "functions.yaml", "frameworks/functions.yaml", cache=True)
    functions = dict(validate(Taxonomy, taxonomy_doc).functions)
    builtin_functions = set(functions)
    entries: list[tuple[Document, Path | None, str | None, bool]] = []
    model_docs: list[tuple[Document, Path, bool]] = []
    supporting: list[tuple[Document, Path | None]] = []

    for path in sorted(root.glob("*.yaml")):
        if path.name != "functions.yaml":
            entries.append(
                (read_document(path, f"frameworks/{path.name}", cache=True), path, path.stem, True)
            )
    for path in sorted((root / "models").glob("*.yaml")):
        model_docs.append(
            (read_document(path, f"frameworks/models/{path.name}", cache=True), path, True)
        )

    for directory in catalog_dirs:
        if not directory.is_dir():
            raise InputError(
                [Problem(str(directory), None, "", "not a folder; give --catalog-dir a folder")]
            )
        extra = directory / "functions.yaml"
        if extra.exists():
            doc = read_document(extra)
            supporting.append((doc, extra))
            for fid, fdef in validate(Taxonomy, doc).functions.items():
                if fid in functions:
                    problems.append(
                        doc.problem(
                            ("functions", fid), f"function {fid!r} already exists; rename it"
                        )
                    )
                functions[fid] = fdef
        for path in sorted(
            [*directory.glob("*.yaml"), *directory.glob("*.yml"), *directory.glob("*.json")]
        ):
            if path.name != "functions.yaml" and not path.name.endswith(".functions.yaml"):
                entries.append((read_document(path), path, None, False))
        for path in sorted(
            [*(directory / "models").glob("*.yaml"), *(directory / "models").glob("*.yml")]
        ):
            model_docs.append((read_document(path, max_bytes=PROFILE_MAX_BYTES), path, False))

    for spec in catalogs:
        given, _, file = spec.rpartition("=") if "=" in spec else ("", "", spec)
        if not file:
            raise InputError([Problem(spec, None, "--catalog", "give a file: --catalog [ID=]FILE")])
        entries.append((read_document(Path(file)), Path(file), given or None, False))

    lib = Library(functions=functions, catalogs={}, models={})
    lib.sources["functions"] = Source(
        taxonomy_doc.name, taxonomy_doc.sha256, True, root / "functions.yaml"
    )
    docs: dict[str, Document] = {}
    oscal_docs = [
        (source, doc) for doc, source, _, _ in entries if source is not None and is_oscal(doc.data)
    ]
    for doc, source, given_id, builtin in entries:
        read: list[Document] = []
        catalog = _load_catalog(doc, source, given_id, problems, oscal_docs, lib.warnings, read)
        supporting.extend((extra_doc, None) for extra_doc in read)
        if catalog is None:
            continue
        if catalog.id in lib.catalogs:
            problems.append(
                Problem(
                    doc.name,
                    doc.line_of(("id",)),
                    "id",
                    f"catalog id {catalog.id!r} is already used by {docs[catalog.id].name}; "
                    "give this one another id with --catalog NEWID=FILE",
                )
            )
            continue
        lib.catalogs[catalog.id] = catalog
        docs[catalog.id] = doc
        lib.sources[catalog.id] = Source(doc.name, doc.sha256, builtin, source)
    for doc, path, builtin in model_docs:
        try:
            model = validate(OperatingModel, doc)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if model.id in lib.models:
            problems.append(
                doc.problem(("id",), f"model id {model.id!r} is already defined; rename it")
            )
            continue
        expected = builtin_functions if builtin else set(functions)
        missing = sorted(expected - set(model.functions))
        if missing:
            problems.append(
                doc.problem(("functions",), f"no default for {', '.join(missing)}; add them")
            )
        for fid in model.functions:
            if fid not in functions:
                problems.append(
                    doc.problem(("functions", fid), unknown("function", fid, functions))
                )
        lib.models[model.id] = model
        lib.sources[f"model:{model.id}"] = Source(doc.name, doc.sha256, builtin, path)
    for doc, origin in supporting:
        builtin = doc.name.startswith("frameworks/")
        where = origin or (root.parent / doc.name if builtin else Path(doc.name))
        lib.sources.setdefault(f"file:{doc.name}", Source(doc.name, doc.sha256, builtin, where))
    if problems:
        raise InputError(problems)
    _check_references(lib, docs)
    return lib


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
    oscal_docs: list[tuple[Path, Document]],
    warnings: list[Problem],
    read: list[Document],
) -> Catalog | None:
    data = doc.data
    if is_oscal(data):
        from ctrlmap.load.oscal import convert_oscal

        try:
            data, found = convert_oscal(doc, path, given_id, oscal_docs, read)
        except InputError as exc:
            problems.extend(exc.problems)
            return None
        warnings.extend(found)
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
                    f"duplicate control id {control.id!r}; ids must be unique",
                )
            )
            counts[control.id] = 0
    return catalog


def _check_references(lib: Library, docs: dict[str, Document]) -> None:
    """Functions, parents and dependencies resolve; the CSF mappings exist; no cycles."""
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
                    doc.problem((*at, "parent"), unknown("parent control", control.parent, local))
                )
            for j, dep in enumerate(control.depends_on):
                target = lib.resolve(cat.id, dep.control)
                target_cat, target_id = split_key(target)
                if target_cat not in lib.catalogs:
                    problems.append(
                        doc.problem(
                            (*at, "depends_on", j),
                            f"unknown catalog {target_cat!r} in {dep.control!r}; load it with --catalog",
                        )
                    )
                elif lib.catalogs[target_cat].hub and not cat.hub:
                    problems.append(
                        doc.problem(
                            (*at, "depends_on", j),
                            f"{target_cat!r} is the mapping hub, not work to depend on; "
                            "map to it with maps_to instead",
                        )
                    )
                elif target not in lib.controls:
                    known = {c.id for c in lib.catalogs[target_cat].controls}
                    problems.append(
                        doc.problem(
                            (*at, "depends_on", j),
                            unknown(f"control of {target_cat}", target_id, known),
                        )
                    )
            if hub_ids is not None and not cat.hub:
                for j, sub in enumerate(control.maps_to):
                    if sub not in hub_ids:
                        problems.append(
                            doc.problem(
                                (*at, "maps_to", j),
                                unknown(f"{hub.id if hub else ''} subcategory", sub, hub_ids),
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

    Uses the standard library's graphlib so that loading does not pay for importing networkx.
    """
    prerequisites: dict[str, list[str]] = {}
    for cat in lib.catalogs.values():
        for control in cat.controls:
            deps = [lib.resolve(cat.id, d.control) for d in control.depends_on]
            if control.parent is not None:
                deps.append(global_key(cat.id, control.parent))
            prerequisites[global_key(cat.id, control.id)] = deps
    try:
        graphlib.TopologicalSorter(prerequisites).prepare()
    except graphlib.CycleError as exc:
        cycle = list(exc.args[1])
        # graphlib lists the cycle against the edge direction; report it as "depends on" order
        return list(reversed(cycle[1:])) if len(cycle) > 1 else cycle
    return []
