"""The parsed-catalog cache is checked, never trusted: a damaged or edited entry is rebuilt."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest

from ctrlmap.load import read
from ctrlmap.load.read import load_cached, read_document, store_cached

SOURCE = "controls:\n  - id: T-1\n    title: Tiny\n"
DATA = {"controls": [{"id": "T-1", "title": "Tiny"}]}


def source(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(SOURCE)
    return path


def entry(cache: Path) -> Path:
    (found,) = [p for p in cache.iterdir() if p.suffix == ".json"]
    return found


def split(path: Path) -> tuple[dict[str, Any], bytes]:
    head, _, payload = path.read_bytes().partition(b"\n")
    return json.loads(head), payload


def test_a_cached_copy_is_used_and_left_beside_no_temporary_file(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = read_document(source(tmp_path), cache=True)
    assert first.data == DATA

    def parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cached file was parsed again")

    monkeypatch.setattr(read, "parse_document", parse)
    again = read_document(source(tmp_path), cache=True)
    assert again.data == DATA
    assert again.sha256 == first.sha256
    assert [p.suffix for p in cache.iterdir()] == [".json"]


def test_an_entry_carries_its_key_and_the_hash_of_its_payload(tmp_path: Path, cache: Path) -> None:
    read_document(source(tmp_path), cache=True)
    header, payload = split(entry(cache))
    assert header == {"key": entry(cache).stem, "payload": hashlib.sha256(payload).hexdigest()}
    assert json.loads(payload) == DATA


def test_an_edited_payload_is_not_trusted(tmp_path: Path, cache: Path) -> None:
    read_document(source(tmp_path), cache=True)
    header, payload = split(entry(cache))
    entry(cache).write_bytes(
        json.dumps(header).encode() + b"\n" + payload.replace(b"Tiny", b"Tampered")
    )
    assert read_document(source(tmp_path), cache=True).data == DATA
    assert json.loads(split(entry(cache))[1]) == DATA  # and the entry is rebuilt


def test_an_entry_made_for_another_file_is_not_trusted(tmp_path: Path, cache: Path) -> None:
    read_document(source(tmp_path), cache=True)
    mine = entry(cache)
    other = tmp_path / "other.yaml"
    other.write_text("controls:\n  - id: O-1\n    title: Other\n")
    read_document(other, cache=True)
    (theirs,) = [p for p in cache.iterdir() if p != mine]
    mine.write_bytes(theirs.read_bytes())  # a valid entry, under the wrong name
    assert read_document(source(tmp_path), cache=True).data == DATA


def _truncated(blob: bytes) -> bytes:
    return blob[: len(blob) - 7]


def _flipped(blob: bytes) -> bytes:
    at = len(blob) - 5
    return blob[:at] + bytes([blob[at] ^ 0x01]) + blob[at + 1 :]


@pytest.mark.parametrize(
    "damage",
    [
        _truncated,
        _flipped,
        lambda blob: blob.partition(b"\n")[0],  # the header alone
        lambda blob: b"",
        lambda blob: b"\xff\xfe" + blob,
        lambda blob: b"{broken\n" + blob.partition(b"\n")[2],
        lambda blob: json.dumps(DATA).encode(),  # an entry of the first layout (no header)
        lambda blob: b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["truncated", "bit-flip", "no-payload", "empty", "not-utf8", "bad-header", "old", "deep"],
)
def test_a_damaged_entry_is_rebuilt(tmp_path: Path, cache: Path, damage: Any) -> None:
    read_document(source(tmp_path), cache=True)
    entry(cache).write_bytes(damage(entry(cache).read_bytes()))
    assert read_document(source(tmp_path), cache=True).data == DATA
    assert json.loads(split(entry(cache))[1]) == DATA


def test_a_forged_entry_with_a_control_character_is_not_trusted(
    tmp_path: Path, cache: Path
) -> None:
    # even with a matching hash: the reader refuses what it would refuse in a source file
    read_document(source(tmp_path), cache=True)
    header, payload = split(entry(cache))
    payload = payload.replace(b"Tiny", b"Ti\\u0007ny")
    header["payload"] = hashlib.sha256(payload).hexdigest()
    entry(cache).write_bytes(json.dumps(header).encode() + b"\n" + payload)
    assert read_document(source(tmp_path), cache=True).data == DATA


def test_an_entry_that_is_not_a_regular_file_is_skipped(tmp_path: Path, cache: Path) -> None:
    read_document(source(tmp_path), cache=True)
    target = entry(cache)
    target.unlink()
    os.mkfifo(target)  # a reader would hang on it
    assert read_document(source(tmp_path), cache=True).data == DATA
    target.unlink()
    target.symlink_to("/dev/zero")
    assert read_document(source(tmp_path), cache=True).data == DATA


def test_another_version_of_ctrlmap_does_not_read_the_entry(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_document(source(tmp_path), cache=True)
    read.code_fingerprint.cache_clear()
    monkeypatch.setattr(read, "__version__", "99.0")
    try:
        assert read_document(source(tmp_path), cache=True).data == DATA
    finally:
        read.code_fingerprint.cache_clear()
    assert len(list(cache.iterdir())) == 2  # its own entry, beside the other version's


def test_a_failed_write_leaves_the_old_entry_and_no_temporary_file(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_cached("k" * 64, DATA)
    before = entry(cache).read_bytes()

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(read.os, "replace", full)
    store_cached("k" * 64, {"controls": []})
    assert entry(cache).read_bytes() == before
    assert [p.name for p in cache.iterdir()] == [entry(cache).name]
    assert load_cached("k" * 64) == DATA


def test_a_read_only_cache_folder_means_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CTRLMAP_CACHE_DIR", str(tmp_path / "file"))
    (tmp_path / "file").write_text("not a folder")
    assert read_document(source(tmp_path), cache=True).data == DATA
    assert load_cached("k" * 64) is None


def _hammer(folder: str, writer: int, rounds: int) -> list[str]:
    """One process writing its own large payload to the shared key and reading it back."""
    os.environ["CTRLMAP_CACHE_DIR"] = folder
    mine = {"writer": writer, "rows": [f"{writer}-{i}" * 50 for i in range(2_000)]}
    seen = []
    for _ in range(rounds):
        store_cached("s" * 64, mine)
        got = load_cached("s" * 64)
        seen.append("none" if got is None else str(got["writer"]))
        assert got is None or got["rows"][0].startswith(f"{got['writer']}-")
    return seen


def test_processes_writing_one_entry_at_once_never_see_half_an_entry(cache: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        results = pool.starmap(_hammer, [(str(cache), writer, 25) for writer in range(4)])
    seen = {value for run in results for value in run}
    assert seen <= {"0", "1", "2", "3"}  # always a whole entry, never a miss or a torn one
    assert [p.name for p in cache.iterdir()] == ["s" * 64 + ".json"]
    assert load_cached("s" * 64)["writer"] in {0, 1, 2, 3}


def _read_tiny(folder: str, path: str) -> Any:
    os.environ["CTRLMAP_CACHE_DIR"] = folder
    return read_document(Path(path), cache=True).data


def test_processes_filling_an_empty_cache_at_once_all_read_the_file(
    tmp_path: Path, cache: Path
) -> None:
    path = str(source(tmp_path))
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        results = pool.starmap(_read_tiny, [(str(cache), path)] * 8)
    assert results == [DATA] * 8
    assert len(list(cache.iterdir())) == 1
    assert read_document(Path(path), cache=True).data == DATA


def test_no_home_folder_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CTRLMAP_NO_CACHE", "CTRLMAP_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)

    def nowhere() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(read.Path, "home", staticmethod(nowhere))
    assert read.cache_dir() is None


def test_a_json_file_that_parsed_before_is_parsed_only_when_its_data_is_asked_for(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(DATA))
    assert read_document(path, cache=True).data == DATA
    assert load_cached(entry(cache).stem) == "parsed"  # the entry records the parse, not a copy
    parses: list[str] = []
    real = read.parse_document

    def counted(raw: bytes, name: str, *, is_json: bool = False) -> Any:
        parses.append(name)
        return real(raw, name, is_json=is_json)

    monkeypatch.setattr(read, "parse_document", counted)
    again = read_document(path, cache=True)
    assert parses == []
    assert again.data == DATA
    assert parses == [str(path)]
    path.write_text("{broken")  # other bytes, another key: parsed now, and refused now
    with pytest.raises(Exception, match="JSON syntax error"):
        read_document(path, cache=True)
