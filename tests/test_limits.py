"""The size limits (refused with exit 2, naming file, field, limit and fix) and the linear helpers
that keep large inputs fast: bitset reach, "did you mean" over a large catalog's ids."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest
from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st

from ctrlmap.load import resources
from ctrlmap.load.graph import Reach, Scope, dependents
from ctrlmap.load.library import Library
from ctrlmap.load.problems import SCORED_AT_MOST, unknown


def small_profile(people: int = 2, providers: int = 2, overrides: int = 1) -> dict[str, object]:
    return {
        "organization": {"name": "Small"},
        "frameworks": ["hipaa-breach"],
        "model": "co-managed",
        "internal": [
            {"id": f"p{i}", "name": f"Person {i}", "functions": ["governance"]}
            for i in range(people)
        ],
        "providers": [
            {"id": f"v{i}", "name": f"Provider {i}", "functions": ["help-desk"]}
            for i in range(providers)
        ],
        "overrides": [
            {"control": "hipaa-breach:164.404", "owner": "internal", "reason": f"Reason {i}"}
            for i in range(overrides)
        ],
    }


def refused(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    return line


@pytest.mark.parametrize(
    ("limit", "section", "noun"),
    [
        ("MAX_PEOPLE", "internal", "people"),
        ("MAX_PROVIDERS", "providers", "providers"),
        ("MAX_OVERRIDES", "overrides", "overrides"),
    ],
)
def test_a_profile_over_a_size_limit_is_refused_naming_file_field_limit_and_fix(
    invoke: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
    section: str,
    noun: str,
) -> None:
    monkeypatch.setattr(resources, limit, 1)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(small_profile(people=2, providers=2, overrides=2)))
    line = refused(invoke("gaps", str(path)))
    assert line.startswith("Error: ")
    assert (
        f"big.json:1: {section}: 2 {noun} is over ctrlmap's limit of 1; split the profile" in line
    )


def test_a_profile_at_the_limits_is_assessed(
    invoke: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for limit in ("MAX_PEOPLE", "MAX_PROVIDERS", "MAX_OVERRIDES"):
        monkeypatch.setattr(resources, limit, 2)
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(small_profile(people=2, providers=2, overrides=1)))
    assert invoke("gaps", str(path), "--as-of", "2026-12-01").exit_code == 0


def test_a_library_over_the_control_limit_is_refused_naming_the_catalog_that_crosses_it(
    invoke: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lib: Library
) -> None:
    builtin = sum(len(cat.controls) for cat in lib.catalogs.values())
    monkeypatch.setattr(resources, "MAX_CONTROLS", builtin + 2)
    folder = tmp_path / "cats"
    folder.mkdir()
    controls = [
        {
            "id": f"C-{i}",
            "title": f"Control {i}",
            "summary": "A control.",
            "citation": f"Mine {i}",
            "kind": "requirement",
            "level": "required",
            "functions": ["governance"],
        }
        for i in range(3)
    ]
    (folder / "mine.json").write_text(
        json.dumps({"id": "mine", "title": "Mine", "version": "1", "controls": controls})
    )
    line = refused(invoke("--catalog-dir", str(folder), "frameworks", "list"))
    assert (
        f"mine.json:1: controls: the catalogs hold {builtin + 3:,} controls in all (3 here)" in line
    )
    assert f"over ctrlmap's limit of {builtin + 2:,}; split the catalog" in line


def test_the_limits_are_far_above_real_use() -> None:
    assert resources.MAX_CONTROLS >= 10_000
    assert resources.MAX_PEOPLE >= 1_000
    assert resources.MAX_PROVIDERS >= 200
    assert resources.MAX_OVERRIDES >= 5_000


@st.composite
def dags(draw: st.DrawFn) -> nx.DiGraph[str]:
    """A random dependency graph: each control depends on some earlier ones."""
    size = draw(st.integers(1, 25))
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(f"n{i}" for i in range(size))
    for i in range(1, size):
        for j in draw(st.sets(st.integers(0, i - 1), max_size=3)):
            graph.add_edge(f"n{i}", f"n{j}")
    return graph


@given(dags(), st.data())
def test_bitset_reach_matches_the_walk_against_the_edges(
    graph: nx.DiGraph[str], data: st.DataObject
) -> None:
    nodes = sorted(graph)
    keys = data.draw(st.sets(st.sampled_from(nodes), max_size=4))
    within = data.draw(st.sets(st.sampled_from(nodes)))
    scope = Scope(graph, dependents(graph))
    reach = Reach.build(graph, within)
    assert reach.downstream(keys) == scope.downstream(keys, within)
    assert reach.count(keys) == len(scope.downstream(keys, within))
    assert scope.weights == {n: len(nx.ancestors(graph, n)) for n in graph}


def test_a_chain_keeps_one_integer_per_control() -> None:
    graph: nx.DiGraph[str] = nx.DiGraph()
    nx.add_path(graph, [f"n{i}" for i in range(3000)])
    reach = Reach.build(graph)
    assert reach.count(["n2999"]) == 2999
    assert reach.downstream(["n1"]) == {"n0"}


def test_did_you_mean_on_a_large_catalog_looks_beside_the_unknown_id() -> None:
    ids = tuple(sorted(f"S-{i}" for i in range(SCORED_AT_MOST * 10)))
    assert unknown("control", "S-1234x", ids).endswith("did you mean 'S-1234'?")
    far = unknown("control", "T-1", ids)
    assert far.startswith("unknown control 'T-1'; ")


def test_the_at_risk_chain_is_the_shortest_path_to_the_first_nearest_target() -> None:
    from ctrlmap.assessment.gaps.dependencies import _chain

    graph: nx.DiGraph[str] = nx.DiGraph()
    nx.add_path(graph, ["a", "b", "c", "d"])
    graph.add_edge("a", "x")
    assert _chain(graph, "a", {"d", "x", "c"}) == ["a", "x"]
    assert _chain(graph, "a", {"d", "c"}) == ["a", "b", "c"]
    assert _chain(graph, "d", {"a"}) == ["d"]
    assert _chain(graph, "missing", {"a"}) == ["missing"]
