"""Valid-looking profiles, catalogs, models and OSCAL documents: generated, or taken from shipped files.

Profiles, catalogs, operating models and function taxonomies come from the pydantic models (see
`schema.py`); the seeds are the shipped examples (`examples/`), catalogs and models
(`frameworks/`) and the OSCAL test documents (`tests/data/oscal/`). OSCAL has no model in
ctrlmap (it is read as plain data), so its generator writes the keys the reader reads, and the
shipped OSCAL documents keep it honest.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ctrlmap.load.catalogs import load_library
from ctrlmap.load.library import Library
from ctrlmap.load.read import read_document
from ctrlmap.models import Catalog, Profile, Taxonomy
from ctrlmap.models.catalog import FACTS, Control
from tests.fuzz.schema import Pools, id_of, iso_dates, model_data, pick, plain_text, some

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FRAMEWORKS = ROOT / "frameworks"
OSCAL_DATA = ROOT / "tests" / "data" / "oscal"


@functools.cache
def library() -> Library:
    """The built-in library, for the ids generated documents refer to."""
    return load_library()


@functools.cache
def seed(path: Path) -> Any:
    """A shipped file's data as ctrlmap reads it (dates stay text)."""
    return read_document(path).data


def seed_copy(path: Path) -> Any:
    """A copy of a shipped file's data, for mutations to change."""
    return copy.deepcopy(seed(path))


def seeds(folder: Path, pattern: str) -> list[Path]:
    """The shipped files of a folder that seed the strategies, in a fixed order."""
    return sorted(folder.glob(pattern))


def _party_hooks() -> dict[str, Any]:
    people = pick(lambda p: p.people)
    providers = pick(lambda p: p.providers)
    parties = pick(lambda p: p.parties)
    return {
        "Person.id": people,
        "Provider.id": providers,
        "Person.backup": pick(lambda p: (*p.people, *p.providers)),
        "Designation.holder": pick(lambda p: (*p.people, *p.providers)),
        "Designation.overseer": people,
        "Override.provider": providers,
        "Split.provider": providers,
        "accountable": parties,
        "from_": parties,
        "to": parties,
        "responsible": some(lambda p: p.parties),
        "consulted": some(lambda p: p.parties),
        "informed": some(lambda p: p.parties),
        "internal": lambda p: st.lists(model_data(_person(), p), max_size=3, unique_by=id_of),
        "providers": lambda p: st.lists(model_data(_provider(), p), max_size=3, unique_by=id_of),
    }


def _person() -> Any:
    from ctrlmap.models.profile import Person

    return Person


def _provider() -> Any:
    from ctrlmap.models.profile import Provider

    return Provider


PROFILE_HOOKS: dict[str, Any] = {
    **_party_hooks(),
    "functions": some(lambda p: p.functions, 0, 4),
    "function": pick(lambda p: p.functions),
    "from_function": pick(lambda p: p.functions),
    "to_function": pick(lambda p: p.functions),
    "Profile.frameworks": lambda p: st.just(list(p.frameworks)),
    "Provider.frameworks": some(lambda p: p.frameworks, 1, 2),
    "model": pick(lambda p: p.models),
    "control": pick(lambda p: p.controls),
    "ScopeExclusion.control": pick(lambda p: p.scopable),
    "pci_saq": lambda p: (
        st.sampled_from(("A", "B", "B-IP", "D", "C")) if "pci-dss-4" in p.frameworks else st.none()
    ),
    "url": lambda p: st.sampled_from(
        ("https://harbor.example/contract", "http://a.example/x y", "javascript:alert(1)", "")
    ),
    "reviewed": lambda p: iso_dates(),
}
"""Profile fields that name things: drawn from the pools so that most references resolve."""


def profile_pools(
    lib: Library,
    frameworks: tuple[str, ...],
    user: tuple[str, ...] = (),
    models: tuple[str, ...] = (),
) -> Pools:
    """Pools for a profile of these frameworks (`user`: the controls of user catalogs)."""
    builtin = tuple(
        f"{fw}:{c.id}"
        for fw in frameworks
        if fw in lib.catalogs
        for c in lib.catalogs[fw].controls
        if c.status == "active"
    )
    return Pools(
        functions=tuple(lib.functions),
        frameworks=frameworks,
        models=(*lib.models, *models),
        controls=(*builtin, *user),
        scopable=(*(k for k in builtin if k.startswith("pci-dss-4:")), *user),
        hooks=PROFILE_HOOKS,
    )


