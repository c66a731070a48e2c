"""Read a profile and resolve every reference it makes against the library.

Over 500 lines because every cross-reference a profile can make has its own check and message.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ctrlmap.errors import InputError, Problem, shown
from ctrlmap.load import resources
from ctrlmap.load.library import Library
from ctrlmap.load.problems import data_path, unknown, validate
from ctrlmap.load.read import Document, parse_document, read_document
from ctrlmap.load.resources import PROFILE_MAX_BYTES
from ctrlmap.models import (
    RESERVED_IDS,
    Person,
    Profile,
    Provider,
    global_key,
    split_key,
)
from ctrlmap.models.base import is_placeholder
from ctrlmap.models.profile import LIST_SECTIONS


def load_profile(
    path: Path | str, lib: Library, name: str | None = None
) -> tuple[Profile, Document]:
    """Read and validate a profile, resolving every reference against the library."""
    return _validated(read_document(Path(path), name, max_bytes=PROFILE_MAX_BYTES), lib)


def load_profile_text(text: str, lib: Library, name: str) -> tuple[Profile, Document]:
    """Validate a profile not yet written anywhere, exactly as `load_profile` would read it."""
    return _validated(parse_document(text.encode("utf-8"), name), lib)


def _validated(doc: Document, lib: Library) -> tuple[Profile, Document]:
    _check_sizes(doc)
    try:
        profile = validate(Profile, doc)
    except InputError as exc:
        # Check the references of the sections that did validate too, so that every problem of
        # the file is reported at once.
        raise InputError(exc.problems + _check_rest(doc, lib, exc.problems)) from None
    problems = check_profile(profile, doc, lib)
    if problems:
        raise InputError(problems)
    return profile, doc


def _check_sizes(doc: Document) -> None:
    """Refuse a profile with more people, providers or overrides than ctrlmap assesses in
    seconds (the limits in ctrlmap.load.resources), before any of it is validated."""
    if not isinstance(doc.data, dict):
        return
    problems = []
    for section, noun, limit in (
        ("internal", "people", resources.MAX_PEOPLE),
        ("providers", "providers", resources.MAX_PROVIDERS),
        ("overrides", "overrides", resources.MAX_OVERRIDES),
    ):
        items = doc.data.get(section)
        if isinstance(items, list) and len(items) > limit:
            problems.append(
                doc.problem(
                    (section,),
                    f"{len(items):,} {noun} is over ctrlmap's limit of {limit:,}; split the "
                    "profile (e.g. one per business unit) and assess each part",
                )
            )
    if problems:
        raise InputError(problems)


def _check_rest(doc: Document, lib: Library, found: list[Problem]) -> list[Problem]:
    """The reference problems of a profile that failed its schema, found in the same pass.

    The profile is salvaged (`_salvage`) and checked like a valid one; what the schema already
    reported, and any knock-on of it, is not reported again.
    """
    if not isinstance(doc.data, dict):
        return []
    salvaged = _salvage(doc.data, lib)
    if salvaged is None:
        return []
    partial, positions, broken = salvaged
    located = _Renumbered(
        doc.name, doc.data, doc.sha256, doc.text, doc.is_json, positions=positions
    )
    located._lines = doc._lines
    seen = {(p.line, p.field, p.message) for p in found}
    return [
        p
        for p in check_profile(partial, located, lib, broken)
        if (p.line, p.field, p.message) not in seen
    ]


_LISTS = frozenset(LIST_SECTIONS)
"""The sections that are lists of entries: an entry that cannot be repaired is left out whole."""
_GONE = object()
"""Marks an entry left out of the salvaged profile (its neighbours keep their positions)."""
_SALVAGE_ROUNDS = 10
_STAND_INS = {
    "name": "(stand-in)",
    "reason": "(stand-in)",
    "provider_part": "(stand-in)",
    "agreement": "(stand-in)",
    "reference": "(stand-in)",
    "reviewed": "2000-01-01",
    "approved": "0001-01-01",
    "expires": "9999-12-31",
}
"""Values for the required fields of an entry that no reference check reads, put in when the
file's value is missing or bad, so that the rest of the entry (its id, control or functions) is
still checked. The dates are the widest, so that no expiry comes before its approval."""


@dataclass
class _Renumbered(Document):
    """The document seen through a salvaged profile: an entry's position in the salvaged
    section is mapped back to its position in the file, so that every problem points at its line."""

    positions: dict[str, list[int]] = field(default_factory=dict)

    def problem(self, path: tuple[Any, ...], message: str) -> Problem:
        if len(path) >= 2 and path[0] in self.positions and isinstance(path[1], int):
            path = (path[0], self.positions[path[0]][path[1]], *path[2:])
        return super().problem(path, message)


def _salvage(
    data: dict[str, Any], lib: Library
) -> tuple[Profile, dict[str, list[int]], dict[str, set[str]]] | None:
    """The profile with what failed its schema taken out, for the reference checks.

    An unknown key or a bad value is removed (the rest of its entry is still checked: a provider
    with a misspelt key still has its functions checked), a required field no check reads (a
    name, a reason, a date) gets a stand-in; an entry that cannot stand without the value (a bad
    id, control or function) is left out whole, and the id of a person or provider so
    left out stays known, so that references to it raise no knock-on errors. Required top-level
    values are replaced by stand-ins that raise nothing. Returns the salvaged profile, each list
    section's surviving positions, and the ids of the people and providers left out; None when
    nothing sensible is left.
    """
    work = copy.deepcopy(data)
    broken: dict[str, set[str]] = {"internal": set(), "providers": set()}
    for _ in range(_SALVAGE_ROUNDS):
        compact, positions = _compact(work)
        try:
            return Profile.model_validate(compact), positions, broken
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
        changed = [_prune(work, positions, err, broken, lib) for err in errors]
        if not any(changed):
            return None
    return None


def _compact(work: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The data with left-out entries dropped, and where each remaining entry stands in the file."""
    compact = dict(work)
    positions: dict[str, list[int]] = {}
    for section in _LISTS:
        items = work.get(section)
        if isinstance(items, list):
            kept = [i for i, item in enumerate(items) if item is not _GONE]
            positions[section] = kept
            compact[section] = [items[i] for i in kept]
    return compact, positions


