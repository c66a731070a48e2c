"""The profile `ctrlmap init` writes: YAML text with a comment on every section, checked by the
real loader before anything is written.

The text is written by hand, not by a YAML dumper, so that the comments survive; every free-text
value is a double-quoted scalar (JSON's escapes are YAML's), every id is plain only when YAML
cannot read it as anything but a string.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

from ctrlmap.assessment.assign import assign_owners
from ctrlmap.assessment.roles import why_not_required
from ctrlmap.errors import InputError
from ctrlmap.load.library import Library
from ctrlmap.load.profiles import load_profile_text
from ctrlmap.models import ROLES, Profile
from ctrlmap.models.catalog import CONSIDER_WHEN
from ctrlmap.models.profile import Person, Provider
from ctrlmap.onboard.starter import (
    FACT_QUESTIONS,
    Draft,
    answer_problems,
    fact_default,
    fact_kind,
    fact_values,
    facts_for,
    suggested_frameworks,
)

_PLAIN = re.compile(r"^[a-z][a-z0-9-]*$")
_KEYWORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
_COMMENT_AT = 36
"""The column trailing comments start at, as in the README's profile example."""


def quoted(text: str) -> str:
    """A double-quoted YAML scalar: JSON's escapes, plus \\u escapes for what YAML cannot print."""
    body = json.dumps(text, ensure_ascii=False)
    return "".join(
        f"\\u{ord(ch):04x}"
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs") and ch not in "\t"
        else ch
        for ch in body
    )


def scalar(value: str) -> str:
    """An id or vocabulary word plain when YAML reads it back as that string, else quoted."""
    return value if _PLAIN.match(value) and value not in _KEYWORDS else quoted(value)


def flow(values: Iterable[str]) -> str:
    """A flow sequence of ids: `[a, b]`."""
    return "[" + ", ".join(scalar(v) for v in values) + "]"


def boolean(value: bool) -> str:
    """YAML's true or false."""
    return "true" if value else "false"


def _line(text: str, comment: str | None = None) -> str:
    if comment is None:
        return text
    return f"{text.ljust(_COMMENT_AT - 1)} # {comment}"


def _header(draft: Draft) -> list[str]:
    profile = draft.profile
    lines = [
        "# ctrlmap profile written by `ctrlmap init`. Every key is explained in the README,",
        '# "The profile format"; check this file with `ctrlmap validate` after each edit.',
    ]
    if draft.placeholder:
        lines += [
            "#",
            "# A STARTER PROFILE: rename the placeholder organization below to yours, then fill in",
            "# your people, providers and designated roles (or run `ctrlmap init` again and answer",
            "# its questions).",
        ]
    lines += [
        "",
        "# Who is assessed. The sector only suggests frameworks; it never adds one by itself.",
        "organization:",
        _line(
            f"  name: {quoted(profile.organization.name)}",
            "rename me" if draft.placeholder else None,
        ),
        _line(f"  sector: {profile.organization.sector}", "healthcare | financial | legal | other"),
        "",
    ]
    return lines


def _frameworks(draft: Draft, lib: Library) -> list[str]:
    profile = draft.profile
    sector = profile.organization.sector
    others = [f for f in suggested_frameworks(sector) if f not in profile.frameworks]
    lines = ["# The frameworks in scope (`ctrlmap frameworks list` shows every catalog)."]
    if others:
        lines.append(f"# Also to consider for the {sector} sector:")
        lines += [f"#   {f}{_when(f)}" for f in others]
    lines += [f"frameworks: {flow(profile.frameworks)}", ""]
    return lines


def _when(framework: str) -> str:
    """` (if it takes or handles payment cards)` for a suggestion that depends on a fact."""
    when = CONSIDER_WHEN.get(framework)
    return f" ({when})" if when else ""


