"""PDF: the HTML audit-evidence report printed by WeasyPrint, its snapshot embedded as a file.

An optional extra (`pip install 'ctrlmap[pdf]'`): WeasyPrint lays out the same HTML the `html`
format writes, and the canonical JSON snapshot travels as a PDF attachment, its SHA-256 in the
attachment's description and in the document information (`ctrlmapsnapshotsha256`, from the
report's `<meta>`). Every date WeasyPrint would take from the clock is set from the as-of date,
and the file identifier from the snapshot's hash, so the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ctrlmap.errors import CtrlmapError
from ctrlmap.formats import register_binary
from ctrlmap.load.snapshots import PDF_EXTRA, PDF_SNAPSHOT
from ctrlmap.present.report import Report


def weasyprint() -> Any:
    """The weasyprint module, or a clear error naming the extra that installs it."""
    try:
        import weasyprint as found
    except ImportError:
        raise CtrlmapError(
            f"PDF output needs WeasyPrint, which is not installed: {PDF_EXTRA} "
            "(or write HTML with -o report.html and print it)"
        ) from None
    except OSError as exc:  # the Python package is there, its Pango libraries are not
        raise CtrlmapError(
            f"WeasyPrint cannot load its system libraries ({exc}); install Pango "
            "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0), then retry"
        ) from None
    return found


@register_binary("report", "pdf")
def report(assessment: Report) -> bytes:
    """The audit-evidence report as a PDF that carries its own snapshot."""
    from ctrlmap.formats.html import page
    from ctrlmap.formats.json import dump
    from ctrlmap.present.layout import snapshot_parts

    wp = weasyprint()
    _, digest = snapshot_parts(assessment)
    moment = dt.datetime.combine(assessment.as_of, dt.time(), tzinfo=dt.UTC)
    document = wp.HTML(string=page(assessment, "pdf")).render()
    document.metadata.created = document.metadata.modified = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    snapshot = wp.Attachment(
        string=dump(assessment).encode("utf-8"),
        name=PDF_SNAPSHOT,
        description=f"ctrlmap report snapshot, SHA-256 {digest}",
        created=moment,
        modified=moment,
        relationship="Source",
    )
    data: bytes = document.write_pdf(
        attachments=[snapshot],
        custom_metadata=True,
        pdf_identifier=bytes.fromhex(digest)[:16],
    )
    return data
