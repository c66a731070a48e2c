"""Read a profile and resolve every reference it makes against the library."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ctrlmap.errors import InputError, Problem
from ctrlmap.load.library import Library
from ctrlmap.load.problems import unknown, validate
from ctrlmap.load.read import Document, read_document
from ctrlmap.load.resources import PROFILE_MAX_BYTES
from ctrlmap.models import (
    RESERVED_IDS,
    Person,
    Profile,
    Provider,
    global_key,
    split_key,
)

if TYPE_CHECKING:
    pass


def load_profile(
    path: Path | str, lib: Library, name: str | None = None
) -> tuple[Profile, Document]:
    """Read and validate a profile, resolving every reference against the library."""
    doc = read_document(Path(path), name, max_bytes=PROFILE_MAX_BYTES)
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


def _check_rest(doc: Document, lib: Library, found: list[Problem]) -> list[Problem]:
    """Reference problems in the sections of a profile that passed the schema."""
    if not isinstance(doc.data, dict):
        return []
    failed = {p.field.split(".")[0].split("[")[0] for p in found}
    placeholders = {
        "organization": {"name": "?"},
        "frameworks": [c for c in lib.catalogs if not lib.catalogs[c].hub],
        "model": next(iter(lib.models), "?"),
    }
    rest = {key: value for key, value in doc.data.items() if key not in failed}
    rest.update(
        {key: value for key, value in placeholders.items() if key in failed or key not in rest}
    )
    try:
        partial = Profile.model_validate(rest)
    except ValidationError:
        return []
    seen = {(p.line, p.field, p.message) for p in found}
    return [p for p in check_profile(partial, doc, lib) if (p.line, p.field, p.message) not in seen]


def check_profile(profile: Profile, doc: Document, lib: Library) -> list[Problem]:
    """Every cross-reference of a profile: ids, functions, frameworks, controls, roles."""
    problems: list[Problem] = []
    say = problems.append
    at: tuple[Any, ...]
    people = {p.id: p for p in profile.internal}
    providers = {p.id: p for p in profile.providers}
    parties = {"internal", *providers}

    seen: dict[str, str] = {}
    members: list[tuple[str, int, Person | Provider]] = [
        *(("internal", i, p) for i, p in enumerate(profile.internal)),
        *(("providers", i, p) for i, p in enumerate(profile.providers)),
    ]
    for section, index, item in members:
        if item.id in RESERVED_IDS:
            say(
                doc.problem(
                    (section, index, "id"),
                    f"{item.id!r} is a reserved word (it names a party or an owner); choose another id",
                )
            )
        elif item.id in seen:
            say(
                doc.problem(
                    (section, index, "id"),
                    f"duplicate id {item.id!r} (already used in {seen[item.id]}); person and provider ids share one namespace",
                )
            )
        seen.setdefault(item.id, section)
        for j, fid in enumerate(item.functions):
            if fid not in lib.functions:
                say(
                    doc.problem(
                        (section, index, "functions", j),
                        unknown("function", fid, lib.functions),
                    )
                )

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
                    f"{fw!r} is the mapping hub, not a framework to assess; remove it",
                )
            )
    if len(set(profile.frameworks)) != len(profile.frameworks):
        say(doc.problem(("frameworks",), "a framework is listed twice; list each once"))
    if profile.model not in lib.models:
        say(doc.problem(("model",), unknown("model", profile.model, lib.models)))

    for index, person in enumerate(profile.internal):
        if person.backup is not None:
            if person.backup == person.id:
                say(
                    doc.problem(
                        ("internal", index, "backup"), "a person cannot be their own backup"
                    )
                )
            elif person.backup not in people and person.backup not in providers:
                say(
                    doc.problem(
                        ("internal", index, "backup"),
                        unknown("person or provider", person.backup, seen),
                    )
                )

    for role, designation in profile.designations.items():
        at = ("designations", role)
        if designation.holder not in people and designation.holder not in providers:
            say(
                doc.problem(
                    (*at, "holder"), unknown("person or provider", designation.holder, seen)
                )
            )
        if designation.overseer is not None and designation.overseer not in people:
            say(
                doc.problem(
                    (*at, "overseer"),
                    unknown("internal person", designation.overseer, people)
                    + " (the overseer must be one of the organization's own people)",
                )
            )

    in_scope = {
        global_key(fw, c.id)
        for fw in profile.frameworks
        if fw in lib.catalogs
        for c in lib.catalogs[fw].controls
    }
    for index, ov in enumerate(profile.overrides):
        at = ("overrides", index)
        _check_control(doc, (*at, "control"), ov.control, lib, in_scope, say)
        if ov.provider is not None and ov.provider not in providers:
            say(doc.problem((*at, "provider"), unknown("provider", ov.provider, providers)))
        if ov.provider is not None and ov.owner == "internal":
            say(
                doc.problem(
                    (*at, "provider"),
                    "a provider is named but owner is internal; drop the provider or change the owner",
                )
            )
        if ov.accountable is not None and ov.accountable not in parties:
            say(
                doc.problem(
                    (*at, "accountable"),
                    unknown("party", ov.accountable, parties)
                    + " (a party is 'internal' or a provider id)",
                )
            )
        for key in ("responsible", "consulted", "informed"):
            for j, party in enumerate(getattr(ov, key) or ()):
                if party not in parties:
                    say(
                        doc.problem(
                            (*at, key, j),
                            unknown("party", party, parties)
                            + " (a party is 'internal' or a provider id)",
                        )
                    )
    overridden = Counter(o.control for o in profile.overrides)
    for index, ov in enumerate(profile.overrides):
        if overridden[ov.control] > 1:
            say(
                doc.problem(
                    ("overrides", index, "control"),
                    f"{ov.control!r} has more than one override; merge them into one",
                )
            )
            overridden[ov.control] = 0

    for index, split in enumerate(profile.splits):
        at = ("splits", index)
        if split.function not in lib.functions:
            say(doc.problem((*at, "function"), unknown("function", split.function, lib.functions)))
        if split.provider is not None and split.provider not in providers:
            say(doc.problem((*at, "provider"), unknown("provider", split.provider, providers)))
        elif split.provider is None and len(providers) > 1:
            say(
                doc.problem(
                    (*at, "provider"),
                    "the profile has several providers; name the one this split is with",
                )
            )

    for index, handoff in enumerate(profile.handoffs):
        at = ("handoffs", index)
        for key, party in (("from", handoff.from_), ("to", handoff.to)):
            if party not in parties:
                say(
                    doc.problem(
                        (*at, key),
                        unknown("party", party, parties)
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

    for index, evidence in enumerate(profile.evidence):
        _check_control(doc, ("evidence", index, "control"), evidence.control, lib, in_scope, say)
    return problems


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
                        f"control of {catalog}",
                        control,
                        [c.id for c in lib.catalogs[catalog].controls],
                    ),
                )
            )
    elif key not in in_scope:
        say(
            doc.problem(
                at,
                f"{key!r} belongs to a framework the profile does not list; add the framework or remove this entry",
            )
        )
