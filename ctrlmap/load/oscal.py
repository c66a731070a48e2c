"""Import OSCAL catalogs and profiles (JSON or YAML) as native ctrlmap catalogs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ctrlmap.errors import InputError, Problem, shown
from ctrlmap.load.oscal_catalog import license_note, read_catalog
from ctrlmap.load.oscal_map import FunctionMap, load_maps
from ctrlmap.load.oscal_model import (
    EXTERNAL_SUMMARY,
    REQUIRED_REASON,
    CatalogMemo,
    ConversionContext,
    RawControl,
    listing,
    root_key,
    warn,
)
from ctrlmap.load.oscal_profiles import read_profile
from ctrlmap.load.read import Document
from ctrlmap.models.base import slugify


def convert_oscal(
    doc: Document,
    path: Path | None,
    given_id: str | None,
    oscal_docs: list[tuple[Path, Document]],
    read: list[Document] | None = None,
    catalogs: CatalogMemo | None = None,
    looked: list[Path] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Convert a parsed OSCAL catalog or profile into native ctrlmap catalog data (a dict that
    validates as ctrlmap.models.Catalog), plus warnings. Raise InputError for fatal problems.

    Every other file read on the way (an imported catalog, a function map) is appended to `read`,
    and every file looked at, present or not, to `looked`; `catalogs` carries the catalogs read by
    the other conversions of the same load.
    """
    ctx = ConversionContext(
        oscal_docs,
        read=read if read is not None else [],
        catalogs=catalogs if catalogs is not None else {},
        looked=looked if looked is not None else [],
    )
    is_profile = "catalog" not in doc.data
    source = read_profile(doc, path, ctx, ()) if is_profile else read_catalog(doc, path, ctx)
    if ctx.problems:
        raise InputError(ctx.problems)
    fmap = load_maps(source.maps, ctx.read, ctx.looked)
    name = path.name if path is not None else Path(doc.name).name
    catalog_id = given_id or (slugify(path.stem) if path is not None else slugify(source.title))
    title = source.title or catalog_id
    if not source.title:
        ctx.warnings.append(
            warn(
                doc,
                f"metadata.title is empty; the catalog id {shown(catalog_id)} is used as its title",
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
        "license_note": license_note(doc),
        "controls": controls,
    }
    return data, ctx.warnings


def _convert_controls(
    doc: Document,
    selected: list[RawControl],
    known: dict[str, RawControl],
    fmap: FunctionMap,
    ctx: ConversionContext,
) -> list[dict[str, Any]]:
    """Native controls: the selected ones sorted, then the external ones they reference.

    Long because each OSCAL control field is mapped to ctrlmap's in one place.
    """
    withdrawn = [r.id for r in selected if r.withdrawn]
    kept = [r for r in selected if not r.withdrawn]
    if withdrawn:
        ctx.warnings.append(
            warn(
                doc,
                f"{len(withdrawn)} withdrawn control{'s' if len(withdrawn) != 1 else ''} left out: {listing(withdrawn)}",
            )
        )
    if not kept:
        what = "all of its controls are withdrawn" if withdrawn else "it selects no controls"
        raise InputError([doc.problem((root_key(doc),), f"nothing to import: {what}")])
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
            if target == record.parent:
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
            warn(
                doc,
                f"{len(untitled)} control(s) have no title; their label or id is used: {listing(untitled)}",
            )
        )
    if unknown:
        ctx.warnings.append(
            warn(
                doc,
                f"{len(unknown)} control(s) named by required links are not in the catalog; shown as external controls: {listing(sorted(unknown))}",
            )
        )
    return out


def _native(cid: str, record: RawControl | None, fmap: FunctionMap) -> dict[str, Any]:
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


def _sorted(records: list[RawControl]) -> list[RawControl]:
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
