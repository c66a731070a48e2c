"""The POA&M exports: the FedRAMP columns as CSV and the OSCAL POA&M, validated by trestle."""

from __future__ import annotations

import copy
import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import trestle.core.validator_factory as trestle_validators
import yaml
from click.testing import Result
from trestle.common import const as trestle_const
from trestle.oscal.common import RiskStatusValidValues
from trestle.oscal.poam import PlanOfActionAndMilestones

from ctrlmap.assessment.pipeline import assess
from ctrlmap.errors import CtrlmapError
from ctrlmap.formats import render
from ctrlmap.formats.poam import POAM_COLUMNS
from ctrlmap.load.library import Library
from ctrlmap.models import Profile
from ctrlmap.present.exports import ExportInput, build_export, check_export
from ctrlmap.present.poam import RISK_RATINGS, poam_rows, weakness_subject
from tests.builders import profile
from tests.conftest import EXAMPLES

AS_OF = dt.date(2026, 12, 1)
SHIPPED = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
FEDRAMP_HEADER = (
    "POAM ID,Controls,Weakness Name,Weakness Description,Weakness Detector Source,"
    "Weakness Source Identifier,Asset Identifier,Point of Contact,Resources Required,"
    "Overall Remediation Plan,Original Detection Date,Scheduled Completion Date,"
    "Planned Milestones,Milestone Changes,Status Date,Vendor Dependency,"
    "Last Vendor Check-in Date,Vendor Dependent Product Name,Original Risk Rating,"
    "Adjusted Risk Rating,Risk Adjustment,False Positive,Operational Requirement,"
    "Deviation Rationale,Supporting Documents,Comments"
)

ACCEPTED = "GAP-K37XNY"  # single-point-of-failure: Dana Ortiz
LAPSED = "GAP-8412DY"  # after-hours-gap: incident-response
PLANNED = "GAP-QHHBQ2"  # missing-handoff: the clinic and Harbor Managed IT
DONE = "GAP-Y6QAGQ"  # shared-without-split: endpoint-management
TRACKING: dict[str, Any] = {
    "accepted_risks": [
        {
            "finding": ACCEPTED,
            "reason": "Single IT coordinator accepted until the 2027 hire; Harbor covers urgent work",
            "approved_by": "sam",
            "approved": "2026-10-01",
            "expires": "2027-04-01",
        },
        {
            "finding": LAPSED,
            "reason": "On-call rota starts in the spring",
            "approved_by": "sam",
            "approved": "2026-01-05",
            "expires": "2026-06-01",
        },
    ],
    "remediation": [
        {
            "finding": PLANNED,
            "owner": "harbor",
            "due": "2026-11-15",
            "status": "in-progress",
            "detected": "2026-09-01",
            "milestones": [
                {"date": "2026-11-01", "text": "Sign SOW 3 with the hand-off clauses"},
                {"date": "2026-10-15", "text": "Draft the hand-off clauses"},
            ],
            "note": "Tracked in ticket 4411",
        },
        {"finding": DONE, "status": "done"},
    ],
}


def clinic_data() -> dict[str, Any]:
    """The shipped clinic with accepted risks and a remediation plan."""
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "clinic.yaml").read_text())
    data.update(copy.deepcopy(TRACKING))
    return data


@pytest.fixture(scope="module")
def tracked(lib: Library) -> ExportInput:
    """The export input of the clinic with an accepted, a lapsed, a planned and a done finding."""
    return build_export(assess(profile(lib, clinic_data()), lib, as_of=AS_OF))


@pytest.fixture(scope="module")
def shipped(lib: Library, load_example: Callable[[str], Profile]) -> dict[str, ExportInput]:
    """The export input of every shipped example."""
    return {stem: build_export(assess(load_example(stem), lib, as_of=AS_OF)) for stem in SHIPPED}


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def by_id(text: str) -> dict[str, dict[str, str]]:
    return {r["POAM ID"]: r for r in rows_of(text)}


def poam_document(text: str) -> dict[str, Any]:
    """The OSCAL POA&M, validated by compliance-trestle's model and its own checks."""
    data = json.loads(text)
    assert list(data) == ["plan-of-action-and-milestones"]
    doc: dict[str, Any] = data["plan-of-action-and-milestones"]
    model = PlanOfActionAndMilestones.model_validate(doc)
    everything = trestle_validators.validator_factory.get(
        dataclasses.make_dataclass("Args", [("mode", str)])(trestle_const.VAL_MODE_ALL)
    )
    assert everything.model_is_valid(model, True, None), everything.error_msg()
    # Nothing was dropped or coerced on the way in: trestle writes back exactly what we wrote.
    assert json.loads(model.oscal_serialize_json())["plan-of-action-and-milestones"] == doc
    return doc


