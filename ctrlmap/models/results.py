"""What ctrlmap produces: assignments with their basis, gaps, and the assessment around them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ctrlmap.models.base import Date, DefaultOwner, Flag, Level, Owner, Role, Severity, Strict

Step = Literal[
    "applicability",
    "override",
    "model",
    "provider",
    "independence",
    "non-delegable",
    "designation",
    "accountable-person",
    "scope",
    "coverage",
    "departure",
    "duty",
    "result",
]


ShareSource = Literal[
    "model", "override", "designation", "independent-assessor", "coverage", "duty"
]
"""Where a share came from: the profile's coverage (people's functions, agreements, splits), the
model's default (nobody covers the function), an override, a designated role or its duties, or an
independent assessor."""


class BasisStep(Strict):
    """One step of the chain that produced an assignment, in words an auditor accepts."""

    step: Step
    text: str
    citation: str | None = None


class Share(Strict):
    """Who is Responsible for one function's share of a control (or for its designated role)."""

    function: str | None
    """The function, or None for the share a designated role holder takes."""
    owner: DefaultOwner
    """Who the model (or an override) says does this share."""
    parties: tuple[str, ...]
    """The Responsible parties found for it: `internal` and/or provider ids; empty when nobody."""
    source: ShareSource
    contracted: Flag = True
    """False when a provider holds it without its agreement covering the function."""
    model_owner: DefaultOwner | None = None
    """What the model's default gives this function, when coverage decided otherwise (a departure)."""


class Raci(Strict):
    """Responsible, Accountable (with its named person when internal), Consulted, Informed."""

    responsible: tuple[str, ...]
    accountable: str | None
    accountable_person: str | None
    consulted: tuple[str, ...]
    informed: tuple[str, ...]


class Assignment(Strict):
    """Who does one control and who answers for it, with the basis for each."""

    control: str
    framework: str
    title: str
    level: Level
    applicable: Flag
    owner: Owner | None
    raci: Raci | None
    people: tuple[str, ...]
    shares: tuple[Share, ...]
    basis: tuple[BasisStep, ...]
    excluded_by: dict[str, tuple[str | Flag, ...]] | None = None
    """For a not-applicable control: the facts that excluded it, with the values they required."""

    @property
    def responsible(self) -> tuple[str, ...]:
        """The Responsible parties (none for a not-applicable control)."""
        return self.raci.responsible if self.raci else ()

    @property
    def accountable(self) -> str | None:
        """The Accountable party, or None."""
        return self.raci.accountable if self.raci else None


class DesignationEntry(Strict):
    """A designated role: who holds it, who oversees, and whether the frameworks require it."""

    role: Role
    title: str
    citation: str
    required: Flag
    required_by: tuple[str, ...]
    holder: str | None
    holder_name: str | None
    holder_party: str | None
    overseer: str | None
    overseer_name: str | None
    provider_may_hold: Flag
    overseer_required: Flag
    not_applicable: tuple[str, ...] = ()
    """The controls of the frameworks in scope that would require the role but do not apply
    (their basis says why: PCI DSS 12.1.4 is not asked by SAQ B-IP)."""


class AssignResult(Strict):
    """`ctrlmap assign`: one assignment per control of the profile's frameworks."""

    schema_: Literal["ctrlmap/assign@1"] = Field("ctrlmap/assign@1", alias="schema")
    organization: str
    model: str
    frameworks: tuple[str, ...]
    include_proposed: Flag
    assignments: tuple[Assignment, ...]
    designations: dict[str, DesignationEntry]


class HandoffNeed(Strict):
    """One direction of a missing-handoff finding: who hands what to whom, how many times."""

    from_: str = Field(alias="from")
    to: str
    dependencies: int
    flows: tuple[str, ...]
    """The function pairs, `from-function -> to-function`."""
    example: str
    """One dependency, `A depends on B`."""


class Acceptance(Strict):
    """A profile's acceptance of a finding: why, who approved it, and for how long."""

    reason: str
    approved_by: str
    approved_by_name: str
    approved: Date
    expires: Date


class PlanMilestone(Strict):
    """A dated step of a remediation."""

    date: Date
    text: str


FirstSeenBasis = Literal["detected", "baseline", "accepted", "as-of"]
"""How a finding's first-seen date is known: the plan's `detected`, the baseline snapshot's
record (`--baseline`), the approval of an acceptance of it, or this as-of date (no earlier
record)."""