def regulatory(lib: Library) -> tuple[str, ...]:
    """The catalogs a profile may list (the CSF hub is mapping data only)."""
    return tuple(c for c, cat in lib.catalogs.items() if not cat.hub)


@st.composite
def profile_data(draw: st.DrawFn, pools: Pools) -> dict[str, Any]:
    """A profile built from the Profile model: people and providers first, so that the
    designations, overrides, splits and hand-offs mostly name them."""
    people = draw(PROFILE_HOOKS["internal"](pools))
    providers = draw(PROFILE_HOOKS["providers"](pools))
    named = replace(
        pools,
        people=tuple(str(p.get("id")) for p in people),
        providers=tuple(str(p.get("id")) for p in providers),
        hooks={
            **pools.hooks,
            "Profile.internal": lambda p: st.just(people),
            "Profile.providers": lambda p: st.just(providers),
        },
    )
    data = draw(model_data(Profile, named))
    for person in people:
        if person.get("backup") not in (*named.people, *named.providers) or person.get(
            "backup"
        ) == person.get("id"):
            person.pop("backup", None)
    if not pools.scopable:
        data.pop("scope_exclusions", None)
    if not people and not providers:
        data.pop("designations", None)
    return data


@st.composite
def generated_profiles(draw: st.DrawFn) -> dict[str, Any]:
    """A profile of some built-in frameworks, built from the Profile model."""
    lib = library()
    frameworks = tuple(
        draw(st.lists(st.sampled_from(regulatory(lib)), min_size=1, max_size=3, unique=True))
    )
    return draw(profile_data(profile_pools(lib, frameworks)))


def example_profiles() -> SearchStrategy[dict[str, Any]]:
    """A shipped example profile, as its file holds it."""
    return st.sampled_from(seeds(EXAMPLES, "*.yaml")).map(seed_copy)


def profiles() -> SearchStrategy[dict[str, Any]]:
    """Generated profiles and the shipped examples."""
    return st.one_of(generated_profiles(), example_profiles())


# --- user catalogs ---------------------------------------------------------------------------

LOCAL_IDS = (
    "MF-1",
    "MF-2",
    "MF-2.a",
    "MF-2(a)",
    "MF-2_a",
    "164.308(a)(1)",
    "ac-2.1",
    "12.8.5",
    "r/1",
)


@st.composite
def _facts(draw: st.DrawFn, pools: Pools) -> dict[str, Any]:
    """An applies_if: some facts, each with some of its values."""
    names = draw(st.lists(st.sampled_from(sorted(pools.facts)), max_size=2, unique=True))
    return {
        name: draw(
            st.lists(st.sampled_from(pools.facts[name]), min_size=1, max_size=2, unique=True)
        )
        for name in names
    }


CATALOG_HOOKS: dict[str, Any] = {
    "Control.id": pick(lambda p: p.local),
    "Control.parent": pick(lambda p: p.local),
    "Dependency.control": pick(lambda p: (*p.local, *p.foreign)),
    "Control.functions": some(lambda p: p.functions, 1, 3),
    "Control.maps_to": some(lambda p: p.subcategories, 0, 2),
    "Control.applies_if": _facts,
    "Control.annual_due": lambda p: st.sampled_from(("04-15", "02-29", "12-31", "01-01")),
    "Catalog.controls": lambda p: st.lists(
        model_data(Control, p), min_size=1, max_size=6, unique_by=id_of
    ),
    "Catalog.hub": lambda p: st.just(False),
}
"""Catalog fields that name controls, functions, facts and CSF subcategories."""


CUSTOM_FUNCTIONS = ("x-ops", "y-ops")
"""The functions a catalog folder's functions.yaml adds."""


def catalog_pools(lib: Library, functions: tuple[str, ...] = ()) -> Pools:
    """Pools for a user catalog: its own control ids, some built-in ones, functions, facts."""
    hub = next(c for c in lib.catalogs.values() if c.hub)
    foreign = ("hipaa-security:164.308(a)(2)", "pci-dss-4:12.8.5", "nist-csf-2:GV.RR-02")
    return Pools(
        functions=(*lib.functions, *functions),
        local=LOCAL_IDS,
        foreign=foreign,
        subcategories=tuple(c.id for c in hub.controls),
        facts=FACTS,
        hooks=CATALOG_HOOKS,
        always=frozenset({"Control.functions"}),
    )


