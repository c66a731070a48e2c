"""The gap rules: each fires when it should and stays quiet otherwise; metamorphic pairs; severity."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import Result

from ctrlmap.assessment.assign import assign_owners
from ctrlmap.assessment.gaps import GapsResult, summary_line
from ctrlmap.assessment.gaps.dependencies import at_risk_dependency
from ctrlmap.assessment.gaps.registry import RULES, Finding, RuleId, finding_id
from ctrlmap.assessment.pipeline import assess
from ctrlmap.assessment.severity import HEAVY, severity
from ctrlmap.load.library import Library
from ctrlmap.models import Profile
from ctrlmap.models.base import Severity
from ctrlmap.models.results import Gap
from tests.builders import BASE, profile
from tests.conftest import EXAMPLES

AS_OF = dt.date(2026, 11, 28)


def gaps(
    lib: Library, loaded: Profile, model: str | None = None, as_of: dt.date = AS_OF
) -> GapsResult:
    return assess(loaded, lib, model, as_of).gaps


def of(result: GapsResult, rule: str) -> list[Gap]:
    return [g for g in result.gaps if g.rule == rule]


def keyed(result: GapsResult, rule: str) -> set[tuple[Any, ...]]:
    return {(g.parties, g.functions, g.roles, g.controls) for g in of(result, rule)}


def test_every_rule_has_a_docstring_and_the_design_ids() -> None:
    assert set(RULES) == {
        "unowned",
        "no-single-accountable",
        "shared-without-split",
        "non-delegable-accountability",
        "designation-missing",
        "outsourced-designation-without-overseer",
        "provider-not-contracted",
        "provider-agreement-missing",
        "provider-oversight-overdue",
        "no-internal-capability",
        "missing-handoff",
        "after-hours-gap",
        "on-site-gap",
        "single-point-of-failure",
        "self-assessment",
        "crosswalk-conflict",
        "notification-after-hours",
        "missing-evidence",
        "stale-evidence",
        "at-risk-dependency",
    }
    assert all(info.summary for info in RULES.values())


# --- each rule, firing and not ------------------------------------------------------------------


def test_unowned(lib: Library) -> None:
    two = [
        {"id": "a", "name": "A", "functions": ["security-monitoring"]},
        {"id": "b", "name": "B", "functions": ["help-desk"]},
    ]
    fired = gaps(lib, profile(lib, providers=two))
    (finding,) = [
        g for g in of(fired, "unowned") if "hipaa-security:164.308(a)(7)(ii)(A)" in g.controls
    ]
    assert "backup and recovery" in finding.message
    contracted = [
        {
            **two[0],
            "functions": [
                "security-monitoring",
                "backup-recovery",
                "patch-management",
                "vulnerability-management",
                "endpoint-management",
                "data-protection",
                "risk-assessment",
                "incident-response",
                "help-desk",
            ],
        },
        two[1],
    ]
    assert not of(gaps(lib, profile(lib, providers=contracted)), "unowned")


def test_no_single_accountable(lib: Library) -> None:
    nobody = profile(lib, internal=[{"id": "ann", "name": "Ann", "functions": ["help-desk"]}])
    assert of(gaps(lib, nobody), "no-single-accountable")
    assert not of(gaps(lib, profile(lib)), "no-single-accountable")


def test_shared_without_split_and_documenting_the_split_removes_it(lib: Library) -> None:
    before = gaps(lib, profile(lib))
    assert "incident-response" in {
        f for g in of(before, "shared-without-split") for f in g.functions
    }
    split = {
        "function": "incident-response",
        "internal_part": "Decide and notify",
        "provider_part": "Contain",
    }
    after = gaps(lib, profile(lib, splits=[split]))
    assert keyed(before, "shared-without-split") - keyed(after, "shared-without-split") == {
        g for g in keyed(before, "shared-without-split") if g[1] == ("incident-response",)
    }
    assert len(of(after, "shared-without-split")) == len(of(before, "shared-without-split")) - 1


def test_making_a_provider_accountable_for_a_non_delegable_control_adds_exactly_one_finding(
    lib: Library,
) -> None:
    before = gaps(lib, profile(lib))
    assert not of(before, "non-delegable-accountability")
    override = {
        "control": "hipaa-security:164.308(a)(2)",
        "accountable": "msp",
        "reason": "The vCISO answers for it",
    }
    after = gaps(lib, profile(lib, overrides=[override]))
    (finding,) = of(after, "non-delegable-accountability")
    assert finding.controls == ("hipaa-security:164.308(a)(2)",) and finding.parties == ("msp",)
    assert "160.402" in finding.citation or "164.308(a)(2)" in finding.citation


def test_designation_missing(lib: Library) -> None:
    assert [g.roles for g in of(gaps(lib, profile(lib)), "designation-missing")] == [
        ("security-official",)
    ]
    named = profile(lib, designations={"security-official": {"holder": "ann"}})
    assert not of(gaps(lib, named), "designation-missing")
    base = {**BASE, "frameworks": ["aba-model-rules"]}
    provider_lawyer = profile(lib, base, designations={"supervising-lawyer": {"holder": "msp"}})
    (finding,) = of(gaps(lib, provider_lawyer), "designation-missing")
    assert "lawyers" in finding.message and finding.parties == ("msp",)


def test_naming_an_overseer_removes_outsourced_designation_without_overseer(lib: Library) -> None:
    base = {**BASE, "frameworks": ["glba-safeguards"]}
    alone = gaps(lib, profile(lib, base, designations={"qualified-individual": {"holder": "msp"}}))
    (finding,) = of(alone, "outsourced-designation-without-overseer")
    assert "glba-safeguards:314.4(a)(2)" in finding.controls
    overseen = gaps(
        lib,
        profile(
            lib, base, designations={"qualified-individual": {"holder": "msp", "overseer": "ann"}}
        ),
    )
    assert not of(overseen, "outsourced-designation-without-overseer")
    hipaa = gaps(lib, profile(lib, designations={"security-official": {"holder": "msp"}}))
    assert not of(
        hipaa, "outsourced-designation-without-overseer"
    )  # recommended, not required, for HIPAA


def test_contracting_the_function_removes_that_provider_not_contracted(lib: Library) -> None:
    before = gaps(lib, profile(lib))
    assert ("msp", "backup-recovery") in {
        (g.parties[0], g.functions[0]) for g in of(before, "provider-not-contracted")
    }
    provider = {**BASE["providers"][0], "functions": ["security-monitoring", "backup-recovery"]}
    after = gaps(lib, profile(lib, providers=[provider]))
    removed = keyed(before, "provider-not-contracted") - keyed(after, "provider-not-contracted")
    assert [r[1] for r in removed] == [("backup-recovery",)]
    assert keyed(after, "provider-not-contracted") < keyed(before, "provider-not-contracted")


def test_provider_agreement_missing(lib: Library) -> None:
    no_baa = {**BASE["providers"][0], "baa": False}
    (finding,) = of(gaps(lib, profile(lib, providers=[no_baa])), "provider-agreement-missing")
    assert "business associate agreement" in finding.message
    assert not of(gaps(lib, profile(lib)), "provider-agreement-missing")
    pci = {**BASE, "frameworks": ["pci-dss-4"]}
    (finding,) = of(gaps(lib, profile(lib, pci)), "provider-agreement-missing")
    assert "12.8.2" in finding.citation


def test_provider_oversight_overdue(lib: Library) -> None:
    base = {**BASE, "frameworks": ["glba-safeguards"]}
    recent = gaps(lib, profile(lib, base), as_of=dt.date(2026, 12, 1))
    assert not of(recent, "provider-oversight-overdue")
    late = gaps(lib, profile(lib, base), as_of=dt.date(2027, 6, 3))
    (finding,) = of(late, "provider-oversight-overdue")
    assert "glba-safeguards:314.4(f)(3)" in finding.controls and "367 days ago" in finding.message
    never = {**BASE["providers"][0]}
    never.pop("last_reviewed")
    assert of(gaps(lib, profile(lib, base, providers=[never])), "provider-oversight-overdue")


def test_no_internal_capability(lib: Library) -> None:
    fired = gaps(lib, profile(lib))
    assert "physical-security" in {g.functions[0] for g in of(fired, "no-internal-capability")}
    everyone = [{"id": "ann", "name": "Ann", "functions": sorted(lib.functions)}]
    assert not of(gaps(lib, profile(lib, internal=everyone)), "no-internal-capability")


def test_adding_the_matching_handoff_removes_exactly_that_missing_handoff(lib: Library) -> None:
    def directions(result: GapsResult) -> set[tuple[str, str]]:
        return {(n.from_, n.to) for g in of(result, "missing-handoff") for n in g.handoffs}

    before = gaps(lib, profile(lib))
    # one finding for the pair of parties, listing both directions
    assert [g.parties for g in of(before, "missing-handoff")] == [("internal", "msp")]
    assert directions(before) == {("msp", "internal"), ("internal", "msp")}
    forward = gaps(
        lib, profile(lib, handoffs=[{"from": "msp", "to": "internal", "agreement": "SOW 5"}])
    )
    assert directions(forward) == {("internal", "msp")}
    reversed_ = gaps(
        lib, profile(lib, handoffs=[{"from": "internal", "to": "msp", "agreement": "SOW 5"}])
    )
    assert directions(reversed_) == {("msp", "internal")}


def test_a_handoff_limited_to_functions_covers_only_those_edges(lib: Library) -> None:
    before = of(gaps(lib, profile(lib)), "missing-handoff")
    narrow = {
        "from": "msp",
        "to": "internal",
        "from_function": "security-monitoring",
        "to_function": "incident-response",
        "agreement": "SOW 5",
    }
    after = of(gaps(lib, profile(lib, handoffs=[narrow])), "missing-handoff")
    count = {(n.from_, n.to): n.dependencies for g in before for n in g.handoffs}
    remaining = {(n.from_, n.to): n.dependencies for g in after for n in g.handoffs}
    assert remaining[("internal", "msp")] == count[("internal", "msp")]
    assert remaining.get(("msp", "internal"), 0) < count[("msp", "internal")]


def test_after_hours_gap(lib: Library) -> None:
    fired = gaps(lib, profile(lib))
    assert ("internal", "incident-response") in {
        (g.parties[0], g.functions[0]) for g in of(fired, "after-hours-gap")
    }
    covered = [
        {
            "id": "ann",
            "name": "Ann",
            "functions": ["governance", "incident-response"],
            "after_hours": True,
        }
    ]
    assert not [
        g
        for g in of(gaps(lib, profile(lib, internal=covered)), "after-hours-gap")
        if g.parties == ("internal",)
    ]
    night_off = {**BASE["providers"][0], "after_hours": False}
    assert ("msp", "security-monitoring") in {
        (g.parties[0], g.functions[0])
        for g in of(gaps(lib, profile(lib, providers=[night_off])), "after-hours-gap")
    }


def test_on_site_gap(lib: Library) -> None:
    remote = profile(lib, model="fully-managed")
    assert [g.functions for g in of(gaps(lib, remote), "on-site-gap")] == [("on-site-support",)]
    on_site = profile(
        lib, model="fully-managed", providers=[{**BASE["providers"][0], "on_site": True}]
    )
    assert not of(gaps(lib, on_site), "on-site-gap")


def test_declaring_a_backup_removes_that_single_point_of_failure(lib: Library) -> None:
    before = of(gaps(lib, profile(lib)), "single-point-of-failure")
    assert [g.people for g in before] == [("ann",)]
    with_backup = [{**BASE["internal"][0], "backup": "msp"}]
    assert not of(gaps(lib, profile(lib, internal=with_backup)), "single-point-of-failure")
    second = [
        BASE["internal"][0],
        {"id": "bo", "name": "Bo", "functions": ["network-administration"]},
    ]
    after = of(gaps(lib, profile(lib, internal=second)), "single-point-of-failure")
    assert "network-administration" not in {f for g in after for f in g.functions}


def test_an_independent_assessor_removes_that_self_assessment(lib: Library) -> None:
    base = {**BASE, "frameworks": ["pci-dss-4"]}
    before = of(gaps(lib, profile(lib, base)), "self-assessment")
    assert "internal" in {p for g in before for p in g.parties}
    assessor = {
        "id": "audit",
        "name": "Audit Co",
        "functions": ["independent-assessment"],
        "independent": True,
        "pci_acknowledgement": True,
    }
    after = of(
        gaps(lib, profile(lib, base, providers=[*BASE["providers"], assessor])), "self-assessment"
    )
    assert not after


def test_crosswalk_conflict(lib: Library) -> None:
    base = {**BASE, "frameworks": ["hipaa-security", "nydfs-500"]}
    quiet = gaps(lib, profile(lib, base))
    assert not of(quiet, "crosswalk-conflict")
    override = {
        "control": "nydfs-500:500.9",
        "owner": "provider",
        "reason": "The vCISO runs the DFS risk assessment",
    }
    loud = of(gaps(lib, profile(lib, base, overrides=[override])), "crosswalk-conflict")
    assert loud and all("nydfs-500:500.9" in g.controls for g in loud)


def test_missing_and_stale_evidence(lib: Library) -> None:
    fired = gaps(lib, profile(lib))
    (missing,) = of(fired, "missing-evidence")
    assert "hipaa-security:164.308(a)(2)" in missing.controls
    evidence = [
        {
            "control": "hipaa-security:164.308(a)(2)",
            "reference": "Board minute",
            "reviewed": "2026-01-05",
        }
    ]
    fresh = gaps(lib, profile(lib, evidence=evidence))
    assert "hipaa-security:164.308(a)(2)" not in of(fresh, "missing-evidence")[0].controls
    assert not of(fresh, "stale-evidence")
    old = [{**evidence[0], "reviewed": "2024-01-05"}]
    (stale,) = of(gaps(lib, profile(lib, evidence=old)), "stale-evidence")
    assert stale.controls == ("hipaa-security:164.308(a)(2)",)


def test_addressable_evidence_without_a_decision_counts_as_missing(lib: Library) -> None:
    key = "hipaa-security:164.312(a)(2)(iv)"
    plain = [{"control": key, "reference": "Encryption memo", "reviewed": "2026-06-01"}]
    assert key in of(gaps(lib, profile(lib, evidence=plain)), "missing-evidence")[0].controls
    decided = [{**plain[0], "decision": "implemented"}]
    assert key not in of(gaps(lib, profile(lib, evidence=decided)), "missing-evidence")[0].controls


def test_at_risk_dependency_follows_a_blocking_gap_downstream(lib: Library) -> None:
    nobody = profile(
        lib, internal=[{"id": "ann", "name": "Ann", "functions": ["governance"]}], providers=[]
    )
    result = gaps(lib, nobody)
    at_risk = of(result, "at-risk-dependency")
    assert at_risk
    for g in at_risk:
        assert g.chain and g.chain[0] in g.controls
        graph = lib.scope(["hipaa-security"]).graph
        assert all(graph.has_edge(a, b) for a, b in zip(g.chain, g.chain[1:], strict=False))


def root(rule: RuleId, control: str, *key: str, parties: tuple[str, ...] = ()) -> Finding:
    return Finding(
        rule=rule,
        key=key,
        controls=[control],
        message="",
        remediation="",
        citation="",
        parties=list(parties),
        functions=[key[-1]],
    )


def at_risk(lib: Library, *roots: Finding) -> list[Finding]:
    facts = assess(profile(lib), lib, None, AS_OF).facts
    facts.found = {}
    for r in roots:
        facts.found.setdefault(r.rule, []).append(r)
    return list(at_risk_dependency(facts))


BACKUP = "hipaa-security:164.308(a)(7)(ii)(B)"  # disaster recovery
EMERGENCY = "hipaa-security:164.308(a)(7)(ii)(C)"  # emergency mode: the same controls rest on it
BACKUP_PLAN = "hipaa-security:164.308(a)(7)(ii)(A)"  # those and two more rest on the backup plan
EVALUATION = "hipaa-security:164.308(a)(8)"


def test_at_risk_dependency_lists_the_same_dependent_controls_once(lib: Library) -> None:
    contracted = root(
        "provider-not-contracted", BACKUP, "acme", "backup-recovery", parties=("acme",)
    )
    unowned = root("unowned", EMERGENCY, "incident-response")
    (one,) = at_risk(lib, contracted, unowned)
    assert one.controls == sorted(
        {"hipaa-security:164.308(a)(7)(ii)(D)", "hipaa-security:164.310(a)(2)(i)"}
    )
    ids = [finding_id(r.rule, r.key) for r in (unowned, contracted)]
    assert all(i in one.message for i in ids)
    assert f"Resolve findings {ids[0]} and {ids[1]} first;" in one.remediation
    assert one.message.count("depend") == 2 and "on work nobody does (" in one.message
    assert one.parties == ["acme"]
    assert one.functions == ["incident-response", "backup-recovery"]
    assert one.chain[0] == one.controls[0] and one.chain[-1] in {BACKUP, EMERGENCY}
    # the id is the roots' together, whichever rule found them first
    (again,) = at_risk(lib, unowned, contracted)
    assert finding_id(again.rule, again.key) == finding_id(one.rule, one.key)
    assert finding_id(one.rule, one.key) not in {
        finding_id("at-risk-dependency", (r.rule, *r.key)) for r in (unowned, contracted)
    }


def test_at_risk_dependency_keeps_a_single_roots_id_and_different_sets_apart(
    lib: Library,
) -> None:
    backup = root("unowned", BACKUP, "backup-recovery")
    plan = root("unowned", BACKUP_PLAN, "policy-documentation")  # a strict superset: other work
    evaluation = root("no-single-accountable", EVALUATION, "risk-assessment")
    found = at_risk(lib, backup, plan, evaluation)
    assert len(found) == 3
    assert [finding_id(f.rule, f.key) for f in found] == [
        finding_id("at-risk-dependency", (r.rule, *r.key)) for r in (backup, plan, evaluation)
    ]
    assert all(f.remediation.startswith("Resolve finding GAP-") for f in found)
    assert all(f.message.count("finding GAP-") == 1 for f in found)


def test_the_law_firm_lists_its_supervision_consequence_once(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    result = gaps(lib, load_example("law-firm"), as_of=dt.date(2026, 12, 1))
    roots = {g.id for g in of(result, "provider-not-contracted")}
    (one,) = of(result, "at-risk-dependency")
    assert len(roots) == 2 and all(r in one.message and r in one.remediation for r in roots)
    assert set(one.functions) == {"governance", "vendor-management"}


def test_not_applicable_controls_raise_no_gaps(lib: Library) -> None:
    result = gaps(lib, profile(lib, providers=[]))
    assert all("164.308(a)(4)(ii)(A)" not in k for g in result.gaps for k in g.controls)


# --- severity -------------------------------------------------------------------------------------


def finding(rule: RuleId, *keys: str, base: Severity | None = None) -> Finding:
    return Finding(
        rule=rule,
        key=keys,
        controls=list(keys),
        message="",
        remediation="",
        citation="",
        base=base,
    )


def test_severity_follows_exposure_not_breadth(lib: Library) -> None:
    facts = assess(profile(lib), lib, None, AS_OF).facts
    heavy = "hipaa-security:164.308(a)(1)(ii)(A)"  # risk analysis: many controls depend on it
    leaf = "hipaa-security:164.312(a)(2)(iii)"
    assert facts.scope.weight(heavy) >= HEAVY > facts.scope.weight(leaf)
    # a missing business associate agreement is critical on one control or on many
    baa = finding("provider-agreement-missing", leaf, base="critical")
    assert facts.severity(baa)[0] == "critical"
    assert (
        facts.severity(finding("provider-agreement-missing", leaf, heavy, base="critical"))[0]
        == "critical"
    )
    # breadth raises a blocking finding one level ...
    assert facts.severity(finding("no-single-accountable", leaf))[0] == "medium"
    assert facts.severity(finding("no-single-accountable", heavy))[0] == "high"
    # ... but never to critical, and never a finding that is not blocking
    assert facts.severity(finding("unowned", heavy))[0] == "high"
    assert facts.severity(finding("shared-without-split", heavy))[0] == "medium"
    # the same control: non-delegable accountability outranks missing evidence
    assert (
        facts.severity(finding("non-delegable-accountability", leaf))[1]
        > facts.severity(finding("missing-evidence", leaf))[1]
    )


def test_guidance_only_findings_are_lowered_one_level() -> None:
    assert severity("high", [("guidance", 0), ("guidance", 0)], blocking=False) == ("medium", 2)
    assert severity("high", [("guidance", 0), ("required", 0)], blocking=False) == ("high", 3)
    assert severity("low", [("guidance", 0)], blocking=False) == ("low", 1)
    assert severity("medium", [("required", HEAVY)], blocking=True) == ("high", 3)
    assert severity("high", [("required", HEAVY)], blocking=True) == ("high", 3)


@pytest.mark.parametrize("example", ["clinic", "cpa-firm", "law-firm", "mortgage-lender"])
@pytest.mark.parametrize("model", ["co-managed", "fully-managed"])
def test_critical_and_high_stay_a_minority(
    lib: Library, load_example: Callable[[str], Profile], example: str, model: str
) -> None:
    result = gaps(lib, load_example(example), model)
    severe = sum(g.severity in ("critical", "high") for g in result.gaps)
    assert severe < result.summary.total / 2


def test_gaps_are_sorted_by_severity_then_control(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    result = gaps(lib, load_example("mortgage-lender"))
    order = ["critical", "high", "medium", "low"]
    keys = [(order.index(g.severity), g.controls[0]) for g in result.gaps]
    assert keys == sorted(keys)


# --- the examples tell their stories -------------------------------------------------------------


def test_the_clinic_director_has_no_backup(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    result = gaps(lib, load_example("clinic"))
    assert "dana" in {p for g in of(result, "single-point-of-failure") for p in g.people}


def test_the_law_firm_partner_cannot_hand_supervision_to_the_provider(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    result = gaps(lib, load_example("law-firm"))
    assert [g.roles for g in of(result, "designation-missing")] == [("supervising-lawyer",)]
    (nda,) = of(result, "non-delegable-accountability")
    assert nda.controls == ("aba-model-rules:rule-5.3",) and nda.severity == "critical"


def test_the_cpa_firm_oversees_its_outsourced_qualified_individual(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    result = gaps(lib, load_example("cpa-firm"))
    assert not of(result, "outsourced-designation-without-overseer")
    assert of(result, "provider-oversight-overdue")


def test_the_lender_forgot_the_glba_overseer_but_keeps_its_tests_independent(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    loaded = load_example("mortgage-lender")
    result = gaps(lib, loaded)
    assert [g.roles for g in of(result, "outsourced-designation-without-overseer")] == [
        ("qualified-individual",)
    ]
    assert not of(result, "self-assessment")
    pen_test = next(
        a for a in assign_owners(loaded, lib).assignments if a.control == "pci-dss-4:11.4.3"
    )
    assert pen_test.raci and pen_test.raci.responsible == ("ridgeline",)


# --- the command ------------------------------------------------------------------------------------

CLINIC = str(EXAMPLES / "clinic.yaml")


def test_gaps_command_summary_and_exit_codes(invoke: Callable[..., Result]) -> None:
    result = invoke("gaps", CLINIC, "--as-of", "2026-11-28")
    assert result.exit_code == 0
    assert result.stderr.strip().startswith(tuple(f"{n} gaps:" for n in range(1, 100)))
    assert result.stdout.startswith("Riverside Family Clinic: Co-managed IT, as of 2026-11-28")
    # the clinic's worst findings are medium
    assert invoke("gaps", CLINIC, "--as-of", "2026-11-28", "--fail-on", "medium").exit_code == 1
    assert invoke("gaps", CLINIC, "--as-of", "2026-11-28", "--fail-on", "high").exit_code == 0


def test_gaps_json_contract(invoke: Callable[..., Result]) -> None:
    result = invoke("gaps", CLINIC, "--as-of", "2026-11-28", "--format", "json")
    data = json.loads(result.stdout)
    assert data["schema"] == "ctrlmap/gaps@2" and data["as_of"] == "2026-11-28"
    assert {
        "id",
        "status",
        "owner",
        "due",
        "rule",
        "severity",
        "controls",
        "parties",
        "people",
        "roles",
        "message",
        "remediation",
        "citation",
    } <= set(data["gaps"][0])
    assert data["summary"]["total"] == len(data["gaps"])


def test_rule_filter_and_unknown_rule(invoke: Callable[..., Result]) -> None:
    result = invoke("gaps", CLINIC, "--rule", "single-point-of-failure", "--format", "json")
    assert {g["rule"] for g in json.loads(result.stdout)["gaps"]} == {"single-point-of-failure"}
    bad = invoke("gaps", CLINIC, "--rule", "nope")
    assert bad.exit_code == 2 and "unknown rule 'nope'" in bad.stderr


def test_as_of_comes_from_source_date_epoch(invoke: Callable[..., Result]) -> None:
    result = invoke("gaps", CLINIC, "--format", "json", env={"SOURCE_DATE_EPOCH": "1767225600"})
    assert json.loads(result.stdout)["as_of"] == "2026-01-01"


def test_summary_line() -> None:
    empty = GapsResult(
        organization="x",
        model="m",
        as_of=AS_OF,
        frameworks=(),
        gaps=(),
        summary={
            "total": 0,
            "by_severity": dict.fromkeys(("critical", "high", "medium", "low"), 0),
            "by_rule": {},
        },
    )
    assert summary_line(empty) == "0 gaps: 0 critical, 0 high, 0 medium, 0 low"


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "md"])
def test_gaps_formats_render(invoke: Callable[..., Result], fmt: str) -> None:
    result = invoke(
        "gaps", str(EXAMPLES / "law-firm.yaml"), "--as-of", "2026-11-28", "--format", fmt
    )
    assert result.exit_code == 0 and "rule-5.3" in result.stdout


def test_an_outsourced_role_no_framework_in_scope_requires_raises_nothing(lib: Library) -> None:
    stray = profile(
        lib, designations={"ciso": {"holder": "msp"}, "security-official": {"holder": "ann"}}
    )
    assert not of(gaps(lib, stray), "outsourced-designation-without-overseer")


def test_future_dates_are_not_counted_as_fresh(lib: Library) -> None:
    evidence = [
        {"control": "hipaa-security:164.308(a)(2)", "reference": "Minute", "reviewed": "2999-01-01"}
    ]
    result = gaps(lib, profile(lib, evidence=evidence))
    (missing,) = of(result, "missing-evidence")
    assert (
        "hipaa-security:164.308(a)(2)" in missing.controls
        and "dated after the as-of date" in missing.message
    )
    base = {**BASE, "frameworks": ["glba-safeguards"]}
    later = {**BASE["providers"][0], "last_reviewed": "2999-01-01"}
    (overdue,) = of(gaps(lib, profile(lib, base, providers=[later])), "provider-oversight-overdue")
    assert "after the as-of date" in overdue.message


def test_a_yearly_due_date_makes_last_years_filing_stale(lib: Library) -> None:
    from ctrlmap.assessment.evidence import cycle_start

    assert cycle_start(dt.date(2026, 11, 28), "04-15") == dt.date(2025, 4, 15)
    assert cycle_start(dt.date(2026, 4, 14), "04-15") == dt.date(2024, 4, 15)
    assert cycle_start(dt.date(2027, 3, 1), "02-29") == dt.date(2026, 2, 28)
    base = {**BASE, "frameworks": ["nydfs-500"]}
    key = "nydfs-500:500.17(b)"
    filed = lambda day: [{"control": key, "reference": "Certification", "reviewed": day}]  # noqa: E731
    assert key not in {
        k
        for g in of(gaps(lib, profile(lib, base, evidence=filed("2026-04-10"))), "stale-evidence")
        for k in g.controls
    }
    # last year's filing, past this year's April 15: stale
    missed = gaps(lib, profile(lib, base, evidence=filed("2025-04-10")), as_of=dt.date(2026, 4, 20))
    assert key in {k for g in of(missed, "stale-evidence") for k in g.controls}
    # on the due date itself last year's filing, exactly 365 days old, no longer counts
    due_day = gaps(
        lib, profile(lib, base, evidence=filed("2025-04-15")), as_of=dt.date(2026, 4, 15)
    )
    assert key in {k for g in of(due_day, "stale-evidence") for k in g.controls}
    day_before = gaps(
        lib, profile(lib, base, evidence=filed("2025-04-15")), as_of=dt.date(2026, 4, 14)
    )
    assert key not in {k for g in of(day_before, "stale-evidence") for k in g.controls}
