"""Ownership and RACI for every control, with the basis for each decision.

Resolution, each step recorded in the basis (README, "How a control is assigned"):
1. an override wins for the fields it gives, quoting its reason;
2. otherwise the model's defaults for the control's functions (disagreeing owners: shared);
3. a provider's share goes to the provider whose agreement covers the function, else to the sole
   provider (recorded as not contracted), else it stays unassigned; an independence-required
   control goes to an independent assessor contracted for it;
4. a non-delegable control keeps the organization Accountable (an override saying otherwise is
   kept as written, for the gap rules);
5. the holder of a designated role is Responsible for the control that requires it;
6. an internal Accountable needs a named person, or becomes null.
The engine never repairs reality: every mismatch is written into the basis for the gap rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ctrlmap.errors import CtrlmapError
from ctrlmap.load.library import Library
from ctrlmap.models import (
    ROLES,
    Control,
    OperatingModel,
    Override,
    Person,
    Profile,
    Provider,
    global_key,
)
from ctrlmap.models.base import DefaultOwner, Owner
from ctrlmap.models.results import (
    Assignment,
    AssignResult,
    BasisStep,
    ByProviderResult,
    DesignationEntry,
    ProviderMatrix,
    Raci,
    Share,
    ShareSource,
)

LEGAL_STATEMENT = (
    "Accountable in this RACI is the operational owner who answers for the result. Whatever it "
    "outsources, the organization remains answerable in law: it is liable for the acts of its "
    "agents (HIPAA, 45 CFR 160.402(c)), a financial institution keeps responsibility for its "
    "program when a service provider runs it (16 CFR 314.4(a)(1); 23 NYCRR 500.4(a)(1)), using a "
    "PCI DSS service provider never relieves the entity of its own compliance, and lawyers keep "
    "their duties of competence, confidentiality and supervision (ABA Model Rules 1.1, 1.6, 5.1, 5.3)."
)
"""The statement every report carries."""


@dataclass
class Context:
    """Per-profile facts, computed once and looked up for every control."""

    profile: Profile
    model: OperatingModel
    lib: Library
    people: dict[str, Person] = field(default_factory=dict)
    providers: dict[str, Provider] = field(default_factory=dict)
    people_by_function: dict[str, list[str]] = field(default_factory=dict)
    providers_by_function: dict[str, list[str]] = field(default_factory=dict)
    assessors_by_function: dict[str, list[str]] = field(default_factory=dict)
    operational: list[str] = field(default_factory=list)
    overrides: dict[str, Override] = field(default_factory=dict)
    facts: dict[str, tuple[str | bool, ...]] = field(default_factory=dict)
    resolved: dict[tuple[object, ...], Resolved] = field(default_factory=dict)
    """Resolutions already made in this profile, keyed by a control's functions and flags."""

    @classmethod
    def build(cls, profile: Profile, model: OperatingModel, lib: Library) -> Context:
        """Index the profile for constant-time lookups."""
        ctx = cls(profile=profile, model=model, lib=lib)
        ctx.people = {p.id: p for p in profile.internal}
        ctx.providers = {p.id: p for p in profile.providers}
        for person in profile.internal:
            for fid in person.functions:
                ctx.people_by_function.setdefault(fid, []).append(person.id)
        for provider in profile.providers:
            for fid in provider.functions:
                ctx.providers_by_function.setdefault(fid, []).append(provider.id)
                if provider.independent:
                    ctx.assessors_by_function.setdefault(fid, []).append(provider.id)
        ctx.operational = [p.id for p in profile.providers if not p.independent]
        ctx.overrides = {o.control: o for o in profile.overrides}
        outsourced = tuple(
            role for role, d in profile.designations.items() if d.holder in ctx.providers
        )
        ctx.facts = {**profile.applicability.facts(), "outsourced": outsourced}
        return ctx

    def party_of(self, holder: str) -> str:
        """The party a person or provider id belongs to."""
        return "internal" if holder in self.people else holder

    def name(self, ident: str) -> str:
        """A person's or provider's name, for the basis text."""
        return self.profile.name_of(ident)


