"""The export vocabularies: OSCAL, a customer responsibility matrix, PCI DSS 12.8.5 and CSA CCM.

Each renderer lays out one `ctrlmap.present.exports.ExportInput`; how ctrlmap's owners map to each
vocabulary is decided (and documented) in `ctrlmap.present.exports`. The PCI DSS renderer raises
CtrlmapError when `pci-dss-4` is not in the profile, like `check_export`, so that no path writes
an empty 12.8.5 list.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ctrlmap.formats import register
from ctrlmap.formats.csv import write_rows
from ctrlmap.models.results import Assignment
from ctrlmap.present.exports import (
    CTRLMAP_NS,
    OSCAL_VERSION,
    CatalogInfo,
    ExportInput,
    ccm_rows,
    crm_rows,
    duties,
    origination,
    oscal_control_ids,
    oscal_uuid,
    party_name,
    pci_rows,
    responsible_parties,
)

CRM_COLUMNS = (
    "control",
    "framework",
    "title",
    "citation",
    "responsibility",
    "provider",
    "customer_responsibility",
    "provider_responsibility",
    "accountable",
    "non_delegable",
    "basis",
)
PCI_COLUMNS = (
    "provider",
    "provider_name",
    "agreement",
    "acknowledgement_12_8_2",
    "requirement",
    "title",
    "managed_by",
    "notes",
)
CCM_COLUMNS = (
    "control",
    "framework",
    "title",
    "ssrm_category",
    "csp",
    "third_party",
    "csc_responsibility",
    "csp_responsibility",
    "accountable",
)
RACI_ROLES = (
    ("responsible", "Responsible (RACI)", "Does the work of the control."),
    ("accountable", "Accountable (RACI)", "Answers for the result of the control."),
    ("consulted", "Consulted (RACI)", "Is asked before the work is done."),
    ("informed", "Informed (RACI)", "Is told once the work is done."),
    ("provider", "Provider", "The party whose work the component describes."),
)


@register("export", "crm-csv")
def crm_csv(data: ExportInput) -> str:
    """The customer responsibility matrix: one row per applicable control."""
    return write_rows(
        CRM_COLUMNS,
        (
            (
                r.control,
                r.framework,
                r.title,
                r.citation,
                r.responsibility,
                "; ".join(r.providers),
                r.customer,
                r.provider,
                r.accountable,
                "yes" if r.non_delegable else "no",
                r.basis,
            )
            for r in crm_rows(data)
        ),
    )


@register("export", "pci-12.8.5")
def pci_csv(data: ExportInput) -> str:
    """Per provider, each PCI DSS requirement it touches and who manages it (raises without pci-dss-4)."""
    return write_rows(
        PCI_COLUMNS,
        (
            (
                r.provider,
                r.provider_name,
                r.agreement,
                "yes" if r.acknowledgement else "no",
                r.requirement,
                r.title,
                r.managed_by,
                r.notes,
            )
            for r in pci_rows(data)
        ),
    )


@register("export", "ccm-ssrm")
def ccm_csv(data: ExportInput) -> str:
    """Every control in scope with its CSA CCM SSRM ownership category."""
    return write_rows(
        CCM_COLUMNS,
        (
            (
                r.control,
                r.framework,
                r.title,
                r.category,
                r.csp,
                "; ".join(r.third_parties),
                r.csc,
                r.csp_part,
                r.accountable,
            )
            for r in ccm_rows(data)
        ),
    )


@register("export", "oscal")
def oscal(data: ExportInput) -> str:
    """An OSCAL component definition (JSON): one component per party, the RACI on every control."""
    ids = oscal_control_ids(data)
    body = {
        "metadata": _metadata(data),
        "components": [_component(data, party, ids) for party in _parties(data)],
        "back-matter": {"resources": [_resource(data, c) for c in data.catalogs]},
    }
    # The document uuid changes with the content (OSCAL: a new uuid per revision), never with the clock.
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()
    doc = {"uuid": oscal_uuid(data, "component-definition", digest), **body}
    return json.dumps({"component-definition": doc}, indent=2, ensure_ascii=False) + "\n"


def _parties(data: ExportInput) -> list[str]:
    return ["internal", *(p.id for p in data.profile.providers)]


def one_line(text: str) -> str:
    """Text for an OSCAL one-line field (a title, a name): each run of whitespace, line breaks
    included, becomes one space; OSCAL refuses a line break there."""
    return " ".join(text.split()) or "-"


def prop(name: str, value: str) -> dict[str, str]:
    """A prop in ctrlmap's namespace."""
    return {"name": name, "ns": CTRLMAP_NS, "value": value}


def party_uuid(data: ExportInput, ident: str) -> str:
    """The uuid of a party (the organization, a provider or a person) in the metadata."""
    return oscal_uuid(data, "party", ident)


def metadata_parties(data: ExportInput) -> list[dict[str, Any]]:
    """The OSCAL parties: the organization, each provider, and each of its own people."""
    org = data.profile.organization.name
    parties: list[dict[str, Any]] = [
        {
            "uuid": party_uuid(data, "internal"),
            "type": "organization",
            "name": one_line(org),
            "props": [prop("party", "internal")],
        }
    ]
    for p in data.profile.providers:
        party: dict[str, Any] = {
            "uuid": party_uuid(data, p.id),
            "type": "organization",
            "name": one_line(p.name),
            "props": [prop("party", p.id)]
            + ([prop("independent-assessor", "true")] if p.independent else []),
        }
        if p.url and p.url.startswith(("https://", "http://")):
            party["links"] = [{"href": p.url, "rel": "reference", "text": "Agreement"}]
        if p.agreement:
            party["remarks"] = f"Agreement: {p.agreement}"
        parties.append(party)
    for person in data.profile.internal:
        entry: dict[str, Any] = {
            "uuid": party_uuid(data, person.id),
            "type": "person",
            "name": one_line(person.name),
            "props": [prop("person", person.id)],
            "member-of-organizations": [party_uuid(data, "internal")],
        }
        if person.role and person.role.strip():
            entry["props"].append({"name": "job-title", "value": one_line(person.role)})
        parties.append(entry)
    return parties


