"""The comparison of two operating models and its transition plan: the published JSON shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from ctrlmap.assessment.gaps import GapSummary
from ctrlmap.models import Strict
from ctrlmap.models.base import Date, DefaultOwner, Flag, Owner, PartyKind, Severity
from ctrlmap.models.results import Gap

Movement = Literal[
    "internal-to-provider",
    "provider-to-internal",
    "to-shared",
    "between-providers",
    "to-unassigned",
    "from-unassigned",
    "accountability-only",
]


MOVEMENTS: tuple[Movement, ...] = (
    "internal-to-provider",
    "provider-to-internal",
    "to-shared",
    "between-providers",
    "to-unassigned",
    "from-unassigned",
    "accountability-only",
)
"""Every movement, in the order changes are grouped and shown."""

MOVEMENT_TITLES: dict[str, str] = {
    "internal-to-provider": "From the organization to a provider",
    "provider-to-internal": "From a provider back to the organization",
    "to-shared": "To work shared between parties",
    "between-providers": "From one provider to another",
    "to-unassigned": "To nobody (a gap to staff or contract)",
    "from-unassigned": "From nobody to a party",
    "accountability-only": "Accountability only (the same parties do the work)",
}
"""Each movement as a heading for a reader."""

DECISION_TITLE = "To decide: no agreement covers it yet (settled in phase 1, nothing moves)"
"""The heading of the changes the plan does not make: the target gives their work to a provider
no agreement covers (or to nobody), a decision taken in phase 1, not a move."""

MOVEMENT_PHRASES: dict[str, str] = {
    "internal-to-provider": "from the organization to a provider",
    "provider-to-internal": "back to the organization",
    "to-shared": "to shared work",
    "between-providers": "between providers",
    "to-unassigned": "to nobody",
    "from-unassigned": "from nobody",
    "accountability-only": "in accountability only",
}
"""Each movement as a phrase after a count: `8 from the organization to a provider`."""

NEED_TITLES: dict[str, str] = {
    "agreement": "Agreement",
    "designation": "Designated role",
    "split": "Split of shared work",
    "capability": "Staff capability",
    "assignment": "Assignment",
    "handoff": "Hand-off",
}
"""Each kind of need as a label for a reader."""


NeedKind = Literal["agreement", "designation", "split", "capability", "assignment", "handoff"]


NEED_KINDS: dict[str, NeedKind] = {
    "provider-not-contracted": "agreement",
    "provider-agreement-missing": "agreement",
    "after-hours-gap": "agreement",
    "on-site-gap": "agreement",
    "designation-missing": "designation",
    "outsourced-designation-without-overseer": "designation",
    "shared-without-split": "split",
    "no-internal-capability": "capability",
    "single-point-of-failure": "capability",
    "unowned": "assignment",
    "no-single-accountable": "assignment",
    "non-delegable-accountability": "assignment",
    "self-assessment": "assignment",
    "missing-handoff": "handoff",
}
"""The gap rules whose findings under the target model are something the profile must add."""


NEED_ORDER: tuple[NeedKind, ...] = (
    "agreement",
    "designation",
    "split",
    "capability",
    "assignment",
    "handoff",
)


ActionKind = Literal[
    "due-diligence",
    "agreement",
    "designation",
    "split",
    "capability",
    "assignment",
    "access",
    "knowledge-transfer",
    "credentials",
    "revoke-access",
    "data",
    "oversight",
    "profile",
    "briefing",
]


class FunctionChange(Strict):
    """One function whose default owner or Accountable party differs between the two models."""

    function: str
    from_owner: DefaultOwner | None
    from_accountable: PartyKind | None
    to_owner: DefaultOwner | None
    to_accountable: PartyKind | None
    from_rationale: str | None
    to_rationale: str | None
    controls: int = 0
    """How many moving controls have this function (in `CompareResult.functions` only)."""


class Change(Strict):
    """A control whose Responsible or Accountable party differs between the two models."""

    control: str
    framework: str
    title: str
    movement: Movement
    from_owner: Owner | None
    to_owner: Owner | None
    from_responsible: tuple[str, ...]
    to_responsible: tuple[str, ...]
    from_accountable: str | None
    to_accountable: str | None
    from_people: tuple[str, ...]
    to_people: tuple[str, ...]
    why: tuple[FunctionChange, ...]
    """The control's functions whose model defaults differ."""
    notes: tuple[str, ...]
    """Override, non-delegable, designation and provider steps that shape the target assignment."""
    reason: str
    """`why` (or the first note) in one line, for tables."""
    phase: int
    """The plan phase in which it moves (1 for a decision)."""
    decision: Flag = False
    """True when the plan does not move it: the target gives its work to a provider no agreement
    covers, or to nobody, so phase 1 decides who does it and until then it stays where it is."""


class GapChange(Strict):
    """A gap found under both models with a different severity."""

    id: str
    rule: str
    parties: tuple[str, ...]
    functions: tuple[str, ...]
    roles: tuple[str, ...]
    from_severity: Severity
    to_severity: Severity
    message: str


