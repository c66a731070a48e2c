"""Ownership and RACI for every control, with the basis for each decision.

Resolution, each step recorded in the basis in the order it was applied (README, "How a control
is assigned"):
0. scope: a control excluded from scope, not asked by the organization's PCI DSS SAQ, not yet in
   force, or whose applicability facts fail is not applicable, with that reason;
1. an override wins for the fields it gives, quoting its reason;
2. reality first: each function's share goes to the parties that cover it, the internal people
   whose functions name it (or a documented split) and the providers whose agreement covers it
   within their frameworks; only when nobody covers a function does the model's default owner
   decide (the provider share then goes to the sole provider, recorded as not contracted, or
   stays unassigned). A share that departs from the model's default is recorded as a departure.
   An independence-required control goes to an independent assessor contracted for it. With the
   `target` arrangement (what `compare` plans towards) the model's defaults decide every share;
3. the Accountable party follows the model's default: internal when any function's default says
   so; else the one provider doing the work, the organization when no provider does it, nobody
   when several do;
4. a non-delegable control keeps the organization Accountable (an override saying otherwise is
   kept as written, for the gap rules);
5. the holder of a designated role is Responsible for the control that requires it and for the
   controls marked `duty_of` that role;
6. an internal Accountable needs a named person, or becomes null;
7. the result, stated once, so that the basis always agrees with it.
The engine never repairs reality: every mismatch is written into the basis for the gap rules.

Over 500 lines because the resolution steps are one ordered procedure, each writing its basis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ctrlmap.assessment.context import Arrangement, Context, Resolved
from ctrlmap.assessment.roles import (
    accountable_person,
    designation_shares,
    designations,
    held_roles,
)
from ctrlmap.errors import CtrlmapError, shown
from ctrlmap.load.library import Library
from ctrlmap.models import (
    Control,
    Override,
    Profile,
    global_key,
)
from ctrlmap.models.base import DefaultOwner, Owner, join_names, sentence
from ctrlmap.models.catalog import applies_when
from ctrlmap.models.results import (
    Assignment,
    AssignResult,
    BasisStep,
    Raci,
    Share,
    ShareSource,
)

DONE_BY: dict[str, str] = {
    "internal": "is done by the organization",
    "provider": "is done by the provider",
    "shared": "is shared between the organization and the provider",
}
"""A model's owner of a function, as the basis says it."""

ACCOUNTABLE_WORDS: dict[str, str] = {"internal": "the organization", "provider": "the provider"}


def applies(
    control: Control, facts: dict[str, tuple[str | bool, ...]]
) -> dict[str, tuple[str | bool, ...]] | None:
    """None when the control applies, else the conditions it failed."""
    if not control.applies_if:
        return None
    failed = {
        fact: wanted
        for fact, wanted in control.applies_if.items()
        if not any(value in facts.get(fact, ()) for value in wanted)
    }
    return failed or None


