"""Exports: OSCAL (validated by compliance-trestle), the CRM, PCI DSS 12.8.5 and CSA CCM SSRM."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
import trestle.core.validator_factory as trestle_validators
from trestle.common import const as trestle_const
from trestle.oscal.component import ComponentDefinition

from ctrlmap.assessment.pipeline import assess
from ctrlmap.errors import CtrlmapError
from ctrlmap.formats import VIEWS, render
from ctrlmap.load.library import Library
from ctrlmap.models import Catalog, Profile
from ctrlmap.present.exports import (
    EXPORT_FORMATS,
    ExportInput,
    build_export,
    ccm_category,
    check_export,
    oscal_control_ids,
)
from tests.builders import BASE, profile
from tests.conftest import ROOT

AS_OF = dt.date(2026, 11, 28)
EXAMPLES = ("clinic", "cpa-firm", "law-firm", "mortgage-lender")
ORIGINATIONS = {
    "organization",
    "system-specific",
    "customer-configured",
    "customer-provided",
    "inherited",
}


@pytest.fixture(scope="module")
def exports(lib: Library, load_example: Callable[[str], Profile]) -> dict[str, ExportInput]:
    """The export input of every shipped example, built once."""
    return {stem: build_export(assess(load_example(stem), lib, as_of=AS_OF)) for stem in EXAMPLES}


def rows_of(text: str) -> list[dict[str, str]]:
    """A CSV export parsed back."""
    return list(csv.DictReader(io.StringIO(text)))


def component_definition(text: str) -> dict[str, Any]:
    """The component definition of an OSCAL export, validated by compliance-trestle."""
    data = json.loads(text)
    assert list(data) == ["component-definition"]
    doc: dict[str, Any] = data["component-definition"]
    model = ComponentDefinition.model_validate(doc)
    # trestle's own checks: unique uuids, responsible parties' roles defined, and the rest.
    everything = trestle_validators.validator_factory.get(
        dataclasses.make_dataclass("Args", [("mode", str)])(trestle_const.VAL_MODE_ALL)
    )
    assert everything.model_is_valid(model, True, None), everything.error_msg()
    # Nothing was dropped or coerced on the way in: trestle writes back exactly what we wrote.
    assert json.loads(model.oscal_serialize_json())["component-definition"] == doc
    return doc


def references_resolve(doc: dict[str, Any]) -> None:
    """Every party, role and catalog a component definition points at is defined in it."""
    meta = doc["metadata"]
    parties = {p["uuid"] for p in meta["parties"]}
    roles = {r["id"] for r in meta["roles"]}
    resources = {r["uuid"] for r in doc["back-matter"]["resources"]}
    for party in meta["parties"]:
        assert set(party.get("member-of-organizations", ())) <= parties
    for component in doc["components"]:
        for role in component["responsible-roles"]:
            assert role["role-id"] in roles and set(role["party-uuids"]) <= parties
        for impl in component.get("control-implementations", ()):
            assert impl["source"].removeprefix("#") in resources
            for req in impl["implemented-requirements"]:
                for role in req.get("responsible-roles", ()):
                    assert role["role-id"] in roles and set(role["party-uuids"]) <= parties
                origin = [p["value"] for p in req["props"] if p["name"] == "control-origination"]
                assert set(origin) <= ORIGINATIONS and len(origin) <= 1


def requirements(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(party, global key) -> the implemented requirement listed under that party's component."""
    out = {}
    for component in doc["components"]:
        party = next(p["value"] for p in component["props"] if p["name"] == "party")
        for impl in component.get("control-implementations", ()):
            for req in impl["implemented-requirements"]:
                key = next(p["value"] for p in req["props"] if p["name"] == "control")
                out[(party, key)] = req
    return out


def prop(req: dict[str, Any], name: str) -> list[str]:
    """The values of a requirement's props of this name."""
    return [p["value"] for p in req["props"] if p["name"] == name]


# --- every format, every example ----------------------------------------------------------------


def test_the_registry_offers_the_export_vocabularies() -> None:
    assert VIEWS["export"] == EXPORT_FORMATS


@pytest.mark.parametrize("stem", EXAMPLES)
@pytest.mark.parametrize("fmt", ["oscal", "crm-csv", "ccm-ssrm"])
def test_every_example_renders_and_twice_gives_the_same_bytes(
    exports: dict[str, ExportInput],
    lib: Library,
    load_example: Callable[[str], Profile],
    stem: str,
    fmt: str,
) -> None:
    data = exports[stem]
    check_export(fmt, data)
    text = render("export", fmt, data)
    assert text.endswith("\n") and len(text) > 1000
    rebuilt = build_export(assess(load_example(stem), lib, as_of=AS_OF))
    assert render("export", fmt, rebuilt) == text


