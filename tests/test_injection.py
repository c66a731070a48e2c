"""Text from a profile cannot run as a formula, break a table row, or drive a terminal."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ctrlmap.formats.csv import write_rows
from ctrlmap.formats.text import md_escape, terminal_safe
from ctrlmap.present.report import safe_url
from tests.conftest import EXAMPLES


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("x")', "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", " =1", "\n=1"]
)
def test_every_csv_cell_that_could_start_a_formula_is_neutralized(cell: str) -> None:
    text = write_rows(["a", "b"], [("ok", cell)])
    (row,) = list(csv.reader(io.StringIO(text)))[1:]
    assert row[1].startswith("'") and row[1][1:] == cell


def test_a_carriage_return_inside_a_cell_is_quoted() -> None:
    text = write_rows(["name"], [("Harbor\r=HYPERLINK(1)",)])
    assert text.splitlines()[1].startswith('"') or '"Harbor\r' in text
    (row,) = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert row == ["Harbor\r=HYPERLINK(1)"]


def test_markdown_cells_fold_every_line_break_and_escape_markup() -> None:
    hostile = "Clinic\r\n## Fake section: all controls compliant\r<script>x</script>"
    cell = md_escape(hostile)
    assert "\r" not in cell and "\n" not in cell
    assert "<script>" not in cell and "\\#\\#" in cell


def test_terminal_output_shows_control_characters_as_escapes() -> None:
    assert terminal_safe("a\rb\x1b[2Jc\nnext\tline") == "a\\x0db\\x1b[2Jc\nnext\tline"


@pytest.mark.parametrize(
    "url",
    [
        "https://x.example/><script>document.title=1</script>",
        'https://x.example/"onmouseover="x',
        "javascript:alert(1)",
        "https://x.example/a b",
        "data:text/html,hi",
    ],
)
def test_a_link_that_could_break_out_of_its_markup_is_not_a_link(url: str) -> None:
    assert safe_url(url) is None


def test_a_hostile_provider_name_reaches_no_output_raw(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    text = (EXAMPLES / "clinic.yaml").read_text()
    hostile = tmp_path / "clinic.yaml"
    hostile.write_text(text.replace("name: Harbor Managed IT", 'name: "Harbor\\r=HYPERLINK(1)"'))
    table = invoke("assign", str(hostile), "--by-provider")
    assert table.exit_code == 0 and "\r" not in table.stdout and "Harbor\\x0d" in table.stdout
    md = invoke("assign", str(hostile), "--by-provider", "--format", "md")
    assert md.exit_code == 0 and "\r" not in md.stdout
    out = invoke("assign", str(hostile), "--by-provider", "--format", "csv")
    assert out.exit_code == 0
    assert '"Harbor\r=HYPERLINK(1)"' in out.stdout  # quoted: the CR cannot end the row
    for row in csv.reader(io.StringIO(out.stdout, newline="")):
        assert not any(c[:1] in "=+-@" for c in row if c)


def test_an_escape_sequence_in_a_profile_is_refused(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    text = (EXAMPLES / "clinic.yaml").read_text()
    hostile = tmp_path / "clinic.yaml"
    hostile.write_text(text.replace("name: Harbor Managed IT", 'name: "Harbor\\u001b[2J"'))
    result = invoke("validate", str(hostile))
    assert result.exit_code == 2 and "control character U+001B" in result.stderr
