"""The library API in ctrlmap/__init__.py: the README's example runs, and names load lazily."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

import ctrlmap
from tests.conftest import EXAMPLES


def test_the_readme_example_runs() -> None:
    lib = ctrlmap.load_library()
    profile, doc = ctrlmap.load_profile(str(EXAMPLES / "clinic.yaml"), lib)
    assessment = ctrlmap.assess(profile, lib, as_of=dt.date(2026, 11, 28))
    table = ctrlmap.render("gaps", "table", assessment.gaps)
    html = ctrlmap.render("report", "html", ctrlmap.build_report(assessment, doc))
    assert profile.organization.name in table
    assert html.startswith("<!DOCTYPE html>")
    assert isinstance(assessment, ctrlmap.Assessment)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = ctrlmap.nothing  # type: ignore[attr-defined]


def test_importing_the_package_loads_no_engine_module() -> None:
    code = "import sys, ctrlmap; print(sorted(m for m in sys.modules if m.startswith('ctrlmap')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['ctrlmap']"


def test_names_follow_a_copy_that_renames_a_provider() -> None:
    lib = ctrlmap.load_library()
    profile, _ = ctrlmap.load_profile(EXAMPLES / "clinic.yaml", lib)
    renamed = profile.providers[0].model_copy(update={"name": "Harbor Two"})
    copy = profile.model_copy(update={"providers": (renamed,)})
    assert profile.name_of("harbor") == "Harbor Managed IT"
    assert copy.name_of("harbor") == "Harbor Two"
    assert copy.name_of("internal") == "the organization"
    assert copy.party_name("internal") == profile.organization.name


def test_the_readme_shows_the_api_example_that_runs() -> None:
    readme = (EXAMPLES.parent / "README.md").read_text()
    block = readme.split("## The library API", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert "ctrlmap.assess(profile, lib" in block
    namespace: dict[str, object] = {}
    import os

    cwd = os.getcwd()
    os.chdir(EXAMPLES.parent)
    try:
        exec(compile(block.replace("print(", "str("), "README", "exec"), namespace)
    finally:
        os.chdir(cwd)
    assert str(namespace["html"]).startswith("<!DOCTYPE html>")
