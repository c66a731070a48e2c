"""The client's staff and vendor lists, as CSV or XLSX: read into people and providers, and the
templates `ctrlmap init --templates DIR` writes.

Row 1 holds the column names (any case; blanks and hyphens read as underscores; columns in any
order); only `name` is required. Every bad cell of every row is reported in one pass, as
`people.csv:row 3: functions: unknown function 'patching'; did you mean 'patch-management'?`,
row numbers counting the header as row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ctrlmap.errors import InputError, Problem
from ctrlmap.formats.csv import neutralize, write_rows
from ctrlmap.load.library import Library
from ctrlmap.load.problems import unknown
from ctrlmap.load.read import read_bytes
from ctrlmap.load.resources import PROFILE_MAX_BYTES
from ctrlmap.models import RESERVED_IDS, Person, Provider
from ctrlmap.onboard.starter import new_id, regulatory_catalogs

PEOPLE_COLUMNS = ("id", "name", "role", "functions", "after_hours", "backup")
"""The columns of a people file, in the template's order."""
PROVIDER_COLUMNS = (
    "id",
    "name",
    "agreement",
    "functions",
    "frameworks",
    "after_hours",
    "on_site",
    "baa",
    "pci_acknowledgement",
    "last_reviewed",
    "independent",
)
"""The columns of a providers file, in the template's order."""
FLAGS = ("after_hours", "on_site", "baa", "pci_acknowledgement", "independent")
LISTS = ("functions", "frameworks")
TRUE = frozenset({"yes", "y", "true", "1", "x"})
FALSE = frozenset({"no", "n", "false", "0", ""})
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
"""What a person or provider id may be (models.profile.Id)."""
_SPLIT = re.compile(r"[;,]")

TEMPLATE_PEOPLE = (
    Person(
        id="dana",
        name="Dana Ortiz",
        role="IT Director",
        functions=("network-administration", "server-management", "on-site-support"),
        after_hours=False,
        backup="harbor",
    ),
    Person(
        id="sam",
        name="Sam Lee",
        role="Practice Administrator",
        functions=("governance", "policy-documentation", "workforce-training"),
    ),
)
"""The example rows of the people template (they round-trip: read back, they are these)."""
TEMPLATE_PROVIDERS = (
    Provider(
        id="harbor",
        name="Harbor Managed IT",
        agreement="MSA 2026-03, SOW 2",
        functions=("security-monitoring", "help-desk", "patch-management", "backup-recovery"),
        after_hours=True,
        baa=True,
        last_reviewed=dt.date(2026, 2, 1),
    ),
    Provider(
        id="chartcloud",
        name="ChartCloud EHR",
        agreement="Hosting agreement 2025",
        functions=("server-management", "application-security"),
        frameworks=("hipaa-security", "hipaa-breach"),
        baa=True,
    ),
)
"""The example rows of the providers template."""
TEMPLATE_DATE = dt.date(2026, 1, 1)
"""The date the XLSX templates carry, so that they are the same bytes every time."""


@dataclass(frozen=True)
class Roster:
    """The people and providers read from the client's files."""

    people: tuple[Person, ...] = ()
    providers: tuple[Provider, ...] = ()
    origins: dict[str, str] = field(default_factory=dict)
    """Each person's and provider's id, with the file row or flag it came from."""


def suggest(what: str, value: str, known: Iterable[str]) -> str:
    """`unknown`'s message, also suggesting the entry that shares the longest prefix of four or
    more characters (`patching` -> `patch-management`), which difflib's ratio misses."""
    known = list(known)
    message = unknown(what, value, known)
    if "did you mean" in message:
        return message
    shared = max(known, key=lambda k: _prefix(k, value), default=None)
    if shared is not None and _prefix(shared, value) >= 4:
        return f"unknown {what} {value!r}; did you mean {shared!r}?"
    # the id's first word alone, as a client writes it (`pci` for pci-dss-4)
    led = [k for k in known if k.split("-")[0] == value.strip().lower()]
    if 1 <= len(led) <= 3:
        return f"unknown {what} {value!r}; did you mean {' or '.join(repr(k) for k in led)}?"
    return message


def _prefix(a: str, b: str) -> int:
    """How many leading characters two strings share."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def written_id(text: str, known: Sequence[str], titles: dict[str, str]) -> str:
    """The id a person filling a sheet meant: the id in any case, with blanks for hyphens
    (`Help Desk`), or a function's title (`Backup and recovery`); else the text as written."""
    if text in known:
        return text
    folded = re.sub(r"\s+", "-", text.strip().lower())
    if folded in known:
        return folded
    return titles.get(" ".join(text.lower().split()), text)