def _stand_in(key: str, lib: Library) -> Any:
    """A value for a required top-level key that raises no problem of its own."""
    if key == "organization":
        return {"name": "?"}
    if key == "frameworks":
        return [c for c in lib.catalogs if not lib.catalogs[c].hub]
    return next(iter(lib.models), "?")


def _prune(
    work: dict[str, Any],
    positions: dict[str, list[int]],
    err: Any,
    broken: dict[str, set[str]],
    lib: Library,
) -> bool:
    """Take out of `work` what one schema error is about; False when nothing could be."""
    loc = list(err["loc"])
    if len(loc) >= 2 and loc[0] in positions and isinstance(loc[1], int):
        loc[1] = positions[loc[0]][loc[1]]
    if loc and loc[-1] == "[key]":
        loc.pop()
    if (
        len(loc) == 3
        and loc[0] in _LISTS
        and isinstance(loc[1], int)
        and loc[2] in _STAND_INS
        and isinstance(work.get(loc[0]), list)
        and isinstance(work[loc[0]][loc[1]], dict)
    ):
        entry = work[loc[0]][loc[1]]
        if entry.get(loc[2]) != _STAND_INS[loc[2]]:
            entry[loc[2]] = _STAND_INS[loc[2]]
            return True
    if err["type"] == "missing":
        if len(loc) == 1:
            return _remove(work, (loc[0],), broken, lib)
        loc.pop()
    path = _unit(data_path(work, tuple(loc), keep_last=False))
    return _remove(work, path, broken, lib)


def _unit(path: tuple[Any, ...]) -> tuple[Any, ...]:
    """The part of a path that can be taken out alone: an item of a list inside an entry takes
    its whole list with it (taking out one item would renumber the others)."""
    out: list[Any] = []
    for i, part in enumerate(path):
        if isinstance(part, int) and not (i == 1 and path[0] in _LISTS):
            break
        out.append(part)
    return tuple(out)


def _remove(
    work: dict[str, Any], path: tuple[Any, ...], broken: dict[str, set[str]], lib: Library
) -> bool:
    if not path:
        return False
    section = path[0]
    if len(path) == 1:
        if section in ("organization", "frameworks", "model"):
            stand_in = _stand_in(section, lib)
            if work.get(section) == stand_in:
                return False
            work[section] = stand_in
        else:
            work.pop(section, None)
        return True
    if section in _LISTS and (len(path) == 2 or (section in broken and path[2] == "id")):
        entry = work[section][path[1]]
        if section in broken and isinstance(entry, dict) and isinstance(entry.get("id"), str):
            broken[section].add(entry["id"])
        work[section][path[1]] = _GONE
        return True
    parent: Any = work
    for part in path[:-1]:
        parent = parent[part]
    if isinstance(parent, dict) and path[-1] in parent:
        del parent[path[-1]]
        return True
    return False


