"""The organization profile: who the organization is, its people, providers and agreements."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    PrivateAttr,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from ctrlmap.models.base import (
    NAME_MAX,
    TEXT_MAX,
    Date,
    DefaultOwner,
    Flag,
    Name,
    NydfsStatus,
    Prose,
    Role,
    Sector,
    Strict,
    as_tuple,
)

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=NAME_MAX)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX)]
"""A name that must say something: surrounding blanks are dropped, and nothing left is an error."""
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX)]
"""Free text that must say something (a reason, a part of a split, an agreement)."""


class Organization(Strict):
    """The organization assessed."""

    name: Title
    sector: Sector = "other"


PciSaq = Literal["A", "A-EP", "B", "B-IP", "C", "C-VT", "P2PE", "SPoC", "D"]
"""The PCI DSS v4.0.1 self-assessment questionnaires."""


class Applicability(Strict):
    """Facts that decide which controls apply; an omitted fact takes its default."""

    hipaa: tuple[Literal["covered-entity", "business-associate"], ...] = Field(
        ("covered-entity",), min_length=1
    )
    hipaa_clearinghouse: Flag = Field(False, alias="hipaa-clearinghouse")
    hipaa_group_health_plan: Flag = Field(False, alias="hipaa-group-health-plan")
    pci: tuple[Literal["merchant", "service-provider"], ...] = Field(("merchant",), min_length=1)
    pci_issuer: Flag = Field(False, alias="pci-issuer")
    """An issuer, or a company supporting issuing services (PCI DSS 3.3.3)."""
    pci_customized_approach: Flag = Field(False, alias="pci-customized-approach")
    """Meets at least one requirement with the customized approach (PCI DSS 12.3.2)."""
    pci_multi_tenant: Flag = Field(False, alias="pci-multi-tenant")
    """A multi-tenant service provider (PCI DSS Appendix A1, 11.4.7)."""
    pci_designated_entity: Flag = Field(False, alias="pci-designated-entity")
    """Designated by a payment brand or acquirer for supplemental validation (Appendix A3)."""
    pci_early_tls_poi: Flag = Field(False, alias="pci-early-tls-poi")
    """Card-present POS POI terminals connect over SSL or early TLS (Appendix A2)."""
    pci_saq: PciSaq | None = Field(None, alias="pci-saq")
    """The PCI DSS self-assessment questionnaire the entity files: only its requirements apply."""
    nydfs: NydfsStatus = "standard"
    """The tier, or the 23 NYCRR 500.19 exemption claimed (the values of catalog.NYDFS_STATUSES)."""
    glba_small_institution: Flag = Field(False, alias="glba-small-institution")
    sec_entity_size: Literal["larger", "smaller"] = Field("larger", alias="sec-entity-size")
    """SEC Regulation S-P compliance tier of the 2024 amendments (larger: December 3, 2025)."""
    ncua_charter: Literal["federal", "state"] = Field("federal", alias="ncua-charter")
    """A federally insured credit union's charter: a Federal or a state-chartered credit union."""
    ma_pi_electronic: Flag = Field(True, alias="ma-pi-electronic")
    """Massachusetts residents' personal information is stored or sent electronically (201 CMR 17.04)."""

    @field_validator("hipaa", "pci", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return as_tuple(value)

    def facts(self) -> dict[str, tuple[str | bool, ...]]:
        """Every fact as a tuple of values, keyed by its public (hyphenated) name."""
        return {
            "hipaa": self.hipaa,
            "hipaa-clearinghouse": (self.hipaa_clearinghouse,),
            "hipaa-group-health-plan": (self.hipaa_group_health_plan,),
            "pci": self.pci,
            "pci-issuer": (self.pci_issuer,),
            "pci-customized-approach": (self.pci_customized_approach,),
            "pci-multi-tenant": (self.pci_multi_tenant,),
            "pci-designated-entity": (self.pci_designated_entity,),
            "pci-early-tls-poi": (self.pci_early_tls_poi,),
            "nydfs": (self.nydfs,),
            "glba-small-institution": (self.glba_small_institution,),
            "sec-entity-size": (self.sec_entity_size,),
            "ncua-charter": (self.ncua_charter,),
            "ma-pi-electronic": (self.ma_pi_electronic,),
            **({"pci-saq": (self.pci_saq,)} if self.pci_saq else {}),
        }

    def defaults_assumed(self) -> list[str]:
        """The public names of the facts the profile left out (their defaults were assumed)."""
        fields = type(self).model_fields
        given = {fields[name].alias or name for name in self.model_fields_set}
        return [fact for fact in self.facts() if fact not in given]


class Person(Strict):
    """One of the organization's own people."""

    id: Id
    name: Title
    role: Name | None = None
    functions: tuple[Name, ...] = ()
    after_hours: Flag = False
    """Reachable and working outside business hours."""
    backup: Name | None = None
    """A person or provider id that stands in when this person is away."""

    @field_validator("functions", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return as_tuple(value)


class Designation(Strict):
    """Who fills a designated role, and the internal senior overseer when a provider fills it."""

    holder: Id
    overseer: Id | None = None


class Provider(Strict):
    """An outside party: a managed-IT partner, a security provider or an outside assessor."""

    id: Id
    name: Title
    agreement: Prose | None = None
    url: Prose | None = None
    functions: tuple[Name, ...] = ()
    after_hours: Flag = False
    on_site: Flag = False
    baa: Flag = False
    """A HIPAA business associate agreement is signed."""
    pci_acknowledgement: Flag = False
    """The PCI DSS 12.8.2 written acknowledgement of responsibility is signed."""
    last_reviewed: Date | None = None
    independent: Flag = False
    """An outside assessor that runs no operational controls."""
    frameworks: tuple[Name, ...] | None = None
    """The frameworks its agreement covers (omitted: every framework of the profile)."""
    baa_expires: Date | None = None
    """When the HIPAA business associate agreement lapses."""
    safeguards_terms: Flag | None = None
    """The agreement carries the safeguards terms GLBA 314.4(f)(2) and NYDFS 500.11(b) require
    (omitted: not known, and reported as such)."""

    @field_validator("frameworks", mode="before")
    @classmethod
    def _listify_frameworks(cls, value: Any) -> Any:
        return as_tuple(value)

    @field_validator("frameworks")
    @classmethod
    def _some_frameworks_once(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None and not value:
            raise ValueError(
                "list at least one framework, or leave frameworks out to cover all of the "
                "profile's frameworks"
            )
        if value is not None and len(set(value)) != len(value):
            raise ValueError("a framework is listed twice; list each once")
        return value

    def serves(self, framework: str) -> bool:
        """Whether its agreement covers work of this framework."""
        return self.frameworks is None or framework in self.frameworks

    @field_validator("functions", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return as_tuple(value)


class Override(Strict):
    """A deliberate departure from the model for one control; `reason` is mandatory."""

    control: Name
    owner: DefaultOwner | None = None
    provider: Id | None = None
    accountable: Name | None = None
    """A party (`internal` or a provider id), or null for nobody, on purpose."""
    responsible: tuple[Name, ...] | None = None
    """The Responsible parties; an empty list means nobody, on purpose (like accountable: null)."""
    consulted: tuple[Name, ...] | None = None
    informed: tuple[Name, ...] | None = None
    reason: Text
    reference: Prose | None = None

    @field_validator("responsible", "consulted", "informed", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return as_tuple(value)

    @model_validator(mode="after")
    def _owner_matches_responsible(self) -> Override:
        if self.owner is not None and self.responsible == ():
            raise ValueError(
                f"responsible: [] means nobody does it, which contradicts owner {self.owner}; drop one"
            )
        if self.owner is not None and self.responsible is not None:
            internal = "internal" in self.responsible
            outside = any(p != "internal" for p in self.responsible)
            implied = "shared" if internal and outside else "internal" if internal else "provider"
            if implied != self.owner:
                raise ValueError(
                    f"owner {self.owner} contradicts responsible {list(self.responsible)} (that is "
                    f"{implied}); give one of them, or make them agree"
                )
        return self

    @property
    def sets_accountable(self) -> bool:
        """Whether the override says who is Accountable (possibly nobody)."""
        return "accountable" in self.model_fields_set


class ScopeExclusion(Strict):
    """A control taken out of scope, with everything under it; `reason` is mandatory."""

    control: Name
    reason: Text
    reference: Prose | None = None


class Split(Strict):
    """How the work of a shared function is divided between the organization and a provider."""

    function: Name
    provider: Id | None = None
    internal_part: Text | None = None
    """What the organization does (omitted: nothing; a split between providers names each one's part)."""
    provider_part: Text
    agreement: Prose | None = None


class Handoff(Strict):
    """A documented interface where one party's work feeds another's."""

    from_: Name = Field(alias="from")
    """The party whose work is depended on."""
    to: Name
    """The party that depends on it."""
    from_function: Name | None = None
    to_function: Name | None = None
    agreement: Text


class Evidence(Strict):
    """A piece of evidence for a control, and when it was last reviewed."""

    control: Name
    reference: Text
    reviewed: Date
    decision: Literal["implemented", "alternative", "not-reasonable"] | None = None
    """For a HIPAA addressable specification: the 164.306(d)(3) decision."""
    note: Prose | None = None


FINDING_ID_PATTERN = r"^GAP-[0-9A-HJKMNP-TV-Z]{6}$"
"""A finding id: `GAP-` and six Crockford base-32 characters (no I, L, O or U)."""


def _finding_id(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


FindingId = Annotated[
    str, BeforeValidator(_finding_id), Field(pattern=FINDING_ID_PATTERN, max_length=NAME_MAX)
]
"""A finding id as typed in a profile: case and surrounding blanks do not matter."""


class AcceptedRisk(Strict):
    """A finding the organization knowingly accepts, until a date, on a named person's approval."""

    finding: FindingId
    reason: Text
    approved_by: Id
    """An internal person: accepting a risk is the organization's decision, not a provider's."""
    approved: Date
    expires: Date
    """Mandatory, and after `approved`: an acceptance is for a period, then decided again."""


class Milestone(Strict):
    """A dated step of a remediation."""

    date: Date
    text: Text


RemediationStatus = Literal["open", "in-progress", "done"]


class RemediationItem(Strict):
    """The plan for one finding: who fixes it, by when, and how far it has come."""

    finding: FindingId
    owner: Id | None = None
    """A person or provider id (omitted: the finding's Accountable person)."""
    due: Date | None = None
    """Omitted: the as-of date plus the remediation policy's days for the finding's severity."""
    status: RemediationStatus = "open"
    detected: Date | None = None
    milestones: tuple[Milestone, ...] = ()
    note: Text | None = None


class RemediationPolicy(Strict):
    """Days from the as-of date to fix a finding with no planned due date, by severity."""

    critical: Annotated[StrictInt, Field(gt=0)] = 30
    high: Annotated[StrictInt, Field(gt=0)] = 90
    medium: Annotated[StrictInt, Field(gt=0)] = 180
    low: Annotated[StrictInt, Field(gt=0)] = 365


LIST_SECTIONS = (
    "internal",
    "providers",
    "overrides",
    "splits",
    "handoffs",
    "evidence",
    "scope_exclusions",
    "accepted_risks",
    "remediation",
)
"""The profile's sections that are lists of entries (an omitted or null one is empty)."""


class Profile(Strict):
    """An organization profile, as kept in git by its compliance officer."""

    organization: Organization
    frameworks: tuple[Name, ...] = Field(min_length=1)
    model: Title
    applicability: Applicability = Applicability()
    review_period_days: Annotated[StrictInt, Field(gt=0)] = 365
    internal: tuple[Person, ...] = ()
    designations: dict[Role, Designation] = Field(default_factory=dict)
    providers: tuple[Provider, ...] = ()
    overrides: tuple[Override, ...] = ()
    splits: tuple[Split, ...] = ()
    handoffs: tuple[Handoff, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    scope_exclusions: tuple[ScopeExclusion, ...] = ()
    accepted_risks: tuple[AcceptedRisk, ...] = ()
    remediation: tuple[RemediationItem, ...] = ()
    remediation_policy: RemediationPolicy = RemediationPolicy()

    @field_validator("frameworks", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return as_tuple(value)

    def party_order(self, parties: Iterable[str]) -> tuple[str, ...]:
        """The given parties once each: `internal` first, then providers in profile order."""
        rank = self._ranks()
        return tuple(sorted({p for p in parties if p in rank}, key=rank.__getitem__))

    _rank: tuple[object, dict[str, int]] | None = PrivateAttr(default=None)

    def _ranks(self) -> dict[str, int]:
        """Each party's place, `internal` first (built once per providers: party_order is called
        for every pair of parties, and a scan of the providers each time was quadratic)."""
        cached = self._rank
        if cached is None or cached[0] is not self.providers:
            ranks = {p: i for i, p in enumerate(("internal", *(x.id for x in self.providers)))}
            cached = self._rank = (self.providers, ranks)
        return cached[1]

    def tracking_entries(self) -> list[tuple[Literal["accepted_risks", "remediation"], int, str]]:
        """Each accepted-risk and remediation entry as (section, index, finding id)."""
        return [("accepted_risks", i, r.finding) for i, r in enumerate(self.accepted_risks)] + [
            ("remediation", i, r.finding) for i, r in enumerate(self.remediation)
        ]

    _names: tuple[object, object, dict[str, str]] | None = PrivateAttr(default=None)

    def name_of(self, ident: str) -> str:
        """The name of a person or provider in prose: `the organization` for `internal`, else the id.

        The id -> name index is built once per people and providers (name_of is called for every
        finding); a `model_copy` that replaces either gets a new index.
        """
        if ident == "internal":
            return "the organization"
        cached = self._names
        if cached is None or cached[0] is not self.internal or cached[1] is not self.providers:
            names = {p.id: p.name for p in self.internal} | {p.id: p.name for p in self.providers}
            cached = self._names = (self.internal, self.providers, names)
        return cached[2].get(ident, ident)

    def party_name(self, party: str) -> str:
        """A party's name in a list or a table: the organization's own name for `internal`."""
        return self.organization.name if party == "internal" else self.name_of(party)

    @field_validator(*LIST_SECTIONS, mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return () if value is None else value

    @field_validator("designations", "applicability", "remediation_policy", mode="before")
    @classmethod
    def _none_is_default(cls, value: Any) -> Any:
        return {} if value is None else value
