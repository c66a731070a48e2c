"""The POA&M exports: the FedRAMP POA&M columns as CSV, and an OSCAL plan of action and milestones.

Both lay out `ctrlmap.present.poam.poam_rows`, one item per current finding. The OSCAL document
names the system by `system-id` (a uuid derived from the organization) instead of `import-ssp`:
ctrlmap writes no SSP to point at, and OSCAL asks for one of the two. Every uuid is a version 5
uuid of stable inputs (the finding id, the control), so the same inputs give the same bytes and a
finding keeps its uuids from one run to the next; the document's own uuid follows its content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from ctrlmap.formats import register
from ctrlmap.formats.csv import write_rows
from ctrlmap.formats.exchange import (
    component_description,
    component_title,
    metadata_parties,
    one_line,
    party_uuid,
    prop,
)
from ctrlmap.models.results import Acceptance, Gap
from ctrlmap.present.exports import (
    OSCAL_VERSION,
    ExportInput,
    check_export,
    oscal_control_ids,
    oscal_uuid,
    party_name,
)
from ctrlmap.present.findings import plan_state, status_text
from ctrlmap.present.poam import POAM_COLUMNS, PoamItem, poam_row, poam_rows

ROLES = (
    ("remediation-owner", "Remediation owner", "Fixes the finding by its scheduled date."),
    ("risk-approver", "Risk approver", "Accepts a risk on the organization's behalf."),
)
IETF_UUID = "https://ietf.org/rfc/rfc4122"


@register("export", "poam-csv")
def poam_csv(data: ExportInput) -> str:
    """The FedRAMP POA&M: one row per current finding, every cell from a fact or left empty."""
    return write_rows(POAM_COLUMNS, (poam_row(item) for item in poam_rows(data)))


@register("export", "oscal-poam")
def oscal_poam(data: ExportInput) -> str:
    """An OSCAL plan of action and milestones (JSON): per finding an observation, a risk, a
    finding per control and a POA&M item (raises when there is no finding)."""
    check_export("oscal-poam", data)
    items = poam_rows(data)
    ids = oscal_control_ids(data)
    planned = {r.finding for r in data.profile.remediation}
    body = {
        "metadata": _metadata(data),
        "system-id": {"identifier-type": IETF_UUID, "id": oscal_uuid(data, "system")},
        "local-definitions": _local_definitions(data),
        "observations": [_observation(data, item) for item in items],
        "risks": [_risk(data, item, item.gap.id in planned) for item in items],
        "findings": [f for item in items for f in _findings(data, item.gap, ids)],
        "poam-items": [_poam_item(data, item, ids) for item in items],
    }
    if not body["findings"]:
        del body["findings"]
    # The document uuid changes with the content (OSCAL: a new uuid per revision), never with the clock.
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()
    doc = {"uuid": oscal_uuid(data, "plan-of-action-and-milestones", digest), **body}
    return json.dumps({"plan-of-action-and-milestones": doc}, indent=2, ensure_ascii=False) + "\n"


def _midnight(day: Any) -> str:
    return f"{day.isoformat()}T00:00:00+00:00"


def _uuid(data: ExportInput, kind: str, *parts: str) -> str:
    return oscal_uuid(data, "poam", kind, *parts)


def _tool_uuid(data: ExportInput) -> str:
    return _uuid(data, "component", "ctrlmap")


def _origins(data: ExportInput) -> list[dict[str, Any]]:
    return [{"actors": [{"type": "tool", "actor-uuid": _tool_uuid(data)}]}]


def _metadata(data: ExportInput) -> dict[str, Any]:
    return {
        "title": one_line(f"{data.profile.organization.name}: plan of action and milestones"),
        "last-modified": _midnight(data.as_of),
        "version": data.as_of.isoformat(),
        "oscal-version": OSCAL_VERSION,
        "props": [
            prop("tool", f"ctrlmap {data.tool_version}"),
            prop("model", data.assignments.model),
        ],
        "roles": [{"id": rid, "title": title, "description": text} for rid, title, text in ROLES],
        "parties": metadata_parties(data),
        "remarks": data.legal_statement,
    }


def _local_definitions(data: ExportInput) -> dict[str, Any]:
    tool = {
        "uuid": _tool_uuid(data),
        "type": "software",
        "title": "ctrlmap",
        "description": "The accountability analysis that found these weaknesses: who is "
        "Responsible and Accountable for each control, and what falls between the parties.",
        "props": [{"name": "version", "value": data.tool_version}],
        "status": {"state": "operational"},
    }
    parties = [
        {
            "uuid": oscal_uuid(data, "component", party),
            "type": "service",
            "title": one_line(component_title(data, party)),
            "description": component_description(data, party),
            "props": [prop("party", party)],
            "status": {"state": "operational"},
        }
        for party in ("internal", *(p.id for p in data.profile.providers))
    ]
    return {
        "components": [tool, *parties],
        "remarks": "No OSCAL system security plan is imported: the parties are described here, "
        "with the uuids of ctrlmap's OSCAL component definition (`--format oscal`).",
    }


def _finding_props(gap: Gap) -> list[dict[str, str]]:
    return [prop("finding-id", gap.id), prop("rule", gap.rule)]


def _observation(data: ExportInput, item: PoamItem) -> dict[str, Any]:
    gap = item.gap
    observation: dict[str, Any] = {
        "uuid": _uuid(data, "observation", gap.id),
        "title": one_line(item.weakness_name),
        "description": gap.message,
        "props": _finding_props(gap),
        "methods": ["EXAMINE"],
        "types": ["finding"],
        "origins": _origins(data),
        "subjects": [
            {
                "subject-uuid": oscal_uuid(data, "component", party),
                "type": "component",
                "title": one_line(party_name(data, party)),
            }
            for party in data.profile.party_order(gap.parties)
        ],
        "collected": _midnight(data.as_of),
    }
    if not observation["subjects"]:
        del observation["subjects"]
    evidence = [
        {"description": e.reference, "remarks": f"Reviewed {e.reviewed.isoformat()}."}
        | ({"href": e.reference} if e.reference.startswith(("https://", "http://")) else {})
        for e in data.profile.evidence
        if e.control in set(gap.controls)
    ]
    if evidence:
        observation["relevant-evidence"] = evidence
    return observation


RISK_STATUS = {"open": "open", "in-progress": "remediating", "done": "open"}
"""The OSCAL risk status of an open finding by its plan's progress (done, yet still found: open)."""


