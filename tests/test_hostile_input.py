"""Hostile input (issue 18): each case refused at the one shared piece, with exit 2 and a clear line.

Bounded reads, strict booleans and dates, safe date arithmetic, capped fields, short excerpts in
errors, ignored overrides, and the OSCAL links and hrefs a profile may follow. Each fixture of
tests/data/hostile/ has exactly one defect, named on its first line.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import re
import shutil
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, get_args, get_origin

import pytest
from click.testing import Result
from pydantic import BaseModel

from ctrlmap.assessment.assign import ignored_overrides
from ctrlmap.assessment.evidence import cycle_start
from ctrlmap.errors import InputError, shown
from ctrlmap.load.library import Library
from ctrlmap.load.profiles import load_profile
from ctrlmap.load.read import MAX_BYTES, parse_document, read_bytes
from ctrlmap.models import Strict
from ctrlmap.models.base import NAME_MAX, TEXT_MAX, iso_date
from tests.conftest import DATA, EXAMPLES

HOSTILE = DATA / "hostile"
BOOLEAN = "expected true or false, unquoted (yes, no, on and off are text, not booleans)"

CASES = {
    # fixture: (is it a catalog, line, field, message)
    "bool_yes_unquoted.yaml": (False, 13, "providers[0](acme).after_hours", BOOLEAN),
    "bool_false_quoted.yaml": (False, 13, "providers[0](acme).baa", BOOLEAN),
    "bool_on_fact.yaml": (False, 7, "applicability.hipaa-clearinghouse", BOOLEAN),
    "bool_one_in_catalog.yaml": (True, 13, "controls[0](T-1).heading", BOOLEAN),
    "bool_yes_in_applies_if.yaml": (
        True,
        13,
        "controls[0](T-1).applies_if",
        "pci-issuer: 'yes' is not one of true, false",
    ),
    "date_as_number.yaml": (
        False,
        13,
        "providers[0](acme).last_reviewed",
        "a number, not a date (it is not read as a Unix timestamp); write the date as YYYY-MM-DD, "
        "e.g. 2026-04-15",
    ),
    "date_without_dashes.yaml": (
        False,
        17,
        "evidence[0](hipaa-security:164.308(a)(1)(ii)(A)).reviewed",
        "not a valid date; write it as YYYY-MM-DD, e.g. 2026-04-15",
    ),
    "name_too_long.yaml": (
        False,
        12,
        "providers[0](acme).name",
        "is 301 characters, over the 300-character limit for an id, name or title; shorten it",
    ),
    "reason_too_long.yaml": (
        False,
        17,
        "overrides[0](hipaa-security:164.312(b)).reason",
        "is 4,001 characters, over the 4,000-character limit for free text; shorten it",
    ),
    "oscal_self_required.json": (
        True,
        9,
        "catalog.controls[0](sc-1).links[0].href",
        "control 'sc-1' requires itself; point the link at the control it depends on, or remove "
        "the link",
    ),
    "date_with_time.yaml": (
        True,
        13,
        "controls[0](T-1).effective",
        "not a valid date; write it as YYYY-MM-DD, e.g. 2026-04-15",
    ),
}


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


# The fixtures of tests/data/hostile/, one defect each


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_fixture_exits_2_naming_the_file_the_line_the_field_and_the_fix(
    invoke: Callable[..., Result], name: str
) -> None:
    path = HOSTILE / name
    is_catalog, line, field, message = CASES[name]
    args = ("--catalog", str(path), "frameworks", "list") if is_catalog else ("validate", str(path))
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"Error: {path}:{line}: {field}: {message}\n"


def test_every_hostile_fixture_has_a_case_and_says_its_one_defect() -> None:
    assert {p.name for p in HOSTILE.iterdir()} == set(CASES)
    for path in HOSTILE.iterdir():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":  # JSON has no comments: an OSCAL fixture says it in its title
            text = "# " + json.loads(text)["catalog"]["metadata"]["title"]
        assert text.startswith("# One defect: "), path.name


# 2. Strict booleans


@pytest.mark.parametrize("text", ["yes", "no", "on", "off", "Yes", "OFF"])
def test_yaml_1_1_booleans_are_read_as_text(text: str) -> None:
    assert parse_document(f"a: {text}\n".encode(), "p.yaml").data == {"a": text}


@pytest.mark.parametrize(("text", "value"), [("true", True), ("False", False), ("TRUE", True)])
def test_yaml_1_2_booleans_are_booleans(text: str, value: bool) -> None:
    assert parse_document(f"a: {text}\n".encode(), "p.yaml").data == {"a": value}


def test_an_explicit_bool_tag_takes_yaml_1_2_booleans_only() -> None:
    with pytest.raises(InputError) as caught:
        parse_document(b"a: !!bool yes\n", "p.yaml")
    assert caught.value.lines() == ["p.yaml:1: 'yes' is not a valid bool"]


def _bare(annotation: Any, kind: type, marked: Callable[[Any], bool]) -> bool:
    """Whether `kind` appears in the annotation without the metadata `marked` looks for."""
    if get_origin(annotation) is Annotated:
        base, *meta = get_args(annotation)
        if base is kind:
            return not any(marked(m) for m in meta)
        return _bare(base, kind, marked)
    if annotation is kind:
        return True
    return any(_bare(arg, kind, marked) for arg in get_args(annotation))


def _models(package: str = "ctrlmap.models") -> list[type[BaseModel]]:
    """Every model of a package (the published shapes too, not only what is read)."""
    for module in ("models.results", "models.comparison", "present.report", "present.exports"):
        importlib.import_module(f"ctrlmap.{module}")
    found: list[type[BaseModel]] = []
    todo: list[type[BaseModel]] = [Strict]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith(package):
                found.append(sub)
    return found


def _loose_fields(kind: type, marked: Callable[[Any], bool], package: str) -> list[str]:
    loose = []
    for model in _models(package):
        for name, info in model.model_fields.items():
            top = info.annotation is kind and not any(marked(m) for m in info.metadata)
            if top or (info.annotation is not kind and _bare(info.annotation, kind, marked)):
                loose.append(f"{model.__name__}.{name}")
    return loose


def test_every_boolean_field_of_the_models_is_strict() -> None:
    assert len(_models()) > 40
    marked = lambda m: getattr(m, "strict", False) is True  # noqa: E731
    assert _loose_fields(bool, marked, "ctrlmap.models") == []


# 3. Dates


def test_every_date_field_of_every_model_is_an_iso_date() -> None:
    assert _loose_fields(dt.date, lambda m: getattr(m, "func", None) is iso_date, "ctrlmap") == []


@pytest.mark.parametrize(
    "value", [0, 1_700_000_000, 2026.5, True, "2026-W16-3", "2026-04-15T00:00"]
)
def test_a_date_is_the_iso_day_and_nothing_else(value: object) -> None:
    with pytest.raises(ValueError, match="write"):
        iso_date(value)


def test_an_iso_day_quoted_or_not_is_a_date() -> None:
    assert iso_date("2026-04-15") == dt.date(2026, 4, 15)
    assert iso_date(dt.date(1, 1, 1)) == dt.date.min


# 4. Date arithmetic at the ends of the calendar


@pytest.mark.parametrize(
    ("as_of", "start"),
    [
        (dt.date(1, 1, 1), None),
        (dt.date(1, 6, 1), None),
        (dt.date(2, 3, 1), None),
        (dt.date(2, 6, 1), dt.date(1, 4, 15)),
        (dt.date(9999, 12, 31), dt.date(9998, 4, 15)),
    ],
)
def test_the_annual_cycle_before_year_1_is_no_cycle_not_year_0(
    as_of: dt.date, start: dt.date | None
) -> None:
    assert cycle_start(as_of, "04-15") == start


def _dated(tmp_path: Path, day: str) -> Path:
    """The mortgage lender (NYDFS 500.17(b) is due every April 15) with every date set to `day`."""
    text = (EXAMPLES / "mortgage-lender.yaml").read_text(encoding="utf-8")
    path = tmp_path / f"lender-{day}.yaml"
    path.write_text(re.sub(r"\b20[0-9]{2}-[0-9]{2}-[0-9]{2}\b", day, text), encoding="utf-8")
    return path


COMMANDS = [
    ("gaps",),
    ("report", "--format", "html"),
    ("report", "--format", "md"),
    ("report", "--format", "csv"),
    ("export", "--format", "oscal"),
    ("export", "--format", "crm-csv"),
    ("compare", "--format", "md"),
    ("recommend",),
]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
@pytest.mark.parametrize(
    ("day", "as_of"), [("0001-01-01", "0001-06-01"), ("9999-12-31", "9999-12-31")]
)
def test_as_of_at_either_end_of_the_calendar_is_judged_not_a_crash(
    invoke: Callable[..., Result], tmp_path: Path, command: tuple[str, ...], day: str, as_of: str
) -> None:
    profile = _dated(tmp_path, day)
    result = invoke(command[0], str(profile), *command[1:], "--as-of", as_of)
    assert result.exit_code == 0, result.output
    assert result.stdout
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_evidence_of_year_1_is_current_at_an_as_of_date_of_year_1(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    profile = _dated(tmp_path, "0001-01-01")
    result = invoke("report", str(profile), "--format", "json", "--as-of", "0001-06-01")
    assert result.exit_code == 0, result.output
    evidence = {e["control"]: e for e in json.loads(result.stdout)["evidence"]}
    assert evidence["nydfs-500:500.17(b)"]["status"] == "current"
    assert evidence["nydfs-500:500.17(b)"]["age_days"] == 151


@pytest.mark.parametrize("as_of", ["0000-12-31", "10000-01-01"])
def test_an_as_of_date_outside_the_iso_calendar_is_a_usage_error(
    invoke: Callable[..., Result], as_of: str
) -> None:
    result = invoke("gaps", str(EXAMPLES / "clinic.yaml"), "--as-of", as_of)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert f"Invalid value for '--as-of': '{as_of}' does not match the format" in result.stderr


# 5. What one field may hold


def test_a_3_9_mb_organization_name_is_refused_before_it_reaches_a_report(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    text = (DATA / "good" / "minimal.yaml").read_text(encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(text.replace("Minimal Clinic", "A" * 3_900_000), encoding="utf-8")
    result = invoke("report", str(path), "--format", "html", "--as-of", "2026-11-28")
    assert result.exit_code == 2, result.output[:200]
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {path}:3: organization.name: is 3,900,000 characters, over the 300-character "
        "limit for an id, name or title; shorten it\n"
    )


def test_a_name_at_its_cap_is_accepted(lib: Library, tmp_path: Path) -> None:
    text = (DATA / "good" / "minimal.yaml").read_text(encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(text.replace("Minimal Clinic", "A" * NAME_MAX), encoding="utf-8")
    assert load_profile(path, lib)[0].organization.name == "A" * NAME_MAX


def _capped(meta: Any) -> bool:
    inner = getattr(meta, "metadata", ())
    return getattr(meta, "max_length", None) is not None or any(_capped(m) for m in inner)


@pytest.mark.parametrize("module", ["ctrlmap.models.profile", "ctrlmap.models.catalog"])
def test_every_text_field_read_from_a_file_is_capped(module: str) -> None:
    assert _loose_fields(str, _capped, module) == []


def test_the_shipped_catalogs_and_examples_fit_the_caps_with_room_to_spare(lib: Library) -> None:
    # load_library validates every shipped file against the caps; this says by how much they fit.
    texts: list[str] = []
    for catalog in lib.catalogs.values():
        for control in catalog.controls:
            texts += [control.summary, control.note or "", control.accountability_basis or ""]
        texts += [catalog.source or "", catalog.version, catalog.license_note or ""]
    assert 0 < max(map(len, texts)) <= TEXT_MAX // 4
    titles = [c.title for catalog in lib.catalogs.values() for c in catalog.controls]
    assert max(map(len, titles)) <= NAME_MAX * 2 // 3
    for example in sorted(EXAMPLES.glob("*.yaml")):
        load_profile(example, lib)


# 6. Short excerpts in errors


def test_shown_quotes_at_most_80_characters_with_an_ellipsis() -> None:
    assert shown("x" * 3_000_000) == "'" + "x" * 78 + "…"
    assert shown("short") == "'short'"
    assert shown(list(range(100_000))).endswith("…") and len(shown(list(range(100_000)))) == 80


def test_an_error_on_a_3_mb_one_line_document_quotes_an_excerpt(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("x" * 3_000_000 + "\n", encoding="utf-8")
    result = invoke("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {path}: expected a mapping of keys to values, got the value '{'x' * 78}…\n"
    )


def test_a_3_mb_unknown_key_is_named_by_an_excerpt(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    data = {"organization": {"name": "A"}, "frameworks": ["hipaa-security"], "model": "co-managed"}
    path = tmp_path / "p.json"
    path.write_text(json.dumps({**data, "k" * 3_000_000: 1}), encoding="utf-8")
    result = invoke("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}: {'k' * 59}…: unknown key; allowed keys are ")
    assert len(result.stderr) < 400


def test_a_3_mb_duplicate_key_is_named_by_an_excerpt(tmp_path: Path) -> None:
    key = "k" * 1_000_000
    with pytest.raises(InputError) as caught:
        parse_document(f"? {key}\n: 1\n? {key}\n: 2\n".encode(), "p.yaml")
    (line,) = caught.value.lines()
    assert line == (
        f"p.yaml:3: {'k' * 59}…: duplicate key '{'k' * 78}… (first at line 1); "
        "each key may appear once"
    )


def test_a_bug_notice_quotes_an_excerpt_of_the_exception(
    invoke: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object) -> None:
        raise RuntimeError("y" * 1_000_000)

    monkeypatch.setattr("ctrlmap.load.catalogs.load_library", boom)
    result = invoke("frameworks", "list")
    assert result.exit_code == 3
    assert f"RuntimeError: {'y' * 299}…\n" in result.stderr
    assert len(result.stderr) < 600


# 7. Overrides of controls that do not apply

SHOP = """\
organization:
  name: Minimal Shop
