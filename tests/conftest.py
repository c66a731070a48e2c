"""Shared fixtures: the library loaded once, a CLI runner, paths, and the --update-golden flag."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ctrlmap.cli import cli
from ctrlmap.load.catalogs import load_library
from ctrlmap.load.library import Library
from ctrlmap.load.profiles import load_profile
from ctrlmap.models import Profile

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared" / "data"
SECTIONS = [
    "executive",
    "scope",
    "parties",
    "summary",
    "gaps",
    "matrix",
    "splits",
    "map",
    "evidence",
    "law",
    "inputs",
    "signoff",
    "basis",
    "rules",
]
"""The ids of the report's sections, in order."""


def pytest_configure(config: pytest.Config) -> None:
    # Keep the parsed-catalog cache of the test run away from the user's own cache.
    import os
    import tempfile

    os.environ.setdefault("CTRLMAP_CACHE_DIR", tempfile.mkdtemp(prefix="ctrlmap-cache-"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite the golden files from the current output.",
    )


@pytest.fixture(scope="session")
def lib() -> Library:
    """The built-in library, loaded once for the session."""
    return load_library()


@pytest.fixture(scope="session")
def load_example(lib: Library) -> Callable[[str], Profile]:
    """Load a shipped example profile by stem."""

    def load(stem: str) -> Profile:
        return load_profile(EXAMPLES / f"{stem}.yaml", lib)[0]

    return load


@pytest.fixture
def invoke() -> Callable[..., Result]:
    """Run the CLI in-process; stdout and stderr are kept apart."""
    runner = CliRunner()

    def run(*args: str, **kwargs: object) -> Result:
        return runner.invoke(cli, list(args), catch_exceptions=False, **kwargs)  # type: ignore[arg-type]

    return run


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with tests/golden/NAME, or rewrite it with --update-golden."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {name}; run `make golden` to create it"
        assert text == path.read_text(encoding="utf-8"), (
            f"{name} differs; if intended, run `make golden`"
        )

    return check


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium the browser tests drive; they fail, not skip, where it is required (CI)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true" or os.environ.get("CTRLMAP_REQUIRE_BROWSER"):
        pytest.fail("Chromium is required here (CI or CTRLMAP_REQUIRE_BROWSER) but was not found")
    pytest.skip("Chromium not installed; .ci/run installs it and makes these tests mandatory")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh parsed-catalog cache folder, with caching on."""
    folder = tmp_path / "cache"
    monkeypatch.delenv("CTRLMAP_NO_CACHE", raising=False)
    monkeypatch.setenv("CTRLMAP_CACHE_DIR", str(folder))
    return folder