class ControlGroup(Strict):
    """A phase's moving controls of one framework, written compactly: a count and id ranges."""

    framework: str
    count: int
    ranges: tuple[str, ...]
    """Runs of consecutive controls in catalog order (`first – last`), or single ids."""


class Need(Strict):
    """Something the target model needs that the profile does not have yet."""

    kind: NeedKind
    rule: str
    severity: Severity
    text: str
    """What to do (the gap's remediation)."""
    reason: str
    """Why (the gap's message)."""
    parties: tuple[str, ...]
    """For a hand-off: [from, to]; for a split: ["internal", provider...]."""
    functions: tuple[str, ...]
    roles: tuple[str, ...]
    controls: tuple[str, ...]
    example: str | None
    """For a hand-off: one dependency that needs it."""
    citation: str
    new: Flag
    """False when the source model has the same gap: the profile lacks it already today."""
    control_groups: tuple[ControlGroup, ...] = ()
    """`controls` per framework as counts and id ranges, for a compact listing."""


class Action(Strict):
    """One thing to do in the opening or closing phase, naming who does it."""

    kind: ActionKind
    text: str
    parties: tuple[str, ...]
    functions: tuple[str, ...] = ()
    citation: str | None = None
    party: str = "internal"
    """Whose work or agreement it concerns: a provider id, or `internal`; a phase's actions come
    grouped by party."""
    heading: str = "The organization"
    """The group's heading: the organization, or the provider with its agreement."""


class Dependency(Strict):
    """One dependency a hand-off serves: `control` depends on `depends_on`."""

    control: str
    depends_on: str


class PhaseHandoff(Strict):
    """A hand-off that must be in place from this phase on: `from` delivers work `to` relies on."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    kind: Literal["interim", "lasting"]
    until_phase: int | None
    """For an interim hand-off, the phase that moves the other end and ends the need."""
    from_functions: tuple[str, ...]
    to_functions: tuple[str, ...]
    agreement: str | None
    """The profile's documented hand-off that already covers it; null when it must be agreed."""
    example: str
    dependencies: tuple[Dependency, ...]


class Phase(Strict):
    """One phase of the transition plan."""

    phase: int
    kind: Literal["prepare", "move", "close"]
    title: str
    summary: str
    actions: tuple[Action, ...]
    controls: tuple[str, ...]
    """Only moving controls, each in exactly one phase."""
    functions: tuple[str, ...]
    movements: dict[str, int]
    handoffs: tuple[PhaseHandoff, ...]
    people: tuple[str, ...]
    providers: tuple[str, ...]
    service: str | None = None
    """For a move phase, the service cut over (the taxonomy's `service` of its functions)."""
    taker: str | None = None
    """For a move phase, the party taking the service on: a provider id, or `internal` taking it back."""
    control_groups: tuple[ControlGroup, ...] = ()
    """`controls` per framework, as counts and ranges."""


class CompareSummary(Strict):
    """The comparison in figures."""

    applicable: int
    moving: int
    untouched: int
    by_movement: dict[str, int]
    gaps_opened: int
    gaps_closed: int
    gaps_changed: int
    phases: int
    gaps_from: GapSummary
    gaps_to: GapSummary
    moved: int = 0
    """How many of the `moving` controls the plan moves (in a cut-over phase)."""
    decisions: int = 0
    """How many of the `moving` controls the plan does not move but decides in phase 1."""
    gaps_note: str = ""
    """What the target's gap count means, in one sentence, when it counts work the target gives
    to a provider no agreement covers (empty otherwise)."""


class CompareResult(Strict):
    """`ctrlmap compare`: what changes between two models and how to get from one to the other."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: Literal["ctrlmap/compare@1"] = Field("ctrlmap/compare@1", alias="schema")
    organization: str
    from_: str = Field(alias="from")
    to: str
    from_title: str
    to_title: str
    as_of: Date
    frameworks: tuple[str, ...]
    include_proposed: Flag
    summary: CompareSummary
    functions: tuple[FunctionChange, ...]
    """Every function whose defaults differ, with how many moving controls it explains."""
    unchanged_functions: tuple[str, ...]
    changes: tuple[Change, ...]
    untouched: tuple[str, ...]
    """Applicable controls that keep their Responsible and Accountable parties."""
    gaps_opened: tuple[Gap, ...]
    gaps_closed: tuple[Gap, ...]
    gaps_changed: tuple[GapChange, ...]
    needs: tuple[Need, ...]
    phases: tuple[Phase, ...]
    names: dict[str, str] = Field(default_factory=dict)
    """Each party's and person's display name by id (`internal`: the organization's name)."""
    function_titles: dict[str, str] = Field(default_factory=dict)
    """Each function's display name by id."""
    framework_titles: dict[str, str] = Field(default_factory=dict)
    """Each framework's title by id."""