Say = Callable[[Problem], None]


@dataclass
class _Refs:
    """What the section checks look ids up in."""

    people: dict[str, Person]
    providers: dict[str, Provider]
    parties: set[str]
    in_scope: set[str]
    frameworks_known: bool = True
    """Every framework the profile lists exists (else what refers to them is not checked again)."""
    seen: dict[str, str] = field(default_factory=dict)
    """Person and provider ids met so far, with the section they are in."""


def check_profile(
    profile: Profile,
    doc: Document,
    lib: Library,
    broken: dict[str, set[str]] | None = None,
) -> list[Problem]:
    """Every cross-reference of a profile: ids, functions, frameworks, controls, roles, scope.

    `broken` names the people and providers whose entries failed the schema: they still count
    as known, so that the references to them raise no knock-on errors.
    """
    problems: list[Problem] = []
    left_out = broken or {}
    providers = {p.id: p for p in profile.providers} | {
        pid: Provider.model_construct(id=pid, name=pid) for pid in left_out.get("providers", ())
    }
    refs = _Refs(
        people={p.id: p for p in profile.internal}
        | {pid: Person.model_construct(id=pid, name=pid) for pid in left_out.get("internal", ())},
        providers=providers,
        parties={"internal", *providers},
        in_scope=set(lib.controls)  # a misspelt framework is one problem, not one per control
        if any(fw not in lib.catalogs for fw in profile.frameworks)
        else {
            global_key(fw, c.id)
            for fw in profile.frameworks
            if fw in lib.catalogs
            for c in lib.catalogs[fw].controls
        },
        frameworks_known=all(fw in lib.catalogs for fw in profile.frameworks),
    )
    for check in CHECKS:
        check(profile, doc, lib, refs, problems.append)
    return problems


def _members(profile: Profile, doc: Document, lib: Library, refs: _Refs, say: Say) -> None:
    """Ids are unique and not reserved; every function named exists."""
    members: list[tuple[str, int, Person | Provider]] = [
        *(("internal", i, p) for i, p in enumerate(profile.internal)),
        *(("providers", i, p) for i, p in enumerate(profile.providers)),
    ]
    for section, index, item in members:
        if item.id in RESERVED_IDS:
            say(
                doc.problem(
                    (section, index, "id"),
                    f"{shown(item.id)} is a reserved word (it names a party or an owner); choose another id",
                )
            )
        elif item.id in refs.seen:
            say(
                doc.problem(
                    (section, index, "id"),
                    f"duplicate id {shown(item.id)} (already used in {refs.seen[item.id]}); person and provider ids share one namespace",
                )
            )
        refs.seen.setdefault(item.id, section)
        for j, fid in enumerate(item.functions):
            if fid not in lib.functions:
                say(
                    doc.problem(
                        (section, index, "functions", j),
                        unknown("function", fid, lib.functions),
                    )
                )


def _frameworks(profile: Profile, doc: Document, lib: Library, refs: _Refs, say: Say) -> None:
    """Frameworks exist, are listed once, and are not the hub; the model exists."""
    for index, fw in enumerate(profile.frameworks):
        if fw not in lib.catalogs:
            say(
                doc.problem(
                    ("frameworks", index),
                    unknown("framework", fw, [c for c in lib.catalogs if not lib.catalogs[c].hub]),
                )
            )
        elif lib.catalogs[fw].hub:
            say(
                doc.problem(
                    ("frameworks", index),
                    f"{shown(fw)} is the mapping hub, not a framework to assess; remove it",
                )
            )
    if len(set(profile.frameworks)) != len(profile.frameworks):
        say(doc.problem(("frameworks",), "a framework is listed twice; list each once"))
    if profile.model not in lib.models:
        say(doc.problem(("model",), unknown("model", profile.model, lib.models)))


