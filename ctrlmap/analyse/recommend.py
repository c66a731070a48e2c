"""Recommend an operating model from the seed's four questions, and from a profile when given.

Each answer adds whole points to one model; an unanswered question scores 0:

| question | answer | co-managed | fully-managed | the seed's reason |
|---|---|---|---|---|
| internal IT staff | 0 | 0 | 4 | co-managed needs internal IT talent; fully managed fits an organization with none |
| | 1-2 | 2 | 0 | an IT director keeps institutional knowledge and gains a bench |
| | 3 or more | 3 | 0 | an IT team keeps knowledge, on-site response and day-to-day decisions in house |
| what you want to control | high | 2 | 0 | under co-managed internal staff make most tactical calls |
| | low | 0 | 2 | fully managed delegates day-to-day control within an agreed strategy |
| budget | predictable | 0 | 1 | fully managed gives predictable costs |
| | flexible | 1 | 0 | co-managed buys project capacity and overflow as needed |
| own people can own regulatory accountability and oversee a provider | yes | 0 | 1 | the condition fully managed depends on is met |
| | no | 1 | 0 | nobody could oversee a provider running everything: keep the work in house |

No IT staff weighs 4, not 3: it does not merely favor fully managed, it removes what co-managed
is built on, so only every other answer together (control high, budget flexible, no one to own
compliance: 4 points) can balance it, and then neither model fits as is: an exact tie.

With a profile, the answers not given are derived from it: `internal_staff` is the number of
internal people covering at least one IT function (`IT_FUNCTIONS`: the hands-on technical work;
governance, compliance, risk, policy, training, vendor management, strategic planning and
physical security are not IT staffing); `in_house_compliance` is true when an internal person
covers governance or compliance-reporting, or holds or oversees a designated role. What you want
to control and how predictable the budget must be cannot be read from a profile. Explicit answers
win over derived ones. The gap analysis under both models joins the reasons, and adds 0.5 to the
model that leaves fewer critical gaps (then, on equal critical gaps, fewer high gaps); its
sentence derives each comparative from the counts (`gap_comparison`): answers score whole points, so the
gaps never outweigh an answer and only break a tie. The recommendation is null only on an exact
tie of the final scores.

Over 500 lines because the four questions, their points, conditions and sentences are one table-driven decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal

from pydantic import Field

from ctrlmap.assessment.gaps import GapsResult
from ctrlmap.assessment.pipeline import Assessment, assess
from ctrlmap.load.library import Library
from ctrlmap.models import ROLES, Profile, Strict
from ctrlmap.models.base import BUILTIN_MODELS, join_names

MODELS = BUILTIN_MODELS
"""The models recommended between: the two built-in ones."""

Bucket = Literal["0", "1-2", "3+"]
Question = Literal["internal-staff", "control", "budget", "in-house-compliance"]
QUESTIONS: tuple[Question, ...] = ("internal-staff", "control", "budget", "in-house-compliance")

POINTS: dict[Question, dict[str, tuple[int, int]]] = {
    "internal-staff": {"0": (0, 4), "1-2": (2, 0), "3+": (3, 0)},
    "control": {"high": (2, 0), "low": (0, 2)},
    "budget": {"predictable": (0, 1), "flexible": (1, 0)},
    "in-house-compliance": {"yes": (0, 1), "no": (1, 0)},
}
"""(co-managed, fully-managed) points per answer: the table of the module docstring."""

Score = int | float
"""Whole points from the answers; a half point from the gaps."""

GAP_WEIGHT = 0.5
"""Added to the model that leaves fewer critical, then high, gaps: less than any answer's points."""

IT_FUNCTIONS = frozenset(
    {
        "asset-management",
        "access-management",
        "endpoint-management",
        "patch-management",
        "vulnerability-management",
        "change-management",
        "network-administration",
        "server-management",
        "application-security",
        "security-monitoring",
        "incident-response",
        "backup-recovery",
        "data-protection",
        "help-desk",
        "on-site-support",
    }
)
"""The hands-on technical functions: covering one makes a person internal IT staff."""