def applies(
    control: Control, facts: dict[str, tuple[str | bool, ...]]
) -> dict[str, tuple[str | bool, ...]] | None:
    """None when the control applies, else the conditions it failed."""
    failed = {
        fact: wanted
        for fact, wanted in (control.applies_if or {}).items()
        if not any(value in facts.get(fact, ()) for value in wanted)
    }
    return failed or None


def _fmt(values: Iterable[str | bool]) -> str:
    return " or ".join(str(v).lower() for v in values)


def assign_owners(
    profile: Profile,
    lib: Library,
    model_id: str | None = None,
    frameworks: Iterable[str] | None = None,
    include_proposed: bool = False,
) -> AssignResult:
    """Assign every control of the profile's frameworks (or of `frameworks`, a subset)."""
    ctx = Context.build(profile, lib.model(model_id or profile.model), lib)
    return assign_all(ctx, frameworks, include_proposed)


def assign_all(
    ctx: Context, frameworks: Iterable[str] | None = None, include_proposed: bool = False
) -> AssignResult:
    """Assign every control of the profile's frameworks (or `frameworks`) over a built index."""
    profile, lib, model = ctx.profile, ctx.lib, ctx.model
    chosen = list(frameworks) if frameworks is not None else list(profile.frameworks)
    for fw in chosen:
        if fw not in profile.frameworks:
            raise CtrlmapError(
                f"framework {fw!r} is not in the profile's frameworks ({', '.join(profile.frameworks)})"
            )
    assignments = tuple(
        assign_control(ctx, fw, control)
        for fw in chosen
        for control in lib.catalogs[fw].controls
        if control.selected(include_proposed)
    )
    return AssignResult(
        organization=profile.organization.name,
        model=model.id,
        frameworks=tuple(chosen),
        include_proposed=include_proposed,
        assignments=assignments,
        designations=designations(ctx, assignments),
    )


def assign_control(ctx: Context, framework: str, control: Control) -> Assignment:
    """Resolve one control, recording every step in its basis."""
    key = global_key(framework, control.id)
    failed = applies(control, ctx.facts)
    if failed is not None:
        why = "; ".join(
            f"it applies only when {fact} is {_fmt(wanted)} "
            f"(the profile: {_fmt(ctx.facts.get(fact, ())) or 'none'})"
            for fact, wanted in failed.items()
        )
        step = BasisStep(
            step="applicability", text=f"Not applicable: {why}.", citation=control.citation
        )
        owner: Owner | None = None
        raci: Raci | None = None
        people: tuple[str, ...] = ()
        shares: tuple[Share, ...] = ()
        basis: tuple[BasisStep, ...] = (step,)
    else:
        override = ctx.overrides.get(key)
        # Controls with the same functions and flags resolve the same way within one profile.
        memo = (
            None
            if override is not None
            else (
                control.functions,
                control.independence,
                control.accountability,
                control.accountability_basis,
                control.designation,
                # the independence step quotes the control's own citation
                control.citation if _cites_itself(ctx, control) else None,
            )
        )
        resolved = ctx.resolved.get(memo) if memo is not None else None
        if resolved is None:
            resolved = _resolve(ctx, control, override)
            if memo is not None:
                ctx.resolved[memo] = resolved
        owner, raci, people, shares, basis = resolved
    return Assignment(
        control=key,
        framework=framework,
        title=control.title,
        level=control.level,
        applicable=failed is None,
        owner=owner,
        raci=raci,
        people=people,
        shares=shares,
        basis=basis,
        excluded_by=failed,
    )


def _cites_itself(ctx: Context, control: Control) -> bool:
    """Whether the control's basis will quote its own citation (the independence step)."""
    return any(_assessors(ctx, control, f) for f in control.functions)


Resolved = tuple[Owner, Raci, tuple[str, ...], tuple[Share, ...], tuple[BasisStep, ...]]


