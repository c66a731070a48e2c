"""The way in from spreadsheets: the templates round-trip, and every bad cell is reported by file,
row and column, all in one pass."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result

from ctrlmap.errors import InputError
from ctrlmap.load.library import Library
from ctrlmap.load.profiles import load_profile
from ctrlmap.onboard.sheets import (
    FUNCTION_COLUMNS,
    PEOPLE_COLUMNS,
    PROVIDER_COLUMNS,
    TEMPLATE_PEOPLE,
    TEMPLATE_PROVIDERS,
    read_roster,
    template_files,
)

TEMPLATES = ["functions.csv", "people.csv", "people.xlsx", "providers.csv", "providers.xlsx"]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def problems(lib: Library, **files: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_roster(lib, **files)  # type: ignore[arg-type]
    return caught.value.lines()


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_the_templates_round_trip(lib: Library, tmp_path: Path, suffix: str) -> None:
    for name, body in template_files(lib, xlsx=True).items():
        target = tmp_path / name
        target.write_bytes(body if isinstance(body, bytes) else body.encode())
    roster = read_roster(lib, tmp_path / f"people.{suffix}", tmp_path / f"providers.{suffix}")
    assert roster.people == TEMPLATE_PEOPLE
    assert roster.providers == TEMPLATE_PROVIDERS


def test_init_templates_writes_them_once(invoke: Callable[..., Result], here: Path) -> None:
    result = invoke("init", "--templates", "intake")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (here / "intake").iterdir()) == TEMPLATES
    first = (here / "intake" / "people.xlsx").read_bytes()
    again = invoke("init", "--templates", "intake")
    assert again.exit_code == 2
    assert (
        "intake/people.csv: already exists; give --force to overwrite it, or --templates another "
        "folder" in again.stderr
    )
    assert invoke("init", "--templates", "intake", "--force").exit_code == 0
    assert (here / "intake" / "people.xlsx").read_bytes() == first
    header = (here / "intake" / "providers.csv").read_text().splitlines()[0]
    assert header == ",".join(PROVIDER_COLUMNS)
    book = openpyxl.load_workbook(here / "intake" / "people.xlsx")
    assert tuple(c.value for c in book.active[1]) == PEOPLE_COLUMNS


def test_templates_need_a_folder(invoke: Callable[..., Result], here: Path) -> None:
    (here / "taken").write_text("a file\n")
    result = invoke("init", "--templates", "taken/intake")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: taken/intake: cannot create the folder")


def test_without_openpyxl_the_templates_are_csv_only(
    invoke: Callable[..., Result], here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    result = invoke("init", "--templates", ".")
    assert result.exit_code == 0
    assert sorted(p.name for p in here.iterdir()) == [
        "functions.csv",
        "people.csv",
        "providers.csv",
    ]
    assert "pip install 'ctrlmap[xlsx]'" in result.stderr
    (here / "people.xlsx").write_bytes(b"PK")
    refused = invoke("init", "--no-input", "--people", "people.xlsx")
    assert refused.exit_code == 2
    assert "pip install 'ctrlmap[xlsx]'" in refused.stderr


def test_init_reads_the_files_into_the_profile(
    invoke: Callable[..., Result], lib: Library, here: Path
) -> None:
    assert invoke("init", "--templates", ".").exit_code == 0
    result = invoke(
        "init",
        "--no-input",
        "--people",
        "people.xlsx",
        "--providers",
        "providers.csv",
        "--person",
        "kim:Kim Hale:governance",
        "-o",
        "clinic.yaml",
    )
    assert result.exit_code == 0, result.stderr
    profile, _ = load_profile(here / "clinic.yaml", lib)
    assert profile.internal == (*TEMPLATE_PEOPLE, profile.internal[2])
    assert profile.internal[2].id == "kim"
    assert profile.providers == TEMPLATE_PROVIDERS


BAD_PEOPLE = """\
Name,ID,Functions,After Hours,Backup
Dana Ortiz,,network-administration; patching,yes,
Sam Lee,dana,governance,sometimes,
,pat,governance,,
Lee Park,lee,governance,no,vaultbox

