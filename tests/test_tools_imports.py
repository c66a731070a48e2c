"""tools/imports.py: the package's import graph has no cycle, and the checker finds one when there is."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("imports_tool", ROOT / "tools" / "imports.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_the_package_has_no_import_cycle() -> None:
    tool = checker()
    assert tool.cycles(tool.import_graph()) == []


def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    tool = checker()
    root = package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from pkg.b import x\n",
            "b.py": "def f():\n    from pkg import a\n",
            "c.py": "import pkg.a\n",
        },
    )
    graph = tool.import_graph(root, "pkg")
    assert graph["pkg.c"] == {"pkg.a"}
    assert tool.cycles(graph) == [["pkg.a", "pkg.b"]]


def test_type_checking_imports_and_the_parent_package_do_not_count(tmp_path: Path) -> None:
    tool = checker()
    root = package(
        tmp_path,
        {
            "__init__.py": "from pkg.sub.a import x\n",
            "sub/__init__.py": "",
            "sub/a.py": (
                "from typing import TYPE_CHECKING\nfrom pkg import __version__\n"
                "if TYPE_CHECKING:\n    from pkg.sub.b import y\n"
            ),
            "sub/b.py": "from . import a\n",
        },
    )
    graph = tool.import_graph(root, "pkg")
    assert graph["pkg.sub.a"] == set()
    assert graph["pkg.sub.b"] == {"pkg.sub.a"}
    assert tool.cycles(graph) == []


def test_the_start_up_and_a_json_run_import_only_what_they_use(tmp_path: Path) -> None:
    tool = checker()
    assert tool.heavy_imports(["--help"], tmp_path) == (0, set())
    assert tool.heavy_imports(["frameworks", "list", "--format", "json"], tmp_path) == (
        0,
        {"pydantic", "yaml"},
    )


def test_every_command_has_a_run_that_exits_0() -> None:
    tool = checker()
    declared = [args for args, _, _ in tool.RUNS]
    for name in tool.commands():
        assert any(args[: len(name)] == name for args in declared), name


def test_the_command_check_names_each_kind_of_wrong_import() -> None:
    tool = checker()
    runs = [
        (("frameworks", "list"), tool.LOAD, ""),  # tabulate too, undeclared
        (("schema", "profile"), tool.LOAD | {"networkx"}, ""),  # declares what it does not import
        (("validate", "{tmp}/missing.yaml"), tool.LOAD, ""),  # exits 2
    ]
    names = [("frameworks", "list"), ("schema",), ("validate",), ("graph",)]
    assert tool.check_commands(runs, names) == [
        "ctrlmap graph: no run in tools/imports.py RUNS; add one with the heavy packages it imports",
        "ctrlmap frameworks list: imports tabulate it does not declare; declares - it does not import",
        "ctrlmap schema profile: imports - it does not declare; declares networkx it does not import",
        "ctrlmap validate {tmp}/missing.yaml: exit 2, expected 0",
    ]


def test_a_help_that_imports_a_heavy_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    tool = checker()
    monkeypatch.setattr(tool, "HEAVY", ("click",))  # every command's start-up imports click
    problems = tool.check_commands(
        [(("schema", "profile"), frozenset({"click"}), "")], [("schema",)]
    )
    assert problems == [
        "ctrlmap --help: exit 0, imports click",
        "ctrlmap schema --help: exit 0, imports click",
    ]