def references_resolve(doc: dict[str, Any]) -> None:
    """Every uuid a POA&M item, risk, finding or observation points at is defined in it."""
    observations = {o["uuid"] for o in doc["observations"]}
    risks = {r["uuid"] for r in doc["risks"]}
    findings = {f["uuid"] for f in doc.get("findings", ())}
    components = {c["uuid"] for c in doc["local-definitions"]["components"]}
    parties = {p["uuid"] for p in doc["metadata"]["parties"]}
    roles = {r["id"] for r in doc["metadata"]["roles"]}
    for item in doc["poam-items"]:
        assert {f["finding-uuid"] for f in item.get("related-findings", ())} <= findings
        assert {o["observation-uuid"] for o in item["related-observations"]} <= observations
        assert {r["risk-uuid"] for r in item["related-risks"]} <= risks
    for finding in doc.get("findings", ()):
        assert {o["observation-uuid"] for o in finding["related-observations"]} <= observations
        assert {r["risk-uuid"] for r in finding["related-risks"]} <= risks
    for observation in doc["observations"]:
        assert {s["subject-uuid"] for s in observation.get("subjects", ())} <= components
        for origin in observation["origins"]:
            assert {a["actor-uuid"] for a in origin["actors"]} <= components
    for risk in doc["risks"]:
        assert {o["observation-uuid"] for o in risk["related-observations"]} <= observations
        for entry in risk.get("risk-log", {}).get("entries", ()):
            assert {e["party-uuid"] for e in entry.get("logged-by", ())} <= parties
            assert {e["role-id"] for e in entry.get("logged-by", ())} <= roles
        for response in risk["remediations"]:
            for task in response.get("tasks", ()):
                for role in task.get("responsible-roles", ()):
                    assert role["role-id"] in roles and set(role["party-uuids"]) <= parties


def prop(element: dict[str, Any], name: str) -> list[str]:
    return [p["value"] for p in element.get("props", ()) if p["name"] == name]


def item_of(doc: dict[str, Any], kind: str, finding: str) -> dict[str, Any]:
    """The observation, risk or POA&M item of one finding id."""
    return next(e for e in doc[kind] if prop(e, "finding-id") == [finding])


# --- poam-csv ------------------------------------------------------------------------------------


def test_the_header_is_the_fedramp_columns_in_order(tracked: ExportInput) -> None:
    text = render("export", "poam-csv", tracked)
    assert text.splitlines()[0] == FEDRAMP_HEADER
    assert ",".join(POAM_COLUMNS) == FEDRAMP_HEADER and len(POAM_COLUMNS) == 26


@pytest.mark.parametrize("stem", SHIPPED)
def test_one_row_per_current_finding_in_the_gap_lists_order(
    shipped: dict[str, ExportInput], stem: str
) -> None:
    data = shipped[stem]
    rows = rows_of(render("export", "poam-csv", data))
    assert [r["POAM ID"] for r in rows] == [g.id for g in data.gaps]
    for row, gap in zip(rows, data.gaps, strict=True):
        assert row["Controls"] == "; ".join(gap.controls)
        assert row["Weakness Description"] == gap.message
        assert row["Weakness Source Identifier"] == gap.rule
        assert row["Weakness Name"].startswith(f"{gap.rule}: ")
        assert (
            row["Weakness Detector Source"]
            == f"ctrlmap {data.tool_version} accountability analysis"
        )
        assert row["Original Risk Rating"] == RISK_RATINGS[gap.severity]
        assert f"ctrlmap severity: {gap.severity} (score {gap.score})" in row["Comments"]
        assert f"Citation: {gap.citation}" in row["Comments"]
        assert row["Status Date"] == "2026-12-01"
        assert gap.first_seen is not None
        assert row["Original Detection Date"] == gap.first_seen.isoformat()
        # no baseline: first seen today, unless the plan or an acceptance dates it earlier
        assert gap.first_seen_basis in ("detected", "accepted") or gap.first_seen == AS_OF
        assert row["False Positive"] == "No"
        # ctrlmap holds no fact for these: they stay empty rather than guessed
        for column in ("Resources Required", "Milestone Changes", "Adjusted Risk Rating"):
            assert row[column] == ""
        assert row["Risk Adjustment"] == ""


