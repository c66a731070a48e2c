"""How a finding's plan and a control's placement read in words (present/findings.py)."""

from __future__ import annotations

from ctrlmap.analyse.changes import Placement
from ctrlmap.models.results import Gap
from ctrlmap.present.findings import placement_text, plan_state

GAP = Gap(
    id="GAP-7K3QX2",
    rule="unowned",
    severity="high",
    controls=("hipaa-security:164.308(a)(1)(i)",),
    parties=(),
    people=(),
    roles=(),
    message="m",
    remediation="r",
    citation="c",
)


def test_every_plan_state_reads_in_words() -> None:
    assert plan_state(GAP) == "open"
    assert plan_state(GAP.model_copy(update={"progress": "in-progress"})) == "in progress"
    assert plan_state(GAP.model_copy(update={"progress": "done"})) == "marked done, still present"
    assert plan_state(GAP.model_copy(update={"status": "accepted"})) == "accepted"


def test_a_placement_reads_owner_responsible_and_accountable() -> None:
    placed = Placement(
        owner="shared",
        responsible=("internal", "harbor"),
        accountable="internal",
        accountable_person="sam",
        applicable=True,
    )
    assert placement_text(placed) == "shared; R internal, harbor; A internal (sam)"
    nobody = placed.model_copy(
        update={"owner": None, "responsible": (), "accountable": None, "accountable_person": None}
    )
    assert placement_text(nobody) == "unassigned; R nobody; A nobody"
    assert placement_text(placed.model_copy(update={"applicable": False})) == "not applicable"
