"""The export input: one responsibility matrix, and how ctrlmap's owners read in other vocabularies.

`build_export` assigns the profile once and gathers what every renderer in
`ctrlmap.formats.exchange` needs; the renderers only lay it out. The owner is always read from the
organization's side: it is the customer (FedRAMP CRM), the entity (PCI DSS 12.8.5) and the cloud
service customer (CSA CCM); its providers are the service providers, TPSPs and CSPs.

OSCAL (`oscal`): a component definition, one `service` component per party (the organization's
own staff, then each provider in profile order). A control appears under every party Responsible
for it, with that party's part as the description, so a shared control appears twice. The
`control-origination` prop is read from the system that will import the components, the
organization's: its own work is `organization`, a provider's work is `inherited`.

| ctrlmap owner | listed under | control-origination |
|---|---|---|
| internal | the organization's component | organization |
| provider | the provider's component | inherited |
| shared | both components | organization on one, inherited on the other |
| unassigned | the organization's component (it remains answerable) | none; a remark says nobody is Responsible |
| not applicable | left out | — |

`customer-configured` and `customer-provided` describe a provider's own plan seen from its
customers; ctrlmap writes the customer's side, so they are not used. Every implemented
requirement carries the control's RACI as `responsible-roles` (`responsible`, `accountable`,
`consulted`, `informed`, pointing at parties: the organization, each provider, and the named
Accountable person), its ctrlmap owner and global key as props in the `urn:ctrlmap` namespace, and
its basis chain as remarks.

FedRAMP-style customer responsibility matrix (`crm-csv`): one row per applicable control.

| ctrlmap owner | responsibility | what the customer must do |
|---|---|---|
| internal | Customer | "Fully the customer's responsibility:" and its functions |
| provider | Provider | nothing operational (whether it is still Accountable is said) |
| shared | Shared | its part of each function: the split's `internal_part`, else the function |
| unassigned | Not assigned | nobody is Responsible (the `unowned` gap) |

PCI DSS 12.8.5 (`pci-12.8.5`): per provider, each `pci-dss-4` requirement it touches, managed by
`TPSP` (the provider alone), `Entity` (the organization, within the provider's functions) or
`Shared` (both), the matrix `assign --by-provider` prints. Needs `pci-dss-4` in the profile.

CSA CCM shared security responsibility model (`ccm-ssrm`): one row per control in scope. The CSP
of a control is the provider Accountable for it, else its first Responsible provider; any other
Responsible provider is a third party.

| ctrlmap | CCM category |
|---|---|
| internal | CSC-owned |
| provider, one provider | CSP-owned |
| provider, done by a provider other than the Accountable one | Third-party outsourced |
| provider, two or more providers | Shared CSP and third party |
| shared (any number of providers) | Shared CSP and CSC |
| unassigned | Not assigned (no CCM category fits; the `unowned` gap) |
| not applicable | N/A |

The findings' plan of action and milestones (`poam-csv`, `oscal-poam`) reads `gaps`, the
current findings with their tracking; its items are built in `ctrlmap.present.poam`.

Over 500 lines because each exchange vocabulary (OSCAL, CRM, PCI DSS 12.8.5, CSA CCM) needs its own rows.
"""

from __future__ import annotations

import re
import uuid
from typing import Literal

from ctrlmap import __version__
from ctrlmap.assessment.pipeline import Assessment
from ctrlmap.errors import CtrlmapError, InputError
from ctrlmap.load.read import Document
from ctrlmap.models import ROLES, Profile, Split, Strict, split_key
from ctrlmap.models.base import Date, Role
from ctrlmap.models.results import Assignment, AssignResult, ByProviderResult, Gap
from ctrlmap.present.legal import legal_statement
from ctrlmap.present.matrix import by_provider

EXPORT_FORMATS = (
    "oscal",
    "crm-csv",
    "pci-12.8.5",
    "ccm-ssrm",
    "poam-csv",
    "oscal-poam",
    "xlsx",
)
"""The export vocabularies, as the registry names them."""

