"""Writing -o files: atomic, never over an input, and a failed write leaves nothing behind."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ctrlmap.errors import CtrlmapError
from ctrlmap.writing import write_atomically
from tests.conftest import DATA

MINIMAL = DATA / "good" / "minimal.yaml"


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_new_file_gets_the_usual_mode_less_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    old = os.umask(0o027)
    try:
        write_atomically(target, "hello\n")
    finally:
        os.umask(old)
    assert target.read_text(encoding="utf-8") == "hello\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert _listing(tmp_path) == ["out.txt"]


def test_an_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    target.chmod(0o604)
    write_atomically(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert target.stat().st_mode & 0o777 == 0o604


def test_an_input_reached_through_a_symlink_is_not_overwritten(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(MINIMAL.read_text())
    link = tmp_path / "out.md"
    link.symlink_to(profile)
    result = invoke("assign", str(profile), "-o", str(link))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {link}: refusing to overwrite an input file; choose another output path\n"
    )
    assert profile.read_text() == MINIMAL.read_text()
    assert link.is_symlink()


def test_an_input_spelt_another_way_is_not_overwritten(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    (tmp_path / "sub").mkdir()
    profile = tmp_path / "p.yaml"
    profile.write_text(MINIMAL.read_text())
    other = tmp_path / "sub" / ".." / "p.yaml"
    result = invoke("assign", str(profile), "-o", str(other))
    assert result.exit_code == 2
    assert "refusing to overwrite an input file" in result.stderr
    assert profile.read_text() == MINIMAL.read_text()
    assert _listing(tmp_path) == ["p.yaml", "sub"]


def test_an_input_whose_path_cannot_be_resolved_is_no_obstacle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A relative input path cannot be resolved once the working folder is gone (getcwd fails);
    # it cannot be the absolute output path either, so the write goes ahead.
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    with pytest.raises(FileNotFoundError):
        Path("p.yaml").resolve()
    target = tmp_path / "out.txt"
    write_atomically(target, "text\n", [Path("p.yaml")])
    assert target.read_text(encoding="utf-8") == "text\n"


def test_a_folder_is_refused_as_the_output(tmp_path: Path) -> None:
    # The command line's -o already refuses an existing folder; the API says so too.
    folder = tmp_path / "reports"
    folder.mkdir()
    with pytest.raises(CtrlmapError) as caught:
        write_atomically(folder, "text")
    assert caught.value.message == f"{folder}: is a folder; give a file name"
    assert _listing(folder) == []


def test_a_folder_that_cannot_be_written_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root may write anywhere, so the refusal of a read-only folder is simulated.
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    target = tmp_path / "out.txt"
    with pytest.raises(CtrlmapError) as caught:
        write_atomically(target, "text")
    assert caught.value.message == f"{target}: cannot write here (Permission denied)"
    assert _listing(tmp_path) == []


def test_a_failed_rename_removes_the_temporary_file_and_keeps_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    renamed: list[Path] = []

    def full_disk(src: str, dst: object) -> None:
        renamed.append(Path(src))
        assert Path(src).read_text(encoding="utf-8") == "new\n"
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(CtrlmapError) as caught:
        write_atomically(target, "new\n")
    assert caught.value.message == f"{target}: cannot write the file (No space left on device)"
    (tmp,) = renamed
    assert tmp.parent == tmp_path and tmp.name.startswith(".out.txt.")
    assert not tmp.exists()
    assert _listing(tmp_path) == ["out.txt"]
    assert target.read_text(encoding="utf-8") == "old\n"


def test_text_that_cannot_be_encoded_leaves_no_temporary_file(tmp_path: Path) -> None:
    # Not an OSError: the error goes on unchanged (it is a bug upstream), but the half-written
    # temporary file is removed first.
    target = tmp_path / "out.txt"
    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "half \ud800 written")
    assert _listing(tmp_path) == []


def test_an_interrupt_during_the_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(path: str, mode: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "chmod", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "out.txt", "text")
    assert _listing(tmp_path) == []


def test_output_onto_a_symlink_loop_is_not_an_internal_error(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    loop = tmp_path / "out.md"
    loop.symlink_to(loop)
    result = invoke("assign", str(MINIMAL), "-o", str(loop))
    assert "internal error" not in result.stderr
    assert result.exit_code in (0, 2), result.stderr


def test_bytes_are_written_as_they_are(tmp_path: Path) -> None:
    # a binary format (PDF): no encoding, no newline translation, still through a rename
    target = tmp_path / "report.pdf"
    data = b"%PDF-1.7\r\n\x00\xff binary\n"
    write_atomically(target, data)
    assert target.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]
    write_atomically(Path(os.devnull), data)  # a character device is written directly
