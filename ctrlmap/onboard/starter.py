"""The answers `ctrlmap init` collects, and the profile they make.

`Given` holds what the user said (by flag, spreadsheet or interview; None where nothing was
said); `build_draft` completes it with documented defaults into a `Draft`: a `Profile` plus what
the commented YAML needs to explain it. The model is proposed with `recommend`'s own scoring.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from pydantic import ValidationError

from ctrlmap.analyse.recommend import Answers, RecommendResult, derive_answers, recommend
from ctrlmap.assessment.assign import assign_owners
from ctrlmap.assessment.scope import out_of_scope
from ctrlmap.errors import CtrlmapError, InputError, Problem
from ctrlmap.load.library import Library
from ctrlmap.load.problems import unknown
from ctrlmap.models import (
    FACTS,
    ROLES,
    Applicability,
    Designation,
    Person,
    Profile,
    Provider,
    global_key,
)
from ctrlmap.models.base import RESERVED_IDS, Role, Sector
from ctrlmap.models.catalog import SECTOR_FRAMEWORKS

SECTORS: tuple[Sector, ...] = get_args(Sector)
PLACEHOLDER_NAME = "Example Organization (rename me)"
"""The organization of a starter profile written without --organization."""
STARTER_SECTOR: Sector = "healthcare"
"""The sector of a starter profile given neither a sector nor frameworks (the clinic story)."""
FALLBACK_MODEL = "co-managed"
"""The model when the four questions give no recommendation (none answered, or an exact tie)."""

DEFAULT_FRAMEWORKS: dict[Sector, tuple[str, ...]] = {
    "healthcare": ("hipaa-security", "hipaa-breach"),
    "financial": ("glba-safeguards",),
    "legal": ("aba-model-rules",),
    "other": (),
}
"""What `init` proposes from the sector's suggestions (SECTOR_FRAMEWORKS): the sector's core rules.
The fact-driven ones (PCI DSS, 201 CMR 17.00) and the other financial regulators are offered, not
chosen for the user."""

FactKind = Literal["list", "bool", "choice"]

FACT_QUESTIONS: dict[str, str] = {
    "hipaa": "Under HIPAA, is the organization a covered entity, a business associate, or both",
    "hipaa-clearinghouse": "Is it a health care clearinghouse",
    "hipaa-group-health-plan": "Does it sponsor a group health plan",
    "pci": "Under PCI DSS, is it a merchant, a service provider, or both",
    "pci-saq": "Which PCI DSS self-assessment questionnaire does it file (none: every requirement)",
    "pci-issuer": "Is it a card issuer, or does it support issuing services (PCI DSS 3.3.3)",
    "pci-customized-approach": "Does it meet any PCI DSS requirement with the customized approach",
    "pci-multi-tenant": "Is it a multi-tenant service provider (PCI DSS Appendix A1)",
    "pci-designated-entity": "Was it designated for supplemental validation (PCI DSS Appendix A3)",
    "pci-early-tls-poi": "Do card-present terminals connect over SSL or early TLS (Appendix A2)",
    "nydfs": "Its NYDFS Part 500 tier, or the 500.19 exemption it claims",
    "glba-small-institution": "Does it hold information on fewer than 5,000 consumers (314.6)",
    "sec-entity-size": "Its SEC Regulation S-P compliance tier",
    "ncua-charter": "Is the credit union federally or state chartered",
    "ma-pi-electronic": "Is Massachusetts residents' personal information stored or sent electronically",
}
"""The question `init` asks for each applicability fact, in the order asked: the SAQ straight after
the PCI roles, since it decides which of the other PCI questions still matter."""

LIST_FACTS = ("hipaa", "pci")
NO_SAQ = "none"


def fact_kind(fact: str) -> FactKind:
    """How a fact is answered: several values, yes or no, or one value of a list."""
    if fact in LIST_FACTS:
        return "list"
    if fact != "pci-saq" and isinstance(FACTS[fact][0], bool):
        return "bool"
    return "choice"


def fact_values(fact: str, lib: Library, pci: Iterable[str] = ("merchant",)) -> tuple[str, ...]:
    """The values a list or choice fact takes; for pci-saq, none or the SAQs ctrlmap can select
    for an entity with these PCI roles (D, the whole standard, for anyone)."""
    if fact == "pci-saq":
        roles = set(pci)
        saqs = lib.saqs.saqs if lib.saqs else {}
        fits = [
            name
            for name, entry in saqs.items()
            if not name.startswith("D-") and roles == {entry.applies_to}
        ]
        return (NO_SAQ, *sorted({"D", *fits}))
    return tuple(str(v) for v in FACTS[fact])


def fact_default(fact: str) -> str | bool | tuple[str, ...]:
    """The value a profile that leaves the fact out is assessed with."""
    if fact == "pci-saq":
        return NO_SAQ
    value = Applicability().facts()[fact]
    if fact in LIST_FACTS:
        return tuple(str(v) for v in value)
    return value[0]


def facts_for(frameworks: Iterable[str], lib: Library) -> list[str]:
    """The applicability facts the chosen frameworks depend on, in the order asked."""
    used = lib.facts_used(tuple(frameworks))
    return [f for f in FACT_QUESTIONS if f in used]


def scoping_profile(
    frameworks: Iterable[str],
    facts: Mapping[str, str | bool | tuple[str, ...]],
    lib: Library,
    designations: Mapping[Role, Designation] | None = None,
) -> Profile:
    """A profile of only the frameworks and the facts known so far (and any designations): what
    the assessment needs to say which controls apply."""
    return Profile.model_validate(
        {
            "organization": {"name": PLACEHOLDER_NAME, "sector": STARTER_SECTOR},
            "frameworks": list(frameworks),
            "model": FALLBACK_MODEL,
            "applicability": applicability(facts, tuple(frameworks), lib),
            "designations": dict(designations or {}),
        }
    )


def facts_to_ask(
    frameworks: Sequence[str], known: Mapping[str, str | bool | tuple[str, ...]], lib: Library
) -> list[str]:
    """The facts not yet known that could still decide a control, given the ones known: a control
    the organization's SAQ does not ask, or whose other facts already fail (A1 for a merchant),
    needs no question."""
    profile = scoping_profile(frameworks, known, lib)
    values = {f: v for f, v in profile.applicability.facts().items() if f in known}
    skipped = out_of_scope(profile, lib, frameworks, dt.date.max)
    wanted: list[str] = []
    for fact in facts_for(frameworks, lib):
        if fact in known:
            continue
        if fact == "pci-saq" or any(
            fact in (control.applies_if or {})
            and global_key(fw, control.id) not in skipped
            and all(
                other not in values or any(v in values[other] for v in allowed)
                for other, allowed in (control.applies_if or {}).items()
                if other != fact
            )
            for fw in frameworks
            for control in lib.catalogs[fw].controls
            if control.status == "active"
        ):
            wanted.append(fact)
    return wanted


def roles_for(profile: Profile, lib: Library) -> list[Role]:
    """The designated roles a control that applies to the profile requires (or recommends), in
    table order: the frameworks, the SAQ and the facts decide (PCI DSS 12.1.4 is not in SAQ B-IP;
    a CISO is not required under the NYDFS limited exemption)."""
    found = assign_owners(profile, lib).designations
    return [role for role in ROLES if role in found and found[role].required]


def suggested_frameworks(sector: Sector) -> tuple[str, ...]:
    """The frameworks an organization of this sector should consider (SECTOR_FRAMEWORKS)."""
    return SECTOR_FRAMEWORKS[sector]


def regulatory_catalogs(lib: Library) -> list[str]:
    """The catalogs a profile may name: every catalog but the mapping hub."""
    return [cid for cid, cat in lib.catalogs.items() if not cat.hub]


def new_id(name: str, taken: Iterable[str]) -> str:
    """An id for a person or provider from their name: its first word, lower case, made unique."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    base = words[0] if words else "party"
    if base in RESERVED_IDS:
        base = "-".join(words[:2]) if len(words) > 1 else f"{base}-1"
    used = set(taken)
    candidate, n = base, 2
    while candidate in used or candidate in RESERVED_IDS:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


