"""The README's Quick start works when followed literally on a fresh machine (issue 15, item 6).

tools/first_steps.py copies the repository, runs `make demo` (one fresh virtualenv, reused by
every later step), activates it and runs every command of the Quick start in one shell.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from tests.conftest import ROOT


def quick_start(readme: str) -> list[str]:
    spec = importlib.util.spec_from_file_location("first_steps", ROOT / "tools" / "first_steps.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    commands: list[str] = module.quick_start(readme)
    return commands


def test_the_quick_start_names_the_activation_and_the_venv_path() -> None:
    commands = quick_start((ROOT / "README.md").read_text(encoding="utf-8"))
    assert commands[0].startswith("make demo")
    assert commands[1].startswith(". .venv/bin/activate") and ".venv/bin/ctrlmap" in commands[1]
    assert not any(c.lstrip().startswith("dot ") or "| dot" in c for c in commands)
    assert any(c.startswith("ctrlmap init --no-input -o my-profile.yaml") for c in commands)


def test_the_quick_start_works_followed_literally() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "first_steps.py")],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    assert "commands of the Quick start worked" in done.stdout
