"""Import OSCAL catalogs and profiles (JSON or YAML) as native ctrlmap catalogs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ctrlmap.errors import InputError, Problem
from ctrlmap.load.read import Document, format_path, read_document
from ctrlmap.load.resources import builtin_root
from ctrlmap.models.base import slugify

SUMMARY_MAX = 1200
"""Longest summary kept; OSCAL statements with many items run to several thousand characters."""
MAP_SECTIONS = ("families", "controls", "groups")
"""The keyed sections of a function map, besides `default`."""
REQUIRED_REASON = "OSCAL link rel=required"
EXTERNAL_SUMMARY = "Outside this selection; referenced by a selected control."
MAX_IMPORT_DEPTH = 8
"""Deepest chain of profiles importing profiles followed."""

_INSERT = re.compile(r"\{\{\s*insert:\s*([A-Za-z0-9_.-]+)\s*,\s*([^\s}]+)\s*\}\}")
_CONTROL_ID = re.compile(r"^[^\s:]+$")
_PUNCTUATION = (".", ";", ":", ",", "!", "?")
_CONNECTIVES = (" and", " or")


@dataclass
class _Control:
    """One OSCAL control as read, before selection and conversion."""

    id: str
    title: str
    label: str | None
    sort_id: str | None
    withdrawn: bool
    parent: str | None
    ancestors: tuple[str, ...]
    """Enclosing controls, innermost first: an enhancement falls back to its base's map entry."""
    groups: tuple[str, ...]
    """Ids and prop values of the enclosing groups, innermost first, for the function map."""
    required: tuple[str, ...]
    summary: str
    order: int
    source: _Source


@dataclass
class _Source:
    """A catalog read, or a profile resolved: the controls one can select, and where they came from."""

    doc: Document
    path: Path | None
    title: str
    version: str
    controls: dict[str, _Control] = field(default_factory=dict)
    """Selectable controls in document order (withdrawn ones included, to be reported)."""
    known: dict[str, _Control] = field(default_factory=dict)
    """Every control of the underlying catalogs, for the titles of external controls."""
    maps: list[Path] = field(default_factory=list)
    """Per-file function map overrides that apply, weakest first."""
    files: list[str] = field(default_factory=list)
    """The catalog files behind it, for the source line."""


@dataclass
class _Context:
    """What one conversion shares: the given OSCAL documents, problems and warnings."""

    oscal_docs: list[tuple[Path, Document]]
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    read: list[Document] = field(default_factory=list)
    """Files read besides the document converted (imports, function maps), for the inputs record."""


@dataclass
class _FunctionMap:
    """The function map: shipped, then per-file overrides layered on top, key by key."""

    families: dict[str, tuple[str, ...]] = field(default_factory=dict)
    controls: dict[str, tuple[str, ...]] = field(default_factory=dict)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    default: tuple[str, ...] = ("governance",)

    def functions(
        self, control_id: str, ancestors: tuple[str, ...], groups: tuple[str, ...]
    ) -> list[str]:
        """The functions of a control: own or base entry, then group, family, default."""
        for cid in (control_id, *ancestors):
            if cid in self.controls:
                return list(self.controls[cid])
        for key in groups:
            if key in self.groups:
                return list(self.groups[key])
        family = control_id.split("-", 1)[0].lower() if "-" in control_id else None
        if family is not None and family in self.families:
            return list(self.families[family])
        return list(self.default)


