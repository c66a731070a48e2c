"""Tracking findings: stable ids, accepted risks, the remediation plan and its policy."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctrlmap.assessment.gaps.registry import CROCKFORD, finding_id
from ctrlmap.assessment.pipeline import assess
from ctrlmap.assessment.tracking import due_date
from ctrlmap.load.catalogs import load_library
from ctrlmap.load.library import Library
from ctrlmap.load.profiles import load_profile
from ctrlmap.models import Profile
from tests.conftest import DATA, EXAMPLES

BAD = DATA / "bad-tracking"
CLINIC = EXAMPLES / "clinic.yaml"
AS_OF = dt.date(2026, 12, 1)
DATED_RULES = {"stale-evidence", "missing-evidence", "provider-oversight-overdue"}
"""Rules whose findings come and go with the as-of date (evidence ages, reviews fall due)."""

CASES = {
    # fixture: (line, field, message)
    "risk_approved_by_provider.yaml": (
        17,
        "accepted_risks[0].approved_by",
        "'acme' is a provider; accepting a risk is the organization's decision: name one of "
        "its own people",
    ),
    "risk_approved_by_unknown.yaml": (
        17,
        "accepted_risks[0].approved_by",
        "unknown internal person 'patt'; did you mean 'pat'?",
    ),
    "risk_expires_before_approval.yaml": (
        19,
        "accepted_risks[0].expires",
        "expires (2026-09-01) must be after approved (2026-10-01): an acceptance runs for a period",
    ),
    "risk_without_reason.yaml": (16, "accepted_risks[0].reason", "must not be empty"),
    "risk_without_expiry.yaml": (
        15,
        "accepted_risks[0].expires",
        "required field is missing; add it",
    ),
    "risk_bad_finding_id.yaml": (
        15,
        "accepted_risks[0].finding",
        "a finding id is GAP- and six characters, e.g. GAP-7K3QX2",
    ),
    "risk_listed_twice.yaml": (
        20,
        "accepted_risks[1].finding",
        "GAP-7K3QX2 already has an entry (accepted_risks[0]); keep one entry per finding",
    ),
    "remediation_unknown_owner.yaml": (
        16,
        "remediation[0].owner",
        "unknown person or provider 'acmee'; did you mean 'acme'?",
    ),
    "remediation_bad_status.yaml": (
        18,
        "remediation[0].status",
        "must be 'open', 'in-progress' or 'done'",
    ),
    "policy_not_positive.yaml": (14, "remediation_policy.high", "must be greater than 0"),
    "risk_placeholder_reason.yaml": (
        16,
        "accepted_risks[0].reason",
        "'TBD' is a placeholder; an acceptance says why the risk is accepted",
    ),
    "remediation_due_before_detected.yaml": (
        17,
        "remediation[0].due",
        "due (2026-09-01) is before detected (2026-10-01); fix one of the dates",
    ),
}


def test_every_bad_tracking_fixture_has_a_case() -> None:
    assert {p.name for p in BAD.glob("*.yaml")} == set(CASES)


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_bad_tracking_entry_exits_2_naming_file_line_and_field(
    invoke: Callable[..., Result], fixture: str
) -> None:
    line, field, message = CASES[fixture]
    result = invoke("validate", str(BAD / fixture))
    assert result.exit_code == 2
    errors = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"Error: {BAD / fixture}:{line}: {field}: {message}")
    assert "Traceback" not in result.stderr


# ids


def test_finding_id_is_gap_and_six_crockford_characters() -> None:
    ident = finding_id("unowned", ("governance",))
    assert re.fullmatch(rf"GAP-[{CROCKFORD}]{{6}}", ident)
    assert ident == finding_id("unowned", ("governance",))
    assert ident != finding_id("unowned", ("governance", "help-desk"))
    assert ident != finding_id("no-single-accountable", ("governance",))
    # the parts are separated, so ("a", "bc") and ("ab", "c") differ
    assert finding_id("r", ("a", "bc")) != finding_id("r", ("ab", "c"))


def test_ids_are_unique_within_each_example(lib: Library) -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        loaded, _ = load_profile(path, lib)
        ids = [g.id for g in assess(loaded, lib, as_of=AS_OF).gaps.gaps]
        assert len(ids) == len(set(ids)), path.name


def _ids(profile: Profile, lib: Library, as_of: dt.date = AS_OF) -> dict[str, str]:
    return {g.id: g.rule for g in assess(profile, lib, as_of=as_of).gaps.gaps}


def _example(lib: Library, name: str) -> tuple[Profile, dict[str, Any]]:
    loaded, doc = load_profile(EXAMPLES / name, lib)
    return loaded, doc.data


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["clinic.yaml", "dental-group.yaml", "law-firm.yaml"]),
    seed=st.randoms(use_true_random=False),
)
def test_ids_survive_reordering_the_profile(lib: Library, name: str, seed: Any) -> None:
    loaded, _ = _example(lib, name)
    shuffled = {}
    for section in ("internal", "providers", "evidence", "handoffs", "splits", "overrides"):
        items = list(getattr(loaded, section))
        seed.shuffle(items)
        shuffled[section] = tuple(items)
    again = loaded.model_copy(update=shuffled)
    assert set(_ids(again, lib)) == set(_ids(loaded, lib))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days=st.integers(min_value=-400, max_value=400))
def test_ids_survive_a_new_as_of_date(lib: Library, days: int) -> None:
    loaded, _ = _example(lib, "dental-group.yaml")
    before = {i for i, r in _ids(loaded, lib).items() if r not in DATED_RULES}
    later = AS_OF + dt.timedelta(days=days)
    after = {i for i, r in _ids(loaded, lib, later).items() if r not in DATED_RULES}
    # a BAA can lapse as the date moves: that opens a finding, it does not rename one
    assert before - after <= {
        i for i, r in _ids(loaded, lib).items() if r == "provider-agreement-missing"
    }
    assert after - before <= {
        i for i, r in _ids(loaded, lib, later).items() if r == "provider-agreement-missing"
    }


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(min_value=0, max_value=200), reviewed=st.dates(dt.date(2020, 1, 1)))
def test_ids_survive_unrelated_evidence(lib: Library, index: int, reviewed: dt.date) -> None:
    loaded, _ = _example(lib, "clinic.yaml")
    keys = [a.control for a in assess(loaded, lib, as_of=AS_OF).assignment.assignments]
    added = loaded.model_copy(
        update={
            "evidence": (
                *loaded.evidence,
                loaded.evidence[0].model_copy(
                    update={"control": keys[index % len(keys)], "reviewed": reviewed}
                ),
            )
        }
    )
    before = {i for i, r in _ids(loaded, lib).items() if r not in DATED_RULES}
    after = {i for i, r in _ids(added, lib).items() if r not in DATED_RULES}
    assert before == after


CATALOG = """\
id: tiny
title: Tiny catalog
version: "1"
controls:
  - id: T-1
    title: First
    summary: The first control.
    citation: Tiny 1
    kind: requirement
    level: required
    functions: [governance, help-desk]
    depends_on: []
