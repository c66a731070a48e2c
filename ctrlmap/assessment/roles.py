"""Designated roles in the assignment: the holder's share and duties, and who is named Accountable."""

from __future__ import annotations

from collections.abc import Iterable

from ctrlmap.assessment.context import Context
from ctrlmap.models import (
    ROLES,
    Control,
)
from ctrlmap.models.base import join_names
from ctrlmap.models.results import (
    Assignment,
    BasisStep,
    DesignationEntry,
    Share,
)


def designation_shares(
    ctx: Context, control: Control, shares: list[Share], basis: list[BasisStep]
) -> list[Share]:
    """Step 5: the holder of the role this control requires, or whose duty it is, is Responsible."""
    out = list(shares)
    for role, source in ((control.designation, "designation"), (control.duty_of, "duty")):
        if role is None or (source == "duty" and role == control.designation):
            continue
        rule = ROLES[role]
        held = ctx.profile.designations.get(role)
        if held is None:
            basis.append(
                ctx.step(
                    step="designation" if source == "designation" else "duty",
                    text=f"The profile names no {rule.title}, "
                    + (
                        "which this control requires."
                        if source == "designation"
                        else "whose duty this control is."
                    ),
                    citation=rule.citation,
                )
            )
            continue
        party = ctx.party_of(held.holder)
        kind = "person" if party == "internal" else "provider"
        if source == "designation":
            text = (
                f"{ctx.name(held.holder)} ({'one of its people' if party == 'internal' else 'a provider'}) "
                f"is the organization's {rule.title}: Responsible for this control."
                + (
                    ""
                    if party == "internal" or rule.provider_may_hold
                    else " The law does not let a provider hold this role."
                )
            )
        else:
            text = (
                f"This control is a duty of the {rule.title}, held by {ctx.name(held.holder)} (a {kind}): "
                "Responsible beside whoever else does the work, whatever its agreement covers."
            )
        basis.append(
            ctx.step(
                step="designation" if source == "designation" else "duty",
                text=text,
                citation=rule.citation,
            )
        )
        out.append(
            Share(
                function=None,
                owner="internal" if party == "internal" else "provider",
                parties=(party,),
                source="designation" if source == "designation" else "duty",
                contracted=True,
            )
        )
    return out


def held_roles(ctx: Context, control: Control) -> list[tuple[str, str, str | None]]:
    """The (role, holder, overseer) of the roles this control requires or is a duty of."""
    roles = [r for r in (control.designation, control.duty_of) if r is not None]
    out: list[tuple[str, str, str | None]] = []
    for role in dict.fromkeys(roles):
        held = ctx.profile.designations.get(role)
        if held is not None:
            out.append((role, held.holder, held.overseer))
    return out


LEADS = frozenset({"governance", "compliance-reporting"})
"""Functions that mark a person who answers for work, not only does it."""


SISTER_FRAMEWORKS = {"hipaa-breach": "hipaa-security"}
"""A framework whose designated role is another's (the breach rule answers to the security official)."""


def _framework_lead(ctx: Context, framework: str) -> tuple[str, str] | None:
    """The internal person behind the framework's designated role: its holder, else its overseer
    (found once per framework in a profile)."""
    if framework not in ctx.leads:
        ctx.leads[framework] = _find_framework_lead(ctx, framework)
    return ctx.leads[framework]


def _find_framework_lead(ctx: Context, framework: str) -> tuple[str, str] | None:
    wanted = {framework, SISTER_FRAMEWORKS.get(framework, framework)}
    for role, rule in ROLES.items():
        held = ctx.profile.designations.get(role)
        if rule.required_by not in wanted or held is None:
            continue
        if held.holder in ctx.people:
            return held.holder, f"the {rule.title}"
        if held.overseer is not None:
            return held.overseer, f"the internal overseer of the {rule.title}"
    return None


