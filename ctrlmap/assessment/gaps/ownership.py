"""Ownership rules: work nobody does, nobody answers for, or nobody can do, and shares with no split."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from ctrlmap.assessment.gaps.registry import (
    Facts,
    Finding,
    control_list,
    remedy,
    rule,
    shorten,
    unique_sorted,
)
from ctrlmap.models.base import join_names, plural, sentence


@rule(
    "unowned",
    base="high",
    why="Required work nobody does: an examiner cites the control as not implemented.",
)
def unowned(facts: Facts) -> Iterator[Finding]:
    """Work that nobody is Responsible for: a control, or a function's share of it, with no party."""
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    missing: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for a in facts.applicable.values():
        empty = [s for s in a.shares if s.function is not None and not s.parties]
        if empty or not a.responsible:
            key = tuple(sorted(facts.control(a.control).functions))
            groups[key].append(a.control)
            missing[key].update(s.function for s in empty if s.function)
    for functions, keys in sorted(groups.items()):
        shares = sorted(missing[functions]) or list(functions)
        yield Finding(
            rule="unowned",
            key=functions,
            controls=keys,
            functions=list(functions),
            parties=unique_sorted(p for k in keys if (p := facts.applicable[k].accountable)),
            message=f"Nobody does the {facts.functions(shares)} work of {plural(len(keys), 'control')} "
            f"({control_list(facts, keys)}): no internal person covers it and no provider's "
            "agreement does.",
            remediation=remedy(
                f"Assign {facts.functions(shares)} to a member of staff, or contract a provider "
                "for it.",
                "add the function to the person's functions, or to the provider's functions.",
            ),
            citation=facts.citations(keys),
        )


@rule(
    "no-single-accountable",
    base="medium",
    why="Nobody answers for the result; raised to high when many controls rest on it.",
)
def no_single_accountable(facts: Facts) -> Iterator[Finding]:
    """Controls with no Accountable party: nobody answers for the result."""
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for a in facts.applicable.values():
        if a.raci is not None and a.raci.accountable is None:
            groups[tuple(sorted(facts.control(a.control).functions))].append(a.control)
    for functions, keys in sorted(groups.items()):
        doers = facts.profile.party_order(p for k in keys for p in facts.applicable[k].responsible)
        cause, fix = _why_nobody_accountable(facts, functions, keys)
        yield Finding(
            rule="no-single-accountable",
            key=functions,
            controls=keys,
            functions=list(functions),
            parties=list(doers),
            message=f"Nobody is Accountable for {plural(len(keys), 'control')} ({control_list(facts, keys)}): {cause}.",
            remediation=fix,
            citation=facts.citations(keys),
        )


def _for_frameworks(facts: Facts, functions: str | Iterable[str], keys: Iterable[str]) -> str:
    """` for <framework> work` when a provider has the function, but only for other frameworks.

    A provider's agreement may cover only some frameworks (ChartCloud: HIPAA, never card data);
    "no provider is contracted for it" would be false of the function, true of this framework.
    """
    fids = {functions} if isinstance(functions, str) else set(functions)
    frameworks = list(dict.fromkeys(k.partition(":")[0] for k in keys))
    elsewhere = any(
        fids & set(p.functions) and not any(p.serves(fw) for fw in frameworks)
        for p in facts.profile.providers
    )
    if not elsewhere:
        return ""
    return f" for {join_names(facts.framework(fw) for fw in frameworks)} work"


