"""Ownership rules: work nobody does, nobody answers for, or nobody can do, and shares with no split."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ctrlmap.assessment.gaps.registry import (
    Facts,
    Finding,
    control_list,
    rule,
    shorten,
    unique_sorted,
)

if TYPE_CHECKING:
    pass


@rule("unowned", base=3)
def unowned(facts: Facts) -> Iterator[Finding]:
    """Work that nobody is Responsible for: a control, or a function's share of it, with no party."""
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    missing: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for a in facts.applicable.values():
        empty = [s for s in a.shares if s.function is not None and not s.parties]
        if empty or not (a.raci and a.raci.responsible):
            key = tuple(sorted(facts.control(a.control).functions))
            groups[key].append(a.control)
            missing[key].update(s.function for s in empty if s.function)
    for functions, keys in sorted(groups.items()):
        shares = sorted(missing[functions]) or list(functions)
        yield Finding(
            rule="unowned",
            controls=keys,
            functions=list(functions),
            parties=unique_sorted(p for k in keys for p in _accountable(facts, k)),
            message=f"Nobody does the {', '.join(shares)} work of {len(keys)} control(s) "
            f"({control_list(facts, keys)}): the model leaves it to a party the profile does not have, "
            "or no provider's agreement covers it.",
            remediation=f"Contract a provider for {', '.join(shares)}, give it to an internal person, "
            "or record an override naming who does it and why.",
            citation=facts.citations(keys),
        )


def _accountable(facts: Facts, key: str) -> list[str]:
    raci = facts.applicable[key].raci
    return [raci.accountable] if raci and raci.accountable else []


@rule("no-single-accountable", base=2)
def no_single_accountable(facts: Facts) -> Iterator[Finding]:
    """Controls with no Accountable party: nobody answers for the result."""
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for a in facts.applicable.values():
        if a.raci is not None and a.raci.accountable is None:
            groups[tuple(sorted(facts.control(a.control).functions))].append(a.control)
    for functions, keys in sorted(groups.items()):
        yield Finding(
            rule="no-single-accountable",
            controls=keys,
            functions=list(functions),
            parties=unique_sorted(p for k in keys for p in facts.applicable[k].raci.responsible),  # type: ignore[union-attr]
            message=f"Nobody is Accountable for {len(keys)} control(s) ({control_list(facts, keys)}): no single "
            "provider is involved and no internal person covers the work or governance.",
            remediation="Name an internal person who covers "
            f"{' or '.join(functions)} or governance, or record an override naming the Accountable party.",
            citation=facts.citations(keys),
        )


@rule("shared-without-split", base=2)
def shared_without_split(facts: Facts) -> Iterator[Finding]:
    """Shared work with no documented split: vague boundaries are where problems start."""
    controls: dict[str, list[str]] = defaultdict(list)
    providers: dict[str, set[str]] = defaultdict(set)
    for a in facts.applicable.values():
        for share in a.shares:
            others = [p for p in share.parties if p != "internal"]
            if (
                share.function
                and share.owner == "shared"
                and "internal" in share.parties
                and others
            ):
                controls[share.function].append(a.control)
                providers[share.function].update(others)
    for function, keys in sorted(controls.items()):
        undocumented = sorted(
            p
            for p in providers[function]
            if not any(
                s.function == function and s.provider in (None, p) for s in facts.profile.splits
            )
        )
        if not undocumented:
            continue
        yield Finding(
            rule="shared-without-split",
            controls=unique_sorted(keys),
            functions=[function],
            parties=["internal", *undocumented],
            people=facts.ctx.people_by_function.get(function, []),
            message=f"{function} is shared between the organization and {', '.join(undocumented)} in "
            f"{len(set(keys))} control(s), but nothing says who does which part.",
            remediation=f"Document the split for {function} (internal_part, provider_part, agreement) "
            "in the profile's splits and in the provider's statement of work.",
            citation=facts.citations(keys),
        )


@rule("non-delegable-accountability", base=3)
def non_delegable_accountability(facts: Facts) -> Iterator[Finding]:
    """A provider is Accountable for a control whose accountability the law keeps with the organisation."""
    groups: dict[str, list[str]] = defaultdict(list)
    for a in facts.applicable.values():
        control = facts.control(a.control)
        if (
            control.accountability == "non-delegable"
            and a.raci
            and a.raci.accountable not in (None, "internal")
        ):
            groups[a.raci.accountable].append(a.control)
    for party, keys in sorted(groups.items()):
        bases = list(dict.fromkeys(facts.control(k).accountability_basis or "" for k in keys))
        yield Finding(
            rule="non-delegable-accountability",
            controls=keys,
            parties=[party],
            roles=unique_sorted(r for k in keys if (r := facts.control(k).designation)),
            message=f"{facts.name(party)} is made Accountable for {len(keys)} control(s) "
            f"({control_list(facts, keys)}) whose accountability the law keeps with the organisation.",
            remediation="Make the organization Accountable (an internal person answers for it); the provider "
            "may stay Responsible for doing the work.",
            citation=shorten(bases[0]) + (f" and {len(bases) - 1} more" if len(bases) > 1 else ""),
        )


@rule("no-internal-capability", base=2)
def no_internal_capability(facts: Facts) -> Iterator[Finding]:
    """The organization is Responsible for work no internal person covers."""
    for (function, party), keys in sorted(facts.function_controls.items()):
        if party != "internal" or facts.ctx.people_by_function.get(function):
            continue
        yield Finding(
            rule="no-internal-capability",
            controls=unique_sorted(keys),
            functions=[function],
            parties=["internal"],
            message=f"The organization is Responsible for {function} in {len(set(keys))} control(s), "
            f"but none of its people covers {function}.",
            remediation=f"Give {function} to an internal person (their functions list), hire or train for it, "
            "or contract a provider and record an override.",
            citation=facts.citations(keys),
        )