def _model(draft: Draft) -> list[str]:
    lines = [
        "# The operating model: co-managed (your own IT people plus a managed-IT partner, the work",
        "# split by function) or fully-managed (the partner is the IT department).",
    ]
    result, model = draft.recommendation, draft.profile.model
    if result is not None:
        scores = ", ".join(f"{m} {s}" for m, s in result.scores.items())
        if result.recommendation is None:
            lines += [
                "# The four questions of `ctrlmap recommend` gave no recommendation (unanswered",
                f"# or tied: {scores}); `ctrlmap recommend PROFILE` weighs it again.",
            ]
        elif result.recommendation == model:
            lines.append(f"# Proposed by the four questions of `ctrlmap recommend` ({scores}).")
        else:
            lines.append(
                f"# Chosen over {result.recommendation}, which the four questions of "
                f"`ctrlmap recommend` proposed ({scores})."
            )
    lines += [f"model: {scalar(draft.profile.model)}", ""]
    return lines


def _fact_value(fact: str, value: object) -> str:
    if isinstance(value, bool):
        return boolean(value)
    if isinstance(value, tuple):
        return flow(str(v) for v in value)
    return scalar(str(value))


def _applicability(draft: Draft, lib: Library) -> list[str]:
    profile = draft.profile
    relevant = facts_for(profile.frameworks, lib)
    if not relevant:
        return []
    actual = profile.applicability.facts()
    lines = [
        "# Facts that decide which controls apply. A fact left out (commented) takes the default",
        "# shown, and every report says it was assumed. To state one, uncomment it (and drop a {}).",
    ]
    body: list[str] = []
    for fact in relevant:
        kind = fact_kind(fact)
        choices = (
            "true | false"
            if kind == "bool"
            else " | ".join(fact_values(fact, lib, profile.applicability.pci))
        )
        comment = f"{FACT_QUESTIONS[fact]}? {choices}"
        if fact in draft.facts_given and fact in actual:
            value = actual[fact] if kind == "list" else actual[fact][0]
            body.append(_line(f"  {fact}: {_fact_value(fact, value)}", comment))
        else:
            body.append(_line(f"  # {fact}: {_fact_value(fact, fact_default(fact))}", comment))
    live = any(not line.lstrip().startswith("#") for line in body)
    lines.append("applicability:" if live else "applicability: {}")
    return [*lines, *body, ""]


def _person(p: Person) -> list[str]:
    lines = [f"  - id: {scalar(p.id)}", f"    name: {quoted(p.name)}"]
    if p.role:
        lines.append(f"    role: {quoted(p.role)}")
    lines.append(f"    functions: {flow(p.functions)}")
    lines.append(
        _line(f"    after_hours: {boolean(p.after_hours)}", "works outside business hours")
    )
    lines.append(
        _line(
            f"    backup: {scalar(p.backup) if p.backup else 'null'}",
            "a person or provider id that stands in (null: none)",
        )
    )
    return lines


def _people(profile: Profile) -> list[str]:
    lines = [
        "# The organization's own people and the functions they cover (`ctrlmap frameworks list`",
        "# describes each function). A person covering a function makes the work internal.",
    ]
    if not profile.internal:
        return [
            *lines,
            "internal: []",
            "# internal:",
            "#   - id: dana",
            '#     name: "Dana Ortiz"',
            '#     role: "IT Director"',
            "#     functions: [network-administration, server-management, on-site-support]",
            "#     after_hours: false",
            "#     backup: null",
            "",
        ]
    lines.append("internal:")
    for person in profile.internal:
        lines += _person(person)
    return [*lines, ""]


def _designations(profile: Profile, lib: Library) -> list[str]:
    found = assign_owners(profile, lib)
    entries = found.designations
    roles = [
        r for r in ROLES if r in entries and (entries[r].required or r in profile.designations)
    ]
    if not roles:
        return []
    lines = [
        "# Who fills each role the controls that apply to you require: a person or provider id as",
        "# holder; a provider holding a role needs an internal overseer where the law says so. A role",
        "# left commented is reported by `ctrlmap gaps` as designation-missing (uncomment it, drop a {}).",
    ]
    body: list[str] = []
    for role in roles:
        rule = ROLES[role]
        comment = f"{rule.title}, {rule.citation}" + ("" if rule.required else " (recommended)")
        if not entries[role].required:
            body.append(f"  # Not required: {why_not_required(entries[role], found.assignments)}.")
        held = profile.designations.get(role)
        if held is None:
            body.append(_line(f"  # {role}: {{holder: ID}}", comment))
            continue
        overseer = f", overseer: {scalar(held.overseer)}" if held.overseer else ""
        body.append(_line(f"  {role}: {{holder: {scalar(held.holder)}{overseer}}}", comment))
    live = any(not line.lstrip().startswith("#") for line in body)
    lines.append("designations:" if live else "designations: {}")
    return [*lines, *body, ""]


