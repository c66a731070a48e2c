"""The assignment engine: each step of the resolution, and properties over random profiles."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctrlmap.assessment.assign import assign_owners
from ctrlmap.load.library import Library
from ctrlmap.models import REGULATORY_CATALOGS, Profile
from ctrlmap.models.results import Assignment, AssignResult
from ctrlmap.present.matrix import by_provider
from tests.builders import BASE, profile, with_defaults

EXAMPLES = ["clinic", "cpa-firm", "law-firm", "mortgage-lender"]


def one(result: AssignResult, key: str) -> Assignment:
    (found,) = [a for a in result.assignments if a.control == key]
    return found


def steps(a: Assignment) -> list[str]:
    return [s.step for s in a.basis]


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("model", ["co-managed", "fully-managed"])
def test_every_example_assigns_every_control_exactly_once(
    lib: Library, load_example: Callable[[str], Profile], example: str, model: str
) -> None:
    loaded = load_example(example)
    result = assign_owners(loaded, lib, model)
    keys = [a.control for a in result.assignments]
    expected = [
        f"{fw}:{c.id}"
        for fw in loaded.frameworks
        for c in lib.catalogs[fw].controls
        if c.status == "active"
    ]
    assert keys == expected
    for a in result.assignments:
        if a.applicable:
            assert (
                a.owner in ("internal", "provider", "shared", "unassigned") and a.raci is not None
            )
            assert a.basis, a.control
        else:
            assert a.owner is None and a.raci is None and a.excluded_by


def test_an_override_beats_the_model(lib: Library) -> None:
    key = "hipaa-security:164.312(b)"  # security-monitoring: provider under co-managed
    loaded = profile(
        lib,
        overrides=[
            {
                "control": key,
                "owner": "internal",
                "accountable": "internal",
                "reason": "We review our own audit logs",
                "reference": "Policy 7",
            }
        ],
    )
    a = one(assign_owners(loaded, lib), key)
    assert a.owner == "internal" and a.raci and a.raci.responsible == ("internal",)
    assert a.basis[0].step == "override" and "We review our own audit logs" in a.basis[0].text


def test_override_fields_left_out_fall_back_to_the_model(lib: Library) -> None:
    key = "hipaa-security:164.312(b)"
    loaded = profile(
        lib,
        overrides=[{"control": key, "consulted": ["internal"], "reason": "Keep us in the loop"}],
    )
    a = one(assign_owners(loaded, lib), key)
    assert a.owner == "provider" and a.raci and a.raci.accountable == "msp"
    assert "model" in steps(a)


def test_an_override_can_make_nobody_accountable_on_purpose(lib: Library) -> None:
    key = "hipaa-security:164.310(c)"
    loaded = profile(
        lib,
        overrides=[{"control": key, "accountable": None, "reason": "Being decided by the board"}],
    )
    a = one(assign_owners(loaded, lib), key)
    assert a.raci and a.raci.accountable is None and a.raci.accountable_person is None


def test_disagreeing_functions_make_the_control_shared(lib: Library) -> None:
    # 164.308(a)(1)(ii)(D) information system activity review: security-monitoring (provider)
    loaded = profile(lib, internal=[{"id": "ann", "name": "Ann", "functions": ["governance"]}])
    result = assign_owners(loaded, lib, arrangement="target")
    mixed = [
        a
        for a in result.assignments
        if a.applicable and {"internal", "provider"} <= {s.owner for s in a.shares if s.function}
    ]
    assert mixed and all(
        a.owner in ("shared", "unassigned") or len(a.raci.responsible) > 1 for a in mixed
    )  # type: ignore[union-attr]
    assert all(a.basis[-1].text.startswith(f"Result: owner {a.owner};") for a in mixed)


def test_non_delegable_control_keeps_the_organisation_accountable_when_everything_is_outsourced(
    lib: Library,
) -> None:
    everything = with_defaults(
        lib.models["fully-managed"],
        "all-out",
        **{f: {"owner": "provider", "accountable": "provider"} for f in lib.functions},
    )
    custom = dataclasses.replace(lib, models={**lib.models, "all-out": everything})
    loaded = profile(
        lib, providers=[{"id": "msp", "name": "MSP", "functions": list(lib.functions)}]
    )
    result = assign_owners(loaded, custom, "all-out")
    key = "hipaa-security:164.308(a)(2)"
    a = one(result, key)
    assert a.raci and a.raci.accountable == "internal" and a.raci.accountable_person == "ann"
    assert "non-delegable" in steps(a)
    ordinary = one(result, "hipaa-security:164.312(b)")
    assert ordinary.raci and ordinary.raci.accountable == "msp"


def test_several_providers_split_the_work_by_agreement(lib: Library) -> None:
    loaded = profile(
        lib,
        model="fully-managed",
        providers=[
            {"id": "net", "name": "NetCo", "functions": ["network-administration"]},
            {"id": "soc", "name": "SOC Co", "functions": ["security-monitoring"]},
        ],
    )
    result = assign_owners(loaded, lib)
    # ann covers network-administration too: the organization and NetCo each do their share
    assert one(result, "hipaa-security:164.312(e)(1)").raci.responsible == ("internal", "net")  # type: ignore[union-attr]
    assert one(result, "hipaa-security:164.312(b)").raci.responsible == ("soc",)  # type: ignore[union-attr]
    uncovered = one(
        result, "hipaa-security:164.308(a)(7)(ii)(A)"
    )  # backup-recovery: nobody contracted
    assert uncovered.owner == "unassigned"
    assert any("2 operational providers" in s.text for s in uncovered.basis)


def test_a_sole_uncontracted_provider_is_named_and_flagged(lib: Library) -> None:
    result = assign_owners(profile(lib), lib)  # msp covers only security-monitoring
    a = one(
        result, "hipaa-security:164.308(a)(7)(ii)(A)"
    )  # backup-recovery: provider under co-managed
    assert a.raci and a.raci.responsible == ("msp",)
    assert [s.contracted for s in a.shares] == [False]
    assert any("not contracted" in s.text for s in a.basis)


def test_the_designated_holder_is_responsible(lib: Library) -> None:
    loaded = profile(
        lib,
        model="fully-managed",
        designations={"security-official": {"holder": "msp", "overseer": "ann"}},
    )
    a = one(assign_owners(loaded, lib), "hipaa-security:164.308(a)(2)")
    assert a.raci and "msp" in a.raci.responsible
    assert a.raci.accountable == "internal" and a.raci.accountable_person == "ann"
    assert any(s.source == "designation" for s in a.shares)


def test_nobody_to_name_makes_accountable_null(lib: Library) -> None:
    loaded = profile(lib, internal=[{"id": "ann", "name": "Ann", "functions": ["help-desk"]}])
    a = one(
        assign_owners(loaded, lib), "hipaa-security:164.310(a)(1)"
    )  # physical-security, internal
    assert a.raci and a.raci.accountable is None
    assert steps(a)[-2:] == ["accountable-person", "result"]


def test_not_applicable_controls_get_no_owner_and_say_why(lib: Library) -> None:
    result = assign_owners(profile(lib), lib)
    a = one(result, "hipaa-security:164.308(a)(4)(ii)(A)")
    assert not a.applicable and a.owner is None and a.raci is None
    assert a.excluded_by == {"hipaa-clearinghouse": (True,)}
    assert "it applies only when the organization is a health care clearinghouse" in a.basis[0].text


def test_outsourced_role_switches_on_the_retained_responsibility_units(lib: Library) -> None:
    base = {**BASE, "frameworks": ["glba-safeguards"]}
    internal_qi = assign_owners(
        profile(lib, base, designations={"qualified-individual": {"holder": "ann"}}), lib
    )
    outsourced = assign_owners(
        profile(
            lib, base, designations={"qualified-individual": {"holder": "msp", "overseer": "ann"}}
        ),
        lib,
    )
    assert not one(internal_qi, "glba-safeguards:314.4(a)(2)").applicable
    assert one(outsourced, "glba-safeguards:314.4(a)(2)").applicable


def test_an_independent_assessor_takes_independent_work(lib: Library) -> None:
    base = {**BASE, "frameworks": ["pci-dss-4"]}
    loaded = profile(
        lib,
        base,
        providers=[
            *BASE["providers"],
            {
                "id": "audit",
                "name": "Audit Co",
                "functions": ["independent-assessment"],
                "independent": True,
            },
        ],
    )
    a = one(assign_owners(loaded, lib), "pci-dss-4:11.4.2")
    assert a.raci and "audit" in a.raci.responsible
    assert "independence" in steps(a)


def test_a_dependency_outside_the_frameworks_is_never_assigned(lib: Library) -> None:
    loaded = profile(lib, frameworks=["hipaa-breach"])  # hipaa-breach depends on hipaa-security
    result = assign_owners(loaded, lib)
    assert {a.framework for a in result.assignments} == {"hipaa-breach"}


def test_designations_are_reported_beside_the_assignments(lib: Library) -> None:
    loaded = profile(lib, designations={"security-official": {"holder": "msp", "overseer": "ann"}})
    entry = assign_owners(loaded, lib).designations["security-official"]
    assert (entry.holder, entry.holder_party, entry.overseer, entry.required) == (
        "msp",
        "msp",
        "ann",
        True,
    )


def test_by_provider_matrix_partitions_what_the_provider_touches(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    loaded = load_example("mortgage-lender")
    result = assign_owners(loaded, lib)
    matrix = by_provider(result, loaded)
    keystone = next(p for p in matrix.providers if p.provider == "keystone")
    for key in keystone.managed_by_provider:
        assert one(result, key).raci.responsible == ("keystone",)  # type: ignore[union-attr]
    for key in keystone.shared:
        assert "keystone" in one(result, key).raci.responsible  # type: ignore[union-attr]
    assert not set(keystone.managed_by_provider) & set(keystone.shared)


# --- properties over random profiles ------------------------------------------------------------

FRAMEWORKS = list(REGULATORY_CATALOGS)
PARTY_DEFAULTS = st.tuples(
    st.sampled_from(["internal", "provider", "shared"]), st.sampled_from(["internal", "provider"])
)


@st.composite
def random_profiles(draw: st.DrawFn, lib: Library) -> Profile:
    functions = sorted(lib.functions)
    people = [
        {
            "id": f"p{i}",
            "name": f"Person {i}",
            "functions": sorted(
                {"governance", *draw(st.lists(st.sampled_from(functions), max_size=6))}
            ),
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    frameworks = draw(st.lists(st.sampled_from(FRAMEWORKS), min_size=1, max_size=3, unique=True))
    holder = draw(st.sampled_from(["p0", "msp"]))
    roles = {"security-official", "qualified-individual", "ciso"}
    return profile(
        lib,
        {
            "organization": {"name": "Random"},
            "frameworks": frameworks,
            "model": "co-managed",
            "internal": people,
            "providers": [{"id": "msp", "name": "MSP", "functions": functions}],
            "designations": {
                r: {"holder": holder, "overseer": "p0"}
                for r in draw(st.sets(st.sampled_from(sorted(roles))))
            },
        },
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_each_control_appears_exactly_once(lib: Library, data: st.DataObject) -> None:
    loaded = data.draw(random_profiles(lib))
    keys = [a.control for a in assign_owners(loaded, lib).assignments]
    assert len(keys) == len(set(keys))
    assert set(keys) == {
        f"{fw}:{c.id}"
        for fw in loaded.frameworks
        for c in lib.catalogs[fw].controls
        if c.status == "active"
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_assignments_follow_their_functions_defaults_and_nothing_else(
    lib: Library, data: st.DataObject
) -> None:
    loaded = data.draw(random_profiles(lib))
    changed = data.draw(
        st.dictionaries(
            st.sampled_from(sorted(lib.functions)), PARTY_DEFAULTS, min_size=1, max_size=6
        )
    )
    base = lib.models["co-managed"]
    actually = {
        f
        for f, (o, a) in changed.items()
        if (o, a) != (base.functions[f].owner, base.functions[f].accountable)
    }
    variant = with_defaults(
        base, "variant", **{f: {"owner": o, "accountable": a} for f, (o, a) in changed.items()}
    )
    custom = dataclasses.replace(lib, models={**lib.models, "variant": variant})
    # the model's defaults decide every share only in the target arrangement
    before = assign_owners(loaded, custom, "co-managed", arrangement="target")
    after = assign_owners(loaded, custom, "variant", arrangement="target")
    for x, y in zip(before.assignments, after.assignments, strict=True):
        control = lib.controls[x.control]
        if not x.applicable:
            assert not y.applicable
            continue
        same = (x.owner, x.raci, x.people) == (y.owner, y.raci, y.people)
        if not set(control.functions) & actually:
            assert same, x.control
        elif (
            len(control.functions) == 1
            and control.accountability != "non-delegable"
            and not control.designation
            and not control.duty_of
        ):
            # a designated role's holder is Responsible whatever the model says, so it can mask the change
            assert (x.owner, x.raci.responsible, x.raci.accountable) != (
                y.owner,
                y.raci.responsible,
                y.raci.accountable,
            ), x.control  # type: ignore[union-attr]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_assign_json_round_trips_through_the_models(lib: Library, data: st.DataObject) -> None:
    from ctrlmap.formats.json import dump

    result = assign_owners(data.draw(random_profiles(lib)), lib)
    text = dump(result)
    again = AssignResult.model_validate_json(text)
    assert again == result and dump(again) == text


def test_a_custom_model_from_a_catalog_dir_is_used_with_model(
    invoke: Callable[..., object], tmp_path: object
) -> None:
    from pathlib import Path

    from tests.conftest import ROOT

    folder = Path(str(tmp_path))
    (folder / "models").mkdir()
    text = (ROOT / "frameworks" / "models" / "co-managed.yaml").read_text()
    text = (
        text.replace("id: co-managed", "id: soc-outsourced")
        .replace("title: Co-managed IT", "title: SOC outsourced")
        .replace("  incident-response: {owner: shared,", "  incident-response: {owner: provider,")
    )
    (folder / "models" / "soc-outsourced.yaml").write_text(text)
    result = invoke(
        "--catalog-dir",
        str(folder),
        "assign",
        str(ROOT / "examples" / "clinic.yaml"),
        "--model",
        "soc-outsourced",
        "--explain",
        "hipaa-security:164.308(a)(6)(ii)",
    )
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    # Dana covers incident-response and Harbor does not: the model's default does not move it,
    # and the basis says the arrangement departs from the model
    out = result.stdout  # type: ignore[attr-defined]
    assert "model SOC outsourced; owner internal" in out
    assert (
        "departs from the SOC outsourced model, in which incident response is done by the provider"
        in out
    )


def test_an_override_naming_only_a_provider_picks_it(lib: Library) -> None:
    providers = [
        {"id": "a", "name": "A", "functions": ["patch-management"]},
        {"id": "b", "name": "B", "functions": ["patch-management"]},
    ]
    key = "pci-dss-4:6.3.3"
    base = {**BASE, "frameworks": ["pci-dss-4"], "providers": providers}
    plain = one(assign_owners(profile(lib, base), lib), key)
    assert plain.responsible == ("a", "b") and plain.accountable is None
    chosen = one(
        assign_owners(
            profile(
                lib, base, overrides=[{"control": key, "provider": "b", "reason": "B patches"}]
            ),
            lib,
        ),
        key,
    )
    assert chosen.responsible == ("b",) and chosen.accountable == "b"
    internal_only = profile(
        lib, base, overrides=[{"control": "pci-dss-4:7.2.1", "provider": "b", "reason": "try"}]
    )
    kept = one(assign_owners(internal_only, lib), "pci-dss-4:7.2.1")
    assert kept.responsible == ("internal",)
    assert any("give an owner in the override" in s.text for s in kept.basis)


def test_the_resolution_cache_never_lends_one_control_another_citation(lib: Library) -> None:
    from ctrlmap.models import Catalog

    twins = Catalog.model_validate(
        {
            "id": "twins",
            "title": "Twins",
            "version": "1",
            "controls": [
                {
                    "id": f"A-{i}",
                    "title": f"Audit {i}",
                    "summary": "An audit.",
                    "citation": f"Twins {i}",
                    "kind": "requirement",
                    "level": "required",
                    "functions": ["independent-assessment"],
                }
                for i in (1, 2)
            ],
        }
    )
    custom = dataclasses.replace(lib, catalogs={**lib.catalogs, "twins": twins})
    assessor = {
        "id": "audit",
        "name": "Audit",
        "functions": ["independent-assessment"],
        "independent": True,
    }
    loaded = profile(
        custom, {**BASE, "frameworks": ["twins"]}, providers=[*BASE["providers"], assessor]
    )
    cited = [
        step.citation
        for a in assign_owners(loaded, custom).assignments
        for step in a.basis
        if step.step == "independence"
    ]
    assert cited == ["Twins 1", "Twins 2"]


def test_a_coverage_step_names_five_people_and_counts_the_rest(lib: Library) -> None:
    crowd = [
        {"id": f"p{i}", "name": f"Person {i}", "functions": ["access-management"]} for i in range(8)
    ]
    loaded = profile(lib, internal=[*BASE["internal"], *crowd])
    result = assign_owners(loaded, lib)
    found = next(
        (a, step)
        for a in result.assignments
        for step in a.basis
        if step.step == "coverage" and step.text.startswith("Access management is done by")
    )
    assignment, step = found
    assert "Person 0, Person 1, Person 2, Person 3, Person 4 and 3 more (internal)" in step.text
    assert "Person 5" not in step.text
    assert {f"p{i}" for i in range(8)} <= set(assignment.people)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_controls_numbered_alike_were_resolved_alike(lib: Library, data: st.DataObject) -> None:
    """The gap rules work once per resolution number (Context.alike): controls sharing a number
    must have the same framework, functions, independence, shares and RACI."""
    from ctrlmap.assessment.assign import assign_all
    from ctrlmap.assessment.context import Context

    loaded = data.draw(random_profiles(lib))
    ctx = Context.build(loaded, lib.model(loaded.model), lib)
    result = assign_all(ctx)
    seen: dict[int, tuple[object, ...]] = {}
    for a in result.assignments:
        if not a.applicable:
            assert a.control not in ctx.alike
            continue
        control = lib.controls[a.control]
        what = (a.framework, control.functions, control.independence, a.shares, a.raci)
        assert seen.setdefault(ctx.alike[a.control], what) == what
    assert len(set(ctx.alike.values())) == len(ctx.resolved) + sum(
        1 for key in ctx.alike if key in ctx.overrides
    )
