"""frameworks/saq/pci-saq.yaml: the SAQ lists resolve in the PCI DSS catalog and keep their sourced counts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SAQ_FILE = ROOT / "frameworks" / "saq" / "pci-saq.yaml"
CATALOG_FILE = ROOT / "frameworks" / "pci-dss-4.yaml"

PINNED = {  # SAQ: (ids in the catalog, ids outside it), as counted from the sources the file names
    "A": (27, 0),
    "B": (27, 0),
    "B-IP": (50, 0),
}
WHOLE = ("D-Merchant", "D-Service-Provider")
"""SAQ D asks every requirement that applies to the entity: no list, the whole standard."""
NOT_CONFIRMED = {"A-EP", "C", "C-VT", "P2PE", "SPoC"}
MERCHANT_SAQS = ("A", "B", "B-IP")
REMOVED_FROM_SAQ_A_IN_R1 = {"6.4.3", "11.6.1", "12.3.1"}
OUTSIDE_CATALOG = re.compile(r"^A2\.1\.[1-3]$")


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SAQ_FILE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def units() -> dict[str, dict[str, Any]]:
    catalog = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))
    return {unit["id"]: unit for unit in catalog["controls"]}


def listed(data: dict[str, Any]) -> dict[str, Any]:
    """The SAQs that select requirements by list (SAQ D takes the whole standard)."""
    return {name: saq for name, saq in data["saqs"].items() if not saq.get("whole_standard")}


def asked(saq: dict[str, Any]) -> set[str]:
    """Every id an SAQ asks about, in the catalog or not."""
    return set(saq["requirements"]) | set(saq["requirements_not_in_catalog"])


def service_provider_only(units: dict[str, dict[str, Any]]) -> set[str]:
    return {
        i
        for i, unit in units.items()
        if unit["kind"] == "requirement"
        and (unit.get("applies_if") or {}).get("pci") == ["service-provider"]
    }


def test_every_saq_is_listed_or_explained(data: dict[str, Any]) -> None:
    assert set(data["saqs"]) == set(PINNED) | set(WHOLE)
    for name in WHOLE:
        assert data["saqs"][name]["whole_standard"] is True
        assert "requirements" not in data["saqs"][name]
    assert set(data["not_confirmed"]) == NOT_CONFIRMED
    for name, entry in data["not_confirmed"].items():
        assert entry["reason"].strip(), name


def test_each_confirmed_saq_cites_its_document_and_source(data: dict[str, Any]) -> None:
    for name, saq in listed(data).items():
        assert "v4.0.1" in saq["document"], name
        assert saq["section"].startswith("Section 2"), name
        assert saq["list_found_in"].strip(), name
        assert saq["cross_checks"], name
        assert saq["applies_to"] in ("merchant", "service-provider"), name


def test_every_id_resolves_to_a_catalog_requirement(
    data: dict[str, Any], units: dict[str, dict[str, Any]]
) -> None:
    for name, saq in listed(data).items():
        unknown = [i for i in saq["requirements"] if i not in units]
        assert not unknown, (name, unknown)
        not_requirements = [i for i in saq["requirements"] if units[i]["kind"] != "requirement"]
        assert not not_requirements, (name, not_requirements)


def test_ids_kept_outside_the_catalog_are_really_outside_it(
    data: dict[str, Any], units: dict[str, dict[str, Any]]
) -> None:
    for name, saq in listed(data).items():
        for i in saq["requirements_not_in_catalog"]:
            assert i not in units, (name, i)
            assert OUTSIDE_CATALOG.match(i), (name, i)


@pytest.mark.parametrize(("name", "counts"), sorted(PINNED.items()))
def test_counts_match_the_sources(data: dict[str, Any], name: str, counts: tuple[int, int]) -> None:
    saq = data["saqs"][name]
    assert (len(saq["requirements"]), len(saq["requirements_not_in_catalog"])) == counts
    assert saq["count"] == sum(counts)


def test_lists_have_no_duplicates_and_follow_catalog_order(
    data: dict[str, Any], units: dict[str, dict[str, Any]]
) -> None:
    position = {i: n for n, i in enumerate(units)}
    for name, saq in listed(data).items():
        ids = saq["requirements"]
        assert len(ids) == len(set(ids)), name
        assert ids == sorted(ids, key=position.__getitem__), name


def test_saq_a_is_a_subset_of_a_ep(data: dict[str, Any]) -> None:
    # A-EP is not confirmed, but even the lower bound seen in its source holds all of SAQ A.
    a_ep_seen = set(data["not_confirmed"]["A-EP"]["ids_seen_in_source"])
    assert asked(data["saqs"]["A"]) <= a_ep_seen


def test_saq_a_revision_1_left_out_the_script_requirements(data: dict[str, Any]) -> None:
    assert not asked(data["saqs"]["A"]) & REMOVED_FROM_SAQ_A_IN_R1
    a_ep_seen = set(data["not_confirmed"]["A-EP"]["ids_seen_in_source"])
    assert a_ep_seen >= REMOVED_FROM_SAQ_A_IN_R1


def test_saq_b_is_a_subset_of_b_ip(data: dict[str, Any]) -> None:
    assert asked(data["saqs"]["B"]) <= asked(data["saqs"]["B-IP"])


def test_merchant_saqs_ask_only_requirements_that_apply_to_merchants(
    data: dict[str, Any], units: dict[str, dict[str, Any]]
) -> None:
    merchant = {i for i, u in units.items() if u["kind"] == "requirement"} - service_provider_only(
        units
    )
    for name in MERCHANT_SAQS:
        assert asked(data["saqs"][name]) <= merchant, name
    for name in ("A-EP", "C", "C-VT"):
        assert set(data["not_confirmed"][name]["ids_seen_in_source"]) <= merchant, name


def test_merchant_saqs_hold_no_service_provider_only_requirement(
    data: dict[str, Any], units: dict[str, dict[str, Any]]
) -> None:
    sp_only = service_provider_only(units)
    for name, saq in listed(data).items():
        if saq["applies_to"] == "merchant":
            assert not set(saq["requirements"]) & sp_only, name


def test_no_requirement_parent_is_left_for_the_engine_to_add(
    data: dict[str, Any], units: dict[str, dict[str, Any]]
) -> None:
    # Only principal parents (1 to 12, A1) may be added; a parent that is itself a requirement must be listed.
    for name, saq in listed(data).items():
        ids = set(saq["requirements"])
        for i in ids:
            parent = units[i]["parent"]
            if units[parent]["kind"] == "requirement":
                assert parent in ids, (name, i, parent)


def test_notes_and_excluded_rows_name_the_right_ids(data: dict[str, Any]) -> None:
    for name, saq in listed(data).items():
        ids = asked(saq)
        assert set(saq.get("notes", {})) <= ids, name
        assert not set(saq.get("excluded_rows", {})) & ids, name
        for text in [*saq.get("notes", {}).values(), *saq.get("excluded_rows", {}).values()]:
            assert isinstance(text, str) and 0 < len(text) < 300, (name, text)


def test_unconfirmed_lower_bounds_resolve_and_keep_their_counts(
    data: dict[str, Any], units: dict[str, dict[str, Any]]
) -> None:
    for name, entry in data["not_confirmed"].items():
        seen = entry.get("ids_seen_in_source", [])
        assert len(seen) == len(set(seen)) == entry.get("ids_seen_in_source_count", 0), name
        for i in seen:
            assert i in units or OUTSIDE_CATALOG.match(i), (name, i)
