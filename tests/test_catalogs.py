"""The shipped catalogs match the regulations: ids, counts, flags, references and the graph."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from ctrlmap.load.library import Library
from ctrlmap.models import ROLES

HIPAA_SPECS = {  # section: (specifications, required, addressable), per 45 CFR Part 164 Appendix A
    "164.308": (21, 10, 11),
    "164.310": (8, 2, 6),
    "164.312": (7, 2, 5),
}

# Every unit regulations.md section 1 lists for each framework (ranges expanded).
RESEARCH_IDS = {
    "hipaa-security": [
        "164.308(a)(1)(i)",
        "164.308(a)(1)(ii)(A)",
        "164.308(a)(1)(ii)(B)",
        "164.308(a)(1)(ii)(C)",
        "164.308(a)(1)(ii)(D)",
        "164.308(a)(2)",
        "164.308(a)(3)(i)",
        "164.308(a)(3)(ii)(A)",
        "164.308(a)(3)(ii)(B)",
        "164.308(a)(3)(ii)(C)",
        "164.308(a)(4)(i)",
        "164.308(a)(4)(ii)(A)",
        "164.308(a)(4)(ii)(B)",
        "164.308(a)(4)(ii)(C)",
        "164.308(a)(5)(i)",
        "164.308(a)(5)(ii)(A)",
        "164.308(a)(5)(ii)(B)",
        "164.308(a)(5)(ii)(C)",
        "164.308(a)(5)(ii)(D)",
        "164.308(a)(6)(i)",
        "164.308(a)(6)(ii)",
        "164.308(a)(7)(i)",
        "164.308(a)(7)(ii)(A)",
        "164.308(a)(7)(ii)(B)",
        "164.308(a)(7)(ii)(C)",
        "164.308(a)(7)(ii)(D)",
        "164.308(a)(7)(ii)(E)",
        "164.308(a)(8)",
        "164.308(b)(1)",
        "164.308(b)(2)",
        "164.308(b)(3)",
        "164.310(a)(1)",
        "164.310(a)(2)(i)",
        "164.310(a)(2)(ii)",
        "164.310(a)(2)(iii)",
        "164.310(a)(2)(iv)",
        "164.310(b)",
        "164.310(c)",
        "164.310(d)(1)",
        "164.310(d)(2)(i)",
        "164.310(d)(2)(ii)",
        "164.310(d)(2)(iii)",
        "164.310(d)(2)(iv)",
        "164.312(a)(1)",
        "164.312(a)(2)(i)",
        "164.312(a)(2)(ii)",
        "164.312(a)(2)(iii)",
        "164.312(a)(2)(iv)",
        "164.312(b)",
        "164.312(c)(1)",
        "164.312(c)(2)",
        "164.312(d)",
        "164.312(e)(1)",
        "164.312(e)(2)(i)",
        "164.312(e)(2)(ii)",
        "164.314(a)(1)",
        "164.314(a)(2)(i)(A)",
        "164.314(a)(2)(i)(B)",
        "164.314(a)(2)(i)(C)",
        "164.314(a)(2)(ii)",
        "164.314(a)(2)(iii)",
        "164.314(b)(1)",
        "164.314(b)(2)(i)",
        "164.314(b)(2)(ii)",
        "164.314(b)(2)(iii)",
        "164.314(b)(2)(iv)",
        "164.316(a)",
        "164.316(b)(1)",
        "164.316(b)(2)(i)",
        "164.316(b)(2)(ii)",
        "164.316(b)(2)(iii)",
    ],
    # 164.400 (applicability) is a title only, not a duty
    "hipaa-breach": ["164.402", "164.404", "164.406", "164.408", "164.410", "164.412", "164.414"],
    # 314.2 definitions, 314.5 (effective date) and 314.6 (exemptions: applicability) are not units
    "glba-safeguards": [
        "314.3(a)",
        "314.4(a)",
        "314.4(a)(1)",
        "314.4(a)(2)",
        "314.4(a)(3)",
        "314.4(b)",
        "314.4(b)(1)(i)",
        "314.4(b)(1)(ii)",
        "314.4(b)(1)(iii)",
        "314.4(b)(2)",
        "314.4(c)",
        "314.4(c)(1)(i)",
        "314.4(c)(1)(ii)",
        "314.4(c)(2)",
        "314.4(c)(3)",
        "314.4(c)(4)",
        "314.4(c)(5)",
        "314.4(c)(6)(i)",
        "314.4(c)(6)(ii)",
        "314.4(c)(7)",
        "314.4(c)(8)",
        "314.4(d)(1)",
        "314.4(d)(2)",
        *[f"314.4(e)({i})" for i in range(1, 5)],
        *[f"314.4(f)({i})" for i in range(1, 4)],
        "314.4(g)",
        *[f"314.4(h)({i})" for i in range(1, 8)],
        "314.4(i)(1)",
        "314.4(i)(2)",
        *[f"314.4(j)(1)({r})" for r in ("i", "ii", "iii", "iv", "v", "vi")],
        "314.4(j)(2)",
    ],
    # 500.1 definitions and 500.22 (transition) are not units; 500.19 and 500.24 are checked in
    # test_catalog_content_nydfs
    "nydfs-500": [
        "500.2(a)",
        *[f"500.2(b)({i})" for i in range(1, 7)],
        "500.2(c)",
        "500.2(d)",
        "500.2(e)",
        "500.3",
        *[f"500.3({c})" for c in "abcdefghijklmno"],
        *[f"500.4(a)({i})" for i in range(1, 4)],
        *[f"500.4(b)({i})" for i in range(1, 7)],
        "500.4(c)",
        *[f"500.4(d)({i})" for i in range(1, 5)],
        "500.5(a)(1)",
        "500.5(a)(2)",
        "500.5(b)",
        "500.5(c)",
        "500.6(a)(1)",
        "500.6(a)(2)",
        "500.6(b)",
        *[f"500.7(a)({i})" for i in range(1, 7)],
        "500.7(b)",
        "500.7(c)(1)",
        "500.7(c)(2)",
        "500.8(a)",
        "500.8(b)",
        "500.9(a)",
        *[f"500.9(b)({i})" for i in range(1, 4)],
        *[f"500.10(a)({i})" for i in range(1, 4)],
        "500.10(b)",
        *[f"500.11(a)({i})" for i in range(1, 5)],
        *[f"500.11(b)({i})" for i in range(1, 5)],
        *[f"500.12(a)({i})" for i in range(1, 4)],
        "500.12(b)",
        *[f"500.13(a)(1)({r})" for r in ("i", "ii", "iii", "iv", "v")],
        "500.13(a)(2)",
        "500.13(b)",
        *[f"500.14(a)({i})" for i in range(1, 4)],
        "500.14(b)(1)",
        "500.14(b)(2)",
        "500.15(a)",
        "500.15(b)",
        *[f"500.16(a)(1)({r})" for r in ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix")],
        *[f"500.16(a)(2)({r})" for r in ("i", "ii", "iii", "iv", "v", "vi")],
        "500.16(b)",
        "500.16(c)",
        "500.16(d)(1)",
        "500.16(d)(2)",
        "500.16(e)",
        "500.17(a)(1)",
        "500.17(a)(2)",
        *[f"500.17(b)({i})" for i in range(1, 4)],
        "500.17(c)(1)",
        "500.17(c)(2)",
    ],
    "pci-dss-4": [
        *[f"{x}.1.2" for x in range(1, 12)],
        "12.1.1",
        "12.1.2",
        "12.1.3",
        "12.1.4",
        "12.2.1",
        "12.3.1",
        "12.3.2",
        "12.3.3",
        "12.3.4",
        "12.4.1",
        "12.4.2",
        "12.4.2.1",
        "12.5.1",
        "12.5.2",
        "12.5.2.1",
        "12.5.3",
        "12.7.1",
        *[f"12.8.{i}" for i in range(1, 6)],
        "12.9.1",
        "12.9.2",
        *[f"12.10.{i}" for i in range(1, 8)],
        "12.10.4.1",
        "A1.1.1",
        "A1.2.3",
    ],
    "aba-model-rules": [
        "rule-1.1",
        "rule-1.4",
        "rule-1.6(a)",
        "rule-1.6(c)",
        "rule-1.15",
        "rule-5.1",
        "rule-5.3",
        "opinion-08-451",
        "opinion-477R",
        "opinion-482",
        "opinion-483",
        "opinion-495",
        "opinion-498",
        "opinion-512",
        "acc-outside-counsel",
    ],
}

ID_GRAMMAR = {
    "hipaa-security": r"^(164\.3(06|08|10|12|14|16)(\([a-zA-Z0-9]+\))+|proposed-[a-z0-9-]+)$",
    "hipaa-breach": r"^164\.4(02|04|06|08|10|12|14)(\([a-z0-9]+\))*$",
    "glba-safeguards": r"^314\.[34](\([a-z0-9]+\))+$",
    "nydfs-500": r"^500\.\d+(\([a-z0-9]+\))*$",
    "pci-dss-4": r"^(\d{1,2}(\.\d+){0,4}|A[1-3](\.\d+){0,3})$",
    "aba-model-rules": r"^(rule-\d\.\d+(\([a-z]\))?|opinion-[0-9R-]+[a-z-]*|acc-[a-z-]+)$",
}

PCI_REQUIREMENTS = {  # requirements at x.y.z and deeper per principal requirement, PCI DSS v4.0.1
    "1": 19,
    "2": 11,
    "3": 29,
    "4": 6,
    "5": 13,
    "6": 19,
    "7": 12,
    "8": 29,
    "9": 27,
    "10": 27,
    "11": 21,
    "12": 37,
    "A1": 7,
    "A2": 3,
    "A3": 20,
}


def ids(lib: Library, catalog: str) -> set[str]:
    return {c.id for c in lib.catalogs[catalog].controls}


@pytest.mark.parametrize("catalog", sorted(RESEARCH_IDS))
def test_every_research_unit_is_present(lib: Library, catalog: str) -> None:
    missing = [i for i in RESEARCH_IDS[catalog] if i not in ids(lib, catalog)]
    assert not missing


@pytest.mark.parametrize("catalog", sorted(ID_GRAMMAR))
def test_ids_follow_the_grammar(lib: Library, catalog: str) -> None:
    wrong = [i for i in ids(lib, catalog) if not re.match(ID_GRAMMAR[catalog], i)]
    assert not wrong


@pytest.mark.parametrize("section", sorted(HIPAA_SPECS))
def test_hipaa_specification_counts_match_appendix_a(lib: Library, section: str) -> None:
    specs = [
        c
        for c in lib.catalogs["hipaa-security"].controls
        if c.kind == "implementation-specification" and c.id.startswith(section)
    ]
    levels = Counter(c.level for c in specs)
    assert (len(specs), levels["required"], levels["addressable"]) == HIPAA_SPECS[section]


def test_hipaa_standards_are_required_and_specs_have_parents(lib: Library) -> None:
    catalog = lib.catalogs["hipaa-security"]
    standards = {c.id for c in catalog.controls if c.kind == "standard"}
    assert all(c.level == "required" for c in catalog.controls if c.kind == "standard")
    for spec in (c for c in catalog.controls if c.kind == "implementation-specification"):
        assert spec.parent in standards, spec.id


def test_hipaa_flags(lib: Library) -> None:
    controls = {c.id: c for c in lib.catalogs["hipaa-security"].controls}
    official = controls["164.308(a)(2)"]
    assert (
        official.designation == "security-official" and official.accountability == "non-delegable"
    )
    assert controls["164.308(a)(4)(ii)(A)"].applies_if == {"hipaa-clearinghouse": (True,)}
    assert controls["164.314(b)(1)"].applies_if == {"hipaa-group-health-plan": (True,)}
    assert controls["164.308(b)(3)"].parent == "164.308(b)(1)"
    proposed = {c.id for c in controls.values() if c.status == "proposed"}
    assert proposed == {
        "proposed-asset-inventory",
        "proposed-compliance-audit",
        "proposed-restore-72h",
        "proposed-ba-verification",
        "proposed-ba-contingency-notice",
    }


def test_breach_notices_apply_by_role(lib: Library) -> None:
    controls = {c.id: c for c in lib.catalogs["hipaa-breach"].controls}
    for cid in ("164.404", "164.406", "164.408"):
        assert controls[cid].applies_if == {"hipaa": ("covered-entity",)}
    assert controls["164.410"].applies_if == {"hipaa": ("business-associate",)}
    assert "more than 500" in controls["164.406"].summary


def test_glba_flags(lib: Library) -> None:
    controls = {c.id: c for c in lib.catalogs["glba-safeguards"].controls}
    assert controls["314.4(a)"].designation == "qualified-individual"
    for cid in ("314.4(a)(1)", "314.4(a)(2)", "314.4(a)(3)"):
        assert controls[cid].accountability == "non-delegable"
        assert controls[cid].applies_if == {"outsourced": ("qualified-individual",)}
    assert controls["314.4(f)(3)"].oversight
    assert controls["314.4(d)(2)"].review_days == 183
    for cid in ("314.4(b)(1)", "314.4(d)(2)", "314.4(h)", "314.4(i)"):
        assert controls[cid].applies_if == {"glba-small-institution": (False,)}


def test_nydfs_flags(lib: Library) -> None:
    controls = {c.id: c for c in lib.catalogs["nydfs-500"].controls}
    assert controls["500.4(a)"].designation == "ciso"
    for cid in ("500.4(a)(1)", "500.4(a)(2)", "500.4(a)(3)"):
        assert controls[cid].accountability == "non-delegable"
        assert controls[cid].applies_if is not None and controls[cid].applies_if["outsourced"] == (
            "ciso",
        )
    assert controls["500.11(a)(4)"].oversight
    assert controls["500.2(c)"].independence == "required"
    for cid in ("500.2(c)", "500.7(c)", "500.14(b)"):
        assert controls[cid].applies_if == {"nydfs": ("class-a",)}
    assert controls["500.16"].applies_if == {"nydfs": ("standard", "class-a")}
    assert controls["500.17(b)"].annual_due == "04-15"


def test_pci_requirement_counts(lib: Library) -> None:
    controls = lib.catalogs["pci-dss-4"].controls
    per = Counter(c.id.split(".")[0] for c in controls if c.kind == "requirement")
    assert dict(per) == PCI_REQUIREMENTS
    assert {c.id for c in controls if c.kind == "standard"} == set(PCI_REQUIREMENTS)


def test_pci_flags(lib: Library) -> None:
    controls = {c.id: c for c in lib.catalogs["pci-dss-4"].controls}
    assert controls["12.1.4"].designation == "pci-executive"
    for i in range(1, 6):
        assert controls[f"12.8.{i}"].accountability == "non-delegable"
    assert controls["12.8.4"].oversight
    # PCI DSS puts tester independence on the tests, not on the methodology of 11.4.1
    assert controls["11.4.1"].independence is None
    assert "independent-assessment" not in controls["11.4.1"].functions
    for cid in ("11.4.2", "11.4.3", "11.4.5", "11.4.6"):
        assert controls[cid].independence == "required", cid
    assert {c.id for c in controls.values() if c.independence} == {
        "11.4.2",
        "11.4.3",
        "11.4.5",
        "11.4.6",
    }
    assert controls["7.2.4"].review_days == 183
    for cid in ("12.9.1", "12.9.2"):
        assert controls[cid].applies_if == {"pci": ("service-provider",)}


def test_aba_flags(lib: Library) -> None:
    controls = {c.id: c for c in lib.catalogs["aba-model-rules"].controls}
    for cid in ("rule-5.1", "rule-5.3"):
        assert controls[cid].designation == "supervising-lawyer"
        assert controls[cid].accountability == "non-delegable"
    assert all(c.level == "guidance" for c in controls.values() if c.id.startswith("opinion-"))
    assert all(c.level == "required" for c in controls.values() if c.id.startswith("rule-"))


def test_every_role_is_required_by_exactly_its_framework(lib: Library) -> None:
    for role, rule in ROLES.items():
        requiring = {
            cat.id for cat in lib.catalogs.values() for c in cat.controls if c.designation == role
        }
        assert requiring == {rule.required_by}


def test_every_control_has_a_known_function_and_a_summary(lib: Library) -> None:
    for key, control in lib.controls.items():
        if lib.catalogs[key.split(":")[0]].hub:
            continue
        assert control.functions and all(f in lib.functions for f in control.functions), key
        assert len(control.summary) > 20, key


def test_every_non_delegable_control_cites_its_basis(lib: Library) -> None:
    for key, control in lib.controls.items():
        if control.accountability == "non-delegable":
            assert control.accountability_basis and re.search(
                r"\d", control.accountability_basis
            ), key


def test_no_active_control_depends_on_a_proposed_one(lib: Library) -> None:
    for source, target in lib.graph.edges:
        if lib.controls[source].status == "active":
            assert lib.controls[target].status == "active", (source, target)


def test_the_graph_over_every_catalog_is_acyclic(lib: Library) -> None:
    import networkx as nx

    assert nx.is_directed_acyclic_graph(lib.graph)


def test_models_cover_every_function(lib: Library) -> None:
    for model in lib.models.values():
        assert set(model.functions) == set(lib.functions), model.id
