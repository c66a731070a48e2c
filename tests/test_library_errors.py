"""Errors in what a --catalog-dir adds (operating models) and in the PCI DSS SAQ data file."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import yaml
from click.testing import Result

from ctrlmap.errors import Problem
from ctrlmap.load.catalogs import SAQ_FILE, _Found, _load_saqs
from ctrlmap.load.library import Library
from ctrlmap.load.resources import builtin_root
from tests.conftest import ROOT

CO_MANAGED = ROOT / "frameworks" / "models" / "co-managed.yaml"


def model_dir(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "extra"
    (folder / "models").mkdir(parents=True)
    (folder / "models" / "mine.yaml").write_text(text)
    return folder


def errors(result: Result) -> list[str]:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()


def test_a_model_that_reuses_a_built_in_id_is_refused(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    folder = model_dir(tmp_path, CO_MANAGED.read_text())
    (line,) = errors(invoke("--catalog-dir", str(folder), "frameworks", "list"))
    assert "mine.yaml:1: id: model id 'co-managed' is already defined; rename it" in line


def test_a_model_must_give_every_function_a_known_default(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    data = yaml.safe_load(CO_MANAGED.read_text())
    data["id"] = "mine"
    del data["functions"]["help-desk"]
    data["functions"]["helpdesk"] = {
        "owner": "internal",
        "accountable": "internal",
        "rationale": "x",
    }
    folder = model_dir(tmp_path, yaml.safe_dump(data, sort_keys=False))
    lines = errors(invoke("--catalog-dir", str(folder), "frameworks", "list"))
    assert any("functions: no default for help-desk; add them" in line for line in lines)
    assert any("unknown function 'helpdesk'; did you mean 'help-desk'?" in line for line in lines)


def test_a_model_with_a_bad_owner_is_one_clear_error(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    text = CO_MANAGED.read_text().replace("id: co-managed", "id: mine")
    text = text.replace("governance: {owner: internal,", "governance: {owner: inside,", 1)
    folder = model_dir(tmp_path, text)
    (line,) = errors(invoke("--catalog-dir", str(folder), "frameworks", "list"))
    assert "functions.governance.owner: must be 'internal', 'provider' or 'shared'" in line


def saq_root(tmp_path: Path, data: object) -> Path:
    (tmp_path / "saq").mkdir()
    (tmp_path / SAQ_FILE).write_text(yaml.safe_dump(data, sort_keys=False))
    return tmp_path


def found_with(lib: Library) -> _Found:
    return _Found(functions=dict(lib.functions), catalogs=dict(lib.catalogs))


def shipped() -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load((builtin_root() / SAQ_FILE).read_text())
    return data


def test_no_saq_file_means_no_saq_selection(lib: Library, tmp_path: Path) -> None:
    assert _load_saqs(tmp_path, found_with(lib)) is None


def test_an_saq_requirement_the_catalog_lacks_is_an_error(lib: Library, tmp_path: Path) -> None:
    data = copy.deepcopy(shipped())
    data["saqs"]["A"]["requirements"].append("99.9.9")  # type: ignore[index]
    found = found_with(lib)
    assert _load_saqs(saq_root(tmp_path, data), found) is not None
    (problem,) = found.problems
    assert isinstance(problem, Problem)
    assert problem.field == "saqs.A.requirements[27]"
    assert "unknown requirement of pci-dss-4 '99.9.9'" in problem.message


def test_a_malformed_saq_file_is_reported_not_trusted(lib: Library, tmp_path: Path) -> None:
    data = copy.deepcopy(shipped())
    data["saqs"]["B"]["applies_to"] = "everyone"  # type: ignore[index]
    found = found_with(lib)
    assert _load_saqs(saq_root(tmp_path, data), found) is None
    assert [p.field for p in found.problems] == ["saqs.B.applies_to"]
