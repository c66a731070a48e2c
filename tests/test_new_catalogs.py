"""The catalogs added in round 2 (SEC Regulation S-P, NCUA Part 748, 201 CMR 17.00) match their rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import networkx as nx
import pytest
from click.testing import Result

from ctrlmap.assessment.assign import assign_owners
from ctrlmap.load.library import Library
from ctrlmap.models import REGULATORY_CATALOGS, Applicability, Control
from ctrlmap.models.catalog import SECTOR_FRAMEWORKS
from tests.builders import profile

REFERENCE = Path(__file__).resolve().parent / "data" / "reference"
LONGEST_QUOTE = 12
"""No summary or title may repeat more than this many consecutive words of a reference text."""

# Every unit the brief and the rule name, with the paragraph grammar of the source as the id.
UNITS = {
    "sec-reg-s-p": [
        "248.30(a)",
        "248.30(a)(1)",
        "248.30(a)(2)",
        "248.30(a)(2)(i)",
        "248.30(a)(2)(ii)",
        "248.30(a)(2)(iii)",
        "248.30(a)(3)",
        "248.30(a)(3)(i)",
        "248.30(a)(3)(ii)",
        "248.30(a)(3)(iii)",
        "248.30(a)(4)",
        "248.30(a)(4)(i)",
        "248.30(a)(4)(ii)",
        "248.30(a)(4)(iii)",
        "248.30(a)(4)(iv)",
        "248.30(a)(5)",
        "248.30(a)(5)(i)",
        "248.30(a)(5)(i)(A)",
        "248.30(a)(5)(i)(B)",
        "248.30(a)(5)(ii)",
        "248.30(a)(5)(iii)",
        "248.30(b)",
        "248.30(b)(1)",
        "248.30(b)(2)",
        "248.30(c)",
    ],
    "ncua-748": [
        "748.0",
        "748.0(a)",
        "748.0(b)",
        *[f"748.0(b)({i})" for i in range(1, 6)],
        "748.0(c)",
        "748.1",
        "748.1(a)",
        "748.1(b)",
        "748.1(c)",
        "app-a",
        "app-a-II.A",
        "app-a-II.B",
        "app-a-III.A",
        "app-a-III.A.1",
        "app-a-III.A.2",
        "app-a-III.B",
        *[f"app-a-III.B.{i}" for i in range(1, 4)],
        "app-a-III.C",
        "app-a-III.C.1",
        *[f"app-a-III.C.1.{c}" for c in "abcdefgh"],
        *[f"app-a-III.C.{i}" for i in range(2, 5)],
        "app-a-III.D",
        *[f"app-a-III.D.{i}" for i in range(1, 4)],
        "app-a-III.E",
        "app-a-III.F",
        "app-b",
        "app-b-I.C",
        "app-b-II",
        *[f"app-b-II.{c}" for c in "ABCDE"],
        "app-b-III",
        *[f"app-b-III.{c}" for c in "ABC"],
    ],
    "ma-201-cmr-17": [
        "17.03(1)",
        "17.03(2)",
        "17.03(2)(a)",
        "17.03(2)(b)",
        *[f"17.03(2)(b){i}" for i in range(1, 4)],
        *[f"17.03(2)({c})" for c in "cdef"],
        "17.03(2)(f)1",
        "17.03(2)(f)2",
        *[f"17.03(2)({c})" for c in "ghij"],
        "17.04",
        "17.04(1)",
        *[f"17.04(1)({c})" for c in "abcde"],
        "17.04(2)",
        "17.04(2)(a)",
        "17.04(2)(b)",
        *[f"17.04({i})" for i in range(3, 9)],
    ],
}

ID_GRAMMAR = {
    "sec-reg-s-p": r"^248\.30\([a-c]\)(\(\d\))?(\((i|ii|iii|iv)\))?(\([A-H]\))?$",
    "ncua-748": (
        r"^(748\.[01](\([a-d]\)(\(\d\))?)?"  # 748.0(b)(2), 748.1(c)
        r"|app-a(-(II\.[AB]|III\.[A-F](\.\d(\.[a-h])?)?))?"  # app-a-III.C.1.a
        r"|app-b(-(I\.C|II(\.[A-E])?|III(\.[A-C])?))?)$"  # app-b-II.E
    ),
    # 201 CMR numbers sub-items "1." under a lettered clause: 17.03(2)(b)1, 17.03(2)(f)2
    "ma-201-cmr-17": r"^(17\.03\([12]\)(\([a-j]\)\d?)?|17\.04(\([1-8]\)(\([a-e]\))?)?)$",
}

COUNTS = {"sec-reg-s-p": 25, "ncua-748": 54, "ma-201-cmr-17": 33}
"""Pinned so that a unit added or lost is a decision, not an accident."""

NEW = sorted(UNITS)


def controls(lib: Library, catalog: str) -> dict[str, Control]:
    return {c.id: c for c in lib.catalogs[catalog].controls}


# --- shape ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("catalog", NEW)
def test_every_named_unit_is_present_and_nothing_else(lib: Library, catalog: str) -> None:
    assert sorted(controls(lib, catalog)) == sorted(UNITS[catalog])
    assert len(lib.catalogs[catalog].controls) == COUNTS[catalog]


@pytest.mark.parametrize("catalog", NEW)
def test_ids_follow_the_paragraph_grammar_of_the_source(lib: Library, catalog: str) -> None:
    wrong = [i for i in controls(lib, catalog) if not re.match(ID_GRAMMAR[catalog], i)]
    assert wrong == []


@pytest.mark.parametrize("catalog", NEW)
def test_each_unit_cites_its_own_paragraph(lib: Library, catalog: str) -> None:
    for cid, control in controls(lib, catalog).items():
        cited = cid.replace("app-a-", "Appendix A, ").replace("app-b-", "Appendix B, ")
        cited = {"app-a": "Appendix A", "app-b": "Appendix B"}.get(cited, cited)
        assert control.citation.endswith(cited), (cid, control.citation)


@pytest.mark.parametrize("catalog", NEW)
def test_parents_are_the_enclosing_paragraph(lib: Library, catalog: str) -> None:
    units = controls(lib, catalog)
    for cid, control in units.items():
        if control.parent is None:
            continue
        assert control.parent in units, cid
        assert cid.startswith(control.parent), cid
        assert re.match(r"[-(.\d]", cid[len(control.parent) :]), cid


@pytest.mark.parametrize("catalog", NEW)
def test_every_reference_resolves_and_says_why(lib: Library, catalog: str) -> None:
    for cid, control in controls(lib, catalog).items():
        for dep in control.depends_on:
            assert lib.resolve(catalog, dep.control) in lib.controls, (cid, dep.control)
            assert dep.reason, (cid, dep.control)
        assert control.functions and all(f in lib.functions for f in control.functions), cid


@pytest.mark.parametrize("catalog", NEW)
def test_the_catalog_graph_is_acyclic(lib: Library, catalog: str) -> None:
    graph = lib.scope([catalog]).graph
    assert graph.number_of_nodes() == COUNTS[catalog]
    assert nx.is_directed_acyclic_graph(graph)


@pytest.mark.parametrize("catalog", NEW)
def test_registered_mapped_and_sourced(lib: Library, catalog: str) -> None:
    cat = lib.catalogs[catalog]
    assert catalog in REGULATORY_CATALOGS
    assert cat.sector in ("financial", "other")
    assert cat.source and "http" in cat.source
    top = [c for c in cat.controls if c.parent is None]
    assert top and all(c.maps_to for c in top)


def test_sector_suggestions_cover_every_catalog_under_its_own_sector(lib: Library) -> None:
    from typing import get_args

    from ctrlmap.models import Sector

    assert set(SECTOR_FRAMEWORKS) == set(get_args(Sector))
    for sector, suggested in SECTOR_FRAMEWORKS.items():
        assert len(set(suggested)) == len(suggested), sector
        assert set(suggested) <= set(REGULATORY_CATALOGS), sector
        assert suggested[-2:] == ("pci-dss-4", "ma-201-cmr-17"), sector  # they follow facts
    for catalog in REGULATORY_CATALOGS:
        assert catalog in SECTOR_FRAMEWORKS[lib.catalogs[catalog].sector], catalog
    assert SECTOR_FRAMEWORKS["financial"][:4] == (
        "glba-safeguards",
        "nydfs-500",
        "sec-reg-s-p",
        "ncua-748",
    )


def test_the_readme_documents_the_catalogs_facts_roles_and_sectors() -> None:
    from ctrlmap.models import FACTS, ROLES

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for catalog, count in COUNTS.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{catalog}` |"))
        assert row.rstrip(" |").split("| ")[-1].startswith(str(count)), row
    for fact in FACTS:
        assert f"| `{fact}` |" in readme or fact == "outsourced", fact
    for role in ROLES:
        assert f"| `{role}` |" in readme, role
    for sector, suggested in SECTOR_FRAMEWORKS.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{sector}` |"))
        assert re.findall(r"`([a-z0-9-]+)`", row)[1:] == list(suggested), sector


# --- Regulation S-P ------------------------------------------------------------------------------

SEC_AMENDED = {
    u for u in UNITS["sec-reg-s-p"] if re.match(r"248\.30\(a\)\([345]\)", u) or u == "248.30(c)"
} | {"248.30(b)(2)"}
"""The units the 2024 amendments created, whose compliance date depends on entity size."""


def test_reg_s_p_compliance_dates_follow_entity_size(lib: Library) -> None:
    units = controls(lib, "sec-reg-s-p")
    dated = {cid for cid, c in units.items() if c.effective is not None}
    assert dated == SEC_AMENDED
    for cid in dated:
        assert units[cid].effective == dt.date(2025, 12, 3), cid  # larger entities, the default
        assert "June 3, 2026" in (units[cid].note or ""), cid  # smaller entities
    assert Applicability().facts()["sec-entity-size"] == ("larger",)
    assert Applicability.model_validate({"sec-entity-size": "smaller"}).sec_entity_size == "smaller"
    with pytest.raises(ValueError, match="sec-entity-size"):
        Applicability.model_validate({"sec-entity-size": "medium"})


def test_reg_s_p_notice_stays_with_the_institution(lib: Library) -> None:
    units = controls(lib, "sec-reg-s-p")
    for cid in ("248.30(a)(4)", "248.30(a)(4)(i)", "248.30(a)(5)(i)", "248.30(a)(5)(iii)"):
        assert units[cid].accountability == "non-delegable", cid
        assert "248.30(a)(5)" in (units[cid].accountability_basis or ""), cid
    assert units["248.30(a)(5)(i)"].oversight and units["248.30(a)(5)(i)"].review_days == 365
    assert [c for c, u in units.items() if u.oversight] == ["248.30(a)(5)(i)"]
    assert "72 hours" in units["248.30(a)(5)(i)(B)"].summary
    assert "30 days" in units["248.30(a)(4)(iii)"].summary
    starts = {d.control: d.basis for d in units["248.30(a)(5)(i)(B)"].depends_on}
    assert starts == {"248.30(a)(3)": "text"}


# --- NCUA Part 748 -------------------------------------------------------------------------------


def test_ncua_appendices_are_guidance_still_in_force(lib: Library) -> None:
    cat = lib.catalogs["ncua-748"]
    units = controls(lib, "ncua-748")
    appendix = [c for cid, c in units.items() if cid.startswith("app-")]
    rule = [c for cid, c in units.items() if not cid.startswith("app-")]
    assert len(appendix) == 41 and len(rule) == 13
    assert all(c.kind == "guidance" and c.level == "guidance" for c in appendix)
    assert all(c.kind == "requirement" and c.level == "required" for c in rule)
    assert all(c.status == "active" for c in units.values())
    for root, rin in (("app-a", "3133-AF76"), ("app-b", "3133-AF79")):
        assert rin in cat.version and rin in (units[root].note or "")
        assert "In force" in (units[root].note or "")
    assert "no final rule could be confirmed" in cat.version


def test_ncua_flags(lib: Library) -> None:
    units = controls(lib, "ncua-748")
    cyber = units["748.1(c)"]
    assert "72 hours" in cyber.summary and cyber.effective == dt.date(2023, 9, 1)
    assert "5 business days" in units["748.1(b)"].summary
    assert units["748.1(a)"].review_days == 365 and units["app-a-III.F"].review_days == 365
    assert [c for c, u in units.items() if u.oversight] == ["app-a-III.D.3"]
    assert [c for c, u in units.items() if u.independence] == ["app-a-III.C.3"]
    for cid in ("app-a-III.A", "app-a-III.D.1", "app-a-III.D.2", "app-b-II.B", "app-b-II.E"):
        assert units[cid].accountability == "non-delegable", cid
    assert units["748.0(c)"].applies_if == {"ncua-charter": ("federal",)}
    assert [c for c, u in units.items() if u.applies_if] == ["748.0(c)"]


CREDIT_UNION = {
    "organization": {"name": "Lakeside Federal Credit Union", "sector": "financial"},
    "frameworks": ["ncua-748"],
    "model": "co-managed",
}


def test_ncua_charter_fact_decides_the_disposal_unit(lib: Library) -> None:
    def applicable(charter: str | None) -> dict[str, bool]:
        facts = {"applicability": {"ncua-charter": charter}} if charter else {}
        loaded = profile(lib, CREDIT_UNION, **facts)
        return {a.control: a.applicable for a in assign_owners(loaded, lib).assignments}

    assert applicable(None)["ncua-748:748.0(c)"]  # the default is a Federal credit union
    assert applicable("federal")["ncua-748:748.0(c)"]
    state = applicable("state")
    assert not state["ncua-748:748.0(c)"]
    assert sum(not v for v in state.values()) == 1
    assert Applicability().facts()["ncua-charter"] == ("federal",)


# --- 201 CMR 17.00 ------------------------------------------------------------------------------

MASSACHUSETTS = {
    "organization": {"name": "Back Bay Dental", "sector": "other"},
    "frameworks": ["ma-201-cmr-17"],
    "model": "fully-managed",
    "internal": [{"id": "ana", "name": "Ana Silva", "functions": ["governance"]}],
    "providers": [{"id": "msp", "name": "Harbor IT", "functions": ["help-desk"]}],
}


def test_ma_wisp_coordinator_is_a_designation_only_employees_hold(lib: Library) -> None:
    from ctrlmap.assessment.pipeline import assess
    from ctrlmap.models import FACTS, ROLES

    units = controls(lib, "ma-201-cmr-17")
    assert [c for c, u in units.items() if u.designation] == ["17.03(2)(a)"]
    assert units["17.03(2)(a)"].designation == "ma-wisp-coordinator"
    rule = ROLES["ma-wisp-coordinator"]
    assert rule.required_by == "ma-201-cmr-17" and rule.citation == "201 CMR 17.03(2)(a)"
    assert not rule.provider_may_hold and not rule.overseer_required
    assert "ma-wisp-coordinator" in FACTS["outsourced"]

    def findings(designations: dict[str, object]) -> list[str]:
        loaded = profile(lib, MASSACHUSETTS, designations=designations)
        return [
            g.rule
            for g in assess(loaded, lib, None, dt.date(2026, 11, 28)).gaps.gaps
            if "ma-wisp-coordinator" in g.roles
        ]

    assert findings({}) == ["designation-missing"]
    assert findings({"ma-wisp-coordinator": {"holder": "msp"}}) == ["designation-missing"]
    assert findings({"ma-wisp-coordinator": {"holder": "ana"}}) == []


def test_ma_flags(lib: Library) -> None:
    units = controls(lib, "ma-201-cmr-17")
    assert [c for c, u in units.items() if u.oversight] == ["17.03(2)(f)1"]
    for cid in ("17.03(2)(f)1", "17.03(2)(f)2"):
        assert units[cid].accountability == "non-delegable", cid
    assert units["17.03(2)(i)"].review_days == 365
    assert "at least once a year" in units["17.03(2)(i)"].summary
    computer = {c for c in units if c.startswith("17.04")}
    assert len(computer) == 16
    for cid, unit in units.items():
        wanted = {"ma-pi-electronic": (True,)} if cid in computer else None
        assert unit.applies_if == wanted, cid


def test_ma_electronic_fact_decides_the_computer_system_rules(lib: Library) -> None:
    def not_applicable(electronic: bool | None) -> set[str]:
        facts = {} if electronic is None else {"applicability": {"ma-pi-electronic": electronic}}
        loaded = profile(lib, MASSACHUSETTS, **facts)
        return {a.control for a in assign_owners(loaded, lib).assignments if not a.applicable}

    assert not_applicable(None) == set()  # the default: stored or sent electronically
    assert not_applicable(True) == set()
    paper_only = not_applicable(False)
    assert len(paper_only) == 16 and all(k.startswith("ma-201-cmr-17:17.04") for k in paper_only)
    assert Applicability().facts()["ma-pi-electronic"] == (True,)


# --- the investment adviser example ------------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "investment-adviser.yaml"
AS_OF = dt.date(2026, 11, 28)


def test_the_investment_adviser_example_validates(invoke: Callable[..., Result]) -> None:
    result = invoke("validate", str(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert "sec-reg-s-p, ma-201-cmr-17" in result.stdout


def test_the_investment_adviser_keeps_the_notice_and_the_wisp(lib: Library) -> None:
    from ctrlmap.load.profiles import load_profile

    loaded = load_profile(EXAMPLE, lib)[0]
    assert loaded.frameworks == ("sec-reg-s-p", "ma-201-cmr-17")
    assert loaded.applicability.sec_entity_size == "smaller"
    result = assign_owners(loaded, lib)
    by_key = {a.control: a for a in result.assignments}
    for key in ("sec-reg-s-p:248.30(a)(4)", "sec-reg-s-p:248.30(a)(5)(iii)"):
        raci = by_key[key].raci
        assert raci is not None and raci.responsible == ("internal",), key
        assert (raci.accountable, raci.accountable_person) == ("internal", "nora"), key
    provider_notice = by_key["sec-reg-s-p:248.30(a)(5)(i)(B)"].raci
    assert provider_notice is not None and provider_notice.responsible == ("internal", "beacon")
    assert result.designations["ma-wisp-coordinator"].holder_party == "internal"
    assert all(a.applicable for a in result.assignments)


@pytest.mark.parametrize("model", ["fully-managed", "co-managed"])
def test_the_investment_adviser_gaps_tell_its_story(lib: Library, model: str) -> None:
    from ctrlmap.assessment.pipeline import assess
    from ctrlmap.load.profiles import load_profile

    loaded = load_profile(EXAMPLE, lib)[0]
    found = assess(loaded, lib, model, AS_OF).gaps
    severe = sum(g.severity in ("critical", "high") for g in found.gaps)
    assert severe < found.summary.total / 2
    rules = {g.rule for g in found.gaps}
    assert {"provider-oversight-overdue", "stale-evidence"} <= rules
    assert "designation-missing" not in rules
    overdue = next(g for g in found.gaps if g.rule == "provider-oversight-overdue")
    assert overdue.parties == ("beacon",)
    assert set(overdue.controls) == {
        "sec-reg-s-p:248.30(a)(5)(i)",
        "ma-201-cmr-17:17.03(2)(f)1",
    }
    if model == "fully-managed":  # the model the firm chose leaves only the late reviews
        assert rules == {"provider-oversight-overdue", "stale-evidence", "missing-evidence"}


# --- own words -----------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """The lower-case words of a text, punctuation dropped, so that quoting is found across it."""
    return re.findall(r"[a-z0-9]+(?:['’][a-z]+)?", text.lower())


def longest_shared_run(text: str, reference: Iterable[str]) -> tuple[int, str]:
    """The longest run of consecutive words `text` shares with any reference text, and the run."""
    mine = words(text)
    best: tuple[int, str] = (0, "")
    for ref in reference:
        theirs = words(ref)
        previous = [0] * (len(theirs) + 1)
        for i in range(1, len(mine) + 1):
            current = [0] * (len(theirs) + 1)
            for j in range(1, len(theirs) + 1):
                if mine[i - 1] == theirs[j - 1]:
                    current[j] = previous[j - 1] + 1
                    if current[j] > best[0]:
                        best = (current[j], " ".join(mine[i - current[j] : i]))
            previous = current
    return best


def reference_text(catalog: str) -> str:
    lines = (REFERENCE / f"{catalog}.txt").read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("#"))


def test_the_quote_guard_can_fail() -> None:
    quoted = (
        "Keep written policies and procedures reasonably designed to require oversight, including "
        "through due diligence and monitoring, of service providers."
    )
    run, _ = longest_shared_run(quoted, [reference_text("sec-reg-s-p")])
    assert run > LONGEST_QUOTE
    assert longest_shared_run("Short words only.", [reference_text("sec-reg-s-p")])[0] <= 2


@pytest.mark.parametrize("catalog", NEW)
def test_summaries_are_our_own_words(lib: Library, catalog: str) -> None:
    reference = [reference_text(catalog)]
    assert len(words(reference[0])) > 200  # the excerpts are really there
    for control in lib.catalogs[catalog].controls:
        for field in (control.title, control.summary):
            run, quote = longest_shared_run(field, reference)
            assert run <= LONGEST_QUOTE, (control.id, quote)


def test_every_suggestion_beyond_the_sector_says_when_it_applies() -> None:
    """`init` proposes the sector's core rules (DEFAULT_FRAMEWORKS) and offers the rest with the
    condition that makes them apply: a clinic is not told to consider 201 CMR 17.00 bare."""
    from ctrlmap.models.catalog import CONSIDER_WHEN
    from ctrlmap.onboard.starter import DEFAULT_FRAMEWORKS

    offered = {
        fw
        for sector, suggested in SECTOR_FRAMEWORKS.items()
        for fw in suggested
        if fw not in DEFAULT_FRAMEWORKS[sector]
    }
    assert offered == set(CONSIDER_WHEN)


def test_init_names_the_condition_of_each_framework_it_offers(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "clinic.yaml"
    args = ["init", "--no-input", "--organization", "Clinic", "--sector", "healthcare"]
    result = invoke(*args, "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "#   pci-dss-4 (if it takes or handles payment cards)" in text
    assert (
        "#   ma-201-cmr-17 (if it holds personal information about Massachusetts residents)" in text
    )
