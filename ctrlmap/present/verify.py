"""Check an HTML or PDF report against its embedded snapshot, and optionally a fresh assessment."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from ctrlmap import __version__
from ctrlmap.errors import CtrlmapError
from ctrlmap.load.read import read_bytes
from ctrlmap.load.resources import REPORT_MAX_BYTES
from ctrlmap.load.snapshots import SCHEMAS, canonical_text, embedded_snapshot, pdf_snapshot
from ctrlmap.models import Strict

OLDER_SNAPSHOTS = frozenset(SCHEMAS[:-1])
"""Report snapshots of earlier versions: their hash is checked, and `ctrlmap diff` reads them."""


class Check(Strict):
    """One check of a report and what it found."""

    name: str
    passed: bool
    detail: str
    applicable: bool = True
    """False for a check that cannot apply to this kind of report (a PDF's page); it then
    neither passes nor fails."""


class Verification(Strict):
    """What `ctrlmap verify` found: each check, and whether all passed."""

    schema_: Literal["ctrlmap/verify@1"] = Field("ctrlmap/verify@1", alias="schema")
    report: str
    ok: bool
    checks: tuple[Check, ...]


class _Checks(list[Check]):
    """The checks made so far."""

    def add(self, name: str, passed: bool, detail: str, applicable: bool = True) -> None:
        """Record one check."""
        self.append(Check(name=name, passed=passed, detail=detail, applicable=applicable))


def read_report(path: Path) -> str | bytes:
    """An HTML report's text exactly as stored (no newline translation: the check is byte for
    byte), a PDF report's bytes, or a clear error; read by the one bounded reader (a regular
    file, at most 256 MiB)."""
    raw = read_bytes(path, str(path), REPORT_MAX_BYTES)
    if raw.startswith(b"%PDF-"):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CtrlmapError(f"{path}: cannot read it as a UTF-8 HTML report ({exc})") from None


def verify_report(path: Path, content: str | bytes, fresh: Any = None) -> Verification:
    """Check the snapshot's hash, that the page is exactly what the snapshot renders (HTML only),
    and (given a function that rebuilds the assessment from the snapshot's settings) that it is
    still current."""
    checks = _Checks()
    if isinstance(content, bytes):
        try:
            _verify_pdf(content, fresh, checks)
        except CtrlmapError as exc:
            raise CtrlmapError(f"{path}: {exc.message}") from None
    else:
        _verify(content, fresh, checks)
    applied = [c for c in checks if c.applicable]
    return Verification(
        report=str(path), ok=bool(applied) and all(c.passed for c in applied), checks=tuple(checks)
    )


def _verify_pdf(data: bytes, fresh: Any, result: _Checks) -> None:
    """The checks of a PDF report: its attached snapshot and hash, and the fresh assessment."""
    parts = pdf_snapshot(data)
    if parts is None:
        result.add(
            "snapshot",
            False,
            "no ctrlmap snapshot attached to this PDF, or no hash in its document information: "
            "not a ctrlmap PDF report, or the snapshot was removed",
        )
        return
    checked = _snapshot(parts[0], parts[1], result)
    if checked is None:
        return
    result.add(
        "page",
        True,
        "not applicable to a PDF: its printed pages are not re-rendered here, so an edit of the "
        "visible text that leaves the attached snapshot intact is not detected",
        applicable=False,
    )
    _fresh(checked[0], checked[1], fresh, result)


def _snapshot(snapshot: str, claimed: str, result: _Checks) -> tuple[dict[str, Any], Any] | None:
    """Check a snapshot's hash and model: its data and Report, or None once a check has failed.

    Long because each way a snapshot can be unreadable reports its own outcome.
    """
    from ctrlmap.formats.json import dump
    from ctrlmap.present.report import Report

    try:
        data = json.loads(snapshot)
        canonical = canonical_text(data)
    except ValueError as exc:
        result.add("snapshot", False, f"the embedded snapshot is not valid JSON ({exc})")
        return None
    except RecursionError:
        result.add("snapshot", False, "the embedded snapshot is nested too deeply to be a report")
        return None
    actual = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    result.add(
        "snapshot hash",
        actual == claimed,
        f"embedded snapshot hashes to {actual}; the report claims {claimed}",
    )
    schema = data.get("schema") if isinstance(data, dict) else None
    current = Report.model_fields["schema_"].default
    if schema in OLDER_SNAPSHOTS:
        result.add(
            "page",
            False,
            f"cannot check the page: the snapshot is {schema} from {data.get('tool', 'an earlier ctrlmap')}; "
            f"this ctrlmap writes {current}; verify it with that version (`ctrlmap diff` reads it)",
        )
        return None
    try:
        assessment = Report.model_validate(data)
    except ValidationError as exc:
        result.add(
            "snapshot",
            False,
            f"the snapshot does not match the report model ({exc.error_count()} problems)",
        )
        return None
    if dump(assessment) != canonical:
        result.add("snapshot", False, "the snapshot does not round-trip through the report model")
        return None
    assert isinstance(data, dict)
    return data, assessment


def _fresh(data: dict[str, Any], assessment: Any, fresh: Any, result: _Checks) -> None:
    """Compare the snapshot with a fresh assessment of the profile, when one was given."""
    if fresh is None:
        return
    current = fresh(assessment)
    # the changes since a baseline come from another file: the hash covers them
    differing = [
        key for key, value in data.items() if key != "changes" and current.get(key) != value
    ]
    result.add(
        "fresh assessment",
        not differing,
        "a fresh assessment of the profile at the same date matches the snapshot"
        if not differing
        else f"a fresh assessment at {assessment.as_of} differs in: {', '.join(differing)}",
    )


def _verify(text: str, fresh: Any, result: _Checks) -> None:
    """Run the checks of one HTML report text into `result`."""
    from ctrlmap.formats.html import report as render_html

    parts = embedded_snapshot(text)
    if parts is None:
        result.add(
            "snapshot",
            False,
            "no ctrlmap snapshot or hash in this file: not a ctrlmap HTML report, "
            "or the snapshot was removed",
        )
        return
    checked = _snapshot(parts[0], parts[1], result)
    if checked is None:
        return
    data, assessment = checked
    tool = f"ctrlmap {__version__}"
    if assessment.tool == tool:
        same = render_html(assessment) == text
        result.add(
            "page",
            same,
            "the page is exactly what its snapshot renders"
            if same
            else "the page differs from what its snapshot renders: it was edited",
        )
    else:
        # An older or newer ctrlmap renders differently, so the page cannot be checked here:
        # that is a failure to verify, never a pass.
        result.add(
            "page",
            False,
            f"cannot check the page: the report says it was made by {assessment.tool}, this is "
            f"{tool}; verify it with that version",
        )
    _fresh(data, assessment, fresh, result)
