"""Write a rendered report to its file atomically, never over one of the inputs."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ctrlmap.errors import CtrlmapError


def write_atomically(path: Path, text: str, inputs: Iterable[Path] = ()) -> None:
    """Write `text` to `path` through a temporary file and a rename.

    A failed run leaves no half-written file, and an output path that is one of the inputs is
    refused before anything is written.
    """
    target = path.expanduser()
    for source in inputs:
        try:
            same = target.resolve() == Path(source).resolve()
        except OSError:
            continue
        if same:
            raise CtrlmapError(
                f"{path}: refusing to overwrite an input file; choose another output path"
            )
    directory = target.parent if str(target.parent) else Path(".")
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
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CtrlmapError(f"{path}: cannot write the file ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 less the umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
