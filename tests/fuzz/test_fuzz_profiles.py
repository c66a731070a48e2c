"""Fuzz profiles: generated from the Profile model or the shipped examples, then broken."""

from __future__ import annotations

from typing import Any

from hypothesis import given

from tests.fuzz.breakage import broken
from tests.fuzz.harness import commands, fuzz_settings, run_all, workspace, write, written
from tests.fuzz.strategies import profiles


@fuzz_settings(0.5)
@given(data=broken(profiles()).flatmap(written), command=commands())
def test_profile_never_crashes(data: tuple[bytes, str], command: list[str]) -> None:
    """validate, then assign, gaps, report or export: exit 0, 1 or 2, errors naming the file."""
    with workspace() as folder:
        path = write(folder, "profile", data)
        run_all(["validate", str(path)], [command[0], str(path), *command[1:]], [path], _always)


def _always(_: Any) -> bool:
    """A broken profile still runs the drawn command: each command reads the profile itself."""
    return True