def _metadata(data: ExportInput) -> dict[str, Any]:
    org = data.profile.organization.name
    parties = metadata_parties(data)
    return {
        "title": one_line(f"{org}: who does each control under the {data.model_title} model"),
        "last-modified": f"{data.as_of.isoformat()}T00:00:00+00:00",
        "version": data.as_of.isoformat(),
        "oscal-version": OSCAL_VERSION,
        "props": [
            prop("tool", f"ctrlmap {data.tool_version}"),
            prop("model", data.assignments.model),
        ],
        "roles": [
            {"id": rid, "title": title, "description": text} for rid, title, text in RACI_ROLES
        ],
        "parties": parties,
        "remarks": data.legal_statement,
    }


def _resource(data: ExportInput, info: CatalogInfo) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "uuid": oscal_uuid(data, "catalog", info.id),
        "title": info.title,
        "description": f"The ctrlmap catalog {info.id}, version {info.version}.",
        "props": [prop("catalog", info.id)],
    }
    if info.source and info.source.strip():
        resource["citation"] = {"text": info.source.strip()}
    return resource


def _component(data: ExportInput, party: str, ids: dict[str, str]) -> dict[str, Any]:
    implementations = []
    for catalog in data.catalogs:
        requirements = [
            _requirement(data, party, a, ids[a.control])
            for a in data.assignments.assignments
            if a.framework == catalog.id and a.applicable and party in responsible_parties(a)
        ]
        if requirements:
            implementations.append(
                {
                    "uuid": oscal_uuid(data, "control-implementation", party, catalog.id),
                    "source": "#" + oscal_uuid(data, "catalog", catalog.id),
                    "description": f"{catalog.title}: the controls {party_name(data, party)} "
                    "does, in whole or in part.",
                    "implemented-requirements": requirements,
                }
            )
    component: dict[str, Any] = {
        "uuid": oscal_uuid(data, "component", party),
        "type": "service",
        "title": one_line(component_title(data, party)),
        "description": component_description(data, party),
        "props": [prop("party", party)],
        "responsible-roles": [{"role-id": "provider", "party-uuids": [party_uuid(data, party)]}],
    }
    if implementations:
        component["control-implementations"] = implementations
    return component


def component_title(data: ExportInput, party: str) -> str:
    """A party's component title: the organization's own staff, or the provider's name."""
    if party == "internal":
        return f"{data.profile.organization.name}: its own staff"
    return party_name(data, party)


def component_description(data: ExportInput, party: str) -> str:
    """Whose work a party's component describes, with its people or its agreement and functions."""
    if party == "internal":
        people = ", ".join(
            f"{p.name} ({p.role})" if p.role else p.name for p in data.profile.internal
        )
        return f"Work done by {data.profile.organization.name} itself" + (
            f": {people}." if people else " (the profile names no internal staff)."
        )
    provider = next(p for p in data.profile.providers if p.id == party)
    functions = ", ".join(data.function_titles.get(f, f) for f in provider.functions)
    return (
        f"Work done by {provider.name}"
        + (f" under {provider.agreement}" if provider.agreement else "")
        + (", an independent assessor" if provider.independent else "")
        + (f". Functions in its agreement: {functions}." if functions else ".")
    )


def _requirement(data: ExportInput, party: str, a: Assignment, control_id: str) -> dict[str, Any]:
    props = [prop("control", a.control), prop("owner", a.owner or "unassigned")]
    if a.owner == "unassigned":
        description = (
            "Nobody is Responsible for this control. The organization remains answerable for it; "
            "`ctrlmap gaps` reports it as unowned."
        )
    else:
        props.insert(0, {"name": "control-origination", "value": origination(party)})
        description = f"{party_name(data, party)}: {'; '.join(duties(data, a).get(party, ())) or 'Responsible'}."
    requirement: dict[str, Any] = {
        "uuid": oscal_uuid(data, "implemented-requirement", party, a.control),
        "control-id": control_id,
        "description": description,
        "props": props,
    }
    roles = _raci_roles(data, a)
    if roles:
        requirement["responsible-roles"] = roles
    requirement["remarks"] = "\n".join(
        f"{n}. {step.text}" + (f" ({step.citation})" if step.citation else "")
        for n, step in enumerate(a.basis, 1)
    )
    return requirement


def _raci_roles(data: ExportInput, a: Assignment) -> list[dict[str, Any]]:
    raci = a.raci
    if raci is None:
        return []
    accountable: tuple[str, ...] = ()
    if raci.accountable_person:
        accountable = (raci.accountable_person,)
    elif raci.accountable:
        accountable = (raci.accountable,)
    roles = []
    for role_id, idents in (
        ("responsible", raci.responsible),
        ("accountable", accountable),
        ("consulted", raci.consulted),
        ("informed", raci.informed),
    ):
        if idents:
            roles.append({"role-id": role_id, "party-uuids": [party_uuid(data, i) for i in idents]})
    return roles
