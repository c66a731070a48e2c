"""The OSCAL conversion cache: a converted catalog or resolved profile, kept by what made it.

Converting SP 800-53 (reading 1,200 controls and their prose) costs more than parsing it, so a
successful conversion is kept in the parsed-catalog cache (ctrlmap.load.read) under a key made
of everything it was computed from: the document's bytes and path, the id given for it, every
catalog file given with it (an import may resolve to one of them), ctrlmap's version and the
source of the converting modules. The
files the conversion looked at on disk (an import beside the profile, a function map, a map
that was absent) are recorded in the entry with their SHA-256 and checked again before the entry
is used, so adding, editing or removing any of them is a miss, never a stale catalog.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctrlmap.errors import InputError, Problem
from ctrlmap.load.read import (
    CACHE_FORMAT,
    Document,
    code_fingerprint,
    load_cached,
    read_bytes,
    store_cached,
)

CONVERTER = ("oscal.py", "oscal_catalog.py", "oscal_profiles.py", "oscal_map.py", "oscal_model.py")
"""The modules that convert: their source is part of every key (see code_fingerprint)."""


@dataclass(frozen=True)
class Conversion:
    """A conversion as the loader uses it: the native catalog data, its warnings, and the files
    read on the way (for the inputs record)."""

    data: dict[str, Any]
    warnings: list[Problem]
    read: list[Document]


def conversion_key(
    doc: Document, path: Path | None, given_id: str | None, given: Sequence[tuple[Path, str]]
) -> str:
    """The key of a conversion: the document, where it is, its id, and the catalog files given."""
    material = {
        "kind": "oscal-conversion",
        "format": CACHE_FORMAT,
        "converter": code_fingerprint(*CONVERTER, "oscal_cache.py", "read.py"),
        "document": doc.sha256,
        "name": doc.name,
        "path": _where(path),
        "id": given_id,
        "given": [[_where(p), sha] for p, sha in given],
    }
    text = json.dumps(material, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_conversion(key: str) -> Conversion | None:
    """The conversion kept under this key when its entry checks out and every file it looked at
    is as it was; else None (and the caller converts again)."""
    entry = load_cached(key)
    if not isinstance(entry, dict):
        return None
    data, warnings, read, looked = (entry.get(k) for k in ("data", "warnings", "read", "looked"))
    if not (
        isinstance(data, dict)
        and _rows(warnings, (str, (int, type(None)), str, str))
        and _rows(read, (str, str))
        and _rows(looked, (str, (str, type(None)), (str, type(None))))
    ):
        return None
    assert isinstance(looked, list) and isinstance(warnings, list) and isinstance(read, list)
    if any(_state(Path(where)) != [resolved, sha] for where, resolved, sha in looked):
        return None
    return Conversion(
        data,
        [Problem(*row) for row in warnings],
        [Document(name, None, sha, "") for name, sha in read],
    )


def store_conversion(key: str, done: Conversion, looked: Sequence[Path]) -> None:
    """Keep a successful conversion, with the state of every file it looked at."""
    entry = {
        "data": done.data,
        "warnings": [[p.file, p.line, p.field, p.message] for p in done.warnings],
        "read": [[doc.name, doc.sha256] for doc in done.read],
        "looked": [[str(p), *_state(p)] for p in dict.fromkeys(looked)],
    }
    store_cached(key, entry)


def _rows(value: Any, kinds: tuple[type | tuple[type, ...], ...]) -> bool:
    """Whether value is a list of rows of these types (a cache entry is checked, not trusted)."""
    return isinstance(value, list) and all(
        isinstance(row, list)
        and len(row) == len(kinds)
        and all(isinstance(cell, kind) for cell, kind in zip(row, kinds, strict=True))
        for row in value
    )


def _where(path: Path | None) -> str | None:
    """A path with its links followed, so that two names for one file are one key."""
    if path is None:
        return None
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop
        return str(path)


def _state(path: Path) -> list[str | None]:
    """Where a path leads and the SHA-256 of the regular file there (None for no such file)."""
    try:
        resolved: str | None = str(path.resolve())
    except (OSError, RuntimeError):
        resolved = None
    try:
        raw = read_bytes(path, str(path))
    except InputError:
        return [resolved, None]
    return [resolved, hashlib.sha256(raw).hexdigest()]