def _text(value: Any) -> str:
    """A cell as text: dates in ISO form, whole numbers without '.0', a neutralized formula
    guard (the leading apostrophe) dropped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if text.startswith("'") and neutralize(text[1:]) == text:
        return text[1:]
    return text


def _header(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def read_table(path: Path, shown: str) -> list[list[str]]:
    """The rows of a CSV or XLSX file (by suffix) as text, the header first."""
    raw = read_bytes(path, shown, PROFILE_MAX_BYTES)
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(raw, shown)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            [Problem(shown, None, "", "not valid UTF-8; save the file as CSV UTF-8")]
        ) from None
    return [[_text(c) for c in row] for row in csv.reader(io.StringIO(text))]


def _xlsx_rows(raw: bytes, shown: str) -> list[list[str]]:
    from ctrlmap.formats.xlsx import require_openpyxl

    openpyxl = require_openpyxl()
    from zipfile import BadZipFile

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError):
        raise InputError(
            [Problem(shown, None, "", "not an Excel workbook (.xlsx); save it as .xlsx or .csv")]
        ) from None
    # the first sheet, unless a client moved the templates' function list in front of it
    sheet = next((ws for ws in book.worksheets if ws.title != FUNCTIONS_SHEET), book.worksheets[0])
    rows = [[_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


@dataclass
class _Reader:
    """One pass over one file: every problem kept, ids shared across the files."""

    lib: Library
    taken: dict[str, str]
    """Ids used so far, with the file and row that used them."""
    problems: list[Problem]
    bad: set[str] = field(default_factory=set)
    """The flags whose value had a bad key: checked for the rest of their mistakes, not built."""

    def rows(
        self, path: Path, shown: str, columns: Sequence[str]
    ) -> list[tuple[int, dict[str, str]]]:
        table = read_table(path, shown)
        while table and not any(table[-1]):
            table.pop()
        if not table:
            self.problems.append(
                Problem(
                    shown, None, "", f"file is empty; row 1 names the columns: {', '.join(columns)}"
                )
            )
            return []
        header = [_header(h) for h in table[0]]
        for index, h in enumerate(header):
            if h and h not in columns:
                self.problems.append(
                    Problem(f"{shown}:row 1", None, h, unknown("column", h, columns))
                )
                header[index] = ""  # reported once; the other columns are still read
        if "name" not in header:
            self.problems.append(
                Problem(f"{shown}:row 1", None, "name", "the name column is missing; add it")
            )
            return []
        found = []
        for number, cells in enumerate(table[1:], start=2):
            if not any(cells):
                continue
            found.append(
                (
                    number,
                    {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h},
                )
            )
        return found

    def fields(
        self, where: str, row: dict[str, str], frameworks: Iterable[str] | None
    ) -> dict[str, Any] | None:
        """A row's values as model fields, or None after reporting what is wrong with it."""
        ok = True

        def say(column: str, message: str) -> None:
            nonlocal ok
            ok = False
            self.problems.append(Problem(where, None, column, message))

        data: dict[str, Any] = {}
        name = row.get("name", "")
        if not name:
            say("name", "every row needs a name")
        ident = row.get("id", "") or (new_id(name, self.taken) if name else "")
        if ident and not ID_PATTERN.match(ident):
            say("id", f"{ident!r} is not an id: letters, digits, '.', '_' and '-' only")
        elif ident in RESERVED_IDS:
            say("id", f"{ident!r} is a reserved word; choose another id")
        elif ident in self.taken:
            say("id", f"duplicate id {ident!r} (already used at {self.taken[ident]})")
        elif ident:
            self.taken[ident] = where
        data["id"], data["name"] = ident, name
        for column, value in row.items():
            if column in ("id", "name") or value == "":
                continue
            if column in LISTS:
                known = (
                    list(self.lib.functions)
                    if column == "functions"
                    else list(frameworks or regulatory_catalogs(self.lib))
                )
                titles = (
                    {fn.title.lower(): fid for fid, fn in self.lib.functions.items()}
                    if column == "functions"
                    else {}
                )
                items = [
                    written_id(v.strip(), known, titles) for v in _SPLIT.split(value) if v.strip()
                ]
                what = "function" if column == "functions" else "framework"
                for item in items:
                    if item not in known:
                        say(column, suggest(what, item, known))
                data[column] = items
            elif column in FLAGS:
                lowered = value.lower()
                if lowered not in TRUE | FALSE:
                    say(column, f"{value!r} is not yes or no; write yes or no")
                data[column] = lowered in TRUE
            elif column == "last_reviewed":
                try:
                    data[column] = dt.date.fromisoformat(value)
                except ValueError:
                    say(column, f"{value!r} is not a date; write it as YYYY-MM-DD")
            else:
                data[column] = value
        return data if ok else None

    def build(self, where: str, model: type[Person] | type[Provider], data: dict[str, Any]) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                column = str(error["loc"][0]) if error["loc"] else ""
                self.problems.append(Problem(where, None, column, error["msg"]))
            return None


