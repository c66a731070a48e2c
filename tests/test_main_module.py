"""`python -m ctrlmap` in-process: the module runs the same command line and exit codes."""

from __future__ import annotations

import runpy
import sys

import pytest

from ctrlmap import __version__
from tests.conftest import DATA


def _run_module(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["ctrlmap", *args])
    with pytest.raises(SystemExit) as stopped:
        runpy.run_module("ctrlmap", run_name="__main__", alter_sys=False)
    code = stopped.value.code
    return code if isinstance(code, int) else 0 if code is None else 1


def test_python_dash_m_prints_the_version(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run_module(monkeypatch, "--version") == 0
    assert capsys.readouterr().out == f"ctrlmap, version {__version__}\n"


def test_python_dash_m_exits_2_on_a_bad_profile(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = DATA / "bad" / "unknown_model.yaml"
    assert _run_module(monkeypatch, "validate", str(path)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"Error: {path}:5: model: unknown model 'half-managed'")
