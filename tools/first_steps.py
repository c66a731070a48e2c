"""Follow the README's Quick start literally, as a newcomer on a fresh machine would.

The commands of the Quick start's code blocks run one after the other in one bash shell (so
`. .venv/bin/activate` carries over to the commands after it), in a fresh copy of the repository's
files, with no virtualenv active and none of this one on the PATH: `make demo` creates the one
fresh virtualenv every later step reuses. It then checks that the demo ended by printing the next
step and that the files the steps write exist.

    python tools/first_steps.py [--keep]

Exits 0 when every step worked, 1 naming the step that did not. `--keep` leaves the copy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRITTEN = ("ctrlmap-demo.html", "clinic.dot", "clinic.html", "my-profile.yaml")
"""Files the Quick start's steps write into the repository folder."""


def quick_start(readme: str) -> list[str]:
    """The command lines of the code blocks of the README's Quick start section, in order."""
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    lines: list[str] = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", section, flags=re.S | re.M):
        lines += [line for line in block.splitlines() if line.strip()]
    return lines


def copy_repository(target: Path) -> None:
    """The repository's files as a fresh clone has them (tracked and new, nothing ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def clean_environment(cache: Path) -> dict[str, str]:
    """This environment without any virtualenv: a newcomer's shell."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    if sys.prefix != sys.base_prefix:  # run from a virtualenv: take it off the PATH
        here = Path(sys.prefix).resolve()
        env["PATH"] = os.pathsep.join(
            p
            for p in env.get("PATH", "").split(os.pathsep)
            if p and here not in Path(p).resolve().parents
        )
    env["CTRLMAP_CACHE_DIR"] = str(cache)
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


def run(
    workdir: Path, commands: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Every command in one bash shell, stopping at the first that fails."""
    script = "set -e\n" + "".join(f"echo '$ '{_quote(c)}\n{c}\n" for c in commands)
    return subprocess.run(
        ["bash", "-c", script],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def check(workdir: Path, done: subprocess.CompletedProcess[str]) -> list[str]:
    """What went wrong, if anything."""
    problems = []
    if done.returncode != 0:
        failed = [line for line in done.stdout.splitlines() if line.startswith("$ ")]
        step = failed[-1][2:] if failed else "?"
        problems.append(f"step failed (exit {done.returncode}): {step}")
    if "Next" not in done.stderr or "ctrlmap" not in done.stderr.split("Next", 1)[1]:
        problems.append("make demo did not end by printing the next step")
    problems += [f"{name} was not written" for name in WRITTEN if not (workdir / name).is_file()]
    return problems


def main(argv: list[str]) -> int:
    keep = "--keep" in argv
    commands = quick_start((ROOT / "README.md").read_text(encoding="utf-8"))
    base = Path(tempfile.mkdtemp(prefix="ctrlmap-first-steps-"))
    workdir = base / "ctrlmap"
    try:
        copy_repository(workdir)
        done = run(workdir, commands, clean_environment(base / "cache"))
        problems = check(workdir, done)
        for problem in problems:
            print(f"first steps: {problem}", file=sys.stderr)
        if problems:
            print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
            return 1
        print(f"first steps: all {len(commands)} commands of the Quick start worked")
        return 0
    finally:
        if keep:
            print(f"first steps: kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
