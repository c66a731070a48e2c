"""-o at a protected or non-regular path is refused (or, for a device, written to) by every command."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ctrlmap.load.resources import builtin_root
from tests.conftest import DATA, EXAMPLES

CLINIC = str(EXAMPLES / "clinic.yaml")
SNAPSHOT = DATA / "snapshots" / "clinic-2026-09-01.report1.json"
COMMANDS = {
    "frameworks": ["frameworks", "list"],
    "show": ["frameworks", "show", "hipaa-breach"],
    "validate": ["validate", CLINIC],
    "assign": ["assign", CLINIC],
    "gaps": ["gaps", CLINIC, "--as-of", "2026-11-28"],
    "graph": ["graph", CLINIC],
    "report": ["report", CLINIC, "--format", "md", "--as-of", "2026-11-28"],
    "compare": ["compare", CLINIC, "--as-of", "2026-11-28"],
    "recommend": ["recommend", "--internal-staff", "1"],
    "crosswalk": ["crosswalk", CLINIC],
    "export": ["export", CLINIC, "--format", "crm-csv", "--as-of", "2026-11-28"],
    "diff": ["diff", str(SNAPSHOT), str(SNAPSHOT)],
}


def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def loop(tmp_path: Path) -> Path:
    path = tmp_path / "loop.txt"
    path.symlink_to(path)
    return path


def builtin(tmp_path: Path) -> Path:
    return builtin_root() / "hipaa-breach.yaml"


def model(tmp_path: Path) -> Path:
    return builtin_root() / "models" / "co-managed.yaml"


OWN = ("is inside ctrlmap's own files", "refusing to overwrite an input file")
"""A shipped file is refused as an input of the run, or else as one of ctrlmap's own files."""
PATHS: dict[str, tuple[Callable[[Path], Path], tuple[str, ...]]] = {
    "fifo": (fifo, ("is not a regular file",)),
    "symlink-loop": (loop, ("cannot follow this path",)),
    "built-in-catalog": (builtin, OWN),
    "built-in-model": (model, OWN),
}


@pytest.mark.parametrize("where", sorted(PATHS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_protected_or_special_output_is_refused(
    invoke: Callable[..., Result], tmp_path: Path, command: str, where: str
) -> None:
    make, messages = PATHS[where]
    target = make(tmp_path)
    before = target.read_bytes() if where.startswith("built-in") else None
    result = invoke(*COMMANDS[command], "-o", str(target))
    assert result.exit_code == 2, result.output
    assert any(m in result.stderr for m in messages) and "Traceback" not in result.stderr
    if before is not None:
        assert target.read_bytes() == before


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_character_device_is_written_not_replaced(
    invoke: Callable[..., Result], command: str
) -> None:
    result = invoke(*COMMANDS[command], "-o", os.devnull)
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_full_device_is_a_clear_error(invoke: Callable[..., Result]) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("this system has no /dev/full")
    result = invoke("frameworks", "list", "-o", "/dev/full")
    assert result.exit_code == 2 and "cannot write to the device" in result.stderr