SPEC_ESCAPE = "\\"
r"""In a `--person`/`--provider` value, `\:` is a colon and `\\` a backslash."""


def split_spec(spec: str) -> list[str]:
    """A `--person` or `--provider` value cut at its unescaped colons, the escapes undone (a
    backslash before anything else is kept as typed)."""
    parts, current, chars = [], [], iter(spec)
    for ch in chars:
        if ch == SPEC_ESCAPE:
            nxt = next(chars, "")
            current.append(nxt if nxt in (":", SPEC_ESCAPE) else ch + nxt)
        elif ch == ":":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


@dataclass(frozen=True)
class SpecRow:
    """A `--person` or `--provider` value read as a row, with what is wrong with its keys."""

    row: dict[str, str]
    problems: tuple[tuple[str, str], ...]
    """(key, message) for each unknown or repeated key."""


def flag_key(column: str) -> str:
    """A column's name as a `--person`/`--provider` key: `after_hours` is `after-hours`."""
    return column.replace("_", "-")


def spec_row(spec: str, columns: Sequence[str]) -> SpecRow:
    r"""A `--person` or `--provider` value, `ID:NAME:FUNCTIONS[:KEY=VALUE]...`, as a row.

    Keys are the file's column names (hyphens or underscores); a bare yes-or-no key is yes
    (`:after-hours`), any other key needs its value (`:backup=kim`). An empty ID is made from the name. A colon inside a value is written `\:`.
    """
    parts = split_spec(spec)
    row = {"id": parts[0].strip(), "name": parts[1].strip() if len(parts) > 1 else ""}
    row["functions"] = parts[2].strip() if len(parts) > 2 else ""
    problems: list[tuple[str, str]] = []
    keys = [c for c in columns if c not in ("id", "name", "functions")]
    for part in parts[3:]:
        raw, sep, value = part.partition("=")
        key = _header(raw)
        if key not in keys:
            hint = "" if sep else r"; a colon inside a value is written \:"
            shown_keys = [flag_key(k) for k in keys]
            problems.append((raw.strip(), unknown("key", raw.strip(), shown_keys) + hint))
        elif key in row:
            problems.append((flag_key(key), f"{flag_key(key)} is given twice; give it once"))
        elif not sep and key not in FLAGS:  # only a yes-or-no key stands alone for yes
            problems.append(
                (flag_key(key), f"{flag_key(key)} needs a value: write {flag_key(key)}=VALUE")
            )
        else:
            row[key] = value.strip() if sep else "yes"
    return SpecRow(row, tuple(problems))


def read_roster(
    lib: Library,
    people: Path | None = None,
    providers: Path | None = None,
    frameworks: Iterable[str] | None = None,
    person_specs: Sequence[str] = (),
    provider_specs: Sequence[str] = (),
) -> Roster:
    """People and providers from the client's files and from `--person`/`--provider` values, or
    InputError listing every bad cell of every row (every mistake of a flag's value at once).

    A provider's `frameworks` must be among `frameworks` when given; a `backup` must be the id
    of a person or provider read here.
    """
    scope = tuple(frameworks) if frameworks is not None else None
    reader = _Reader(lib, {}, [])
    found_people: list[tuple[str, Person]] = []
    found_providers: list[tuple[str, Provider]] = []
    backups: list[tuple[str, str]] = []
    sources: list[tuple[Sequence[str], list[tuple[str, dict[str, str]]]]] = []
    for path, columns in ((people, PEOPLE_COLUMNS), (providers, PROVIDER_COLUMNS)):
        if path is not None:
            found = reader.rows(path, str(path), columns)
            sources.append((columns, [(f"{path}:row {n}", row) for n, row in found]))
    for flag, specs, spec_columns in (
        ("--person", person_specs, PEOPLE_COLUMNS),
        ("--provider", provider_specs, PROVIDER_COLUMNS),
    ):
        flagged: list[tuple[str, dict[str, str]]] = []
        for spec in specs:
            read = spec_row(spec, spec_columns)
            where = f"{flag} {read.row['id'] or read.row['name'] or spec}"
            for key, message in read.problems:
                reader.problems.append(Problem(where, None, key, message))
                reader.bad.add(where)
            flagged.append((where, read.row))
        sources.append((spec_columns, flagged))
    for kind, rows in sources:
        for where, row in rows:
            data = reader.fields(where, row, scope)
            if kind is PEOPLE_COLUMNS and row.get("backup"):
                backups.append((where, row["backup"]))
            if data is None or where in reader.bad:
                continue
            model: type[Person] | type[Provider] = Person if kind is PEOPLE_COLUMNS else Provider
            party = reader.build(where, model, data)
            if isinstance(party, Person):
                found_people.append((where, party))
            elif isinstance(party, Provider):
                found_providers.append((where, party))
    ids = set(reader.taken)
    for where, backup in backups:
        if backup not in ids:
            reader.problems.append(
                Problem(where, None, "backup", unknown("person or provider id", backup, ids))
            )
    if reader.problems:
        pinned = [
            Problem(p.file, p.line, flag_key(p.field), p.message) if p.file.startswith("--") else p
            for p in reader.problems
        ]
        raise InputError(sorted_problems(pinned))
    return Roster(
        tuple(p for _, p in found_people),
        tuple(p for _, p in found_providers),
        {p.id: where for where, p in found_people} | {p.id: where for where, p in found_providers},
    )


