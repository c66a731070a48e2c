"""Fuzz user catalogs (--catalog [ID=]FILE, --catalog-dir DIR with models/ and functions.yaml)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.breakage import broken
from tests.fuzz.harness import commands, fuzz_settings, run_all, workspace, write, written
from tests.fuzz.strategies import (
    catalogs,
    library,
    operating_models,
    profile_data,
    profile_pools,
    taxonomies,
)

CATALOG = "mine"
MODEL = "mine-model"


@st.composite
def catalog_cases(draw: st.DrawFn) -> dict[str, Any]:
    """A catalog, how it is given, maybe a model and functions beside it, and a profile using it."""
    how = draw(st.sampled_from(("file", "id=file", "dir")))
    taxonomy = draw(taxonomies()) if how == "dir" and draw(st.booleans()) else None
    added = tuple(taxonomy["functions"]) if taxonomy else ()
    catalog = draw(catalogs(CATALOG, added))
    keys = tuple(
        f"{CATALOG}:{c['id']}" for c in catalog["controls"] if isinstance(c.get("id"), str)
    )
    frameworks = (CATALOG, *draw(st.sampled_from(((), ("hipaa-security",)))))
    models = (MODEL,) if how == "dir" else ()
    pools = profile_pools(library(), frameworks, keys, models)
    profile = draw(profile_data(replace(pools, functions=(*pools.functions, *added))))
    case = {
        "how": how,
        "catalog": draw(written(draw(broken(st.just(catalog))))),
        "profile": draw(written(profile, intact=True)),
        "model": None,
        "functions": None,
    }
    if how == "dir" and draw(st.booleans()):
        case["model"] = draw(written(draw(broken(operating_models(MODEL), most=1)), "yaml"))
    if taxonomy is not None:
        case["functions"] = draw(written(draw(broken(st.just(taxonomy), most=1)), "yaml"))
    return case


def _loaded(result: Result) -> bool:
    """Run the drawn command only when the library loaded: a broken one fails it the same way."""
    return result.exit_code == 0


@fuzz_settings(0.25)
@given(case=catalog_cases(), command=commands())
def test_user_catalog_never_crashes(case: dict[str, Any], command: list[str]) -> None:
    """validate, then (when the catalog loads) one more command: exit 0, 1 or 2, errors naming a file."""
    with workspace() as folder:
        given_files: list[Path] = []
        if case["how"] == "dir":
            books = folder / "catalogs"
            given_files.append(write(books, CATALOG, case["catalog"]))
            if case["model"] is not None:
                given_files.append(write(books / "models", MODEL, case["model"]))
            if case["functions"] is not None:
                given_files.append(write(books, "functions", case["functions"]))
            group = ["--catalog-dir", str(books)]
        else:
            stem = CATALOG if case["how"] == "file" else "other name"
            path = write(folder, stem, case["catalog"])
            given_files.append(path)
            group = ["--catalog", str(path) if case["how"] == "file" else f"{CATALOG}={path}"]
        profile = write(folder, "profile", case["profile"])
        given_files.append(profile)
        run_all(
            [*group, "validate", str(profile)],
            [*group, command[0], str(profile), *command[1:]],
            given_files,
            _loaded,
        )
