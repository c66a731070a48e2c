"""The recommendation: every combination of the four answers, and answers read from the examples."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ctrlmap.analyse.recommend import (
    Answers,
    GapTally,
    assessments_for,
    gap_comparison,
    recommend,
    staff_bucket,
)
from ctrlmap.assessment.pipeline import Assessment, assess
from ctrlmap.formats.json import dump
from ctrlmap.load.library import Library
from ctrlmap.models import Profile

AS_OF = dt.date(2026, 6, 1)

# The scoring table written out per raw answer, (co-managed, fully-managed): head counts are
# listed one by one rather than bucketed, so that a wrong bucket boundary shows.
STAFF = {None: (0, 0), 0: (0, 4), 1: (2, 0), 2: (2, 0), 3: (3, 0), 5: (3, 0)}
CONTROL = {None: (0, 0), "high": (2, 0), "low": (0, 2)}
BUDGET = {None: (0, 0), "predictable": (0, 1), "flexible": (1, 0)}
IN_HOUSE = {None: (0, 0), True: (0, 1), False: (1, 0)}
COMBINATIONS = list(itertools.product(STAFF, CONTROL, BUDGET, IN_HOUSE))


def assessments(loaded: Profile, lib: Library) -> dict[str, Assessment]:
    """The profile assessed under each model recommend() weighs, as `ctrlmap recommend` does."""
    return assessments_for(loaded, lib, AS_OF)


def test_the_table_covers_every_combination() -> None:
    assert len(COMBINATIONS) == 6 * 3 * 3 * 3


@pytest.mark.parametrize(("staff", "control", "budget", "in_house"), COMBINATIONS)
def test_every_combination_of_answers(
    staff: int | None, control: str | None, budget: str | None, in_house: bool | None
) -> None:
    parts = [STAFF[staff], CONTROL[control], BUDGET[budget], IN_HOUSE[in_house]]
    co = sum(p[0] for p in parts)
    fully = sum(p[1] for p in parts)
    expected = None if co == fully else "co-managed" if co > fully else "fully-managed"

    result = recommend(
        Answers(
            internal_staff=staff,
            control=control,  # type: ignore[arg-type]
            budget=budget,  # type: ignore[arg-type]
            in_house_compliance=in_house,
        )
    )
    assert result.scores == {"co-managed": co, "fully-managed": fully}
    assert result.recommendation == expected
    questions = result.reasons[:4]
    assert [r.topic for r in questions] == [
        "internal-staff",
        "control",
        "budget",
        "in-house-compliance",
    ]
    for reason, answer, points in zip(
        questions, (staff, control, budget, in_house), parts, strict=True
    ):
        assert reason.points == {"co-managed": points[0], "fully-managed": points[1]}
        if answer is None:
            assert reason.answer is None and "not answered: scores 0" in reason.text
        else:
            assert reason.answer is not None and "not answered" not in reason.text
    ties = [r for r in result.reasons if r.topic == "tie"]
    assert len(ties) == (1 if expected is None else 0)
    if expected is None:
        assert "tie" in ties[0].text.lower()
        models = {c.model for c in result.conditions}
        assert models == {"co-managed", "fully-managed"}
    else:
        assert {c.model for c in result.conditions} == {expected}
    assert result.derived == () and result.gaps is None


@pytest.mark.parametrize(
    ("staff", "control", "budget", "in_house", "expected"),
    [
        (0, None, None, None, "fully-managed"),  # no IT talent to co-manage with
        (1, None, None, True, "co-managed"),  # an IT director and a compliance owner
        (1, None, "predictable", True, None),  # 2 against 2
        (0, "high", "flexible", False, None),  # neither model fits as is
        (5, "low", "predictable", True, "fully-managed"),  # a team, but hand it all off
        (2, "high", "predictable", True, "co-managed"),
        (None, None, None, None, None),  # nothing answered: 0 against 0
    ],
)
def test_stories(
    staff: int | None,
    control: str | None,
    budget: str | None,
    in_house: bool | None,
    expected: str | None,
) -> None:
    answers = Answers.model_validate(
        {
            "internal_staff": staff,
            "control": control,
            "budget": budget,
            "in_house_compliance": in_house,
        }
    )
    assert recommend(answers).recommendation == expected


def test_buckets() -> None:
    assert [staff_bucket(n) for n in (None, 0, 1, 2, 3, 40)] == [
        None,
        "0",
        "1-2",
        "1-2",
        "3+",
        "3+",
    ]
    with pytest.raises(ValueError):
        Answers(internal_staff=-1)


def test_fully_managed_depends_on_an_internal_overseer() -> None:
    result = recommend(Answers(internal_staff=0, in_house_compliance=True))
    assert result.recommendation == "fully-managed"
    overseer = result.conditions[0]
    assert "compliance owner is named as overseer" in overseer.text and overseer.met is True
    assert "160.402(c)" in (overseer.citation or "")


def test_co_managed_depends_on_a_bench_for_a_small_team() -> None:
    result = recommend(Answers(internal_staff=1))
    assert result.recommendation == "co-managed"
    texts = " ".join(c.text for c in result.conditions)
    assert "backup" in texts and "split" in texts and "hand-off" in texts


@pytest.mark.parametrize(
    ("example", "expected", "staff"),
    [
        ("clinic", "co-managed", 1),  # Dana is the IT director; Sam owns compliance
        ("cpa-firm", "fully-managed", 0),  # no IT staff; Mira oversees the vCISO
        ("law-firm", "fully-managed", 0),  # no IT staff; Elena covers governance
        ("mortgage-lender", "co-managed", 2),  # Raj and Lena; Tom, a COO planning, is not IT
    ],
)
def test_examples_answer_from_their_profiles(
    lib: Library,
    load_example: Callable[[str], Profile],
    example: str,
    expected: str,
    staff: int,
) -> None:
    loaded = load_example(example)
    result = recommend(Answers(), assessments(loaded, lib))
    assert result.recommendation == expected
    assert result.derived == ("internal-staff", "in-house-compliance")
    assert result.answers.internal_staff == staff and result.answers.in_house_compliance is True
    assert result.answers.control is None and result.answers.budget is None
    assert [r.derived for r in result.reasons[:4]] == [True, False, False, True]
    assert "from the profile" in result.reasons[0].text
    gap_reasons = [r for r in result.reasons if r.topic == "gaps"]
    assert {r.answer for r in gap_reasons} == {"co-managed", "fully-managed"}
    assert any("critical" in r.text and "high" in r.text for r in gap_reasons)
    assert result.gaps is not None and set(result.gaps) == {"co-managed", "fully-managed"}
    assert result.organization == loaded.organization.name
    assert result.current_model == loaded.model


def test_the_cpa_firm_is_fully_managed_with_its_overseer_named(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    result = recommend(Answers(), assessments(load_example("cpa-firm"), lib))
    overseer = next(c for c in result.conditions if "named as overseer" in c.text)
    assert overseer.met is True and "Mira Hale" in (overseer.detail or "")
    qi = next(c for c in result.conditions if "Qualified Individual" in c.text)
    assert qi.met is True and qi.detail == "held by LedgerGuard IT, overseen by Mira Hale"


def test_the_law_firm_must_take_back_the_supervising_lawyer(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    result = recommend(Answers(), assessments(load_example("law-firm"), lib))
    lawyer = next(c for c in result.conditions if "supervising lawyer" in c.text)
    assert lawyer.met is False and lawyer.detail == "held by Northdesk Legal IT"


def test_the_lender_keeps_co_managed_but_must_name_a_qualified_individual_overseer(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    result = recommend(Answers(), assessments(load_example("mortgage-lender"), lib))
    qi = next(c for c in result.conditions if "Qualified Individual" in c.text)
    assert qi.met is False and qi.detail == "held by Keystone Security Partners, no overseer"
    bench = next(c for c in result.conditions if "backup" in c.text)
    assert bench.met is True  # Raj and Lena back each other up


def test_explicit_answers_win_over_the_profile(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    clinic = load_example("clinic")
    result = recommend(Answers(internal_staff=0), assessments(clinic, lib))
    assert result.answers.internal_staff == 0 and result.derived == ("in-house-compliance",)
    assert result.recommendation == "fully-managed"
    assert not result.reasons[0].derived and "from the profile" not in result.reasons[0].text

    cpa = recommend(Answers(in_house_compliance=False), assessments(load_example("cpa-firm"), lib))
    assert cpa.answers.in_house_compliance is False and cpa.derived == ("internal-staff",)
    overseer = next(c for c in cpa.conditions if "named as overseer" in c.text)
    assert overseer.met is False


def test_the_gaps_break_a_tie_and_nothing_more(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    answers = Answers(budget="predictable")  # the clinic's own answers then tie at 2 and 2
    alone = recommend(answers.model_copy(update={"internal_staff": 1, "in_house_compliance": True}))
    assert alone.recommendation is None
    result = recommend(answers, assessments(load_example("clinic"), lib))
    assert result.scores == {"co-managed": 2.5, "fully-managed": 2}
    assert result.recommendation == "co-managed"
    assert not any(r.topic == "tie" for r in result.reasons)
    breaker = [r for r in result.reasons if r.topic == "gaps" and r.points["co-managed"]]
    assert len(breaker) == 1
    assert "as many critical gaps as fully-managed (0) and fewer high gaps" in breaker[0].text


def test_assessments_must_cover_both_models(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    only = {"co-managed": assess(load_example("clinic"), lib, "co-managed", AS_OF)}
    with pytest.raises(ValueError, match=r"missing \['fully-managed'\]"):
        recommend(Answers(), only)


def test_the_json_contract() -> None:
    data = json.loads(dump(recommend(Answers(internal_staff=3, control="high"))))
    assert data["schema"] == "ctrlmap/recommend@1"
    assert data["recommendation"] == "co-managed"
    assert data["scores"] == {"co-managed": 5, "fully-managed": 0}
    assert {"recommendation", "conditions", "scores", "reasons"} <= set(data)
    assert len([r for r in data["reasons"] if r["topic"] != "gaps"]) == 4
    tie = json.loads(dump(recommend(Answers())))
    assert tie["recommendation"] is None
    assert tie["reasons"][-1]["topic"] == "tie" and "Exact tie" in tie["reasons"][-1]["text"]


SHIPPED = sorted(p.stem for p in (Path(__file__).parent.parent / "examples").glob("*.yaml"))
COMPARATIVE = re.compile(
    r"(fewer|more) (critical|high) gaps than ([a-z-]+) \((\d+) against (\d+)\)"
    r"|as many (critical|high) gaps as ([a-z-]+) \((\d+)\)"
)
LEAVES = re.compile(r"^Under ([a-z-]+)(?: \(its current model\))? this profile would leave "
                    r"(\d+) critical gaps? and (\d+) high gaps?\b")  # fmt: skip


def check_comparatives(result: object) -> int:
    """Every figure and comparative of the gap reasons agrees with the tallies; how many found."""
    from ctrlmap.analyse.recommend import RecommendResult

    assert isinstance(result, RecommendResult) and result.gaps is not None
    found = 0
    for reason in (r for r in result.reasons if r.topic == "gaps"):
        if (leaves := LEAVES.match(reason.text)) is not None:
            tally = result.gaps[leaves.group(1)]
            assert (int(leaves.group(2)), int(leaves.group(3))) == (tally.critical, tally.high)
            continue
        subject = result.gaps[reason.answer or ""]
        clauses = COMPARATIVE.findall(reason.text)
        assert sorted(c[1] or c[5] for c in clauses) == ["critical", "high"], reason.text
        for word, sev, other, a, b, same_sev, same_other, same in clauses:
            if word:
                mine, theirs = getattr(subject, sev), getattr(result.gaps[other], sev)
                assert (int(a), int(b)) == (mine, theirs), reason.text
                assert (mine < theirs) if word == "fewer" else (mine > theirs), reason.text
            else:
                mine, theirs = (
                    getattr(subject, same_sev),
                    getattr(result.gaps[same_other], same_sev),
                )
                assert int(same) == mine == theirs, reason.text
            found += 1
        assert "fewer critical and high" not in reason.text
    return found


@pytest.mark.parametrize("example", SHIPPED)
def test_every_comparative_sentence_agrees_with_the_figures(
    lib: Library, load_example: Callable[[str], Profile], example: str
) -> None:
    result = recommend(Answers(), assessments(load_example(example), lib))
    assert result.gaps is not None
    tallies = result.gaps
    keys = {m: (t.critical, t.high) for m, t in tallies.items()}
    found = check_comparatives(result)
    assert found == (0 if keys["co-managed"] == keys["fully-managed"] else 2)


def test_fewer_critical_but_more_high_gaps_says_so() -> None:
    # the sentence that once said "fewer critical and high gaps" while leaving 15 high against 11
    one = GapTally(critical=0, high=15, rules=())
    other = GapTally(critical=1, high=11, rules=())
    text = gap_comparison(one, other, "fully-managed")
    assert text == (
        "fewer critical gaps than fully-managed (0 against 1), "
        "but more high gaps than fully-managed (15 against 11)"
    )
    assert gap_comparison(other, other, "co-managed") == (
        "as many critical gaps as co-managed (1) and as many high gaps as co-managed (11)"
    )


def test_agreement_conditions_follow_each_providers_frameworks(lib: Library) -> None:
    from ctrlmap.analyse.recommend import _shared_conditions
    from ctrlmap.load.profiles import load_profile
    from tests.conftest import EXAMPLES

    loaded, _ = load_profile(EXAMPLES / "dental-group.yaml", lib)
    card = loaded.providers[0].model_copy(
        update={"id": "cardonly", "name": "Card Only", "baa": False, "frameworks": ("pci-dss-4",)}
    )
    ehr = loaded.providers[0].model_copy(
        update={
            "id": "ehronly",
            "name": "EHR Only",
            "pci_acknowledgement": False,
            "frameworks": ("hipaa-security",),
        }
    )
    profile = loaded.model_copy(update={"providers": (*loaded.providers, card, ehr)})
    details = {c.citation: c.detail for c in _shared_conditions(profile)}
    assert "cardonly" not in details["45 CFR 164.308(b)(1), 164.314(a)"]
    assert "ehronly" not in details["PCI DSS v4.0.1 12.8.2"]


def test_the_dental_reasons_name_people_and_providers_not_their_ids(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    loaded = load_example("dental-group")
    result = recommend(Answers(), assessments(loaded, lib))
    said = " ".join([r.text for r in result.reasons] + [c.detail or "" for c in result.conditions])
    assert "Kim Alvarez and Lee Brooks" in said and "Maria Chen and Dr. Raj Patel" in said
    assert "missing: VaultBox Offsite Backup" in said and "no backup: Lee Brooks" in said
    ids = [p.id for p in (*loaded.internal, *loaded.providers)]
    assert not re.search(r"\b(" + "|".join(ids) + r")\b", said), said
