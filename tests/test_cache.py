"""The parsed-catalog cache is checked, never trusted: a damaged or edited entry is rebuilt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ctrlmap.load import read
from ctrlmap.load.read import read_document

SOURCE = "controls:\n  - id: T-1\n    title: Tiny\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.delenv("CTRLMAP_NO_CACHE", raising=False)
    monkeypatch.setenv("CTRLMAP_CACHE_DIR", str(folder))
    return folder


def source(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(SOURCE)
    return path


def entry(cache: Path) -> Path:
    (found,) = [p for p in cache.iterdir() if p.suffix == ".json"]
    return found


def test_a_cached_copy_is_used_and_left_beside_no_temporary_file(
    tmp_path: Path, cache: Path
) -> None:
    first = read_document(source(tmp_path), cache=True)
    again = read_document(source(tmp_path), cache=True)
    assert first.data == again.data == {"controls": [{"id": "T-1", "title": "Tiny"}]}
    assert [p.suffix for p in cache.iterdir()] == [".json"]


def test_an_edited_entry_is_not_trusted(tmp_path: Path, cache: Path) -> None:
    read_document(source(tmp_path), cache=True)
    stored = json.loads(entry(cache).read_text())
    stored["data"]["controls"][0]["title"] = "Tampered"
    entry(cache).write_text(json.dumps(stored))
    assert read_document(source(tmp_path), cache=True).data["controls"][0]["title"] == "Tiny"


@pytest.mark.parametrize(
    "text", ['{"controls": []}', "[", "[" * 100_000 + "]" * 100_000, '{"source": 1}']
)
def test_a_damaged_entry_is_rebuilt(tmp_path: Path, cache: Path, text: str) -> None:
    read_document(source(tmp_path), cache=True)
    entry(cache).write_text(text)
    assert read_document(source(tmp_path), cache=True).data["controls"][0]["id"] == "T-1"
    assert json.loads(entry(cache).read_text())["data"]["controls"][0]["id"] == "T-1"


def test_an_entry_that_is_not_a_regular_file_is_skipped(tmp_path: Path, cache: Path) -> None:
    read_document(source(tmp_path), cache=True)
    target = entry(cache)
    target.unlink()
    os.mkfifo(target)  # a reader would hang on it
    assert read_document(source(tmp_path), cache=True).data["controls"][0]["id"] == "T-1"
    target.unlink()
    target.symlink_to("/dev/zero")
    assert read_document(source(tmp_path), cache=True).data["controls"][0]["id"] == "T-1"


def test_no_home_folder_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CTRLMAP_NO_CACHE", "CTRLMAP_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)

    def nowhere() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(read.Path, "home", staticmethod(nowhere))
    assert read.cache_dir() is None