COMPLIANCE_FUNCTIONS = ("governance", "compliance-reporting")

_WHY: dict[Question, dict[str, str]] = {
    "internal-staff": {
        "0": "no internal IT staff: co-managed needs internal IT talent (an IT director or team), "
        "while fully managed fits an organization with none",
        "1-2": "an IT director or a small team: co-managed keeps their institutional knowledge and "
        "on-site response in house and gives them a bench for after-hours monitoring, tooling and "
        "overflow",
        "3+": "an internal IT team: co-managed keeps institutional knowledge, on-site response and "
        "day-to-day decisions in house and adds the provider's specialized tooling and capacity",
    },
    "control": {
        "high": "you want to keep day-to-day control: under co-managed internal staff make most "
        "tactical calls",
        "low": "you are willing to hand off day-to-day control: fully managed delegates it to the "
        "provider within an agreed strategy",
    },
    "budget": {
        "predictable": "the budget must be predictable: fully managed is a fixed, predictable cost",
        "flexible": "the budget can flex: co-managed buys project capacity and help-desk overflow "
        "as needed",
    },
    "in-house-compliance": {
        "yes": "your own people can own regulatory accountability and oversee a provider: the "
        "condition fully managed depends on is met",
        "no": "nobody internal can own regulatory accountability and oversee a provider: handing "
        "everything to a provider would leave accountability nowhere, so keep the work in house",
    },
}

_TITLES: dict[Question, str] = {
    "internal-staff": "Internal IT staff",
    "control": "What you want to control",
    "budget": "Budget",
    "in-house-compliance": "In-house compliance owner",
}


class Answers(Strict):
    """The answers to the seed's four questions; None means not answered."""

    internal_staff: int | None = Field(None, ge=0)
    """How many internal IT staff: scored in buckets 0, 1-2, 3 or more."""
    control: Literal["high", "low"] | None = None
    """How much day-to-day control you want to keep."""
    budget: Literal["predictable", "flexible"] | None = None
    """How predictable the budget must be."""
    in_house_compliance: bool | None = None
    """Whether your own people can own regulatory accountability and oversee a provider."""


class Reason(Strict):
    """One reason behind the scores: a question's answer, a model's gaps, or the tie."""

    topic: Literal["internal-staff", "control", "budget", "in-house-compliance", "gaps", "tie"]
    answer: str | None
    derived: bool
    """True when the answer was read from the profile rather than given."""
    points: dict[str, Score]
    """The points this reason adds to each model."""
    text: str


class Condition(Strict):
    """Something the recommendation depends on, and whether the profile shows it met."""

    model: str | None
    """The model it is a condition of; null when it holds for either."""
    text: str
    met: bool | None
    """True or false from the profile; null when there is no profile to tell."""
    detail: str | None = None
    citation: str | None = None


class GapTally(Strict):
    """The critical and high gaps a model would leave for the profile."""

    critical: int
    high: int
    rules: tuple[str, ...]
    """The rules of those critical and high gaps."""


class RecommendResult(Strict):
    """`ctrlmap recommend`: a scored recommendation with one reason per question."""

    schema_: Literal["ctrlmap/recommend@1"] = Field("ctrlmap/recommend@1", alias="schema")
    organization: str | None
    current_model: str | None
    recommendation: str | None
    scores: dict[str, Score]
    conditions: tuple[Condition, ...]
    reasons: tuple[Reason, ...]
    answers: Answers
    """The answers scored: the ones given, completed from the profile."""
    staff_bucket: Bucket | None
    derived: tuple[str, ...]
    """The questions whose answer was read from the profile."""
    gaps: dict[str, GapTally] | None
    """With a profile: the critical and high gaps under each model."""


def staff_bucket(staff: int | None) -> Bucket | None:
    """The bucket an internal IT head count is scored in: 0, 1-2, 3 or more."""
    if staff is None:
        return None
    if staff == 0:
        return "0"
    return "1-2" if staff <= 2 else "3+"


