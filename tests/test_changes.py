"""`ctrlmap diff` and `report --baseline`: what changed between two assessments, by finding id."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from ctrlmap.assessment.pipeline import assess
from ctrlmap.load.library import Library
from ctrlmap.load.profiles import load_profile
from tests.conftest import DATA, EXAMPLES

CLINIC = EXAMPLES / "clinic.yaml"
SNAPSHOTS = DATA / "snapshots"
REPORT1_JSON = SNAPSHOTS / "clinic-2026-09-01.report1.json"
REPORT1_HTML = SNAPSHOTS / "clinic-2026-09-01.report1.html"
"""Reports written by ctrlmap 0.1.0 (schema ctrlmap/report@1, no finding ids)."""


def _snapshot(invoke: Callable[..., Result], profile: Path, out: Path, as_of: str) -> Path:
    result = invoke("report", str(profile), "--as-of", as_of, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def _diff(invoke: Callable[..., Result], old: Path, new: Path, *extra: str) -> Any:
    result = invoke("diff", str(old), str(new), "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _edited(tmp_path: Path, change: Callable[[dict[str, Any]], None], name: str) -> Path:
    data = yaml.safe_load(CLINIC.read_text())
    change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize("suffix", ["json", "html"])
def test_diff_of_a_report_with_itself_is_empty(
    invoke: Callable[..., Result], tmp_path: Path, suffix: str
) -> None:
    report = _snapshot(invoke, CLINIC, tmp_path / f"q4.{suffix}", "2026-12-01")
    data = _diff(invoke, report, report)
    assert data["schema"] == "ctrlmap/diff@1" and data["changed"] is False
    assert data["opened"] == data["closed"] == data["moved"] == data["evidence"] == []
    assert data["persisting"] and all(p["changes"] == [] for p in data["persisting"])
    assert data["notes"] == []
    table = invoke("diff", str(report), str(report)).stdout
    assert f"No changes: {len(data['persisting'])} finding(s) persist unchanged." in table


def test_diff_around_a_profile_change_lists_exactly_what_changed(
    invoke: Callable[..., Result], tmp_path: Path, lib: Library
) -> None:
    def change(data: dict[str, Any]) -> None:
        dana = next(p for p in data["internal"] if p["id"] == "dana")
        dana["backup"] = "harbor"  # closes Dana's single point of failure
        harbor = next(p for p in data["providers"] if p["id"] == "harbor")
        harbor["functions"].append("access-management")  # Harbor now shares access management
        data["evidence"][0]["reviewed"] = "2026-11-20"  # refreshed
        data["evidence"].append(
            {
                "control": "hipaa-security:164.308(a)(5)(i)",
                "reference": "Training log 2026",
                "reviewed": "2026-11-01",
            }
        )

    new_profile = _edited(tmp_path, change, "clinic-q4.yaml")
    old = _snapshot(invoke, CLINIC, tmp_path / "q3.json", "2026-12-01")
    new = _snapshot(invoke, new_profile, tmp_path / "q4.json", "2026-12-01")
    data = _diff(invoke, old, new)

    # the expected changes, from the two assessments themselves
    before = assess(load_profile(CLINIC, lib)[0], lib, as_of=_date("2026-12-01"))
    after = assess(load_profile(new_profile, lib)[0], lib, as_of=_date("2026-12-01"))
    old_ids = {g.id for g in before.gaps.gaps}
    new_ids = {g.id for g in after.gaps.gaps}
    assert {f["id"] for f in data["opened"]} == new_ids - old_ids
    assert {f["id"] for f in data["closed"]} == old_ids - new_ids
    assert {p["id"] for p in data["persisting"]} == old_ids & new_ids
    spof = {
        g.id
        for g in before.gaps.gaps
        if g.rule == "single-point-of-failure" and g.people == ("dana",)
    }
    assert spof and spof <= {f["id"] for f in data["closed"]}
    placed = {
        a.control: (a.owner, tuple(sorted(a.responsible)), a.accountable)
        for a in before.assignment.assignments
    }
    moved = {
        a.control
        for a in after.assignment.assignments
        if placed[a.control] != (a.owner, tuple(sorted(a.responsible)), a.accountable)
    }
    assert moved and {m["control"] for m in data["moved"]} == moved
    assert all("harbor" in m["after"]["responsible"] for m in data["moved"])
    changes = {(e["control"], e["change"]) for e in data["evidence"]}
    assert changes == {
        (yaml.safe_load(CLINIC.read_text())["evidence"][0]["control"], "refreshed"),
        ("hipaa-security:164.308(a)(5)(i)", "added"),
    }
    assert data["changed"] is True


def _clinic_finding(lib: Library, rule: str) -> str:
    """The id of the clinic's finding of `rule` at 2026-12-01."""
    loaded, _ = load_profile(CLINIC, lib)
    return next(
        g.id for g in assess(loaded, lib, as_of=_date("2026-12-01")).gaps.gaps if g.rule == rule
    )