def _risk(data: ExportInput, item: PoamItem, planned: bool) -> dict[str, Any]:
    gap = item.gap
    props = [*_finding_props(gap), prop("severity", gap.severity)]
    if gap.owner:
        props.append(prop("owner", gap.owner))
    if gap.overdue:
        props.append(prop("overdue", "true"))
    if gap.acceptance_lapsed is not None:
        props.append(prop("acceptance-lapsed", gap.acceptance_lapsed.isoformat()))
    risk: dict[str, Any] = {
        "uuid": _uuid(data, "risk", gap.id),
        "title": one_line(item.weakness_name),
        "description": gap.message,
        "statement": gap.remediation,
        "props": props,
        "status": "deviation-approved" if gap.status == "accepted" else RISK_STATUS[gap.progress],
        "origins": _origins(data),
    }
    if gap.due is not None:
        risk["deadline"] = _midnight(gap.due)
    risk["remediations"] = [
        {
            "uuid": _uuid(data, "recommendation", gap.id),
            "lifecycle": "recommendation",
            "title": "ctrlmap's recommendation",
            "description": gap.remediation,
            "origins": _origins(data),
        }
    ]
    if planned:
        risk["remediations"].append(_plan(data, gap))
    if gap.acceptance is not None:
        risk["risk-log"] = {"entries": [_acceptance(data, gap.id, gap.acceptance)]}
    elif gap.acceptance_lapsed is not None:
        risk["risk-log"] = {"entries": _lapsed(data, gap, gap.acceptance_lapsed)}
    risk["related-observations"] = [{"observation-uuid": _uuid(data, "observation", gap.id)}]
    return risk