def it_staff(profile: Profile) -> list[str]:
    """The internal people who cover at least one IT function."""
    return [p.id for p in profile.internal if IT_FUNCTIONS & set(p.functions)]


def compliance_owners(profile: Profile) -> list[str]:
    """Internal people who cover governance or compliance reporting, or hold or oversee a role."""
    people = {p.id for p in profile.internal}
    named = {
        ident
        for d in profile.designations.values()
        for ident in (d.holder, d.overseer)
        if ident in people
    }
    return [
        p.id
        for p in profile.internal
        if p.id in named or set(COMPLIANCE_FUNCTIONS) & set(p.functions)
    ]


def derive_answers(profile: Profile) -> Answers:
    """The answers a profile gives: IT head count and whether someone internal owns compliance."""
    return Answers(
        internal_staff=len(it_staff(profile)),
        in_house_compliance=bool(compliance_owners(profile)),
    )


def _answer(answers: Answers, question: Question) -> str | None:
    if question == "internal-staff":
        return staff_bucket(answers.internal_staff)
    if question == "control":
        return answers.control
    if question == "budget":
        return answers.budget
    if answers.in_house_compliance is None:
        return None
    return "yes" if answers.in_house_compliance else "no"


def assessments_for(
    profile: Profile, lib: Library, as_of: dt.date, include_proposed: bool = False
) -> dict[str, Assessment]:
    """The profile under each model weighed: its own model as arranged today, the other as
    planned (the target arrangement, what moving to it would leave before any new contract)."""
    return {
        model: assess(
            profile,
            lib,
            model,
            as_of,
            include_proposed,
            arrangement="actual" if model == profile.model else "target",
        )
        for model in MODELS
    }