def _repaired(data: dict[str, Any]) -> dict[str, Any]:
    """Make a generated catalog valid: parents and dependencies point back, so no cycles."""
    seen: list[str] = []
    for control in data.get("controls", []):
        if control.get("parent") not in seen:
            control.pop("parent", None)
        control["depends_on"] = [
            d for d in control.get("depends_on", []) if d["control"] in seen or ":" in d["control"]
        ]
        if control.get("accountability") == "non-delegable":
            control["accountability_basis"] = "My framework 1.2"
        if control.get("status") == "external":
            control["status"] = "active"
        seen.append(str(control["id"]))
    return data


@st.composite
def generated_catalogs(
    draw: st.DrawFn, catalog_id: str, functions: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A catalog built from the Catalog model (using `functions` too): parents and dependencies
    acyclic."""
    data = draw(model_data(Catalog, catalog_pools(library(), functions)))
    data["id"] = catalog_id
    return _repaired(data)


@st.composite
def shipped_catalog_slices(draw: st.DrawFn, catalog_id: str) -> dict[str, Any]:
    """A run of a shipped catalog's controls under a new id, references outside it dropped."""
    files = [p for p in seeds(FRAMEWORKS, "*.yaml") if p.name != "functions.yaml"]
    data = copy.deepcopy(seed(draw(st.sampled_from(files))))
    controls = data["controls"]
    start = draw(st.integers(0, max(0, len(controls) - 1)))
    size = draw(st.integers(1, 6))
    chosen = controls[start : start + size]
    local = {c["id"] for c in chosen}
    for control in chosen:
        if control.get("parent") not in local:
            control.pop("parent", None)
        control["depends_on"] = [
            d
            for d in control.get("depends_on", [])
            if (d["control"] if isinstance(d, dict) else d) in local
        ]
    data["controls"] = chosen
    data["id"] = catalog_id
    data.pop("skipped_dependencies", None)
    if data.pop("hub", False):
        for control in chosen:
            control["functions"] = ["governance"]
    return data


def catalogs(catalog_id: str, functions: tuple[str, ...] = ()) -> SearchStrategy[dict[str, Any]]:
    """User catalogs: generated from the model, or a slice of a shipped one."""
    return st.one_of(generated_catalogs(catalog_id, functions), shipped_catalog_slices(catalog_id))


def operating_models(model_id: str) -> SearchStrategy[dict[str, Any]]:
    """A custom model: a shipped one under a new id (the model needs a default per function)."""
    files = seeds(FRAMEWORKS / "models", "*.yaml")
    return st.sampled_from(files).map(lambda p: {**copy.deepcopy(seed(p)), "id": model_id})


def taxonomies() -> SearchStrategy[dict[str, Any]]:
    """A functions.yaml for a catalog folder: new functions built from the Taxonomy model."""
    pools = Pools(
        functions=(), hooks={"functions[key]": lambda p: st.sampled_from(CUSTOM_FUNCTIONS)}
    )
    return model_data(Taxonomy, pools)


# --- OSCAL -----------------------------------------------------------------------------------

OSCAL_IDS = ("ac-1", "ac-2", "ac-2.1", "au-3", "pe-1", "tc-9", "x-1", "ac-2(1)", "ac-2_1")


def _props(draw: st.DrawFn, cid: str) -> list[dict[str, Any]]:
    props: list[dict[str, Any]] = []
    if draw(st.booleans()):
        props.append({"name": "label", "value": cid.upper()})
    if draw(st.booleans()):
        props.append({"name": "sort-id", "value": draw(st.sampled_from((cid, "zz", "aa", "")))})
    if draw(st.sampled_from((False, False, False, True))):
        props.append({"name": "status", "value": "withdrawn"})
    return props


@st.composite
def _oscal_control(draw: st.DrawFn, ids: list[str], depth: int = 0) -> dict[str, Any]:
    cid = ids.pop() if ids else f"z-{depth}"
    control: dict[str, Any] = {"id": cid, "title": draw(plain_text())}
    props = _props(draw, cid)
    if props:
        control["props"] = props
    params = [{"id": f"{cid}_prm_1", "label": draw(plain_text())}] if draw(st.booleans()) else []
    if params and draw(st.booleans()):
        params.append(
            {
                "id": f"{cid}_prm_2",
                "select": {"choice": ["yearly", f"{{{{ insert: param, {cid}_prm_1 }}}}"]},
            }
        )
    if params:
        control["params"] = params
    links = draw(
        st.lists(
            st.sampled_from((*(f"#{i}" for i in OSCAL_IDS), "#zz-404", "other.json#ac-1")),
            max_size=2,
        )
    )
    if links:
        control["links"] = [
            {"href": href, "rel": draw(st.sampled_from(("required", "related")))} for href in links
        ]
    prose = draw(plain_text())
    if params:
        prose += f" {{{{ insert: param, {params[-1]['id']} }}}}"
    control["parts"] = [
        {
            "id": f"{cid}_smt",
            "name": draw(st.sampled_from(("statement", "guidance"))),
            "prose": prose,
            "parts": [
                {"name": "item", "props": [{"name": "label", "value": "a."}], "prose": "Item"}
            ],
        }
    ]
    if depth < 2 and ids and draw(st.booleans()):
        control["controls"] = [draw(_oscal_control(ids, depth + 1))]
    return control


@st.composite
def generated_oscal_catalogs(draw: st.DrawFn) -> dict[str, Any]:
    """An OSCAL catalog: nested groups, controls, enhancements, params, links and prose."""
    ids = list(draw(st.permutations(OSCAL_IDS)))
    controls = [draw(_oscal_control(ids)) for _ in range(draw(st.integers(1, 3)))]
    root: dict[str, Any] = {
        "uuid": "7d7c0f1e-2d7b-4f3e-9d8a-1b1f0c0e0aff",
        "metadata": {"title": draw(plain_text()), "version": "1", "oscal-version": "1.1.2"},
    }
    if draw(st.booleans()):
        group = {"id": "g-1", "title": "Group", "props": [{"name": "standard", "value": "S-1"}]}
        group["controls"] = controls[1:]
        if draw(st.booleans()):
            group["groups"] = [
                {"id": "g-2", "title": "Inner", "controls": [draw(_oscal_control(ids))]}
            ]
        root["groups"] = [group]
        root["controls"] = controls[:1]
    else:
        root["controls"] = controls
    return {"catalog": root}


def oscal_catalogs() -> SearchStrategy[dict[str, Any]]:
    """Generated OSCAL catalogs and the shipped test catalogs."""
    shipped = [OSCAL_DATA / "tiny-catalog.json", OSCAL_DATA / "yaml-catalog.yaml"]
    return st.one_of(
        generated_oscal_catalogs(),
        st.sampled_from(shipped).map(seed_copy),
    )


@st.composite
def oscal_profiles(draw: st.DrawFn, catalog_file: str) -> dict[str, Any]:
    """An OSCAL profile importing `catalog_file` by path or through back-matter."""
    selection: dict[str, Any] = {}
    kind = draw(st.sampled_from(("all", "ids", "matching")))
    if kind == "all":
        selection["include-all"] = {}
    else:
        chooser: dict[str, Any] = (
            {"with-ids": draw(st.lists(st.sampled_from((*OSCAL_IDS, "tc-1", "tc-2")), max_size=3))}
            if kind == "ids"
            else {"matching": [{"pattern": draw(st.sampled_from(("ac-*", "*", "tc-?", "[")))}]}
        )
        if draw(st.booleans()):
            chooser["with-child-controls"] = draw(st.sampled_from(("yes", "no")))
        selection["include-controls"] = [chooser]
    if draw(st.booleans()):
        selection["exclude-controls"] = [{"with-ids": [draw(st.sampled_from(OSCAL_IDS))]}]
    uuid = "7d7c0f1e-2d7b-4f3e-9d8a-1b1f0c0e0a99"
    by_back_matter = draw(st.booleans())
    root: dict[str, Any] = {
        "uuid": "7d7c0f1e-2d7b-4f3e-9d8a-1b1f0c0e0a98",
        "metadata": {"title": "Fuzz profile", "version": "1"},
        "imports": [{"href": f"#{uuid}" if by_back_matter else catalog_file, **selection}],
    }
    if by_back_matter:
        root["back-matter"] = {
            "resources": [
                {"uuid": uuid, "description": "Fuzz catalog", "rlinks": [{"href": catalog_file}]}
            ]
        }
    if draw(st.booleans()):
        root["modify"] = {"set-parameters": [{"param-id": "x", "values": ["y"]}]}
    return {"profile": root}