def test_an_accepted_finding_carries_its_deviation_rationale(tracked: ExportInput) -> None:
    row = by_id(render("export", "poam-csv", tracked))[ACCEPTED]
    assert row["Operational Requirement"] == "Yes"
    assert row["Deviation Rationale"] == (
        "Risk accepted by Sam Lee on 2026-10-01 until 2027-04-01: Single IT coordinator "
        "accepted until the 2027 hire; Harbor covers urgent work"
    )
    # an accepted risk has no deadline unless the plan sets one
    assert row["Scheduled Completion Date"] == ""
    assert row["Weakness Name"] == "single-point-of-failure: Dana Ortiz"
    assert row["Supporting Documents"] == "Encryption decision memo (reviewed 2026-04-02)"


def test_a_lapsed_acceptance_is_an_open_item_that_says_so(tracked: ExportInput) -> None:
    row = by_id(render("export", "poam-csv", tracked))[LAPSED]
    assert row["Operational Requirement"] == "No" and row["Deviation Rationale"] == ""
    assert "Acceptance lapsed on 2026-06-01" in row["Comments"]
    # known since the acceptance was approved; its 180 days ran from the lapse: overdue now
    assert row["Original Detection Date"] == "2026-01-05"
    assert "Original detection date: the day its risk acceptance was approved" in row["Comments"]
    assert row["Scheduled Completion Date"] == "2026-11-28"
    assert (
        "Scheduled completion from the remediation policy for its severity: 180 days from "
        "2026-06-01 (the day its acceptance lapsed)"
    ) in row["Comments"]
    assert "Overdue" in row["Comments"].splitlines()


def test_a_provider_finding_is_a_vendor_dependency_with_its_plan(tracked: ExportInput) -> None:
    rows = by_id(render("export", "poam-csv", tracked))
    row = rows[PLANNED]
    assert row["Vendor Dependency"] == "Yes"
    assert row["Vendor Dependent Product Name"] == "Harbor Managed IT"
    assert row["Last Vendor Check-in Date"] == "2026-02-01"
    assert row["Asset Identifier"] == "Riverside Family Clinic; Harbor Managed IT"
    assert row["Point of Contact"] == "Harbor Managed IT"
    assert row["Original Detection Date"] == "2026-09-01"
    assert row["Scheduled Completion Date"] == "2026-11-15"
    assert row["Planned Milestones"] == (
        "2026-10-15: Draft the hand-off clauses\n2026-11-01: Sign SOW 3 with the hand-off clauses"
    )
    assert row["Overall Remediation Plan"].endswith(" Plan note: Tracked in ticket 4411")
    assert "Overdue" in row["Comments"].splitlines()
    assert "Scheduled completion from the remediation policy" not in row["Comments"]
    internal = rows[LAPSED]
    assert internal["Vendor Dependency"] == "No"
    assert internal["Vendor Dependent Product Name"] == internal["Last Vendor Check-in Date"] == ""
    assert internal["Asset Identifier"] == "Riverside Family Clinic"
    assert internal["Point of Contact"] == "Sam Lee"


def test_a_finding_marked_done_but_still_found_says_so(tracked: ExportInput) -> None:
    row = by_id(render("export", "poam-csv", tracked))[DONE]
    assert "Marked done, still present" in row["Comments"].splitlines()


def test_several_providers_each_get_their_check_in_date(shipped: dict[str, ExportInput]) -> None:
    data = shipped["credit-union"]
    providers = {p.id: p for p in data.profile.providers}
    rows = by_id(render("export", "poam-csv", data))
    both = next(g for g in data.gaps if len([p for p in g.parties if p in providers]) == 2)
    row = rows[both.id]
    names = [providers[p].name for p in both.parties]
    assert row["Vendor Dependent Product Name"] == "; ".join(names)
    assert row["Last Vendor Check-in Date"] == "; ".join(
        f"{providers[p].name}: {providers[p].last_reviewed}"
        for p in both.parties
        if providers[p].last_reviewed
    )


