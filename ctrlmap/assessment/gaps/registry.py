"""The gap-rule registry: what a rule sees (Facts), what it yields (Finding), and the decorator that registers it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

from ctrlmap.assessment.context import Context
from ctrlmap.assessment.severity import severity
from ctrlmap.load.library import Library
from ctrlmap.models import Control, Profile, split_key
from ctrlmap.models.base import Severity, join_names
from ctrlmap.models.results import Assignment, AssignResult, HandoffNeed

if TYPE_CHECKING:
    from ctrlmap.load.graph import Reach, Scope


RuleId = Literal[
    "unowned",
    "no-single-accountable",
    "shared-without-split",
    "non-delegable-accountability",
    "designation-missing",
    "outsourced-designation-without-overseer",
    "provider-not-contracted",
    "provider-agreement-missing",
    "provider-oversight-overdue",
    "no-internal-capability",
    "missing-handoff",
    "after-hours-gap",
    "on-site-gap",
    "single-point-of-failure",
    "self-assessment",
    "crosswalk-conflict",
    "notification-after-hours",
    "missing-evidence",
    "stale-evidence",
    "at-risk-dependency",
]
"""The stable gap-rule ids, in the order rules run and are listed."""
RULE_IDS: tuple[RuleId, ...] = get_args(RuleId)
BLOCKING: tuple[RuleId, ...] = (
    "unowned",
    "no-single-accountable",
    "provider-not-contracted",
    "no-internal-capability",
)
"""Rules whose findings put everything downstream at risk (see at-risk-dependency)."""


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: digits and capitals without I, L, O and U, so an id reads and types."""


def finding_id(rule_id: str, key: Iterable[str]) -> str:
    """A finding's stable id, `GAP-` and six base-32 characters of SHA-256 over its rule and key.

    The key is what makes the finding the same finding (its parties, functions, role, framework
    or subcategory), never its message, severity, controls or date: the id survives catalog
    updates, unrelated profile edits and a new as-of date.
    """
    digest = hashlib.sha256("\x1f".join((rule_id, *key)).encode()).digest()
    number = int.from_bytes(digest[:4], "big") >> 2  # 30 bits: six characters
    return "GAP-" + "".join(CROCKFORD[(number >> shift) & 31] for shift in range(25, -1, -5))


@dataclass
class Finding:
    """A gap before its severity is scored."""

    rule: RuleId
    key: tuple[str, ...] = field(kw_only=True)
    """What makes this finding the same finding from one run to the next (see finding_id)."""
    controls: list[str]
    message: str
    remediation: str
    citation: str
    parties: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)
    subcategory: str | None = None
    dependencies: int = 0
    base: Severity | None = None
    """This finding's own base severity, where the rule's exposure differs by case."""
    handoffs: list[HandoffNeed] = field(default_factory=list)


@dataclass
class Facts:
    """Everything a rule may look up, computed once per assessment."""

    profile: Profile
    lib: Library
    ctx: Context
    result: AssignResult
    scope: Scope
    as_of: dt.date
    applicable: dict[str, Assignment]
    holders: dict[str, set[str]]
    """Function -> the parties Responsible for its share of at least one applicable control."""
    function_controls: dict[tuple[str, str], list[str]]
    """(function, party) -> the applicable controls where that party does that function's share."""
    found: dict[RuleId, list[Finding]] = field(default_factory=dict)
    """The findings of the rules run so far, by rule id."""
    _reach: Reach | None = field(default=None, repr=False)

    @classmethod
    def build(cls, ctx: Context, result: AssignResult, scope: Scope, as_of: dt.date) -> Facts:
        """Index the assignments for the rules."""
        applicable = {
            a.control: a
            for a in result.assignments
            if a.applicable and not ctx.lib.controls[a.control].heading
        }
        holders: dict[str, set[str]] = defaultdict(set)
        function_controls: dict[tuple[str, str], list[str]] = defaultdict(list)
        for a in applicable.values():
            for share in a.shares:
                if share.function is None:
                    continue
                for party in share.parties:
                    holders[share.function].add(party)
                    function_controls[(share.function, party)].append(a.control)
        return cls(
            ctx.profile,
            ctx.lib,
            ctx,
            result,
            scope,
            as_of,
            applicable,
            holders,
            function_controls,
        )

    def control(self, key: str) -> Control:
        """The catalog control behind a global key."""
        return self.lib.controls[key]

    def citations(self, keys: Iterable[str], limit: int = 3) -> str:
        """The controls' citations, the first few."""
        cites = list(dict.fromkeys(self.control(k).citation for k in keys))
        more = f" and {len(cites) - limit} more" if len(cites) > limit else ""
        return "; ".join(cites[:limit]) + more

    @property
    def reach(self) -> Reach:
        """Who depends on each control through applicable controls, built on first use."""
        if self._reach is None:
            from ctrlmap.load.graph import Reach

            self._reach = Reach.build(self.scope.graph, self.applicable.keys())
        return self._reach

    def downstream(self, keys: Iterable[str]) -> set[str]:
        """The applicable controls that depend on any of `keys`, directly or not, outside them."""
        return self.reach.downstream(keys)

    def downstream_count(self, keys: Iterable[str]) -> int:
        """How many applicable controls depend on any of `keys`, directly or not, outside them."""
        return self.reach.count(keys)

    def severity(self, finding: Finding) -> tuple[Severity, int]:
        """A finding's severity and score (see ctrlmap.assessment.severity)."""
        info = RULES[finding.rule]
        return severity(
            finding.base or info.base,
            ((self.control(k).level, self.scope.weight(k)) for k in finding.controls),
            finding.rule in BLOCKING,
        )

    def name(self, ident: str) -> str:
        """A party's, person's or provider's display name."""
        return self.ctx.name(ident)

    def names(self, idents: Iterable[str], last: str = "and") -> str:
        """Parties' display names as a list in prose: `the organization and Harbor`."""
        return join_names((self.name(i) for i in idents), last)

    def function(self, fid: str) -> str:
        """A function's display name in running text: `patch management`, not `patch-management`."""
        found = self.lib.functions.get(fid)
        if found is None:
            return fid
        return found.title[:1].lower() + found.title[1:]

    def functions(self, fids: Iterable[str], last: str = "and") -> str:
        """Functions' display names as a list in prose."""
        return join_names((self.function(f) for f in fids), last)

    def framework(self, fid: str) -> str:
        """A framework's title: `HIPAA Security Rule`, not `hipaa-security`."""
        found = self.lib.catalogs.get(fid)
        return found.title if found is not None else fid


