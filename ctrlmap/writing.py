"""Write a rendered report to its file atomically, never over one of the inputs."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from ctrlmap.errors import CtrlmapError


def write_atomically(
    path: Path, text: str | bytes, inputs: Iterable[Path] = (), protected: Iterable[Path] = ()
) -> None:
    """Write `text` (or the bytes of a binary format) to `path` through a temporary file and a
    rename.

    `text` is written as UTF-8 with LF line ends; `bytes` (a workbook) are written as they are,
    and never to a terminal.

    A failed run (an error, a full disk, SIGTERM) leaves no half-written file, and the output is
    refused before anything is written when it is one of the inputs or lies in a `protected`
    folder (ctrlmap's own catalogs and its cache). A character device (`/dev/null`, a terminal) is
    written directly, never replaced by a file; a FIFO, socket or block device is refused.
    """
    target = path.expanduser()
    try:
        resolved = target.resolve()
    except (OSError, RuntimeError):  # before Python 3.13 a symbolic link loop is a RuntimeError
        raise CtrlmapError(
            f"{path}: cannot follow this path (a symbolic link loop?); choose another output path"
        ) from None
    for source in inputs:
        if _same(resolved, Path(source)):
            raise CtrlmapError(
                f"{path}: refusing to overwrite an input file; choose another output path"
            )
    for folder in protected:
        if _inside(resolved, folder):
            raise CtrlmapError(
                f"{path}: is inside ctrlmap's own files ({folder}); choose another output path"
            )
    if _special(target):
        try:
            with _open(target, text) as handle:
                if isinstance(text, bytes) and handle.isatty():
                    raise CtrlmapError(
                        f"{path}: is a terminal, and this format is a binary file; give a file path"
                    )
                handle.write(text)
        except OSError as exc:
            raise CtrlmapError(f"{path}: cannot write to the device ({exc.strerror})") from None
        return
    directory = target.parent
    if not directory.is_dir():
        raise CtrlmapError(
            f"{path}: folder {directory} does not exist; create it or choose another path"
        )
    if target.is_dir():
        raise CtrlmapError(f"{path}: is a folder; give a file name")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise CtrlmapError(f"{path}: cannot write here ({exc.strerror})") from None
    try:
        with _open(fd, text) as handle:
            handle.write(text)
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CtrlmapError(f"{path}: cannot write the file ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _open(target: Path | int, content: str | bytes) -> IO[Any]:
    """The file opened for `content`: bytes as they are, text as UTF-8 with LF line endings."""
    if isinstance(content, bytes):
        return open(target, "wb")
    return open(target, "w", encoding="utf-8", newline="\n")


def _same(resolved: Path, source: Path) -> bool:
    try:
        return resolved == source.resolve()
    except (OSError, RuntimeError):
        return False


def _inside(resolved: Path, folder: Path) -> bool:
    try:
        base = folder.resolve()
    except (OSError, RuntimeError):
        return False
    return resolved == base or base in resolved.parents


def _special(target: Path) -> bool:
    """Whether the target is a character device, to be written directly; refuse other special files."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False  # nothing there yet: an ordinary new file
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return False
    if not stat.S_ISCHR(mode):
        raise CtrlmapError(
            f"{target}: is not a regular file (a FIFO, socket or block device); give a file path, "
            "or leave out -o to print to standard output"
        )
    return True


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 less the umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