def _plan(data: ExportInput, gap: Gap) -> dict[str, Any]:
    owner = f"Owner: {gap.owner_name}" if gap.owner_name else "No owner named"
    due = f"due {gap.due.isoformat()}" if gap.due else "no due date"
    plan: dict[str, Any] = {
        "uuid": _uuid(data, "plan", gap.id),
        "lifecycle": "completed" if gap.progress == "done" else "planned",
        "title": "Remediation plan",
        "description": f"{owner}; {due}; {plan_state(gap)}." + (f" {gap.note}" if gap.note else ""),
    }
    owners = (
        [{"role-id": "remediation-owner", "party-uuids": [party_uuid(data, gap.owner)]}]
        if gap.owner in _party_ids(data)
        else []
    )
    tasks = []
    for n, m in enumerate(gap.milestones, 1):
        task: dict[str, Any] = {
            "uuid": _uuid(data, "milestone", gap.id, str(n)),
            "type": "milestone",
            "title": one_line(m.text),
            "description": m.text,
            "timing": {"on-date": {"date": _midnight(m.date)}},
        }
        if owners:
            task["responsible-roles"] = owners
        tasks.append(task)
    if tasks:
        plan["tasks"] = tasks
    return plan


def _party_ids(data: ExportInput) -> set[str]:
    return {p.id for p in data.profile.internal} | {p.id for p in data.profile.providers}


def _acceptance(data: ExportInput, finding: str, a: Acceptance) -> dict[str, Any]:
    return {
        "uuid": _uuid(data, "acceptance", finding, a.approved.isoformat()),
        "title": "Risk accepted",
        "description": f"Accepted by {a.approved_by_name} until {a.expires.isoformat()}: {a.reason}",
        "start": _midnight(a.approved),
        "end": _midnight(a.expires),
        "logged-by": [{"party-uuid": party_uuid(data, a.approved_by), "role-id": "risk-approver"}],
        "status-change": "deviation-approved",
    }


def _lapsed(data: ExportInput, gap: Gap, lapsed: dt.date) -> list[dict[str, Any]]:
    """A lapsed acceptance's risk log: the acceptance while it was in force, then its lapse,
    when the risk went back to open (or remediating, by the plan's progress)."""
    entries = []
    risk = next(
        (r for r in data.profile.accepted_risks if r.finding == gap.id and r.expires == lapsed),
        None,
    )
    if risk is not None:
        entries.append(
            _acceptance(
                data,
                gap.id,
                Acceptance(
                    reason=risk.reason,
                    approved_by=risk.approved_by,
                    approved_by_name=data.profile.name_of(risk.approved_by),
                    approved=risk.approved,
                    expires=risk.expires,
                ),
            )
        )
    status = RISK_STATUS[gap.progress]
    entries.append(
        {
            "uuid": _uuid(data, "acceptance-lapsed", gap.id, lapsed.isoformat()),
            "title": "Risk acceptance lapsed",
            "description": f"The acceptance expired on {lapsed.isoformat()} and was not "
            f"renewed: the risk is {status} again and falls under the remediation plan or policy.",
            "start": _midnight(lapsed),
            "status-change": status,
        }
    )
    return entries


def _findings(data: ExportInput, gap: Gap, ids: dict[str, str]) -> list[dict[str, Any]]:
    """One OSCAL finding per control of the finding: an OSCAL finding has a single target."""
    return [
        {
            "uuid": _uuid(data, "finding", gap.id, key),
            "title": one_line(f"{gap.id} on {key}"),
            "description": f"{key} is not satisfied: {gap.rule} ({gap.id}, the observation "
            "describes it).",
            "props": [prop("finding-id", gap.id), prop("control", key)],
            "target": {
                "type": "statement-id",
                "target-id": ids[key],
                "status": {"state": "not-satisfied"},
            },
            "related-observations": [{"observation-uuid": _uuid(data, "observation", gap.id)}],
            "related-risks": [{"risk-uuid": _uuid(data, "risk", gap.id)}],
        }
        for key in gap.controls
        if key in ids
    ]


def _poam_item(data: ExportInput, item: PoamItem, ids: dict[str, str]) -> dict[str, Any]:
    gap = item.gap
    poam: dict[str, Any] = {
        "uuid": _uuid(data, "poam-item", gap.id),
        "title": one_line(item.weakness_name),
        "description": gap.message,
        "props": [*_finding_props(gap), prop("severity", gap.severity)],
        "origins": _origins(data),
    }
    findings = [_uuid(data, "finding", gap.id, key) for key in gap.controls if key in ids]
    if findings:
        poam["related-findings"] = [{"finding-uuid": f} for f in findings]
    poam["related-observations"] = [{"observation-uuid": _uuid(data, "observation", gap.id)}]
    poam["related-risks"] = [{"risk-uuid": _uuid(data, "risk", gap.id)}]
    poam["remarks"] = status_text(gap)
    return poam
