"""tools/imports.py: the package's import graph has no cycle, and the checker finds one when there is."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

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