def _backups(profile: Profile, doc: Document, lib: Library, refs: _Refs, say: Say) -> None:
    """A person's backup is another person or a provider."""
    for index, person in enumerate(profile.internal):
        if person.backup is not None:
            if person.backup == person.id:
                say(
                    doc.problem(
                        ("internal", index, "backup"), "a person cannot be their own backup"
                    )
                )
            elif person.backup not in refs.people and person.backup not in refs.providers:
                say(
                    doc.problem(
                        ("internal", index, "backup"),
                        unknown("person or provider", person.backup, refs.seen),
                    )
                )


def _designations(profile: Profile, doc: Document, lib: Library, refs: _Refs, say: Say) -> None:
    """A role's holder is a person or provider; its overseer one of the organization's people."""
    at: tuple[Any, ...]
    for role, designation in profile.designations.items():
        at = ("designations", role)
        if designation.holder not in refs.people and designation.holder not in refs.providers:
            say(
                doc.problem(
                    (*at, "holder"), unknown("person or provider", designation.holder, refs.seen)
                )
            )
        if designation.overseer is not None and designation.overseer not in refs.people:
            say(
                doc.problem(
                    (*at, "overseer"),
                    unknown("internal person", designation.overseer, refs.people)
                    + " (the overseer must be one of the organization's own people)",
                )
            )


def _overrides(profile: Profile, doc: Document, lib: Library, refs: _Refs, say: Say) -> None:
    """An override names a control in scope, known parties, and one override per control."""
    at: tuple[Any, ...]
    for index, ov in enumerate(profile.overrides):
        at = ("overrides", index)
        if is_placeholder(ov.reason):
            say(
                doc.problem(
                    (*at, "reason"),
                    f"{shown(ov.reason)} is a placeholder; an override needs its real reason",
                )
            )
        _check_control(doc, (*at, "control"), ov.control, lib, refs.in_scope, say)
        if ov.provider is not None and ov.provider not in refs.providers:
            say(doc.problem((*at, "provider"), unknown("provider", ov.provider, refs.providers)))
        if ov.provider is not None and ov.owner == "internal":
            say(
                doc.problem(
                    (*at, "provider"),
                    "a provider is named but owner is internal; drop the provider or change the owner",
                )
            )
        if ov.accountable is not None and ov.accountable not in refs.parties:
            say(
                doc.problem(
                    (*at, "accountable"),
                    unknown("party", ov.accountable, refs.parties)
                    + " (a party is 'internal' or a provider id)",
                )
            )
        for key in ("responsible", "consulted", "informed"):
            for j, party in enumerate(getattr(ov, key) or ()):
                if party not in refs.parties:
                    say(
                        doc.problem(
                            (*at, key, j),
                            unknown("party", party, refs.parties)
                            + " (a party is 'internal' or a provider id)",
                        )
                    )
    overridden = Counter(o.control for o in profile.overrides)
    for index, ov in enumerate(profile.overrides):
        if overridden[ov.control] > 1:
            say(
                doc.problem(
                    ("overrides", index, "control"),
                    f"{shown(ov.control)} has more than one override; merge them into one",
                )
            )
            overridden[ov.control] = 0


def _splits(profile: Profile, doc: Document, lib: Library, refs: _Refs, say: Say) -> None:
    """A split names a function and, with several providers, which provider."""
    at: tuple[Any, ...]
    for index, split in enumerate(profile.splits):
        at = ("splits", index)
        if split.function not in lib.functions:
            say(doc.problem((*at, "function"), unknown("function", split.function, lib.functions)))
        if split.provider is not None and split.provider not in refs.providers:
            say(doc.problem((*at, "provider"), unknown("provider", split.provider, refs.providers)))
        elif split.provider is None and len(refs.providers) > 1:
            say(
                doc.problem(
                    (*at, "provider"),
                    "the profile has several providers; name the one this split is with",
                )
            )


def _handoffs(profile: Profile, doc: Document, lib: Library, refs: _Refs, say: Say) -> None:
    """A hand-off goes between two known, different parties, with known functions."""
    at: tuple[Any, ...]
    for index, handoff in enumerate(profile.handoffs):
        at = ("handoffs", index)
        for key, party in (("from", handoff.from_), ("to", handoff.to)):
            if party not in refs.parties:
                say(
                    doc.problem(
                        (*at, key),
                        unknown("party", party, refs.parties)
                        + " (a party is 'internal' or a provider id)",
                    )
                )
        if handoff.from_ == handoff.to:
            say(doc.problem((*at, "to"), "a hand-off goes between two different parties"))
        for fkey, function in (
            ("from_function", handoff.from_function),
            ("to_function", handoff.to_function),
        ):
            if function is not None and function not in lib.functions:
                say(doc.problem((*at, fkey), unknown("function", function, lib.functions)))


