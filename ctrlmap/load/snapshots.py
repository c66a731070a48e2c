"""Read a report snapshot back: the JSON `report --format json` writes, or the one an HTML report
embeds (its hash checked first), from this version or an earlier one.

A snapshot is ctrlmap's own output, so it is read leniently: only what `diff` compares is
validated, and keys a later version added are ignored. Snapshots of `ctrlmap/report@1` carry no
finding ids; `diff` matches their findings by rule and controls instead. Snapshots written before
ctrlmap recorded each finding's `first_seen` date read as first seen on their own as-of date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ctrlmap.errors import CtrlmapError, InputError, Problem
from ctrlmap.load.problems import validate
from ctrlmap.load.read import Document, read_bytes, read_document
from ctrlmap.load.resources import REPORT_MAX_BYTES
from ctrlmap.models.base import Date, Severity
from ctrlmap.models.profile import FINDING_ID_PATTERN

SCHEMAS = ("ctrlmap/report@1", "ctrlmap/report@2")
"""The snapshot versions `diff` reads, oldest first (the last is what this version writes)."""

EMBEDDED = re.compile(r'<script type="application/json" id="ctrlmap-snapshot">([^<]*)</script>')
"""The snapshot an HTML report embeds (its `<` are escaped, so it holds none)."""
DIGEST = re.compile(r'<meta name="ctrlmap-snapshot-sha256" content="([0-9a-f]{64})">')


PDF_SNAPSHOT = "ctrlmap-snapshot.json"
"""The name of the file a PDF report attaches its snapshot as."""
PDF_DIGEST = "/ctrlmapsnapshotsha256"
"""The document-information key of a PDF report that holds its snapshot's SHA-256."""
PDF_EXTRA = "pip install 'ctrlmap[pdf]'"
PDF_HEADER = re.compile(rb"(?:\A|[\r\n])%PDF-\d\.\d")
"""A PDF file's header line: a second one means two documents joined into one file."""


def pdf_snapshot(data: bytes) -> tuple[str, str] | None:
    """The snapshot a PDF report attaches and the SHA-256 it claims for it, or None.

    Raises CtrlmapError when pypdf (the pdf extra) is missing or the bytes are not a readable PDF.
    """
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError:
        raise CtrlmapError(
            f"reading a PDF report needs pypdf, which is not installed: {PDF_EXTRA}"
        ) from None
    try:
        reader = PdfReader(io.BytesIO(data))
        files = reader.attachments
        found = files.get(PDF_SNAPSHOT)
        info = reader.metadata
        claimed = info.get(PDF_DIGEST) if info is not None else None
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise CtrlmapError(f"cannot read it as a PDF ({exc})") from None
    if not found or not isinstance(claimed, str):
        return None
    if len(found) > 1:
        raise CtrlmapError(
            f"it attaches {len(found)} files named {PDF_SNAPSHOT}; a ctrlmap report attaches one "
            "snapshot: it was edited or assembled from several reports"
        )
    try:
        return found[0].decode("utf-8"), str(claimed)
    except UnicodeDecodeError:
        return None


def embedded_snapshot(text: str) -> tuple[str, str] | None:
    """The embedded snapshot's JSON text and the SHA-256 the report claims for it, or None."""
    found, claimed = EMBEDDED.search(text), DIGEST.search(text)
    if found is None or claimed is None:
        return None
    return found.group(1), claimed.group(1)


def snapshot_blocks(text: str) -> int:
    """How many snapshots (or snapshot hashes) an HTML report text holds: a report holds one."""
    return max(len(EMBEDDED.findall(text)), len(DIGEST.findall(text)))


def canonical_text(data: Any) -> str:
    """A snapshot's canonical text: two-space indented JSON, as the JSON report writes it."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def canonical_digest(data: Any) -> str:
    """The SHA-256 of a snapshot's canonical text, as reports compute it."""
    return hashlib.sha256(canonical_text(data).encode("utf-8")).hexdigest()


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SnapGap(_Lenient):
    """A finding as a snapshot records it."""

    id: Annotated[str, Field(pattern=FINDING_ID_PATTERN)] | None = None
    rule: str
    severity: Severity
    controls: tuple[str, ...]
    message: str
    status: Literal["open", "accepted"] = "open"
    owner: str | None = None
    due: Date | None = None
    due_basis: str | None = None
    overdue: bool = False
    progress: Literal["open", "in-progress", "done"] = "open"
    first_seen: Date | None = None
    acceptance_lapsed: Date | None = None


class SnapGapEntry(_Lenient):
    gap: SnapGap


class SnapRaci(_Lenient):
    responsible: tuple[str, ...] = ()
    accountable: str | None = None
    accountable_person: str | None = None