def _resolve(ctx: Context, control: Control, override: Override | None) -> Resolved:
    """Steps 1 to 6 for one applicable control."""
    basis: list[BasisStep] = []
    shares = _shares(ctx, control, override, basis)
    accountable = _accountable(ctx, control, override, shares, basis)
    shares = _designation_share(ctx, control, shares, basis)
    person, accountable = _accountable_person(ctx, control, accountable, basis)
    responsible = _ordered(ctx, (p for s in shares for p in s.parties))
    consulted, informed = _consulted_informed(
        ctx, control, override, shares, responsible, accountable
    )
    raci = Raci(
        responsible=responsible,
        accountable=accountable,
        accountable_person=person,
        consulted=consulted,
        informed=informed,
    )
    return (
        _owner_of(responsible),
        raci,
        _people(ctx, control, shares, person),
        tuple(shares),
        tuple(basis),
    )


def _shares(
    ctx: Context, control: Control, override: Override | None, basis: list[BasisStep]
) -> list[Share]:
    """Steps 1 to 3: who does each function's share of the control."""
    ov = override
    if ov is not None:
        given = [
            f"owner {ov.owner}" if ov.owner else None,
            f"provider {ov.provider}" if ov.provider else None,
            f"Responsible {', '.join(ov.responsible) or 'nobody'}"
            if ov.responsible is not None
            else None,
            f"Accountable {ov.accountable or 'nobody'}" if ov.sets_accountable else None,
        ]
        ref = f" ({ov.reference})" if ov.reference else ""
        basis.append(
            BasisStep(
                step="override",
                text=f"Override{ref}: {'; '.join(g for g in given if g) or 'RACI lists only'}. Reason: {ov.reason}",
                citation=None,
            )
        )
        if ov.responsible is not None:
            parties = _ordered(ctx, ov.responsible)
            owner = ov.owner or _default_owner(_owner_of(parties))
            return [
                Share(
                    function=f,
                    owner=owner,
                    parties=parties,
                    source="override",
                    contracted=_contracted(ctx, f, parties),
                )
                for f in control.functions
            ]
        if ov.owner is not None:
            return [
                _resolve_share(ctx, control, f, ov.owner, "override", basis, ov.provider)
                for f in control.functions
            ]

    defaults = {f: ctx.model.functions.get(f) for f in control.functions}
    owners: dict[str, DefaultOwner] = {}
    for fid, default in defaults.items():
        if default is None:
            basis.append(
                BasisStep(
                    step="model",
                    text=f"Model {ctx.model.id} has no default for {fid}: its share is unassigned.",
                    citation=None,
                )
            )
            continue
        owners[fid] = default.owner
        basis.append(
            BasisStep(
                step="model",
                text=f"Model {ctx.model.id}: {fid} is done by {default.owner}, {default.accountable} accountable ({default.rationale}).",
                citation=None,
            )
        )
    if len(set(owners.values())) > 1:
        listed = ", ".join(f"{o} for {f}" for f, o in owners.items())
        basis.append(
            BasisStep(
                step="model",
                text=f"The functions' defaults disagree ({listed}): the control is shared.",
                citation=None,
            )
        )
    named = ov.provider if ov is not None else None
    shares = []
    for fid in control.functions:
        if fid not in owners:
            shares.append(
                Share(function=fid, owner="shared", parties=(), source="model", contracted=True)
            )
            continue
        assessors = () if named else _assessors(ctx, control, fid)
        if assessors:
            names = ", ".join(
                f"{ctx.name(a)} ({ctx.providers[a].agreement or 'agreement not named'})"
                for a in assessors
            )
            lead = (
                "This control must be done independently of the work assessed: "
                if control.independence
                else ""
            )
            basis.append(
                BasisStep(
                    step="independence",
                    text=f"{lead}{fid} is performed by the independent assessor {names}, "
                    "commissioned by the organisation.",
                    citation=control.citation,
                )
            )
            shares.append(
                Share(
                    function=fid,
                    owner="provider",
                    parties=assessors,
                    source="independent-assessor",
                    contracted=True,
                )
            )
            continue
        source: ShareSource = "override" if named and owners[fid] != "internal" else "model"
        shares.append(_resolve_share(ctx, control, fid, owners[fid], source, basis, named))
    if named and not any(named in s.parties for s in shares):
        basis.append(
            BasisStep(
                step="provider",
                text=f"The override names {named}, but the model keeps every function of this "
                "control with the organization: give an owner in the override to move it.",
                citation=None,
            )
        )
    return shares


