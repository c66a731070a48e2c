"""Run fuzzed inputs through the command line in process and check the property.

The property: exit 0, 1 or 2 only (1 only where `--fail-on` asks for it), never 3; no traceback
on either stream; and on exit 2, every `Error:` line names one of the files given.

`CTRLMAP_FUZZ=fuzz` selects the long run of `make fuzz` (10,000 examples over the fuzz tests,
random, `CTRLMAP_FUZZ_EXAMPLES` to change the count); by default the quick, derandomized run of
`make test`. `CTRLMAP_FUZZ_EVENTS=1` counts which errors the inputs end in.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, currently_in_test_context, event, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ctrlmap.cli import cli
from ctrlmap.formats import formats_for
from ctrlmap.load import catalogs as catalog_loader
from ctrlmap.load.library import Library
from tests.fuzz.breakage import FORMS, break_bytes, render

settings.register_profile(
    "fuzz-quick",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
settings.register_profile(
    "fuzz", deadline=None, suppress_health_check=list(HealthCheck), print_blob=True
)
LONG = os.environ.get("CTRLMAP_FUZZ") == "fuzz"
TOTAL = int(os.environ.get("CTRLMAP_FUZZ_EXAMPLES", "10000" if LONG else "90"))
"""Examples over all the fuzz tests: 10,000 in `make fuzz`, a quick run in `make test`."""


def fuzz_settings(share: float) -> settings:
    """The settings of one fuzz test, which runs `share` of the examples."""
    parent = settings.get_profile("fuzz" if LONG else "fuzz-quick")
    return settings(parent, max_examples=max(1, round(TOTAL * share)))


# --- the library, loaded once per set of catalogs --------------------------------------------

_load_library = catalog_loader.load_library
_loaded: dict[tuple[tuple[str, ...], tuple[str, ...]], Library] = {}


def load_library_once(catalogs: Sequence[str] = (), catalog_dirs: Sequence[Path] = ()) -> Library:
    """`load_library`, remembered: the built-in library for the session, a user one per example.

    The library is immutable and every command of one example reads the same files, so loading it
    once per example (and the built-ins once) tests the same thing at a fraction of the cost.
    """
    key = (tuple(catalogs), tuple(str(d) for d in catalog_dirs))
    if key not in _loaded:
        _loaded[key] = _load_library(catalogs, catalog_dirs)
    return _loaded[key]


def forget_user_libraries() -> None:
    """Drop the libraries of user catalogs (their files go with the example's folder)."""
    for key in [k for k in _loaded if k != ((), ())]:
        del _loaded[key]


@contextmanager
def workspace() -> Iterator[Path]:
    """A fresh folder for one example's files (hypothesis runs many examples per test call)."""
    with tempfile.TemporaryDirectory(prefix="ctrlmap-fuzz-") as tmp:
        try:
            yield Path(tmp)
        finally:
            forget_user_libraries()


# --- files and commands ----------------------------------------------------------------------


def forms() -> SearchStrategy[str]:
    """How a document is written (see breakage.FORMS)."""
    return st.sampled_from(FORMS)


@st.composite
def written(
    draw: st.DrawFn, data: Any, form: str | None = None, intact: bool = False
) -> tuple[bytes, str]:
    """A document's bytes (unless `intact`, maybe broken at the byte level) and its file suffix."""
    form = form or draw(forms())
    raw = render(data, form)
    if not intact:
        raw = break_bytes(draw, raw, yaml_text=form.startswith("yaml"))
    return raw, ".json" if form.startswith("json") else ".yaml"


def write(folder: Path, stem: str, document: tuple[bytes, str]) -> Path:
    """Write a document's bytes as `folder/stem.suffix`, making the folder."""
    raw, suffix = document
    path = folder / f"{stem}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return path


AS_OF = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat)


@st.composite
def commands(draw: st.DrawFn) -> list[str]:
    """One command after `validate`, its options and formats taken from the format registry."""
    name = draw(st.sampled_from(("assign", "gaps", "report", "export")))
    args = [name]
    if name == "assign":
        args += ["--format", draw(st.sampled_from(formats_for("assign")))]
        if draw(st.booleans()):
            args.append("--by-provider")
    elif name == "gaps":
        args += ["--format", draw(st.sampled_from(formats_for("gaps")))]
        if draw(st.booleans()):
            args += ["--fail-on", draw(st.sampled_from(("critical", "high", "medium", "low")))]
    elif name == "report":
        args += ["--format", draw(st.sampled_from(("html", "md")))]
    else:
        args += ["--format", draw(st.sampled_from(formats_for("export")))]
    if name != "assign":
        args += ["--as-of", draw(AS_OF)]
    if draw(st.sampled_from((False, False, False, True))):
        args.append("--include-proposed")
    return args


RUNNER = CliRunner()
EVENTS = bool(os.environ.get("CTRLMAP_FUZZ_EVENTS"))
"""With --hypothesis-show-statistics, also count the first error line of each exit 2, its ids
and numbers blanked: which checks the inputs reach."""
COMMANDS = ("validate", "assign", "gaps", "report", "export")


def run(args: Sequence[str], given: Sequence[Path]) -> Result:
    """Run `ctrlmap ARGS` in process and check the property; the inputs are the files `given`."""
    result = RUNNER.invoke(cli, list(args), catch_exceptions=True)
    if currently_in_test_context():
        event(f"{next(a for a in args if a in COMMANDS)} exit {result.exit_code}")
    if EVENTS and currently_in_test_context() and result.exit_code == 2:
        first = next((e for e in result.stderr.splitlines() if e.startswith("Error")), "")
        event(re.sub(r"'[^']*'|/tmp/[^:]+|\d+", "*", first)[:90])
    check(result, args, given)
    return result


def check(result: Result, args: Sequence[str], given: Sequence[Path]) -> None:
    """Exit 0, 1 (only with --fail-on) or 2; no traceback; every exit-2 error names a file given."""
    shown = "ctrlmap " + " ".join(args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{shown} raised {result.exception!r}") from result.exception
    allowed = {0, 1, 2} if "--fail-on" in args else {0, 2}
    assert result.exit_code in allowed, f"{shown}: exit {result.exit_code}\n{result.stderr}"
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream, f"{shown}: a traceback\n{stream}"
    if result.exit_code == 2:
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
        assert errors, f"{shown}: exit 2 with no Error: line\n{result.stderr}"
        names = [str(p) for p in given]
        for line in errors:
            where = line.removeprefix("Error: ")
            assert any(where.startswith(name) for name in names), (
                f"{shown}: this error names none of the files given ({', '.join(names)}):\n{line}"
            )


def run_all(
    first: Sequence[str],
    then: Sequence[str],
    given: Sequence[Path],
    go_on: Callable[[Result], bool],
) -> None:
    """`validate` (`first`), then the drawn command (`then`) when `go_on` says so."""
    result = run(first, given)
    if go_on(result):
        run(then, given)
