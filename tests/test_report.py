"""The report: one assessment feeding every format, golden files, the snapshot and `verify`."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ctrlmap.assessment.pipeline import assess
from ctrlmap.formats import render
from ctrlmap.load.library import Library
from ctrlmap.load.profiles import load_profile
from ctrlmap.present.layout import SNAPSHOT_ID, snapshot_parts
from ctrlmap.present.report import Report, build_report, canonical_json, safe_url
from tests.conftest import DATA, EXAMPLES, SECTIONS

AS_OF = dt.date(2026, 11, 28)
EXAMPLE_NAMES = ["clinic", "cpa-firm", "law-firm", "mortgage-lender"]


def assessment(lib: Library, stem: str, path: Path | None = None) -> Report:
    source = path or EXAMPLES / f"{stem}.yaml"
    profile, doc = load_profile(source, lib, name=f"examples/{source.name}")
    return build_report(assess(profile, lib, None, AS_OF), doc)


@pytest.mark.parametrize("stem", EXAMPLE_NAMES)
@pytest.mark.parametrize("fmt", ["md", "csv", "html"])
def test_reports_match_their_golden_files(
    lib: Library,
    golden: Callable[[str, str], None],
    stem: str,
    fmt: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the layout is pinned, not the version: a release does not rewrite the golden files
    monkeypatch.setattr("ctrlmap.present.report.__version__", "0.0.0+golden")
    golden(f"{stem}.{fmt}", render("report", fmt, assessment(lib, stem)))


@pytest.mark.parametrize("stem", EXAMPLE_NAMES)
def test_json_snapshot_round_trips_through_the_models(lib: Library, stem: str) -> None:
    report = assessment(lib, stem)
    text = render("report", "json", report)
    again = Report.model_validate_json(text)
    assert again == report
    assert canonical_json(again) == text
    assert json.loads(text)["schema"] == "ctrlmap/report@2"


def test_every_section_and_the_snapshot_are_in_the_html(lib: Library) -> None:
    report = assessment(lib, "clinic")
    page = render("report", "html", report)
    for section in SECTIONS:
        assert f'<section id="{section}"' in page
    embedded, digest = snapshot_parts(report)
    assert f'<script type="application/json" id="{SNAPSHOT_ID}">{embedded}</script>' in page
    assert f'<meta name="ctrlmap-snapshot-sha256" content="{digest}">' in page
    body = page.split(f'<script type="application/json" id="{SNAPSHOT_ID}">')[0]
    # nothing is fetched: no linked files, no sources, no CSS urls, no script but the inert snapshot
    assert (
        "<link" not in body and " src=" not in body and "url(" not in body.replace("url(#arrow", "")
    )
    assert "<script" not in body and "@import" not in body


def test_markdown_has_the_same_sections(lib: Library) -> None:
    page = render("report", "md", assessment(lib, "clinic"))
    for heading in (
        "Executive summary",
        "Scope and method",
        "Organization, parties and designated roles",
        "Summary figures",
        "Gaps by severity",
        "Responsibility matrix",
        "Splits and hand-offs",
        "Hand-off map and key dependencies",
        "Evidence register",
        "Accountability in law",
        "Inputs and versions",
        "Sign-off",
    ):
        assert re.search(rf"^## \d+\. {re.escape(heading)}$", page, re.MULTILINE), heading
    for appendix in ("A. Basis of each assignment", "B. Gap rules and severity"):
        assert f"\n## Appendix {appendix}\n" in page, appendix
    numbers = [int(n) for n in re.findall(r"^## (\d+)\. ", page, re.MULTILINE)]
    assert numbers == list(range(1, len(numbers) + 1))  # numbered in order, none skipped


def test_user_text_is_escaped_and_unsafe_links_are_text(lib: Library) -> None:
    report = assessment(lib, "injection", DATA / "good" / "injection.yaml")
    page = render("report", "html", report)
    body = page.split(f'<script type="application/json" id="{SNAPSHOT_ID}">')[0]
    assert "<script>" not in body and "<img src=x" not in body and "<svg onload" not in body
    assert "&lt;script&gt;document.title=&#39;pwned-org&#39;&lt;/script&gt;" in body
    assert 'href="javascript' not in page.lower()
    assert (
        "javascript:document.title=&#39;pwned-url&#39;" not in body
    )  # the unsafe url is dropped, not linked
    snapshot = page.split(f'id="{SNAPSHOT_ID}">')[1].split("</script>")[0]
    assert "<" not in snapshot
    markdown = render("report", "md", report)
    assert "\\| pipe \\|" in markdown and "\\<script\\>" in markdown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com/a?b=1", "https://example.com/a?b=1"),
        ("HTTP://Example.com", "HTTP://Example.com"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,hi", None),
        ("//example.com", None),
        ("ftp://example.com", None),
        ("https://exa mple.com", None),
        ("java\tscript:x", None),
        ("Policy binder, shelf 3", None),
    ],
)
def test_safe_url(text: str, expected: str | None) -> None:
    assert safe_url(text) == expected


def test_same_inputs_give_byte_identical_reports(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    for target in (first, second):
        result = invoke(
            "report",
            str(EXAMPLES / "mortgage-lender.yaml"),
            "-o",
            str(target),
            "--as-of",
            "2026-11-28",
        )
        assert result.exit_code == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()
    epoch = invoke(
        "report",
        str(EXAMPLES / "mortgage-lender.yaml"),
        "--format",
        "json",
        env={"SOURCE_DATE_EPOCH": "1795867200"},
    )
    assert json.loads(epoch.stdout)["as_of"] == "2026-11-28"


def test_format_follows_the_suffix(invoke: Callable[..., Result], tmp_path: Path) -> None:
    for suffix, marker in (
        (".html", "<!DOCTYPE html>"),
        (".md", "# Accountability assessment"),
        (".json", '"schema": "ctrlmap/report@2"'),
        (".csv", "control,framework,title"),
    ):
        target = tmp_path / f"report{suffix}"
        result = invoke(
            "report", str(EXAMPLES / "clinic.yaml"), "-o", str(target), "--as-of", "2026-11-28"
        )
        assert result.exit_code == 0
        assert marker in target.read_text()
    unknown = invoke("report", str(EXAMPLES / "clinic.yaml"), "-o", str(tmp_path / "report.docx"))
    assert unknown.exit_code == 2 and "give --format" in unknown.stderr


def test_report_refuses_to_overwrite_the_profile(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text((EXAMPLES / "clinic.yaml").read_text())
    result = invoke("report", str(profile), "-o", str(profile), "--format", "html")
    assert result.exit_code == 2 and "refusing to overwrite an input file" in result.stderr
    assert profile.read_text() == (EXAMPLES / "clinic.yaml").read_text()


def _report(invoke: Callable[..., Result], tmp_path: Path) -> Path:
    target = tmp_path / "clinic.html"
    assert (
        invoke(
            "report", str(EXAMPLES / "clinic.yaml"), "-o", str(target), "--as-of", "2026-11-28"
        ).exit_code
        == 0
    )
    return target


def test_verify_accepts_an_untouched_report(invoke: Callable[..., Result], tmp_path: Path) -> None:
    target = _report(invoke, tmp_path)
    result = invoke("verify", str(target), str(EXAMPLES / "clinic.yaml"))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count("ok  ") == 3


def test_verify_catches_an_edited_page(invoke: Callable[..., Result], tmp_path: Path) -> None:
    target = _report(invoke, tmp_path)
    target.write_text(
        target.read_text().replace(
            "Riverside Family Clinic</strong>", "Riverside Clinic</strong>", 1
        )
    )
    result = invoke("verify", str(target))
    assert result.exit_code == 1
    assert "FAIL page" in result.stdout


def test_verify_catches_an_edited_snapshot(invoke: Callable[..., Result], tmp_path: Path) -> None:
    target = _report(invoke, tmp_path)
    text = target.read_text()
    head, snapshot = text.split(f'id="{SNAPSHOT_ID}">')
    target.write_text(
        head
        + f'id="{SNAPSHOT_ID}">'
        + snapshot.replace('"severity": "medium"', '"severity": "low"', 1)
    )
    result = invoke("verify", str(target))
    assert result.exit_code == 1 and "FAIL snapshot hash" in result.stdout


def test_verify_notices_a_profile_that_changed(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    target = _report(invoke, tmp_path)
    changed = tmp_path / "clinic.yaml"
    changed.write_text(
        (EXAMPLES / "clinic.yaml").read_text().replace("    backup: null", "    backup: sam")
    )
    result = invoke("verify", str(target), str(changed))
    assert result.exit_code == 1
    assert "FAIL fresh assessment" in result.stdout and "gaps" in result.stdout


def test_verify_on_a_file_that_is_not_a_report(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    page = tmp_path / "other.html"
    page.write_text("<html><body>hello</body></html>")
    result = invoke("verify", str(page))
    assert result.exit_code == 1 and "not a ctrlmap HTML report" in result.stdout
    assert invoke("verify", str(tmp_path / "missing.html")).exit_code == 2


def test_demo_writes_the_clinic_report_in_the_current_folder(
    invoke: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("demo", "--as-of", "2026-11-28")
    assert result.exit_code == 0
    assert (tmp_path / "ctrlmap-demo.html").read_text().startswith("<!DOCTYPE html>")
    assert "ctrlmap-demo.html" in result.stderr and "gaps" in result.stderr


def test_verify_json(invoke: Callable[..., Result], tmp_path: Path) -> None:
    target = _report(invoke, tmp_path)
    data = json.loads(invoke("verify", str(target), "--format", "json").stdout)
    assert data["schema"] == "ctrlmap/verify@1" and data["ok"] is True
    assert [c["name"] for c in data["checks"]] == ["snapshot hash", "page"]


def test_verify_refuses_a_report_claiming_another_version(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    import hashlib

    target = _report(invoke, tmp_path)
    text = target.read_text()
    head, rest = text.split(f'id="{SNAPSHOT_ID}">')
    snapshot, tail = rest.split("</script>", 1)
    data = json.loads(snapshot)
    data["tool"] = "ctrlmap 0.0.9"
    canonical = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    old = hashlib.sha256(
        json.dumps(json.loads(snapshot), indent=2, ensure_ascii=False).encode() + b"\n"
    ).hexdigest()
    new = hashlib.sha256(canonical.encode()).hexdigest()
    forged = (
        head + f'id="{SNAPSHOT_ID}">' + canonical.replace("<", "\\u003c") + "</script>" + tail
    ).replace(old, new)
    forged = forged.replace("0 critical", "0 critical (edited)")
    target.write_text(forged)
    result = invoke("verify", str(target))
    assert result.exit_code == 1
    assert (
        "ok   snapshot hash" in result.stdout
        and "FAIL page: cannot check the page" in result.stdout
    )


OUT_OF_SCOPE = re.compile(r"GLBA|Gramm|NYDFS|NYCRR|16 CFR 314|PCI|ABA\b|Model Rules|NCUA|201 CMR")


def test_a_hipaa_only_markdown_report_names_no_other_framework(lib: Library) -> None:
    page = render("report", "md", assessment(lib, "clinic"))
    assert "45 CFR 164.308(a)(2)" in page and "| BAA |" in page
    assert not OUT_OF_SCOPE.findall(page), OUT_OF_SCOPE.findall(page)


def test_provider_columns_follow_the_frameworks_in_scope(lib: Library) -> None:
    credit_union = render("report", "md", assessment(lib, "credit-union"))
    assert "Safeguards terms" in credit_union
    assert "BAA" not in credit_union and "PCI acknowledgment" not in credit_union
    assert "hipaa" not in credit_union.lower().split("## 3.")[0]  # no HIPAA fact in scope
    dental = render("report", "md", assessment(lib, "dental-group"))
    assert "| BAA | PCI acknowledgment |" in dental and "Safeguards terms" not in dental


def test_rule_reasons_cite_only_the_frameworks_given(lib: Library) -> None:
    from ctrlmap.assessment.gaps.registry import RULES

    info = RULES["designation-missing"]
    assert info.why_for(["hipaa-security"]).endswith("(45 CFR 164.308(a)(2)).")
    both = info.why_for(["glba-safeguards", "nydfs-500"])
    assert "16 CFR 314.4(a); 23 NYCRR 500.4(a)" in both and "164.308" not in both
    assert "(" not in RULES["self-assessment"].why_for(["hipaa-security"])
    assert "ABA Model Rules" in info.why_for(["aba-model-rules"])


def test_the_executive_summary_lists_severe_findings_and_expiring_acceptances(
    lib: Library,
) -> None:
    from ctrlmap.present.layout import executive, view

    report = assessment(lib, "dental-group")  # a plan with notes, one acceptance until 2027-01-31
    shown = view(report)["executive"]
    severe = [e["gap"] for e in shown["severe"]]
    assert [g.severity for g in severe] == ["critical", "high", "high", "high"]
    assert severe[0].note and severe[0].note.startswith("BAA in legal review")
    assert [g.id for g in shown["expiring"]] == ["GAP-3805H3"]
    assert shown["counts"]["accepted"]["medium"] == 1 and shown["totals"]["accepted"] == 1
    later = report.model_copy(update={"as_of": dt.date(2026, 10, 1)})  # expiry beyond 90 days
    assert executive(later, view(later)["totals"])["expiring"] == []
    page = render("report", "md", report)
    summary = page.split("## 1. Executive summary", 1)[1].split("## 2.", 1)[0]
    assert "GAP-C4PW13" in summary and "BAA in legal review" in summary
    assert "**Expiring within 90 days** (by 2027-02-26): GAP-3805H3 on 2027-01-31." in summary


def test_a_missing_split_between_providers_names_each_of_them(lib: Library, tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load((EXAMPLES / "dental-group.yaml").read_text())
    data.pop("splits", None)  # its providers now share work with nothing saying who does what
    path = tmp_path / "dental-group.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    report = assessment(lib, "dental-group", path)
    shared = {g.gap.id: g.gap for g in report.gaps if g.gap.rule == "shared-without-split"}
    missing = [s for s in report.splits if not s.documented]
    assert len(missing) == len(shared)
    assert any("internal" not in g.parties and len(g.parties) > 1 for g in shared.values())
    for split, gap in zip(missing, shared.values(), strict=True):
        assert split.providers == tuple(p for p in gap.parties if p != "internal")


SAQ_B_IP_SHOP = """\
organization: {name: Corner Shop, sector: other}
frameworks: [pci-dss-4]
model: co-managed
applicability: {pci-saq: B-IP}
internal:
  - {id: ann, name: Ann Lee, functions: [governance]}