def sorted_problems(problems: Sequence[Problem]) -> list[Problem]:
    """The problems grouped by the row or flag they are about, in the order first found."""
    order = {where: i for i, where in reversed(list(enumerate(p.file for p in problems)))}
    return sorted(problems, key=lambda p: order[p.file])


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def person_row(p: Person) -> tuple[str, ...]:
    """A person as a row of the people file."""
    return (p.id, p.name, p.role or "", "; ".join(p.functions), _yes(p.after_hours), p.backup or "")


def provider_row(p: Provider) -> tuple[str, ...]:
    """A provider as a row of the providers file."""
    return (
        p.id,
        p.name,
        p.agreement or "",
        "; ".join(p.functions),
        "; ".join(p.frameworks or ()),
        _yes(p.after_hours),
        _yes(p.on_site),
        _yes(p.baa),
        _yes(p.pci_acknowledgement),
        p.last_reviewed.isoformat() if p.last_reviewed else "",
        _yes(p.independent),
    )


FUNCTION_COLUMNS = ("function", "title", "description", "note")
"""The columns of the function list the templates carry (functions.csv, the Functions sheet)."""
FUNCTIONS_SHEET = "Functions"
"""The XLSX templates' second sheet: the function ids to write in the functions column."""


def function_rows(lib: Library) -> list[tuple[str, ...]]:
    """Every function id with its one-line description and, where it has one, its coverage
    rule (around the clock, on the premises): the list a client picks the functions column from."""
    rows: list[tuple[str, ...]] = []
    for fid, fn in lib.functions.items():
        note = "; ".join(
            text
            for flag, text in (
                (fn.continuous, "must be covered around the clock"),
                (fn.on_site, "done on the premises"),
            )
            if flag
        )
        rows.append((fid, fn.title, fn.description, note))
    return rows


def _sheet(title: str, columns: Sequence[str], rows: Sequence[tuple[str, ...]]) -> Any:
    from ctrlmap.present.workbook import Sheet

    return Sheet(
        title=title,
        columns=tuple(columns),
        widths=tuple(
            min(80, max(12, len(c) + 2, *(len(r[i]) + 2 for r in rows)))
            for i, c in enumerate(columns)
        ),
        rows=tuple(rows),
    )


def template_files(lib: Library, xlsx: bool) -> dict[str, str | bytes]:
    """The template files by name: people.csv, providers.csv and functions.csv (the function ids
    the functions column takes), and the XLSX twins of the first two, the function list as their
    second sheet. Only the first sheet (or a CSV) is read back: the list is for the client."""
    people = [person_row(p) for p in TEMPLATE_PEOPLE]
    providers = [provider_row(p) for p in TEMPLATE_PROVIDERS]
    functions = function_rows(lib)
    files: dict[str, str | bytes] = {
        "people.csv": write_rows(PEOPLE_COLUMNS, people),
        "providers.csv": write_rows(PROVIDER_COLUMNS, providers),
        "functions.csv": write_rows(FUNCTION_COLUMNS, functions),
    }
    if xlsx:
        from ctrlmap.formats.xlsx import workbook_bytes

        listed = _sheet(FUNCTIONS_SHEET, FUNCTION_COLUMNS, functions)
        for name, title, columns, rows in (
            ("people.xlsx", "People", PEOPLE_COLUMNS, people),
            ("providers.xlsx", "Providers", PROVIDER_COLUMNS, providers),
        ):
            files[name] = workbook_bytes(
                (_sheet(title, columns, rows), listed),
                TEMPLATE_DATE,
                f"ctrlmap {title.lower()} template",
            )
    return files