def _date(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text)


def test_fail_on_new_exits_1_only_for_a_new_open_finding_at_the_severity(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    def drop_baa(data: dict[str, Any]) -> None:
        data["providers"][0]["baa"] = False  # a missing BAA is critical

    old = _snapshot(invoke, CLINIC, tmp_path / "q3.json", "2026-12-01")
    new = _snapshot(
        invoke, _edited(tmp_path, drop_baa, "no-baa.yaml"), tmp_path / "q4.json", "2026-12-01"
    )
    opened = _diff(invoke, old, new)["opened"]
    assert [f["rule"] for f in opened if f["severity"] == "critical"] == [
        "provider-agreement-missing"
    ]
    assert invoke("diff", str(old), str(new), "--fail-on-new", "critical").exit_code == 1
    assert invoke("diff", str(new), str(old), "--fail-on-new", "low").exit_code == 0
    assert invoke("diff", str(old), str(old), "--fail-on-new", "low").exit_code == 0


def test_an_accepted_finding_shows_as_a_status_change(
    invoke: Callable[..., Result], tmp_path: Path, lib: Library
) -> None:
    ident = _clinic_finding(lib, "after-hours-gap")

    def accept(data: dict[str, Any]) -> None:
        data["accepted_risks"] = [
            {
                "finding": ident,
                "reason": "Night cover from the hospital's on-call desk",
                "approved_by": "sam",
                "approved": "2026-11-01",
                "expires": "2027-05-01",
            }
        ]

    old = _snapshot(invoke, CLINIC, tmp_path / "q3.json", "2026-12-01")
    new = _snapshot(
        invoke, _edited(tmp_path, accept, "accepted.yaml"), tmp_path / "q4.json", "2026-12-01"
    )
    data = _diff(invoke, old, new)
    changed = [p for p in data["persisting"] if p["changes"]]
    assert [(p["id"], p["changes"]) for p in changed] == [(ident, ["status open -> accepted"])]
    assert data["new"]["accepted"] == 1 and data["old"]["accepted"] == 0
    # an accepted finding that opens does not trip --fail-on-new
    assert invoke("diff", str(new), str(new), "--fail-on-new", "low").exit_code == 0


def test_an_earlier_versions_snapshot_is_compared_on_what_both_carry(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    new = _snapshot(invoke, CLINIC, tmp_path / "q4.json", "2026-09-01")
    for old in (REPORT1_JSON, REPORT1_HTML):
        data = _diff(invoke, old, new)
        assert data["old"]["schema"] == "ctrlmap/report@1"
        assert any("no finding ids" in n for n in data["notes"])
        # the same profile at the same date: every finding matches by rule and controls
        assert data["opened"] == data["closed"] == data["moved"] == []


def test_verify_reads_an_earlier_versions_report_and_says_what_it_cannot_check(
    invoke: Callable[..., Result],
) -> None:
    result = invoke("verify", str(REPORT1_HTML), "--format", "json")
    assert result.exit_code == 1
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["snapshot hash"]["passed"] is True
    assert "the snapshot is ctrlmap/report@1" in checks["page"]["detail"]


def test_an_edited_html_snapshot_is_refused(invoke: Callable[..., Result], tmp_path: Path) -> None:
    page = _snapshot(invoke, CLINIC, tmp_path / "q4.html", "2026-12-01")
    edited = tmp_path / "edited.html"
    edited.write_text(page.read_text().replace('"severity": "medium"', '"severity": "low"', 1))
    result = invoke("diff", str(edited), str(page))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {edited}: the embedded snapshot does not match")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema": "ctrlmap/gaps@2"}', "not a ctrlmap report snapshot (schema 'ctrlmap/gaps@2')"),
        ("[1, 2]", "not a ctrlmap report snapshot (no ctrlmap report schema)"),
        (
            '{"schema": "ctrlmap/report@2", "tool": "x", "as_of": "2026-13-01"}',
            "as_of",
        ),
    ],
)
def test_something_else_than_a_snapshot_is_an_input_error(
    invoke: Callable[..., Result], tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = invoke("diff", str(bad), str(REPORT1_JSON))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {bad}") and message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_page_without_a_snapshot_is_an_input_error(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    page = tmp_path / "other.html"
    page.write_text("<html><body>hello</body></html>")
    result = invoke("diff", str(page), str(REPORT1_JSON))
    assert result.exit_code == 2 and "no ctrlmap snapshot in this file" in result.stderr


@pytest.mark.parametrize("fmt", ["table", "md", "html"])
def test_diff_renders_every_format(invoke: Callable[..., Result], tmp_path: Path, fmt: str) -> None:
    def drop_baa(data: dict[str, Any]) -> None:
        data["providers"][0]["baa"] = False
        data["providers"][0]["name"] = "Harbor <script>alert(1)</script>"

    old = _snapshot(invoke, CLINIC, tmp_path / "q3.json", "2026-12-01")
    new = _snapshot(
        invoke, _edited(tmp_path, drop_baa, "no-baa.yaml"), tmp_path / "q4.json", "2026-12-01"
    )
    text = invoke("diff", str(old), str(new), "--format", fmt).stdout
    assert "provider-agreement-missing" in text
    if fmt == "html":
        assert "<script>alert" not in text and "Content-Security-Policy" in text
    if fmt == "md":
        assert "<script>" not in text


def test_report_baseline_adds_the_changes_section(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    def backup(data: dict[str, Any]) -> None:
        next(p for p in data["internal"] if p["id"] == "dana")["backup"] = "harbor"

    old = _snapshot(invoke, CLINIC, tmp_path / "q3.json", "2026-09-01")
    profile = _edited(tmp_path, backup, "q4.yaml")
    for fmt, heading in (
        ("md", "## 5b. Changes since 2026-09-01"),
        ("html", "5b. Changes since 2026-09-01"),
    ):
        out = tmp_path / f"q4.{fmt}"
        result = invoke(
            "report", str(profile), "--as-of", "2026-12-01", "--baseline", str(old), "-o", str(out)
        )
        assert result.exit_code == 0, result.stderr
        text = out.read_text()
        assert heading in text and "single-point-of-failure" in text.split(heading, 1)[1]
        summary = text.split("1. Executive summary", 1)[1].split("2. Scope and method", 1)[0]
        assert "Since 2026-09-01" in summary and "opened" in summary  # the summary says so too
    # the report with its changes still verifies against the profile
    verified = invoke("verify", str(tmp_path / "q4.html"), str(profile))
    assert verified.exit_code == 0, verified.stdout


def test_a_planned_date_owner_or_overdue_moving_is_a_change(
    invoke: Callable[..., Result], tmp_path: Path, lib: Library
) -> None:
    ident = _clinic_finding(lib, "after-hours-gap")

    def plan(owner: str, due: str) -> Callable[[dict[str, Any]], None]:
        def change(data: dict[str, Any]) -> None:
            data["remediation"] = [{"finding": ident, "owner": owner, "due": due}]

        return change

    old = _snapshot(
        invoke,
        _edited(tmp_path, plan("sam", "2027-01-15"), "a.yaml"),
        tmp_path / "a.json",
        "2026-12-01",
    )
    new = _snapshot(
        invoke,
        _edited(tmp_path, plan("harbor", "2027-03-01"), "b.yaml"),
        tmp_path / "b.json",
        "2026-12-01",
    )
    data = _diff(invoke, old, new)
    changed = {p["id"]: p["changes"] for p in data["persisting"] if p["changes"]}
    assert changed == {ident: ["owner sam -> harbor", "due 2027-01-15 -> 2027-03-01"]}
    late = _snapshot(
        invoke,
        _edited(tmp_path, plan("harbor", "2027-03-01"), "c.yaml"),
        tmp_path / "c.json",
        "2027-03-02",
    )
    later = {p["id"]: p["changes"] for p in _diff(invoke, new, late)["persisting"]}
    assert "overdue no -> yes" in later[ident]
    # a policy date moves with the as-of date: that alone is no change
    assert all(
        not any(c.startswith("due ") for c in changes) for i, changes in later.items() if i != ident
    )


def test_fail_on_new_counts_a_finding_whose_acceptance_lapsed(
    invoke: Callable[..., Result], tmp_path: Path, lib: Library
) -> None:
    ident = _clinic_finding(lib, "after-hours-gap")

    def accept(data: dict[str, Any]) -> None:
        data["accepted_risks"] = [
            {
                "finding": ident,
                "reason": "Night cover from the hospital's on-call desk",
                "approved_by": "sam",
                "approved": "2026-11-01",
                "expires": "2026-12-15",
            }
        ]

    profile = _edited(tmp_path, accept, "accepted.yaml")
    before = _snapshot(invoke, profile, tmp_path / "before.json", "2026-12-14")
    after = _snapshot(invoke, profile, tmp_path / "after.json", "2026-12-15")
    assert invoke("diff", str(before), str(after), "--fail-on-new", "medium").exit_code == 1
    assert invoke("diff", str(before), str(after), "--fail-on-new", "high").exit_code == 0


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda gap: gap.update(severity="catastrophic"), "severity"),
        (lambda gap: gap.update(status="closed"), "status"),
        (lambda gap: gap.update(id="<script>"), "id"),
    ],
)
def test_a_snapshot_with_an_impossible_finding_is_refused(
    invoke: Callable[..., Result],
    tmp_path: Path,
    edit: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    report = _snapshot(invoke, CLINIC, tmp_path / "q.json", "2026-12-01")
    data = json.loads(report.read_text())
    edit(data["gaps"][0]["gap"])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, indent=2))
    result = invoke("diff", str(bad), str(report))
    assert result.exit_code == 2 and result.stderr.startswith(f"Error: {bad}:")
    assert f"gaps[0].gap.{message}" in result.stderr


