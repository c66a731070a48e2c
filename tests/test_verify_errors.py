"""`ctrlmap verify` on tampered, truncated and unreadable reports: a clear FAIL, never a pass.

A forger who edits the snapshot can recompute its hash, so each tampered snapshot here is
resealed (its hash made to match) to reach the checks behind the hash.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ctrlmap.cli import cli
from tests.conftest import EXAMPLES

SNAPSHOT = re.compile(
    r'(<script type="application/json" id="ctrlmap-snapshot">)(.*?)(</script>)', re.DOTALL
)
DIGEST = re.compile(r'(<meta name="ctrlmap-snapshot-sha256" content=")([0-9a-f]{64})(">)')


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The clinic's HTML report, made once for the module."""
    target = tmp_path_factory.mktemp("report") / "clinic.html"
    result = CliRunner().invoke(
        cli,
        ["report", str(EXAMPLES / "clinic.yaml"), "-o", str(target), "--as-of", "2026-11-28"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return target.read_text(encoding="utf-8")


def snapshot_of(page: str) -> dict[str, Any]:
    found = SNAPSHOT.search(page)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(2))
    return data


def reseal(page: str, embedded: str, canonical: str | None = None) -> str:
    """The page with `embedded` as its snapshot and the hash of `canonical` as its digest."""
    digest = hashlib.sha256((embedded if canonical is None else canonical).encode()).hexdigest()
    page = SNAPSHOT.sub(lambda m: m.group(1) + embedded + m.group(3), page, count=1)
    return DIGEST.sub(lambda m: m.group(1) + digest + m.group(3), page, count=1)


def canonical(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def verify(invoke: Callable[..., Result], tmp_path: Path, text: str) -> Result:
    path = tmp_path / "clinic.html"
    path.write_text(text, encoding="utf-8")
    return invoke("verify", str(path))


def test_the_untouched_page_passes(
    invoke: Callable[..., Result], tmp_path: Path, page: str
) -> None:
    result = verify(invoke, tmp_path, page)
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("ok   snapshot hash: ")


def test_a_removed_snapshot_fails(invoke: Callable[..., Result], tmp_path: Path, page: str) -> None:
    stripped = SNAPSHOT.sub("", page, count=1)
    assert DIGEST.search(stripped)  # the hash is still there; only the snapshot went
    result = verify(invoke, tmp_path, stripped)
    assert result.exit_code == 1
    assert result.stdout == (
        "FAIL snapshot: no ctrlmap snapshot or hash in this file: not a ctrlmap HTML report, "
        "or the snapshot was removed\n"
    )


def test_a_removed_hash_fails(invoke: Callable[..., Result], tmp_path: Path, page: str) -> None:
    result = verify(invoke, tmp_path, DIGEST.sub("", page, count=1))
    assert result.exit_code == 1
    assert result.stdout.startswith("FAIL snapshot: no ctrlmap snapshot or hash in this file")


def test_a_snapshot_that_is_not_json_fails(
    invoke: Callable[..., Result], tmp_path: Path, page: str
) -> None:
    broken = reseal(page, '{"schema": "ctrlmap/report@2",')
    result = verify(invoke, tmp_path, broken)
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith("FAIL snapshot: the embedded snapshot is not valid JSON (")


def test_a_resealed_snapshot_that_is_no_report_fails(
    invoke: Callable[..., Result], tmp_path: Path, page: str
) -> None:
    data = snapshot_of(page)
    del data["organization"]
    data["verdict"] = "all good"
    text = canonical(data)
    result = verify(invoke, tmp_path, reseal(page, text.replace("<", "\\u003c"), text))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"ok   snapshot hash: embedded snapshot hashes to {hashlib.sha256(text.encode()).hexdigest()};"
        f" the report claims {hashlib.sha256(text.encode()).hexdigest()}",
        "FAIL snapshot: the snapshot does not match the report model (2 problems)",
    ]


def test_a_resealed_snapshot_in_another_key_order_fails(
    invoke: Callable[..., Result], tmp_path: Path, page: str
) -> None:
    # Same content, keys reordered: it validates, but it is not what ctrlmap writes.
    data = snapshot_of(page)
    reordered = dict(reversed(list(data.items())))
    text = canonical(reordered)
    result = verify(invoke, tmp_path, reseal(page, text.replace("<", "\\u003c"), text))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok   snapshot hash: ")
    assert lines[1:] == ["FAIL snapshot: the snapshot does not round-trip through the report model"]


def test_a_report_that_is_not_utf8_is_a_clear_error(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "clinic.html"
    path.write_bytes(b"<html>caf\xe9</html>")
    result = invoke("verify", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {path}: cannot read it as a UTF-8 HTML report (")
    assert "can't decode byte 0xe9" in result.stderr


def test_a_missing_report_names_the_path(invoke: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "missing.html"
    result = invoke("verify", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: file not found; check the path\n"


def test_a_deeply_nested_snapshot_fails_instead_of_crashing(
    invoke: Callable[..., Result], tmp_path: Path, page: str
) -> None:
    result = verify(invoke, tmp_path, reseal(page, "[" * 5000 + "]" * 5000))
    assert "internal error" not in result.stderr
    assert result.exit_code == 1
    assert result.stdout.startswith("FAIL snapshot: ")


def test_a_report_with_its_line_endings_changed_is_not_what_its_snapshot_renders(
    invoke: Callable[..., Result], tmp_path: Path, page: str
) -> None:
    target = tmp_path / "crlf.html"
    target.write_bytes(page.replace("\n", "\r\n").encode("utf-8"))
    result = invoke("verify", str(target))
    assert result.exit_code == 1
    assert "FAIL page" in result.stdout
