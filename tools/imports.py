"""ctrlmap's imports: the package's import graph has no cycle, and no command imports a heavy
package it does not use.

The graph is read with ast. Every `import` counts, at module level or inside a function, except
those under `if TYPE_CHECKING:` (they never run). An import of a module's own parent package
(for the version or the public facade) is not an edge.

The commands are run: each command's `--help` in a fresh interpreter must import none of the
HEAVY packages (start-up pays for nothing), and each run in RUNS, a real invocation on the
shipped examples, must import exactly the heavy packages it declares, so that a package a
command does not use cannot creep into its start-up unnoticed (and one it stops using is struck
from its line). Every command needs at least one run.

`python tools/imports.py` exits 1 naming each cycle or command found wrong; `--list` prints the
modules and their imports, `--no-commands` skips the command runs (the graph alone is instant).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "ctrlmap"

HEAVY = (
    "hypothesis",
    "jinja2",
    "markupsafe",
    "networkx",
    "openpyxl",
    "pydantic",
    "pypdf",
    "tabulate",
    "trestle",
    "weasyprint",
    "yaml",
)
"""Third-party packages that cost tens of milliseconds to import, or that only tests and the
bench use (hypothesis, compliance-trestle): imported only by the commands that use them."""

LOAD = frozenset({"pydantic", "yaml"})
"""What every command that reads a catalog or a profile uses (the models and the reader)."""
TABLE = LOAD | {"tabulate"}
GRAPH = LOAD | {"networkx"}
HTML = GRAPH | {"jinja2", "markupsafe"}

Run = tuple[tuple[str, ...], frozenset[str], str]
RUNS: tuple[Run, ...] = (
    (("frameworks", "list"), TABLE, ""),
    (("frameworks", "list", "--format", "json"), LOAD, ""),
    (("frameworks", "show", "hipaa-security"), TABLE, ""),
    (("models", "show", "co-managed"), TABLE, ""),
    (("schema", "profile"), LOAD, ""),
    (("validate", "{examples}/clinic.yaml"), TABLE, ""),
    (("validate", "{examples}/clinic.yaml", "--format", "json"), LOAD, ""),
    (("assign", "{examples}/clinic.yaml"), TABLE, ""),
    (("assign", "{examples}/clinic.yaml", "--format", "json"), LOAD, ""),
    (("gaps", "{examples}/clinic.yaml", "--as-of", "2026-11-28"), GRAPH | TABLE, ""),
    (("gaps", "{examples}/clinic.yaml", "--as-of", "2026-11-28", "--format", "json"), GRAPH, ""),
    (("graph", "{examples}/clinic.yaml"), GRAPH, ""),
    (("report", "{examples}/clinic.yaml", "--as-of", "2026-11-28", "-o", "{tmp}/r.html"), HTML, ""),
    (
        ("report", "{examples}/clinic.yaml", "--as-of", "2026-11-28", "-o", "{tmp}/r.md"),
        HTML,
        "",
    ),
    (
        ("report", "{examples}/clinic.yaml", "--as-of", "2026-11-28", "-o", "{tmp}/r.json"),
        GRAPH,
        "",
    ),
    (
        ("verify", "{tmp}/r.html"),
        (HTML - {"networkx"}) | TABLE,
        "",
    ),
    (("diff", "{tmp}/r.json", "{tmp}/r.json"), TABLE, ""),
    (("export", "{examples}/clinic.yaml", "--format", "oscal"), GRAPH, ""),
    (
        ("export", "{examples}/clinic.yaml", "--format", "xlsx", "-o", "{tmp}/m.xlsx"),
        GRAPH | {"openpyxl"},
        "",
    ),
    (("crosswalk", "{examples}/clinic.yaml"), GRAPH | TABLE, ""),
    (("compare", "{examples}/clinic.yaml"), GRAPH | TABLE, ""),
    (("recommend", "{examples}/clinic.yaml"), GRAPH | TABLE, ""),
    (("demo", "-o", "{tmp}/demo.html"), HTML, ""),
    (("portfolio", "{examples}", "--as-of", "2026-11-28", "--jobs", "1"), GRAPH | TABLE, ""),
    (
        ("portfolio", "{examples}", "--as-of", "2026-11-28", "--jobs", "1", "-o", "{tmp}/p.json"),
        GRAPH,
        "",
    ),
    (
        ("portfolio", "{examples}", "--as-of", "2026-11-28", "--jobs", "2", "-o", "{tmp}/p.html"),
        HTML,
        "",
    ),
    (
        ("init", "--no-input", "-o", "{tmp}/profile.yaml"),
        LOAD,
        "",
    ),
)
"""Real invocations (cwd a scratch folder, `{examples}` the shipped examples, `{tmp}` the scratch
folder, filled in order, one after another), the heavy packages each imports, and, when it
imports one it does not use, why (a known excess, printed on every run until it is fixed and
struck). Each must exit 0. The `--help` runs need no order and run side by side."""

_PROBE = """
import io, json, sys
args, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
real = sys.stdout
sys.argv = ["ctrlmap", *args]
sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
code = 0
try:
    from ctrlmap.cli import main
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
real.write(json.dumps([code, sorted(name for name in heavy if name in sys.modules)]))
"""
"""Run one command in this interpreter and print its exit code and the heavy packages loaded."""


def module_name(path: Path, root: Path = ROOT) -> str:
    """`ctrlmap/assessment/gaps/__init__.py` -> `ctrlmap.assessment.gaps`."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: skips the bodies of `if TYPE_CHECKING:`."""
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            todo.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        todo.extend(ast.iter_child_nodes(node))