"""
BAD_PROVIDERS = """\
id,name,functions,frameworks,last_reviewed,baa
acme,Acme IT,security-monitoring,hipaa-securty,2026-13-01,yes
acme,Acme Again,help-desk,,,
"""


def test_bad_rows_are_reported_by_file_row_and_column(
    invoke: Callable[..., Result], here: Path
) -> None:
    (here / "people.csv").write_text(BAD_PEOPLE)
    (here / "providers.csv").write_text(BAD_PROVIDERS)
    result = invoke("init", "--no-input", "--people", "people.csv", "--providers", "providers.csv")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: people.csv:row 2: functions: unknown function 'patching'; did you mean "
        "'patch-management'?",
        "Error: people.csv:row 3: id: duplicate id 'dana' (already used at people.csv:row 2)",
        "Error: people.csv:row 3: after_hours: 'sometimes' is not yes or no; write yes or no",
        "Error: people.csv:row 4: name: every row needs a name",
        "Error: providers.csv:row 2: frameworks: unknown framework 'hipaa-securty'; did you "
        "mean 'hipaa-security'?",
        "Error: providers.csv:row 2: last_reviewed: '2026-13-01' is not a date; write it as "
        "YYYY-MM-DD",
        "Error: providers.csv:row 3: id: duplicate id 'acme' (already used at providers.csv:row 2)",
        "Error: people.csv:row 5: backup: unknown person or provider id 'vaultbox'; known: "
        "acme, dana, lee, pat",
    ]
    assert sorted(p.name for p in here.iterdir()) == ["people.csv", "providers.csv"]


def test_bad_cells_of_a_workbook_are_reported_too(lib: Library, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "functions", "last_reviewed", "after_hours", "on_site"])
    sheet.append(["Acme IT", "help-desk", dt.datetime(2026, 3, 1), True, 1])
    sheet.append(["Bad IT", "helpdesk", "yesterday", None, None])
    sheet.append([None, None, None, None, None])
    path = tmp_path / "providers.xlsx"
    book.save(path)
    assert problems(lib, providers=path) == [
        f"{path}:row 3: functions: unknown function 'helpdesk'; did you mean 'help-desk'?",
        f"{path}:row 3: last_reviewed: 'yesterday' is not a date; write it as YYYY-MM-DD",
    ]
    sheet.delete_rows(3)
    book.save(path)
    acme = read_roster(lib, providers=path).providers[0]
    assert (acme.id, acme.last_reviewed, acme.after_hours, acme.on_site) == (
        "acme",
        dt.date(2026, 3, 1),
        True,
        True,
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", "file is empty; row 1 names the columns: id, name, role"),
        (b"nom,functions\nDana,\n", ":row 1: nom: unknown column 'nom'"),
        (b"id,functions\ndana,\n", ":row 1: name: the name column is missing; add it"),
        (b"name\n\xff\n", "not valid UTF-8; save the file as CSV UTF-8"),
    ],
)
def test_a_file_that_is_not_a_list_says_so(
    lib: Library, tmp_path: Path, body: bytes, expected: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(body)
    found = problems(lib, people=path)
    assert expected in found[0]
    assert len(found) == (2 if b"nom" in body else 1)  # an unknown column, and name is missing


def test_a_file_that_is_not_a_workbook_says_so(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "people.xlsx"
    path.write_bytes(b"name\nDana\n")
    assert problems(lib, people=path) == [
        f"{path}: not an Excel workbook (.xlsx); save it as .xlsx or .csv"
    ]


def test_a_neutralized_cell_reads_back_as_typed(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("name,role\nDana,'-ops lead\nSam,'quoted\n")
    people = read_roster(lib, people=path).people
    assert [p.role for p in people] == ["-ops lead", "'quoted"]


def test_provider_frameworks_must_be_the_profiles(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "providers.csv"
    path.write_text("name,frameworks\nAcme,pci-dss-4\n")
    assert problems(lib, providers=path, frameworks=["hipaa-security"]) == [
        f"{path}:row 2: frameworks: unknown framework 'pci-dss-4'; known: hipaa-security"
    ]


def test_the_readme_shows_the_templates_as_written(lib: Library) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in ("people.csv", "providers.csv"):
        body = template_files(lib, xlsx=False)[name]
        assert isinstance(body, str)
        assert f"```\n{body}```" in readme, name


def test_an_unknown_column_hides_no_other_bad_cell(tmp_path: Path, lib: Library) -> None:
    providers = tmp_path / "providers.csv"
    providers.write_text(
        "id,name,functions,pci_acknowledgment,last_reviewed,frameworks\n"
        "acme,Acme IT,help-desk,yes,2026-13-01,pci-dss4\n"
    )
    found = problems(lib, providers=providers)
    assert "pci_acknowledgment: unknown column 'pci_acknowledgment'" in found[0]  # then ignored
    assert any("last_reviewed" in line for line in found[1:])
    assert any("frameworks" in line for line in found[1:])


def test_the_templates_list_every_function_id_with_its_description(
    invoke: Callable[..., Result], lib: Library, here: Path
) -> None:
    """A client fills the functions column from the list the templates carry, not the README."""
    assert invoke("init", "--templates", "intake").exit_code == 0
    expected = [
        (fid, fn.description, ("must be covered around the clock" if fn.continuous else ""))
        for fid, fn in lib.functions.items()
    ]
    with (here / "intake" / "functions.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == FUNCTION_COLUMNS == ("function", "title", "description", "note")
    assert [r[0] for r in rows[1:]] == list(lib.functions)
    assert [(r[0], r[2]) for r in rows[1:]] == [(f, d) for f, d, _ in expected]
    notes = {r[0]: r[3] for r in rows[1:]}
    assert notes["security-monitoring"] == "must be covered around the clock"
    assert notes["on-site-support"] == "done on the premises"
    assert notes["governance"] == ""
    for name in ("people.xlsx", "providers.xlsx"):
        book = openpyxl.load_workbook(here / "intake" / name)
        assert book.sheetnames[1] == "Functions", name
        listed = [tuple(c.value for c in row) for row in book["Functions"].iter_rows()]
        assert listed[0] == FUNCTION_COLUMNS
        assert [(r[0], r[2]) for r in listed[1:]] == [(f, d) for f, d, _ in expected]


def test_a_workbook_with_the_function_list_first_still_reads_its_rows(
    lib: Library, tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_files(lib, xlsx=True)["people.xlsx"]))
    book.move_sheet("Functions", offset=-1)
    book.save(tmp_path / "people.xlsx")
    (tmp_path / "providers.csv").write_text(template_files(lib, xlsx=False)["providers.csv"])
    roster = read_roster(lib, tmp_path / "people.xlsx", tmp_path / "providers.csv")
    assert roster.people == TEMPLATE_PEOPLE


def test_a_function_may_be_written_as_its_title_or_in_any_case(
    lib: Library, tmp_path: Path
) -> None:
    """A client types what the function list shows: `Help Desk`, `Backup and recovery`."""
    people = tmp_path / "people.csv"
    people.write_text(
        "name,functions\nMaria Chen,Governance; Help Desk; backup and recovery; On-Site-Support\n"
    )
    assert read_roster(lib, people).people[0].functions == (
        "governance",
        "help-desk",
        "backup-recovery",
        "on-site-support",
    )
    people.write_text("name,functions\nMaria Chen,Governance; patching\n")
    assert problems(lib, people=people) == [
        f"{people}:row 2: functions: unknown function 'patching'; did you mean 'patch-management'?"
    ]


def test_a_framework_written_by_its_first_word_gets_its_ids_suggested(lib: Library) -> None:
    from ctrlmap.onboard.sheets import suggest

    known = ["hipaa-security", "hipaa-breach", "pci-dss-4", "glba-safeguards"]
    assert suggest("framework", "pci", known) == (
        "unknown framework 'pci'; did you mean 'pci-dss-4'?"
    )
    assert "did you mean one of 'hipaa-breach', 'hipaa-security'?" in suggest(
        "framework", "HIPAA", known
    )
    assert "did you mean" not in suggest("framework", "sox", known)