def test_pci_list_renders_for_the_lender_only(exports: dict[str, ExportInput]) -> None:
    check_export("pci-12.8.5", exports["mortgage-lender"])
    assert rows_of(render("export", "pci-12.8.5", exports["mortgage-lender"]))
    for stem in ("clinic", "cpa-firm", "law-firm"):
        with pytest.raises(CtrlmapError, match="pci-dss-4 is not among the profile's frameworks"):
            check_export("pci-12.8.5", exports[stem])
        # The renderer guards too, so no path writes an empty 12.8.5 list.
        with pytest.raises(CtrlmapError, match="pci-dss-4"):
            render("export", "pci-12.8.5", exports[stem])


def test_an_unknown_format_is_a_clear_error(exports: dict[str, ExportInput]) -> None:
    with pytest.raises(CtrlmapError, match="use one of oscal, crm-csv"):
        check_export("docx", exports["clinic"])


# --- OSCAL ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", EXAMPLES)
def test_oscal_validates_with_trestle_and_its_references_resolve(
    exports: dict[str, ExportInput], stem: str
) -> None:
    doc = component_definition(render("export", "oscal", exports[stem]))
    references_resolve(doc)
    assert doc["metadata"]["last-modified"] == "2026-11-28T00:00:00+00:00"
    assert doc["metadata"]["remarks"].startswith("Accountable in this RACI")


def test_oscal_lists_each_control_under_every_party_that_does_it(
    exports: dict[str, ExportInput],
) -> None:
    data = exports["clinic"]
    found = requirements(component_definition(render("export", "oscal", data)))
    by_key = {a.control: a for a in data.assignments.assignments}
    for a in by_key.values():
        if not a.applicable:
            assert not any(key == a.control for _, key in found)
            continue
        assert a.raci is not None
        listed = {party for party, key in found if key == a.control}
        assert listed == set(a.raci.responsible or ("internal",)), a.control
        for party in listed:
            req = found[(party, a.control)]
            assert prop(req, "owner") == [a.owner]
            expected = "organization" if party == "internal" else "inherited"
            assert prop(req, "control-origination") == [expected]

    # Provider-managed under co-managed: only in Harbor's component, inherited, Harbor accountable.
    audit = "hipaa-security:164.312(b)"
    assert {party for party, key in found if key == audit} == {"harbor"}
    roles = {r["role-id"]: r["party-uuids"] for r in found[("harbor", audit)]["responsible-roles"]}
    assert roles["responsible"] == roles["accountable"]
    # A shared control appears twice, each side with its own part.
    risk = "hipaa-security:164.310(b)"  # workstation use: Dana and Harbor both cover endpoints
    assert found[("internal", risk)]["description"].startswith("Riverside Family Clinic:")
    assert found[("harbor", risk)]["description"].startswith("Harbor Managed IT:")


def test_oscal_names_the_accountable_person(exports: dict[str, ExportInput]) -> None:
    doc = component_definition(render("export", "oscal", exports["clinic"]))
    sam = next(p["uuid"] for p in doc["metadata"]["parties"] if p["name"] == "Sam Lee")
    clinic = next(
        p["uuid"] for p in doc["metadata"]["parties"] if p["name"] == "Riverside Family Clinic"
    )
    sam_party = next(p for p in doc["metadata"]["parties"] if p["uuid"] == sam)
    assert sam_party["type"] == "person" and sam_party["member-of-organizations"] == [clinic]
    req = requirements(doc)[("internal", "hipaa-security:164.308(a)(2)")]
    roles = {r["role-id"]: r["party-uuids"] for r in req["responsible-roles"]}
    assert roles["accountable"] == [sam]
    assert "security-official" in req["description"]


def test_oscal_unassigned_work_stays_with_the_organisation_without_an_origination(
    lib: Library,
) -> None:
    two = [
        {"id": "a", "name": "A", "functions": ["security-monitoring"]},
        {"id": "b", "name": "B", "functions": ["help-desk"]},
    ]
    override = {
        "control": "hipaa-security:164.308(a)(7)(ii)(A)",
        "responsible": [],
        "reason": "Nobody took the backups over yet",
    }
    data = build_export(assess(profile(lib, providers=two, overrides=[override]), lib, as_of=AS_OF))
    unowned = [a for a in data.assignments.assignments if a.owner == "unassigned"]
    assert unowned
    doc = component_definition(render("export", "oscal", data))
    references_resolve(doc)
    found = requirements(doc)
    for a in unowned:
        req = found[("internal", a.control)]
        assert prop(req, "control-origination") == [] and prop(req, "owner") == ["unassigned"]
        assert "Nobody is Responsible" in req["description"]