def _why_nobody_accountable(
    facts: Facts, functions: tuple[str, ...], keys: list[str]
) -> tuple[str, str]:
    """What actually leaves these controls without an Accountable party, and the fix for it.

    Four paths lead there (assign.py, steps 1, 3 and 6): an override saying nobody; several
    providers doing work the model makes the provider's; no provider doing it at all; and an
    internal Accountable with no person to name. Each control's own path is read, so the reason
    stated is the one that holds, not the last resort.
    """
    causes: list[str] = []
    fixes: list[tuple[str, str]] = []
    overridden = [k for k in keys if (ov := facts.ctx.overrides.get(k)) and ov.sets_accountable]
    unnamed = [
        k
        for k in keys
        if k not in overridden
        and any(s.step == "accountable-person" for s in facts.applicable[k].basis)
    ]
    rest = [k for k in keys if k not in overridden and k not in unnamed]
    providers = [
        p
        for p in facts.profile.party_order(p for k in rest for p in facts.applicable[k].responsible)
        if p != "internal"
    ]
    if overridden:
        causes.append("the override for these controls makes nobody Accountable")
        fixes.append(
            (
                "Name the party that answers for this work in the override.",
                "accountable in the override: internal, or the provider.",
            )
        )
    if len(providers) > 1:
        documented = [s for f in functions for s in facts.ctx.splits.get(f, ())]
        unsplit = [
            p
            for p in providers
            if not any(
                s.provider == p or (s.provider is None and len(facts.profile.providers) == 1)
                for s in documented
            )
        ]
        if unsplit:
            causes.append(
                f"{facts.names(providers)} each do part of the work and the model makes the "
                "provider Accountable, so no single party answers for it"
            )
            fixes.append(
                (
                    "Designate one party Accountable (usually the organization, with the person "
                    f"who oversees these providers) and document which part {facts.names(unsplit)} "
                    f"{'does' if len(unsplit) == 1 else 'each do'}.",
                    f"an override naming the Accountable party, and a split for "
                    f"{facts.names(unsplit)}.",
                )
            )
        else:
            causes.append(
                f"{facts.names(providers)} each do their documented part of the work, but the "
                "model makes the provider Accountable, so no single party answers for the whole"
            )
            fixes.append(
                (
                    "Designate one party Accountable for the whole (usually the organization, with "
                    "the person who oversees these providers).",
                    "an override for these controls naming the Accountable party.",
                )
            )
    elif rest:
        causes.append(
            f"the model makes a provider Accountable for {facts.functions(functions)}, but no "
            f"provider does it{_for_frameworks(facts, functions, rest)}"
        )
        fixes.append(
            (
                "Contract a provider for this work, or make the organization Accountable with a "
                "named person who answers for it.",
                "the function in the provider's functions, or an override naming the Accountable "
                "party.",
            )
        )
    if unnamed:
        causes.append("no internal person covers the work or governance, so nobody can be named")
        fixes.append(
            (
                "Designate a member of staff to answer for this work: someone who does "
                f"{facts.functions(functions, 'or')} or governance.",
                "add the function to that person's functions, or an override naming the "
                "Accountable party.",
            )
        )
    if len(fixes) == 1:
        return causes[0], remedy(*fixes[0])
    return "; ".join(causes), remedy(
        " ".join(f[0] for f in fixes), "; ".join(f[1].rstrip(".") for f in fixes) + "."
    )


@rule(
    "shared-without-split",
    base="medium",
    why="Undocumented boundaries are where work is dropped; not a violation by itself.",
)
def shared_without_split(facts: Facts) -> Iterator[Finding]:
    """Work done by several parties with no documented split: vague boundaries are where problems start."""
    controls: dict[str, list[str]] = defaultdict(list)
    providers: dict[str, set[str]] = defaultdict(set)
    internal: dict[str, bool] = defaultdict(bool)
    for a in facts.applicable.values():
        for share in a.shares:
            others = [p for p in share.parties if p != "internal"]
            if share.function and len(share.parties) > 1 and others:
                controls[share.function].append(a.control)
                providers[share.function].update(others)
                internal[share.function] |= "internal" in share.parties
    for function, keys in sorted(controls.items()):
        documented = facts.ctx.splits.get(function, [])
        undocumented = [
            p
            for p in facts.profile.party_order(providers[function])
            if not any(
                s.provider == p or (s.provider is None and len(facts.profile.providers) == 1)
                for s in documented
            )
        ]
        if not undocumented:
            continue
        between = facts.names((["internal"] if internal[function] else []) + undocumented)
        yield Finding(
            rule="shared-without-split",
            key=(function,),
            controls=unique_sorted(keys),
            functions=[function],
            parties=(["internal"] if internal[function] else []) + undocumented,
            people=facts.ctx.people_by_function.get(function, []),
            message=sentence(
                f"{facts.function(function)} is done by {between} in "
                f"{plural(len(set(keys)), 'control')}, but nothing says who does which part."
            ),
            remediation=remedy(
                f"Document who does which part of {facts.function(function)} in each provider's "
                "statement of work.",
                "a split for the function, one per provider (the organization's part, the "
                "provider's part, the agreement).",
            ),
            citation="ctrlmap practice, on the work of " + facts.citations(keys),
        )


