"""Load catalogs, models, the function taxonomy and profiles into validated models.

Every problem names the file, the line, the field and the fix; all problems of a file are
reported together.
"""

from __future__ import annotations

import difflib
import graphlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ctrlmap.errors import CtrlmapError, InputError, Problem
from ctrlmap.load.read import Document, read_document
from ctrlmap.models import (
    RESERVED_IDS,
    ROLES,
    Catalog,
    Control,
    FunctionDef,
    OperatingModel,
    Person,
    Profile,
    Provider,
    Taxonomy,
    global_key,
    split_key,
)

if TYPE_CHECKING:
    import networkx as nx

    from ctrlmap.load.graph import Scope

M = TypeVar("M", bound=BaseModel)

PROFILE_MAX_BYTES = 4 * 1024 * 1024
"""Largest profile or model file read (4 MiB); a real profile is a few kilobytes."""

_HINTS = {
    "missing": "required field is missing; add it",
    "extra_forbidden": "unknown key; remove it or fix its spelling",
    "string_type": "expected text; quote the value",
    "date_from_datetime_parsing": "not a valid date; write it as YYYY-MM-DD",
    "date_parsing": "not a valid date; write it as YYYY-MM-DD",
    "date_type": "not a valid date; write it as YYYY-MM-DD",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "tuple_type": "expected a list, e.g. [a, b]",
    "list_type": "expected a list, e.g. [a, b]",
    "dict_type": "expected a mapping of keys to values",
    "model_type": "expected a mapping of keys to values",
    "model_attributes_type": "expected a mapping of keys to values",
    "too_short": "needs at least one item",
    "string_too_short": "must not be empty",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "date_from_datetime_inexact": "not a valid date; write it as YYYY-MM-DD",
    "greater_than": "must be greater than 0",
}


def builtin_root() -> Path:
    """The folder of the built-in catalogs: inside the installed package, else the source tree."""
    packaged = Path(str(resources.files("ctrlmap"))) / "frameworks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "frameworks"


def examples_root() -> Path:
    """The folder of the shipped example profiles."""
    packaged = Path(str(resources.files("ctrlmap"))) / "examples"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "examples"


