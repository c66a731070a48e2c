"""Where the shipped catalogs, models and examples live, and how large an input may be."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


PROFILE_MAX_BYTES = 4 * 1024 * 1024
"""Largest profile or model file read (4 MiB); a real profile is a few kilobytes."""
REPORT_MAX_BYTES = 256 * 1024 * 1024
"""Largest HTML report `verify` reads (256 MiB): a report runs to about 3 KB per control."""


def builtin_root() -> Path:
    """The folder of the built-in catalogs: inside the installed package, else the source tree."""
    packaged = Path(str(resources.files("ctrlmap"))) / "frameworks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "frameworks"


def examples_root() -> Path:
    """The folder of the shipped example profiles."""
    packaged = Path(str(resources.files("ctrlmap"))) / "examples"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "examples"