def _choose_person(ctx: Context, framework: str, control: Control) -> tuple[str, str] | None:
    """Who answers for an internal control, in this order: the holder or overseer of its own role;
    a person doing its work who also leads (governance, compliance reporting); the person behind
    the framework's designated role; anyone doing its work; anyone covering governance."""
    for role, holder, overseer in held_roles(ctx, control):
        if holder in ctx.people:
            return holder, f"the {ROLES[role].title}"  # type: ignore[index]
        if overseer is not None:
            return overseer, f"the internal overseer of the {ROLES[role].title}"  # type: ignore[index]
    doers = [p for fid in control.functions for p in ctx.people_by_function.get(fid, ())]
    if ctx.leaders is None:
        ctx.leaders = frozenset(p for f in LEADS for p in ctx.people_by_function.get(f, ()))
    for person in doers:
        if person in ctx.leaders:
            return (
                person,
                f"who covers {ctx.function(_covered(ctx, person, control))} and leads the program "
                f"({join_names(ctx.function(f) for f in sorted(LEADS & set(ctx.people[person].functions)))})",
            )
    lead = _framework_lead(ctx, framework)
    if lead is not None:
        return lead
    if doers:
        return doers[0], f"who covers {ctx.function(_covered(ctx, doers[0], control))}"
    if ctx.people_by_function.get("governance"):
        return ctx.people_by_function["governance"][0], "who covers governance"
    return None


def _covered(ctx: Context, person: str, control: Control) -> str:
    return next(f for f in control.functions if f in ctx.people[person].functions)


def accountable_person(
    ctx: Context, framework: str, control: Control, accountable: str | None, basis: list[BasisStep]
) -> tuple[str | None, str | None]:
    """Step 6: an internal Accountable must be a named person, or it becomes null."""
    if accountable != "internal":
        return None, accountable
    chosen = _choose_person(ctx, framework, control)
    if chosen is None:
        basis.append(
            ctx.step(
                step="accountable-person",
                text=f"No internal person covers {join_names((ctx.function(f) for f in control.functions), 'or')} "
                "or governance: nobody can be named, "
                "so Accountable is null.",
                citation=None,
            )
        )
        return None, None
    person, why = chosen
    basis.append(
        ctx.step(
            step="accountable-person",
            text=f"Accountable person: {ctx.name(person)}, {why}.",
            citation=None,
        )
    )
    return person, accountable


def designations(ctx: Context, assignments: Iterable[Assignment]) -> dict[str, DesignationEntry]:
    """Every role the frameworks require or the profile names, with its holder and overseer."""
    required: dict[str, list[str]] = {}
    inapplicable: dict[str, list[str]] = {}
    for a in assignments:
        control = ctx.lib.controls[a.control]
        if control.designation:
            found = required if a.applicable else inapplicable
            found.setdefault(control.designation, []).append(a.control)
    out: dict[str, DesignationEntry] = {}
    for role, rule in ROLES.items():
        held = ctx.profile.designations.get(role)
        if role not in required and held is None:
            continue
        out[role] = DesignationEntry(
            role=role,
            title=rule.title,
            citation=rule.citation,
            required=role in required,
            required_by=tuple(required.get(role, ())),
            holder=held.holder if held else None,
            holder_name=ctx.name(held.holder) if held else None,
            holder_party=ctx.party_of(held.holder) if held else None,
            overseer=held.overseer if held else None,
            overseer_name=ctx.name(held.overseer) if held and held.overseer else None,
            provider_may_hold=rule.provider_may_hold,
            overseer_required=rule.overseer_required,
            not_applicable=() if role in required else tuple(inapplicable.get(role, ())),
        )
    return out


NO_FRAMEWORK = "no framework in scope requires it"


def why_not_required(entry: DesignationEntry, assignments: Iterable[Assignment]) -> str:
    """Why a role the profile designates is not required, in the words of the basis of the
    control that would require it ("PCI DSS v4.0.1 12.1.4 does not apply: not asked by SAQ B-IP,
    ..."), or that no framework in scope has such a control."""
    if entry.required or not entry.not_applicable:
        return NO_FRAMEWORK
    first = entry.not_applicable[0]
    basis = next((a.basis[0].text for a in assignments if a.control == first and a.basis), None)
    if basis is None:
        return NO_FRAMEWORK
    reason = basis.removeprefix("Not applicable: ")
    return f"{entry.citation} does not apply: {reason[:1].lower()}{reason[1:]}".rstrip(".")