def imported(module: str, path: Path, modules: set[str]) -> set[str]:
    """The package modules `module` imports (a `from pkg import sub` names the submodule)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _imports(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t if t in modules else base for t in targets]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != module and not module.startswith(f"{target}."):
                found.add(target)
    return found


def import_graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package modules it imports."""
    paths = {module_name(p, root): p for p in sorted((root / package).rglob("*.py"))}
    modules = set(paths)
    return {m: imported(m, p, modules) for m, p in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def commands() -> list[tuple[str, ...]]:
    """Every command of the command line, a group's subcommands by their full path."""
    import click

    from ctrlmap.cli import cli

    found: list[tuple[str, ...]] = []

    def walk(group: click.Group, path: tuple[str, ...]) -> None:
        for name, command in sorted(group.commands.items()):
            if isinstance(command, click.Group):
                walk(command, (*path, name))
            else:
                found.append((*path, name))

    walk(cli, ())
    return found


def heavy_imports(args: Sequence[str], cwd: Path) -> tuple[int, set[str]]:
    """Run `ctrlmap ARGS` in a fresh interpreter: its exit code and the heavy packages it imported."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(list(args)), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )
    try:
        code, names = json.loads(done.stdout)
    except ValueError:
        return -1, {f"(no result: {done.stderr.strip().splitlines()[-1:] or ['?']})"}
    return int(code), set(names)


def check_commands(
    runs: Sequence[Run] = RUNS, names: Sequence[tuple[str, ...]] | None = None
) -> list[str]:
    """What is wrong with the commands' imports: one line per command or run found wrong."""
    names = commands() if names is None else names
    problems = [
        f"ctrlmap {' '.join(name)}: no run in tools/imports.py RUNS; add one with the heavy "
        "packages it imports"
        for name in names
        if not any(args[: len(name)] == name for args, _, _ in runs)
    ]
    with tempfile.TemporaryDirectory(prefix="ctrlmap-imports-") as scratch:
        helps = [(), *names]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            done = list(pool.map(lambda n: heavy_imports([*n, "--help"], Path(scratch)), helps))
        for name, (code, found) in zip(helps, done, strict=True):
            if code != 0 or found:
                shown = " ".join(["ctrlmap", *name, "--help"])
                problems.append(f"{shown}: exit {code}, imports {', '.join(sorted(found)) or '-'}")
        for args, expected, _ in runs:
            filled = [a.format(examples=ROOT / "examples", tmp=scratch) for a in args]
            code, found = heavy_imports(filled, Path(scratch))
            shown = " ".join(["ctrlmap", *args])
            if code != 0:
                problems.append(f"{shown}: exit {code}, expected 0")
            elif found != expected:
                extra, missing = sorted(found - expected), sorted(expected - found)
                problems.append(
                    f"{shown}: imports {', '.join(extra) or '-'} it does not declare"
                    f"; declares {', '.join(missing) or '-'} it does not import"
                )
    return problems


def main(argv: list[str]) -> int:
    """Print the cycles (with --list, the whole graph) and what the commands import wrongly;
    exit 1 when there is either."""
    graph = import_graph()
    if "--list" in argv:
        for module, targets in sorted(graph.items()):
            print(f"{module}: {', '.join(sorted(targets)) or '-'}")
    found = cycles(graph)
    for group in found:
        print("import cycle: " + " <-> ".join(group))
    edges = sum(len(t) for t in graph.values())
    print(f"{len(graph)} modules, {edges} imports, {len(found)} cycles")
    if "--no-commands" in argv:
        return 1 if found else 0
    wrong = check_commands()
    for line in wrong:
        print(f"start-up: {line}")
    for args, _, excess in RUNS:
        if excess:
            print(f"known: ctrlmap {' '.join(args)} imports {excess}")
    print(f"{len(commands())} commands, {len(RUNS)} runs, {len(wrong)} import problems")
    return 1 if found or wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