"""


def test_designated_roles_follow_the_controls_that_apply(lib: Library, tmp_path: Path) -> None:
    """SAQ B-IP does not include PCI DSS 12.1.4: no role is required, and a PCI executive named
    anyway is reported with that reason, not as 'no framework in scope requires it'."""
    bare = tmp_path / "shop.yaml"
    bare.write_text(SAQ_B_IP_SHOP)
    html = render("report", "html", assessment(lib, "shop", bare))
    assert "No control in scope requires a designated role." in html
    named = tmp_path / "named.yaml"
    named.write_text(SAQ_B_IP_SHOP + "designations:\n  pci-executive: {holder: ann}\n")
    report = assessment(lib, "named", named)
    entry = report.designations["pci-executive"]
    assert not entry.required and entry.not_applicable == ("pci-dss-4:12.1.4",)
    for fmt in ("md", "html"):
        text = render("report", fmt, report)
        assert "PCI DSS v4.0.1 12.1.4 does not apply: not asked by SAQ B-IP" in text, fmt
        assert "no framework in scope requires it" not in text, fmt


def test_an_agreement_a_provider_s_frameworks_do_not_require_reads_n_a(lib: Library) -> None:
    page = render("report", "md", assessment(lib, "dental-group"))
    # ChartCloud and VaultBox serve HIPAA only: no PCI DSS acknowledgment is due from them
    (chartcloud,) = [line for line in page.splitlines() if line.startswith("| ChartCloud EHR (")]
    assert chartcloud.split(" | ")[-3:] == ["yes, until 2027-05-01", "n/a", "2025-11-20 |"]
    (coastal,) = [line for line in page.splitlines() if line.startswith("| Coastal IT Partners (")]
    assert coastal.split(" | ")[-3:] == ["yes", "yes", "2026-05-12 |"]


def test_inputs_list_only_the_catalog_files_the_frameworks_use(lib: Library) -> None:
    clinic = assessment(lib, "clinic")
    names = [f.name for f in clinic.inputs]
    assert not any("pci" in n for n in names), names
    dental = assessment(lib, "dental-group")
    assert "frameworks/saq/pci-saq.yaml" in [f.name for f in dental.inputs]


def test_the_html_names_the_file_form_a_reader_verifies(lib: Library) -> None:
    from ctrlmap.formats.html import page

    report = assessment(lib, "clinic")
    assert "ctrlmap verify report.html PROFILE" in render("report", "html", report)
    printed = page(report, "pdf")
    assert "ctrlmap verify report.pdf PROFILE" in printed and "REPORT.html" not in printed


def test_the_hand_off_map_label_describes_its_row_order(lib: Library) -> None:
    report = assessment(lib, "dental-group")
    page = render("report", "html", report)
    assert "prerequisites first" not in page
    assert "functions that rest on each other" in page and "listed alphabetically" in page


def test_the_figures_paint_the_stylesheet_s_colors() -> None:
    from ctrlmap.present.layout import PALETTE

    style = (Path(__file__).parent.parent / "ctrlmap" / "templates" / "_style.html").read_text()
    for key in (
        "internal",
        "provider",
        "shared",
        "unassigned",
        "critical",
        "high",
        "medium",
        "low",
    ):
        assert f"--{key}: {PALETTE[key]};" in style, key


def test_the_matrix_wraps_between_party_ids_never_inside_one(lib: Library) -> None:
    page = render("report", "html", assessment(lib, "dental-group"))
    assert "overflow-wrap: anywhere" not in page and "overflow-wrap: break-word" in page
    # dental's longest id in C / I is "chartcloud": its column gets room for it
    assert '<col class="c-ci" style="width: 11%"><col class="c-why" style="width: 30%">' in page
    clinic = render("report", "html", assessment(lib, "clinic"))
    assert '<col class="c-ci" style="width: 9%">' in clinic  # "internal"
