"""Hostile input (issue 18): each case refused at the one shared piece, with exit 2 and a clear line.

Bounded reads, strict booleans and dates, safe date arithmetic, capped fields, short excerpts in
errors, ignored overrides, and the OSCAL links and hrefs a profile may follow. Each fixture of
tests/data/hostile/ has exactly one defect, named on its first line.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import pytest
from click.testing import Result

from ctrlmap.errors import InputError
from ctrlmap.load.read import MAX_BYTES, read_bytes
from tests.conftest import DATA, EXAMPLES

HOSTILE = DATA / "hostile"


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail, rather than hang the suite, when a read blocks for more than 10 seconds."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("the read blocked")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(10)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    """A FIFO that nobody writes to: opening it for reading the usual way blocks forever."""
    path = tmp_path / "profile.yaml"
    os.mkfifo(path)
    return path


def _refused(result: Result, name: str, what: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {name}: is {what}, not a regular file; save the input to a file and give its path\n"
    )


# 1. Bounded reads


def test_a_profile_that_is_a_fifo_with_no_writer_is_refused_not_waited_on(
    invoke: Callable[..., Result], fifo: Path, deadline: None
) -> None:
    _refused(invoke("validate", str(fifo)), str(fifo), "a FIFO (named pipe)")


def test_a_catalog_that_is_a_fifo_with_no_writer_is_refused_not_waited_on(
    invoke: Callable[..., Result], fifo: Path, deadline: None
) -> None:
    _refused(invoke("--catalog", str(fifo), "frameworks", "list"), str(fifo), "a FIFO (named pipe)")


def test_a_model_that_is_a_fifo_with_no_writer_is_refused_not_waited_on(
    invoke: Callable[..., Result], tmp_path: Path, deadline: None
) -> None:
    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "half-managed.yaml"
    os.mkfifo(model)
    result = invoke("--catalog-dir", str(tmp_path), "frameworks", "list")
    _refused(result, str(model), "a FIFO (named pipe)")


def test_a_report_that_is_a_fifo_with_no_writer_is_refused_by_verify(
    invoke: Callable[..., Result], tmp_path: Path, deadline: None
) -> None:
    report = tmp_path / "report.html"
    os.mkfifo(report)
    _refused(invoke("verify", str(report)), str(report), "a FIFO (named pipe)")


@pytest.mark.parametrize(
    "args",
    [("validate", "/dev/zero"), ("--catalog", "/dev/zero", "frameworks", "list")],
    ids=["profile", "catalog"],
)
def test_dev_zero_as_an_input_is_refused_not_read_until_memory_runs_out(
    invoke: Callable[..., Result], args: tuple[str, ...], deadline: None
) -> None:
    _refused(invoke(*args), "/dev/zero", "a character device")


def test_dev_zero_as_a_report_is_refused_by_verify(
    invoke: Callable[..., Result], deadline: None
) -> None:
    _refused(invoke("verify", "/dev/zero"), "/dev/zero", "a character device")


def test_a_link_to_dev_zero_is_judged_by_what_it_opens(
    invoke: Callable[..., Result], tmp_path: Path, deadline: None
) -> None:
    link = tmp_path / "profile.yaml"
    link.symlink_to("/dev/zero")
    _refused(invoke("validate", str(link)), str(link), "a character device")


def test_a_file_whose_size_is_not_known_ahead_is_read_no_further_than_the_cap() -> None:
    # procfs files are regular files that report a size of 0: only the read itself can tell.
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0
    with pytest.raises(InputError) as caught:
        read_bytes(status, "status", max_bytes=10)
    assert caught.value.lines() == [
        "status: file is over the 10-byte limit; split it or check that it is the right file"
    ]


def test_a_file_at_exactly_the_cap_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"x" * 10)
    assert read_bytes(path, "p.yaml", max_bytes=10) == b"x" * 10
    assert MAX_BYTES == 64 * 1024 * 1024


def test_a_folder_given_as_a_catalog_is_refused_by_name(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    result = invoke("--catalog", str(tmp_path), "frameworks", "list")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"Error: {tmp_path}: is a folder, not a file; give the path of a YAML or JSON file\n"
    )


def test_a_profile_behind_a_link_loop_says_it_cannot_be_read(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    path, other = tmp_path / "p.yaml", tmp_path / "q.yaml"
    path.symlink_to(other)
    other.symlink_to(path)
    result = invoke("validate", str(path))
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"Error: {path}: cannot read the file (Too many levels of symbolic links); check the path\n"
    )
