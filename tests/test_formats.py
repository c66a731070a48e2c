"""Every registered renderer runs on a real result of its view, and only on that type."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctrlmap import formats
from ctrlmap.analyse.compare import compare_with
from ctrlmap.analyse.crosswalk import crosswalk
from ctrlmap.analyse.portfolio import client_row, portfolio
from ctrlmap.analyse.recommend import Answers, assessments_for, recommend
from ctrlmap.assessment.pipeline import Assessment, assess
from ctrlmap.load.library import Library
from ctrlmap.load.profiles import load_profile
from ctrlmap.models.results import ExplainResult
from ctrlmap.present.exports import build_export
from ctrlmap.present.graph import graph_view
from ctrlmap.present.layout import snapshot_parts
from ctrlmap.present.matrix import by_provider
from ctrlmap.present.report import build_report, with_baseline
from ctrlmap.present.schemas import build_schema
from ctrlmap.present.verify import verify_report
from ctrlmap.present.views import catalog_view, frameworks_view, model_view, validation_view
from tests.conftest import DATA, EXAMPLES

AS_OF = dt.date(2026, 11, 28)
SNAPSHOT = DATA / "snapshots" / "clinic-2026-09-01.report1.json"
PAIRS = [
    (view, fmt) for view, fmts in formats.VIEWS.items() for fmt in fmts if fmt not in formats.BINARY
]
BINARY_PAIRS = [
    (view, fmt) for view, fmts in formats.VIEWS.items() for fmt in fmts if fmt in formats.BINARY
]  # rendered in tests/test_pdf.py


@pytest.fixture(scope="module")
def lender(lib: Library) -> tuple[Assessment, Any]:
    profile, doc = load_profile(
        EXAMPLES / "mortgage-lender.yaml", lib, "examples/mortgage-lender.yaml"
    )
    return assess(profile, lib, None, AS_OF), doc


def results(lib: Library, lender: tuple[Assessment, Any], tmp: Any) -> dict[str, Callable[[], Any]]:
    """A real result of each view, from the mortgage lender (it has every kind of party)."""
    assessment, doc = lender
    report = build_report(assessment, doc)

    def verified() -> Any:
        page = formats.render("report", "html", report)
        path = tmp / "lender.html"
        path.write_text(page)
        return verify_report(path, page)

    return {
        "frameworks": lambda: frameworks_view(lib),
        "catalog": lambda: catalog_view(lib, lib.catalogs["pci-dss-4"]),
        "model": lambda: model_view(lib, lib.models["co-managed"]),
        "schema": lambda: build_schema("profile", lib),
        "validate": lambda: validation_view(lib, assessment.profile, "lender.yaml"),
        "verify": verified,
        "assign": lambda: assessment.assignment,
        "by-provider": lambda: by_provider(assessment.assignment, assessment.profile),
        "explain": lambda: ExplainResult(
            model=assessment.model.id, assignment=assessment.assignment.assignments[0]
        ),
        "gaps": lambda: assessment.gaps,
        "graph": lambda: graph_view(assessment),
        "report": lambda: report,
        "compare": lambda: compare_with(assessment),
        "recommend": lambda: recommend(Answers(), assessments_for(assessment.profile, lib, AS_OF)),
        "crosswalk": lambda: crosswalk(assessment),
        "diff": lambda: with_baseline(report, SNAPSHOT).changes,
        "export": lambda: build_export(assessment),
        "portfolio": lambda: portfolio(
            [client_row(assessment, "lender.yaml", "lender.html")], assessment.as_of
        ),
    }


def test_every_view_names_its_input_type() -> None:
    assert set(formats.INPUTS) == set(formats.VIEWS)
    for view in formats.VIEWS:
        assert isinstance(formats.input_type(view), type)


def test_every_view_and_format_is_registered_and_nothing_else() -> None:
    for module in set(formats.MODULES.values()):
        importlib.import_module(f"ctrlmap.formats.{module}")
    assert set(PAIRS) == set(formats._REGISTRY)
    assert (
        set(BINARY_PAIRS)
        == set(formats._BINARY_REGISTRY)
        == {("report", "pdf"), ("export", "xlsx")}
    )


def test_text_and_binary_renderers_are_not_mixed_up(lender: tuple[Assessment, Any]) -> None:
    assessment, _ = lender
    with pytest.raises(TypeError, match="pdf is a binary format"):
        formats.render("report", "pdf", assessment)
    with pytest.raises(TypeError, match="html is a text format"):
        formats.render_bytes("report", "html", assessment)


@pytest.mark.parametrize(("view", "fmt"), PAIRS)
def test_every_renderer_runs_on_its_view(
    lib: Library, lender: tuple[Assessment, Any], tmp_path: Any, view: str, fmt: str
) -> None:
    data = results(lib, lender, tmp_path)[view]()
    if fmt in formats.BINARY:
        raw = formats.render_bytes(view, fmt, data)
        assert isinstance(raw, bytes) and raw.startswith(b"PK")  # a zip: the workbook
        with pytest.raises(TypeError, match="binary format"):
            formats.render(view, fmt, data)
        return
    text = formats.render(view, fmt, data)
    assert isinstance(text, str) and text.count("\n") >= 1
    with pytest.raises(TypeError, match="text format"):
        formats.render_bytes(view, fmt, data)
    if view in ("assign", "by-provider", "gaps", "report", "crosswalk", "compare", "portfolio"):
        # a result about the organization names it (or, for exports of ids, its controls)
        assert "Hudson Crest Mortgage" in text or "glba-safeguards:314.4" in text


def test_a_renderer_refuses_another_views_result(lender: tuple[Assessment, Any]) -> None:
    assessment, _ = lender
    with pytest.raises(TypeError, match="the report view renders a Report, not GapsResult"):
        formats.render("report", "html", assessment.gaps)


def test_the_snapshot_digest_is_of_the_canonical_text(lender: tuple[Assessment, Any]) -> None:
    assessment, doc = lender
    embedded, digest = snapshot_parts(build_report(assessment, doc))
    assert len(digest) == 64 and "<" not in embedded


@settings(max_examples=200, deadline=None)
@given(text=st.text(), number=st.integers())
def test_the_fast_json_writer_writes_what_the_standard_library_writes(
    text: str, number: int
) -> None:
    from pydantic import BaseModel

    from ctrlmap.formats.json import dump, reference_dump

    class Sample(BaseModel):
        text: str
        number: int
        items: tuple[str, ...]
        nested: dict[str, list[int]]

    try:
        sample = Sample(text=text, number=number, items=(text, ""), nested={text: [1, -2]})
        expected = reference_dump(sample)
    except (UnicodeEncodeError, ValueError):
        return  # a lone surrogate: the reader refuses it before any model holds it
    assert dump(sample) == expected


def test_every_example_snapshot_is_written_as_the_standard_library_writes_it(lib: Library) -> None:
    from ctrlmap.formats.json import dump, reference_dump

    for path in sorted(EXAMPLES.glob("*.yaml")):
        profile, doc = load_profile(path, lib)
        report = build_report(assess(profile, lib, None, AS_OF), doc)
        assert dump(report) == reference_dump(report), path.name


def test_no_result_holds_a_float_but_recommends_halves() -> None:
    """pydantic and the standard library write some floats differently (1.2e-07 and 1.2e-7): the
    fast writer is exact because no published result holds one, but recommend's scores, which
    are halves (gaps weigh 0.5), and those both write alike."""
    import json

    from pydantic import BaseModel

    from ctrlmap.formats.json import dump, reference_dump

    for view in formats.VIEWS:
        schema = json.dumps(formats.input_type(view).model_json_schema())  # type: ignore[attr-defined]
        assert ('"type": "number"' in schema) == (view == "recommend"), view

    class Scores(BaseModel):
        scores: dict[str, float]

    halves = Scores(scores={str(k): k / 2 for k in range(-4001, 4001, 3)})
    assert dump(halves) == reference_dump(halves)
