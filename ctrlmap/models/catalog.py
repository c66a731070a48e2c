"""Catalogs, controls, the function taxonomy and operating models: the data ctrlmap ships."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, StrictInt, field_validator, model_validator

from ctrlmap.errors import shown
from ctrlmap.models.base import (
    NAME_MAX,
    Date,
    DefaultOwner,
    Flag,
    Kind,
    Level,
    Name,
    NydfsStatus,
    PartyKind,
    Prose,
    Role,
    Sector,
    Strict,
    as_tuple,
    join_names,
)

REGULATORY_CATALOGS = (
    "hipaa-security",
    "hipaa-breach",
    "glba-safeguards",
    "nydfs-500",
    "pci-dss-4",
    "aba-model-rules",
    "sec-reg-s-p",
    "ncua-748",
    "ma-201-cmr-17",
)
"""The built-in regulatory catalogs (the CSF hub aside), in the order the README lists them."""

NYDFS_STATUSES: tuple[str, ...] = get_args(NydfsStatus)
"""The values of the `nydfs` fact: the entity's tier, or the 23 NYCRR 500.19 exemption it claims
(limited-exemption (a), exempt-parent-program (b), exempt-no-systems (c), exempt-captive-insurer
(d), exempt-inactive-broker (e), exempt-listed-person (g))."""

SECTOR_FRAMEWORKS: dict[Sector, tuple[str, ...]] = {
    "healthcare": ("hipaa-security", "hipaa-breach", "pci-dss-4", "ma-201-cmr-17"),
    "financial": (
        "glba-safeguards",
        "nydfs-500",
        "sec-reg-s-p",
        "ncua-748",
        "pci-dss-4",
        "ma-201-cmr-17",
    ),
    "legal": ("aba-model-rules", "pci-dss-4", "ma-201-cmr-17"),
    "other": ("pci-dss-4", "ma-201-cmr-17"),
}
"""The frameworks to consider for an organization of each sector: the sector's own, then the two
that follow facts rather than the sector (PCI DSS for card payments, 201 CMR 17.00 for
Massachusetts residents' personal information). A suggestion, never a profile's scope."""

CONSIDER_WHEN: dict[str, str] = {
    "nydfs-500": "a New York licensee",
    "sec-reg-s-p": "an SEC registrant",
    "ncua-748": "a federally insured credit union",
    "pci-dss-4": "if it takes or handles payment cards",
    "ma-201-cmr-17": "if it holds personal information about Massachusetts residents",
}
"""When a suggested framework applies, for the suggestions that depend on more than the sector
(the README's table of suggested frameworks says the same)."""

FACTS: dict[str, tuple[str | bool, ...]] = {
    "hipaa": ("covered-entity", "business-associate"),
    "hipaa-clearinghouse": (True, False),
    "hipaa-group-health-plan": (True, False),
    "pci": ("merchant", "service-provider"),
    "pci-issuer": (True, False),
    "pci-customized-approach": (True, False),
    "pci-multi-tenant": (True, False),
    "pci-designated-entity": (True, False),
    "pci-early-tls-poi": (True, False),
    "nydfs": NYDFS_STATUSES,
    "glba-small-institution": (True, False),
    "sec-entity-size": ("larger", "smaller"),
    "ncua-charter": ("federal", "state"),
    "ma-pi-electronic": (True, False),
    "outsourced": (
        "security-official",
        "qualified-individual",
        "ciso",
        "pci-executive",
        "supervising-lawyer",
        "ma-wisp-coordinator",
    ),
}
"""The facts an `applies_if` may name, with their possible values."""

FACT_LABELS: dict[str, str] = {
    "hipaa": "HIPAA role",
    "hipaa-clearinghouse": "Health care clearinghouse",
    "hipaa-group-health-plan": "Sponsors a group health plan",
    "pci": "PCI DSS role",
    "pci-saq": "PCI DSS self-assessment questionnaire",
    "pci-issuer": "Card issuer or issuing services",
    "pci-customized-approach": "PCI DSS customized approach used",
    "pci-multi-tenant": "Multi-tenant service provider",
    "pci-designated-entity": "Designated for supplemental validation",
    "pci-early-tls-poi": "Terminals on SSL or early TLS",
    "nydfs": "NYDFS Part 500 status",
    "glba-small-institution": "Fewer than 5,000 consumers (GLBA 314.6)",
    "sec-entity-size": "SEC Regulation S-P tier",
    "ncua-charter": "Credit union charter",
    "ma-pi-electronic": "Massachusetts personal information held electronically",
    "outsourced": "Roles filled by a provider",
}
"""An applicability fact as a table labels it, for the reader of a report."""

FACT_STATEMENTS: dict[str, str] = {
    "hipaa-clearinghouse": "the organization is a health care clearinghouse",
    "hipaa-group-health-plan": "the organization sponsors a group health plan",
    "pci-issuer": "the organization is a card issuer or supports issuing services",
    "pci-customized-approach": "the organization meets a requirement with the customized approach",
    "pci-multi-tenant": "the organization is a multi-tenant service provider",
    "pci-designated-entity": "the organization was designated for supplemental validation",
    "pci-early-tls-poi": "card-present terminals connect over SSL or early TLS",
    "glba-small-institution": "the institution holds customer information on fewer than 5,000 consumers",
    "ma-pi-electronic": "Massachusetts residents' personal information is stored or sent electronically",
}
"""A yes-or-no applicability fact as the statement it makes, read mid-sentence."""

FACT_VALUES: dict[str, str] = {
    "covered-entity": "a covered entity",
    "business-associate": "a business associate",
    "merchant": "a merchant",
    "service-provider": "a service provider",
    "standard": "standard",
    "class-a": "Class A",
    "limited-exemption": "the limited exemption of 500.19(a)",
    "exempt-parent-program": "the exemption of 500.19(b) (another covered entity's program)",
    "exempt-no-systems": "the exemption of 500.19(c) (no information systems)",
    "exempt-captive-insurer": "the exemption of 500.19(d) (captive insurer)",
    "exempt-inactive-broker": "the exemption of 500.19(e) (inactive broker)",
    "exempt-listed-person": "the exemption of 500.19(g) (persons outside Part 500)",
}
"""The values of the choice facts in words."""


def fact_label(fact: str) -> str:
    """An applicability fact's label: `HIPAA role`, not `hipaa`."""
    return FACT_LABELS.get(fact, fact)


def fact_value(fact: str, value: str | bool) -> str:
    """One value of a fact in words: `a covered entity`, `yes`, `SAQ B-IP`, a role's title."""
    if isinstance(value, bool) or value in ("true", "false"):
        return "yes" if value in (True, "true") else "no"
    if fact == "outsourced" and value in ROLES:
        return ROLES[value].title
    if fact == "pci-saq":
        return "none (every requirement)" if value == "none" else f"SAQ {value}"
    return FACT_VALUES.get(value, value)


def applies_when(fact: str, wanted: Iterable[str | bool], found: Iterable[str | bool]) -> str:
    """Why a control does not apply, in words: `it applies only to a business associate under
    HIPAA (the organization is a covered entity)`."""
    wanted, found = tuple(wanted), tuple(found)
    statement = FACT_STATEMENTS.get(fact)
    if statement is not None and set(wanted) <= {True, False}:
        if True in wanted:
            return f"it applies only when {statement}, and the profile says otherwise"
        return f"it does not apply when {statement}, as the profile says"
    values = join_names((fact_value(fact, v) for v in wanted), "or")
    if fact == "outsourced":
        held = join_names(fact_value(fact, v) for v in found)
        return f"it applies only when a provider fills the role of {values} (" + (
            f"a provider fills only that of {held})" if held else "no role is filled by a provider)"
        )
    have = join_names(fact_value(fact, v) for v in found) or "none"
    label = fact_label(fact)
    if label[1:2].islower():
        label = label[:1].lower() + label[1:]
    return f"it applies only when the {label} is {values} (the profile: {have})"


_ID = re.compile(r'^[^\s:"\\\x00-\x1f]+$')
_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


class FunctionDef(Strict):
    """One unit of IT or security work in the taxonomy."""

    title: Name
    description: Prose
    continuous: Flag = False
    """Must be covered around the clock (security monitoring, incident response)."""
    on_site: Flag = False
    """Done on the premises (physical security, on-site support)."""
    service: Name | None = None
    """The service it changes hands with in a transition plan, as a phrase read mid-sentence
    ("infrastructure"): one cut-over moves a service's functions together. None: its own title."""


class Taxonomy(Strict):
    """The function taxonomy file: function id to its definition."""

    functions: dict[
        Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=NAME_MAX)], FunctionDef
    ]


