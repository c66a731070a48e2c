"""Where the shipped data is found: inside the installed package first, else the source tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctrlmap.load import resources
from tests.conftest import ROOT


def test_the_source_tree_is_used_when_the_package_has_no_data() -> None:
    # In a source checkout the package folder holds no frameworks/ or examples/ of its own.
    assert not (ROOT / "ctrlmap" / "frameworks").exists()
    assert resources.builtin_root() == ROOT / "frameworks"
    assert resources.examples_root() == ROOT / "examples"


def test_an_installed_package_uses_the_data_inside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wheel puts frameworks/ and examples/ inside the ctrlmap package folder.
    (tmp_path / "frameworks").mkdir()
    (tmp_path / "examples").mkdir()
    seen: list[str] = []

    def files(package: str) -> Path:
        seen.append(package)
        return tmp_path

    monkeypatch.setattr(resources.resources, "files", files)
    assert resources.builtin_root() == tmp_path / "frameworks"
    assert resources.examples_root() == tmp_path / "examples"
    assert seen == ["ctrlmap", "ctrlmap"]


def test_one_missing_folder_falls_back_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "frameworks").mkdir()
    monkeypatch.setattr(resources.resources, "files", lambda package: tmp_path)
    assert resources.builtin_root() == tmp_path / "frameworks"
    assert resources.examples_root() == ROOT / "examples"