def _evidence(profile: Profile, doc: Document, lib: Library, refs: _Refs, say: Say) -> None:
    """Evidence names a control in scope."""
    for index, evidence in enumerate(profile.evidence):
        _check_control(
            doc, ("evidence", index, "control"), evidence.control, lib, refs.in_scope, say
        )


def _provider_scopes(profile: Profile, doc: Document, lib: Library, refs: _Refs, say: Say) -> None:
    """A provider's frameworks are frameworks of the profile."""
    for index, provider in enumerate(profile.providers):
        for j, fw in enumerate(provider.frameworks or ()):
            if fw not in profile.frameworks and (refs.frameworks_known or fw not in lib.catalogs):
                say(
                    doc.problem(
                        ("providers", index, "frameworks", j),
                        unknown("framework of the profile", fw, profile.frameworks)
                        + " (a provider's frameworks are some of the profile's frameworks)",
                    )
                )


SCOPABLE = frozenset({"pci-dss-4"})
"""The built-in catalogs whose scope the organization may narrow (PCI DSS: the cardholder data
environment). Elsewhere a duty applies or not by the applicability facts; user catalogs may be
scoped freely."""


def _exclusions(profile: Profile, doc: Document, lib: Library, refs: _Refs, say: Say) -> None:
    """A scope exclusion names a control in scope, once, that the law lets the organization drop."""
    counted = Counter(e.control for e in profile.scope_exclusions)
    for index, exclusion in enumerate(profile.scope_exclusions):
        at = ("scope_exclusions", index, "control")
        if exclusion.control not in refs.in_scope:
            _check_control(doc, at, exclusion.control, lib, refs.in_scope, say)
            continue
        if counted[exclusion.control] > 1:
            say(
                doc.problem(
                    at, f"{shown(exclusion.control)} is excluded more than once; keep one entry"
                )
            )
            counted[exclusion.control] = 0
        framework = split_key(exclusion.control)[0]
        if is_placeholder(exclusion.reason):
            say(
                doc.problem(
                    ("scope_exclusions", index, "reason"),
                    f"{shown(exclusion.reason)} is a placeholder; say why the control is out of scope",
                )
            )
        source = lib.sources.get(framework)
        if framework not in SCOPABLE and source is not None and source.builtin:
            say(
                doc.problem(
                    at,
                    f"cannot exclude {shown(exclusion.control)}: {framework} has no scoping; where a "
                    "duty does not apply the applicability facts say so, and a HIPAA addressable "
                    "specification records its 164.306(d)(3) decision in the evidence instead",
                )
            )
            continue
        for key in lib.subtree(exclusion.control):
            control = lib.controls[key]
            what = "it" if key == exclusion.control else f"{key} under it"
            if control.accountability == "non-delegable":
                say(
                    doc.problem(
                        at,
                        f"cannot exclude {shown(exclusion.control)}: {what} is a duty the law keeps "
                        f"with the organization ({control.citation}); exclude the controls beside "
                        "it instead",
                    )
                )
                break
            if control.designation is not None:
                say(
                    doc.problem(
                        at,
                        f"cannot exclude {shown(exclusion.control)}: {what} requires the organization "
                        f"to designate its {control.designation} ({control.citation}); exclude "
                        "the controls beside it instead",
                    )
                )
                break


def _saq(profile: Profile, doc: Document, lib: Library, refs: _Refs, say: Say) -> None:
    """The PCI DSS SAQ named is one whose requirement list ctrlmap has, for the right kind of entity."""
    saq = profile.applicability.pci_saq
    if saq is None:
        return
    at = ("applicability", "pci-saq")
    if "pci-dss-4" not in profile.frameworks:
        say(
            doc.problem(
                at, "pci-saq selects PCI DSS requirements; add pci-dss-4 to frameworks or remove it"
            )
        )
        return
    data = lib.saqs
    pending = data.not_confirmed.get(saq) if data else None
    entry = data.entry(saq, profile.applicability.pci) if data else None
    if pending is not None or entry is None:
        confirmed = sorted(
            {"D", *(k for k in (data.saqs if data else {}) if not k.startswith("D-"))}
        )
        say(
            doc.problem(
                at,
                f"SAQ {saq}'s requirement list could not be confirmed from a public source, so "
                f"ctrlmap cannot select its requirements; use one of {', '.join(confirmed)}, or "
                "pci-saq: D with scope_exclusions for what your assessor agreed is out of scope",
            )
        )
        return
    roles = set(profile.applicability.pci)
    if entry.applies_to not in roles or (entry.applies_to == "merchant" and len(roles) > 1):
        say(
            doc.problem(
                at,
                f"SAQ {saq} is for {entry.applies_to}s, but the pci fact says "
                f"{', '.join(sorted(roles))}; fix the pci fact or the SAQ",
            )
        )