class SnapAssignment(_Lenient):
    """A control's placement as a snapshot records it."""

    control: str
    title: str = ""
    applicable: bool = True
    owner: str | None = None
    raci: SnapRaci | None = None


class SnapEvidence(_Lenient):
    control: str
    reference: str
    reviewed: Date
    status: str


class SnapOrganization(_Lenient):
    name: str


class Snapshot(_Lenient):
    """What `diff` compares, read from one report snapshot."""

    schema_: str
    tool: str
    as_of: Date
    organization: SnapOrganization
    model: str
    assignments: tuple[SnapAssignment, ...]
    gaps: tuple[SnapGapEntry, ...]
    evidence: tuple[SnapEvidence, ...] = ()

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Snapshot:
        """A snapshot from data already known to be of a supported schema."""
        return cls.model_validate({**data, "schema_": data["schema"]})

    def first_seen(self) -> dict[str, dt.date]:
        """Each finding's first-seen date by id: as recorded, else (a snapshot from before
        ctrlmap recorded it) the snapshot's as-of date. A report@1 snapshot has no ids: empty."""
        return {e.gap.id: e.gap.first_seen or self.as_of for e in self.gaps if e.gap.id}


def read_snapshot(path: Path, name: str | None = None) -> tuple[Snapshot, str]:
    """Read a JSON snapshot, or an HTML or PDF report (hash-checked), as a Snapshot, with its
    SHA-256."""
    shown = name or str(path)
    if path.suffix.lower() in (".html", ".htm", ".pdf"):
        doc = _embedded_document(path, shown)
    else:
        doc = read_document(path, shown, max_bytes=REPORT_MAX_BYTES)
    data = doc.data
    schema = data.get("schema") if isinstance(data, dict) else None
    if schema not in SCHEMAS:
        found = f"schema {schema!r}" if isinstance(schema, str) else "no ctrlmap report schema"
        raise InputError(
            [
                doc.problem(
                    ("schema",) if isinstance(data, dict) and "schema" in data else (),
                    f"not a ctrlmap report snapshot ({found}); give the JSON of "
                    "`ctrlmap report --format json`, or an HTML or PDF report",
                )
            ]
        )
    assert isinstance(data, dict)
    snapshot = validate(Snapshot, doc, {**data, "schema_": schema})
    seen: dict[str, int] = {}
    for index, entry in enumerate(snapshot.gaps):
        ident = entry.gap.id
        if ident is not None and ident in seen:
            raise InputError(
                [
                    doc.problem(
                        ("gaps", index, "gap", "id"),
                        f"{ident} is also finding {seen[ident]}: a snapshot lists each finding "
                        "once; it was edited",
                    )
                ]
            )
        if ident is not None:
            seen[ident] = index
    if schema != "ctrlmap/report@1" and len(seen) != len(snapshot.gaps):
        raise InputError(
            [
                doc.problem(
                    ("gaps",), f"a {schema} snapshot gives every finding an id; it was edited"
                )
            ]
        )
    return snapshot, doc.sha256


def _embedded_document(path: Path, shown: str) -> Document:
    """The snapshot an HTML or PDF report carries, as a document, once its hash is checked."""
    raw = read_bytes(path, shown, REPORT_MAX_BYTES)
    if raw.startswith(b"%PDF-"):
        if (headers := len(PDF_HEADER.findall(raw))) > 1:
            raise _one(
                shown,
                f"it holds {headers} PDF documents, one after the other; a ctrlmap report is one "
                "(several reports joined into one file?): give each report as its own file",
            )
        try:
            parts = pdf_snapshot(raw)
        except CtrlmapError as exc:
            raise _one(shown, str(exc)) from None
    else:
        try:
            page = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _one(shown, f"cannot read it as a UTF-8 HTML report ({exc})") from None
        if (blocks := snapshot_blocks(page)) > 1:
            raise _one(
                shown,
                f"it holds {blocks} embedded snapshots; a ctrlmap report holds one (several "
                "reports joined into one file?): give each report as its own file",
            )
        parts = embedded_snapshot(page)
    if parts is None:
        raise _one(
            shown, "no ctrlmap snapshot in this file: not a ctrlmap report, or it was removed"
        )
    text, claimed = parts
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _one(shown, f"the embedded snapshot is not valid JSON ({exc})") from None
    except RecursionError:
        raise _one(shown, "the embedded snapshot is nested too deeply to be a report") from None
    if canonical_digest(data) != claimed:
        raise _one(
            shown,
            "the embedded snapshot does not match the SHA-256 the report claims: it was edited "
            "(`ctrlmap verify` says more)",
        )
    return Document(shown, data, hashlib.sha256(raw).hexdigest(), text, is_json=True)


def _one(name: str, message: str) -> InputError:
    return InputError([Problem(name, None, "", message)])
