"""tools/coverage_floor.py: every module under the floor is named, and a bad report is refused."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "coverage_floor_tool", ROOT / "tools" / "coverage_floor.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report(tmp_path: Path, percents: dict[str, float], branch: bool = True) -> Path:
    data: dict[str, Any] = {
        "meta": {"format": 3, "branch_coverage": branch},
        "files": {name: {"summary": {"percent_covered": p}} for name, p in percents.items()},
        "totals": {},
    }
    path = tmp_path / "cov.json"
    path.write_text(json.dumps(data))
    return path


def test_each_module_under_the_floor_gets_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = report(
        tmp_path, {"pkg/b.py": 89.96, "pkg/a.py": 50.0, "pkg/ok.py": 90.0, "pkg/full.py": 100.0}
    )
    assert tool().main([str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "pkg/a.py: 50.0% line+branch coverage, under the 90% floor",
        "pkg/b.py: 89.9% line+branch coverage, under the 90% floor",
        "2 of 4 modules under 90%",
    ]


def test_all_modules_at_the_floor_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = report(tmp_path, {"pkg/a.py": 90.0, "pkg/b.py": 97.5})
    assert tool().main([str(path)]) == 0
    assert capsys.readouterr().out == "2 modules, each at 90% line+branch coverage or more\n"


def test_the_floor_can_be_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = report(tmp_path, {"pkg/a.py": 80.0})
    assert tool().main([str(path), "--floor", "75"]) == 0
    assert tool().main(["--floor", "85", str(path)]) == 1
    assert "pkg/a.py: 80.0%" in capsys.readouterr().out
    assert tool().main([str(path), "--floor", "most"]) == 1
    assert "--floor needs a number" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found; run pytest with --cov-report=json:"),
        ("{not json", "not a coverage JSON report"),
        ("[]", "not a coverage JSON report (no 'files')"),
        ('{"meta": {"branch_coverage": false}, "files": {}}', "measured without branches"),
        ('{"meta": {"branch_coverage": true}, "files": {}}', "measured no module"),
    ],
)
def test_an_unusable_report_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "cov.json"
    if content is not None:
        path.write_text(content)
    assert tool().main([str(path)]) == 1
    assert message in capsys.readouterr().err


def test_a_line_only_report_is_refused_even_when_every_module_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = report(tmp_path, {"pkg/a.py": 100.0}, branch=False)
    assert tool().main([str(path)]) == 1
    assert "--cov-branch" in capsys.readouterr().err
