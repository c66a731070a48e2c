"""Fuzz OSCAL catalogs and profiles given with --catalog (a profile imports the catalog beside it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.breakage import broken
from tests.fuzz.harness import commands, fuzz_settings, run_all, workspace, write, written
from tests.fuzz.strategies import (
    OSCAL_IDS,
    library,
    oscal_catalogs,
    oscal_profiles,
    profile_data,
    profile_pools,
)

FUNCTION_MAP = {
    "families": {"ac": ["access-management"]},
    "controls": {"au-3": ["security-monitoring"]},
    "default": ["governance"],
}


@st.composite
def oscal_cases(draw: st.DrawFn) -> dict[str, Any]:
    """An OSCAL catalog, maybe a profile importing it and a function map, and a ctrlmap profile."""
    form = draw(st.sampled_from(("json", "json-unicode", "yaml")))
    suffix = ".json" if form.startswith("json") else ".yaml"
    with_profile = draw(st.booleans())
    framework = "low" if with_profile else "catalog"
    keys = tuple(f"{framework}:{cid}" for cid in (*OSCAL_IDS, "tc-1", "tc-2"))
    profile = draw(profile_data(profile_pools(library(), (framework,), keys)))
    return {
        "suffix": suffix,
        "catalog": draw(written(draw(broken(oscal_catalogs())), form)),
        "oscal_profile": draw(written(draw(broken(oscal_profiles(f"catalog{suffix}"))), form))
        if with_profile
        else None,
        "map": draw(written(draw(broken(st.just(FUNCTION_MAP), most=1)), "yaml"))
        if draw(st.sampled_from((False, False, True)))
        else None,
        "profile": draw(written(profile, intact=True)),
    }


def _loaded(result: Result) -> bool:
    """Run the drawn command only when the library loaded: a broken one fails it the same way."""
    return result.exit_code == 0


@fuzz_settings(0.25)
@given(case=oscal_cases(), command=commands())
def test_oscal_never_crashes(case: dict[str, Any], command: list[str]) -> None:
    """validate, then (when the OSCAL loads) one more command: exit 0, 1 or 2, errors naming a file."""
    with workspace() as folder:
        catalog = write(folder, "catalog", case["catalog"])
        given_files: list[Path] = [catalog]
        group = ["--catalog", str(catalog)]
        if case["oscal_profile"] is not None:
            oscal_profile = write(folder, "low-baseline", case["oscal_profile"])
            given_files.append(oscal_profile)
            group += ["--catalog", f"low={oscal_profile}"]
        if case["map"] is not None:
            given_files.append(write(folder, "catalog.functions", case["map"]))
        profile = write(folder, "profile", case["profile"])
        given_files.append(profile)
        run_all(
            [*group, "validate", str(profile)],
            [*group, command[0], str(profile), *command[1:]],
            given_files,
            _loaded,
        )