@rule(
    "non-delegable-accountability",
    base="critical",
    why="The law keeps this accountability with the organization; a provider answering for it "
    "is a compliance failure in itself ({cites}).",
    cites={
        "hipaa-security": "45 CFR 160.402(c)",
        "hipaa-breach": "45 CFR 160.402(c)",
        "glba-safeguards": "16 CFR 314.4(a)(1)",
        "nydfs-500": "23 NYCRR 500.4(a)(1)",
        "aba-model-rules": "ABA Model Rules 5.1, 5.3",
    },
)
def non_delegable_accountability(facts: Facts) -> Iterator[Finding]:
    """A provider is Accountable for a control whose accountability the law keeps with the organization."""
    groups: dict[str, list[str]] = defaultdict(list)
    for a in facts.applicable.values():
        control = facts.control(a.control)
        if control.accountability == "non-delegable" and a.accountable not in (None, "internal"):
            groups[a.accountable].append(a.control)
    for party, keys in sorted(groups.items()):
        bases = list(dict.fromkeys(facts.control(k).accountability_basis or "" for k in keys))
        yield Finding(
            rule="non-delegable-accountability",
            key=(party,),
            controls=keys,
            parties=[party],
            roles=unique_sorted(r for k in keys if (r := facts.control(k).designation)),
            message=f"{facts.name(party)} is made Accountable for {plural(len(keys), 'control')} "
            f"({control_list(facts, keys)}) whose accountability the law keeps with the organization.",
            remediation=remedy(
                "Make the organization Accountable, with a named person who answers for it; the "
                "provider may stay Responsible for doing the work.",
                "the override for these controls, accountable: internal.",
            ),
            citation=shorten(bases[0]) + (f" and {len(bases) - 1} more" if len(bases) > 1 else ""),
        )


@rule(
    "no-internal-capability",
    base="high",
    why="The organization holds work none of its people can do: it is not being done.",
)
def no_internal_capability(facts: Facts) -> Iterator[Finding]:
    """The organization is Responsible for work no internal person covers."""
    for (function, party), keys in sorted(facts.function_controls.items()):
        if party != "internal" or facts.ctx.people_by_function.get(function):
            continue
        if any(s.internal_part for s in facts.ctx.splits.get(function, ())):
            continue  # a documented split says what the organization's part is
        # work that must be independent is reported by self-assessment, with its own remedy
        keys = [k for k in keys if facts.control(k).independence != "required"]
        if not keys:
            continue
        if function == "independent-assessment":
            fix = remedy(
                "Commission an outside assessor, independent of the work assessed.",
                "the assessor as a provider, independent: true, with independent-assessment in "
                "its functions.",
            )
        else:
            fix = remedy(
                f"Assign {facts.function(function)} to a member of staff (hire or train for it), "
                "or contract a provider for it.",
                "add the function to the person's functions, or to the provider's functions.",
            )
        yield Finding(
            rule="no-internal-capability",
            key=(function,),
            controls=unique_sorted(keys),
            functions=[function],
            parties=["internal"],
            message=f"The organization is Responsible for {facts.function(function)} in "
            f"{plural(len(set(keys)), 'control')}, but none of its people covers it and no provider is "
            f"contracted for it{_for_frameworks(facts, function, keys)}.",
            remediation=fix,
            citation=facts.citations(keys),
        )