def _provider(p: Provider, frameworks: tuple[str, ...]) -> list[str]:
    lines = [f"  - id: {scalar(p.id)}", f"    name: {quoted(p.name)}"]
    if p.agreement:
        lines.append(f"    agreement: {quoted(p.agreement)}")
    lines.append(_line(f"    functions: {flow(p.functions)}", "the work its agreement covers"))
    if p.frameworks is not None:
        lines.append(_line(f"    frameworks: {flow(p.frameworks)}", "its agreement's scope"))
    lines.append(_line(f"    after_hours: {boolean(p.after_hours)}", "covers nights and weekends"))
    lines.append(_line(f"    on_site: {boolean(p.on_site)}", "gives on-site service"))
    served = p.frameworks or frameworks  # only the agreements its own frameworks require
    if p.baa or any(fw.startswith("hipaa") for fw in served):
        lines.append(
            _line(f"    baa: {boolean(p.baa)}", "HIPAA business associate agreement signed")
        )
    if p.pci_acknowledgement or "pci-dss-4" in served:
        lines.append(
            _line(
                f"    pci_acknowledgement: {boolean(p.pci_acknowledgement)}",
                "PCI DSS 12.8.2 written acknowledgment",
            )
        )
    reviewed = p.last_reviewed.isoformat() if p.last_reviewed else "null"
    lines.append(_line(f"    last_reviewed: {reviewed}", "last oversight review (null: never)"))
    if p.independent:
        lines.append(_line("    independent: true", "an outside assessor"))
    return lines


def _providers(profile: Profile) -> list[str]:
    lines = [
        "# The outside parties and their agreements: the functions each covers, its after-hours",
        "# and on-site service, the agreements your frameworks require, its last review.",
    ]
    if not profile.providers:
        return [
            *lines,
            "providers: []",
            "# providers:",
            "#   - id: harbor",
            '#     name: "Harbor Managed IT"',
            '#     agreement: "MSA 2026-03, SOW 2"',
            "#     functions: [security-monitoring, help-desk, patch-management, backup-recovery]",
            "#     after_hours: true",
            "#     baa: true",
            "#     last_reviewed: 2026-02-01",
            "",
        ]
    lines.append("providers:")
    for provider in profile.providers:
        lines += _provider(provider, profile.frameworks)
    return [*lines, ""]


FOOTER = [
    '# Still to describe, when you know them (README, "The profile format"): overrides (deliberate',
    "# departures, each with its reason), splits (who does which part of shared work), handoffs",
    "# (where one party's work feeds another's) and evidence (what proves each control, and when",
    "# it was last reviewed).",
]


def render_profile(draft: Draft, lib: Library) -> str:
    """The commented YAML of a draft profile."""
    profile = draft.profile
    lines = [
        *_header(draft),
        *_frameworks(draft, lib),
        *_model(draft),
        *_applicability(draft, lib),
        *_people(profile),
        *_designations(profile, lib),
        *_providers(profile),
        *FOOTER,
    ]
    return "\n".join(lines) + "\n"


def checked_profile_text(draft: Draft, lib: Library, name: str) -> tuple[str, Profile]:
    """The draft's YAML and the profile the real loader reads from it (InputError if invalid)."""
    text = render_profile(draft, lib)
    try:
        profile, _ = load_profile_text(text, lib, name)
    except InputError as exc:
        raise InputError(answer_problems(exc.problems, draft)) from None
    return text, profile
