"""The OSCAL function map: which ctrlmap functions an OSCAL family, group or control carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ctrlmap.errors import InputError, Problem, shown
from ctrlmap.load.oscal_model import MAP_SECTIONS, kind_of
from ctrlmap.load.read import Document, read_document
from ctrlmap.load.resources import builtin_root


@dataclass
class FunctionMap:
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


def load_maps(
    overrides: list[Path], read: list[Document], looked: list[Path] | None = None
) -> FunctionMap:
    """The shipped function map with every existing override file applied on top, in order.

    Every file that counted, present or not, is appended to `looked` (for the conversion cache).
    """
    root = builtin_root()
    shipped = root / "oscal" / "function-map.yaml"
    known = _known_functions(root)
    fmap = FunctionMap(default=())
    candidates = list(dict.fromkeys(overrides))
    if looked is not None:
        looked.extend([root / "functions.yaml", shipped, *candidates])
    files: list[tuple[Path, str | None]] = [(shipped, "frameworks/oscal/function-map.yaml")]
    files += [(p, None) for p in candidates if p.is_file()]
    problems: list[Problem] = []
    for file, name in files:
        # the shipped map is parsed once and cached like the built-in catalogs
        doc = read_document(file, name, cache=name is not None)
        read.append(doc)
        _apply_map(doc, fmap, known, problems)
    if problems:
        raise InputError(problems)
    return fmap


def _known_functions(root: Path) -> set[str]:
    data = read_document(root / "functions.yaml", "frameworks/functions.yaml", cache=True).data
    functions = data.get("functions") if isinstance(data, dict) else None
    return set(functions) if isinstance(functions, dict) else set()


def _apply_map(doc: Document, fmap: FunctionMap, known: set[str], problems: list[Problem]) -> None:
    data = doc.data
    if not isinstance(data, dict):
        problems.append(
            doc.problem(
                (),
                f"expected a mapping with families, controls, groups and default, got {kind_of(data)}",
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
                    f"expected a mapping of ids to lists of functions, got {kind_of(entries)}",
                )
            )
            continue
        target: dict[str, tuple[str, ...]] = getattr(fmap, section)
        for key, value in entries.items():
            if not isinstance(key, str):
                problems.append(
                    doc.problem((section, key), f"the key {shown(key)} must be text; quote it")
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
                    (*at, index),
                    f"unknown function {shown(fid)}; use one of frameworks/functions.yaml",
                )
            )
    return tuple(values)