class Gap(Strict):
    """A finding: what falls through the cracks, who is involved, and what to do about it."""

    id: str
    """Stable across runs: from the rule and what the finding is about (README, "Tracking findings")."""
    rule: str
    severity: Severity
    status: Literal["open", "accepted"] = "open"
    """`accepted` while an acceptance in the profile is in force at the as-of date."""
    controls: tuple[str, ...]
    parties: tuple[str, ...]
    people: tuple[str, ...]
    roles: tuple[str, ...]
    message: str
    remediation: str
    citation: str
    functions: tuple[str, ...] = ()
    chain: tuple[str, ...] = ()
    """For a dependency finding: the controls from the root cause down to the one at risk."""
    score: int = 0
    """The severity formula's score (see README, "Severity")."""
    subcategory: str | None = None
    """For crosswalk-conflict: the NIST CSF 2.0 subcategory the controls disagree on."""
    dependencies: int = 0
    """For missing-handoff: how many dependencies cross between the two parties."""
    handoffs: tuple[HandoffNeed, ...] = ()
    """For missing-handoff: each direction that needs a hand-off."""
    acceptance: Acceptance | None = None
    """The acceptance in force (status `accepted`)."""
    acceptance_lapsed: Date | None = None
    """When an acceptance of this finding expired (the finding is open again)."""
    owner: str | None = None
    """Who remediates it: the plan's owner, else the Accountable person of its controls."""
    owner_name: str | None = None
    owner_basis: str | None = None
    """Where the owner comes from: `plan`, `accountable` (its controls' Accountable person), or
    the designated role whose holder answers for the program (e.g. `security-official`)."""
    due: Date | None = None
    """When it must be fixed: the plan's date, else `due_from` plus the policy's days."""
    due_basis: Literal["plan", "policy"] | None = None
    due_from: Date | None = None
    """For a policy due date: the day its days count from, `first_seen`, or the day an
    acceptance lapsed when that is later."""
    first_seen: Date | None = None
    """When the finding was first seen (`first_seen_basis` says how that is known)."""
    first_seen_basis: FirstSeenBasis | None = None
    progress: Literal["open", "in-progress", "done"] = "open"
    """The remediation plan's status (`done` while the finding is still found: marked done,
    still present)."""
    overdue: Flag = False
    detected: Date | None = None
    milestones: tuple[PlanMilestone, ...] = ()
    note: str | None = None


class ProviderMatrix(Strict):
    """One provider's row of the responsibility matrix (PCI DSS 12.8.5, CSA CCM SSRM)."""

    provider: str
    name: str
    agreement: str | None
    independent: Flag
    managed_by_provider: tuple[str, ...]
    managed_by_entity: tuple[str, ...]
    shared: tuple[str, ...]


class ByProviderResult(Strict):
    """`ctrlmap assign --by-provider`: per provider, who manages each control it touches."""

    schema_: Literal["ctrlmap/by-provider@1"] = Field("ctrlmap/by-provider@1", alias="schema")
    organization: str
    model: str
    frameworks: tuple[str, ...]
    providers: tuple[ProviderMatrix, ...]
    entity_only: tuple[str, ...]
    """Controls the organization manages with no provider involved at all."""
    unassigned: tuple[str, ...]


class ExplainResult(Strict):
    """`ctrlmap assign --explain KEY`: one control's basis chain."""

    schema_: Literal["ctrlmap/explain@1"] = Field("ctrlmap/explain@1", alias="schema")
    model: str
    assignment: Assignment
    model_title: str | None = None
    """The model's title, for text (`Co-managed IT`); the id stays in `model`."""
    names: dict[str, str] = Field(default_factory=dict)
    """Each party's and person's display name by id (`internal`: the organization's name), for
    text; the ids stay in `assignment`."""


class GraphNode(Strict):
    """A control in the dependency graph, with its owner (null when not assigned)."""

    id: str
    framework: str
    title: str
    owner: Owner | None
    responsible: tuple[str, ...]
    applicable: Flag
    external: Flag
    level: Level
    weight: int
    """How many controls in scope depend on it, directly or not."""


class GraphEdge(Strict):
    """`from` depends on `to`."""

    from_: str = Field(alias="from")
    to: str
    kind: Literal["parent", "depends_on"]
    basis: Literal["text", "inferred"]
    reason: str
    crosses: Flag
    """True when the two ends have different Responsible parties (a hand-off is needed)."""
    dropped: Flag = False
    """True when the prerequisite does not apply to this organization: the edge counts for
    nothing here (no hand-off, no downstream risk)."""


class GraphResult(Strict):
    """`ctrlmap graph`: the dependency graph of the profile's frameworks."""

    schema_: Literal["ctrlmap/graph@1"] = Field("ctrlmap/graph@1", alias="schema")
    organization: str
    model: str
    frameworks: tuple[str, ...]
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