@dataclass(frozen=True)
class Given:
    """What the user said; None (or empty) where they said nothing."""

    organization: str | None = None
    sector: Sector | None = None
    frameworks: tuple[str, ...] | None = None
    facts: Mapping[str, str | bool | tuple[str, ...]] = field(default_factory=dict)
    answers: Answers = field(default_factory=Answers)
    model: str | None = None
    people: tuple[Person, ...] = ()
    providers: tuple[Provider, ...] = ()
    designations: Mapping[Role, Designation] = field(default_factory=dict)
    origins: Mapping[str, str] = field(default_factory=dict)
    """Where each answer came from, for error messages: a person's or provider's id, or
    `designations.ROLE`, or `organization`, with its flag, file row or interview question."""


@dataclass(frozen=True)
class Draft:
    """A profile ready to be written, with what its comments explain."""

    profile: Profile
    placeholder: bool
    """The organization is the starter's placeholder, to be renamed."""
    facts_given: tuple[str, ...]
    """The facts answered (written as keys); the others of the frameworks are shown as comments."""
    recommendation: RecommendResult | None
    """The four questions scored (None when the model was named and no question answered)."""
    origins: Mapping[str, str] = field(default_factory=dict)
    """Given.origins: where each answer came from."""


_PARTY_FIELD = re.compile(r"^(internal|providers)\[(\d+)\](?:\([^)]*\))?\.?(.*)$")
_ROLE_FIELD = re.compile(r"^designations\.([a-z0-9-]+)\.?(.*)$")