PCI = "pci-dss-4"
OSCAL_VERSION = "1.1.2"
"""The OSCAL version the export is written against (the constructs it uses are stable since 1.0)."""
CTRLMAP_NS = "urn:ctrlmap"
"""The namespace of ctrlmap's own OSCAL props (owner, global key, tool version)."""
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, CTRLMAP_NS)

CcmCategory = Literal[
    "CSC-owned",
    "CSP-owned",
    "Third-party outsourced",
    "Shared CSP and CSC",
    "Shared CSP and third party",
    "Not assigned",
    "N/A",
]
Origination = Literal["organization", "inherited"]

_TOKEN = re.compile(r"^[_A-Za-z][_A-Za-z0-9.-]*$")
_NOT_TOKEN = re.compile(r"[^_A-Za-z0-9.-]+")


class CatalogInfo(Strict):
    """A catalog in scope, as the export names it."""

    id: str
    title: str
    version: str
    source: str | None
    file: str
    """The file it was read from, as errors name it (its id when the library has no source)."""


class ControlInfo(Strict):
    """The catalog facts about a control that the vocabularies need besides its assignment."""

    citation: str
    designation: Role | None
    non_delegable: bool
    """The law keeps accountability for the control with the organization."""


class ExportInput(Strict):
    """Everything an export renderer reads: the matrix, the profile, the catalogs and the date."""

    profile: Profile
    assignments: AssignResult
    matrix: ByProviderResult
    as_of: Date
    """The day the export speaks for; OSCAL's last-modified is its midnight UTC."""
    tool_version: str
    model_title: str
    catalogs: tuple[CatalogInfo, ...]
    """The profile's frameworks, in its order."""
    controls: dict[str, ControlInfo]
    function_titles: dict[str, str]
    legal_statement: str
    gaps: tuple[Gap, ...]
    """The current findings (open or accepted), in the gap list's order: the POA&M's items."""


def build_export(assessment: Assessment) -> ExportInput:
    """Gather what every export vocabulary needs from an assessment."""
    profile, lib, result = assessment.profile, assessment.library, assessment.assignment
    return ExportInput(
        profile=profile,
        assignments=result,
        matrix=by_provider(result, profile),
        as_of=assessment.as_of,
        tool_version=__version__,
        model_title=lib.model(result.model).title,
        catalogs=tuple(
            CatalogInfo(
                id=fw,
                title=lib.catalogs[fw].title,
                version=lib.catalogs[fw].version,
                source=lib.catalogs[fw].source,
                file=source.name if (source := lib.sources.get(fw)) else fw,
            )
            for fw in result.frameworks
        ),
        controls={
            a.control: ControlInfo(
                citation=lib.controls[a.control].citation,
                designation=lib.controls[a.control].designation,
                non_delegable=lib.controls[a.control].accountability == "non-delegable",
            )
            for a in result.assignments
        },
        function_titles={fid: f.title for fid, f in lib.functions.items()},
        legal_statement=legal_statement(result.frameworks),
        gaps=assessment.gaps.gaps,
    )


def check_export(fmt: str, data: ExportInput, doc: Document | None = None) -> None:
    """Raise CtrlmapError when the profile cannot be exported in `fmt`: PCI DSS 12.8.5 needs
    pci-dss-4, an OSCAL POA&M at least one finding.

    Given the profile's document, the PCI DSS error names its file and the line of its frameworks.
    """
    if fmt not in EXPORT_FORMATS:
        raise CtrlmapError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "pci-12.8.5" and PCI not in data.profile.frameworks:
        message = (
            f"the pci-12.8.5 export lists PCI DSS requirements, but {PCI} is not among the "
            f"profile's frameworks ({', '.join(data.profile.frameworks)}); add it to `frameworks` "
            "or choose another format (crm-csv, ccm-ssrm, oscal)"
        )
        if doc is not None:
            raise InputError([doc.problem(("frameworks",), message)])
        raise CtrlmapError(message)
    if fmt == "oscal-poam" and not data.gaps:
        message = (
            f"{data.profile.organization.name} has no findings at {data.as_of.isoformat()}, and an "
            "OSCAL POA&M needs at least one poam-item; poam-csv writes the header alone"
        )
        if doc is not None:
            raise InputError([doc.problem((), message)])
        raise CtrlmapError(message)