def test_a_provider_never_reviewed_leaves_the_check_in_date_empty(lib: Library) -> None:
    data = clinic_data()
    del data["providers"][0]["last_reviewed"]
    rows = rows_of(
        render("export", "poam-csv", build_export(assess(profile(lib, data), lib, as_of=AS_OF)))
    )
    harbor = [r for r in rows if r["Vendor Dependency"] == "Yes"]
    assert harbor and all(r["Last Vendor Check-in Date"] == "" for r in harbor)


def test_a_critical_finding_is_high_on_fedramps_scale(lib: Library) -> None:
    data = build_export(assess(profile(lib), lib, as_of=AS_OF))
    rows = by_id(render("export", "poam-csv", data))
    critical = next(g for g in data.gaps if g.severity == "critical")
    assert rows[critical.id]["Original Risk Rating"] == "High"
    assert "ctrlmap severity: critical" in rows[critical.id]["Comments"]
    assert RISK_RATINGS == {"critical": "High", "high": "High", "medium": "Moderate", "low": "Low"}


def test_the_weakness_name_says_what_the_finding_is_about(
    shipped: dict[str, ExportInput],
) -> None:
    names = {
        stem: {item.gap.id: item.weakness_name for item in poam_rows(data)}
        for stem, data in shipped.items()
    }
    assert "designation-missing: supervising-lawyer" in names["law-firm"].values()
    clinic = names["clinic"]
    assert clinic["GAP-8412DY"] == "after-hours-gap: incident-response"
    assert clinic["GAP-QHHBQ2"] == "missing-handoff: Riverside Family Clinic, Harbor Managed IT"
    assert clinic["GAP-D4HGW5"] == "missing-evidence: HIPAA Breach Notification Rule"
    assert "provider-oversight-overdue: LedgerGuard" in " ".join(names["cpa-firm"].values())
    data = shipped["clinic"]
    gap = data.gaps[0].model_copy(update={"rule": "crosswalk-conflict", "subcategory": "GV.OC-01"})
    assert weakness_subject(data, gap) == "GV.OC-01"


def test_every_rule_names_its_weakness_by_what_its_id_is_computed_from(
    shipped: dict[str, ExportInput],
) -> None:
    from ctrlmap.assessment.gaps.registry import RULE_IDS
    from ctrlmap.present.poam import SUBJECTS

    assert set(SUBJECTS) == set(RULE_IDS)
    for data in shipped.values():
        names = {p.id: data.profile.name_of(p.id) for p in data.profile.internal}
        for item in poam_rows(data):
            gap = item.gap
            subject = item.weakness_name.removeprefix(f"{gap.rule}: ")
            kind = SUBJECTS[gap.rule]
            if kind == "people":  # a single point of failure is a person, however many functions
                assert subject == ", ".join(names[p] for p in gap.people), item.weakness_name
            elif kind == "functions":
                assert subject.startswith(gap.functions[0]), item.weakness_name
            elif kind == "framework":
                assert subject == ", ".join(
                    dict.fromkeys(
                        next(c.title for c in data.catalogs if c.id == k.partition(":")[0])
                        for k in gap.controls
                    )
                ), item.weakness_name
    dental = {item.gap.id: item.weakness_name for item in poam_rows(shipped["dental-group"])}
    assert dental["GAP-3805H3"] == "single-point-of-failure: Lee Brooks"
    assert dental["GAP-NCBMVM"] == (
        "self-assessment: Payment Card Industry Data Security Standard (PCI DSS)"
    )