def answer_of(
    path: str,
    people: Sequence[Person],
    providers: Sequence[Provider],
    origins: Mapping[str, str],
) -> tuple[str, str] | None:
    """The flag, file row or interview answer behind a field of the profile init makes
    (`internal[0](dana).backup`, `designations.ciso.holder`), and the field within that answer."""
    party = _PARTY_FIELD.match(path)
    if party is not None:
        found = people if party[1] == "internal" else providers
        index = int(party[2])
        origin = origins.get(found[index].id) if index < len(found) else None
        return (origin, party[3]) if origin else None
    role = _ROLE_FIELD.match(path)
    if role is not None:
        origin = origins.get(f"designations.{role[1]}")
        return (origin, role[2]) if origin else None
    if path.split(".")[0] == "organization" and "organization" in origins:
        return origins["organization"], path.partition(".")[2]
    return None


def answer_problems(problems: Iterable[Problem], draft: Draft) -> list[Problem]:
    """Problems of the profile init was about to write, each pinned to the answer behind it
    where that is known (`--designate ciso=nobody: holder: ...`, `people.csv:row 3: ...`)."""
    out = []
    for problem in problems:
        found = answer_of(
            problem.field,
            draft.profile.internal,
            draft.profile.providers,
            draft.origins,
        )
        out.append(problem if found is None else Problem(found[0], None, found[1], problem.message))
    return out


def choose_sector(given: Given, lib: Library) -> Sector:
    """The sector said, else the first chosen framework's, else the starter's."""
    if given.sector is not None:
        return given.sector
    if given.frameworks:
        first = lib.catalogs.get(given.frameworks[0])
        return first.sector if first is not None else "other"
    return STARTER_SECTOR


def check_frameworks(frameworks: Iterable[str], lib: Library) -> None:
    """Every framework is a regulatory catalog ctrlmap knows, named once."""
    known = regulatory_catalogs(lib)
    seen: set[str] = set()
    for fw in frameworks:
        if fw not in known:
            raise CtrlmapError(f"--framework: {unknown('framework', fw, known)}")
        if fw in seen:
            raise CtrlmapError(f"--framework: {fw} is named twice; name each once")
        seen.add(fw)


def applicability(
    facts: Mapping[str, str | bool | tuple[str, ...]], frameworks: tuple[str, ...], lib: Library
) -> Applicability:
    """The applicability of the facts given, each of which must matter to the frameworks."""
    relevant = facts_for(frameworks, lib)
    data: dict[str, object] = {}
    for fact, value in facts.items():
        if fact not in relevant:
            why = f"its facts are {', '.join(relevant)}" if relevant else "they use no facts"
            raise CtrlmapError(
                f"--fact {fact}: does not decide any control of {', '.join(frameworks)} ({why})"
            )
        if fact == "pci-saq" and value == NO_SAQ:
            continue
        data[fact] = list(value) if isinstance(value, tuple) else value
    try:
        return Applicability.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"][:1])
        raise CtrlmapError(f"--fact {where}: {first['msg']}") from None


def propose_model(answers: Answers, provisional: Profile | None) -> RecommendResult:
    """The four questions scored; unanswered staff and compliance questions read from the people."""
    if provisional is not None and provisional.internal:
        found = derive_answers(provisional)
        fill = {
            name: getattr(found, name)
            for name in ("internal_staff", "in_house_compliance")
            if getattr(answers, name) is None
        }
        answers = answers.model_copy(update=fill)
    return recommend(answers)


