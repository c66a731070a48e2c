"""Resolve an OSCAL profile: its imports, the controls it selects, and the hrefs it follows."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ctrlmap.errors import InputError, Problem, excerpt, shown
from ctrlmap.load.oscal_catalog import catalog_title, metadata, read_catalog
from ctrlmap.load.oscal_model import (
    MAX_IMPORT_DEPTH,
    ConversionContext,
    OscalSource,
    kind_of,
    listing,
    warn,
)
from ctrlmap.load.read import Document, format_path, read_document


def read_profile(
    doc: Document, path: Path | None, ctx: ConversionContext, stack: tuple[str, ...]
) -> OscalSource:
    """The controls a profile selects from the catalogs (or profiles) it imports."""
    at: tuple[Any, ...] = ("profile",)
    root = doc.data.get("profile") if isinstance(doc.data, dict) else None
    if not isinstance(root, dict):
        raise InputError(
            [doc.problem(at, "expected the OSCAL profile as a mapping of keys to values")]
        )
    title, version = metadata(doc, root, at, ctx)
    source = OscalSource(doc, path, title, version)
    imports = root.get("imports")
    if not isinstance(imports, list) or not imports:
        got = "" if imports is None else f", got {kind_of(imports)}"
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
        ctx.warnings.append(warn(doc, "profile modify/merge directives are not applied"))
    if path is not None:
        source.maps.append(path.with_name(f"{path.stem}.functions.yaml"))
    return source


def _read_import(
    doc: Document,
    path: Path | None,
    imp: Any,
    at: tuple[Any, ...],
    source: OscalSource,
    ctx: ConversionContext,
    stack: tuple[str, ...],
) -> None:
    """One import of a profile: the catalog or profile it names, resolved and checked.

    Long because an OSCAL import may name a catalog, a profile or back-matter, each resolved and checked here.
    """
    if not isinstance(imp, dict):
        raise InputError(
            [doc.problem(at, f"an import must be a mapping with an href, got {kind_of(imp)}")]
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
                    f"{shown(href)} leads back to a profile already being resolved (an import loop)",
                )
            ]
        )
    data = target.data if isinstance(target.data, dict) else {}
    if "catalog" in data:
        imported = read_catalog(target, target_path, ctx)
    elif "profile" in data:
        imported = read_profile(target, target_path, ctx, stack)
    else:
        raise InputError(
            [
                doc.problem(
                    (*at, "href"),
                    f"{shown(href)} resolves to {target.name}, which is not an OSCAL catalog or profile (JSON or YAML)",
                )
            ]
        )
    chosen = _select(doc, imp, at, imported, ctx)
    for cid in chosen:
        record = imported.controls[cid]
        if cid in source.controls and source.controls[cid] is not record:
            ctx.warnings.append(
                warn(doc, f"control {shown(cid)} is imported twice; the first import's is kept")
            )
            continue
        source.controls.setdefault(cid, record)
    for cid, record in imported.known.items():
        source.known.setdefault(cid, record)
    source.maps.extend(imported.maps)
    source.files.extend(imported.files)


def _select(
    doc: Document,
    imp: dict[str, Any],
    at: tuple[Any, ...],
    imported: OscalSource,
    ctx: ConversionContext,
) -> list[str]:
    """The ids an import selects, in the imported document's order.

    Long and branching because OSCAL's include/exclude, with-ids, matching patterns and with-child-controls are one selection.
    """
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
                doc.problem((*at, key), f"expected a list of selections, got {kind_of(value)}")
            )
            return chosen
        for index, selector in enumerate(value):
            sat = (*at, key, index)
            if not isinstance(selector, dict):
                problems.append(
                    doc.problem(
                        sat,
                        f"a selection must be a mapping (with-ids, matching), got {kind_of(selector)}",
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
            warn(
                doc,
                f"{len(missing)} control id(s) selected by imports[{at[-1]}] are not in {imported.doc.name}: {listing(missing)}",
            )
        )
    return [cid for cid in imported.controls if cid in chosen]


def _resolve_href(
    doc: Document, path: Path | None, href: str, at: tuple[Any, ...], ctx: ConversionContext
) -> tuple[Path | None, Document]:
    """The document an import's href names: a file beside the profile, else one given with --catalog.

    Long because each href form (fragment, relative path, absolute, URL) is checked and explained.
    """
    hat = (*at, "href")
    hrefs, titles = [href], set[str]()
    if href.startswith("#"):
        hrefs, titles = _back_matter(doc, href[1:], hat)
    folder = path.parent if path is not None else None
    unreadable: list[str] = []
    outside: list[str] = []
    for candidate in hrefs:
        parsed = urlparse(candidate)
        if parsed.scheme or folder is None:
            continue
        file = folder / unquote(parsed.path)
        ctx.looked.append(file)
        for given_path, given in ctx.oscal_docs:
            if _same_file(given_path, file):
                return given_path, given
        if not _inside(file, folder):
            outside.append(candidate)
            continue
        if not _is_file(file):
            continue
        if file.suffix.lower() not in (".json", ".yaml", ".yml"):
            unreadable.append(file.name)
            continue
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
    by_title = [(p, d) for p, d in catalogs if titles and catalog_title(d) in titles]
    files = excerpt(", ".join(sorted(names)))
    if len(by_title) == 1:
        ctx.warnings.append(
            warn(
                doc,
                f"{format_path(doc.data, hat)}: {shown(href)} ({files}) is not beside the profile; using {by_title[0][0].name}, the catalog given with --catalog that has the same title",
            )
        )
        return by_title[0]
    if len(catalogs) == 1:
        ctx.warnings.append(
            warn(
                doc,
                f"{format_path(doc.data, hat)}: {shown(href)} ({files}) is not beside the profile; using {catalogs[0][0].name}, the only OSCAL catalog given with --catalog",
            )
        )
        return catalogs[0]
    fix = "give the catalog with --catalog FILE"
    if unreadable:
        why = f"only {', '.join(unreadable)} exists beside the profile and OSCAL XML is not read"
    elif catalogs:
        why = f"none of the OSCAL catalogs given ({', '.join(p.name for p, _ in catalogs)}) is named {files}"
    elif outside:
        why = (
            f"{shown(outside[0])} points outside the profile's folder, and an import is read only "
            "from that folder (or a folder under it) or from the files given with --catalog"
        )
        fix += ", or copy it beside the profile"
    else:
        why = "no such file beside the profile and no OSCAL catalog was given with --catalog"
    raise InputError(
        [
            doc.problem(
                hat,
                f"cannot resolve the import {shown(href)} ({files}): {why}; {fix}",
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


def _is_file(path: Path) -> bool:
    """Whether an href names a file; a name the system refuses (too long, say) names none."""
    try:
        return path.is_file()
    except OSError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop
        return False


def _inside(file: Path, folder: Path) -> bool:
    """Whether `file`, links followed, lies in `folder` or below it: an href may not reach out of
    the importing profile's folder (an absolute path, `..`, or a link pointing elsewhere)."""
    try:
        return file.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def _identity(doc: Document, path: Path | None) -> str:
    return str(path.resolve()) if path is not None else f"{doc.name}#{doc.sha256}"