def _assessors(ctx: Context, control: Control, fid: str) -> tuple[str, ...]:
    """The independent assessors that take this share, if any.

    An independent assessor contracted for `independent-assessment` takes that function's share
    of any control. A control that must be done independently goes wholly to the assessors
    contracted for any of its functions: splitting it would leave part with the operators.
    """
    if control.independence == "required":
        found = {a for f in control.functions for a in ctx.assessors_by_function.get(f, ())}
        return tuple(p for p in ctx.providers if p in found)
    if fid == "independent-assessment":
        return tuple(ctx.assessors_by_function.get(fid, ()))
    return ()


def _resolve_share(
    ctx: Context,
    control: Control,
    fid: str,
    owner: DefaultOwner,
    source: ShareSource,
    basis: list[BasisStep],
    named: str | None,
) -> Share:
    """Step 3: find the parties behind one function's share."""
    parties: list[str] = []
    contracted = True
    if owner in ("internal", "shared"):
        parties.append("internal")
    if owner in ("provider", "shared"):
        if named is not None:
            parties.append(named)
            if fid not in ctx.providers[named].functions:
                contracted = False
                basis.append(
                    BasisStep(
                        step="provider",
                        text=f"The override names {named} for {fid}, which its agreement does not cover: not contracted.",
                        citation=None,
                    )
                )
        elif ctx.providers_by_function.get(fid):
            found = ctx.providers_by_function[fid]
            parties.extend(found)
            basis.append(
                BasisStep(
                    step="provider",
                    text=f"The provider share of {fid} goes to {', '.join(found)}, whose agreement covers it"
                    + (
                        f" ({ctx.providers[found[0]].agreement})."
                        if len(found) == 1 and ctx.providers[found[0]].agreement
                        else "."
                    ),
                    citation=None,
                )
            )
        elif len(ctx.operational) == 1:
            sole = ctx.operational[0]
            parties.append(sole)
            contracted = False
            basis.append(
                BasisStep(
                    step="provider",
                    text=f"No provider's agreement covers {fid}; {sole} is the only provider, so it is named, "
                    "but it is not contracted for this function.",
                    citation=None,
                )
            )
        else:
            count = len(ctx.operational)
            basis.append(
                BasisStep(
                    step="provider",
                    text=f"No provider's agreement covers {fid} and the profile has "
                    + (
                        "no operational provider"
                        if count == 0
                        else f"{count} operational providers"
                    )
                    + ": the provider share is unassigned.",
                    citation=None,
                )
            )
    return Share(
        function=fid, owner=owner, parties=tuple(parties), source=source, contracted=contracted
    )


def _contracted(ctx: Context, fid: str, parties: Iterable[str]) -> bool:
    return all(p == "internal" or fid in ctx.providers[p].functions for p in parties)


