"""PDF reports: the optional extra, the attached snapshot, byte-identical output, and verify."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ctrlmap.load.snapshots import PDF_DIGEST, PDF_SNAPSHOT, pdf_snapshot
from tests.conftest import EXAMPLES

if os.environ.get("CTRLMAP_REQUIRE_PDF"):  # CI installs the extra and Pango: never skip there
    import pypdf
    import weasyprint  # noqa: F401
else:
    pypdf = pytest.importorskip("pypdf")
    pytest.importorskip("weasyprint")

CLINIC = str(EXAMPLES / "clinic.yaml")
AS_OF = "2026-11-28"


@pytest.fixture(scope="module")
def clinic_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The clinic's report as a PDF, written once through the command line."""
    from click.testing import CliRunner

    from ctrlmap.cli import cli

    path = tmp_path_factory.mktemp("pdf") / "clinic.pdf"
    result = CliRunner().invoke(cli, ["report", CLINIC, "-o", str(path), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    return path


def swap_snapshot(source: Path, target: Path, edit: Callable[[dict[str, object]], None],
                  rehash: bool = False) -> None:  # fmt: skip
    """Copy a PDF report with its attached snapshot edited (and its hash redone, if asked)."""
    reader = pypdf.PdfReader(source)
    data = json.loads(reader.attachments[PDF_SNAPSHOT][0])
    edit(data)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    writer = pypdf.PdfWriter()
    writer.append_pages_from_reader(reader)
    writer.add_attachment(PDF_SNAPSHOT, text.encode("utf-8"))
    info = dict(reader.metadata or {})
    if rehash:
        info[PDF_DIGEST] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    writer.add_metadata(info)
    with open(target, "wb") as handle:
        writer.write(handle)


def rename(data: dict[str, object]) -> None:
    organization = data["organization"]
    assert isinstance(organization, dict)
    organization["name"] = "Someone Else Clinic"


def test_a_pdf_report_carries_its_snapshot_and_hash(clinic_pdf: Path) -> None:
    raw = clinic_pdf.read_bytes()
    assert raw.startswith(b"%PDF-")
    parts = pdf_snapshot(raw)
    assert parts is not None
    snapshot, claimed = parts
    assert hashlib.sha256(snapshot.encode("utf-8")).hexdigest() == claimed
    data = json.loads(snapshot)
    assert data["schema"] == "ctrlmap/report@2"
    assert data["organization"]["name"] == "Riverside Family Clinic"
    reader = pypdf.PdfReader(io.BytesIO(raw))
    assert len(reader.pages) > 5
    assert reader.metadata["/CreationDate"] == "D:20261128000000Z"  # from the as-of date
    assert "Riverside Family Clinic" in reader.pages[0].extract_text()


def test_two_runs_give_the_same_bytes(
    clinic_pdf: Path, tmp_path: Path, invoke: Callable[..., Result]
) -> None:
    again = tmp_path / "again.pdf"
    result = invoke("report", CLINIC, "-o", str(again), "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert again.read_bytes() == clinic_pdf.read_bytes()


def test_verify_passes_on_a_fresh_pdf(clinic_pdf: Path, invoke: Callable[..., Result]) -> None:
    result = invoke("verify", str(clinic_pdf), CLINIC, "--format", "json")
    assert result.exit_code == 0, result.stdout
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["snapshot hash"]["passed"] and checks["fresh assessment"]["passed"]
    page = checks["page"]
    assert page["applicable"] is False and "not applicable to a PDF" in page["detail"]
    table = invoke("verify", str(clinic_pdf))
    assert table.exit_code == 0
    assert table.stdout.splitlines()[1].startswith("n/a  page:")


def test_verify_fails_on_a_pdf_whose_snapshot_was_swapped(
    clinic_pdf: Path, tmp_path: Path, invoke: Callable[..., Result]
) -> None:
    swapped = tmp_path / "swapped.pdf"
    swap_snapshot(clinic_pdf, swapped, rename)
    result = invoke("verify", str(swapped), "--format", "json")
    assert result.exit_code == 1
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["snapshot hash"]["passed"] is False


def test_a_consistently_rehashed_snapshot_is_caught_by_the_profile(
    clinic_pdf: Path, tmp_path: Path, invoke: Callable[..., Result]
) -> None:
    forged = tmp_path / "forged.pdf"
    swap_snapshot(clinic_pdf, forged, rename, rehash=True)
    alone = invoke("verify", str(forged))
    assert alone.exit_code == 0  # the hash is not a signature
    result = invoke("verify", str(forged), CLINIC, "--format", "json")
    assert result.exit_code == 1
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["fresh assessment"]["passed"] is False
    assert "organization" in checks["fresh assessment"]["detail"]


def test_a_pdf_without_a_snapshot_fails(tmp_path: Path, invoke: Callable[..., Result]) -> None:
    bare = tmp_path / "bare.pdf"
    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    with open(bare, "wb") as handle:
        writer.write(handle)
    result = invoke("verify", str(bare))
    assert result.exit_code == 1
    assert "no ctrlmap snapshot attached" in result.stdout
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really")
    result = invoke("verify", str(broken))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {broken}: cannot read it as a PDF")


def test_pdf_is_never_written_to_a_terminal(invoke: Callable[..., Result]) -> None:
    result = invoke("report", CLINIC, "--format", "pdf", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "PDF is a binary format" in result.stderr and "-o FILE.pdf" in result.stderr


def test_without_the_extra_the_error_names_it(
    tmp_path: Path, invoke: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint raises ImportError
    out = tmp_path / "clinic.pdf"
    result = invoke("report", CLINIC, "-o", str(out), "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "pip install 'ctrlmap[pdf]'" in result.stderr
    assert not out.exists()
    monkeypatch.setitem(sys.modules, "pypdf", None)
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"%PDF-1.7\n")
    result = invoke("verify", str(fake))
    assert result.exit_code == 2
    assert "pip install 'ctrlmap[pdf]'" in result.stderr


def test_diff_reads_a_pdf_report_and_refuses_a_swapped_snapshot(
    invoke: Callable[..., Result], clinic_pdf: Path, tmp_path: Path
) -> None:
    snapshot = tmp_path / "clinic.json"
    assert invoke("report", CLINIC, "-o", str(snapshot), "--as-of", AS_OF).exit_code == 0
    same = invoke("diff", str(clinic_pdf), str(snapshot), "--format", "json")
    assert same.exit_code == 0, same.stderr
    assert json.loads(same.stdout)["changed"] is False
    swapped = tmp_path / "swapped.pdf"
    swap_snapshot(clinic_pdf, swapped, lambda data: data.update(model="fully-managed"))
    refused = invoke("diff", str(swapped), str(snapshot))
    assert refused.exit_code == 2
    assert f"{swapped}: the embedded snapshot does not match the SHA-256" in refused.stderr


def test_the_pdf_tells_its_reader_to_verify_the_pdf(clinic_pdf: Path) -> None:
    reader = pypdf.PdfReader(str(clinic_pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "ctrlmap verify report.pdf PROFILE" in text
    assert "REPORT.html" not in text and "verify report.html" not in text


def _paints(obj: object, seen: set[int]) -> str:
    """The content streams of a page or form and of every form it draws, nested ones included."""
    data = ""
    resources = obj.get("/Resources") or {}  # type: ignore[attr-defined]
    forms = resources.get("/XObject") or {}
    for name in forms:
        form = forms[name].get_object()
        if id(form) in seen:
            continue
        seen.add(id(form))
        data += form.get_data().decode("latin-1") + _paints(form, seen)
    return data


def test_the_charts_keep_their_colors_in_the_pdf(clinic_pdf: Path) -> None:
    import re

    from ctrlmap.present.layout import PALETTE

    reader = pypdf.PdfReader(str(clinic_pdf))
    (page,) = [p for p in reader.pages if "Gaps per severity" in p.extract_text()]
    stream = page.get_contents().get_data().decode("latin-1") + _paints(page, set())
    painted = {
        "#" + "".join(f"{round(float(x) * 255):02x}" for x in m.groups())
        for m in re.finditer(r"([\d.]+) ([\d.]+) ([\d.]+) rg", stream)
    }
    # the owner bars and the severity bars of the clinic (no critical finding, nothing unassigned)
    for key in ("internal", "provider", "shared", "high", "medium", "low"):
        assert PALETTE[key] in painted, (key, sorted(painted))