def validate(model: type[M], doc: Document, data: Any = None, prefix: tuple[Any, ...] = ()) -> M:
    """Validate `data` (default: the whole document) as `model`, or raise every problem found."""
    data = doc.data if data is None else data
    if not isinstance(data, dict):
        got = "a list" if isinstance(data, list) else f"the value {data!r}"
        raise InputError([doc.problem(prefix, f"expected a mapping of keys to values, got {got}")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(_problems(model, doc, exc, prefix)) from None


def _problems(
    model: type[BaseModel], doc: Document, exc: ValidationError, prefix: tuple[Any, ...]
) -> list[Problem]:
    problems = []
    for err in exc.errors(include_input=False, include_url=False):
        raw_loc = (*prefix, *err["loc"])
        is_key = bool(raw_loc) and raw_loc[-1] == "[key]"
        loc = _data_path(
            doc.data, raw_loc[:-1] if is_key else raw_loc, keep_last=err["type"] == "missing"
        )
        message = _HINTS.get(err["type"], err["msg"])
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc[len(prefix) :])
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            if close:
                message = f"unknown key; did you mean {close[0]!r}?"
            elif allowed:
                message = f"unknown key; allowed keys are {', '.join(allowed)}"
        elif err["type"].startswith("value_error"):
            message = err["msg"].removeprefix("Value error, ")
        elif err["type"] == "literal_error":
            message = err["msg"].replace("Input should be", "must be")
        elif err["type"] == "string_pattern_mismatch":
            pattern = str((err.get("ctx") or {}).get("pattern", ""))
            message = (
                "use lower-case letters, digits and '-' only, starting with a letter or digit"
                if pattern.startswith("^[a-z0-9]")
                else "use letters, digits, '.', '_' and '-' only, starting with a letter or digit"
                if pattern.startswith("^[A-Za-z0-9]")
                else "must not contain spaces, ':', quotes, backslashes or control characters"
            )
        if is_key:
            message = f"the key {loc[-1]!r} is not allowed: {message}"
        problems.append(doc.problem(loc, message))
    return problems


def _data_path(data: Any, loc: tuple[Any, ...], keep_last: bool) -> tuple[Any, ...]:
    """Keep the parts of a pydantic location that index into the data (drops union tags)."""
    out: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        elif (keep_last and i == len(loc) - 1) or (isinstance(node, dict) and i == len(loc) - 1):
            pass
        else:
            break
        out.append(part)
    return tuple(out)


def _allowed_keys(model: Any, loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at `loc` (ending with the unknown key) accepts, when a model says so."""
    for part in loc[:-1]:
        model = _step(model, part)
        if model is None:
            return []
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or name for name, f in model.model_fields.items()]
    return []


def _step(annotation: Any, part: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, f in annotation.model_fields.items():
            if part in (name, f.alias):
                return _unwrap(f.annotation)
        return None
    origin = get_origin(annotation)
    if origin in (tuple, list):
        return _unwrap(get_args(annotation)[0])
    if origin is dict:
        return _unwrap(get_args(annotation)[1])
    return None


def _unwrap(annotation: Any) -> Any:
    """`X | None` to X; anything else unchanged."""
    if get_origin(annotation) in (Union, UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return members[0] if len(members) == 1 else annotation
    return annotation


@dataclass(frozen=True)
class Source:
    """A file that shaped the library (catalog, model, functions, map), for the inputs record."""

    name: str
    sha256: str
    builtin: bool
    path: Path | None = None
    """Where it was read from, so that no output is written over it."""


@dataclass
class Library:
    """Everything ctrlmap knows before it reads a profile: catalogs, models, functions."""

    functions: dict[str, FunctionDef]
    catalogs: dict[str, Catalog]
    models: dict[str, OperatingModel]
    sources: dict[str, Source] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    _scopes: dict[tuple[tuple[str, ...], bool], Scope] = field(default_factory=dict, repr=False)
    """Things worth telling the user that do not stop the run (e.g. withdrawn OSCAL controls left out)."""

    @cached_property
    def controls(self) -> dict[str, Control]:
        """Every control of every catalog, by global key."""
        return {global_key(cat.id, c.id): c for cat in self.catalogs.values() for c in cat.controls}

    @cached_property
    def graph(self) -> nx.DiGraph[str]:
        """The dependency graph over every catalog, built once (see ctrlmap.load.graph)."""
        from ctrlmap.load.graph import build_graph

        return build_graph(self)

    def scope(self, frameworks: Iterable[str], include_proposed: bool = False) -> Scope:
        """The graph of these frameworks with its weights, built once per catalog set."""
        from ctrlmap.load.graph import build_scope

        key = (tuple(sorted(frameworks)), include_proposed)
        if key not in self._scopes:
            self._scopes[key] = build_scope(self.graph, key[0], include_proposed)
        return self._scopes[key]

    def catalog(self, catalog_id: str) -> Catalog:
        """The catalog with this id, or a clear error naming the ones there are."""
        try:
            return self.catalogs[catalog_id]
        except KeyError:
            raise CtrlmapError(
                f"unknown catalog {catalog_id!r}; known catalogs: {', '.join(self.catalogs)}"
            ) from None

    def model(self, model_id: str) -> OperatingModel:
        """The operating model with this id, or a clear error naming the ones there are."""
        try:
            return self.models[model_id]
        except KeyError:
            raise CtrlmapError(
                f"unknown model {model_id!r}; known models: {', '.join(self.models)} "
                "(add your own with --catalog-dir DIR holding models/<id>.yaml)"
            ) from None

    def resolve(self, catalog_id: str, ref: str) -> str:
        """The global key a control reference of `catalog_id` points to."""
        return ref if ":" in ref else global_key(catalog_id, ref)


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
                    doc.problem(("functions", fid), _unknown("function", fid, functions))
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


def _unknown(what: str, value: str, known: Iterable[str]) -> str:
    known = list(known)
    close = difflib.get_close_matches(value, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(known)[:12])}"
    return f"unknown {what} {value!r}; {hint}"


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
                                (*at, "functions", j), _unknown("function", fid, lib.functions)
                            )
                        )
            if control.parent is not None and control.parent not in local:
                problems.append(
                    doc.problem((*at, "parent"), _unknown("parent control", control.parent, local))
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
                            _unknown(f"control of {target_cat}", target_id, known),
                        )
                    )
            if hub_ids is not None and not cat.hub:
                for j, sub in enumerate(control.maps_to):
                    if sub not in hub_ids:
                        problems.append(
                            doc.problem(
                                (*at, "maps_to", j),
                                _unknown(f"{hub.id if hub else ''} subcategory", sub, hub_ids),
                            )
                        )
            if control.designation is not None and control.designation not in ROLES:
                problems.append(
                    doc.problem((*at, "designation"), _unknown("role", control.designation, ROLES))
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


def load_profile(path: Path, lib: Library, name: str | None = None) -> tuple[Profile, Document]:
    """Read and validate a profile, resolving every reference against the library."""
    doc = read_document(path, name, max_bytes=PROFILE_MAX_BYTES)
    try:
        profile = validate(Profile, doc)
    except InputError as exc:
        # Check the references of the sections that did validate too, so that every problem of
        # the file is reported at once.
        raise InputError(exc.problems + _check_rest(doc, lib, exc.problems)) from None
    problems = check_profile(profile, doc, lib)
    if problems:
        raise InputError(problems)
    return profile, doc


def _check_rest(doc: Document, lib: Library, found: list[Problem]) -> list[Problem]:
    """Reference problems in the sections of a profile that passed the schema."""
    if not isinstance(doc.data, dict):
        return []
    failed = {p.field.split(".")[0].split("[")[0] for p in found}
    placeholders = {
        "organization": {"name": "?"},
        "frameworks": [c for c in lib.catalogs if not lib.catalogs[c].hub],
        "model": next(iter(lib.models), "?"),
    }
    rest = {key: value for key, value in doc.data.items() if key not in failed}
    rest.update(
        {key: value for key, value in placeholders.items() if key in failed or key not in rest}
    )
    try:
        partial = Profile.model_validate(rest)
    except ValidationError:
        return []
    seen = {(p.line, p.field, p.message) for p in found}
    return [p for p in check_profile(partial, doc, lib) if (p.line, p.field, p.message) not in seen]


def check_profile(profile: Profile, doc: Document, lib: Library) -> list[Problem]:
    """Every cross-reference of a profile: ids, functions, frameworks, controls, roles."""
    problems: list[Problem] = []
    say = problems.append
    at: tuple[Any, ...]
    people = {p.id: p for p in profile.internal}
    providers = {p.id: p for p in profile.providers}
    parties = {"internal", *providers}

    seen: dict[str, str] = {}
    members: list[tuple[str, int, Person | Provider]] = [
        *(("internal", i, p) for i, p in enumerate(profile.internal)),
        *(("providers", i, p) for i, p in enumerate(profile.providers)),
    ]
    for section, index, item in members:
        if item.id in RESERVED_IDS:
            say(
                doc.problem(
                    (section, index, "id"),
                    f"{item.id!r} is a reserved word (it names a party or an owner); choose another id",
                )
            )
        elif item.id in seen:
            say(
                doc.problem(
                    (section, index, "id"),
                    f"duplicate id {item.id!r} (already used in {seen[item.id]}); person and provider ids share one namespace",
                )
            )
        seen.setdefault(item.id, section)
        for j, fid in enumerate(item.functions):
            if fid not in lib.functions:
                say(
                    doc.problem(
                        (section, index, "functions", j),
                        _unknown("function", fid, lib.functions),
                    )
                )

    for index, fw in enumerate(profile.frameworks):
        if fw not in lib.catalogs:
            say(
                doc.problem(
                    ("frameworks", index),
                    _unknown("framework", fw, [c for c in lib.catalogs if not lib.catalogs[c].hub]),
                )
            )
        elif lib.catalogs[fw].hub:
            say(
                doc.problem(
                    ("frameworks", index),
                    f"{fw!r} is the mapping hub, not a framework to assess; remove it",
                )
            )
    if len(set(profile.frameworks)) != len(profile.frameworks):
        say(doc.problem(("frameworks",), "a framework is listed twice; list each once"))
    if profile.model not in lib.models:
        say(doc.problem(("model",), _unknown("model", profile.model, lib.models)))

    for index, person in enumerate(profile.internal):
        if person.backup is not None:
            if person.backup == person.id:
                say(
                    doc.problem(
                        ("internal", index, "backup"), "a person cannot be their own backup"
                    )
                )
            elif person.backup not in people and person.backup not in providers:
                say(
                    doc.problem(
                        ("internal", index, "backup"),
                        _unknown("person or provider", person.backup, seen),
                    )
                )

    for role, designation in profile.designations.items():
        at = ("designations", role)
        if designation.holder not in people and designation.holder not in providers:
            say(
                doc.problem(
                    (*at, "holder"), _unknown("person or provider", designation.holder, seen)
                )
            )
        if designation.overseer is not None and designation.overseer not in people:
            say(
                doc.problem(
                    (*at, "overseer"),
                    _unknown("internal person", designation.overseer, people)
                    + " (the overseer must be one of the organisation's own people)",
                )
            )

    in_scope = {
        global_key(fw, c.id)
        for fw in profile.frameworks
        if fw in lib.catalogs
        for c in lib.catalogs[fw].controls
    }
    for index, ov in enumerate(profile.overrides):
        at = ("overrides", index)
        _check_control(doc, (*at, "control"), ov.control, lib, in_scope, say)
        if ov.provider is not None and ov.provider not in providers:
            say(doc.problem((*at, "provider"), _unknown("provider", ov.provider, providers)))
        if ov.provider is not None and ov.owner == "internal":
            say(
                doc.problem(
                    (*at, "provider"),
                    "a provider is named but owner is internal; drop the provider or change the owner",
                )
            )
        if ov.accountable is not None and ov.accountable not in parties:
            say(
                doc.problem(
                    (*at, "accountable"),
                    _unknown("party", ov.accountable, parties)
                    + " (a party is 'internal' or a provider id)",
                )
            )
        for key in ("responsible", "consulted", "informed"):
            for j, party in enumerate(getattr(ov, key) or ()):
                if party not in parties:
                    say(
                        doc.problem(
                            (*at, key, j),
                            _unknown("party", party, parties)
                            + " (a party is 'internal' or a provider id)",
                        )
                    )
    overridden = Counter(o.control for o in profile.overrides)
    for index, ov in enumerate(profile.overrides):
        if overridden[ov.control] > 1:
            say(
                doc.problem(
                    ("overrides", index, "control"),
                    f"{ov.control!r} has more than one override; merge them into one",
                )
            )
            overridden[ov.control] = 0

    for index, split in enumerate(profile.splits):
        at = ("splits", index)
        if split.function not in lib.functions:
            say(doc.problem((*at, "function"), _unknown("function", split.function, lib.functions)))
        if split.provider is not None and split.provider not in providers:
            say(doc.problem((*at, "provider"), _unknown("provider", split.provider, providers)))
        elif split.provider is None and len(providers) > 1:
            say(
                doc.problem(
                    (*at, "provider"),
                    "the profile has several providers; name the one this split is with",
                )
            )

    for index, handoff in enumerate(profile.handoffs):
        at = ("handoffs", index)
        for key, party in (("from", handoff.from_), ("to", handoff.to)):
            if party not in parties:
                say(
                    doc.problem(
                        (*at, key),
                        _unknown("party", party, parties)
                        + " (a party is 'internal' or a provider id)",
                    )
                )
        if handoff.from_ == handoff.to:
            say(doc.problem((*at, "to"), "a hand-off goes between two different parties"))
        for fkey, function in (
            ("from_function", handoff.from_function),
            ("to_function", handoff.to_function),
        ):
            if function is not None and function not in lib.functions:
                say(doc.problem((*at, fkey), _unknown("function", function, lib.functions)))

    for index, evidence in enumerate(profile.evidence):
        _check_control(doc, ("evidence", index, "control"), evidence.control, lib, in_scope, say)
    return problems


def _check_control(
    doc: Document, at: tuple[Any, ...], key: str, lib: Library, in_scope: set[str], say: Any
) -> None:
    if ":" not in key:
        say(
            doc.problem(
                at,
                f"write the control as a global key '<catalog>:{key}', e.g. 'hipaa-security:{key}'",
            )
        )
    elif key not in lib.controls:
        catalog, control = split_key(key)
        if catalog not in lib.catalogs:
            say(doc.problem(at, _unknown("catalog", catalog, lib.catalogs)))
        else:
            say(
                doc.problem(
                    at,
                    _unknown(
                        f"control of {catalog}",
                        control,
                        [c.id for c in lib.catalogs[catalog].controls],
                    ),
                )
            )
    elif key not in in_scope:
        say(
            doc.problem(
                at,
                f"{key!r} belongs to a framework the profile does not list; add the framework or remove this entry",
            )
        )