def _accountable(
    ctx: Context,
    control: Control,
    override: Override | None,
    shares: list[Share],
    basis: list[BasisStep],
) -> str | None:
    """Steps 2 and 4: the Accountable party."""
    ov = override
    if ov is not None and ov.sets_accountable:
        accountable = ov.accountable
    else:
        kinds = {
            ctx.model.functions[f].accountable
            for f in control.functions
            if f in ctx.model.functions
        }
        providers = _ordered(ctx, (p for s in shares for p in s.parties if p != "internal"))
        if "internal" in kinds:
            accountable = "internal"
        elif len(providers) == 1:
            accountable = providers[0]
            basis.append(
                BasisStep(
                    step="model",
                    text=f"The model makes the provider Accountable and exactly one is involved: {accountable}.",
                    citation=None,
                )
            )
        else:
            accountable = None
            why = (
                "no provider is involved"
                if not providers
                else f"several providers are involved ({', '.join(providers)})"
            )
            basis.append(
                BasisStep(
                    step="model",
                    text=f"The model makes the provider Accountable but {why}: nobody is Accountable.",
                    citation=None,
                )
            )
    if control.accountability == "non-delegable":
        if ov is not None and ov.sets_accountable and accountable != "internal":
            basis.append(
                BasisStep(
                    step="non-delegable",
                    text=f"The law keeps accountability for this control with the organization, but the override makes "
                    f"{accountable or 'nobody'} Accountable; kept as written and reported as a gap.",
                    citation=control.accountability_basis,
                )
            )
        else:
            if accountable != "internal":
                basis.append(
                    BasisStep(
                        step="non-delegable",
                        text=f"Accountability cannot be delegated: the organization is Accountable instead of {accountable or 'nobody'}.",
                        citation=control.accountability_basis,
                    )
                )
            else:
                basis.append(
                    BasisStep(
                        step="non-delegable",
                        text="Accountability cannot be delegated: the organization stays Accountable.",
                        citation=control.accountability_basis,
                    )
                )
            accountable = "internal"
    return accountable


def _designation_share(
    ctx: Context, control: Control, shares: list[Share], basis: list[BasisStep]
) -> list[Share]:
    """Step 5: the holder of the role this control requires is Responsible for it."""
    if control.designation is None:
        return shares
    rule = ROLES[control.designation]
    held = ctx.profile.designations.get(control.designation)
    if held is None:
        basis.append(
            BasisStep(
                step="designation",
                text=f"The profile names no {control.designation} ({rule.title}), which this control requires.",
                citation=rule.citation,
            )
        )
        return shares
    party = ctx.party_of(held.holder)
    kind = "person" if party == "internal" else "provider"
    basis.append(
        BasisStep(
            step="designation",
            text=f"{control.designation} is held by {held.holder} ({ctx.name(held.holder)}, a {kind}): Responsible for this control."
            + (
                ""
                if party == "internal" or rule.provider_may_hold
                else " The law does not let a provider hold this role."
            ),
            citation=rule.citation,
        )
    )
    return [
        *shares,
        Share(
            function=None,
            owner="internal" if party == "internal" else "provider",
            parties=(party,),
            source="designation",
            contracted=True,
        ),
    ]


def _accountable_person(
    ctx: Context, control: Control, accountable: str | None, basis: list[BasisStep]
) -> tuple[str | None, str | None]:
    """Step 6: an internal Accountable must be a named person, or it becomes null."""
    if accountable != "internal":
        return None, accountable
    person: str | None = None
    why = ""
    held = ctx.profile.designations.get(control.designation) if control.designation else None
    if held is not None and held.holder in ctx.people:
        person, why = held.holder, f"holder of {control.designation}"
    elif held is not None and held.overseer is not None:
        person, why = held.overseer, f"internal overseer of {control.designation}"
    else:
        for fid in control.functions:
            if ctx.people_by_function.get(fid):
                person, why = ctx.people_by_function[fid][0], f"covers {fid}"
                break
        else:
            if ctx.people_by_function.get("governance"):
                person, why = ctx.people_by_function["governance"][0], "covers governance"
    if person is None:
        basis.append(
            BasisStep(
                step="accountable-person",
                text=f"No internal person covers {', '.join(control.functions)} or governance: nobody can be named, "
                "so Accountable is null.",
                citation=None,
            )
        )
        return None, None
    basis.append(
        BasisStep(
            step="accountable-person",
            text=f"Accountable person: {person} ({ctx.name(person)}), {why}.",
            citation=None,
        )
    )
    return person, accountable