def recommend(
    answers: Answers, assessments: Mapping[str, Assessment] | None = None
) -> RecommendResult:
    """Score the two built-in models on the answers and pick one.

    With `assessments` (one profile assessed under each of `MODELS`), unanswered questions are
    read from the profile and the gaps each model leaves join the reasons.

    Long because each of the four questions and the gap tie-break adds its own reason text; kept together so the scores and their sentences cannot drift apart.
    """
    derived: list[str] = []
    gaps: dict[str, GapsResult] = {}
    profile: Profile | None = None
    if assessments is not None:
        missing = [m for m in MODELS if m not in assessments]
        if missing:
            raise ValueError(f"recommend() needs an assessment under each model; missing {missing}")
        profile = assessments[MODELS[0]].profile
        found = derive_answers(profile)
        fill: dict[str, object] = {}
        for field, question in (
            ("internal_staff", "internal-staff"),
            ("in_house_compliance", "in-house-compliance"),
        ):
            if getattr(answers, field) is None:  # an explicit answer wins
                fill[field] = getattr(found, field)
                derived.append(question)
        answers = answers.model_copy(update=fill)
        gaps = {model: assessments[model].gaps for model in MODELS}

    reasons: list[Reason] = []
    scores: dict[str, Score] = dict.fromkeys(MODELS, 0)
    for question in QUESTIONS:
        answer = _answer(answers, question)
        is_derived = question in derived
        if answer is None:
            reasons.append(
                Reason(
                    topic=question,
                    answer=None,
                    derived=False,
                    points=dict.fromkeys(MODELS, 0),
                    text=f"{_TITLES[question]}: not answered: scores 0.",
                )
            )
            continue
        co, fully = POINTS[question][answer]
        scores["co-managed"] += co
        scores["fully-managed"] += fully
        winner = "co-managed" if co else "fully-managed"
        source = _source(profile, question) if is_derived and profile is not None else ""
        reasons.append(
            Reason(
                topic=question,
                answer=answer,
                derived=is_derived,
                points={"co-managed": co, "fully-managed": fully},
                text=f"{_TITLES[question]}: {answer}{source}: {_WHY[question][answer]}. "
                f"{winner} +{max(co, fully)}.",
            )
        )

    tallies: dict[str, GapTally] | None = None
    if gaps:
        tallies = {m: _tally(g) for m, g in gaps.items()}
        for model, tally in tallies.items():
            rules = f" ({', '.join(tally.rules)})" if tally.rules else ""
            current = " (its current model)" if profile and profile.model == model else ""
            reasons.append(
                Reason(
                    topic="gaps",
                    answer=model,
                    derived=True,
                    points=dict.fromkeys(MODELS, 0),
                    text=f"Under {model}{current} this profile would leave "
                    f"{_count(tally.critical, 'critical')} and {_count(tally.high, 'high')}"
                    f"{rules}.",
                )
            )
        co_t, fully_t = tallies["co-managed"], tallies["fully-managed"]
        co_key, fully_key = (co_t.critical, co_t.high), (fully_t.critical, fully_t.high)
        if co_key != fully_key:
            fewer = "co-managed" if co_key < fully_key else "fully-managed"
            other = "fully-managed" if fewer == "co-managed" else "co-managed"
            scores[fewer] += GAP_WEIGHT
            reasons.append(
                Reason(
                    topic="gaps",
                    answer=fewer,
                    derived=True,
                    points={m: GAP_WEIGHT if m == fewer else 0 for m in MODELS},
                    text=f"{fewer} leaves {gap_comparison(tallies[fewer], tallies[other], other)} "
                    f"for this profile: +{GAP_WEIGHT} (critical gaps weigh first, then high ones; "
                    "half a point is less than any answer, so it only breaks a tie).",
                )
            )

    recommendation: str | None
    if scores["co-managed"] == scores["fully-managed"]:
        recommendation = None
        reasons.append(
            Reason(
                topic="tie",
                answer=None,
                derived=False,
                points=dict.fromkeys(MODELS, 0),
                text=f"Exact tie at {_num(scores['co-managed'])} points each: no recommendation. "
                + _tie_hint(answers, bool(gaps)),
            )
        )
    else:
        recommendation = max(MODELS, key=lambda m: scores[m])
    return RecommendResult(
        organization=profile.organization.name if profile else None,
        current_model=profile.model if profile else None,
        recommendation=recommendation,
        scores={m: _num(s) for m, s in scores.items()},
        conditions=tuple(_conditions(recommendation, answers, profile, gaps)),
        reasons=tuple(reasons),
        answers=answers,
        staff_bucket=staff_bucket(answers.internal_staff),
        derived=tuple(derived),
        gaps=tallies,
    )


def _num(value: Score) -> Score:
    """Whole scores as integers, so that JSON shows 3 rather than 3.0."""
    return int(value) if float(value).is_integer() else value


def _tie_hint(answers: Answers, with_gaps: bool) -> str:
    open_ = [_TITLES[q].lower() for q in QUESTIONS if _answer(answers, q) is None]
    if open_:
        return f"Answer the open questions ({', '.join(open_)}), or run `ctrlmap compare`."
    if with_gaps:
        return "The gaps do not break it either: run `ctrlmap compare` to weigh the transition."
    return (
        "All four answers are given and pull equally both ways: check the conditions of each "
        "model below, or add a profile to weigh the gaps each would leave."
    )


def _source(profile: Profile, question: Question) -> str:
    """Where a derived answer came from: the profile's people, by name."""
    if question == "internal-staff":
        people = it_staff(profile)
        who = "person covers" if len(people) == 1 else "people cover"
        listed = f": {join_names(profile.name_of(p) for p in people)}" if people else ""
        return f" (from the profile: {len(people)} internal {who} IT work{listed})"
    owners = compliance_owners(profile)
    found = (
        join_names(profile.name_of(p) for p in owners)
        if owners
        else "nobody internal covers governance or compliance, or holds or oversees a role"
    )
    return f" (from the profile: {found})"


def _role_title(title: str) -> str:
    """'Supervising lawyer' reads 'supervising lawyer' mid-sentence; 'GLBA ...' stays."""
    return title[0].lower() + title[1:] if title[1:2].islower() else title