def convert_oscal(
    doc: Document,
    path: Path | None,
    given_id: str | None,
    oscal_docs: list[tuple[Path, Document]],
    read: list[Document] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Convert a parsed OSCAL catalog or profile into native ctrlmap catalog data (a dict that
    validates as ctrlmap.models.Catalog), plus warnings. Raise InputError for fatal problems.

    Every other file read on the way (an imported catalog, a function map) is appended to `read`.
    """
    ctx = _Context(oscal_docs, read=read if read is not None else [])
    is_profile = "catalog" not in doc.data
    source = _read_profile(doc, path, ctx, ()) if is_profile else _read_catalog(doc, path, ctx)
    if ctx.problems:
        raise InputError(ctx.problems)
    fmap = _load_maps(source.maps, ctx.read)
    name = path.name if path is not None else Path(doc.name).name
    catalog_id = given_id or (slugify(path.stem) if path is not None else slugify(source.title))
    title = source.title or catalog_id
    if not source.title:
        ctx.warnings.append(
            _warn(
                doc, f"metadata.title is empty; the catalog id {catalog_id!r} is used as its title"
            )
        )
    if is_profile:
        described = f"OSCAL profile {title}, {name}, resolved against {', '.join(dict.fromkeys(source.files))}"
    else:
        described = f"OSCAL catalog {title}, {name}"
    controls = _convert_controls(doc, list(source.controls.values()), source.known, fmap, ctx)
    data = {
        "id": catalog_id,
        "title": title,
        "version": source.version,
        "sector": "other",
        "source": described,
        "license_note": _license_note(doc),
        "controls": controls,
    }
    return data, ctx.warnings


def _read_catalog(doc: Document, path: Path | None, ctx: _Context) -> _Source:
    """Every control of an OSCAL catalog, nested groups and enhancements included."""
    at: tuple[Any, ...] = ("catalog",)
    root = doc.data.get("catalog") if isinstance(doc.data, dict) else None
    if not isinstance(root, dict):
        raise InputError(
            [doc.problem(at, "expected the OSCAL catalog as a mapping of keys to values")]
        )
    title, version = _metadata(doc, root, at, ctx)
    source = _Source(doc, path, title, version, files=[path.name if path else doc.name])
    if path is not None:
        source.maps.append(path.with_name(f"{path.stem}.functions.yaml"))
    reader = _CatalogReader(doc, source, ctx)
    params = reader.params({}, root, at)
    reader.walk(root, at, params, groups=())
    source.known = source.controls
    if not source.controls and not ctx.problems:
        ctx.problems.append(
            doc.problem(
                at,
                "the catalog has no controls (looked in controls[] and groups[]); check that it is the right file",
            )
        )
    return source


class _CatalogReader:
    """Walks groups and controls in document order, checking every shape it relies on."""

    def __init__(self, doc: Document, source: _Source, ctx: _Context) -> None:
        self.doc = doc
        self.source = source
        self.ctx = ctx
        self.paths: dict[str, tuple[Any, ...]] = {}

    def error(self, at: tuple[Any, ...], message: str) -> None:
        self.ctx.problems.append(self.doc.problem(at, message))

    def items(
        self, node: dict[str, Any], key: str, at: tuple[Any, ...], what: str
    ) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
        """The mappings of the list `node[key]`, with their paths; wrong shapes become problems."""
        value = node.get(key)
        if value is None:
            return
        if not isinstance(value, list):
            self.error((*at, key), f"expected a list of {what}s, got {_kind(value)}")
            return
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield (*at, key, index), item
            else:
                self.error(
                    (*at, key, index),
                    f"a {what} must be a mapping of keys to values, got {_kind(item)}",
                )

    def walk(
        self,
        node: dict[str, Any],
        at: tuple[Any, ...],
        params: dict[str, dict[str, Any]],
        groups: tuple[str, ...],
    ) -> None:
        """Read the `controls` and `groups` of a catalog or group, in the order they appear."""
        for key in list(node):
            if key == "controls":
                for cat, control in self.items(node, "controls", at, "control"):
                    self.control(control, cat, params, groups, ())
            elif key == "groups":
                for gat, group in self.items(node, "groups", at, "group"):
                    keys = self.group_keys(group, gat)
                    self.walk(group, gat, self.params(params, group, gat), (*keys, *groups))

    def group_keys(self, group: dict[str, Any], at: tuple[Any, ...]) -> tuple[str, ...]:
        keys = []
        gid = group.get("id")
        if isinstance(gid, str) and gid:
            keys.append(gid)
        keys.extend(value for _, value, _ in self.props(group, at))
        return tuple(keys)

    def props(self, node: dict[str, Any], at: tuple[Any, ...]) -> list[tuple[str, str, str | None]]:
        """(name, value, class) of each prop."""
        out = []
        for pat, prop in self.items(node, "props", at, "prop"):
            name, value, cls = prop.get("name"), prop.get("value"), prop.get("class")
            if (
                not isinstance(name, str)
                or not isinstance(value, str | int | float)
                or isinstance(value, bool)
            ):
                self.error(pat, "a prop needs a text name and a value")
                continue
            out.append((name, str(value), cls if isinstance(cls, str) else None))
        return out

    def params(
        self, scope: dict[str, dict[str, Any]], node: dict[str, Any], at: tuple[Any, ...]
    ) -> dict[str, dict[str, Any]]:
        """The parameters visible inside `node`: the enclosing ones plus its own."""
        own = list(self.items(node, "params", at, "parameter"))
        if not own:
            return scope
        scope = dict(scope)
        for pat, param in own:
            pid = param.get("id")
            if not isinstance(pid, str) or not pid:
                self.error((*pat, "id"), "a parameter needs an id (text)")
                continue
            scope[pid] = param
            # Resolved profiles rename parameters and keep the old id as alt-identifier.
            for name, value, _ in self.props(param, pat):
                if name == "alt-identifier":
                    scope.setdefault(value, param)
        return scope

    def control(
        self,
        node: dict[str, Any],
        at: tuple[Any, ...],
        params: dict[str, dict[str, Any]],
        groups: tuple[str, ...],
        parent: tuple[str, ...],
    ) -> None:
        cid = node.get("id")
        if not isinstance(cid, str) or not cid.strip():
            self.error(
                (*at, "id") if "id" in node else at, "a control needs an id (text, e.g. 'ac-2')"
            )
            return
        if not _CONTROL_ID.match(cid):
            self.error((*at, "id"), f"control id {cid!r} has spaces or ':'; OSCAL ids are tokens")
            return
        if cid in self.paths:
            self.error(
                (*at, "id"),
                f"duplicate control id {cid!r} (also at {format_path(self.doc.data, self.paths[cid])}); ids must be unique",
            )
            return
        self.paths[cid] = at
        title = node.get("title", "")
        if not isinstance(title, str):
            self.error((*at, "title"), f"a control title must be text, got {_kind(title)}")
            title = ""
        props = self.props(node, at)
        # Resolved catalogs carry several labels (zero-padded, sp800-53a); the plain one is printed.
        labels = [(v, c) for n, v, c in props if n == "label"]
        label = next((v for v, c in labels if c is None), labels[0][0] if labels else None)
        sort_id = next((v for n, v, _ in props if n == "sort-id"), None)
        withdrawn = any(n == "status" and v.strip().lower() == "withdrawn" for n, v, _ in props)
        scope = self.params(params, node, at)
        required = self.required_links(node, at)
        summary = "" if withdrawn else _summary(self, node, at, scope)
        record = _Control(
            id=cid,
            title=" ".join(title.split()),
            label=label,
            sort_id=sort_id,
            withdrawn=withdrawn,
            parent=parent[0] if parent else None,
            ancestors=parent,
            groups=groups,
            required=required,
            summary=summary,
            order=len(self.source.controls),
            source=self.source,
        )
        self.source.controls[cid] = record
        for cat, child in self.items(node, "controls", at, "control"):
            self.control(child, cat, scope, groups, (cid, *parent))

    def required_links(self, node: dict[str, Any], at: tuple[Any, ...]) -> tuple[str, ...]:
        """Control ids named by `rel: required` links to this document; other rels are ignored."""
        targets: list[str] = []
        elsewhere = 0
        for lat, link in self.items(node, "links", at, "link"):
            href, rel = link.get("href"), link.get("rel")
            if not isinstance(href, str) or not href:
                self.error((*lat, "href"), "a link needs an href (text)")
                continue
            if rel != "required":
                continue
            if not href.startswith("#"):
                elsewhere += 1
                continue
            target = unquote(href[1:])
            if not _CONTROL_ID.match(target):
                self.error((*lat, "href"), f"{href!r} does not name a control id")
                continue
            if target not in targets:
                targets.append(target)
        if elsewhere:
            self.ctx.warnings.append(
                _warn(
                    self.doc,
                    f"{format_path(self.doc.data, at)}: {elsewhere} required link(s) to other documents not followed",
                )
            )
        return tuple(targets)


def _metadata(
    doc: Document, root: dict[str, Any], at: tuple[Any, ...], ctx: _Context
) -> tuple[str, str]:
    """The title and version of a catalog or profile (empty title and 'unknown' when missing)."""
    meta = root.get("metadata")
    if meta is None:
        ctx.warnings.append(
            _warn(doc, "no metadata (OSCAL requires it); title and version are unknown")
        )
        return "", "unknown"
    if not isinstance(meta, dict):
        ctx.problems.append(
            doc.problem(
                (*at, "metadata"), f"expected a mapping of keys to values, got {_kind(meta)}"
            )
        )
        return "", "unknown"
    title = meta.get("title", "")
    if not isinstance(title, str):
        ctx.problems.append(
            doc.problem((*at, "metadata", "title"), f"expected text, got {_kind(title)}")
        )
        title = ""
    version = meta.get("version")
    shown = (
        str(version).strip()
        if isinstance(version, str | int | float) and not isinstance(version, bool)
        else ""
    )
    return " ".join(title.split()), shown or "unknown"


def _license_note(doc: Document) -> str | None:
    root = doc.data.get("catalog", doc.data.get("profile"))
    meta = root.get("metadata") if isinstance(root, dict) else None
    if not isinstance(meta, dict):
        return None
    for key in ("rights", "remarks"):
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return _cap(" ".join(value.split()))
    return None


def _summary(
    reader: _CatalogReader,
    node: dict[str, Any],
    at: tuple[Any, ...],
    params: dict[str, dict[str, Any]],
) -> str:
    """The statement, items flattened with their labels and parameters made readable."""
    parts = list(reader.items(node, "parts", at, "part"))
    statement = next((p for p in parts if p[1].get("name") == "statement"), None)
    if statement is not None:
        text = _flatten(reader, statement[1], statement[0], params, top=True)
    else:
        # No statement (messy catalogs): the first part that has prose stands in for it.
        text = next((t for t in (_prose(reader, p, pat, params) for pat, p in parts) if t), "")
    text = " ".join(text.split())
    return _cap(text) if text else "No statement text."


def _flatten(
    reader: _CatalogReader,
    part: dict[str, Any],
    at: tuple[Any, ...],
    params: dict[str, dict[str, Any]],
    top: bool = False,
) -> str:
    label = None if top else next((v for n, v, _ in reader.props(part, at) if n == "label"), None)
    head = " ".join(x for x in (label, _prose(reader, part, at, params)) if x)
    pieces = [head] + [
        _flatten(reader, child, cat, params)
        for cat, child in reader.items(part, "parts", at, "part")
    ]
    return _join(pieces)


def _prose(
    reader: _CatalogReader,
    part: dict[str, Any],
    at: tuple[Any, ...],
    params: dict[str, dict[str, Any]],
) -> str:
    prose = part.get("prose")
    if prose is None:
        return ""
    if not isinstance(prose, str):
        reader.error((*at, "prose"), f"prose must be text, got {_kind(prose)}")
        return ""
    return " ".join(_insert_params(prose, params, bracket=True).split())


def _join(pieces: list[str]) -> str:
    """Join items as one sentence: '; ' between them unless the text already ends in punctuation."""
    out = ""
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if not out:
            out = piece
        elif out.endswith(_PUNCTUATION) or out.endswith(_CONNECTIVES):
            out = f"{out} {piece}"
        else:
            out = f"{out}; {piece}"
    return out


def _insert_params(
    text: str, params: dict[str, dict[str, Any]], bracket: bool, depth: int = 0
) -> str:
    def replace(match: re.Match[str]) -> str:
        kind, pid = match.group(1), match.group(2)
        shown = _param_text(pid, params, depth) if kind == "param" else pid
        return f"[{shown}]" if bracket else shown

    return _INSERT.sub(replace, text)


def _param_text(pid: str, params: dict[str, dict[str, Any]], depth: int) -> str:
    """A parameter as a reader sees it: its label, else its choices, else its guidelines, else its id."""
    param = params.get(pid)
    if param is None or depth > 4:
        return pid
    label = param.get("label")
    if isinstance(label, str) and label.strip():
        return " ".join(label.split())
    select = param.get("select")
    if isinstance(select, dict) and isinstance(select.get("choice"), list):
        choices = [
            " ".join(_insert_params(c, params, bracket=False, depth=depth + 1).split())
            for c in select["choice"]
            if isinstance(c, str) and c.strip()
        ]
        if choices:
            return " or ".join(choices)
    guidelines = param.get("guidelines")
    if isinstance(guidelines, list):
        for guideline in guidelines:
            if (
                isinstance(guideline, dict)
                and isinstance(guideline.get("prose"), str)
                and guideline["prose"].strip()
            ):
                # Guidelines are sentences ("... is defined;"); inside brackets the stop is noise.
                return " ".join(guideline["prose"].split()).rstrip(".;:, ")
    return pid


def _cap(text: str) -> str:
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1].rstrip() + "…"


def _read_profile(
    doc: Document, path: Path | None, ctx: _Context, stack: tuple[str, ...]
) -> _Source:
    """The controls a profile selects from the catalogs (or profiles) it imports."""
    at: tuple[Any, ...] = ("profile",)
    root = doc.data.get("profile") if isinstance(doc.data, dict) else None
    if not isinstance(root, dict):
        raise InputError(
            [doc.problem(at, "expected the OSCAL profile as a mapping of keys to values")]
        )
    title, version = _metadata(doc, root, at, ctx)
    source = _Source(doc, path, title, version)
    imports = root.get("imports")
    if not isinstance(imports, list) or not imports:
        got = "" if imports is None else f", got {_kind(imports)}"
        raise InputError(
            [
                doc.problem(
                    (*at, "imports"),
                    f"a profile needs a non-empty list of imports{got}; import the catalog by its href",
                )
            ]
        )
    key = _identity(doc, path)
    for index, imp in enumerate(imports):
        iat = (*at, "imports", index)
        try:
            _read_import(doc, path, imp, iat, source, ctx, (*stack, key))
        except InputError as exc:
            ctx.problems.extend(exc.problems)
    modify = root.get("modify")
    if modify:
        ctx.warnings.append(_warn(doc, "profile modify/merge directives are not applied"))
    if path is not None:
        source.maps.append(path.with_name(f"{path.stem}.functions.yaml"))
    return source


def _read_import(
    doc: Document,
    path: Path | None,
    imp: Any,
    at: tuple[Any, ...],
    source: _Source,
    ctx: _Context,
    stack: tuple[str, ...],
) -> None:
    if not isinstance(imp, dict):
        raise InputError(
            [doc.problem(at, f"an import must be a mapping with an href, got {_kind(imp)}")]
        )
    href = imp.get("href")
    if not isinstance(href, str) or not href.strip():
        raise InputError(
            [
                doc.problem(
                    (*at, "href"),
                    "an import needs an href (the catalog's path or '#<back-matter uuid>')",
                )
            ]
        )
    if "include-all" not in imp and "include-controls" not in imp:
        raise InputError(
            [doc.problem(at, "an import needs include-all or include-controls; add one")]
        )
    target_path, target = _resolve_href(doc, path, href, at, ctx)
    if len(stack) > MAX_IMPORT_DEPTH:
        raise InputError(
            [
                doc.problem(
                    (*at, "href"),
                    f"profiles import each other more than {MAX_IMPORT_DEPTH} deep; check for a loop",
                )
            ]
        )
    if _identity(target, target_path) in stack:
        raise InputError(
            [
                doc.problem(
                    (*at, "href"),
                    f"{href!r} leads back to a profile already being resolved (an import loop)",
                )
            ]
        )
    data = target.data if isinstance(target.data, dict) else {}
    if "catalog" in data:
        imported = _read_catalog(target, target_path, ctx)
    elif "profile" in data:
        imported = _read_profile(target, target_path, ctx, stack)
    else:
        raise InputError(
            [
                doc.problem(
                    (*at, "href"),
                    f"{href!r} resolves to {target.name}, which is not an OSCAL catalog or profile (JSON or YAML)",
                )
            ]
        )
    chosen = _select(doc, imp, at, imported, ctx)
    for cid in chosen:
        record = imported.controls[cid]
        if cid in source.controls and source.controls[cid] is not record:
            ctx.warnings.append(
                _warn(doc, f"control {cid!r} is imported twice; the first import's is kept")
            )
            continue
        source.controls.setdefault(cid, record)
    for cid, record in imported.known.items():
        source.known.setdefault(cid, record)
    source.maps.extend(imported.maps)
    source.files.extend(imported.files)


def _select(
    doc: Document, imp: dict[str, Any], at: tuple[Any, ...], imported: _Source, ctx: _Context
) -> list[str]:
    """The ids an import selects, in the imported document's order."""
    children: dict[str, list[str]] = {}
    for record in imported.controls.values():
        for ancestor in record.ancestors:
            children.setdefault(ancestor, []).append(record.id)
    missing: list[str] = []
    problems: list[Problem] = []

    def match(key: str) -> set[str]:
        chosen: set[str] = set()
        value = imp.get(key)
        if value is None:
            return chosen
        if not isinstance(value, list):
            problems.append(
                doc.problem((*at, key), f"expected a list of selections, got {_kind(value)}")
            )
            return chosen
        for index, selector in enumerate(value):
            sat = (*at, key, index)
            if not isinstance(selector, dict):
                problems.append(
                    doc.problem(
                        sat,
                        f"a selection must be a mapping (with-ids, matching), got {_kind(selector)}",
                    )
                )
                continue
            found: set[str] = set()
            ids = selector.get("with-ids", [])
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                problems.append(
                    doc.problem((*sat, "with-ids"), "expected a list of control ids (text)")
                )
                ids = []
            for cid in ids:
                if cid in imported.controls:
                    found.add(cid)
                elif cid not in missing:
                    missing.append(cid)
            patterns = selector.get("matching", [])
            if not isinstance(patterns, list):
                problems.append(
                    doc.problem((*sat, "matching"), "expected a list of {pattern: ...}")
                )
                patterns = []
            for j, entry in enumerate(patterns):
                pattern = entry.get("pattern") if isinstance(entry, dict) else None
                if not isinstance(pattern, str):
                    problems.append(
                        doc.problem((*sat, "matching", j), "expected {pattern: <glob>}")
                    )
                    continue
                found.update(cid for cid in imported.controls if fnmatchcase(cid, pattern))
            if selector.get("with-child-controls") == "yes":
                found.update(child for cid in list(found) for child in children.get(cid, ()))
            chosen |= found
        return chosen

    chosen = set(imported.controls) if "include-all" in imp else set()
    chosen |= match("include-controls")
    chosen -= match("exclude-controls")
    if problems:
        raise InputError(problems)
    if missing:
        ctx.warnings.append(
            _warn(
                doc,
                f"{len(missing)} control id(s) selected by imports[{at[-1]}] are not in {imported.doc.name}: {_listing(missing)}",
            )
        )
    return [cid for cid in imported.controls if cid in chosen]


def _resolve_href(
    doc: Document, path: Path | None, href: str, at: tuple[Any, ...], ctx: _Context
) -> tuple[Path | None, Document]:
    """The document an import's href names: a file beside the profile, else one given with --catalog."""
    hat = (*at, "href")
    hrefs, titles = [href], set[str]()
    if href.startswith("#"):
        hrefs, titles = _back_matter(doc, href[1:], hat)
    folder = path.parent if path is not None else None
    unreadable = []
    for candidate in hrefs:
        parsed = urlparse(candidate)
        if parsed.scheme or folder is None:
            continue
        file = folder / unquote(parsed.path)
        if not file.is_file():
            continue
        if file.suffix.lower() not in (".json", ".yaml", ".yml"):
            unreadable.append(file.name)
            continue
        for given_path, given in ctx.oscal_docs:
            if _same_file(given_path, file):
                return given_path, given
        imported = read_document(file)
        ctx.read.append(imported)
        return file, imported
    names = {Path(unquote(urlparse(h).path)).name for h in hrefs}
    others = [
        (p, d)
        for p, d in ctx.oscal_docs
        if not (path is not None and _same_file(p, path)) and d is not doc
    ]
    by_name = [(p, d) for p, d in others if p.name in names]
    if by_name:
        return by_name[0]
    catalogs = [(p, d) for p, d in others if isinstance(d.data, dict) and "catalog" in d.data]
    by_title = [(p, d) for p, d in catalogs if titles and _catalog_title(d) in titles]
    shown = ", ".join(sorted(names))
    if len(by_title) == 1:
        ctx.warnings.append(
            _warn(
                doc,
                f"{format_path(doc.data, hat)}: {href!r} ({shown}) is not beside the profile; using {by_title[0][0].name}, the catalog given with --catalog that has the same title",
            )
        )
        return by_title[0]
    if len(catalogs) == 1:
        ctx.warnings.append(
            _warn(
                doc,
                f"{format_path(doc.data, hat)}: {href!r} ({shown}) is not beside the profile; using {catalogs[0][0].name}, the only OSCAL catalog given with --catalog",
            )
        )
        return catalogs[0]
    if unreadable:
        why = f"only {', '.join(unreadable)} exists beside the profile and OSCAL XML is not read"
    elif catalogs:
        why = f"none of the OSCAL catalogs given ({', '.join(p.name for p, _ in catalogs)}) is named {shown}"
    else:
        why = "no such file beside the profile and no OSCAL catalog was given with --catalog"
    raise InputError(
        [
            doc.problem(
                hat,
                f"cannot resolve the import {href!r} ({shown}): {why}; give the catalog with --catalog FILE",
            )
        ]
    )


def _back_matter(doc: Document, uuid: str, at: tuple[Any, ...]) -> tuple[list[str], set[str]]:
    """The rlink hrefs (JSON and YAML first) and the title of a back-matter resource."""
    root = doc.data.get("profile")
    back = root.get("back-matter") if isinstance(root, dict) else None
    resources = back.get("resources") if isinstance(back, dict) else None
    for resource in resources if isinstance(resources, list) else []:
        if not isinstance(resource, dict) or resource.get("uuid") != uuid:
            continue
        rlinks = resource.get("rlinks")
        hrefs = [
            link["href"]
            for link in (rlinks if isinstance(rlinks, list) else [])
            if isinstance(link, dict) and isinstance(link.get("href"), str) and link["href"]
        ]
        if not hrefs:
            raise InputError(
                [
                    doc.problem(
                        at,
                        f"back-matter resource {uuid} has no rlinks with an href; add the catalog's path",
                    )
                ]
            )
        hrefs.sort(key=lambda h: h.lower().endswith(".xml"))
        titles = {
            " ".join(v.split())
            for k in ("title", "description")
            if isinstance(v := resource.get(k), str) and v.strip()
        }
        return hrefs, titles
    raise InputError(
        [
            doc.problem(
                at, f"no back-matter resource has uuid {uuid}; fix the href or add the resource"
            )
        ]
    )


def _catalog_title(doc: Document) -> str:
    root = doc.data.get("catalog")
    meta = root.get("metadata") if isinstance(root, dict) else None
    title = meta.get("title") if isinstance(meta, dict) else None
    return " ".join(title.split()) if isinstance(title, str) else ""


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _identity(doc: Document, path: Path | None) -> str:
    return str(path.resolve()) if path is not None else f"{doc.name}#{doc.sha256}"


def _convert_controls(
    doc: Document,
    selected: list[_Control],
    known: dict[str, _Control],
    fmap: _FunctionMap,
    ctx: _Context,
) -> list[dict[str, Any]]:
    """Native controls: the selected ones sorted, then the external ones they reference."""
    withdrawn = [r.id for r in selected if r.withdrawn]
    kept = [r for r in selected if not r.withdrawn]
    if withdrawn:
        ctx.warnings.append(
            _warn(
                doc,
                f"{len(withdrawn)} withdrawn control{'s' if len(withdrawn) != 1 else ''} left out: {_listing(withdrawn)}",
            )
        )
    if not kept:
        what = "all of its controls are withdrawn" if withdrawn else "it selects no controls"
        raise InputError([doc.problem((_root_key(doc),), f"nothing to import: {what}")])
    kept_ids = {r.id for r in kept}
    external: dict[str, None] = {}
    untitled: list[str] = []
    out: list[dict[str, Any]] = []
    for record in _sorted(kept):
        deps = []
        if record.parent is not None and record.parent not in kept_ids:
            external[record.parent] = None
        for target in record.required:
            # The parent link restates the implicit child-on-parent dependency; keep the edge one.
            if target in (record.id, record.parent):
                continue
            if target not in kept_ids:
                external[target] = None
            deps.append({"control": target, "basis": "text", "reason": REQUIRED_REASON})
        if not record.title:
            untitled.append(record.id)
        control = _native(record.id, record, fmap)
        control.update(summary=record.summary, status="active", depends_on=deps)
        if record.parent is not None:
            control["parent"] = record.parent
        out.append(control)
    unknown = [cid for cid in external if cid not in known]
    outside = [known[cid] for cid in external if cid in known]
    for record in _sorted(outside):
        control = _native(record.id, record, fmap)
        control.update(summary=EXTERNAL_SUMMARY, status="external")
        out.append(control)
    for cid in sorted(unknown):
        control = _native(cid, None, fmap)
        control.update(summary=EXTERNAL_SUMMARY, status="external")
        out.append(control)
    if untitled:
        ctx.warnings.append(
            _warn(
                doc,
                f"{len(untitled)} control(s) have no title; their label or id is used: {_listing(untitled)}",
            )
        )
    if unknown:
        ctx.warnings.append(
            _warn(
                doc,
                f"{len(unknown)} control(s) named by required links are not in the catalog; shown as external controls: {_listing(sorted(unknown))}",
            )
        )
    return out


def _native(cid: str, record: _Control | None, fmap: _FunctionMap) -> dict[str, Any]:
    label = record.label if record is not None else None
    title = record.title if record is not None else ""
    citation = (
        f"{label} ({record.source.title or record.source.doc.name})"
        if record is not None and label
        else cid
    )
    functions = fmap.functions(
        cid, record.ancestors if record else (), record.groups if record else ()
    )
    return {
        "id": cid,
        "title": title or label or cid,
        "citation": citation,
        "kind": "requirement",
        "level": "required",
        "functions": functions,
    }


def _sorted(records: list[_Control]) -> list[_Control]:
    """By sort-id; a control without one keeps its place after the control before it."""
    keys: list[tuple[str, int, int]] = []
    last = ""
    sources: dict[int, int] = {}
    for record in records:
        last = record.sort_id if record.sort_id is not None else last
        source_no = sources.setdefault(id(record.source), len(sources))
        keys.append((last, source_no, record.order))
    return [
        record for _, record in sorted(zip(keys, records, strict=True), key=lambda pair: pair[0])
    ]


def _load_maps(overrides: list[Path], read: list[Document]) -> _FunctionMap:
    """The shipped function map with every existing override file applied on top, in order."""
    root = builtin_root()
    known = _known_functions(root)
    fmap = _FunctionMap(default=())
    files: list[tuple[Path, str | None]] = [
        (root / "oscal" / "function-map.yaml", "frameworks/oscal/function-map.yaml")
    ]
    files += [(p, None) for p in dict.fromkeys(overrides) if p.is_file()]
    problems: list[Problem] = []
    for file, name in files:
        doc = read_document(file, name)
        read.append(doc)
        _apply_map(doc, fmap, known, problems)
    if problems:
        raise InputError(problems)
    return fmap


def _known_functions(root: Path) -> set[str]:
    data = read_document(root / "functions.yaml", "frameworks/functions.yaml").data
    functions = data.get("functions") if isinstance(data, dict) else None
    return set(functions) if isinstance(functions, dict) else set()


def _apply_map(doc: Document, fmap: _FunctionMap, known: set[str], problems: list[Problem]) -> None:
    data = doc.data
    if not isinstance(data, dict):
        problems.append(
            doc.problem(
                (),
                f"expected a mapping with families, controls, groups and default, got {_kind(data)}",
            )
        )
        return
    for key in data:
        if key not in (*MAP_SECTIONS, "default"):
            problems.append(
                doc.problem(
                    (key,), f"unknown key; allowed keys are {', '.join((*MAP_SECTIONS, 'default'))}"
                )
            )
    for section in MAP_SECTIONS:
        entries = data.get(section)
        if entries is None:
            continue
        if not isinstance(entries, dict):
            problems.append(
                doc.problem(
                    (section,),
                    f"expected a mapping of ids to lists of functions, got {_kind(entries)}",
                )
            )
            continue
        target: dict[str, tuple[str, ...]] = getattr(fmap, section)
        for key, value in entries.items():
            if not isinstance(key, str):
                problems.append(
                    doc.problem((section, key), f"the key {key!r} must be text; quote it")
                )
                continue
            functions = _map_functions(doc, (section, key), value, known, problems)
            if functions:
                target[key.lower() if section == "families" else key] = functions
    if "default" in data:
        functions = _map_functions(doc, ("default",), data["default"], known, problems)
        if functions:
            fmap.default = functions
    if not fmap.default:
        problems.append(
            doc.problem(("default",), "a function map needs a default list of functions")
        )


def _map_functions(
    doc: Document, at: tuple[Any, ...], value: Any, known: set[str], problems: list[Problem]
) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        problems.append(
            doc.problem(at, "expected a non-empty list of function ids, e.g. [access-management]")
        )
        return ()
    for index, fid in enumerate(values):
        if fid not in known:
            problems.append(
                doc.problem(
                    (*at, index), f"unknown function {fid!r}; use one of frameworks/functions.yaml"
                )
            )
    return tuple(values)


def _warn(doc: Document, message: str) -> Problem:
    return Problem(doc.name, None, "", message)


def _listing(ids: list[str], limit: int = 10) -> str:
    shown = ", ".join(ids[:limit])
    return f"{shown}, and {len(ids) - limit} more" if len(ids) > limit else shown


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"the value {value!r}"


def _root_key(doc: Document) -> str:
    return "catalog" if "catalog" in doc.data else "profile"