def test_oscal_control_ids_are_tokens_and_keep_the_global_key(
    exports: dict[str, ExportInput],
) -> None:
    ids = oscal_control_ids(exports["mortgage-lender"])
    assert ids["nydfs-500:500.4(a)(2)"] == "nydfs-500_500.4_a_2"
    assert ids["pci-dss-4:12.8.5"] == "pci-dss-4_12.8.5"
    assert ids["pci-dss-4:A1.1.1"] == "pci-dss-4_A1.1.1"
    assert len(set(ids.values())) == len(ids)


def test_oscal_keeps_ids_that_are_already_tokens_and_refuses_a_collision(lib: Library) -> None:
    def control(cid: str) -> dict[str, Any]:
        return {
            "id": cid,
            "title": f"Control {cid}",
            "summary": "A test control.",
            "citation": f"Test {cid}",
            "kind": "requirement",
            "level": "required",
            "functions": ["governance"],
        }

    def library(*ids: str) -> Library:
        catalog = Catalog.model_validate(
            {"id": "mine", "title": "Mine", "version": "1", "controls": [control(i) for i in ids]}
        )
        return dataclasses.replace(lib, catalogs={**lib.catalogs, "mine": catalog})

    org = Profile.model_validate({**BASE, "frameworks": ["mine"]})
    tokens = library("ac-1", "ac-1.2")
    assert set(oscal_control_ids(build_export(assess(org, tokens, as_of=AS_OF))).values()) == {
        "ac-1",
        "ac-1.2",
    }
    clash = library("x(1)", "x_1")
    with pytest.raises(CtrlmapError, match="same OSCAL control-id 'mine_x_1'"):
        oscal_control_ids(build_export(assess(org, clash, as_of=AS_OF)))