"""
EXTRA = """\
  - id: T-{n}
    title: Another
    summary: Another control.
    citation: Tiny {n}
    kind: requirement
    level: required
    functions: [{function}]
    depends_on: []
"""


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(function=st.sampled_from(["help-desk", "backup-recovery", "vendor-management"]))
def test_ids_survive_a_catalog_control_added_elsewhere(function: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiny.yaml"
        path.write_text(CATALOG)
        small = load_library([str(path)])
        path.write_text(CATALOG + EXTRA.format(n=2, function=function))
        grown = load_library([str(path)])
    data = yaml.safe_load(CLINIC.read_text())
    data["frameworks"] = [*data["frameworks"], "tiny"]
    ids = []
    for library in (small, grown):
        loaded = Profile.model_validate(data)
        ids.append({g.id: g for g in assess(loaded, library, as_of=AS_OF).gaps.gaps})
    assert set(ids[0]) <= set(ids[1])
    for ident in ids[0]:  # the same finding may now list one control more
        assert set(ids[0][ident].controls) <= set(ids[1][ident].controls)


# accepted risks


def _write(tmp_path: Path, extra: dict[str, Any], base: Path = CLINIC) -> Path:
    data = yaml.safe_load(base.read_text())
    data.update(extra)
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _clinic_ids(lib: Library) -> dict[str, str]:
    loaded, _ = load_profile(CLINIC, lib)
    return {g.rule: g.id for g in assess(loaded, lib, as_of=AS_OF).gaps.gaps}


def _acceptance(ident: str, expires: str = "2027-04-01") -> dict[str, Any]:
    return {
        "accepted_risks": [
            {
                "finding": ident.lower(),  # case does not matter
                "reason": "Single IT coordinator until the 2027 hire",
                "approved_by": "sam",
                "approved": "2026-10-01",
                "expires": expires,
            }
        ]
    }


def test_acceptance_keeps_a_finding_out_of_fail_on_until_it_expires(
    invoke: Callable[..., Result], tmp_path: Path, lib: Library
) -> None:
    medium = {
        g.id
        for g in assess(load_profile(CLINIC, lib)[0], lib, as_of=AS_OF).gaps.gaps
        if g.severity == "medium"
    }
    path = tmp_path / "accept-all.yaml"
    data = yaml.safe_load(CLINIC.read_text())
    data["accepted_risks"] = [
        {**_acceptance(i)["accepted_risks"][0], "finding": i} for i in sorted(medium)
    ]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    before = invoke("gaps", str(path), "--as-of", "2027-03-31", "--fail-on", "medium")
    assert before.exit_code == 0, before.stderr
    assert f"({len(medium)} accepted" in before.stderr
    on = invoke("gaps", str(path), "--as-of", "2027-04-01", "--fail-on", "medium")
    assert on.exit_code == 1
    assert "acceptance lapsed on 2027-04-01" in on.stdout
    # low findings were never accepted: --fail-on low still fails before the expiry
    assert invoke("gaps", str(path), "--as-of", "2027-03-31", "--fail-on", "low").exit_code == 1


def test_accepted_finding_is_shown_with_reason_and_approver(
    invoke: Callable[..., Result], tmp_path: Path, lib: Library
) -> None:
    ident = _clinic_ids(lib)["after-hours-gap"]
    path = _write(tmp_path, _acceptance(ident))
    result = invoke("gaps", str(path), "--as-of", "2026-12-01", "--format", "json")
    gap = next(g for g in json.loads(result.stdout)["gaps"] if g["id"] == ident)
    assert gap["status"] == "accepted"
    assert gap["acceptance"]["approved_by_name"] == "Sam Lee"
    assert gap["acceptance"]["reason"] == "Single IT coordinator until the 2027 hire"
    assert gap["due"] is None and gap["overdue"] is False
    md = invoke("report", str(path), "--as-of", "2026-12-01", "--format", "md").stdout
    accepted = md.split("### Accepted risks", 1)[1].split("##", 1)[0]
    assert ident in accepted and "Single IT coordinator until the 2027 hire" in accepted
    assert ident not in md.split("### Remediation plan", 1)[1].split("### Accepted risks")[0]


def test_acceptance_approved_after_the_as_of_date_is_not_yet_in_force(
    tmp_path: Path, lib: Library
) -> None:
    ident = _clinic_ids(lib)["after-hours-gap"]
    loaded, _ = load_profile(_write(tmp_path, _acceptance(ident)), lib)
    gap = next(
        g for g in assess(loaded, lib, as_of=dt.date(2026, 9, 30)).gaps.gaps if g.id == ident
    )
    assert gap.status == "open" and gap.acceptance is None and gap.acceptance_lapsed is None


def test_unmatched_entries_are_validate_warnings(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        {
            **_acceptance("GAP-AAAAAA"),
            "remediation": [{"finding": "GAP-BBBBBB", "status": "open"}],
        },
    )
    result = invoke("validate", str(path), "--as-of", "2026-12-01")
    assert result.exit_code == 0
    warnings = [x for x in result.stderr.splitlines() if x.startswith("Warning:")]
    assert any(
        "accepted_risks[0].finding: GAP-AAAAAA matches no current finding: resolved, or a "
        "mistyped id" in w
        for w in warnings
    )
    assert any(
        "remediation[0].finding: GAP-BBBBBB matches no current finding" in w for w in warnings
    )
    md = invoke("report", str(path), "--as-of", "2026-12-01", "--format", "md").stdout
    assert "GAP-AAAAAA (accepted_risks), GAP-BBBBBB (remediation)" in md


# the remediation plan


def test_default_owner_is_the_accountable_person_and_due_follows_the_policy(
    lib: Library,
) -> None:
    loaded, _ = load_profile(CLINIC, lib)
    assessment = assess(loaded, lib, as_of=AS_OF)
    days = {"critical": 30, "high": 90, "medium": 180, "low": 365}
    for gap in assessment.gaps.gaps:
        assert gap.due == AS_OF + dt.timedelta(days=days[gap.severity])
        assert gap.due_basis == "policy" and not gap.overdue
        people = {
            assessment.applicable[k].raci.accountable_person  # type: ignore[union-attr]
            for k in gap.controls
        }
        assert gap.owner in people


def test_plan_entry_sets_owner_due_status_and_milestones(tmp_path: Path, lib: Library) -> None:
    ids = _clinic_ids(lib)
    plan = {
        "remediation": [
            {
                "finding": ids["after-hours-gap"],
                "owner": "harbor",
                "due": "2026-11-15",
                "status": "in-progress",
                "milestones": [
                    {"date": "2026-11-20", "text": "Contract signed"},
                    {"date": "2026-11-01", "text": "Quote requested"},
                ],
                "note": "Budget approved",
            },
            {"finding": ids["stale-evidence"], "status": "done"},
            {"finding": ids["shared-without-split"], "detected": "2026-01-01"},
        ],
        "remediation_policy": {"medium": 30},
    }
    loaded, _ = load_profile(_write(tmp_path, plan), lib)
    gaps = {g.id: g for g in assess(loaded, lib, as_of=AS_OF).gaps.gaps}
    planned = gaps[ids["after-hours-gap"]]
    assert (planned.owner, planned.owner_name) == ("harbor", "Harbor Managed IT")
    assert planned.due == dt.date(2026, 11, 15) and planned.due_basis == "plan"
    assert planned.overdue and planned.progress == "in-progress"
    assert [m.text for m in planned.milestones] == ["Quote requested", "Contract signed"]
    done = gaps[ids["stale-evidence"]]
    assert done.progress == "done" and not done.overdue
    detected = gaps[ids["shared-without-split"]]  # 30 days from its detection: overdue
    assert detected.due == dt.date(2026, 1, 31) and detected.overdue
    policy = gaps[ids["single-point-of-failure"]]
    assert policy.due == AS_OF + dt.timedelta(days=30)


def test_marked_done_still_present_is_reported(
    invoke: Callable[..., Result], tmp_path: Path, lib: Library
) -> None:
    ident = _clinic_ids(lib)["stale-evidence"]
    path = _write(tmp_path, {"remediation": [{"finding": ident, "status": "done"}]})
    table = invoke("gaps", str(path), "--as-of", "2026-12-01").stdout
    block = table.split(ident, 1)[1].split("\n\n", 1)[0]
    assert "Status: marked done, still present" in block


def test_gaps_csv_and_markdown_carry_id_and_status(invoke: Callable[..., Result]) -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(
                invoke("gaps", str(CLINIC), "--as-of", "2026-12-01", "--format", "csv").stdout
            )
        )
    )
    assert rows and all(re.fullmatch(r"GAP-[0-9A-Z]{6}", r["id"]) for r in rows)
    assert {r["status"] for r in rows} == {"open"} and all(r["due"] for r in rows)
    md = invoke("gaps", str(CLINIC), "--as-of", "2026-12-01", "--format", "md").stdout
    assert re.search(r"^\| Id +\| Severity +\|", md, re.M) and rows[0]["id"] in md


def test_due_date_never_overflows() -> None:
    assert due_date(dt.date(9999, 12, 1), 365) == dt.date.max
    assert due_date(dt.date(2026, 12, 1), 30) == dt.date(2026, 12, 31)


def test_a_finding_nobody_is_accountable_for_goes_to_the_designated_official(
    lib: Library,
) -> None:
    loaded, _ = load_profile(EXAMPLES / "dental-group.yaml", lib)
    gaps = assess(loaded, lib, as_of=AS_OF).gaps.gaps
    nobody = next(g for g in gaps if g.rule == "no-single-accountable")
    holder = loaded.designations["security-official"].holder
    assert (nobody.owner, nobody.owner_basis) == (holder, "security-official")
    planned = {r.finding for r in loaded.remediation if r.owner}
    for g in gaps:
        if g.rule != "no-single-accountable":
            assert g.owner_basis == ("plan" if g.id in planned else "accountable")


def test_a_lapsed_acceptance_is_on_the_first_page(
    invoke: Callable[..., Result], tmp_path: Path, lib: Library
) -> None:
    ident = _clinic_ids(lib)["after-hours-gap"]
    path = _write(tmp_path, _acceptance(ident, expires="2026-11-15"))
    for fmt, next_section in (("md", "## 2. Scope and method"), ("html", '<section id="scope"')):
        text = invoke("report", str(path), "--as-of", "2026-12-01", "--format", fmt).stdout
        summary = text.split(next_section, 1)[0]  # the executive summary, and what precedes it
        assert "Acceptance lapsed, open again:" in summary
        assert ident in summary.split("Acceptance lapsed, open again:", 1)[1].split("\n\n")[0]


# first-seen dates: a policy due date counts from when the finding was first seen

DENTAL = EXAMPLES / "dental-group.yaml"
LATER = "2027-03-01"  # 90 days after AS_OF: a critical or high finding first seen then is due


def _gaps_json(invoke: Callable[..., Result], profile: Path, *extra: str) -> dict[str, Any]:
    result = invoke("gaps", str(profile), "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return {g["id"]: g for g in json.loads(result.stdout)["gaps"]}


def _baseline(invoke: Callable[..., Result], profile: Path, out: Path, as_of: str) -> Path:
    result = invoke("report", str(profile), "--as-of", as_of, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def test_a_finding_in_the_baseline_keeps_its_first_seen_date_and_falls_overdue(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    old = _baseline(invoke, CLINIC, tmp_path / "q4.json", "2026-12-01")
    seen = {e["gap"]["id"] for e in json.loads(old.read_text())["gaps"]}
    later = "2027-06-15"  # past the medium findings' 180 days from 2026-12-01
    without = _gaps_json(invoke, CLINIC, "--as-of", later)
    carried = _gaps_json(invoke, CLINIC, "--as-of", later, "--baseline", str(old))
    assert set(carried) == set(without) and seen & set(carried)
    days = {"critical": 30, "high": 90, "medium": 180, "low": 365}
    for ident, gap in carried.items():
        # without the baseline the due date moved with the as-of date: never overdue
        assert without[ident]["first_seen"] == later and not without[ident]["overdue"]
        assert without[ident]["first_seen_basis"] == "as-of"
        if ident not in seen:  # new since the baseline: counts from today
            assert gap == without[ident]
            continue
        assert (gap["first_seen"], gap["first_seen_basis"]) == ("2026-12-01", "baseline")
        assert gap["due_from"] == "2026-12-01" and gap["due_basis"] == "policy"
        due = dt.date(2026, 12, 1) + dt.timedelta(days=days[gap["severity"]])
        assert gap["due"] == due.isoformat()
        assert gap["overdue"] is (due < dt.date(2027, 6, 15))
    assert any(g["overdue"] for g in carried.values())
    rows = csv.DictReader(
        io.StringIO(
            invoke(
                "gaps", str(CLINIC), "--as-of", later, "--baseline", str(old), "--format", "csv"
            ).stdout
        )
    )
    for row in rows:
        gap = carried[row["id"]]
        assert (row["first_seen"], row["first_seen_basis"]) == (
            gap["first_seen"],
            gap["first_seen_basis"],
        )
        assert (row["due"], row["due_basis"], row["due_from"]) == (
            gap["due"],
            gap["due_basis"],
            gap["due_from"],
        )
    table = invoke("gaps", str(CLINIC), "--as-of", later, "--baseline", str(old))
    assert table.exit_code == 0
    assert "(overdue) by policy: 180 days from 2026-12-01 (first seen in the baseline)" in (
        table.stdout
    )
    assert "overdue)" in table.stderr  # the summary line counts them


def test_an_older_snapshot_without_first_seen_dates_counts_from_its_as_of_date(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    old = _baseline(invoke, CLINIC, tmp_path / "q3.json", "2026-09-01")
    data = json.loads(old.read_text())
    for entry in data["gaps"]:
        for key in ("first_seen", "first_seen_basis", "due_from"):
            del entry["gap"][key]
    old.write_text(json.dumps(data, indent=2))
    carried = _gaps_json(invoke, CLINIC, "--as-of", "2026-12-01", "--baseline", str(old))
    before = {e["gap"]["id"] for e in data["gaps"]}
    assert before & set(carried)
    for ident in before & set(carried):
        assert carried[ident]["first_seen"] == "2026-09-01"
        assert carried[ident]["first_seen_basis"] == "baseline"


def test_the_plans_detected_date_wins_and_a_new_finding_counts_from_the_as_of_date(
    invoke: Callable[..., Result], tmp_path: Path, lib: Library
) -> None:
    ids = _clinic_ids(lib)
    old = _baseline(invoke, CLINIC, tmp_path / "q4.json", "2026-12-01")
    data = json.loads(old.read_text())
    dropped = ids["after-hours-gap"]  # as if the baseline did not have it yet
    data["gaps"] = [e for e in data["gaps"] if e["gap"]["id"] != dropped]
    old.write_text(json.dumps(data, indent=2))
    detected = ids["shared-without-split"]
    path = _write(tmp_path, {"remediation": [{"finding": detected, "detected": "2027-01-15"}]})
    carried = _gaps_json(invoke, path, "--as-of", LATER, "--baseline", str(old))
    assert (carried[detected]["first_seen"], carried[detected]["first_seen_basis"]) == (
        "2027-01-15",
        "detected",
    )
    assert (carried[dropped]["first_seen"], carried[dropped]["first_seen_basis"]) == (
        LATER,
        "as-of",
    )


def test_a_baseline_dated_after_the_as_of_date_gives_no_first_seen_dates(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    old = _baseline(invoke, CLINIC, tmp_path / "q1.json", LATER)
    carried = _gaps_json(invoke, CLINIC, "--as-of", "2026-12-01", "--baseline", str(old))
    assert {g["first_seen_basis"] for g in carried.values()} == {"as-of"}


def test_a_lapsed_acceptance_counts_its_policy_days_from_the_lapse(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    # the dental group accepted GAP-3805H3 (medium) until 2027-01-31
    old = _baseline(invoke, DENTAL, tmp_path / "q4.json", "2026-12-01")
    gap = _gaps_json(invoke, DENTAL, "--as-of", LATER, "--baseline", str(old))["GAP-3805H3"]
    assert gap["status"] == "open" and gap["acceptance_lapsed"] == "2027-01-31"
    # it was known when its acceptance was approved, before the baseline: the baseline says so
    assert (gap["first_seen"], gap["first_seen_basis"]) == ("2026-09-01", "baseline")
    alone = _gaps_json(invoke, DENTAL, "--as-of", LATER)["GAP-3805H3"]
    assert (alone["first_seen"], alone["first_seen_basis"]) == ("2026-09-01", "accepted")
    assert gap["due_from"] == "2027-01-31"
    assert gap["due"] == "2027-07-30" and not gap["overdue"]
    text = invoke("gaps", str(DENTAL), "--as-of", LATER, "--baseline", str(old)).stdout
    assert "180 days from 2027-01-31 (the day its acceptance lapsed)" in text


def test_an_acceptance_dates_its_finding_at_the_latest_from_its_approval(lib: Library) -> None:
    from ctrlmap.assessment.tracking import first_seen
    from ctrlmap.models.profile import AcceptedRisk

    risk = AcceptedRisk.model_validate(
        {
            "finding": "GAP-7K3QX2",
            "reason": "Covered by the MSP until the hire",
            "approved_by": "sam",
            "approved": "2026-10-01",
            "expires": "2027-04-01",
        }
    )
    day = dt.date
    assert first_seen(None, risk, None, AS_OF) == (day(2026, 10, 1), "accepted")
    assert first_seen(None, risk, day(2026, 9, 1), AS_OF) == (day(2026, 9, 1), "baseline")
    assert first_seen(None, risk, day(2026, 11, 1), AS_OF) == (day(2026, 10, 1), "accepted")
    # an acceptance approved after the as-of date says nothing yet
    assert first_seen(None, risk, None, day(2026, 9, 30)) == (day(2026, 9, 30), "as-of")


def test_report_and_export_carry_the_baselines_dates_and_verify_accepts_them(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    old = _baseline(invoke, DENTAL, tmp_path / "q4.json", "2026-12-01")
    new = tmp_path / "q1.html"
    made = invoke("report", str(DENTAL), "--as-of", LATER, "--baseline", str(old), "-o", str(new))
    assert made.exit_code == 0, made.stderr
    checked = invoke("verify", str(new), str(DENTAL))
    assert checked.exit_code == 0, checked.stdout
    out = tmp_path / "poam.csv"
    result = invoke(
        "export", str(DENTAL), "--format", "poam-csv", "--as-of", LATER,
        "--baseline", str(old), "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = {r["POAM ID"]: r for r in csv.DictReader(io.StringIO(out.read_text()))}
    high = rows["GAP-NCBMVM"]  # high, no plan entry: 90 days from 2026-12-01
    assert high["Original Detection Date"] == "2026-12-01"
    assert high["Scheduled Completion Date"] == "2027-03-01"
    assert "Original detection date: first seen in the baseline" in high["Comments"]
    assert "90 days from the original detection date" in high["Comments"]


def test_a_bad_baseline_is_an_input_error(invoke: Callable[..., Result], tmp_path: Path) -> None:
    bad = tmp_path / "old.json"
    bad.write_text('{"schema": "something/else"}')
    for command in ("gaps", "export"):
        extra = ("--format", "poam-csv") if command == "export" else ()
        result = invoke(command, str(CLINIC), *extra, "--baseline", str(bad))
        assert result.exit_code == 2
        assert f"Error: {bad}" in result.stderr and "not a ctrlmap report snapshot" in result.stderr


# validate: a plan or policy that is valid but cannot be what was meant


def _warnings(invoke: Callable[..., Result], path: Path) -> list[str]:
    result = invoke("validate", str(path), "--as-of", "2026-12-01")
    assert result.exit_code == 0, result.stderr
    return [x for x in result.stderr.splitlines() if x.startswith("Warning:")]


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_an_inverted_remediation_policy_is_a_warning_naming_its_line(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    path = _write(tmp_path, {"remediation_policy": {"critical": 90, "low": 30}})
    (warning,) = _warnings(invoke, path)
    line = _line_of(path, "low: 30")
    assert warning.startswith(f"Warning: {path}:{line}: remediation_policy.low: ")
    assert "critical 90 days but low 30" in warning and "medium 180 days but low 30" in warning
    assert "give critical no more days than high" in warning
    # only critical set, above the default high: points at critical
    path = _write(tmp_path, {"remediation_policy": {"critical": 120}})
    (warning,) = _warnings(invoke, path)
    assert f":{_line_of(path, 'critical: 120')}: remediation_policy.critical: " in warning
    assert "critical 120 days but high 90" in warning
    # equal days are an ordering, not an inversion
    assert _warnings(invoke, _write(tmp_path, {"remediation_policy": {"high": 30}})) == []


def test_a_milestone_listed_twice_is_a_warning_naming_its_line(
    invoke: Callable[..., Result], tmp_path: Path, lib: Library
) -> None:
    ident = _clinic_ids(lib)["after-hours-gap"]
    plan = {
        "remediation": [
            {
                "finding": ident,
                "milestones": [
                    {"date": "2026-11-01", "text": "Quote requested"},
                    {"date": "2026-11-01", "text": "Quote  requested"},
                    {"date": "2026-12-15", "text": "quote requested"},
                    {"date": "2026-12-20", "text": "Contract signed"},
                ],
            }
        ]
    }
    path = _write(tmp_path, plan)
    same_day, moved = _warnings(invoke, path)
    lines = [n for n, x in enumerate(path.read_text().splitlines(), 1) if "- date:" in x]
    assert same_day.startswith(f"Warning: {path}:{lines[1]}: remediation[0].milestones[1]: ")
    assert "is also milestones[0] on the same date; remove one" in same_day
    assert moved.startswith(f"Warning: {path}:{lines[2]}: remediation[0].milestones[2]: ")
    assert "(dated 2026-11-01, this one 2026-12-15); keep one entry" in moved


def test_two_entries_for_one_finding_in_any_case_are_an_error(
    invoke: Callable[..., Result], tmp_path: Path, lib: Library
) -> None:
    ident = _clinic_ids(lib)["after-hours-gap"]
    plan = {"remediation": [{"finding": ident}, {"finding": ident.lower(), "status": "done"}]}
    result = invoke("validate", str(_write(tmp_path, plan)))
    assert result.exit_code == 2
    assert f"remediation[1].finding: {ident} already has an entry (remediation[0])" in (
        result.stderr
    )