def _count(n: int, severity: str) -> str:
    return f"{n} {severity} gap" if n == 1 else f"{n} {severity} gaps"


def gap_comparison(one: GapTally, other: GapTally, other_model: str) -> str:
    """How `one`'s critical and high gaps compare with `other`'s, each comparative from the counts.

    A model can leave fewer critical gaps and more high ones: the sentence says so rather than
    calling it "fewer critical and high gaps".
    """
    clauses = []
    for severity, a, b in (
        ("critical", one.critical, other.critical),
        ("high", one.high, other.high),
    ):
        if a == b:
            clauses.append(f"as many {severity} gaps as {other_model} ({a})")
        else:
            word = "fewer" if a < b else "more"
            clauses.append(f"{word} {severity} gaps than {other_model} ({a} against {b})")
    joiner = ", but " if clauses[1].startswith("more") else " and "
    return clauses[0] + joiner + clauses[1]


def _tally(result: GapsResult) -> GapTally:
    serious = [g for g in result.gaps if g.severity in ("critical", "high")]
    return GapTally(
        critical=sum(g.severity == "critical" for g in serious),
        high=sum(g.severity == "high" for g in serious),
        rules=tuple(sorted({g.rule for g in serious})),
    )


def _conditions(
    recommendation: str | None,
    answers: Answers,
    profile: Profile | None,
    gaps: dict[str, GapsResult],
) -> list[Condition]:
    """What the recommendation depends on: the chosen model's conditions, then either model's."""
    wanted = [recommendation] if recommendation else list(MODELS)
    out: list[Condition] = []
    for model in wanted:
        out.extend(
            _co_managed(answers, profile, gaps.get(model))
            if model == "co-managed"
            else _fully_managed(answers, profile)
        )
    return [*out, *_shared_conditions(profile)]


def _names(profile: Profile, ids: list[str]) -> str:
    return join_names(profile.name_of(i) for i in ids)


def _shared_conditions(profile: Profile | None) -> list[Condition]:
    """The agreements the law requires of any provider doing the regulated work."""
    if profile is None:
        return []
    out: list[Condition] = []
    providers = [p for p in profile.providers if not p.independent]
    hipaa = [f for f in profile.frameworks if f.startswith("hipaa")]
    if hipaa:
        # a provider whose agreement covers no HIPAA framework touches no ePHI here
        missing = [p.name for p in providers if not p.baa and any(p.serves(f) for f in hipaa)]
        out.append(
            Condition(
                model=None,
                text="Every provider touching ePHI signs a business associate agreement first.",
                met=not missing,
                detail=f"missing: {', '.join(missing)}" if missing else "on file",
                citation="45 CFR 164.308(b)(1), 164.314(a)",
            )
        )
    if "pci-dss-4" in profile.frameworks:
        missing = [
            p.name for p in profile.providers if not p.pci_acknowledgement and p.serves("pci-dss-4")
        ]
        out.append(
            Condition(
                model=None,
                text="Every provider in the cardholder data environment acknowledges its PCI DSS "
                "responsibilities in writing.",
                met=not missing,
                detail=f"missing: {', '.join(missing)}" if missing else "on file",
                citation="PCI DSS v4.0.1 12.8.2",
            )
        )
    return [*out, *_role_conditions(profile)]


def _fully_managed(answers: Answers, profile: Profile | None) -> list[Condition]:
    """Fully managed works only with an internal owner who oversees the provider (the seed)."""
    owners = compliance_owners(profile) if profile else []
    out = [
        Condition(
            model="fully-managed",
            text="An internal compliance owner is named as overseer of the provider: "
            "accountability stays with the organization whatever it outsources.",
            met=answers.in_house_compliance,
            detail=f"{_names(profile, owners)}" if profile and owners else None,
            citation="45 CFR 160.402(c); 16 CFR 314.4(a)(1); 23 NYCRR 500.4(a)(1)",
        ),
        Condition(
            model="fully-managed",
            text="Day-to-day control is delegated within an agreed, written strategy that the "
            "organization approves (the vCIO roadmap), with the provider's scope in its agreement.",
            met=None,
        ),
    ]
    if profile is None:
        out.append(
            Condition(
                model="fully-managed",
                text="A designated role held by the provider (a vCISO as GLBA Qualified "
                "Individual or NYDFS CISO) has a senior internal person named to oversee it.",
                met=None,
                citation="16 CFR 314.4(a)(2); 23 NYCRR 500.4(a)(2)",
            )
        )
    return out