def test_no_cell_runs_as_a_formula_and_there_is_no_byte_order_mark(
    lib: Library, invoke: Callable[..., Result], tmp_path: Path
) -> None:
    data = clinic_data()
    data["providers"][0]["name"] = '\n=HYPERLINK("http://x")'
    data["organization"]["name"] = "@SUM(A1)"
    data["remediation"][0]["note"] = "=1+1"
    path = tmp_path / "evil.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "poam.csv"
    result = invoke(
        "export", str(path), "--format", "poam-csv", "--as-of", "2026-12-01", "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert cell.lstrip()[:1] not in ("=", "+", "-", "@"), cell
            assert cell[:1] not in ("\t", "\r", "\n"), cell
    planned = by_id(text)[PLANNED]
    # the profile strips the name's leading line break; the quote keeps the rest inert
    assert planned["Vendor Dependent Product Name"] == '\'=HYPERLINK("http://x")'
    assert planned["Asset Identifier"].startswith("'@SUM(A1); ")


# --- oscal-poam ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stem", ["clinic", "cpa-firm", "dental-group", "law-firm", "investment-adviser"]
)
def test_oscal_poam_validates_with_trestle_on_the_shipped_examples(
    shipped: dict[str, ExportInput], stem: str
) -> None:
    data = shipped[stem]
    doc = poam_document(render("export", "oscal-poam", data))
    references_resolve(doc)
    assert doc["metadata"]["last-modified"] == "2026-12-01T00:00:00+00:00"
    assert doc["metadata"]["oscal-version"].startswith("1.1.")
    assert "import-ssp" not in doc and doc["system-id"]["identifier-type"] == (
        "https://ietf.org/rfc/rfc4122"
    )
    ids = [g.id for g in data.gaps]
    for kind in ("observations", "risks", "poam-items"):
        assert [prop(e, "finding-id")[0] for e in doc[kind]] == ids
    pairs = [(prop(f, "finding-id")[0], prop(f, "control")[0]) for f in doc["findings"]]
    assert pairs == [(g.id, key) for g in data.gaps for key in g.controls]
    assert {f["target"]["status"]["state"] for f in doc["findings"]} == {"not-satisfied"}
    assert {o["methods"][0] for o in doc["observations"]} == {"EXAMINE"}
    for gap, risk in zip(data.gaps, doc["risks"], strict=True):
        expected = (
            "deviation-approved"
            if gap.status == "accepted"
            else "remediating"
            if gap.progress == "in-progress"
            else "open"
        )
        assert risk["status"] == expected and risk["statement"] == gap.remediation
        assert prop(risk, "severity") == [gap.severity]
        assert risk.get("deadline") == (f"{gap.due}T00:00:00+00:00" if gap.due else None)


def test_oscal_poam_carries_acceptance_plan_and_milestones(tracked: ExportInput) -> None:
    doc = poam_document(render("export", "oscal-poam", tracked))
    references_resolve(doc)
    allowed = {v.value for v in RiskStatusValidValues}
    assert {r["status"] for r in doc["risks"]} <= allowed

    accepted = item_of(doc, "risks", ACCEPTED)
    assert accepted["status"] == "deviation-approved" and "deadline" not in accepted
    (entry,) = accepted["risk-log"]["entries"]
    assert entry["status-change"] == "deviation-approved"
    assert entry["start"] == "2026-10-01T00:00:00+00:00"
    assert entry["end"] == "2027-04-01T00:00:00+00:00"
    assert "Single IT coordinator" in entry["description"]
    sam = next(p["uuid"] for p in doc["metadata"]["parties"] if p["name"] == "Sam Lee")
    assert entry["logged-by"] == [{"party-uuid": sam, "role-id": "risk-approver"}]

    planned = item_of(doc, "risks", PLANNED)
    assert planned["status"] == "remediating"
    assert planned["deadline"] == "2026-11-15T00:00:00+00:00"
    assert prop(planned, "owner") == ["harbor"] and prop(planned, "overdue") == ["true"]
    recommendation, plan = planned["remediations"]
    assert recommendation["lifecycle"] == "recommendation"
    assert plan["lifecycle"] == "planned" and "Tracked in ticket 4411" in plan["description"]
    assert [(t["title"], t["timing"]["on-date"]["date"]) for t in plan["tasks"]] == [
        ("Draft the hand-off clauses", "2026-10-15T00:00:00+00:00"),
        ("Sign SOW 3 with the hand-off clauses", "2026-11-01T00:00:00+00:00"),
    ]
    harbor = next(p["uuid"] for p in doc["metadata"]["parties"] if p["name"] == "Harbor Managed IT")
    assert plan["tasks"][0]["responsible-roles"] == [
        {"role-id": "remediation-owner", "party-uuids": [harbor]}
    ]

    done = item_of(doc, "risks", DONE)
    assert done["status"] == "open" and done["remediations"][1]["lifecycle"] == "completed"
    assert "tasks" not in done["remediations"][1]
    lapsed = item_of(doc, "risks", LAPSED)
    assert lapsed["status"] == "open" and prop(lapsed, "acceptance-lapsed") == ["2026-06-01"]
    accepted_then, lapse = lapsed["risk-log"]["entries"]
    assert (accepted_then["status-change"], accepted_then["start"], accepted_then["end"]) == (
        "deviation-approved",
        "2026-01-05T00:00:00+00:00",
        "2026-06-01T00:00:00+00:00",
    )
    assert accepted_then["logged-by"] == [{"party-uuid": sam, "role-id": "risk-approver"}]
    assert (lapse["title"], lapse["start"], lapse["status-change"]) == (
        "Risk acceptance lapsed",
        "2026-06-01T00:00:00+00:00",
        "open",
    )
    assert "expired on 2026-06-01" in lapse["description"]
    assert "acceptance lapsed on 2026-06-01" in item_of(doc, "poam-items", LAPSED)["remarks"]
    assert item_of(doc, "poam-items", ACCEPTED)["remarks"].startswith("accepted by Sam Lee")

    evidence = item_of(doc, "observations", ACCEPTED)["relevant-evidence"]
    assert evidence == [
        {"description": "Encryption decision memo", "remarks": "Reviewed 2026-04-02."}
    ]


