"""The dependency graph: direction, parents, external nodes, weights, and the graph command."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable

import networkx as nx
import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from ctrlmap.load.graph import build_graph, build_scope, dependents, scope
from ctrlmap.load.library import Library
from ctrlmap.models import REGULATORY_CATALOGS, Catalog
from tests.conftest import EXAMPLES


def test_an_edge_points_from_a_control_to_its_prerequisite(lib: Library) -> None:
    graph = lib.graph
    # risk management depends on risk analysis; a specification depends on its standard
    assert graph.has_edge(
        "hipaa-security:164.308(a)(1)(ii)(B)", "hipaa-security:164.308(a)(1)(ii)(A)"
    )
    assert (
        graph.edges["hipaa-security:164.308(a)(1)(ii)(A)", "hipaa-security:164.308(a)(1)(i)"][
            "kind"
        ]
        == "parent"
    )
    assert "hipaa-security:164.308(a)(1)(ii)(B)" in nx.ancestors(
        graph, "hipaa-security:164.308(a)(1)(ii)(A)"
    )


def test_scope_marks_other_catalogs_as_external(lib: Library) -> None:
    scoped = lib.scope(["hipaa-breach"]).graph
    external = {n for n, d in scoped.nodes(data=True) if d["external"]}
    assert "hipaa-security:164.308(a)(6)(ii)" in external
    assert all(n.startswith("hipaa-security:") for n in external)
    assert not any(scoped.out_degree(n) for n in external)


def test_proposed_controls_are_in_scope_only_when_asked(lib: Library) -> None:
    assert "hipaa-security:proposed-asset-inventory" not in lib.scope(["hipaa-security"]).graph
    assert "hipaa-security:proposed-asset-inventory" in lib.scope(["hipaa-security"], True).graph


def test_scope_is_built_once_per_catalog_set(lib: Library) -> None:
    assert lib.scope(["hipaa-security", "hipaa-breach"]) is lib.scope(
        ["hipaa-breach", "hipaa-security"]
    )


@pytest.mark.parametrize(
    "frameworks",
    [["hipaa-breach"], ["hipaa-security", "hipaa-breach"], sorted(REGULATORY_CATALOGS), ["none"]],
)
@pytest.mark.parametrize("include_proposed", [False, True])
def test_a_scope_built_before_the_whole_graph_is_the_scope_of_the_whole_graph(
    lib: Library, frameworks: list[str], include_proposed: bool
) -> None:
    fresh = dataclasses.replace(lib)  # nothing derived yet: its scope builds a partial graph
    early = fresh.scope(frameworks, include_proposed)
    assert "graph" not in fresh.__dict__
    whole = build_scope(lib.graph, sorted(frameworks), include_proposed)
    assert sorted(early.graph.nodes(data=True)) == sorted(whole.graph.nodes(data=True))
    assert sorted(early.graph.edges(data=True)) == sorted(whole.graph.edges(data=True))
    assert early.weights == whole.weights


@st.composite
def random_catalogs(draw: st.DrawFn) -> Catalog:
    size = draw(st.integers(1, 40))
    controls = []
    for i in range(size):
        deps = draw(st.sets(st.integers(0, i - 1), max_size=3)) if i else set()
        parent = draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None
        controls.append(
            {
                "id": f"C-{i}",
                "title": f"C {i}",
                "summary": "x",
                "citation": f"C {i}",
                "kind": "requirement",
                "level": "required",
                "functions": ["governance"],
                "parent": f"C-{parent}" if parent is not None else None,
                "depends_on": [f"C-{d}" for d in sorted(deps) if d != parent],
            }
        )
    return Catalog.model_validate(
        {"id": "random", "title": "Random", "version": "1", "controls": controls}
    )


@settings(max_examples=60, deadline=None)
@given(catalog=random_catalogs())
def test_graph_properties_on_random_catalogs(catalog: Catalog) -> None:
    fake = Library(functions={}, catalogs={"random": catalog}, models={})
    graph = build_graph(fake)
    assert nx.is_directed_acyclic_graph(graph)
    order = {node: i for i, node in enumerate(nx.topological_sort(graph))}
    for control in catalog.controls:
        key = f"random:{control.id}"
        for dep in control.depends_on:
            assert graph.has_edge(key, f"random:{dep.control}")
            assert (
                order[key] < order[f"random:{dep.control}"]
            )  # a dependent comes before its prerequisite
        if control.parent:
            assert graph.has_edge(key, f"random:{control.parent}")
    weights = dependents(graph)
    assert weights == {node: len(nx.ancestors(graph, node)) for node in graph}
    assert set(scope(graph, ["random"])) == set(graph)


def test_graph_command_dot_and_json(invoke: Callable[..., Result]) -> None:
    dot = invoke("graph", str(EXAMPLES / "clinic.yaml"))
    assert dot.exit_code == 0
    assert dot.stdout.startswith('digraph "ctrlmap: Riverside Family Clinic" {')
    assert "subgraph cluster_0" in dot.stdout and 'color="#c0392b"' in dot.stdout
    data = json.loads(invoke("graph", str(EXAMPLES / "clinic.yaml"), "--format", "json").stdout)
    assert data["schema"] == "ctrlmap/graph@1"
    assert {"id", "owner"} <= set(data["nodes"][0]) and {"from", "to"} <= set(data["edges"][0])
    keys = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in keys and e["to"] in keys for e in data["edges"])


def test_graph_command_framework_filter(invoke: Callable[..., Result]) -> None:
    data = json.loads(
        invoke(
            "graph",
            str(EXAMPLES / "clinic.yaml"),
            "--framework",
            "hipaa-breach",
            "--format",
            "json",
        ).stdout
    )
    assert {n["framework"] for n in data["nodes"] if not n["external"]} == {"hipaa-breach"}
    context = {n["id"] for n in data["nodes"] if n["external"]}
    assert "hipaa-security:164.308(a)(6)(ii)" in context
    assert any(e["to"] == "hipaa-security:164.308(a)(6)(ii)" for e in data["edges"])
    bad = invoke("graph", str(EXAMPLES / "clinic.yaml"), "--framework", "pci-dss-4")
    assert bad.exit_code == 2 and "not one of the profile's frameworks" in bad.stderr


def test_weights_follow_the_library_graph(lib: Library) -> None:
    scoped = lib.scope(["hipaa-security"])
    key = "hipaa-security:164.308(a)(1)(ii)(A)"
    assert scoped.weight(key) == len(nx.ancestors(scoped.graph, key))
    unused = dataclasses.replace(lib)
    assert unused.scope(["hipaa-security"]).weights == scoped.weights


def test_an_edge_to_a_control_that_does_not_apply_is_dropped_and_says_so(lib: Library) -> None:
    from ctrlmap.assessment.pipeline import assess
    from ctrlmap.present.graph import graph_view
    from tests.builders import BASE, profile

    exempt = profile(
        lib, {**BASE, "frameworks": ["nydfs-500"], "applicability": {"nydfs": "limited-exemption"}}
    )
    a = assess(exempt, lib, None, dt.date(2026, 12, 1))
    view = graph_view(a)
    applies = {n.id: n.applicable for n in view.nodes}
    dropped = [e for e in view.edges if e.dropped]
    assert dropped
    for e in view.edges:
        assert e.dropped == (not (applies[e.from_] and applies[e.to])), (e.from_, e.to)
    # the walk downstream of a finding stays among the controls that apply
    graph = a.scope.graph
    walks = 0
    for e in dropped:
        if applies[e.to]:
            continue  # dropped because its dependent does not apply
        for prerequisite in graph.successors(e.to):
            reached = a.scope.downstream([prerequisite], a.applicable.keys())
            assert e.to not in reached and reached <= a.applicable.keys()
            walks += 1
    assert walks
    assert a.scope.downstream([e.to for e in dropped if not applies[e.to]]) - a.applicable.keys()
