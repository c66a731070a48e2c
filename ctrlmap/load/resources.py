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

# How many of each thing ctrlmap assesses: far above real use (catalogs of hundreds of controls,
# organizations of hundreds of people, a few dozen providers) and below where a run would take
# more than about 30 seconds (bench/scale.py measures it). Past a limit the input is refused
# with exit 2. Read them as `resources.MAX_...` so that a test can lower them.
MAX_CONTROLS = 20_000
"""Controls in the library: the built-in catalogs and every catalog the user adds, together."""
MAX_PEOPLE = 5_000
"""People in a profile's `internal` list."""
MAX_PROVIDERS = 500
"""Providers in a profile (missing-handoff reports each pair of providers whose work meets, so
its output grows with the square of the providers that share a framework)."""
MAX_OVERRIDES = 20_000
"""Overrides in a profile."""


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