def _consulted_informed(
    ctx: Context,
    control: Control,
    override: Override | None,
    shares: list[Share],
    responsible: tuple[str, ...],
    accountable: str | None,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ov = override
    involved = [p for s in shares for p in s.parties if p != "internal"]
    if not involved:
        involved = [
            p
            for f in control.functions
            for p in ctx.providers_by_function.get(f, ())
            if p in ctx.operational
        ]
    if not involved:
        involved = list(ctx.operational)

    def expand(kinds: Iterable[str]) -> list[str]:
        out: list[str] = []
        for kind in kinds:
            out.extend(involved if kind == "provider" else [kind])
        return out

    defaults = [ctx.model.functions[f] for f in control.functions if f in ctx.model.functions]
    consulted = expand(k for d in defaults for k in d.consulted)
    informed = expand(k for d in defaults for k in d.informed)
    if ov is not None and ov.consulted is not None:
        consulted = list(ov.consulted)
    if ov is not None and ov.informed is not None:
        informed = list(ov.informed)
    taken = {*responsible, accountable}
    c = _ordered(ctx, (p for p in consulted if p not in taken))
    i = _ordered(ctx, (p for p in informed if p not in taken and p not in c))
    return c, i


def _ordered(ctx: Context, parties: Iterable[str]) -> tuple[str, ...]:
    """Unique parties, `internal` first, then providers in profile order."""
    return ctx.profile.party_order(parties)


def _owner_of(responsible: tuple[str, ...]) -> Owner:
    has_internal = "internal" in responsible
    has_provider = any(p != "internal" for p in responsible)
    if has_internal and has_provider:
        return "shared"
    if has_internal:
        return "internal"
    if has_provider:
        return "provider"
    return "unassigned"


def _default_owner(owner: Owner) -> DefaultOwner:
    return "shared" if owner == "unassigned" else owner


def _people(
    ctx: Context, control: Control, shares: list[Share], person: str | None
) -> tuple[str, ...]:
    found: list[str] = []
    for share in shares:
        if "internal" in share.parties and share.function is not None:
            found.extend(ctx.people_by_function.get(share.function, ()))
    held = ctx.profile.designations.get(control.designation) if control.designation else None
    if held is not None:
        found.extend(i for i in (held.holder, held.overseer) if i is not None and i in ctx.people)
    if person is not None:
        found.append(person)
    wanted = set(found)
    return tuple(p for p in ctx.people if p in wanted)


def designations(ctx: Context, assignments: Iterable[Assignment]) -> dict[str, DesignationEntry]:
    """Every role the frameworks require or the profile names, with its holder and overseer."""
    required: dict[str, list[str]] = {}
    for a in assignments:
        if not a.applicable:
            continue
        control = ctx.lib.controls[a.control]
        if control.designation:
            required.setdefault(control.designation, []).append(a.control)
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
        )
    return out


def by_provider(result: AssignResult, profile: Profile) -> ByProviderResult:
    """The responsibility matrix by party: per provider, what it manages, what the entity manages, what is shared.

    A provider's rows are the controls it is Responsible for plus the controls of the functions
    its agreement covers, so that the entity-managed part of its service is listed too.
    """
    applicable = [a for a in result.assignments if a.applicable and a.raci is not None]
    rows = []
    touched: set[str] = set()
    for provider in profile.providers:
        mine: list[str] = []
        entity: list[str] = []
        shared: list[str] = []
        for a in applicable:
            assert a.raci is not None
            responsible = a.raci.responsible
            relevant = provider.id in responsible or any(
                s.function in provider.functions for s in a.shares
            )
            if not relevant:
                continue
            if provider.id in responsible:
                touched.add(a.control)
                (mine if responsible == (provider.id,) else shared).append(a.control)
            elif responsible == ("internal",):
                entity.append(a.control)
        rows.append(
            ProviderMatrix(
                provider=provider.id,
                name=provider.name,
                agreement=provider.agreement,
                independent=provider.independent,
                managed_by_provider=tuple(mine),
                managed_by_entity=tuple(entity),
                shared=tuple(shared),
            )
        )
    return ByProviderResult(
        organization=result.organization,
        model=result.model,
        frameworks=result.frameworks,
        providers=tuple(rows),
        entity_only=tuple(
            a.control for a in applicable if a.owner == "internal" and a.control not in touched
        ),
        unassigned=tuple(a.control for a in applicable if a.owner == "unassigned"),
    )