# --- parties and what each one does -------------------------------------------------------------


def party_name(data: ExportInput, party: str) -> str:
    """The display name of `internal` (the organization) or a provider id."""
    return data.profile.party_name(party)


def person_name(data: ExportInput, person: str) -> str:
    """A person's name, or the id when unknown."""
    return data.profile.name_of(person)


def accountable_text(data: ExportInput, a: Assignment) -> str:
    """Who answers for the control, by name: the organization with its person, a provider, or nobody."""
    if a.raci is None or a.raci.accountable is None:
        return "nobody"
    name = party_name(data, a.raci.accountable)
    if a.raci.accountable_person:
        return f"{name} ({person_name(data, a.raci.accountable_person)})"
    return name


def duties(data: ExportInput, a: Assignment) -> dict[str, list[str]]:
    """What each Responsible party does for a control: its part of each function, in party order.

    A function both sides do reads from the profile's documented split when there is one; the
    designated role a party holds is named with the rule behind it.
    """
    out: dict[str, list[str]] = {}
    for share in a.shares:
        providers = [p for p in share.parties if p != "internal"]
        both = "internal" in share.parties and bool(providers)
        for party in share.parties:
            if share.function is None:
                role = data.controls[a.control].designation
                text = (
                    f"holds the designated role {role} ({ROLES[role].title}, {ROLES[role].citation})"
                    if role is not None
                    else "holds the role this control requires"
                )
            else:
                title = data.function_titles.get(share.function, share.function)
                text = title
                if both:
                    split = _split(data, share.function, party, providers)
                    if split is None:
                        text = f"{title} (split not documented)"
                    else:
                        part = split.internal_part if party == "internal" else split.provider_part
                        text = f"{title}: {part}"
            listed = out.setdefault(party, [])
            if text not in listed:
                listed.append(text)
    order = ["internal", *(p.id for p in data.profile.providers)]
    return {p: out[p] for p in order if p in out}


def _split(data: ExportInput, function: str, party: str, providers: list[str]) -> Split | None:
    """The documented split of `function` that concerns `party` (for internal: any provider's)."""
    wanted = providers if party == "internal" else [party]
    for split in data.profile.splits:
        if split.function != function:
            continue
        if split.provider is None or split.provider in wanted:
            return split
    return None


def basis_text(a: Assignment) -> str:
    """The basis chain on one line, the steps separated by ' | '."""
    return " | ".join(step.text for step in a.basis)


# --- FedRAMP-style customer responsibility matrix -----------------------------------------------

CrmResponsibility = Literal["Customer", "Provider", "Shared", "Not assigned"]
CRM_LABELS: dict[str, CrmResponsibility] = {
    "internal": "Customer",
    "provider": "Provider",
    "shared": "Shared",
    "unassigned": "Not assigned",
}


class CrmRow(Strict):
    """One control of the customer responsibility matrix."""

    control: str
    framework: str
    title: str
    citation: str
    responsibility: CrmResponsibility
    providers: tuple[str, ...]
    customer: str
    provider: str
    accountable: str
    non_delegable: bool
    basis: str


