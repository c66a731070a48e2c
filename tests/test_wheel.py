"""The wheel carries every built-in catalog, model and example: installed outside the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_installed_wheel_finds_every_catalog_and_model(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
        ],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = dist.glob("ctrlmap-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, cwd=tmp_path
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [str(venv / "bin" / "ctrlmap"), "frameworks", "list", "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    data = json.loads(out.stdout)
    source_catalogs = {p.stem for p in (ROOT / "frameworks").glob("*.yaml")} - {"functions"}
    source_models = {p.stem for p in (ROOT / "frameworks" / "models").glob("*.yaml")}
    assert {f["id"] for f in data["frameworks"]} == source_catalogs
    assert {m["id"] for m in data["models"]} == source_models
    located = subprocess.run(
        [
            str(python),
            "-c",
            "import ctrlmap.load.resources as l; print(l.builtin_root()); print(l.examples_root())",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    ).stdout.split()
    assert all("site-packages" in line for line in located)
    demo = subprocess.run(
        [str(venv / "bin" / "ctrlmap"), "demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert demo.returncode == 0, demo.stderr
