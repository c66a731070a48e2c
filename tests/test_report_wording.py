"""How the whole report, `compare` and `recommend` read to a compliance officer
(ctrlmap/templates/report.md, ctrlmap/present/layout.py, ctrlmap/analyse/*).

Every shipped example, under both built-in models: outside code spans, file paths, links and the
matrix's R, C and I cells (compact party labels that the matrix's legend names), the text names
functions, parties, frameworks, models and applicability facts by their display names, never by
their ids; counts are pluralized ("1 control", "2 controls", never "control(s)"); and the
spelling is American.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pytest
import yaml
from click.testing import CliRunner

from ctrlmap.cli import cli
from ctrlmap.load.library import Library
from ctrlmap.models import Profile
from ctrlmap.models.catalog import FACTS, applies_when
from tests.conftest import ROOT
from tests.test_gap_wording import EXAMPLES

AS_OF = "2026-12-01"
MODELS = ("co-managed", "fully-managed")
BRITISH = re.compile(
    r"\b(organis\w*|prioritis\w*|behaviour\w*|licence\w*|acknowledgement\w*|colour\w*|"
    r"favour\w*|analyse|analysed|analysing|catalogue\w*|judgement\w*|labelled|modelled)\b",
    re.IGNORECASE,
)
HEDGED_PLURAL = re.compile(r"\w\(s\)")


def _ids(lib: Library, profile: Profile) -> re.Pattern[str]:
    """The ids a reader must never meet in prose: hyphenated functions, the profile's providers
    and people, its frameworks, the fully managed model and the applicability facts."""
    ids = [f for f in lib.functions if "-" in f]
    ids += [p.id for p in profile.providers] + [p.id for p in profile.internal]
    ids += [*profile.frameworks, "fully-managed"]
    ids += [f for f in FACTS if f != "outsourced"]
    ids += ["covered-entity", "business-associate", "service-provider"]
    alternatives = "|".join(map(re.escape, sorted(set(ids), key=len, reverse=True)))
    return re.compile(r"(?<![\w/.:-])(" + alternatives + r")(?![\w-])")


def _prose(text: str) -> str:
    """The text a reader reads as sentences: without code spans, links, paths and the matrix's
    R, C and I cells."""
    out = []
    in_matrix = False
    for line in text.splitlines():
        if line.startswith("## "):
            in_matrix = line.startswith("## 6.")
        if in_matrix and line.startswith("| `"):
            cells = line.split(" | ")
            # Control | Title | Level | Owner | R | A | C | I | Why: R, C and I are labels
            line = " | ".join(c for i, c in enumerate(cells) if i not in (4, 6, 7))
        if "Parties in the R, C and I columns" in line:
            continue  # the legend: each label with the party's name
        # how to record a fix in the profile may name its keys, after its label
        out.append(line.split(" In the profile: ")[0])
    prose = "\n".join(out)
    prose = re.sub(r"`[^`]*`", " ", prose)
    prose = re.sub(r"<https?://[^>]*>|https?://\S+", " ", prose)
    return re.sub(r"\S*/\S*\.(yaml|json|csv)\b", " ", prose)


def _user_text(stem: str) -> list[str]:
    """The profile's own sentences (reasons, notes, agreements, evidence): the client's words,
    which the report quotes as they are."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and " " in node:
            found.append(node)

    walk(yaml.safe_load((ROOT / "examples" / f"{stem}.yaml").read_text(encoding="utf-8")))
    return sorted(found, key=len, reverse=True)


def _problems(text: str, words: re.Pattern[str], quoted: Iterable[str] = ()) -> Iterable[str]:
    for sentence in quoted:
        text = text.replace(sentence, " ")
    prose = _prose(text)
    for pattern in (words, BRITISH, HEDGED_PLURAL):
        for match in pattern.finditer(prose):
            start = max(match.start() - 60, 0)
            yield prose[start : match.end() + 60].replace("\n", " ")


@pytest.fixture(scope="module")
def outputs() -> dict[str, dict[str, str]]:
    """Per example, through the CLI: its Markdown report under each model, `compare` as a table
    and in Markdown, and `recommend`."""
    runner = CliRunner()
    found: dict[str, dict[str, str]] = {}
    for stem in EXAMPLES:
        path = str(ROOT / "examples" / f"{stem}.yaml")
        runs = {
            f"report {model}": ("report", path, "--format", "md", "--model", model)
            for model in MODELS
        }
        runs["compare table"] = ("compare", path)
        runs["compare md"] = ("compare", path, "--format", "md")
        runs["recommend"] = ("recommend", path)
        texts = {}
        for name, args in runs.items():
            result = runner.invoke(cli, [*args, "--as-of", AS_OF], catch_exceptions=False)
            assert result.exit_code == 0, (stem, name, result.stderr)
            texts[name] = result.stdout
        found[stem] = texts
    return found