def _role_conditions(profile: Profile) -> list[Condition]:
    """The designated roles in scope: who may hold them and who must oversee a provider holding them."""
    people = {p.id for p in profile.internal}
    out: list[Condition] = []
    for role, rule in ROLES.items():
        if rule.required_by not in profile.frameworks:
            continue
        held = profile.designations.get(role)
        if rule.overseer_required:
            met = held is not None and (held.holder in people or held.overseer is not None)
            detail = (
                "not designated"
                if held is None
                else f"held by {profile.name_of(held.holder)}"
                + (
                    f", overseen by {profile.name_of(held.overseer)}"
                    if held.overseer
                    else ", no overseer"
                )
            )
            out.append(
                Condition(
                    model=None,
                    text=f"The {_role_title(rule.title)}, when a provider holds it, has a senior internal "
                    "person named to oversee it.",
                    met=met,
                    detail=detail,
                    citation=rule.citation,
                )
            )
        elif not rule.provider_may_hold:
            who = "a lawyer of the firm" if role == "supervising-lawyer" else "an executive"
            out.append(
                Condition(
                    model=None,
                    text=f"The {_role_title(rule.title)} stays with {who}: a provider cannot hold it.",
                    met=held is not None and held.holder in people,
                    detail="not designated"
                    if held is None
                    else f"held by {profile.name_of(held.holder)}",
                    citation=rule.citation,
                )
            )
    return out


def _co_managed(
    answers: Answers, profile: Profile | None, found: GapsResult | None
) -> list[Condition]:
    """Co-managed works only with IT talent, documented boundaries and a bench (the seed)."""
    staff = answers.internal_staff
    out = [
        Condition(
            model="co-managed",
            text="Internal IT talent (an IT director or team) runs the internal part of the work.",
            met=None if staff is None else staff > 0,
            detail=None if staff is None else f"{staff} internal IT staff",
        ),
        Condition(
            model="co-managed",
            text="Every shared function has a documented split and every dependency that crosses "
            "parties a documented hand-off: the risk comes from ambiguity, not from the model.",
            met=None
            if found is None
            else not any(g.rule in ("shared-without-split", "missing-handoff") for g in found.gaps),
            detail=None
            if found is None
            else f"{sum(g.rule == 'shared-without-split' for g in found.gaps)} undocumented "
            f"split(s), {sum(g.rule == 'missing-handoff' for g in found.gaps)} missing hand-off "
            "group(s) under co-managed",
        ),
    ]
    if profile is not None:
        it = [p for p in profile.internal if p.id in set(it_staff(profile))]
        lacking = [p.name for p in it if p.backup is None]
        out.append(
            Condition(
                model="co-managed",
                text="Each internal IT person has a declared backup (the provider can be the "
                "bench), so nobody is a single point of failure.",
                met=bool(it) and not lacking,
                detail=f"no backup: {', '.join(lacking)}" if lacking else None,
            )
        )
    elif staff is None or staff <= 2:
        out.append(
            Condition(
                model="co-managed",
                text="The single IT person (or each of a small team) has a declared backup, the "
                "provider acting as the bench, so nobody is a single point of failure.",
                met=None,
            )
        )
    out.append(
        Condition(
            model="co-managed",
            text="Regulatory accountability and day-to-day decisions stay with named internal "
            "people.",
            met=answers.in_house_compliance,
            detail=_names(profile, compliance_owners(profile)) if profile else None,
        )
    )
    return out