def assign_owners(
    profile: Profile,
    lib: Library,
    model_id: str | None = None,
    frameworks: Iterable[str] | None = None,
    include_proposed: bool = False,
    as_of: dt.date | None = None,
    arrangement: Arrangement = "actual",
) -> AssignResult:
    """Assign every control of the profile's frameworks (or of `frameworks`, a subset)."""
    model = lib.model(model_id or profile.model)
    ctx = Context.build(profile, model, lib, as_of, arrangement)
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
                f"framework {shown(fw)} is not in the profile's frameworks ({', '.join(profile.frameworks)})"
            )
    assignments = tuple(
        assign_control(ctx, fw, control, key)
        for fw in chosen
        for key, control in lib.keyed[fw]
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


def _not_applicable(
    ctx: Context, key: str, control: Control
) -> tuple[BasisStep, dict[str, tuple[str | bool, ...]] | None] | None:
    """Why the control is out of scope or not applicable, or None when it applies."""
    if key in ctx.excluded:
        return ctx.excluded[key], None
    failed = applies(control, ctx.facts)
    if failed is None:
        return None
    why = "; ".join(
        applies_when(fact, wanted, ctx.facts.get(fact, ())) for fact, wanted in failed.items()
    )
    return ctx.step(
        step="applicability", text=f"Not applicable: {why}.", citation=control.citation
    ), failed


def ignored_overrides(profile: Profile, lib: Library) -> dict[int, str]:
    """The overrides, by index, of controls that do not apply to the organization, each with why.

    Such an override changes nothing (the control is not assigned), which `validate` warns about.
    An effective date is left out (judged at the last day of the calendar): a duty that takes
    effect later only postpones the override, it does not make it pointless.
    """
    ctx = Context.build(profile, lib.model(profile.model), lib, dt.date.max)
    ignored: dict[int, str] = {}
    for index, override in enumerate(profile.overrides):
        control = lib.controls.get(override.control)
        framework = override.control.partition(":")[0]
        if control is None or framework not in profile.frameworks:
            continue
        outside = _not_applicable(ctx, override.control, control)
        if outside is not None:
            ignored[index] = outside[0].text
    return ignored


def assign_control(
    ctx: Context, framework: str, control: Control, key: str | None = None
) -> Assignment:
    """Resolve one control (`key`: its global key, when known), recording every step in its basis."""
    key = key or global_key(framework, control.id)
    if key in ctx.excluded:
        return _assignment(framework, control, key, outside=(ctx.excluded[key], None))
    if control.applies_if:
        # whether it applies depends on the facts it names alone: decided once per library, and
        # a control that does not apply is the same (frozen) assignment for every profile
        facts = tuple(ctx.facts.get(fact, ()) for fact in control.applies_if)
        decided = ctx.lib.memo("applicability")
        if (key, facts) not in decided:
            outside = _not_applicable(ctx, key, control)
            decided[(key, facts)] = (
                None if outside is None else _assignment(framework, control, key, outside=outside)
            )
        if decided[(key, facts)] is not None:
            return decided[(key, facts)]  # type: ignore[no-any-return]
    override = ctx.overrides.get(key)
    # Controls with the same framework, functions and flags resolve the same way in a profile.
    memo = (
        None
        if override is not None
        else (
            framework,
            control.functions,
            control.independence,
            control.accountability,
            control.accountability_basis,
            control.designation,
            control.duty_of,
            # the independence step quotes the control's own citation
            control.citation if _cites_itself(ctx, framework, control) else None,
        )
    )
    found = ctx.resolved.get(memo) if memo is not None else None
    if found is None:
        # numbered by how many controls came before: unique, whatever was resolved before
        found = (len(ctx.alike), _resolve(ctx, framework, control, override))
        if memo is not None:
            ctx.resolved[memo] = found
    ctx.alike[key] = found[0]
    return _assignment(framework, control, key, found[1])


def _assignment(
    framework: str,
    control: Control,
    key: str,
    resolved: Resolved | None = None,
    outside: tuple[BasisStep, dict[str, tuple[str | bool, ...]] | None] | None = None,
) -> Assignment:
    """A control's assignment: `resolved` when it applies, else why it does not (`outside`)."""
    if resolved is not None:
        owner, raci, people, shares, basis = resolved
    else:
        assert outside is not None
        owner, raci, people, shares, basis = None, None, (), (), (outside[0],)
    return Assignment(
        control=key,
        framework=framework,
        title=control.title,
        level=control.level,
        applicable=resolved is not None,
        owner=owner,
        raci=raci,
        people=people,
        shares=shares,
        basis=basis,
        excluded_by=outside[1] if outside is not None else None,
    )


def _cites_itself(ctx: Context, framework: str, control: Control) -> bool:
    """Whether the control's basis will quote its own citation (the independence step)."""
    if not ctx.assessors_by_function:  # no independent assessor: no independence step
        return False
    return any(_assessors(ctx, framework, control, f) for f in control.functions)


def _resolve(ctx: Context, framework: str, control: Control, override: Override | None) -> Resolved:
    """Steps 1 to 7 for one applicable control."""
    basis: list[BasisStep] = []
    shares = _shares(ctx, framework, control, override, basis)
    accountable = _accountable(ctx, control, override, shares, basis)
    shares = designation_shares(ctx, control, shares, basis)
    person, accountable = accountable_person(ctx, framework, control, accountable, basis)
    responsible = _ordered(ctx, (p for s in shares for p in s.parties))
    consulted, informed = _consulted_informed(
        ctx, framework, control, override, shares, responsible, accountable
    )
    raci = ctx.raci(
        responsible=responsible,
        accountable=accountable,
        accountable_person=person,
        consulted=consulted,
        informed=informed,
    )
    owner = _owner_of(responsible)
    basis.append(_result_step(ctx, owner, raci))
    return (owner, raci, _people(ctx, control, shares, person), tuple(shares), tuple(basis))


def _result_step(ctx: Context, owner: Owner, raci: Raci) -> BasisStep:
    """The outcome in one sentence: the last step, so that the basis ends on what it produced."""
    doers = ", ".join(ctx.party_name(p) for p in raci.responsible) or "nobody"
    if raci.accountable is None:
        answers = "nobody"
    elif raci.accountable_person is not None:
        answers = f"{ctx.party_name(raci.accountable)} ({ctx.name(raci.accountable_person)})"
    else:
        answers = ctx.party_name(raci.accountable)
    return ctx.step(
        step="result",
        text=f"Result: owner {owner}; Responsible {doers}; Accountable {answers}.",
        citation=None,
    )


def _override_shares(
    ctx: Context, framework: str, control: Control, ov: Override, basis: list[BasisStep]
) -> list[Share] | None:
    """Step 1: the override's own shares, when it says who does the work (else None)."""
    given = [
        f"owner {ov.owner}" if ov.owner else None,
        f"provider {ctx.name(ov.provider)}" if ov.provider else None,
        f"Responsible {join_names(ctx.party_name(p) for p in ov.responsible) or 'nobody'}"
        if ov.responsible is not None
        else None,
        f"Accountable {ctx.party_name(ov.accountable) if ov.accountable else 'nobody'}"
        if ov.sets_accountable
        else None,
    ]
    ref = f" ({ov.reference})" if ov.reference else ""
    basis.append(
        ctx.step(
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
                contracted=all(p == "internal" or ctx.contracted(p, f) for p in parties),
            )
            for f in control.functions
        ]
    if ov.owner is not None:
        return [
            _model_share(ctx, framework, f, ov.owner, "override", basis, ov.provider)
            for f in control.functions
        ]
    return None


def _shares(
    ctx: Context,
    framework: str,
    control: Control,
    override: Override | None,
    basis: list[BasisStep],
) -> list[Share]:
    """Steps 1 and 2: who does each function's share of the control.

    Long because the override, assessor, coverage and model paths are the resolution order itself.
    """
    if override is not None:
        found = _override_shares(ctx, framework, control, override, basis)
        if found is not None:
            return found
    named = override.provider if override is not None else None
    shares = []
    for fid in control.functions:
        default = ctx.model.functions.get(fid)
        assessors = () if named else _assessors(ctx, framework, control, fid)
        if assessors:
            shares.append(_assessor_share(ctx, control, fid, assessors, basis))
            continue
        if named is None and ctx.arrangement == "actual":
            covered = _covered_share(ctx, framework, fid, default.owner if default else None, basis)
            if covered is not None:
                shares.append(covered)
                continue
        if default is None:
            basis.append(
                ctx.step(
                    step="model",
                    text=f"Nobody covers {ctx.function(fid)} and the {ctx.model.title} model has "
                    "no default for it: its share is unassigned.",
                    citation=None,
                )
            )
            shares.append(
                Share(function=fid, owner="shared", parties=(), source="model", contracted=True)
            )
            continue
        lead = (
            f"The {ctx.model.title} model"
            if ctx.arrangement == "target" or named
            else f"Nobody covers {ctx.function(fid)}, so the {ctx.model.title} model decides"
        )
        basis.append(
            ctx.step(
                step="model",
                text=f"{lead}: {ctx.function(fid)} {DONE_BY[default.owner]}, "
                f"{ACCOUNTABLE_WORDS[default.accountable]} accountable ({default.rationale}).",
                citation=None,
            )
        )
        source: ShareSource = "override" if named and default.owner != "internal" else "model"
        shares.append(_model_share(ctx, framework, fid, default.owner, source, basis, named))
    if named and not any(named in s.parties for s in shares):
        basis.append(
            ctx.step(
                step="provider",
                text=f"The override names {ctx.name(named)}, but every function of this control stays with "
                "the organization: give an owner in the override to move it.",
                citation=None,
            )
        )
    return shares


def _covered_share(
    ctx: Context,
    framework: str,
    fid: str,
    model_owner: DefaultOwner | None,
    basis: list[BasisStep],
) -> Share | None:
    """Step 2, reality first: the parties that cover this function, or None when nobody does.

    Found once per framework and function in a profile: every control of that function reads it.
    """
    key = (framework, fid, model_owner)
    found = ctx.covered.get(key)
    if found is None:
        steps: list[BasisStep] = []
        share = _find_coverage(ctx, framework, fid, model_owner, steps)
        found = ctx.covered[key] = (share, tuple(steps))
    basis.extend(found[1])
    return found[0]


def _find_coverage(
    ctx: Context,
    framework: str,
    fid: str,
    model_owner: DefaultOwner | None,
    basis: list[BasisStep],
) -> Share | None:
    people = ctx.people_by_function.get(fid, [])
    split_providers = ctx.split_providers(fid, framework)
    providers = list(dict.fromkeys([*ctx.covering(fid, framework), *split_providers]))
    internal = bool(people) or any(s.internal_part for s in ctx.splits.get(fid, ()))
    if not internal and not providers:
        return None
    parties = _ordered(ctx, (["internal"] if internal else []) + providers)
    owner = _default_owner(_owner_of(parties))
    doers = []
    if people:
        doers.append(_named(ctx, people) + " (internal)")
    elif internal:
        doers.append("the organization, under a documented split")
    for p in providers:
        agreement = ctx.providers[p].agreement
        how = (
            "a documented split"
            if p not in ctx.covering(fid, framework)
            else (agreement or "its listed functions (no agreement named)")
        )
        doers.append(f"{ctx.name(p)} under {how}")
    basis.append(
        ctx.step(
            step="coverage",
            text=f"{sentence(ctx.function(fid))} is done by {'; '.join(doers)}.",
            citation=None,
        )
    )
    departs = model_owner is not None and model_owner != owner
    if model_owner is not None and departs:
        basis.append(
            ctx.step(
                step="departure",
                text=f"This departs from the {ctx.model.title} model, in which {ctx.function(fid)} "
                f"{DONE_BY[model_owner]}: "
                "the profile's people and agreements decide who does the work.",
                citation=None,
            )
        )
    return Share(
        function=fid,
        owner=owner,
        parties=parties,
        source="coverage",
        contracted=all(p == "internal" or ctx.contracted(p, fid) for p in parties),
        model_owner=model_owner if departs else None,
    )


def _assessor_share(
    ctx: Context, control: Control, fid: str, assessors: tuple[str, ...], basis: list[BasisStep]
) -> Share:
    names = ", ".join(
        f"{ctx.name(a)} ({ctx.providers[a].agreement or 'agreement not named'})" for a in assessors
    )
    lead = (
        "This control must be done independently of the work assessed: "
        if control.independence
        else ""
    )
    basis.append(
        ctx.step(
            step="independence",
            text=f"{lead}{ctx.function(fid) if lead else sentence(ctx.function(fid))} is performed by "
            f"the independent assessor {names}, "
            "commissioned by the organization.",
            citation=control.citation,
        )
    )
    return Share(
        function=fid,
        owner="provider",
        parties=assessors,
        source="independent-assessor",
        contracted=True,
    )


def _assessors(ctx: Context, framework: str, control: Control, fid: str) -> tuple[str, ...]:
    """The independent assessors that take this share, if any.

    An independent assessor contracted for `independent-assessment` takes that function's share
    of any control. A control that must be done independently goes wholly to the assessors
    contracted for any of its functions: splitting it would leave part with the operators.
    """
    if control.independence == "required":
        found = {a for f in control.functions for a in ctx.assessors(f, framework)}
        return tuple(p for p in ctx.providers if p in found)
    if fid == "independent-assessment":
        return tuple(ctx.assessors(fid, framework))
    return ()


def _model_share(
    ctx: Context,
    framework: str,
    fid: str,
    owner: DefaultOwner,
    source: ShareSource,
    basis: list[BasisStep],
    named: str | None,
) -> Share:
    """The model's (or an override's) owner decides: find the parties behind the share.

    Long because each way of finding (or not finding) the provider is recorded in words.
    """
    parties: list[str] = []
    contracted = True
    if owner in ("internal", "shared"):
        parties.append("internal")
    if owner in ("provider", "shared"):
        found = list(ctx.covering(fid, framework))
        operational = ctx.operational(framework)
        if named is not None:
            parties.append(named)
            if not ctx.contracted(named, fid):
                contracted = False
                basis.append(
                    ctx.step(
                        step="provider",
                        text=f"The override names {ctx.name(named)} for {ctx.function(fid)}, which its "
                        "agreement does not cover: not contracted.",
                        citation=None,
                    )
                )
        elif found:
            parties.extend(found)
            contracted = all(ctx.contracted(p, fid) for p in found)
            single = ctx.providers[found[0]].agreement if len(found) == 1 else None
            basis.append(
                ctx.step(
                    step="provider",
                    text=f"The provider share of {ctx.function(fid)} goes to "
                    f"{join_names(ctx.name(p) for p in found)}, whose agreement covers it"
                    + (f" ({single})." if single else "."),
                    citation=None,
                )
            )
        elif len(operational) == 1:
            sole = operational[0]
            parties.append(sole)
            contracted = False
            basis.append(
                ctx.step(
                    step="provider",
                    text=f"No provider's agreement covers {ctx.function(fid)}; {ctx.name(sole)} is the "
                    "only provider for this "
                    "framework, so it is named, but it is not contracted for this function.",
                    citation=None,
                )
            )
        else:
            count = len(operational)
            basis.append(
                ctx.step(
                    step="provider",
                    text=f"No provider's agreement covers {ctx.function(fid)} and the profile has "
                    + (
                        "no operational provider"
                        if count == 0
                        else f"{count} operational providers"
                    )
                    + (
                        " for this framework: the organization does all of it."
                        if owner == "shared"
                        else " for this framework: nobody does it (reported as unowned)."
                    ),
                    citation=None,
                )
            )
    return Share(
        function=fid, owner=owner, parties=tuple(parties), source=source, contracted=contracted
    )


def _accountable(
    ctx: Context,
    control: Control,
    override: Override | None,
    shares: list[Share],
    basis: list[BasisStep],
) -> str | None:
    """Steps 3 and 4: the Accountable party."""
    ov = override
    if ov is not None and ov.sets_accountable:
        accountable = ov.accountable
    else:
        accountable = _default_accountable(ctx, control, shares, basis)
    if control.accountability == "non-delegable":
        if ov is not None and ov.sets_accountable and accountable != "internal":
            text = (
                "The law keeps accountability for this control with the organization, but the override "
                f"makes {ctx.party_name(accountable) if accountable else 'nobody'} Accountable; kept "
                "as written and reported as a gap."
            )
        elif accountable != "internal":
            text = (
                "Accountability cannot be delegated: the organization is Accountable instead of "
                f"{ctx.party_name(accountable) if accountable else 'nobody'}."
            )
            accountable = "internal"
        else:
            text = "Accountability cannot be delegated: the organization stays Accountable."
        basis.append(
            ctx.step(step="non-delegable", text=text, citation=control.accountability_basis)
        )
    return accountable


def _default_accountable(
    ctx: Context, control: Control, shares: list[Share], basis: list[BasisStep]
) -> str | None:
    """Step 3: internal when any function's default says so; else the one provider doing it."""
    kinds = {
        ctx.model.functions[f].accountable for f in control.functions if f in ctx.model.functions
    }
    if "internal" in kinds:
        return "internal"
    providers = _ordered(ctx, (p for s in shares for p in s.parties if p != "internal"))
    if len(providers) == 1:
        basis.append(
            ctx.step(
                step="model",
                text="The model makes the provider Accountable and exactly one does the work: "
                f"{ctx.name(providers[0])}.",
                citation=None,
            )
        )
        return providers[0]
    doers = {p for s in shares for p in s.parties}
    if not providers and ctx.arrangement == "actual" and "internal" in doers:
        basis.append(
            ctx.step(
                step="departure",
                text="The model makes the provider Accountable, but the organization does this work "
                "itself: the organization is Accountable.",
                citation=None,
            )
        )
        return "internal"
    why = (
        "no provider is involved"
        if not providers
        else f"several providers do the work ({join_names(ctx.name(p) for p in providers)})"
    )
    basis.append(
        ctx.step(
            step="model",
            text=f"The model makes the provider Accountable but {why}: nobody is Accountable.",
            citation=None,
        )
    )
    return None


def _consulted_informed(
    ctx: Context,
    framework: str,
    control: Control,
    override: Override | None,
    shares: list[Share],
    responsible: tuple[str, ...],
    accountable: str | None,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ov = override
    operational = ctx.operational(framework)
    involved = [p for s in shares for p in s.parties if p != "internal" and p in operational]
    if not involved:
        involved = [p for f in control.functions for p in ctx.covering(f, framework)]
    if not involved:
        involved = list(operational)

    def expand(kinds: frozenset[str]) -> list[str]:
        # order and repeats do not matter: `_ordered` sorts the parties and keeps each once
        return [k for k in kinds if k != "provider"] + (involved if "provider" in kinds else [])

    consulted_kinds, informed_kinds = _kept_informed(ctx, control.functions)
    consulted = expand(consulted_kinds)
    informed = expand(informed_kinds)
    if any(s.source == "duty" and "internal" not in s.parties for s in shares):
        consulted.append(
            "internal"
        )  # a provider performs the role's duty; the organization is consulted
    if ov is not None and ov.consulted is not None:
        consulted = list(ov.consulted)
    if ov is not None and ov.informed is not None:
        informed = list(ov.informed)
    taken = {*responsible, accountable}
    c = _ordered(ctx, (p for p in consulted if p not in taken))
    i = _ordered(ctx, (p for p in informed if p not in taken and p not in c))
    return c, i


def _kept_informed(
    ctx: Context, functions: tuple[str, ...]
) -> tuple[frozenset[str], frozenset[str]]:
    """Whom the model's defaults for these functions consult and inform (party kinds), found
    once per library for each model and set of functions (a model outside the library's, once
    per call)."""
    key = (ctx.model.id, functions)
    known: dict[tuple[str, tuple[str, ...]], tuple[frozenset[str], frozenset[str]]] = (
        ctx.lib.memo("kept-informed") if ctx.lib.models.get(ctx.model.id) is ctx.model else {}
    )
    found = known.get(key)
    if found is None:
        model = ctx.model.functions
        defaults = [model[f] for f in functions if f in model]
        found = known[key] = (
            frozenset(k for d in defaults for k in d.consulted),
            frozenset(k for d in defaults for k in d.informed),
        )
    return found


NAMED_AT_MOST = 5
"""How many people a coverage step names before it counts the rest: the basis stays readable,
and the assignment's `people` lists every one of them."""


def _named(ctx: Context, people: list[str]) -> str:
    """`Ann, Bob` or `Ann, Bob, Cy, Di, Ed and 3 more`."""
    shown = ", ".join(ctx.name(p) for p in people[:NAMED_AT_MOST])
    more = len(people) - NAMED_AT_MOST
    return shown + (f" and {more} more" if more > 0 else "")


def _ordered(ctx: Context, parties: Iterable[str]) -> tuple[str, ...]:
    """Unique parties, `internal` first, then providers in profile order."""
    return ctx.order(parties)


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
    for _, holder, overseer in held_roles(ctx, control):
        found.extend(i for i in (holder, overseer) if i is not None and i in ctx.people)
    if person is not None:
        found.append(person)
    wanted = set(found)
    return tuple(p for p in ctx.people if p in wanted)
