"""Read an OSCAL catalog: its controls, their prose with parameters filled in, and its metadata."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ctrlmap.errors import InputError, shown
from ctrlmap.load.oscal_model import (
    CONNECTIVES,
    CONTROL_ID,
    INSERT,
    PUNCTUATION,
    SUMMARY_MAX,
    ConversionContext,
    OscalSource,
    RawControl,
    kind_of,
    warn,
)
from ctrlmap.load.read import Document, format_path


def read_catalog(doc: Document, path: Path | None, ctx: ConversionContext) -> OscalSource:
    """Every control of an OSCAL catalog, nested groups and enhancements included.

    A catalog is read once per load: a profile importing a catalog given with --catalog gets the
    controls the catalog's own conversion read, with its problems and warnings repeated. Within one
    conversion each import reads afresh, so that a catalog imported twice is still reported.
    """
    done = ctx.catalogs.get(id(doc))
    if done is not None and done[0] is doc and done[1] is not ctx and done[2].path == path:
        _, _, source, problems, warnings = done
        ctx.problems.extend(problems)
        ctx.warnings.extend(warnings)
        return source
    problems_before, warnings_before = len(ctx.problems), len(ctx.warnings)
    source = _read_catalog(doc, path, ctx)
    ctx.catalogs[id(doc)] = (
        doc,
        ctx,
        source,
        ctx.problems[problems_before:],
        ctx.warnings[warnings_before:],
    )
    return source


def _read_catalog(doc: Document, path: Path | None, ctx: ConversionContext) -> OscalSource:
    at: tuple[Any, ...] = ("catalog",)
    root = doc.data.get("catalog") if isinstance(doc.data, dict) else None
    if not isinstance(root, dict):
        raise InputError(
            [doc.problem(at, "expected the OSCAL catalog as a mapping of keys to values")]
        )
    title, version = metadata(doc, root, at, ctx)
    source = OscalSource(doc, path, title, version, files=[path.name if path else doc.name])
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

    def __init__(self, doc: Document, source: OscalSource, ctx: ConversionContext) -> None:
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
            self.error((*at, key), f"expected a list of {what}s, got {kind_of(value)}")
            return
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield (*at, key, index), item
            else:
                self.error(
                    (*at, key, index),
                    f"a {what} must be a mapping of keys to values, got {kind_of(item)}",
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
        if not CONTROL_ID.match(cid):
            self.error(
                (*at, "id"), f"control id {shown(cid)} has spaces or ':'; OSCAL ids are tokens"
            )
            return
        if cid in self.paths:
            self.error(
                (*at, "id"),
                f"duplicate control id {shown(cid)} (also at {format_path(self.doc.data, self.paths[cid])}); ids must be unique",
            )
            return
        self.paths[cid] = at
        title = node.get("title", "")
        if not isinstance(title, str):
            self.error((*at, "title"), f"a control title must be text, got {kind_of(title)}")
            title = ""
        props = self.props(node, at)
        # Resolved catalogs carry several labels (zero-padded, sp800-53a); the plain one is printed.
        labels = [(v, c) for n, v, c in props if n == "label"]
        label = next((v for v, c in labels if c is None), labels[0][0] if labels else None)
        sort_id = next((v for n, v, _ in props if n == "sort-id"), None)
        withdrawn = any(n == "status" and v.strip().lower() == "withdrawn" for n, v, _ in props)
        scope = self.params(params, node, at)
        required = self.required_links(cid, node, at)
        summary = "" if withdrawn else _summary(self, node, at, scope)
        record = RawControl(
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

    def required_links(
        self, cid: str, node: dict[str, Any], at: tuple[Any, ...]
    ) -> tuple[str, ...]:
        """Control ids named by `rel: required` links to this document; other rels are ignored.

        A control that requires itself is an error: it is a typing mistake for the control meant.
        """
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
            if not CONTROL_ID.match(target):
                self.error((*lat, "href"), f"{shown(href)} does not name a control id")
                continue
            if target == cid:
                self.error(
                    (*lat, "href"),
                    f"control {shown(cid)} requires itself; point the link at the control it "
                    "depends on, or remove the link",
                )
                continue
            if target not in targets:
                targets.append(target)
        if elsewhere:
            self.ctx.warnings.append(
                warn(
                    self.doc,
                    f"{format_path(self.doc.data, at)}: {elsewhere} required link(s) to other documents not followed",
                )
            )
        return tuple(targets)


def metadata(
    doc: Document, root: dict[str, Any], at: tuple[Any, ...], ctx: ConversionContext
) -> tuple[str, str]:
    """The title and version of a catalog or profile (empty title and 'unknown' when missing)."""
    meta = root.get("metadata")
    if meta is None:
        ctx.warnings.append(
            warn(doc, "no metadata (OSCAL requires it); title and version are unknown")
        )
        return "", "unknown"
    if not isinstance(meta, dict):
        ctx.problems.append(
            doc.problem(
                (*at, "metadata"), f"expected a mapping of keys to values, got {kind_of(meta)}"
            )
        )
        return "", "unknown"
    title = meta.get("title", "")
    if not isinstance(title, str):
        ctx.problems.append(
            doc.problem((*at, "metadata", "title"), f"expected text, got {kind_of(title)}")
        )
        title = ""
    version = meta.get("version")
    shown = (
        str(version).strip()
        if isinstance(version, str | int | float) and not isinstance(version, bool)
        else ""
    )
    return " ".join(title.split()), shown or "unknown"


def license_note(doc: Document) -> str | None:
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
        reader.error((*at, "prose"), f"prose must be text, got {kind_of(prose)}")
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
        elif out.endswith(PUNCTUATION) or out.endswith(CONNECTIVES):
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

    return INSERT.sub(replace, text)


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


def catalog_title(doc: Document) -> str:
    root = doc.data.get("catalog")
    meta = root.get("metadata") if isinstance(root, dict) else None
    title = meta.get("title") if isinstance(meta, dict) else None
    return " ".join(title.split()) if isinstance(title, str) else ""
