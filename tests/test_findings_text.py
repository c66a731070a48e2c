"""The words a finding's plan state and a control's placement are shown in (present/findings.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ctrlmap.analyse.changes import Placement
from ctrlmap.assessment.pipeline import assess
from ctrlmap.load.library import Library
from ctrlmap.models import Profile
from ctrlmap.present.findings import placement_text, plan_state


def test_plan_state_names_each_state(lib: Library, load_example: Callable[[str], Profile]) -> None:
    gap = assess(load_example("clinic"), lib, as_of=dt.date(2026, 11, 28)).gaps.gaps[0]
    assert plan_state(gap.model_copy(update={"status": "accepted"})) == "accepted"
    assert plan_state(gap.model_copy(update={"status": "open", "progress": "done"})) == (
        "marked done, still present"
    )


def test_placement_text_in_words() -> None:
    assert (
        placement_text(
            Placement(
                owner=None,
                responsible=(),
                accountable=None,
                accountable_person=None,
                applicable=False,
            )
        )
        == "not applicable"
    )
    shared = Placement(
        owner="shared",
        responsible=("internal", "harbor"),
        accountable="internal",
        accountable_person="sam",
        applicable=True,
    )
    assert placement_text(shared) == "shared; R internal, harbor; A internal (sam)"
    nobody = Placement(
        owner=None, responsible=(), accountable=None, accountable_person=None, applicable=True
    )
    assert placement_text(nobody) == "unassigned; R nobody; A nobody"