def crm_rows(data: ExportInput) -> list[CrmRow]:
    """The customer responsibility matrix: one row per applicable control, in catalog order."""
    rows = []
    for a in data.assignments.assignments:
        if not a.applicable or a.raci is None or a.owner is None:
            continue
        done = duties(data, a)
        providers = [p for p in done if p != "internal"]
        mine = "; ".join(done.get("internal", ()))
        if a.owner == "internal":
            customer = f"Fully the customer's responsibility: {mine}"
        elif a.owner == "provider":
            customer = (
                "Nothing operational; the customer is Accountable for the result"
                if a.raci.accountable == "internal"
                else "Nothing operational"
            )
        elif a.owner == "shared":
            customer = mine
        else:
            customer = (
                "Nobody is Responsible: assign the control (ctrlmap gaps reports it as unowned)"
            )
        theirs = [
            ("" if len(providers) == 1 else f"{party_name(data, p)}: ") + "; ".join(done[p])
            for p in providers
        ]
        rows.append(
            CrmRow(
                control=a.control,
                framework=a.framework,
                title=a.title,
                citation=data.controls[a.control].citation,
                responsibility=CRM_LABELS[a.owner],
                providers=tuple(party_name(data, p) for p in providers),
                customer=customer,
                provider=" / ".join(theirs),
                accountable=accountable_text(data, a),
                non_delegable=data.controls[a.control].non_delegable,
                basis=basis_text(a),
            )
        )
    return rows


# --- PCI DSS 12.8.5 -------------------------------------------------------------------------------

PciManagedBy = Literal["TPSP", "Entity", "Shared"]


class PciRow(Strict):
    """One PCI DSS requirement of one third-party service provider's list."""

    provider: str
    provider_name: str
    agreement: str | None
    acknowledgement: bool
    """The provider signed the PCI DSS 12.8.2 written acknowledgment."""
    requirement: str
    title: str
    managed_by: PciManagedBy
    notes: str


def pci_rows(data: ExportInput) -> list[PciRow]:
    """Per provider, the PCI DSS requirements it manages, the entity manages, and shared (12.8.5)."""
    check_export("pci-12.8.5", data)
    by_key = {a.control: a for a in data.assignments.assignments}
    acknowledged = {p.id: p.pci_acknowledgement for p in data.profile.providers}
    order = {a.control: i for i, a in enumerate(data.assignments.assignments)}
    rows = []
    for p in data.matrix.providers:
        listed: list[tuple[str, PciManagedBy]] = [
            *((k, "TPSP") for k in p.managed_by_provider),
            *((k, "Entity") for k in p.managed_by_entity),
            *((k, "Shared") for k in p.shared),
        ]
        for key, managed_by in sorted(listed, key=lambda item: order[item[0]]):
            if split_key(key)[0] != PCI:
                continue
            a = by_key[key]
            done = duties(data, a)
            if managed_by == "TPSP":
                notes = "; ".join(done.get(p.provider, ()))
            elif managed_by == "Entity":
                notes = "; ".join(done.get("internal", ()))
            else:
                notes = (
                    f"TPSP: {'; '.join(done.get(p.provider, ()))}. "
                    f"Entity: {'; '.join(done.get('internal', ())) or 'answers for the result'}."
                )
            rows.append(
                PciRow(
                    provider=p.provider,
                    provider_name=p.name,
                    agreement=p.agreement,
                    acknowledgement=acknowledged.get(p.provider, False),
                    requirement=split_key(key)[1],
                    title=a.title,
                    managed_by=managed_by,
                    notes=notes,
                )
            )
    return rows


# --- CSA CCM shared security responsibility model -----------------------------------------------


class CcmRow(Strict):
    """One control with its CCM SSRM ownership category."""

    control: str
    framework: str
    title: str
    category: CcmCategory
    csp: str | None
    third_parties: tuple[str, ...]
    csc: str
    """What the cloud service customer (the organization) does."""
    csp_part: str
    """What the CSP and any third party do."""
    accountable: str