def test_oscal_poam_links_http_evidence_and_names_one_line_titles(lib: Library) -> None:
    data = clinic_data()
    data["providers"][0]["name"] = "Harbor\nManaged IT"
    data["evidence"][0]["reference"] = "https://docs.example/ra-2026.pdf"
    doc = poam_document(
        render("export", "oscal-poam", build_export(assess(profile(lib, data), lib, as_of=AS_OF)))
    )
    components = {c["title"] for c in doc["local-definitions"]["components"]}
    assert "Harbor Managed IT" in components
    linked = [
        e
        for o in doc["observations"]
        for e in o.get("relevant-evidence", ())
        if e.get("href") == "https://docs.example/ra-2026.pdf"
    ]
    assert linked


def test_oscal_poam_is_deterministic_and_keeps_uuids_across_dates(
    lib: Library, tracked: ExportInput
) -> None:
    again = build_export(assess(profile(lib, clinic_data()), lib, as_of=AS_OF))
    for fmt in ("poam-csv", "oscal-poam"):
        assert render("export", fmt, again) == render("export", fmt, tracked)
    today = poam_document(render("export", "oscal-poam", tracked))
    later = poam_document(
        render(
            "export",
            "oscal-poam",
            build_export(assess(profile(lib, clinic_data()), lib, as_of=dt.date(2027, 1, 4))),
        )
    )
    assert today["uuid"] != later["uuid"]
    assert [i["uuid"] for i in today["poam-items"]] == [i["uuid"] for i in later["poam-items"]]
    assert [r["uuid"] for r in today["risks"]] == [r["uuid"] for r in later["risks"]]


def test_a_profile_without_findings_has_no_oscal_poam(tracked: ExportInput) -> None:
    empty = tracked.model_copy(update={"gaps": ()})
    with pytest.raises(CtrlmapError, match="needs at least one poam-item"):
        check_export("oscal-poam", empty)
    with pytest.raises(CtrlmapError, match="needs at least one poam-item"):
        render("export", "oscal-poam", empty)
    assert render("export", "poam-csv", empty) == FEDRAMP_HEADER + "\n"


def test_a_finding_without_controls_has_no_oscal_finding(tracked: ExportInput) -> None:
    bare = tracked.model_copy(
        update={"gaps": tuple(g.model_copy(update={"controls": ()}) for g in tracked.gaps[:2])}
    )
    doc = poam_document(render("export", "oscal-poam", bare))
    assert "findings" not in doc
    assert all("related-findings" not in i for i in doc["poam-items"])


# --- the command line ----------------------------------------------------------------------------


def test_the_cli_writes_both_poam_formats(invoke: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_text(yaml.safe_dump(clinic_data()), encoding="utf-8")
    result = invoke("export", str(path), "--format", "poam-csv", "--as-of", "2026-12-01")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == FEDRAMP_HEADER
    assert result.stderr == ""
    target = tmp_path / "clinic.poam.json"
    result = invoke(
        "export", str(path), "--format", "oscal-poam", "--as-of", "2026-12-01", "-o", str(target)
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    doc = poam_document(target.read_text(encoding="utf-8"))
    assert item_of(doc, "risks", ACCEPTED)["status"] == "deviation-approved"
    help_text = invoke("export", "--help").stdout
    assert "poam-csv" in help_text and "oscal-poam" in help_text


def test_poam_csv_matches_its_golden_file(
    tracked: ExportInput, golden: Callable[[str, str], None]
) -> None:
    # the layout is pinned, not the version: a release does not rewrite the golden file
    pinned = tracked.model_copy(update={"tool_version": "0.0.0+golden"})
    golden("clinic-poam.csv", render("export", "poam-csv", pinned))