def test_a_snapshot_listing_a_finding_twice_is_refused(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    report = _snapshot(invoke, CLINIC, tmp_path / "q.json", "2026-12-01")
    data = json.loads(report.read_text())
    data["gaps"][1]["gap"]["id"] = data["gaps"][0]["gap"]["id"]
    bad = tmp_path / "dup.json"
    bad.write_text(json.dumps(data, indent=2))
    result = invoke("diff", str(bad), str(report))
    assert result.exit_code == 2 and "is also finding 0" in result.stderr


def test_the_newest_snapshot_schema_diff_reads_is_the_one_reports_write() -> None:
    from ctrlmap.load.snapshots import SCHEMAS
    from ctrlmap.present.report import Report

    assert SCHEMAS[-1] == Report.model_fields["schema_"].default


@pytest.mark.parametrize("fmt", ["table", "md", "html"])
def test_a_closed_finding_says_how_it_stood_and_that_it_is_closed(
    invoke: Callable[..., Result], tmp_path: Path, lib: Library, fmt: str
) -> None:
    ident = _clinic_finding(lib, "single-point-of-failure")

    def backup(data: dict[str, Any]) -> None:
        next(p for p in data["internal"] if p["id"] == "dana")["backup"] = "harbor"

    def plan(data: dict[str, Any]) -> None:
        data["remediation"] = [{"finding": ident, "status": "in-progress", "due": "2026-11-01"}]

    old = _snapshot(
        invoke, _edited(tmp_path, plan, "planned.yaml"), tmp_path / "q3.json", "2026-12-01"
    )
    new = _snapshot(
        invoke, _edited(tmp_path, backup, "backup.yaml"), tmp_path / "q4.json", "2026-12-01"
    )
    closed = _diff(invoke, old, new)["closed"]
    assert [(c["id"], c["progress"], c["overdue"]) for c in closed] == [
        (ident, "in-progress", True)
    ]
    text = invoke("diff", str(old), str(new), "--format", fmt).stdout
    assert "was in progress, overdue; closed (no longer found)" in text
    if fmt != "table":
        closed_table = text.split("Closed", 1)[1]
        assert "| open |" not in closed_table and "<td>open</td>" not in closed_table
        assert "Status now" in text.split("Closed", 1)[0] or "Opened" not in text


@pytest.mark.parametrize("joined", ["two pages", "two snapshots"])
def test_a_file_holding_two_snapshots_is_refused(
    invoke: Callable[..., Result], tmp_path: Path, joined: str
) -> None:
    q3 = _snapshot(invoke, CLINIC, tmp_path / "q3.html", "2026-09-01")
    q4 = _snapshot(invoke, CLINIC, tmp_path / "q4.html", "2026-12-01")
    both = tmp_path / "both.html"
    if joined == "two pages":
        both.write_text(q3.read_text() + q4.read_text())
    else:  # one page, a second snapshot block pasted into it
        block = re.search(r'<script type="application/json" id="ctrlmap-snapshot">[^<]*</script>',
                          q4.read_text())  # fmt: skip
        assert block is not None
        page = q3.read_text()
        both.write_text(page.replace("</body>", block.group(0) + "</body>"))
    for args in ((both, q4), (q4, both)):
        result = invoke("diff", *map(str, args))
        assert result.exit_code == 2, result.stdout
        assert result.stderr.startswith(f"Error: {both}: it holds 2 embedded snapshots")
        assert "Traceback" not in result.stderr
    baseline = invoke("report", str(CLINIC), "--baseline", str(both), "--format", "md")
    assert baseline.exit_code == 2 and "it holds 2 embedded snapshots" in baseline.stderr


def test_two_pdf_reports_joined_into_one_file_are_refused(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    pytest.importorskip("pypdf")
    from ctrlmap.load.snapshots import PDF_HEADER

    one = b"%PDF-1.7\n%...\n%%EOF\n"
    assert len(PDF_HEADER.findall(one)) == 1 and len(PDF_HEADER.findall(one + one)) == 2
    both = tmp_path / "both.pdf"
    both.write_bytes(one + one)
    result = invoke("diff", str(both), str(REPORT1_JSON))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {both}: it holds 2 PDF documents")


def test_a_kept_first_seen_date_makes_a_policy_due_date_comparable(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    dental = EXAMPLES / "dental-group.yaml"
    q4 = _snapshot(invoke, dental, tmp_path / "q4.json", "2026-12-01")
    loose = _snapshot(invoke, dental, tmp_path / "q1-loose.json", "2027-03-01")
    kept = tmp_path / "q1.json"
    made = invoke(
        "report", str(dental), "--as-of", "2027-03-01", "--baseline", str(q4), "-o", str(kept)
    )
    assert made.exit_code == 0, made.stderr
    lapsed = "GAP-3805H3"  # accepted until 2027-01-31
    for new in (loose, kept):
        data = _diff(invoke, q4, new)
        changes = {p["id"]: p["changes"] for p in data["persisting"]}
        assert changes[lapsed] == ["status accepted -> open", "acceptance lapsed on 2027-01-31"]
        recounted = [n for n in data["notes"] if "Make NEW with `--baseline OLD`" in n]
        assert bool(recounted) is (new == loose)
        # the risk analysis went stale: the stale-evidence finding now covers it too
        assert changes["GAP-H86Q33"] == ["controls 1 -> 3 (2 added)"]
        # no policy due date moved: the loose one is not compared, the kept one did not move
        assert not [c for found in changes.values() for c in found if c.startswith("due ")]
    # the critical finding (planned, due 2026-12-15) and the two planned highs fell overdue
    data = _diff(invoke, q4, kept)
    overdue = {p["id"] for p in data["persisting"] if "overdue no -> yes" in p["changes"]}
    assert overdue == {"GAP-C4PW13", "GAP-G5D7XA", "GAP-448WYA"}
    assert (data["old"]["overdue"], data["new"]["overdue"]) == (0, 3)
    table = invoke("diff", str(q4), str(kept)).stdout
    assert re.search(r"^findings .* accepted +overdue +total$", table, re.M)
    assert re.search(r"^after +1 +3 +6 +7 +0 +3 +17$", table, re.M)


def test_a_policy_due_date_that_moves_with_a_kept_first_seen_date_is_a_change(
    invoke: Callable[..., Result], tmp_path: Path, lib: Library
) -> None:
    ident = _clinic_finding(lib, "single-point-of-failure")  # medium: 180 days by default

    def shorter(data: dict[str, Any]) -> None:
        data["remediation_policy"] = {"medium": 30}

    old = _snapshot(invoke, CLINIC, tmp_path / "q3.json", "2026-12-01")
    new = tmp_path / "q4.json"
    made = invoke(
        "report", str(_edited(tmp_path, shorter, "shorter.yaml")), "--as-of", "2027-01-15",
        "--baseline", str(old), "-o", str(new),
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    changes = {p["id"]: p["changes"] for p in _diff(invoke, old, new)["persisting"]}
    assert changes[ident] == ["due 2027-05-30 -> 2026-12-31", "overdue no -> yes"]