Rule = Callable[[Facts], Iterable[Finding]]


@dataclass(frozen=True)
class RuleInfo:
    """A registered rule."""

    id: RuleId
    base: Severity
    check: Rule
    summary: str
    """What the rule checks, for the report's method section (the docstring's first line)."""
    why: str
    """Why the base severity: what a regulator or assessor would do with the finding."""
    reads: tuple[RuleId, ...] = ()
    """The rules whose findings this one reads, run first even when only this one is asked for."""
    cites: tuple[tuple[str, str], ...] = ()
    """(catalog, citation): the rule's legal basis in each framework, filled into `why`'s `{cites}`."""
    notes: tuple[tuple[str, str], ...] = ()
    """(catalog, sentence): what the rule means under one framework, appended to `why`."""

    def why_for(self, frameworks: Iterable[str]) -> str:
        """`why` for these frameworks: their citations and notes only, so that a HIPAA-only
        report names no other regime."""
        chosen = set(frameworks)
        cites = "; ".join(dict.fromkeys(c for fw, c in self.cites if fw in chosen))
        text = self.why.replace(" ({cites})", f" ({cites})" if cites else "")
        notes = dict.fromkeys(n for fw, n in self.notes if fw in chosen)
        return " ".join((text, *notes))


RULES: dict[RuleId, RuleInfo] = {}
"""Every registered rule, in `RULE_IDS` order (at-risk-dependency reads the findings before it)."""


def rule(
    rule_id: RuleId,
    base: Severity,
    why: str,
    reads: tuple[RuleId, ...] = (),
    cites: dict[str, str] | None = None,
    notes: dict[str, str] | None = None,
) -> Callable[[Rule], Rule]:
    """Register a gap rule with its stable id and base severity points, keeping `RULE_IDS` order.

    `why` says why the base severity in general; where it cites the law it carries `{cites}`,
    filled from `cites` (catalog id -> citation) with the frameworks of the report only.
    """

    def wrap(check: Rule) -> Rule:
        doc = (check.__doc__ or "").strip().splitlines()[0]
        RULES[rule_id] = RuleInfo(
            rule_id,
            base,
            check,
            doc,
            why,
            reads,
            tuple((cites or {}).items()),
            tuple((notes or {}).items()),
        )
        ordered = sorted(RULES.items(), key=lambda item: RULE_IDS.index(item[0]))
        RULES.clear()
        RULES.update(ordered)
        return check

    return wrap


def remedy(action: str, hint: str | None = None) -> str:
    """A remediation: what the organization does, in its words, then how to record it in the
    profile as a separately labeled hint, the same way in every rule."""
    return f"{action} In the profile: {hint}" if hint else action


def unique_sorted(items: Iterable[str]) -> list[str]:
    return sorted(set(items))


def control_list(facts: Facts, keys: Iterable[str], limit: int = 4) -> str:
    keys = list(keys)
    shown = ", ".join(split_key(k)[1] for k in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
