"""GLBA Safeguards Rule content: the notification event in full, the program's objectives, flags."""

from __future__ import annotations

from ctrlmap.load.library import Library
from ctrlmap.models import Control


def glba(lib: Library) -> dict[str, Control]:
    return {c.id: c for c in lib.catalogs["glba-safeguards"].controls}


def test_the_ftc_notice_summary_carries_the_whole_314_2_m_definition(lib: Library) -> None:
    summary = " ".join(glba(lib)["314.4(j)"].summary.split())
    assert "314.2(m)" in summary and "unencrypted" in summary
    # information counts as unencrypted when the key was accessed without authorization
    assert "encryption key" in summary
    # access is presumed to be acquisition unless reliable evidence shows otherwise
    assert "presumed" in summary and "reliable evidence" in summary


def test_the_program_objectives_are_a_unit_the_program_rests_on(lib: Library) -> None:
    controls = glba(lib)
    objectives = controls["314.3(b)"]
    assert objectives.citation == "16 CFR 314.3(b)(1)-(3)"
    for aim in (
        "secure and confidential",
        "threats or hazards",
        "substantial harm or inconvenience",
    ):
        assert aim in " ".join(objectives.summary.split())
    assert [(d.control, d.basis) for d in controls["314.3(a)"].depends_on] == [("314.3(b)", "text")]


def test_the_objectives_are_governance_work_only(lib: Library) -> None:
    # Stating what the program is for is the institution's governance, not shared risk work;
    # a risk-assessment function would make every model share it and invent a hand-off.
    assert glba(lib)["314.3(b)"].functions == ("governance",)