def ccm_category(a: Assignment) -> tuple[CcmCategory, str | None, tuple[str, ...]]:
    """The CCM category of one control, its CSP and its third parties (provider ids)."""
    if not a.applicable or a.raci is None:
        return "N/A", None, ()
    providers = [p for p in a.raci.responsible if p != "internal"]
    accountable = a.raci.accountable
    if accountable is not None and accountable != "internal":
        csp = accountable
    elif providers:
        csp = providers[0]
    else:
        csp = None
    third = tuple(p for p in providers if p != csp)
    if a.owner == "internal":
        return "CSC-owned", None, ()
    if a.owner == "unassigned":
        return "Not assigned", None, ()
    if a.owner == "shared":
        return "Shared CSP and CSC", csp, third
    if csp is not None and csp not in providers:
        # The Accountable provider does none of the work: it outsourced it and stays accountable.
        return "Third-party outsourced", csp, third
    if third:
        return "Shared CSP and third party", csp, third
    return "CSP-owned", csp, ()


def ccm_rows(data: ExportInput) -> list[CcmRow]:
    """Every control in scope with its CCM SSRM category, in catalog order."""
    rows = []
    for a in data.assignments.assignments:
        category, csp, third = ccm_category(a)
        done = duties(data, a)
        if category == "N/A":
            csc = basis_text(a)
        elif category == "Not assigned":
            csc = "Nobody is Responsible: assign the control (ctrlmap gaps reports it as unowned)"
        else:
            csc = "; ".join(done.get("internal", ())) or "Nothing operational"
        parts = [
            f"{party_name(data, p)}: {'; '.join(done[p])}"
            for p in ([csp] if csp else []) + list(third)
            if p in done
        ]
        rows.append(
            CcmRow(
                control=a.control,
                framework=a.framework,
                title=a.title,
                category=category,
                csp=party_name(data, csp) if csp else None,
                third_parties=tuple(party_name(data, p) for p in third),
                csc=csc,
                csp_part=" / ".join(parts),
                accountable=accountable_text(data, a) if a.applicable else "",
            )
        )
    return rows


# --- OSCAL ------------------------------------------------------------------------------------------

ORIGINATION: dict[str, Origination] = {"internal": "organization"}
"""The control-origination of a party's part; every provider's is `inherited`."""


def origination(party: str) -> Origination:
    """The OSCAL control-origination of a party's part of a control, from the organization's side."""
    return ORIGINATION.get(party, "inherited")


def oscal_uuid(data: ExportInput, *parts: str) -> str:
    """A stable uuid (version 5) for one element of the organization's export."""
    base = uuid.uuid5(UUID_NAMESPACE, data.profile.organization.name)
    return str(uuid.uuid5(base, "\x1f".join(parts)))


def oscal_control_ids(data: ExportInput) -> dict[str, str]:
    """An OSCAL token (control-id) for every control of the export, unique within its catalog.

    A catalog whose ids are all tokens keeps them (OSCAL imports round-trip). Otherwise every id
    of that catalog becomes `<catalog>_<id>` with each run of other characters turned into '_'
    (`hipaa-security:164.308(a)(1)` -> `hipaa-security_164.308_a_1`); the global key is kept
    beside it as a prop.
    """
    by_catalog: dict[str, list[str]] = {}
    for a in data.assignments.assignments:
        by_catalog.setdefault(a.framework, []).append(a.control)
    out: dict[str, str] = {}
    for catalog, keys in by_catalog.items():
        ids = [split_key(k)[1] for k in keys]
        if all(_TOKEN.match(i) for i in ids):
            tokens = ids
        else:
            tokens = [_NOT_TOKEN.sub("_", f"{catalog}_{i}").strip("_") for i in ids]
            tokens = [t if _TOKEN.match(t) else f"_{t}" for t in tokens]
        seen: dict[str, str] = {}
        for key, token in zip(keys, tokens, strict=True):
            if token in seen:
                file = next((c.file for c in data.catalogs if c.id == catalog), catalog)
                raise CtrlmapError(
                    f"{file}: controls {seen[token]} and {key} would get the same OSCAL control-id "
                    f"{token!r}; rename one of them in catalog {catalog}"
                )
            seen[token] = key
            out[key] = token
    return out


def responsible_parties(a: Assignment) -> tuple[str, ...]:
    """The parties a control is listed under in the OSCAL export."""
    if a.raci is None:
        return ()
    return a.raci.responsible or ("internal",)
