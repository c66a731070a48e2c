"""The OSCAL conversion cache: a conversion is reused only when nothing it was made from changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ctrlmap.load import oscal, oscal_catalog
from ctrlmap.load.catalogs import load_library
from ctrlmap.load.library import Library
from ctrlmap.load.oscal_cache import (
    Conversion,
    conversion_key,
    load_conversion,
    store_conversion,
)
from ctrlmap.load.read import load_cached, read_document, store_cached
from tests.conftest import DATA, SHARED

TINY = DATA / "oscal"
NIST = SHARED / "oscal" / "NIST_SP-800-53_rev5_catalog_v5.0.1.json"
LOW = SHARED / "oscal" / "NIST_SP-800-53_rev5_LOW-baseline_profile.json"


@pytest.fixture
def beside(tmp_path: Path) -> Path:
    """The tiny catalog and a profile importing it by href, in one folder."""
    folder = tmp_path / "oscal"
    folder.mkdir()
    shutil.copy(TINY / "tiny-catalog.json", folder / "tiny-catalog.json")
    shutil.copy(TINY / "tiny-profile.json", folder / "tiny-profile.json")
    return folder


def no_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any conversion fail the test: what follows must come from the cache."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("converted again")

    monkeypatch.setattr(oscal, "convert_oscal", refuse)


def shape(lib: Library) -> tuple[object, ...]:
    return (lib.catalogs, lib.warnings, sorted((k, s.sha256) for k, s in lib.sources.items()))


def test_a_second_load_takes_the_catalog_and_profile_from_the_cache(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_library([str(NIST), f"low={LOW}"])
    no_conversion(monkeypatch)
    again = load_library([str(NIST), f"low={LOW}"])
    assert shape(again) == shape(first)
    assert len(again.catalogs["low"].controls) == len(first.catalogs["low"].controls) > 100


def test_a_cached_load_gives_what_a_load_without_the_cache_gives(
    cache: Path, beside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [str(beside / "tiny-profile.json")]
    load_library(args)
    cached = load_library(args)
    monkeypatch.setenv("CTRLMAP_NO_CACHE", "1")
    assert shape(cached) == shape(load_library(args))


def test_a_functions_file_added_beside_the_catalog_is_a_miss(cache: Path, beside: Path) -> None:
    args = [str(beside / "tiny-profile.json")]
    before = load_library(args).catalogs["tiny-profile"].controls[0]
    (beside / "tiny-catalog.functions.yaml").write_text(
        f"controls: {{{before.id}: [patch-management]}}\n", encoding="utf-8"
    )
    after = load_library(args).catalogs["tiny-profile"].controls[0]
    assert before.functions != ("patch-management",)
    assert after.functions == ("patch-management",)


def test_an_edited_imported_catalog_is_a_miss(cache: Path, beside: Path) -> None:
    args = [str(beside / "tiny-profile.json")]
    titles = {c.id: c.title for c in load_library(args).catalogs["tiny-profile"].controls}
    catalog = beside / "tiny-catalog.json"
    data = json.loads(catalog.read_text(encoding="utf-8"))
    data["catalog"]["groups"][0]["controls"][0]["title"] = "Renamed on disk"
    catalog.write_text(json.dumps(data), encoding="utf-8")
    renamed = {c.id: c.title for c in load_library(args).catalogs["tiny-profile"].controls}
    assert "Renamed on disk" in renamed.values()
    assert "Renamed on disk" not in titles.values()


def test_the_catalogs_given_with_the_profile_are_part_of_the_key(tmp_path: Path) -> None:
    doc = read_document(LOW)
    alone = conversion_key(doc, LOW, "low", [(LOW, doc.sha256)])
    with_nist = conversion_key(doc, LOW, "low", [(NIST, "0" * 64), (LOW, doc.sha256)])
    other_id = conversion_key(doc, LOW, "other", [(LOW, doc.sha256)])
    assert len({alone, with_nist, other_id}) == 3
    assert conversion_key(doc, LOW, "low", [(LOW, doc.sha256)]) == alone


def test_other_converting_code_is_another_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from ctrlmap.load import oscal_cache

    doc = read_document(LOW)
    before = conversion_key(doc, LOW, "low", [])
    monkeypatch.setattr(oscal_cache, "code_fingerprint", lambda *names: "edited")
    assert conversion_key(doc, LOW, "low", []) != before


def test_an_entry_is_refused_when_a_file_it_looked_at_changed(cache: Path, tmp_path: Path) -> None:
    looked = tmp_path / "map.yaml"
    absent = tmp_path / "absent.yaml"
    looked.write_text("a: 1\n")
    done = Conversion({"id": "x"}, [], [])
    store_conversion("c" * 64, done, [looked, absent])
    assert load_conversion("c" * 64) == done
    absent.write_text("now here\n")
    assert load_conversion("c" * 64) is None
    absent.unlink()
    looked.write_text("a: 2\n")
    assert load_conversion("c" * 64) is None


@pytest.mark.parametrize(
    "entry",
    [
        [],
        {"data": [], "warnings": [], "read": [], "looked": []},
        {"data": {}, "warnings": [["f", "line", "", "m"]], "read": [], "looked": []},
        {"data": {}, "warnings": [], "read": [["name"]], "looked": []},
        {"data": {}, "warnings": [], "read": [], "looked": [[1, None, None]]},
        {"data": {}, "warnings": [], "read": []},
    ],
)
def test_an_entry_of_the_wrong_shape_is_a_miss(cache: Path, entry: object) -> None:
    store_cached("d" * 64, entry)
    assert load_cached("d" * 64) == entry
    assert load_conversion("d" * 64) is None


def test_a_damaged_conversion_entry_is_rebuilt(
    cache: Path, beside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [str(beside / "tiny-catalog.json")]
    first = load_library(args)
    for path in cache.iterdir():
        path.write_bytes(path.read_bytes()[:-3])
    assert shape(load_library(args)) == shape(first)
    no_conversion(monkeypatch)
    assert shape(load_library(args)) == shape(first)  # rebuilt, and used again


def test_a_failed_conversion_is_not_kept(cache: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    shutil.copy(TINY / "bad-all-withdrawn.json", bad)
    for _ in range(2):
        with pytest.raises(Exception, match="nothing to import"):
            load_library([str(bad)])


def test_a_catalog_given_with_its_profile_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTRLMAP_NO_CACHE", "1")
    reads: list[str] = []
    real = oscal_catalog._read_catalog

    def counted(doc: object, path: Path | None, ctx: object) -> object:
        reads.append(str(path))
        return real(doc, path, ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(oscal_catalog, "_read_catalog", counted)
    lib = load_library([str(NIST), f"low={LOW}"])
    assert reads == [str(NIST)]
    alone = load_library([f"low={LOW}", str(NIST)])
    assert reads == [str(NIST), str(NIST)]
    assert lib.catalogs["low"] == alone.catalogs["low"]