def build_draft(given: Given, lib: Library) -> Draft:
    """The profile the answers make, every gap in them filled with its documented default."""
    sector = choose_sector(given, lib)
    frameworks = given.frameworks or DEFAULT_FRAMEWORKS[sector]
    if not frameworks:
        raise CtrlmapError(
            f"--framework: name at least one framework for sector {sector} (suggested: "
            f"{', '.join(suggested_frameworks(sector))})"
        )
    check_frameworks(frameworks, lib)
    facts = applicability(given.facts, frameworks, lib)
    if given.model is not None:
        lib.model(given.model)
    base = {
        "organization": {"name": given.organization or PLACEHOLDER_NAME, "sector": sector},
        "frameworks": list(frameworks),
        "model": given.model or FALLBACK_MODEL,
        "applicability": facts,
        "internal": given.people,
        "providers": given.providers,
        "designations": dict(given.designations),
    }
    try:
        profile = Profile.model_validate(base)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = [str(p) for p in error["loc"]]
            path = (
                f"{loc[0]}[{loc[1]}]." + ".".join(loc[2:])
                if loc[:1] in (["internal"], ["providers"]) and len(loc) > 1
                else ".".join(loc)
            )
            found = answer_of(path, given.people, given.providers, given.origins)
            where, column = found if found is not None else ("the answers", path)
            problems.append(Problem(where, None, column, error["msg"]))
        raise InputError(problems) from None
    result = None
    answered = any(v is not None for v in given.answers.model_dump().values())
    if given.model is None or answered:
        result = propose_model(given.answers, profile)
    if given.model is None and result is not None:
        profile = profile.model_copy(update={"model": result.recommendation or FALLBACK_MODEL})
    return Draft(
        profile=profile,
        placeholder=given.organization is None,
        facts_given=tuple(f for f in facts_for(frameworks, lib) if f in given.facts),
        recommendation=result,
        origins=given.origins,
    )


def parse_fact(spec: str, lib: Library) -> tuple[str, str | bool | tuple[str, ...]]:
    """A `--fact NAME=VALUE` (a list fact takes `VALUE,VALUE`; a yes-or-no fact yes or no)."""
    fact, sep, value = spec.partition("=")
    fact, value = fact.strip(), value.strip()
    if fact not in FACT_QUESTIONS:
        raise CtrlmapError(f"--fact {spec}: {unknown('fact', fact, FACT_QUESTIONS)}")
    if not sep or not value:
        raise CtrlmapError(f"--fact {spec}: give a value, as {fact}=VALUE")
    kind = fact_kind(fact)
    if kind == "bool":
        lowered = value.lower()
        if lowered not in ("yes", "no", "true", "false"):
            raise CtrlmapError(f"--fact {spec}: write {fact}=yes or {fact}=no")
        return fact, lowered in ("yes", "true")
    values = tuple(v.strip() for v in value.split(",") if v.strip())
    if fact == "pci-saq":  # any SAQ ctrlmap can select; the loader checks it fits the pci fact
        saqs = lib.saqs.saqs if lib.saqs else {}
        allowed = (NO_SAQ, *sorted({"D", *(k for k in saqs if not k.startswith("D-"))}))
    else:
        allowed = fact_values(fact, lib)
    for v in values:
        if v not in allowed:
            raise CtrlmapError(
                f"--fact {spec}: {unknown(f'{fact} value', v, dict.fromkeys(allowed))}"
            )
    if kind == "list":
        return fact, values
    if len(values) != 1:
        raise CtrlmapError(f"--fact {spec}: {fact} takes one value")
    return fact, values[0]


def parse_designation(spec: str) -> tuple[Role, Designation]:
    """A `--designate ROLE=HOLDER[:OVERSEER]`."""
    role, sep, rest = spec.partition("=")
    role = role.strip()
    if role not in ROLES:
        raise CtrlmapError(f"--designate {spec}: {unknown('role', role, ROLES)}")
    holder, _, overseer = rest.partition(":")
    if not sep or not holder.strip():
        raise CtrlmapError(f"--designate {spec}: give the holder, as {role}=ID[:OVERSEER]")
    try:
        found = Designation(holder=holder.strip(), overseer=overseer.strip() or None)
    except ValidationError:
        raise CtrlmapError(
            f"--designate {spec}: ids are letters, digits, '.', '_' and '-'"
        ) from None
    return role, found
