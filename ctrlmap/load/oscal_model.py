"""What OSCAL conversion passes around: controls as read, sources, the run's context, warnings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ctrlmap.errors import Problem, shown
from ctrlmap.load.read import Document

SUMMARY_MAX = 1200
"""Longest summary kept; OSCAL statements with many items run to several thousand characters."""


MAP_SECTIONS = ("families", "controls", "groups")
"""The keyed sections of a function map, besides `default`."""


REQUIRED_REASON = "OSCAL link rel=required"


EXTERNAL_SUMMARY = "Outside this selection; referenced by a selected control."


MAX_IMPORT_DEPTH = 8
"""Deepest chain of profiles importing profiles followed."""


INSERT = re.compile(r"\{\{\s*insert:\s*([A-Za-z0-9_.-]+)\s*,\s*([^\s}]+)\s*\}\}")


CONTROL_ID = re.compile(r"^[^\s:]+$")


PUNCTUATION = (".", ";", ":", ",", "!", "?")


CONNECTIVES = (" and", " or")


@dataclass
class RawControl:
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
    source: OscalSource


@dataclass
class OscalSource:
    """A catalog read, or a profile resolved: the controls one can select, and where they came from."""

    doc: Document
    path: Path | None
    title: str
    version: str
    controls: dict[str, RawControl] = field(default_factory=dict)
    """Selectable controls in document order (withdrawn ones included, to be reported)."""
    known: dict[str, RawControl] = field(default_factory=dict)
    """Every control of the underlying catalogs, for the titles of external controls."""
    maps: list[Path] = field(default_factory=list)
    """Per-file function map overrides that apply, weakest first."""
    files: list[str] = field(default_factory=list)
    """The catalog files behind it, for the source line."""


@dataclass
class ConversionContext:
    """What one conversion shares: the given OSCAL documents, problems and warnings."""

    oscal_docs: list[tuple[Path, Document]]
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    read: list[Document] = field(default_factory=list)
    """Files read besides the document converted (imports, function maps), for the inputs record."""
    catalogs: CatalogMemo = field(default_factory=dict)
    """Catalogs already read in this load, shared with the other conversions (see read_catalog)."""
    looked: list[Path] = field(default_factory=list)
    """Every file whose presence or bytes the conversion depended on, for the conversion cache."""


CatalogMemo = dict[
    int, tuple[Document, "ConversionContext", OscalSource, list[Problem], list[Problem]]
]
"""Catalogs read, by the identity of their document: the document (kept alive so that the identity
holds), the conversion that read it, the source, and the problems and warnings it met."""


def warn(doc: Document, message: str) -> Problem:
    return Problem(doc.name, None, "", message)


def listing(ids: list[str], limit: int = 10) -> str:
    shown = ", ".join(ids[:limit])
    return f"{shown}, and {len(ids) - limit} more" if len(ids) > limit else shown


def kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"the value {shown(value)}"


def root_key(doc: Document) -> str:
    return "catalog" if "catalog" in doc.data else "profile"
