"""What `ctrlmap demo` (and so `make demo`) prints last: the next step (issue 15, item 6)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ctrlmap import cli as cli_module
from ctrlmap.cli import cli, next_steps, program_name
from tests.conftest import EXAMPLES


def test_the_next_step_is_init_then_gaps() -> None:
    lines = next_steps(".venv/bin/ctrlmap", EXAMPLES)
    assert lines[0] == "Next: describe your own organization, then assess it:"
    assert lines[1].startswith("  .venv/bin/ctrlmap init -o my-profile.yaml")
    assert lines[2].startswith("  .venv/bin/ctrlmap gaps my-profile.yaml")
    assert lines[-1] == "  (or run `. .venv/bin/activate` once, then type just `ctrlmap`)"
    assert "init" in cli.commands


def test_the_examples_are_named_relative_to_the_working_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    assert "examples/clinic.yaml" in next_steps("ctrlmap", EXAMPLES)[2]


def test_the_program_is_named_as_it_was_typed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = tmp_path / "bin" / "ctrlmap"
    script.parent.mkdir()
    script.write_text("")
    monkeypatch.setattr("sys.argv", [str(script), "demo"])
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert program_name() == str(script)
    monkeypatch.setattr("shutil.which", lambda name: str(script))
    assert program_name() == "ctrlmap"
    monkeypatch.setattr("sys.argv", ["/x/ctrlmap/__main__.py"])
    assert program_name() == "ctrlmap"
    monkeypatch.setattr("sys.argv", [])
    assert program_name() == "ctrlmap"


def test_demo_ends_with_the_next_steps(
    invoke: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("demo")
    assert result.exit_code == 0, result.stderr
    tail = result.stderr.splitlines()
    assert tail[0].startswith(f"Wrote {tmp_path / 'ctrlmap-demo.html'}")
    assert tail[1:] == next_steps(cli_module.program_name(), EXAMPLES)