class Dependency(Strict):
    """A prerequisite of a control, with whether the regulation says so or we infer it."""

    control: Name
    """A control id of the same catalog, or a global key `<catalog>:<control>`."""
    basis: Literal["text", "inferred"] = "text"
    reason: Prose | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"control": value} if isinstance(value, str) else value


class SkippedDependency(Strict):
    """A dependency the research names that the catalog does not encode, and why."""

    ref: Prose | None = None
    prerequisite: Prose | None = None
    dependent: Prose | None = None
    reason: Prose


class Control(Strict):
    """One unit of a regulation: a standard, specification, requirement or piece of guidance."""

    id: Annotated[str, Field(pattern=_ID.pattern, max_length=NAME_MAX)]
    title: Name
    summary: Prose
    citation: Name
    kind: Kind
    level: Level
    functions: tuple[Name, ...] = ()
    """At least one in a regulatory catalog (checked at load); none in the mapping hub."""
    parent: Name | None = None
    depends_on: tuple[Dependency, ...] = ()
    maps_to: tuple[Name, ...] = ()
    applies_if: dict[Name, tuple[Name | Flag, ...]] | None = None
    review_days: Annotated[StrictInt, Field(gt=0)] | None = None
    designation: Role | None = None
    duty_of: Role | None = None
    """A designated role whose holder performs this control (the CISO's report, 500.4(b))."""
    accountability: Literal["non-delegable"] | None = None
    accountability_basis: Prose | None = None
    oversight: Flag = False
    independence: Literal["required"] | None = None
    status: Literal["active", "proposed", "external"] = "active"
    """`proposed`: a proposed rule, left out unless asked for; `external`: a control outside an
    imported selection that a selected control depends on, shown in the graph, never assigned."""
    effective: Date | None = None
    """The date the duty takes effect (a phased-in rule); before it the control is not applicable."""
    heading: Flag = False
    """A unit that only groups the units under it (PCI DSS's principal requirements): assigned and
    shown, but it carries no duty of its own, so no gap rule or evidence rule reads it."""
    notice_hours: Annotated[StrictInt, Field(gt=0)] | None = None
    """A notification deadline counted in hours (NYDFS 500.17(a): 72), whose clock runs at night too."""
    annual_due: Name | None = None
    """A fixed yearly due date, `MM-DD` (NYDFS 500.17(b): April 15)."""
    note: Prose | None = None

    def selected(self, include_proposed: bool = False) -> bool:
        """Whether the control is assessed: active ones, and proposed ones when asked for."""
        return self.status == "active" or (include_proposed and self.status == "proposed")

    @field_validator("functions", "maps_to", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return as_tuple(value)

    @field_validator("applies_if", mode="before")
    @classmethod
    def _listify_facts(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: as_tuple(v) for k, v in value.items()}
        return value

    @field_validator("applies_if")
    @classmethod
    def _known_facts(
        cls, value: dict[str, tuple[str | bool, ...]] | None
    ) -> dict[str, tuple[str | bool, ...]] | None:
        for fact, values in (value or {}).items():
            allowed = FACTS.get(fact)
            if allowed is None:
                close = difflib.get_close_matches(fact, FACTS, n=1, cutoff=0.7)
                raise ValueError(
                    f"unknown fact {shown(fact)}; "
                    + (
                        f"did you mean {shown(close[0])}?"
                        if close
                        else f"use one of {', '.join(FACTS)}"
                    )
                )
            if not values:
                raise ValueError(
                    f"{fact}: list at least one value (an empty list would never apply)"
                )
            wrong = [v for v in values if v not in allowed or type(v) is not type(allowed[0])]
            if wrong:
                choices = ", ".join(str(a).lower() for a in allowed)
                raise ValueError(f"{fact}: {shown(wrong[0])} is not one of {choices}")
        return value

    @field_validator("annual_due")
    @classmethod
    def _month_day(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            if not _MONTH_DAY.match(value):
                raise ValueError
            dt.date(2000, int(value[:2]), int(value[3:]))  # a leap year, so 02-29 is a real day
        except ValueError:
            raise ValueError("write the yearly due date as a real 'MM-DD', quoted") from None
        return value

    @model_validator(mode="after")
    def _basis_with_accountability(self) -> Control:
        if self.accountability == "non-delegable" and not self.accountability_basis:
            raise ValueError("a non-delegable control needs accountability_basis (the citation)")
        return self


class Catalog(Strict):
    """A framework's controls, as shipped in `frameworks/<id>.yaml` or given with --catalog."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=NAME_MAX)]
    title: Name
    version: Prose
    sector: Sector = "other"
    source: Prose | None = None
    license_note: Prose | None = None
    maps_to_basis: Prose | None = None
    hub: Flag = False
    """Mapping data only (the NIST CSF hub): never assigned, never in a profile's frameworks."""
    skipped_dependencies: tuple[SkippedDependency, ...] = ()
    controls: tuple[Control, ...] = Field(min_length=1)


class FunctionDefault(Strict):
    """A model's default for one function: who does it, who answers for it, and why."""

    owner: DefaultOwner
    accountable: PartyKind
    consulted: tuple[PartyKind, ...] = ()
    informed: tuple[PartyKind, ...] = ()
    rationale: Prose

    @field_validator("consulted", "informed", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return as_tuple(value)


class OperatingModel(Strict):
    """An operating model: a default owner and Accountable party for every function."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=NAME_MAX)]
    title: Name
    description: Prose | None = None
    functions: dict[Name, FunctionDefault]


class RoleRule(Strict):
    """What the law says about a designated role."""

    title: Name
    required_by: Name
    provider_may_hold: Flag
    overseer_required: Flag
    citation: Name
    required: Flag = True
    """False: the law requires the duty, not a named holder, so designating one is recommended."""


ROLES: dict[Role, RoleRule] = {
    "security-official": RoleRule(
        title="HIPAA security official",
        required_by="hipaa-security",
        provider_may_hold=True,
        overseer_required=False,
        citation="45 CFR 164.308(a)(2)",
    ),
    "qualified-individual": RoleRule(
        title="GLBA Qualified Individual",
        required_by="glba-safeguards",
        provider_may_hold=True,
        overseer_required=True,
        citation="16 CFR 314.4(a), (a)(2)",
    ),
    "ciso": RoleRule(
        title="NYDFS Chief Information Security Officer",
        required_by="nydfs-500",
        provider_may_hold=True,
        overseer_required=True,
        citation="23 NYCRR 500.4(a), (a)(2)",
    ),
    "pci-executive": RoleRule(
        title="PCI DSS executive responsible for information security",
        required_by="pci-dss-4",
        provider_may_hold=False,
        overseer_required=False,
        citation="PCI DSS v4.0.1 12.1.4",
    ),
    "supervising-lawyer": RoleRule(
        title="Supervising lawyer",
        required_by="aba-model-rules",
        provider_may_hold=False,
        overseer_required=False,
        citation="ABA Model Rules 5.1 and 5.3",
        required=False,
    ),
    "ma-wisp-coordinator": RoleRule(
        title="Massachusetts WISP coordinator (employee designated to maintain the program)",
        required_by="ma-201-cmr-17",
        provider_may_hold=False,
        overseer_required=False,
        citation="201 CMR 17.03(2)(a)",
    ),
}
"""The designated roles and the rules behind them (DESIGN.md, "Designated roles")."""


class SaqEntry(Strict):
    """One PCI DSS self-assessment questionnaire: the requirements its Section 2 asks."""

    title: Prose
    applies_to: Literal["merchant", "service-provider"]
    document: Prose
    section: Prose
    list_found_in: Prose
    cross_checks: tuple[Prose, ...] = ()
    count: int | None = None
    count_basis: Prose | None = None
    requirements: tuple[Name, ...] | None = None
    requirements_not_in_catalog: tuple[Name, ...] = ()
    whole_standard: Flag = False
    """SAQ D: every requirement the other facts leave in scope, so no list."""
    excluded_rows: dict[Name, Prose] = Field(default_factory=dict)
    general_notes: tuple[Prose, ...] = ()
    notes: dict[Name, Prose] = Field(default_factory=dict)


class SaqPending(Strict):
    """An SAQ whose requirement list could not be confirmed from a public source."""

    reason: Prose
    source_checked: Prose | None = None
    ids_seen_in_source: tuple[Name, ...] = ()
    ids_seen_in_source_count: int | None = None
    independent_count: int | Name | None = None


class SaqData(Strict):
    """`frameworks/saq/pci-saq.yaml`: which requirements each PCI DSS SAQ selects."""

    version: Name
    catalog: Name
    source: Prose
    license_note: Prose
    conventions: dict[Name, Prose]
    saqs: dict[Name, SaqEntry]
    not_confirmed: dict[Name, SaqPending]

    def entry(self, saq: str, roles: Iterable[str]) -> SaqEntry | None:
        """The questionnaire filed as `saq` by an entity with these PCI roles (D has two forms)."""
        if saq != "D":
            return self.saqs.get(saq)
        form = "D-Service-Provider" if "service-provider" in roles else "D-Merchant"
        return self.saqs.get(form)