def _tracking(profile: Profile, doc: Document, lib: Library, refs: _Refs, say: Say) -> None:
    """Accepted risks and the remediation plan: one entry per finding, approved and owned by
    the right people, an acceptance that ends after it starts."""
    first: dict[tuple[str, str], int] = {}
    for section, index, finding in profile.tracking_entries():
        if (section, finding) in first:
            say(
                doc.problem(
                    (section, index, "finding"),
                    f"{finding} already has an entry ({section}[{first[(section, finding)]}]); "
                    "keep one entry per finding",
                )
            )
        first.setdefault((section, finding), index)
    for index, risk in enumerate(profile.accepted_risks):
        at: tuple[Any, ...] = ("accepted_risks", index)
        if risk.approved_by in refs.providers:
            say(
                doc.problem(
                    (*at, "approved_by"),
                    f"{risk.approved_by!r} is a provider; accepting a risk is the organization's "
                    "decision: name one of its own people",
                )
            )
        elif risk.approved_by not in refs.people:
            say(
                doc.problem(
                    (*at, "approved_by"),
                    unknown("internal person", risk.approved_by, refs.people),
                )
            )
        if is_placeholder(risk.reason):
            say(
                doc.problem(
                    (*at, "reason"),
                    f"{shown(risk.reason)} is a placeholder; an acceptance says why the risk is "
                    "accepted (what covers it until it is fixed)",
                )
            )
        if risk.expires <= risk.approved:
            say(
                doc.problem(
                    (*at, "expires"),
                    f"expires ({risk.expires.isoformat()}) must be after approved "
                    f"({risk.approved.isoformat()}): an acceptance runs for a period",
                )
            )
    for index, item in enumerate(profile.remediation):
        if item.due is not None and item.detected is not None and item.due < item.detected:
            say(
                doc.problem(
                    ("remediation", index, "due"),
                    f"due ({item.due.isoformat()}) is before detected "
                    f"({item.detected.isoformat()}); fix one of the dates",
                )
            )
        if (
            item.owner is not None
            and item.owner not in refs.people
            and item.owner not in refs.providers
        ):
            say(
                doc.problem(
                    ("remediation", index, "owner"),
                    unknown("person or provider", item.owner, refs.seen),
                )
            )


CHECKS: tuple[Callable[[Profile, Document, Library, _Refs, Say], None], ...] = (
    _members,
    _frameworks,
    _backups,
    _designations,
    _overrides,
    _splits,
    _handoffs,
    _evidence,
    _provider_scopes,
    _exclusions,
    _saq,
    _tracking,
)
"""The section checks, in the order their problems are reported."""


def _check_control(
    doc: Document, at: tuple[Any, ...], key: str, lib: Library, in_scope: set[str], say: Any
) -> None:
    if ":" not in key:
        say(
            doc.problem(
                at,
                f"write the control as a global key '<catalog>:{key}', e.g. 'hipaa-security:{key}'",
            )
        )
    elif key not in lib.controls:
        catalog, control = split_key(key)
        if catalog not in lib.catalogs:
            say(doc.problem(at, unknown("catalog", catalog, lib.catalogs)))
        else:
            say(
                doc.problem(
                    at,
                    unknown(
                        f"control of {catalog}", control, lib.control_ids[catalog], nearest=True
                    ),
                )
            )
    elif key not in in_scope:
        say(
            doc.problem(
                at,
                f"{shown(key)} belongs to a framework the profile does not list; add the framework or remove this entry",
            )
        )