@pytest.mark.parametrize("stem", EXAMPLES)
def test_every_output_names_things_in_words(
    lib: Library,
    load_example: Callable[[str], Profile],
    outputs: dict[str, dict[str, str]],
    stem: str,
) -> None:
    words = _ids(lib, load_example(stem))
    quoted = _user_text(stem)
    for output, text in outputs[stem].items():
        assert list(_problems(text, words, quoted)) == [], output


@pytest.mark.parametrize("stem", EXAMPLES)
def test_the_matrix_legend_names_every_party_label(
    load_example: Callable[[str], Profile], outputs: dict[str, dict[str, str]], stem: str
) -> None:
    profile = load_example(stem)
    for model in MODELS:
        text = outputs[stem][f"report {model}"]
        (legend,) = [
            line for line in text.splitlines() if "Parties in the R, C and I columns" in line
        ]
        matrix = text.split("## 6.")[1].split("## 7.")[0]
        labels = {
            label.strip()
            for line in matrix.splitlines()
            if line.startswith("| `")
            for i, cell in enumerate(line.split(" | "))
            if i in (4, 6, 7)
            for label in cell.split(",")
            if label.strip() not in ("-", "nobody")
        }
        names = {"internal": profile.organization.name} | {p.id: p.name for p in profile.providers}
        for label in labels:
            assert f"{label} ({names[label]})" in legend, (model, label)


def test_the_report_lead_uses_the_american_idiom(outputs: dict[str, dict[str, str]]) -> None:
    text = outputs["clinic"]["report co-managed"]
    assert "what falls through the cracks" in text and "between the chairs" not in text


def test_the_appendix_names_the_accountable_person_once(outputs: dict[str, dict[str, str]]) -> None:
    text = outputs["clinic"]["report co-managed"]
    assert "| Accountable person: Sam Lee, the HIPAA security official. |" in text
    assert "sam (Sam Lee)" not in text


def test_one_control_is_singular_and_none_is_said_in_words(
    outputs: dict[str, dict[str, str]],
) -> None:
    text = outputs["clinic"]["report co-managed"]
    assert "No other applicable control depends on these." in text
    assert "0 other applicable" not in text
    assert (
        re.search(r"\b1 controls\b", "\n".join(t for o in outputs.values() for t in o.values()))
        is None
    )


@pytest.mark.parametrize(
    ("fact", "wanted", "found", "text"),
    [
        (
            "nydfs",
            ("class-a",),
            ("standard",),
            "it applies only when the NYDFS Part 500 status is Class A (the profile: standard)",
        ),
        (
            "hipaa",
            ("business-associate",),
            ("covered-entity",),
            "it applies only when the HIPAA role is a business associate "
            "(the profile: a covered entity)",
        ),
        (
            "hipaa-clearinghouse",
            (True,),
            (False,),
            "it applies only when the organization is a health care clearinghouse, "
            "and the profile says otherwise",
        ),
        (
            "glba-small-institution",
            (False,),
            (True,),
            "it does not apply when the institution holds customer information on fewer than "
            "5,000 consumers, as the profile says",
        ),
        (
            "outsourced",
            ("qualified-individual",),
            (),
            "it applies only when a provider fills the role of GLBA Qualified Individual "
            "(no role is filled by a provider)",
        ),
    ],
)
def test_applicability_speaks_of_the_fact_and_its_value_in_words(
    fact: str, wanted: tuple[str | bool, ...], found: tuple[str | bool, ...], text: str
) -> None:
    assert applies_when(fact, wanted, found) == text


def test_a_report_of_one_framework_without_facts_says_so_and_lists_bare_ids(
    outputs: dict[str, dict[str, str]],
) -> None:
    text = outputs["law-firm"]["report fully-managed"]
    assert "No applicability fact bears on these frameworks" in text
    assert "| Fact | Value |" not in text
    assert "  - Controls (7): acc-audit, acc-breach-notice," in text


def test_a_role_title_reads_mid_sentence_and_one_control_has_its_review_period(
    outputs: dict[str, dict[str, str]],
) -> None:
    text = outputs["law-firm"]["report fully-managed"]
    assert "The supervising lawyer is held by the provider Northdesk Legal IT" in text
    assert (
        "1 control of ABA Model Rules" in text
        and "has evidence older than its review period" in text
    )
