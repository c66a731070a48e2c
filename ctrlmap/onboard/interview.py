"""The `ctrlmap init` interview: the questions, in order, over a prompter the command line supplies.

Only what the user has not already said (by flag or spreadsheet) is asked. Each answer is checked
as it is typed and asked again when it does not fit, so that the profile written at the end
validates. The prompter is a protocol: the command line gives click's prompts (and click's
Ctrl-C handling), a test gives scripted answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol, TypeVar, cast

from ctrlmap.analyse.recommend import Answers, recommend
from ctrlmap.errors import CtrlmapError, shown
from ctrlmap.load.library import Library
from ctrlmap.load.problems import suggest
from ctrlmap.models import ROLES, Designation, Person, Provider
from ctrlmap.models.base import NAME_MAX, RESERVED_IDS, TEXT_MAX, Role, Sector
from ctrlmap.models.catalog import CONSIDER_WHEN
from ctrlmap.onboard.sheets import ID_PATTERN
from ctrlmap.onboard.starter import (
    DEFAULT_FRAMEWORKS,
    FACT_QUESTIONS,
    FALLBACK_MODEL,
    SECTORS,
    Given,
    applicability,
    fact_default,
    fact_kind,
    fact_values,
    facts_to_ask,
    new_id,
    regulatory_catalogs,
    roles_for,
    scoping_profile,
    suggested_frameworks,
)

T = TypeVar("T")
Parsed = tuple[T | None, str | None]
"""A parsed answer, or None and what is wrong with it."""


class Prompter(Protocol):
    """What the interview needs from a terminal."""

    def say(self, text: str) -> None:
        """Show a line."""

    def ask(self, question: str, default: str | None = None) -> str:
        """An answer; blank gives `default` (None: an answer is required; "": blank is fine)."""

    def confirm(self, question: str, default: bool) -> bool:
        """A yes or no."""


def until(p: Prompter, question: str, default: str | None, parse: Callable[[str], Parsed[T]]) -> T:
    """Ask until the answer parses, saying what was wrong each time."""
    while True:
        value, problem = parse(p.ask(question, default).strip())
        if problem is None:
            return value  # type: ignore[return-value]
        p.say(f"  {problem}")


def pick(answer: str, menu: Sequence[str], what: str) -> Parsed[tuple[str, ...]]:
    """Items chosen by number or id from a numbered menu, comma-separated; blank is none."""
    chosen: list[str] = []
    for part in (x.strip() for x in answer.replace(";", ",").split(",")):
        if not part:
            continue
        folded = "-".join(part.lower().split())
        if part.isdigit() and 1 <= int(part) <= len(menu):
            item = menu[int(part) - 1]
        elif part in menu:
            item = part
        elif folded in menu:  # "Help Desk" for help-desk
            item = folded
        else:
            close = suggest(part, menu, n=1)
            mean = f" (did you mean {shown(close[0])}?)" if close else ""
            return None, f"{shown(part)} is not a {what} of the list{mean}; give its number or id"
        if item not in chosen:
            chosen.append(item)
    return tuple(chosen), None


def one_of(values: Sequence[str], blank: str | None = None) -> Callable[[str], Parsed[str]]:
    """A parser that takes one of `values` (or blank, read as `blank`, when that is given)."""

    def parse(answer: str) -> Parsed[str]:
        if not answer and blank is not None:
            return blank, None
        if answer in values:
            return answer, None
        return None, f"answer one of: {', '.join(values)}"

    return parse


def _required(answer: str) -> Parsed[str]:
    if not answer:
        return None, "an answer is needed"
    return _short(answer)


def _short(answer: str, limit: int = NAME_MAX) -> Parsed[str]:
    """A name, role or agreement within what a profile holds: refused here, not after the
    whole interview."""
    if len(answer) > limit:
        return None, f"{len(answer)} characters; shorten it to {limit} at most"
    return answer, None


def _count(answer: str) -> Parsed[int | None]:
    if not answer:
        return None, None
    if answer.isdigit():
        return int(answer), None
    return None, "give a whole number, or leave it blank to skip the question"


def _date(answer: str) -> Parsed[dt.date | None]:
    if not answer:
        return None, None
    try:
        return dt.date.fromisoformat(answer), None
    except ValueError:
        return None, "write the date as YYYY-MM-DD, or leave it blank"


def _new_id(taken: set[str]) -> Callable[[str], Parsed[str]]:
    def parse(answer: str) -> Parsed[str]:
        if not ID_PATTERN.match(answer):
            return (
                None,
                "an id is letters, digits, '.', '_' and '-', starting with a letter or digit",
            )
        if answer in RESERVED_IDS or answer in taken:
            return None, f"{answer!r} is taken; choose another id"
        return answer, None

    return parse


class Interview:
    """One run of the questions; `run` returns everything said, completed."""

    def __init__(self, p: Prompter, lib: Library) -> None:
        self.p = p
        self.lib = lib
        self.functions = list(lib.functions)
        self.menu_shown = False

    def run(self, given: Given) -> Given:
        """Ask what `given` leaves open, in the order of the README's interview."""
        p = self.p
        organization = given.organization or until(p, "Organization name", None, _required)
        sector = given.sector or cast(
            Sector, until(p, f"Sector ({', '.join(SECTORS)})", None, one_of(SECTORS))
        )
        frameworks = given.frameworks or self.frameworks(sector)
        self.check_given(given, frameworks)
        facts = dict(given.facts)
        # asked one at a time: each answer can make a later question moot (A1 for a merchant)
        while pending := facts_to_ask(frameworks, facts, self.lib):
            facts[pending[0]] = self.fact(pending[0], facts)
        answers, model = given.answers, given.model
        if model is None:
            answers = self.questions(answers)
            model = self.model(answers)
        people, providers = self.parties(given, frameworks)
        ids = {x.id for x in people} | {x.id for x in providers}
        designations: dict[Role, Designation] = {}
        for role, said in given.designations.items():
            if said.holder in ids and (said.overseer is None or said.overseer in ids):
                designations[role] = said
            else:
                p.say(
                    f"  --designate {role}: names somebody who is neither a person nor a provider."
                )
        for role in roles_for(scoping_profile(frameworks, facts, self.lib), self.lib):
            if role not in designations:
                found = self.designation(role, people, providers)
                if found is not None:
                    designations[role] = found
        origins = {
            **{x.id: f"the interview's answers for {x.name}" for x in people},
            **{x.id: f"the interview's answers for {x.name}" for x in providers},
            **{
                f"designations.{role}": f"the interview's answer for the {ROLES[role].title}"
                for role in designations
            },
            **({} if given.organization else {"organization": "the interview's organization name"}),
            **given.origins,
        }
        return replace(
            given,
            origins=origins,
            organization=organization,
            sector=sector,
            frameworks=tuple(frameworks),
            facts=facts,
            answers=answers,
            model=model,
            people=people,
            providers=providers,
            designations=designations,
        )

    def check_given(self, given: Given, frameworks: Sequence[str]) -> None:
        """Stop at once, not after the whole interview, when a flag or file does not fit the
        frameworks chosen (CtrlmapError)."""
        applicability(given.facts, tuple(frameworks), self.lib)
        for provider in given.providers:
            outside = [fw for fw in provider.frameworks or () if fw not in frameworks]
            if outside:
                raise CtrlmapError(
                    f"provider {provider.id}: its frameworks name {', '.join(outside)}, which is "
                    f"not among the frameworks chosen ({', '.join(frameworks)})"
                )

    def frameworks(self, sector: Sector) -> tuple[str, ...]:
        """The frameworks, from a menu that puts the sector's suggestions first."""
        suggested = suggested_frameworks(sector)
        menu = [*suggested, *(c for c in regulatory_catalogs(self.lib) if c not in suggested)]
        self.p.say(f"Frameworks (* suggested for {sector}):")
        for i, fw in enumerate(menu, 1):
            mark = "*" if fw in suggested else " "
            when = f" ({CONSIDER_WHEN[fw]})" if fw in suggested and fw in CONSIDER_WHEN else ""
            self.p.say(f" {mark}{i:>2}. {fw:<16} {self.lib.catalogs[fw].title}{when}")

        def parse(answer: str) -> Parsed[tuple[str, ...]]:
            chosen, problem = pick(answer, menu, "framework")
            if problem is None and not chosen:
                return None, "choose at least one framework"
            return chosen, problem

        default = ", ".join(DEFAULT_FRAMEWORKS[sector]) or None
        return until(
            self.p, "Frameworks in scope (numbers or ids, comma-separated)", default, parse
        )

    def fact(
        self, fact: str, facts: dict[str, str | bool | tuple[str, ...]]
    ) -> str | bool | tuple[str, ...]:
        """One applicability question, with the fact's default as the default answer."""
        kind, default = fact_kind(fact), fact_default(fact)
        question = FACT_QUESTIONS[fact]
        if kind == "bool":
            return self.p.confirm(f"{question}?", bool(default))
        pci = facts.get("pci", fact_default("pci"))
        values = fact_values(fact, self.lib, pci if isinstance(pci, tuple) else ("merchant",))
        if kind == "choice":
            return until(self.p, f"{question} ({', '.join(values)})", str(default), one_of(values))

        def parse(answer: str) -> Parsed[tuple[str, ...]]:
            chosen, problem = pick(answer, values, "value")
            if problem is None and not chosen:
                return None, "give at least one value"
            return chosen, problem

        assert isinstance(default, tuple)
        return until(self.p, f"{question} ({', '.join(values)})", ", ".join(default), parse)

    def questions(self, answers: Answers) -> Answers:
        """The four questions of `ctrlmap recommend`; blank skips one."""
        p = self.p
        p.say("Four questions propose an operating model (leave one blank to skip it).")
        staff = answers.internal_staff
        if staff is None:
            staff = until(p, "How many internal IT staff do hands-on IT work", "", _count)
        control: str | None = answers.control
        if control is None:
            control = until(
                p,
                "How much day-to-day control do you want to keep (high, low)",
                "",
                one_of(("high", "low"), ""),
            )
        budget: str | None = answers.budget
        if budget is None:
            budget = until(
                p,
                "How predictable must the IT budget be (predictable, flexible)",
                "",
                one_of(("predictable", "flexible"), ""),
            )
        compliance = answers.in_house_compliance
        if compliance is None:
            said = until(
                p,
                "Can your own people own regulatory accountability and oversee a provider (yes, no)",
                "",
                one_of(("yes", "no"), ""),
            )
            compliance = None if not said else said == "yes"
        return Answers.model_validate(
            {
                "internal_staff": staff,
                "control": control or None,
                "budget": budget or None,
                "in_house_compliance": compliance,
            }
        )

    def model(self, answers: Answers) -> str:
        """The model, proposed by the four questions' scores and confirmed."""
        result = recommend(answers)
        for reason in result.reasons:
            if reason.answer is not None:
                self.p.say(f"  {reason.text}")
        proposed = result.recommendation or FALLBACK_MODEL
        scores = ", ".join(f"{m} {s}" for m, s in result.scores.items())
        self.p.say(f"Proposed model: {proposed} ({scores}).")
        return until(
            self.p,
            f"Operating model ({', '.join(self.lib.models)})",
            proposed,
            one_of(list(self.lib.models)),
        )

    def show_functions(self) -> None:
        """The numbered function menu with each function's one-line description, once."""
        if self.menu_shown:
            return
        self.menu_shown = True
        self.p.say("Functions:")
        for i, fid in enumerate(self.functions, 1):
            self.p.say(f"  {i:>2}. {fid:<24} {self.lib.functions[fid].description}")

    def pick_functions(self, who: str) -> tuple[str, ...]:
        """Functions chosen from the menu by number or id."""
        self.show_functions()
        return until(
            self.p,
            f"Functions {who} covers (numbers or ids, comma-separated)",
            "",
            lambda answer: pick(answer, self.functions, "function"),
        )

    def parties(
        self, given: Given, frameworks: Sequence[str]
    ) -> tuple[tuple[Person, ...], tuple[Provider, ...]]:
        """The people, then the providers, then any backup that names nobody known."""
        people, providers = list(given.people), list(given.providers)
        taken = {x.id for x in people} | {x.id for x in providers}
        for person in people:
            self.p.say(f"Person: {person.name} ({person.id})")
        while self.p.confirm("Add a person of the internal team?", not people):
            people.append(self.person(taken))
        for provider in providers:
            self.p.say(f"Provider: {provider.name} ({provider.id})")
        while self.p.confirm("Add a provider?", not providers):
            providers.append(self.provider(taken, frameworks))
        fixed = []
        for person in people:
            if person.backup is not None and person.backup not in taken:
                self.p.say(
                    f"  {person.name}'s backup {person.backup!r} is not a person or provider."
                )
                backup = until(
                    self.p,
                    f"Who stands in for {person.name} (an id: {', '.join(sorted(taken))}; blank: nobody)",
                    "",
                    one_of(sorted(taken), ""),
                )
                person = person.model_copy(update={"backup": backup or None})
            fixed.append(person)
        return tuple(fixed), tuple(providers)

    def person(self, taken: set[str]) -> Person:
        """One person: name, id, role, functions, after hours, backup."""
        p = self.p
        name = until(p, "Name", None, _required)
        ident = until(p, "Id", new_id(name, taken), _new_id(taken))
        taken.add(ident)
        role = until(p, "Role or title (blank: none)", "", _short)
        functions = self.pick_functions(name)
        after_hours = p.confirm(f"Does {name} work after hours?", False)
        others = sorted(taken - {ident})
        known = f"{', '.join(others)}, or " if others else ""
        backup = p.ask(
            f"Who stands in for {name} ({known}the id of a person or provider you add later; "
            "blank: nobody)",
            "",
        ).strip()
        return Person(
            id=ident,
            name=name,
            role=role or None,
            functions=functions,
            after_hours=after_hours,
            backup=backup or None,
        )

    def provider(self, taken: set[str], frameworks: Sequence[str]) -> Provider:
        """One provider: its agreement and what it covers."""
        p = self.p
        name = until(p, "Provider name", None, _required)
        ident = until(p, "Id", new_id(name, taken), _new_id(taken))
        taken.add(ident)
        agreement = until(
            p,
            "Agreement (e.g. MSA 2026-03, SOW 2; blank: none yet)",
            "",
            lambda answer: _short(answer, TEXT_MAX),
        )
        functions = self.pick_functions(name)
        scope: tuple[str, ...] = ()
        if len(frameworks) > 1:
            scope = until(
                p,
                f"Frameworks its agreement covers ({', '.join(frameworks)}; blank: all)",
                "",
                lambda answer: pick(answer, list(frameworks), "framework"),
            )
        after_hours = p.confirm(f"Does {name} cover nights and weekends?", False)
        on_site = p.confirm(f"Does {name} give on-site service?", False)
        served = scope or tuple(frameworks)  # only the agreements its frameworks need are asked
        hipaa = any(fw.startswith("hipaa") for fw in served)
        baa = hipaa and p.confirm(f"Has {name} signed a HIPAA business associate agreement?", False)
        pci = "pci-dss-4" in served and p.confirm(
            f"Has {name} signed the PCI DSS 12.8.2 written acknowledgment?", False
        )
        reviewed = until(
            p, f"Last oversight review of {name} (YYYY-MM-DD; blank: never)", "", _date
        )
        return Provider(
            id=ident,
            name=name,
            agreement=agreement or None,
            functions=functions,
            frameworks=scope or None,
            after_hours=after_hours,
            on_site=on_site,
            baa=baa,
            pci_acknowledgement=pci,
            last_reviewed=reviewed,
        )

    def designation(
        self, role: Role, people: Sequence[Person], providers: Sequence[Provider]
    ) -> Designation | None:
        """Who holds a role the frameworks require, and its overseer when a provider does."""
        rule = ROLES[role]
        person_ids = [x.id for x in people]
        provider_ids = [x.id for x in providers] if rule.provider_may_hold else []
        holders = [*person_ids, *provider_ids]
        need = "required" if rule.required else "recommended"
        self.p.say(f"{rule.title} ({rule.citation}, {need}).")
        if not holders:
            self.p.say(
                "  Nobody can hold it yet; ctrlmap gaps will report it until it is designated."
            )
            return None
        holder = until(
            self.p,
            f"Who holds it ({', '.join(holders)}; blank: not yet)",
            "",
            one_of(holders, ""),
        )
        if not holder:
            return None
        overseer = None
        if holder in provider_ids and person_ids:
            overseer = (
                until(
                    self.p,
                    f"Internal senior overseer ({', '.join(person_ids)}; blank: none)",
                    "",
                    one_of(person_ids, ""),
                )
                or None
            )
        return Designation(holder=holder, overseer=overseer)