def profile_warnings(
    profile: Profile, doc: Document, ignored: Mapping[int, str] | None = None
) -> list[Problem]:
    """What is valid but documents or changes nothing: placeholder text in an agreement, split or
    hand-off, and the overrides `ignored` (by index, with why) of controls that do not apply.

    A placeholder entry does not count as documented: the split or hand-off rules still report it.
    """
    found: list[Problem] = [
        doc.problem(
            ("overrides", index, "control"),
            f"{profile.overrides[index].control} does not apply to the organization, so this "
            f"override changes nothing. {why} Remove the override, or correct what takes the "
            "control out",
        )
        for index, why in sorted((ignored or {}).items())
    ]
    texts: list[tuple[tuple[str | int, ...], str | None, bool]] = []
    for index, provider in enumerate(profile.providers):
        texts.append((("providers", index, "agreement"), provider.agreement, True))
    for index, split in enumerate(profile.splits):
        texts.append((("splits", index, "internal_part"), split.internal_part, True))
        texts.append((("splits", index, "provider_part"), split.provider_part, False))
        texts.append((("splits", index, "agreement"), split.agreement, True))
    for index, handoff in enumerate(profile.handoffs):
        texts.append((("handoffs", index, "agreement"), handoff.agreement, False))
    for index, item in enumerate(profile.evidence):
        texts.append((("evidence", index, "reference"), item.reference, False))
    for at, text, optional in texts:
        if text is not None and is_placeholder(text, optional=optional):
            found.append(
                doc.problem(
                    at,
                    f"{shown(text)} is a placeholder and documents nothing; write the agreement or the "
                    "part each party does (until then the split and hand-off rules still report it)",
                )
            )
    return found + policy_warnings(profile, doc) + milestone_warnings(profile, doc)


POLICY_ORDER = ("critical", "high", "medium", "low")
"""The remediation policy's levels, most severe first: each should get no more days than the next."""


def policy_warnings(profile: Profile, doc: Document) -> list[Problem]:
    """A remediation policy that gives a more severe finding longer to fix than a less severe one
    (e.g. critical 90 days, low 30): valid, but almost surely the levels swapped."""
    policy = profile.remediation_policy
    days = {level: getattr(policy, level) for level in POLICY_ORDER}
    inverted = [
        (a, b)
        for i, a in enumerate(POLICY_ORDER)
        for b in POLICY_ORDER[i + 1 :]
        if days[a] > days[b]
    ]
    if not inverted:
        return []
    given = set(policy.model_fields_set)
    # point at a level the profile sets (the others are defaults), the less severe first
    at = next((b for _, b in inverted if b in given), None) or next(
        (a for a, _ in inverted if a in given), None
    )
    pairs = "; ".join(f"{a} {days[a]} days but {b} {days[b]}" for a, b in inverted)
    return [
        doc.problem(
            ("remediation_policy", *([at] if at else [])),
            f"a more severe finding gets longer to fix than a less severe one ({pairs}); give "
            "critical no more days than high, high no more than medium, medium no more than low",
        )
    ]


def milestone_warnings(profile: Profile, doc: Document) -> list[Problem]:
    """A plan entry that lists one milestone twice (the same text, on the same or another date)."""
    found = []
    for index, item in enumerate(profile.remediation):
        first: dict[str, int] = {}
        for n, milestone in enumerate(item.milestones):
            text = " ".join(milestone.text.split()).casefold()
            if text not in first:
                first[text] = n
                continue
            earlier = item.milestones[first[text]]
            same_day = earlier.date == milestone.date
            found.append(
                doc.problem(
                    ("remediation", index, "milestones", n),
                    f"milestone {shown(milestone.text)} is also milestones[{first[text]}]"
                    + (
                        " on the same date; remove one"
                        if same_day
                        else f" (dated {earlier.date.isoformat()}, this one "
                        f"{milestone.date.isoformat()}); keep one entry with the current date, "
                        "and say in note why it moved"
                    ),
                )
            )
    return found


def tracking_warnings(profile: Profile, doc: Document, ids: Iterable[str]) -> list[Problem]:
    """Accepted-risk and remediation entries whose finding id matches no current finding."""
    current = set(ids)
    return [
        doc.problem(
            (section, index, "finding"),
            f"{finding} matches no current finding: resolved, or a mistyped id "
            "(`ctrlmap gaps` lists the ids); remove the entry once it is resolved",
        )
        for section, index, finding in profile.tracking_entries()
        if finding not in current
    ]