frameworks: [pci-dss-4]
model: co-managed
internal:
  - id: pat
    name: Pat Doe
    functions: [governance, network-administration]
"""


def _validate(invoke: Callable[..., Result], tmp_path: Path, text: str, *options: str) -> Result:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke(*options, "validate", str(path))
    assert result.exit_code == 0, result.output
    return result


def test_an_override_of_a_control_that_does_not_apply_is_a_validate_warning(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    text = (DATA / "good" / "minimal.yaml").read_text(encoding="utf-8") + (
        "overrides:\n"
        "  - control: hipaa-security:164.308(a)(4)(ii)(A)\n"
        "    owner: internal\n"
        "    reason: We isolate the clearinghouse ourselves\n"
    )
    result = _validate(invoke, tmp_path, text)
    assert result.stderr == (
        f"Warning: {tmp_path / 'p.yaml'}:15: overrides[0](hipaa-security:164.308(a)(4)(ii)(A))"
        ".control: hipaa-security:164.308(a)(4)(ii)(A) does not apply to the organization, so "
        "this override changes nothing. Not applicable: it applies only when the organization is "
        "a health care clearinghouse, and the profile says otherwise. Remove the override, or "
        "correct what takes the control out\n"
    )


def test_an_override_of_a_requirement_the_saq_does_not_ask_is_a_validate_warning(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    text = SHOP + (
        "applicability:\n"
        "  pci-saq: A\n"
        "overrides:\n"
        "  - control: pci-dss-4:10.2.1\n"
        "    owner: internal\n"
        "    reason: We keep the logs ourselves\n"
    )
    (line,) = _validate(invoke, tmp_path, text).stderr.splitlines()
    assert line.startswith(f"Warning: {tmp_path / 'p.yaml'}:12: overrides[0](pci-dss-4:10.2.1)")
    assert "pci-dss-4:10.2.1 does not apply to the organization" in line
    assert "Not asked by SAQ A, the questionnaire the organization files" in line


def test_an_override_of_an_excluded_control_is_a_validate_warning(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    text = SHOP + (
        "scope_exclusions:\n"
        "  - control: pci-dss-4:9.4.1\n"
        "    reason: No paper media with account data\n"
        "overrides:\n"
        "  - control: pci-dss-4:9.4.1.1\n"
        "    owner: internal\n"
        "    reason: We store the backups offsite ourselves\n"
    )
    (line,) = _validate(invoke, tmp_path, text).stderr.splitlines()
    assert "overrides[0](pci-dss-4:9.4.1.1).control: pci-dss-4:9.4.1.1 does not apply" in line
    assert "Excluded from scope, with 9.4.1 above it: No paper media with account data." in line


def test_an_override_of_a_duty_not_yet_in_force_is_no_warning(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    catalog = tmp_path / "tiny.yaml"
    catalog.write_text(
        (HOSTILE / "date_with_time.yaml")
        .read_text(encoding="utf-8")
        .replace("2026-04-15T00:00:00", "9000-01-01"),
        encoding="utf-8",
    )
    text = (DATA / "good" / "minimal.yaml").read_text(encoding="utf-8").replace(
        "[hipaa-security]", "[tiny]"
    ) + ("overrides:\n  - control: tiny:T-1\n    owner: internal\n    reason: We do it\n")
    assert _validate(invoke, tmp_path, text, "--catalog", str(catalog)).stderr == ""


def test_ignored_overrides_names_each_by_index(lib: Library) -> None:
    profile = load_profile(EXAMPLES / "clinic.yaml", lib)[0]
    assert ignored_overrides(profile, lib) == {}


# 8. OSCAL: links and the files an import may read

TINY = DATA / "oscal"


def _profile_importing(folder: Path, href: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "profile.json"
    body = {
        "uuid": "7d7c0f1e-2d7b-4f3e-9d8a-1b1f0c0e0f02",
        "metadata": {"title": "Confined", "version": "1", "oscal-version": "1.1.2"},
        "imports": [{"href": href, "include-all": {}}],
    }
    path.write_text(json.dumps({"profile": body}, indent=2), encoding="utf-8")
    return path


def _catalog_in(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tiny-catalog.json"
    shutil.copy(TINY / "tiny-catalog.json", path)
    return path


def _outside(href: str) -> str:
    return (
        f"cannot resolve the import {shown(href)} (tiny-catalog.json): {shown(href)} points outside "
        "the profile's folder, and an import is read only from that folder (or a folder under it) "
        "or from the files given with --catalog; give the catalog with --catalog FILE, or copy it "
        "beside the profile"
    )


def test_an_absolute_href_outside_the_profiles_folder_is_not_read(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    catalog = _catalog_in(tmp_path / "elsewhere")
    profile = _profile_importing(tmp_path / "profiles", str(catalog))
    result = invoke("--catalog", str(profile), "frameworks", "list")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"Error: {profile}:11: profile.imports[0].href: {_outside(str(catalog))}\n"
    )


def test_a_dot_dot_href_outside_the_profiles_folder_is_not_read(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    _catalog_in(tmp_path / "elsewhere")
    href = "../elsewhere/tiny-catalog.json"
    profile = _profile_importing(tmp_path / "profiles", href)
    result = invoke("--catalog", str(profile), "frameworks", "list")
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: {profile}:11: profile.imports[0].href: {_outside(href)}\n"


def test_a_link_beside_the_profile_that_leads_outside_is_not_followed(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    catalog = _catalog_in(tmp_path / "elsewhere")
    profile = _profile_importing(tmp_path / "profiles", "tiny-catalog.json")
    (tmp_path / "profiles" / "tiny-catalog.json").symlink_to(catalog)
    result = invoke("--catalog", str(profile), "frameworks", "list")
    assert result.exit_code == 2, result.output
    assert _outside("tiny-catalog.json") in result.stderr


def test_an_href_outside_the_folder_reads_the_same_file_given_with_catalog(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    catalog = _catalog_in(tmp_path / "elsewhere")
    profile = _profile_importing(tmp_path / "profiles", "../elsewhere/tiny-catalog.json")
    result = invoke("--catalog", str(catalog), "--catalog", str(profile), "frameworks", "list")
    assert result.exit_code == 0, result.output
    assert "profile" in result.stdout


def test_an_href_into_a_folder_under_the_profile_is_read(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    _catalog_in(tmp_path / "profiles" / "catalogs")
    profile = _profile_importing(tmp_path / "profiles", "catalogs/tiny-catalog.json")
    result = invoke("--catalog", str(profile), "frameworks", "list")
    assert result.exit_code == 0, result.output


def test_an_href_too_long_for_the_system_is_a_clear_error_not_a_bug(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    href = "x" * 3_000_000 + ".json"
    profile = _profile_importing(tmp_path, href)
    result = invoke("--catalog", str(profile), "frameworks", "list")
    assert result.exit_code == 2, result.output[:300]
    assert result.stderr == (
        f"Error: {profile}:11: profile.imports[0].href: cannot resolve the import {shown(href)} "
        f"({'x' * 79}…): no such file beside the profile and no OSCAL catalog was given with "
        "--catalog; give the catalog with --catalog FILE\n"
    )
