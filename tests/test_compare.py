"""Model comparison and the transition plan: properties on random graphs, and the shipped examples."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctrlmap.analyse.compare import compare_with, default_target, movement
from ctrlmap.assessment.assign import assign_owners
from ctrlmap.assessment.context import Arrangement
from ctrlmap.assessment.pipeline import assess
from ctrlmap.errors import CtrlmapError
from ctrlmap.formats.json import dump
from ctrlmap.formats.table import compare as render_table
from ctrlmap.load.library import Library
from ctrlmap.models import Catalog, Profile
from ctrlmap.models.comparison import MOVEMENTS, CompareResult
from ctrlmap.models.results import Assignment, AssignResult, Gap, Raci, Share
from tests.builders import profile, with_defaults

AS_OF = dt.date(2026, 6, 1)
EXAMPLES = ["clinic", "cpa-firm", "law-firm", "mortgage-lender"]
PAIRS = [("internal", "internal"), ("provider", "provider"), ("provider", "internal"),
         ("shared", "internal"), ("shared", "provider"), ("internal", "provider")]  # fmt: skip
PARTY_DEFAULTS = st.sampled_from(PAIRS)


def compare(
    loaded: Profile,
    lib: Library,
    from_model: str | None,
    to_model: str | None,
    arrangement: Arrangement = "actual",
) -> CompareResult:
    """Compare as `ctrlmap compare` does: the profile as arranged today under FROM against TO's
    defaults (with `arrangement="target"`, FROM's defaults against TO's: two models alone)."""
    return compare_with(assess(loaded, lib, from_model, AS_OF, arrangement=arrangement), to_model)


def applicable(result: AssignResult) -> dict[str, Assignment]:
    return {a.control: a for a in result.assignments if a.applicable}


def crossings(prerequisite: Assignment, dependent: Assignment) -> set[tuple[str, str]]:
    """The hand-offs a dependency needs: every party of the prerequisite to every other of the dependent."""
    assert prerequisite.raci is not None and dependent.raci is not None
    before, after = set(prerequisite.raci.responsible), set(dependent.raci.responsible)
    # two parties that both work on both controls divide the work by their split, not a hand-off
    return {(p, q) for p in before for q in after if p != q and not (p in after and q in before)}


def check_plan(
    result: CompareResult, lib: Library, loaded: Profile, arrangement: Arrangement = "actual"
) -> None:
    """The plan's contract, checked independently of how compare.py builds it."""
    frameworks = list(loaded.frameworks)
    before = applicable(
        assign_owners(loaded, lib, result.from_, frameworks, arrangement=arrangement)
    )
    after = applicable(assign_owners(loaded, lib, result.to, frameworks, arrangement="target"))

    def parties(a: Assignment) -> tuple[frozenset[str], str | None]:
        assert a.raci is not None
        return frozenset(a.raci.responsible), a.raci.accountable

    moving = {k for k in before if parties(before[k]) != parties(after[k])}
    assert {c.control for c in result.changes} == moving
    assert result.summary.moving + result.summary.untouched == result.summary.applicable
    assert result.summary.applicable == len(before)
    assert set(result.untouched) == set(before) - moving

    phases = result.phases
    assert [p.phase for p in phases] == list(range(1, len(phases) + 1))
    assert phases[0].kind == "prepare" and phases[-1].kind == "close"
    assert all(p.kind == "move" for p in phases[1:-1])
    for edge in (phases[0], phases[-1]):
        assert edge.actions and not edge.controls and not edge.handoffs
        assert all(a.text for a in edge.actions)

    # Work nobody would do under the target is no cut-over: phase 1 decides who does it (a
    # decision per function) and it stays with its current parties meanwhile.
    # Nobody takes work on where nobody is named, or where the provider named is not contracted
    # for it (a sole provider named by default): a control none of whose changing work is taken
    # on by a party contracted or staffed for it stays put until phase 1's decision.
    def untaken(s: Share) -> bool:
        return bool(s.function) and (not s.parties or not s.contracted)

    def changing(k: str) -> set[str | None]:
        was = {s.function: set(s.parties) for s in before[k].shares}
        return {
            s.function
            for s in after[k].shares
            if s.function and set(s.parties) != was.get(s.function, set())
        }

    stranded = {
        k
        for k in moving
        if not after[k].raci
        or not after[k].raci.responsible
        or (changing(k) and all(untaken(s) for s in after[k].shares if s.function in changing(k)))
    }
    emptied = {s.function for k in moving for s in after[k].shares if untaken(s)}
    decided = {f for a in phases[0].actions if a.text.startswith("Decide who") for f in a.functions}
    assert emptied <= decided, emptied - decided
    placed = [k for p in phases for k in p.controls]
    assert sorted(placed) == sorted(moving - stranded), "each moving control in exactly one phase"
    assert all(p.controls for p in phases[1:-1]), "no empty movement phase"
    phase_of = {k: p.phase for p in phases for k in p.controls}
    assert {c.control: c.phase for c in result.changes} == {
        **phase_of,
        **dict.fromkeys(stranded, 1),
    }
    after = {k: before[k] if k in stranded else a for k, a in after.items()}

    # No control moves before a moving control it depends on, directly or through any others:
    # a prerequisite moves in an earlier phase or in the same one.
    graph = lib.scope(frameworks).graph
    for key in moving - stranded:
        for prerequisite in nx.descendants(graph, key) & (moving - stranded):
            assert phase_of[prerequisite] <= phase_of[key], (key, prerequisite)

    # Every dependency stays covered: at every point of the plan, each hand-off a dependency
    # needs was needed before the plan started or is listed by a phase that has begun and whose
    # interim need has not ended.
    listed: dict[tuple[str, str], set[tuple[str, str, int, int | None]]] = defaultdict(set)
    for p in phases:
        for h in p.handoffs:
            assert (h.kind == "lasting") == (h.until_phase is None)
            assert h.until_phase is None or h.until_phase > p.phase
            for d in h.dependencies:
                listed[(d.control, d.depends_on)].add((h.from_, h.to, p.phase, h.until_phase))
    for dependent, prerequisite, kind in graph.edges(data="kind"):
        if dependent not in before or prerequisite not in before or kind == "parent":
            continue  # a unit's link to its parent is structure, not a hand-off
        start = crossings(before[prerequisite], before[dependent])
        for t in range(1, len(phases) + 1):
            state = {
                k: after[k] if phase_of.get(k, 10**6) <= t else before[k]
                for k in (dependent, prerequisite)
            }
            for p, q in crossings(state[prerequisite], state[dependent]) - start:
                assert any(
                    (lp, lq) == (p, q) and begun <= t and (until is None or t < until)
                    for lp, lq, begun, until in listed[(dependent, prerequisite)]
                ), (dependent, prerequisite, p, q, t)
        final = crossings(after[prerequisite], after[dependent])
        for lp, lq, _, until in listed[(dependent, prerequisite)]:
            assert ((lp, lq) in final) == (until is None)


