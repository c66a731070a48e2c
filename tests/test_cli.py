"""The command line through CliRunner: exit code first, then stdout and stderr."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ctrlmap import __version__
from ctrlmap.cli import cli
from tests.conftest import DATA, EXAMPLES

MINIMAL = str(DATA / "good" / "minimal.yaml")
CLINIC = str(EXAMPLES / "clinic.yaml")


def test_version(invoke: Callable[..., Result]) -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"ctrlmap, version {__version__}"


def test_frameworks_list_json_contract(invoke: Callable[..., Result], lib: object) -> None:
    result = invoke("frameworks", "list", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["schema"] == "ctrlmap/frameworks@1"
    first = data["frameworks"][0]
    assert {"id", "title", "version", "controls", "sector"} <= set(first)
    assert {f["id"] for f in data["frameworks"]} >= {
        "hipaa-security",
        "hipaa-breach",
        "glba-safeguards",
        "nydfs-500",
        "pci-dss-4",
        "aba-model-rules",
    }
    assert {m["id"] for m in data["models"]} >= {"co-managed", "fully-managed"}
    assert len(data["functions"]) == 25


@pytest.mark.parametrize(
    "catalog",
    [
        "hipaa-security",
        "hipaa-breach",
        "glba-safeguards",
        "nydfs-500",
        "pci-dss-4",
        "aba-model-rules",
    ],
)
def test_frameworks_show_renders_each_catalog(invoke: Callable[..., Result], catalog: str) -> None:
    table = invoke("frameworks", "show", catalog)
    assert table.exit_code == 0 and catalog in table.stdout
    result = invoke("frameworks", "show", catalog, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["schema"] == "ctrlmap/catalog@1" and data["id"] == catalog
    control = data["controls"][0]
    assert {
        "id",
        "title",
        "kind",
        "level",
        "status",
        "functions",
        "depends_on",
        "maps_to",
        "accountability",
        "designation",
    } <= set(control)
    assert ":" not in control["id"]
    assert all(":" in ref for c in data["controls"] for ref in c["depends_on"])


def test_frameworks_show_hides_proposed_unless_asked(invoke: Callable[..., Result]) -> None:
    plain = json.loads(invoke("frameworks", "show", "hipaa-security", "--format", "json").stdout)
    every = json.loads(
        invoke(
            "frameworks", "show", "hipaa-security", "--format", "json", "--include-proposed"
        ).stdout
    )
    assert len(every["controls"]) - len(plain["controls"]) == 5


def test_frameworks_show_unknown_catalog(invoke: Callable[..., Result]) -> None:
    result = invoke("frameworks", "show", "hipaa")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: unknown catalog 'hipaa'")


def test_validate_good_profile(invoke: Callable[..., Result]) -> None:
    result = invoke("validate", CLINIC)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{CLINIC}: valid")
    assert "Riverside Family Clinic" in result.stdout


def test_validate_json(invoke: Callable[..., Result]) -> None:
    data = json.loads(invoke("validate", MINIMAL, "--format", "json").stdout)
    assert data["schema"] == "ctrlmap/validate@1"
    assert data["defaults_assumed"][0] == "hipaa"


def test_validate_counts_the_controls_that_apply(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    """Not the catalog's size: the controls the SAQ asks and the facts leave in, as assessed."""
    from ctrlmap import load_library
    from ctrlmap.assessment.pipeline import assess
    from ctrlmap.load.profiles import load_profile

    shop = tmp_path / "shop.yaml"
    shop.write_text(
        "organization: {name: Corner Shop, sector: other}\n"
        "frameworks: [pci-dss-4]\nmodel: co-managed\napplicability: {pci-saq: B-IP}\n"
    )
    lib = load_library()
    profile, _ = load_profile(shop, lib)
    assessment = assess(profile, lib, as_of=dt.date(2026, 11, 28))
    rows = assessment.assignment.assignments
    applicable = sum(a.applicable for a in rows)
    assert 0 < applicable < len(rows)  # SAQ B-IP asks a part of PCI DSS
    result = invoke("validate", str(shop), "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.stderr
    assert f"controls that apply             {applicable} of the {len(rows)} in its frameworks" in (
        result.stdout
    )
    data = json.loads(invoke("validate", str(shop), "--format", "json").stdout)
    assert (data["applicable"], data["controls"]) == (applicable, len(rows))


def test_unknown_option_is_a_usage_error(invoke: Callable[..., Result]) -> None:
    result = invoke("validate", MINIMAL, "--nope")
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_an_unexpected_exception_is_a_bug_notice(
    invoke: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ctrlmap.present.views

    def boom(*args: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(ctrlmap.present.views, "frameworks_view", boom)
    result = invoke("frameworks", "list")
    assert result.exit_code == 3
    assert "internal error (a bug, not your input): RuntimeError: kaboom" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_command_has_help(invoke: Callable[..., Result]) -> None:
    def walk(group: object, path: list[str]) -> list[list[str]]:
        found = [path]
        for name, command in getattr(group, "commands", {}).items():
            found.extend(walk(command, [*path, name]))
        return found

    for path in walk(cli, []):
        result = invoke(*path, "--help")
        assert result.exit_code == 0, path
        assert "Usage:" in result.stdout


def test_every_command_is_in_the_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for name, command in cli.commands.items():
        assert f"ctrlmap {name}" in readme, name
        for sub in getattr(command, "commands", {}):
            assert f"ctrlmap {name} {sub}" in readme, (name, sub)


def test_output_is_written_atomically_and_never_over_an_input(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    target = tmp_path / "list.json"
    result = invoke("frameworks", "list", "--format", "json", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text())["schema"] == "ctrlmap/frameworks@1"
    assert [p.name for p in tmp_path.iterdir()] == ["list.json"]
    profile = tmp_path / "p.yaml"
    profile.write_text(Path(MINIMAL).read_text())
    result = invoke("assign", str(profile), "-o", str(profile))
    assert result.exit_code == 2
    assert "refusing to overwrite an input file" in result.stderr
    assert profile.read_text() == Path(MINIMAL).read_text()


def test_output_to_a_missing_folder_leaves_nothing(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    result = invoke("frameworks", "list", "-o", str(tmp_path / "no" / "such.txt"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("example", ["clinic", "cpa-firm", "law-firm", "mortgage-lender"])
def test_every_shipped_example_validates(invoke: Callable[..., Result], example: str) -> None:
    result = invoke("validate", str(EXAMPLES / f"{example}.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_python_dash_m_runs_the_cli() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "ctrlmap", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.startswith("ctrlmap, version")


def test_explain_and_by_provider_together_is_a_usage_error(invoke: Callable[..., Result]) -> None:
    result = invoke("assign", CLINIC, "--explain", "hipaa-security:164.308(a)(2)", "--by-provider")
    assert result.exit_code == 2 and "give one" in result.stderr
    filtered = invoke(
        "assign", CLINIC, "--framework", "hipaa-breach", "--explain", "hipaa-security:164.308(a)(2)"
    )
    assert filtered.exit_code == 2 and "chosen with --framework" in filtered.stderr


def test_validate_writes_to_a_file(invoke: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    assert invoke("validate", CLINIC, "--format", "json", "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text())["schema"] == "ctrlmap/validate@1"


def test_a_catalog_option_without_a_file(invoke: Callable[..., Result]) -> None:
    result = invoke("--catalog", "mine=", "frameworks", "list")
    assert result.exit_code == 2 and "give a file" in result.stderr


def test_no_output_overwrites_a_builtin_file(invoke: Callable[..., Result]) -> None:
    from ctrlmap.load.resources import builtin_root, examples_root

    functions = builtin_root() / "functions.yaml"
    before = functions.read_bytes()
    result = invoke("assign", CLINIC, "--format", "json", "-o", str(functions))
    assert result.exit_code == 2 and "refusing to overwrite an input file" in result.stderr
    assert functions.read_bytes() == before
    demo = invoke("demo", "-o", str(examples_root() / "clinic.yaml"))
    assert demo.exit_code == 2 and "refusing to overwrite" in demo.stderr


COMMANDS = [
    ("frameworks", "list", "--format", "json"),
    ("frameworks", "show", "pci-dss-4", "--format", "json"),
    ("assign", str(EXAMPLES / "mortgage-lender.yaml"), "--format", "csv"),
    ("assign", str(EXAMPLES / "mortgage-lender.yaml"), "--by-provider", "--format", "csv"),
    ("gaps", str(EXAMPLES / "mortgage-lender.yaml"), "--as-of", "2026-11-28", "--format", "csv"),
    ("graph", str(EXAMPLES / "mortgage-lender.yaml")),
    ("report", str(EXAMPLES / "mortgage-lender.yaml"), "--as-of", "2026-11-28", "--format", "html"),
    (
        "compare",
        str(EXAMPLES / "mortgage-lender.yaml"),
        "--as-of",
        "2026-11-28",
        "--format",
        "json",
    ),
    ("crosswalk", str(EXAMPLES / "mortgage-lender.yaml"), "--format", "csv"),
    (
        "export",
        str(EXAMPLES / "mortgage-lender.yaml"),
        "--as-of",
        "2026-11-28",
        "--format",
        "oscal",
    ),
    (
        "recommend",
        str(EXAMPLES / "mortgage-lender.yaml"),
        "--as-of",
        "2026-11-28",
        "--format",
        "json",
    ),
]


def test_outputs_are_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    import hashlib
    import subprocess
    import sys

    def run(seed: str, cwd: Path) -> list[str]:
        digests = []
        for args in COMMANDS:
            env = {**__import__("os").environ, "PYTHONHASHSEED": seed}
            done = subprocess.run(
                [sys.executable, "-m", "ctrlmap", *args],
                capture_output=True,
                cwd=cwd,
                env=env,
                check=True,
            )
            digests.append(hashlib.sha256(done.stdout).hexdigest())
        return digests

    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    assert run("1", Path.cwd()) == run("4242", elsewhere)