def test_oscal_uuids_are_stable_and_the_document_uuid_follows_the_content(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    clinic = load_example("clinic")
    today = component_definition(
        render("export", "oscal", build_export(assess(clinic, lib, as_of=AS_OF)))
    )
    later = component_definition(
        render("export", "oscal", build_export(assess(clinic, lib, as_of=dt.date(2027, 1, 4))))
    )
    assert today["uuid"] != later["uuid"]
    assert later["metadata"]["last-modified"] == "2027-01-04T00:00:00+00:00"
    assert [p["uuid"] for p in today["metadata"]["parties"]] == [
        p["uuid"] for p in later["metadata"]["parties"]
    ]
    assert requirements(today).keys() == requirements(later).keys()
    assert [r["uuid"] for r in requirements(today).values()] == [
        r["uuid"] for r in requirements(later).values()
    ]


def test_oscal_names_with_line_breaks_are_written_on_one_line(lib: Library) -> None:
    people = [{**BASE["internal"][0], "name": "Ann\nLee", "role": "IT\r\nlead"}]
    providers = [{**BASE["providers"][0], "name": "Managed\nIT"}]
    data = build_export(
        assess(profile(lib, internal=people, providers=providers), lib, as_of=AS_OF)
    )
    doc = component_definition(render("export", "oscal", data))
    names = [p["name"] for p in doc["metadata"]["parties"]]
    assert names[1:] == ["Managed IT", "Ann Lee"]
    assert "Managed IT" in [c["title"] for c in doc["components"]]
    assert prop(doc["metadata"]["parties"][2], "job-title") == ["IT lead"]


# --- customer responsibility matrix -------------------------------------------------------------


@pytest.mark.parametrize("stem", EXAMPLES)
def test_crm_has_one_row_per_applicable_control(exports: dict[str, ExportInput], stem: str) -> None:
    data = exports[stem]
    rows = rows_of(render("export", "crm-csv", data))
    applicable = [a for a in data.assignments.assignments if a.applicable]
    assert [r["control"] for r in rows] == [a.control for a in applicable]
    labels = {"internal": "Customer", "provider": "Provider", "shared": "Shared"}
    for row, a in zip(rows, applicable, strict=True):
        assert a.owner is not None
        assert row["responsibility"] == labels.get(a.owner, "Not assigned")


def test_crm_says_what_each_side_does(exports: dict[str, ExportInput]) -> None:
    clinic = {r["control"]: r for r in rows_of(render("export", "crm-csv", exports["clinic"]))}
    audit = clinic["hipaa-security:164.312(b)"]
    assert (audit["responsibility"], audit["provider"]) == ("Provider", "Harbor Managed IT")
    assert audit["customer_responsibility"] == "Nothing operational"
    assert audit["provider_responsibility"] == "Security monitoring"
    assert audit["accountable"] == "Harbor Managed IT"
    backup = clinic["hipaa-security:164.308(a)(7)(ii)(A)"]
    assert backup["responsibility"] == "Provider"
    assert "customer is Accountable" in backup["customer_responsibility"]
    assert backup["accountable"] == "Riverside Family Clinic (Sam Lee)"
    assert backup["citation"] == "45 CFR 164.308(a)(7)(ii)(A)"
    assert clinic["hipaa-security:164.308(a)(2)"]["non_delegable"] == "yes"
    assert audit["non_delegable"] == "no"
    assert "Override (SOW 2 section 4)" in backup["basis"]
    sanctions = clinic["hipaa-security:164.308(a)(1)(ii)(C)"]
    assert sanctions["customer_responsibility"].startswith("Fully the customer's responsibility:")

    lender = {
        r["control"]: r for r in rows_of(render("export", "crm-csv", exports["mortgage-lender"]))
    }
    # A shared function with a documented split reads from the split, each side its own part.
    incident = lender["nydfs-500:500.2(b)(4)"]
    assert incident["responsibility"] == "Shared"
    assert "Decides, notifies DFS within 72 hours" in incident["customer_responsibility"]
    assert "24x7 detection, triage" in incident["provider_responsibility"]
    # Two providers on one control: each named in front of its part.
    testing = lender["pci-dss-4:11"]
    assert testing["provider"] == "Keystone Security Partners; Ridgeline Assurance"
    assert "Ridgeline Assurance: Independent assessment" in testing["provider_responsibility"]


def test_crm_cells_cannot_run_as_spreadsheet_formulas(lib: Library) -> None:
    hostile = [{**BASE["providers"][0], "name": "=HYPERLINK(1)"}]
    data = build_export(assess(profile(lib, providers=hostile), lib, as_of=AS_OF))
    rows = rows_of(render("export", "crm-csv", data))
    cells = [r["provider"] for r in rows if r["provider"]]
    assert cells and all(c.startswith("'=") for c in cells)


# --- PCI DSS 12.8.5 -------------------------------------------------------------------------------


def test_pci_list_follows_the_by_provider_matrix(exports: dict[str, ExportInput]) -> None:
    data = exports["mortgage-lender"]
    rows = rows_of(render("export", "pci-12.8.5", data))
    labels = {"TPSP": "managed_by_provider", "Entity": "managed_by_entity", "Shared": "shared"}
    for matrix in data.matrix.providers:
        mine = [r for r in rows if r["provider"] == matrix.provider]
        for label, field in labels.items():
            expected = [k for k in getattr(matrix, field) if k.startswith("pci-dss-4:")]
            got = [f"pci-dss-4:{r['requirement']}" for r in mine if r["managed_by"] == label]
            assert sorted(got) == sorted(expected), (matrix.provider, label)
    keyed = {(r["provider"], r["requirement"]): r for r in rows}
    assert keyed[("ridgeline", "11.4.3")]["managed_by"] == "TPSP"
    # Keystone's vCISO covers governance, so the responsibility matrix is shared work
    assert keyed[("keystone", "12.8.5")]["managed_by"] == "Shared"
    assert all(r["acknowledgement_12_8_2"] == "yes" for r in rows)
    shared = [r for r in rows if r["managed_by"] == "Shared"]
    assert shared and all(
        r["notes"].startswith("TPSP: ") and "Entity: " in r["notes"] for r in shared
    )


# --- CSA CCM SSRM ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", EXAMPLES)
def test_ccm_lists_every_control_in_scope(exports: dict[str, ExportInput], stem: str) -> None:
    data = exports[stem]
    rows = rows_of(render("export", "ccm-ssrm", data))
    assert [r["control"] for r in rows] == [a.control for a in data.assignments.assignments]
    expected = {"internal": "CSC-owned", "shared": "Shared CSP and CSC"}
    for row, a in zip(rows, data.assignments.assignments, strict=True):
        if not a.applicable:
            assert row["ssrm_category"] == "N/A" and row["csc_responsibility"].startswith(
                "Not applicable"
            )
        elif a.owner in expected:
            assert row["ssrm_category"] == expected[a.owner]


def test_ccm_categories_of_the_clinic(exports: dict[str, ExportInput]) -> None:
    rows = {r["control"]: r for r in rows_of(render("export", "ccm-ssrm", exports["clinic"]))}
    audit = rows["hipaa-security:164.312(b)"]
    assert (audit["ssrm_category"], audit["csp"], audit["third_party"]) == (
        "CSP-owned",
        "Harbor Managed IT",
        "",
    )


def test_ccm_categories_with_two_providers(lib: Library) -> None:
    providers = [
        {"id": "msp", "name": "MSP", "functions": ["security-monitoring", "backup-recovery"]},
        {"id": "soc", "name": "SOC", "functions": ["security-monitoring", "backup-recovery"]},
    ]
    backup = "hipaa-security:164.308(a)(7)(ii)(A)"
    audit = "hipaa-security:164.312(b)"
    overrides = [
        {
            "control": backup,
            "responsible": ["soc"],
            "accountable": "msp",
            "reason": "MSP answers for the backups and subcontracts them to SOC",
        },
        {"control": audit, "responsible": ["msp", "soc"], "reason": "Both watch the logs"},
    ]
    data = build_export(
        assess(profile(lib, providers=providers, overrides=overrides), lib, as_of=AS_OF)
    )
    rows = {r["control"]: r for r in rows_of(render("export", "ccm-ssrm", data))}
    assert (rows[backup]["ssrm_category"], rows[backup]["csp"], rows[backup]["third_party"]) == (
        "Third-party outsourced",
        "MSP",
        "SOC",
    )
    assert rows[audit]["ssrm_category"] == "Shared CSP and third party"
    assert (rows[audit]["csp"], rows[audit]["third_party"]) == ("MSP", "SOC")
    assert rows[audit]["csp_responsibility"].startswith("MSP: ")
    # With the organization in the work as well, it is shared with the CSC, the SOC a third party.
    both = {**overrides[1], "responsible": ["internal", "msp", "soc"]}
    mixed = build_export(
        assess(profile(lib, providers=providers, overrides=[both]), lib, as_of=AS_OF)
    )
    (a,) = [a for a in mixed.assignments.assignments if a.control == audit]
    assert ccm_category(a) == ("Shared CSP and CSC", "msp", ("soc",))


def test_ccm_work_nobody_does_is_not_given_a_ccm_category(lib: Library) -> None:
    override = {
        "control": "hipaa-security:164.312(b)",
        "responsible": [],
        "reason": "Nobody took the audit logs over yet",
    }
    data = build_export(assess(profile(lib, overrides=[override]), lib, as_of=AS_OF))
    rows = {r["control"]: r for r in rows_of(render("export", "ccm-ssrm", data))}
    assert rows["hipaa-security:164.312(b)"]["ssrm_category"] == "Not assigned"


def test_no_csv_output_lets_a_formula_through(invoke: Callable[..., Any], tmp_path: Any) -> None:
    import csv
    import io

    import yaml

    data = yaml.safe_load((ROOT / "examples" / "mortgage-lender.yaml").read_text())
    data["organization"]["name"] = ' =HYPERLINK("http://x")'
    data["providers"][0]["name"] = "\n=1+1"
    data["providers"][0]["agreement"] = "@SUM(A1)"
    data["splits"][0]["internal_part"] = "-2+3"
    profile = tmp_path / "evil.yaml"
    profile.write_text(yaml.safe_dump(data))
    outputs = [
        ("assign", str(profile), "--format", "csv"),
        ("assign", str(profile), "--by-provider", "--format", "csv"),
        ("gaps", str(profile), "--format", "csv", "--as-of", "2026-11-28"),
        ("report", str(profile), "--format", "csv", "--as-of", "2026-11-28"),
        ("crosswalk", str(profile), "--format", "csv"),
        ("export", str(profile), "--format", "crm-csv", "--as-of", "2026-11-28"),
        ("export", str(profile), "--format", "pci-12.8.5", "--as-of", "2026-11-28"),
        ("export", str(profile), "--format", "ccm-ssrm", "--as-of", "2026-11-28"),
        ("export", str(profile), "--format", "poam-csv", "--as-of", "2026-11-28"),
    ]
    for args in outputs:
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.stderr)
        for row in csv.reader(io.StringIO(result.stdout)):
            for cell in row:
                assert cell.lstrip()[:1] not in ("=", "+", "-", "@"), (args, cell)