def identity(gap: Gap) -> str:
    """A finding's identity across two runs is its stable id (rule and grouping key)."""
    return gap.id


# -- random acyclic graphs ------------------------------------------------------------------


@st.composite
def random_setups(draw: st.DrawFn, lib: Library) -> tuple[Library, Profile]:
    """A random acyclic catalog, two random models and a profile that uses them."""
    # A few functions per draw, so that controls, models, people and providers meet often.
    functions = draw(
        st.lists(st.sampled_from(sorted(lib.functions)), min_size=2, max_size=6, unique=True)
    )
    size = draw(st.integers(2, 16))
    controls: list[dict[str, Any]] = []
    for i in range(size):
        earlier = [f"c{j}" for j in range(i)]
        depends = (
            draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        )
        parent = draw(st.one_of(st.none(), st.sampled_from(earlier))) if earlier else None
        controls.append(
            {
                "id": f"c{i}",
                "title": f"Control {i}",
                "summary": "A random control.",
                "citation": f"R {i}",
                "kind": "requirement",
                "level": draw(st.sampled_from(["required", "addressable", "guidance"])),
                "functions": draw(
                    st.lists(st.sampled_from(functions), min_size=1, max_size=2, unique=True)
                ),
                "depends_on": [d for d in depends if d != parent],
                "parent": parent,
            }
        )
    catalog = Catalog.model_validate(
        {"id": "rand", "title": "Random", "version": "1", "controls": controls}
    )
    base = lib.models[draw(st.sampled_from(sorted(lib.models)))]
    models = {}
    for model_id in ("m1", "m2"):
        changed = draw(st.dictionaries(st.sampled_from(functions), PARTY_DEFAULTS, min_size=1))
        if model_id == "m2":  # differ from m1 on at least one function the controls may have
            fid = draw(st.sampled_from(functions))
            m1 = models["m1"].functions[fid]
            changed[fid] = draw(
                st.sampled_from([p for p in PAIRS if p != (m1.owner, m1.accountable)])
            )
        models[model_id] = with_defaults(
            base, model_id, **{f: {"owner": o, "accountable": a} for f, (o, a) in changed.items()}
        )
    custom = dataclasses.replace(lib, catalogs={"rand": catalog}, models={**lib.models, **models})
    people = [
        {
            "id": f"p{i}",
            "name": f"Person {i}",
            "functions": draw(st.lists(st.sampled_from(functions), unique=True)),
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    providers = [
        {
            "id": f"v{i}",
            "name": f"Vendor {i}",
            "functions": draw(st.lists(st.sampled_from(functions), unique=True)),
        }
        for i in range(draw(st.integers(1, 2)))
    ]
    documented = draw(st.booleans())
    loaded = profile(
        custom,
        {
            "organization": {"name": "Random"},
            "frameworks": ["rand"],
            "model": "m1",
            "internal": people,
            "providers": providers,
            "handoffs": [{"from": "v0", "to": "internal", "agreement": "SOW 1"}]
            if documented
            else [],
        },
    )
    return custom, loaded


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_plans_on_random_acyclic_graphs_keep_every_dependency(
    lib: Library, data: st.DataObject
) -> None:
    custom, loaded = data.draw(random_setups(lib))
    result = compare(loaded, custom, "m1", "m2")
    check_plan(result, custom, loaded)


def _chain(lib: Library) -> tuple[Library, Profile]:
    # c3 -> c2 -> c1 -> c0 (each depends on the one before); c1 does not move, so c2 must still
    # wait for c0: the order holds through controls that stay where they are. c0 is backup work
    # (infrastructure), c2 and c3 patching (endpoints): two cut-overs, infrastructure first,
    # though the taxonomy lists it after patching.
    functions = ["backup-recovery", "physical-security", "patch-management", "patch-management"]
    catalog = Catalog.model_validate(
        {
            "id": "chain",
            "title": "Chain",
            "version": "1",
            "controls": [
                {
                    "id": f"c{i}",
                    "title": f"C{i}",
                    "summary": "s",
                    "citation": f"C {i}",
                    "kind": "requirement",
                    "level": "required",
                    "functions": [functions[i]],
                    "depends_on": [f"c{i - 1}"] if i else [],
                }
                for i in range(4)
            ],
        }
    )
    to = with_defaults(
        lib.models["co-managed"],
        "patch-inside",
        patch_management={"owner": "internal", "accountable": "internal"},
        backup_recovery={"owner": "internal", "accountable": "internal"},
    )
    custom = dataclasses.replace(
        lib, catalogs={"chain": catalog}, models={**lib.models, "patch-inside": to}
    )
    covered = ["patch-management", "backup-recovery"]
    loaded = profile(
        custom,
        {
            "organization": {"name": "Chain"},
            "frameworks": ["chain"],
            "model": "co-managed",
            "internal": [{"id": "ann", "name": "Ann", "functions": covered}],
            "providers": [{"id": "msp", "name": "MSP", "functions": covered}],
        },
    )
    return custom, loaded


def test_a_chain_moves_service_by_service_through_unmoved_links(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ctrlmap.analyse.transition.FOLD_BELOW", 0)  # one cut-over per service
    custom, loaded = _chain(lib)
    result = compare(loaded, custom, None, "patch-inside", "target")
    assert [p.controls for p in result.phases] == [
        (),
        ("chain:c0",),
        ("chain:c2", "chain:c3"),
        (),
    ]
    assert [(p.taker, p.service) for p in result.phases[1:-1]] == [
        ("internal", "infrastructure"),
        ("internal", "endpoints and patching"),
    ]
    assert (
        result.phases[1].title
        == "The organization takes back infrastructure from MSP: backup and recovery"
    )
    assert result.untouched == ("chain:c1",)
    assert {c.movement for c in result.changes} == {"provider-to-internal"}
    check_plan(result, custom, loaded, "target")


def test_a_party_taking_on_few_controls_takes_them_on_in_one_phase(lib: Library) -> None:
    custom, loaded = _chain(lib)
    result = compare(loaded, custom, None, "patch-inside", "target")
    assert [p.controls for p in result.phases] == [(), ("chain:c0", "chain:c2", "chain:c3"), ()]
    assert result.phases[1].title == (
        "The organization takes back infrastructure, and endpoints and patching from MSP: "
        "patch management, and backup and recovery"
    )
    check_plan(result, custom, loaded, "target")


# -- the shipped examples -------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_example_gives_a_plan_a_reader_can_follow(
    lib: Library, load_example: Callable[[str], Profile], example: str
) -> None:
    loaded = load_example(example)
    result = compare(loaded, lib, None, None)
    assert result.from_ == loaded.model and result.to != loaded.model
    check_plan(result, lib, loaded)
    assert result.changes, "the two built-in models differ for every example"
    names = {p.name for p in loaded.providers}
    for phase in result.phases:
        assert phase.title and phase.summary
    for phase in result.phases[1:-1]:
        assert phase.functions and phase.movements
        assert sum(phase.movements.values()) == len(phase.controls)
        # a service cut-over, its controls listed compactly
        assert phase.service and phase.taker and phase.service in phase.title
        assert sum(g.count for g in phase.control_groups) == len(phase.controls)
        assert sum(len(g.ranges) for g in phase.control_groups) <= len(phase.controls)
    cutovers = [(p.taker, p.service) for p in result.phases[1:-1]]
    assert len(set(cutovers)) == len(cutovers), "one phase per service and party"
    for edge in (result.phases[0], result.phases[-1]):
        said = [(a.party, a.text) for a in edge.actions]
        assert len(set(said)) == len(said), "no action twice"
        headings = [a.heading for a in edge.actions]
        runs = [h for i, h in enumerate(headings) if i == 0 or headings[i - 1] != h]
        assert len(runs) == len(set(runs)), "each party's actions together"
    mentioned = " ".join(a.text for p in (result.phases[0], result.phases[-1]) for a in p.actions)
    assert any(name in mentioned for name in names)
    assert "transition" in result.phases[0].actions[0].text
    assert result.phases[-1].actions[-1].kind == "profile"
    # changes are grouped by movement, then follow the catalog order
    order = [MOVEMENTS.index(c.movement) for c in result.changes]
    assert order == sorted(order)
    for change in result.changes:
        assert change.why or change.notes, change.control
        assert change.reason
        for why in change.why:
            assert (why.from_owner, why.from_accountable) != (why.to_owner, why.to_accountable)


def test_the_dental_plan_treats_work_nobody_takes_on_as_a_staffing_gap(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    loaded = load_example("dental-group")
    result = compare(loaded, lib, None, None)
    stranded = {c.control for c in result.changes if c.movement == "to-unassigned"}
    assert stranded and all(c.phase == 1 for c in result.changes if c.control in stranded)
    moving = {k for p in result.phases for k in p.controls}
    assert not stranded & moving, "work nobody takes on is no cut-over"
    assert len(result.phases) <= 6, [p.title for p in result.phases]
    prepare = result.phases[0]
    assert "Fully managed IT's defaults" in prepare.summary
    assert "not to whoever does the work today" in prepare.summary
    (access,) = [
        a for a in prepare.actions if a.text.startswith("Decide who does access management")
    ]
    assert "keep it with Kim Alvarez, who does it today" in access.text
    texts = " ".join(a.text for a in prepare.actions)
    assert "Assign access management" not in texts, "one decision per function, not per finding"
    # ChartCloud and Coastal already do the work they become accountable for: no take-over
    assert [p.title for p in result.phases[1:-1]] == [
        "Coastal IT Partners becomes accountable for endpoints and patching in place of the "
        "organization: endpoint management",
        "ChartCloud EHR becomes accountable for security operations in place of the "
        "organization: data protection",
    ]
    for phase in result.phases[1:-1]:
        assert phase.taker != "internal" or "takes back" in phase.title
        assert "-" not in phase.title.split(": ", 1)[1].replace("on-site", ""), phase.title


def test_clinic_to_fully_managed_reads_as_a_plan(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    loaded = load_example("clinic")
    result = compare(loaded, lib, None, None)
    assert (result.from_, result.to) == ("co-managed", "fully-managed")
    assert result.summary.by_movement == {"internal-to-provider": 24, "to-shared": 31}
    assert (result.summary.moving, result.summary.untouched) == (55, 22)
    # Harbor is the clinic's only provider, named by default for work its agreement does not
    # cover: that work is a phase 1 decision (extend the agreement or staff it), no cut-over;
    # only the endpoint work Harbor is contracted for changes hands.
    assert [p.title for p in result.phases[1:-1]] == [
        "Harbor Managed IT takes over endpoints and patching from the organization: "
        "endpoint management",
    ]
    assert {p.taker for p in result.phases[1:-1]} == {"harbor"}
    prepare = result.phases[0].actions
    kinds = [a.kind for a in prepare]
    assert kinds[0] == "briefing" and "agreement" in kinds
    # Harbor takes on no work it is not doing already: no new access to grant before a cut-over
    assert "access" not in kinds
    # grouped by party and agreement: the organization's own actions, then Harbor's
    assert list(dict.fromkeys(a.heading for a in prepare)) == [
        "The organization",
        "Harbor Managed IT (MSA 2026-03, SOW 2)",
    ]
    assert len({(a.party, a.text) for a in prepare}) == len(prepare), "no action twice"
    decided = [a for a in prepare if a.text.startswith("Decide who does")]
    assert {f for a in decided for f in a.functions} >= {
        "asset-management", "access-management", "risk-assessment", "network-administration"
    }  # fmt: skip
    extend = next(a for a in prepare if a.kind == "agreement" and "Extend" in a.text)
    assert (
        "Harbor Managed IT" in extend.text
        and "access management" in extend.text
        and "access-management" not in extend.text
    )
    # Harbor's business associate agreement is on file: the plan does not ask for it again.
    assert not any("business associate" in a.text for a in prepare)
    close = result.phases[-1].actions
    assert any(a.kind == "credentials" and "Harbor Managed IT" in a.text for a in close)
    assert any(a.kind == "revoke-access" and "Dana Ortiz" in a.text for a in close)
    assert not any("the parties taking it on" in a.text for a in close)
    change = next(c for c in result.changes if c.control == "hipaa-security:164.308(a)(3)(i)")
    assert change.movement == "internal-to-provider" and change.phase == 1
    assert (change.from_responsible, change.to_responsible) == (("internal",), ("harbor",))
    (why,) = change.why
    assert (why.function, why.from_owner, why.to_owner, why.to_accountable) == (
        "access-management",
        "internal",
        "provider",
        "internal",
    )
    assert why.to_rationale and why.to_rationale in change.reason
    assert any("not contracted" in note for note in change.notes)


def test_a_missing_business_associate_agreement_is_an_opening_action(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    loaded = load_example("clinic")
    harbor = loaded.providers[0].model_copy(update={"baa": False})
    result = compare(loaded.model_copy(update={"providers": (harbor,)}), lib, None, None)
    (sign,) = [a for a in result.phases[0].actions if "business associate" in a.text]
    assert "Harbor Managed IT" in sign.text and sign.parties == ("harbor",)
    need = next(n for n in result.needs if n.rule == "provider-agreement-missing")
    assert need.kind == "agreement" and not need.new  # missing under co-managed already


def test_moving_in_house_closes_out_the_provider(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    loaded = load_example("cpa-firm")
    result = compare(loaded, lib, None, None)
    assert (result.from_, result.to) == ("fully-managed", "co-managed")
    assert set(result.summary.by_movement) == {"provider-to-internal", "to-shared"}
    assert not any(a.kind == "due-diligence" for a in result.phases[0].actions)
    assert any(a.kind == "knowledge-transfer" for a in result.phases[0].actions)
    close = {a.kind: a for a in result.phases[-1].actions}
    for kind in ("credentials", "revoke-access", "data"):
        assert "LedgerGuard IT" in close[kind].text
    assert close["data"].citation == "16 CFR 314.4(c)(6)(i)"
    assert any(n.rule == "no-internal-capability" and n.new for n in result.needs)


@pytest.mark.parametrize("example", EXAMPLES)
def test_gaps_open_and_close_consistently(
    lib: Library, load_example: Callable[[str], Profile], example: str
) -> None:
    loaded = load_example(example)
    result = compare(loaded, lib, None, None)
    source = assess(loaded, lib, result.from_, AS_OF).gaps
    target = assess(loaded, lib, result.to, AS_OF, arrangement="target").gaps
    before = {identity(g) for g in source.gaps}
    after = {identity(g) for g in target.gaps}
    assert {identity(g) for g in result.gaps_opened} == after - before
    assert {identity(g) for g in result.gaps_closed} == before - after
    for change in result.gaps_changed:
        assert change.from_severity != change.to_severity
    assert result.summary.gaps_from == source.summary and result.summary.gaps_to == target.summary
    for need in result.needs:
        assert need.new == (
            identity(
                next(g for g in target.gaps if g.rule == need.rule and g.message == need.reason)
            )
            not in before
        )


def test_handoffs_the_profile_documents_are_named_with_their_agreement(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    result = compare(load_example("cpa-firm"), lib, None, None)
    documented = [h for p in result.phases for h in p.handoffs if h.agreement]
    assert documented and all(h.from_ == "ledgerguard" and h.to == "internal" for h in documented)
    assert any("risk assessment" in (h.agreement or "") for h in documented)
    interim = [h for p in result.phases for h in p.handoffs if h.kind == "interim"]
    assert all(h.until_phase for h in interim)


def test_the_same_model_on_both_sides_is_an_error(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    loaded = load_example("clinic")
    with pytest.raises(CtrlmapError, match="both name the model 'co-managed'"):
        compare(loaded, lib, None, "co-managed")
    with pytest.raises(CtrlmapError, match="unknown model 'nope'"):
        compare(loaded, lib, "nope", None)


def test_the_default_target_is_the_other_model(lib: Library) -> None:
    assert default_target(lib, "co-managed") == "fully-managed"
    assert default_target(lib, "fully-managed") == "co-managed"
    near_co = with_defaults(lib.models["co-managed"], "co-plus", help_desk={"owner": "provider"})
    near_fully = with_defaults(
        lib.models["fully-managed"], "fully-minus", on_site_support={"owner": "internal"}
    )
    custom = dataclasses.replace(
        lib, models={**lib.models, "co-plus": near_co, "fully-minus": near_fully}
    )
    assert default_target(custom, "co-plus") == "fully-managed"
    assert default_target(custom, "fully-minus") == "co-managed"


def test_two_custom_models_compare_like_built_in_ones(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    a = with_defaults(lib.models["co-managed"], "a", security_monitoring={"owner": "shared"})
    b = with_defaults(
        lib.models["co-managed"],
        "b",
        security_monitoring={"owner": "internal", "accountable": "internal"},
    )
    custom = dataclasses.replace(lib, models={**lib.models, "a": a, "b": b})
    loaded = load_example("clinic")
    result = compare(loaded, custom, "a", "b", "target")
    assert [f.function for f in result.functions] == ["security-monitoring"]
    assert result.functions[0].controls == len(result.changes) > 0
    assert {c.movement for c in result.changes} == {"provider-to-internal"}
    assert "security-monitoring" not in result.unchanged_functions
    check_plan(result, custom, loaded, "target")


def share(parties: tuple[str, ...]) -> Share:
    return Share(function="help-desk", owner="shared", parties=parties, source="model")


def assigned(parties: tuple[str, ...], accountable: str | None = "internal") -> Assignment:
    owner = (
        "unassigned"
        if not parties
        else "shared"
        if "internal" in parties and len(parties) > 1
        else "internal"
        if parties == ("internal",)
        else "provider"
    )
    return Assignment(
        control="x:1",
        framework="x",
        title="X",
        level="required",
        applicable=True,
        owner=owner,  # type: ignore[arg-type]
        raci=Raci(
            responsible=parties,
            accountable=accountable,
            accountable_person=None,
            consulted=(),
            informed=(),
        ),
        people=(),
        shares=(share(parties),),
        basis=(),
    )


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (("internal",), ("msp",), "internal-to-provider"),
        (("internal", "msp"), ("msp",), "internal-to-provider"),
        (("msp",), ("internal",), "provider-to-internal"),
        (("internal", "msp"), ("internal",), "provider-to-internal"),
        (("internal",), ("internal", "msp"), "to-shared"),
        (("msp",), ("internal", "msp"), "to-shared"),
        (("msp",), ("other",), "between-providers"),
        (("internal", "msp"), ("internal", "other"), "between-providers"),
        (("internal",), (), "to-unassigned"),
        ((), ("msp",), "from-unassigned"),
    ],
)
def test_movements(before: tuple[str, ...], after: tuple[str, ...], expected: str) -> None:
    assert movement(assigned(before), assigned(after)) == expected


def test_a_change_of_accountable_party_alone_is_a_movement() -> None:
    assert movement(assigned(("msp",), "internal"), assigned(("msp",), "msp")) == (
        "accountability-only"
    )


def test_the_json_contract(lib: Library, load_example: Callable[[str], Profile]) -> None:
    data = json.loads(dump(compare(load_example("law-firm"), lib, None, None)))
    assert data["schema"] == "ctrlmap/compare@1"
    assert (data["from"], data["to"]) == ("fully-managed", "co-managed")
    assert {"from", "to", "changes", "phases"} <= set(data)
    for phase in data["phases"]:
        assert {"phase", "title", "actions", "controls", "handoffs"} <= set(phase)
        for h in phase["handoffs"]:
            assert {"from", "to", "kind", "until_phase"} <= set(h)
    assert data["phases"][0]["actions"] and data["phases"][-1]["actions"]


ALL_EXAMPLES = ["clinic", "cpa-firm", "credit-union", "dental-group", "investment-adviser",
                "law-firm", "mortgage-lender"]  # fmt: skip


@pytest.mark.parametrize("example", ALL_EXAMPLES)
def test_a_phase_moves_work_only_to_a_party_contracted_for_it(
    lib: Library, load_example: Callable[[str], Profile], example: str
) -> None:
    """A cut-over hands a function only to a party whose agreement (or a documented split)
    covers it in that framework; work nobody is contracted for is a phase 1 decision, and the
    close-out hands over and revokes access only for work someone actually takes on."""
    loaded = load_example(example)
    result = compare(loaded, lib, None, None)
    titles = {fid: f.title.lower() for fid, f in lib.functions.items()}
    decided = {
        f for a in result.phases[0].actions if a.text.startswith("Decide who") for f in a.functions
    }

    def covers(party: str, fid: str, framework: str) -> bool:
        if party == "internal":
            return any(fid in p.functions for p in loaded.internal) or any(
                s.function == fid and s.internal_part for s in loaded.splits
            )
        p = next(x for x in loaded.providers if x.id == party)
        return p.serves(framework) and (
            fid in p.functions
            or any(s.function == fid and s.provider == party for s in loaded.splits)
        )

    for phase in result.phases[1:-1]:
        if phase.taker == "internal":
            continue  # the organization taking work back staffs it itself
        named = phase.title.split(": ", 1)[1] if ": " in phase.title else ""
        frameworks = {g.framework for g in phase.control_groups}
        for fid, title in titles.items():
            if f" {title}" in f" {named}".replace(" and ", ", ").replace(",", " ,"):
                assert any(covers(phase.taker, fid, fw) for fw in frameworks), (phase.title, fid)
        for key in phase.controls:
            assert any(
                covers(phase.taker, f, key.split(":")[0]) for f in lib.controls[key].functions
            ), (phase.title, key)
    close = " ".join(a.text for a in result.phases[-1].actions)
    assert "the parties taking it on" not in close
    for action in result.phases[-1].actions:
        if action.kind in ("credentials", "revoke-access") and action.parties == ("internal",):
            assert not set(action.functions) & decided - {
                f for p in result.phases[1:-1] for f in p.functions
            }, action.text


@pytest.mark.parametrize("example", ALL_EXAMPLES)
def test_each_need_is_listed_once_with_its_controls(
    lib: Library, load_example: Callable[[str], Profile], example: str
) -> None:
    """The same action is one need (the findings of the function it names merged, whatever
    other functions and parties their controls have), its controls listed compactly."""
    result = compare(load_example(example), lib, None, None)
    said = [(n.kind, n.rule, n.text) for n in result.needs]
    assert len(said) == len(set(said)), [s[2] for s in said if said.count(s) > 1][:1]
    for need in result.needs:
        assert sum(g.count for g in need.control_groups) == len(set(need.controls))
    if example == "dental-group":
        access = [n for n in result.needs if n.text.startswith("Assign access management to")]
        assert len(access) == 1
        assert len(access[0].controls) > 7
        table = render_table(result)
        assert table.count("Assign access management to a member of staff") == 1
        assert "164.308(a)(3)(i)" in table.split("needs that the profile lacks")[1].split("\n\n")[0]
