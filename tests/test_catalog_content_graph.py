"""Dependency edges: mirror duties of other entities, text versus inferred, and edges to controls
the dependent's organization may be exempt from."""

from __future__ import annotations

from ctrlmap.load.library import Library
from ctrlmap.models import Control
from ctrlmap.models.catalog import FACTS

EDGES_TO_POSSIBLY_EXEMPT = {
    # A depends on B although an organization A applies to may be exempt from B; the engine
    # drops such an edge for the organizations B does not apply to.
    ("glba-safeguards:314.4(j)", "glba-safeguards:314.4(h)"),
    ("hipaa-security:164.308(a)(8)", "hipaa-security:164.308(b)(1)"),
    ("hipaa-security:164.308(a)(8)", "hipaa-security:164.308(b)(2)"),
    ("hipaa-security:164.308(b)(3)", "hipaa-security:164.308(b)(1)"),
    ("hipaa-security:164.308(b)(3)", "hipaa-security:164.308(b)(2)"),
    ("nydfs-500:500.11(b)(1)", "nydfs-500:500.12"),
    ("nydfs-500:500.11(b)(2)", "nydfs-500:500.15"),
    ("nydfs-500:500.12(b)", "nydfs-500:500.4(a)"),
    ("nydfs-500:500.17(a)(1)", "nydfs-500:500.14(a)(1)"),
    ("nydfs-500:500.17(a)(1)", "nydfs-500:500.6(a)(2)"),
    ("nydfs-500:500.17(a)(1)", "nydfs-500:500.16(a)(1)"),
    *(
        ("nydfs-500:500.17(b)(1)(i)(b)", f"nydfs-500:500.{n}")
        for n in (2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 15, 16)
    ),
    ("nydfs-500:500.17(b)(2)", "nydfs-500:500.4(a)"),
}


def allowed(control: Control, fact: str) -> set[str | bool]:
    """The values of a fact an organization may have for the control to apply."""
    conditions = control.applies_if or {}
    return set(conditions[fact]) if fact in conditions else {*FACTS[fact], "(any)"}


def implies(a: Control, b: Control) -> bool:
    """Whether every organization A applies to is one B applies to."""
    return all(allowed(a, fact) <= set(values) for fact, values in (b.applies_if or {}).items())


def test_the_edges_to_controls_an_organization_may_be_exempt_from_are_known(lib: Library) -> None:
    found = set()
    for key, control in lib.controls.items():
        catalog = key.split(":")[0]
        if lib.catalogs[catalog].hub or control.status != "active":
            continue
        for dep in control.depends_on:
            target = lib.resolve(catalog, dep.control)
            if lib.controls[target].status == "active" and not implies(
                control, lib.controls[target]
            ):
                found.add((key, target))
    assert found == EDGES_TO_POSSIBLY_EXEMPT


def test_mirror_duties_of_other_entities_are_not_edges(lib: Library) -> None:
    edges = set(lib.graph.edges)
    for dependent, prerequisite in (
        ("hipaa-breach:164.404", "hipaa-breach:164.410"),
        ("hipaa-security:164.314(a)(2)(i)(C)", "hipaa-breach:164.410"),
        ("hipaa-security:164.314(a)(2)(i)(B)", "hipaa-security:164.308(b)(2)"),
    ):
        assert (dependent, prerequisite) not in edges
    skipped = {
        (s.dependent, s.prerequisite)
        for catalog in ("hipaa-breach", "hipaa-security")
        for s in lib.catalogs[catalog].skipped_dependencies
    }
    assert {
        ("164.404", "164.410"),
        ("164.314(a)(2)(i)(C)", "hipaa-breach:164.410"),
        ("164.314(a)(2)(i)(B)", "164.308(b)(2)"),
    } <= skipped
    # the same-entity half of the research edge stays: a BA's own subcontractor contracts
    assert ("hipaa-security:164.314(a)(2)(iii)", "hipaa-security:164.308(b)(2)") in edges


def test_edges_the_text_does_not_state_are_marked_inferred(lib: Library) -> None:
    def basis(dependent: str, prerequisite: str) -> str:
        control = lib.controls[f"nydfs-500:{dependent}"]
        return next(d.basis for d in control.depends_on if d.control == prerequisite)

    assert basis("500.17(a)(1)", "500.11(b)(3)") == "inferred"
    for prerequisite in ("500.9", "500.16", "500.17(a)"):
        assert basis("500.4(b)", prerequisite) == "inferred", prerequisite
    assert basis("500.4(b)", "500.3") == "text"  # (b)(2) names the policies and procedures
