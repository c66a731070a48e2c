"""Terminal tables (tabulate), one function per view."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from tabulate import tabulate

from ctrlmap.formats import register
from ctrlmap.formats.text import crosswalk_summary, local
from ctrlmap.models.base import OWNERS, plural
from ctrlmap.models.results import AssignResult, ByProviderResult, ExplainResult
from ctrlmap.present.findings import status_text
from ctrlmap.present.views import CatalogView, FrameworksView, ModelView, ValidationView

if TYPE_CHECKING:
    from ctrlmap.analyse.changes import DiffResult
    from ctrlmap.analyse.crosswalk import CrosswalkControl, CrosswalkResult
    from ctrlmap.analyse.recommend import RecommendResult
    from ctrlmap.assessment.gaps import GapsResult
    from ctrlmap.models.comparison import CompareResult, Need
    from ctrlmap.models.portfolio import PortfolioResult
    from ctrlmap.present.verify import Verification


def _table(rows: Iterable[Sequence[Any]], headers: Sequence[str]) -> str:
    return tabulate(list(rows), headers=list(headers), tablefmt="simple", disable_numparse=True)


def short(text: str, width: int = 48) -> str:
    """Cut text to `width` characters, marking the cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


@register("frameworks", "table")
def frameworks(view: FrameworksView) -> str:
    """Catalogs, then models, then functions."""
    cats = _table(
        (
            (
                f.id,
                short(f.title, 56),
                short(f.version, 40),
                f.controls,
                f.proposed or "",
                f.sector,
                "hub" if f.hub else ("built-in" if f.builtin else "yours"),
            )
            for f in view.frameworks
        ),
        ("catalog", "title", "version", "controls", "proposed", "sector", "source"),
    )
    models = _table(
        (
            (m.id, m.title, "built-in" if m.builtin else "yours", short(m.description or "", 70))
            for m in view.models
        ),
        ("model", "title", "source", "description"),
    )
    funcs = _table(
        ((f.id, f.title, _function_flags(f), short(f.description, 70)) for f in view.functions),
        ("function", "title", "flags", "description"),
    )
    return (
        f"{cats}\n\n{models}\n\n{funcs}\n\n"
        "See one model's defaults with `ctrlmap models show ID`, one catalog's controls with "
        "`ctrlmap frameworks show ID`.\n"
    )


def _function_flags(f: Any) -> str:
    return ", ".join(x for x, on in (("continuous", f.continuous), ("on site", f.on_site)) if on)


def _parties(parties: Iterable[str]) -> str:
    return ", ".join(parties) or "-"


@register("model", "table")
def model(view: ModelView) -> str:
    """The model's description, then one row per function: owner, Accountable, C, I, rationale."""
    head = f"{view.id}: {view.title}\n"
    if view.description:
        head += textwrap.fill(view.description, 100) + "\n"
    body = _table(
        (
            (
                f.function,
                f.owner,
                f.accountable,
                _parties(f.consulted),
                _parties(f.informed),
                short(f.rationale, 70),
            )
            for f in view.functions
        ),
        ("function", "owner", "accountable", "consulted", "informed", "rationale"),
    )
    return f"{head}\n{body}\n"


def _flags(c: Any) -> str:
    flags = []
    if c.designation:
        flags.append(f"names {c.designation}")
    if c.accountability:
        flags.append(c.accountability)
    if c.oversight:
        flags.append("oversight")
    if c.independence:
        flags.append("independent")
    if c.applies_if:
        flags.append(
            "if "
            + "; ".join(
                f"{k}={'/'.join(str(v).lower() for v in vs)}" for k, vs in c.applies_if.items()
            )
        )
    if c.review_days:
        flags.append(f"every {c.review_days}d")
    if c.status != "active":
        flags.append(c.status)
    return ", ".join(flags)


@register("catalog", "table")
def catalog(view: CatalogView) -> str:
    """One row per control: id, title, kind, level, functions and its flags."""
    head = f"{view.id}: {view.title} ({view.version})\n{len(view.controls)} controls\n\n"
    kinds = {
        "standard": "std",
        "implementation-specification": "spec",
        "requirement": "req",
        "guidance": "guid",
    }
    body = _table(
        (
            (
                c.id,
                short(c.title, 44),
                kinds.get(c.kind, c.kind),
                c.level,
                ", ".join(c.functions),
                _flags(c),
            )
            for c in view.controls
        ),
        ("id", "title", "kind", "level", "functions", "flags"),
    )
    return head + body + "\n"


@register("validate", "table")
def validate(view: ValidationView) -> str:
    """The summary of a valid profile."""
    rows = [
        ("organization", view.organization),
        ("model", view.model),
        ("frameworks", ", ".join(view.frameworks)),
        ("controls that apply", f"{view.applicable} of the {view.controls} in its frameworks"),
        ("people / providers", f"{view.people} / {view.providers}"),
        ("overrides / splits / hand-offs", f"{view.overrides} / {view.splits} / {view.handoffs}"),
        ("evidence items", view.evidence),
        ("defaults assumed", ", ".join(view.defaults_assumed) or "none"),
        ("warnings", str(len(view.warnings)) if view.warnings else "none"),
    ]
    return (
        f"{view.profile}: valid\n" + tabulate(rows, tablefmt="plain", disable_numparse=True) + "\n"
    )


def _party(raci: Any) -> str:
    if raci is None:
        return ""
    if raci.accountable is None:
        return "-"
    return (
        f"{raci.accountable} ({raci.accountable_person})"
        if raci.accountable_person
        else raci.accountable
    )


@register("assign", "table")
def assign(result: AssignResult) -> str:
    """Grouped by framework: id, short title, level, owner, R, A (with the person), people."""
    head = f"{result.organization}: model {result.model}\n"
    out = [head]
    for fw in result.frameworks:
        rows = [a for a in result.assignments if a.framework == fw]
        out.append(f"\n{fw} ({sum(a.applicable for a in rows)} of {len(rows)} controls apply)\n")
        out.append(
            _table(
                (
                    (
                        local(a.control),
                        short(a.title, 40),
                        a.level,
                        a.owner or "n/a",
                        ", ".join(a.raci.responsible) if a.raci else "",
                        _party(a.raci),
                        ", ".join(a.people),
                    )
                    for a in rows
                ),
                ("control", "title", "level", "owner", "R", "A", "people"),
            )
            + "\n"
        )
    counts = {o: sum(a.owner == o for a in result.assignments) for o in OWNERS}
    if result.designations:
        out.append("\ndesignated roles\n")
        out.append(
            _table(
                (
                    (
                        role,
                        d.holder or "NOT DESIGNATED",
                        d.holder_party or "",
                        d.overseer
                        or ("none named" if d.holder_party not in (None, "internal") else ""),
                        d.citation,
                    )
                    for role, d in result.designations.items()
                ),
                ("role", "holder", "party", "overseer", "required by"),
            )
            + "\n"
        )
    out.append(
        "\n"
        + ", ".join(f"{n} {o}" for o, n in counts.items())
        + f", {sum(not a.applicable for a in result.assignments)} not applicable\n"
    )
    return "".join(out)


@register("by-provider", "table")
def by_provider(result: ByProviderResult) -> str:
    """Per provider: counts and control lists by who manages them."""
    out = [f"{result.organization}: model {result.model}\n"]
    for row in result.providers:
        out.append(
            f"\n{row.provider} ({row.name}){' - independent assessor' if row.independent else ''}"
            f"{', ' + row.agreement if row.agreement else ''}\n"
        )
        for label, keys in (
            ("managed by provider", row.managed_by_provider),
            ("managed by entity", row.managed_by_entity),
            ("shared", row.shared),
        ):
            out.append(f"  {label} ({len(keys)}): {', '.join(keys) or '-'}\n")
    out.append(
        f"\nentity only, no provider involved ({len(result.entity_only)}): {', '.join(result.entity_only) or '-'}\n"
    )
    out.append(f"unassigned ({len(result.unassigned)}): {', '.join(result.unassigned) or '-'}\n")
    return "".join(out)


@register("explain", "table")
def explain(result: ExplainResult) -> str:
    """One control's basis chain, numbered."""
    a = result.assignment
    names = result.names

    def named(parties: Iterable[str]) -> str:
        return ", ".join(names.get(p, p) for p in parties) or "-"

    lines = [
        f"{a.control}: {a.title}",
        f"model {result.model_title or result.model}; owner {a.owner or 'n/a (not applicable)'}",
    ]
    if a.raci is not None:
        accountable = a.raci.accountable
        person = a.raci.accountable_person
        answers = (
            "-"
            if accountable is None
            else names.get(accountable, accountable)
            + (f" ({names.get(person, person)})" if person else "")
        )
        lines.append(
            f"R {named(a.raci.responsible)}; A {answers}; "
            f"C {named(a.raci.consulted)}; I {named(a.raci.informed)}"
        )
    for number, step in enumerate(a.basis, 1):
        cite = f" [{step.citation}]" if step.citation else ""
        lines.append(f"{number}. {step.step}: {step.text}{cite}")
    return "\n".join(lines) + "\n"


def _controls(keys: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


@register("gaps", "table")
def gaps(result: GapsResult) -> str:
    """One block per finding: severity, id, rule, parties, message, fix, controls, citation, status."""
    model = result.model_title or result.model
    out = [f"{result.organization}: {model}, as of {result.as_of.isoformat()}\n"]
    if not result.gaps:
        out.append("\nNo gaps found.\n")
    for g in result.gaps:
        parties = f" [{', '.join(result.party(p) for p in g.parties)}]" if g.parties else ""
        out.append(
            f"\n{g.severity.upper():8} {g.id} {g.rule}{parties}, {plural(len(g.controls), 'control')}\n"
        )
        out.append(f"  {g.message}\n  Fix: {g.remediation}\n")
        out.append(f"  Controls: {_controls(g.controls)}\n  Citation: {g.citation}\n")
        out.append(f"  Status: {status_text(g)}\n")
    return "".join(out)


def _crosswalk_accountable(c: CrosswalkControl) -> str:
    if c.accountable is None:
        return "-"
    return f"{c.accountable} ({c.accountable_person})" if c.accountable_person else c.accountable


@register("crosswalk", "table")
def crosswalk(result: CrosswalkResult) -> str:
    """Per CSF subcategory, each framework's controls with owner, R and A; '!' marks a conflict."""
    rows = []
    for sub in result.subcategories:
        first = True
        for fw, controls in sub.frameworks.items():
            for n, c in enumerate(controls):
                rows.append(
                    (
                        (sub.id + (" !" if sub.conflict else "")) if first else "",
                        fw if n == 0 else "",
                        local(c.control),
                        short(c.title, 36),
                        c.owner or "",
                        ", ".join(c.responsible),
                        _crosswalk_accountable(c),
                        "!" if c.conflict else "",
                    )
                )
                first = False
    head = (
        f"{result.organization}: model {result.model}, frameworks {', '.join(result.frameworks)}\n"
    )
    body = _table(rows, ("CSF", "framework", "control", "title", "owner", "R", "A", "conflict"))
    return f"{head}{crosswalk_summary(result)}\n\n{body}\n"


def _need_controls(result: CompareResult, need: Need) -> str:
    """` Controls: HIPAA Security Rule 164.308(a)(3)(i) – ...; PCI DSS 7 – 8.4.3`, or nothing."""
    if not need.control_groups:
        return ""
    return " Controls: " + "; ".join(
        f"{result.framework_titles.get(g.framework, g.framework)} {', '.join(g.ranges)}"
        for g in need.control_groups
    )


@register("compare", "table")
def compare(result: CompareResult) -> str:
    """What moves, the gaps that open and close, what is needed, and the phased plan."""
    from ctrlmap.present.layout import compare_groups, controls_text

    s = result.summary
    names = result.names
    out = [
        f"{result.organization}: {result.from_title} -> {result.to_title}, as of {result.as_of.isoformat()}\n",
        f"{s.moved} of {s.applicable} applicable controls move, "
        + (f"{s.decisions} wait on a decision in phase 1, " if s.decisions else "")
        + f"{s.untouched} untouched; gaps "
        f"{s.gaps_from.total} -> {s.gaps_to.total} ({s.gaps_opened} open, {s.gaps_closed} close)\n",
    ]
    if s.gaps_note:
        out.append(f"{s.gaps_note}\n")
    # a table that mixes frameworks names each control's framework, as the report does
    bare = len({ch.framework for ch in result.changes}) == 1
    for movement, changes in compare_groups(result):
        out.append(f"\n{movement} ({len(changes)})\n")
        out.append(
            _table(
                (
                    (
                        controls_text([ch.control], result.framework_titles, bare=bare),
                        short(ch.title, 34),
                        f"{ch.from_owner or '-'} -> {ch.to_owner or '-'}",
                        f"{names.get(ch.from_accountable or '', ch.from_accountable or '-')} -> "
                        f"{names.get(ch.to_accountable or '', ch.to_accountable or '-')}",
                        ch.phase,
                        short(ch.reason, 60),
                    )
                    for ch in changes
                ),
                ("control", "title", "owner", "accountable", "phase", "why"),
            )
            + "\n"
        )
    if result.gaps_opened or result.gaps_closed:
        out.append("\nGaps\n")
        out.extend(
            f"  opens  {g.severity:8} {g.rule}: {short(g.message, 90)}\n"
            for g in result.gaps_opened
        )
        out.extend(
            f"  closes {g.severity:8} {g.rule}: {short(g.message, 90)}\n"
            for g in result.gaps_closed
        )
    if result.needs:
        out.append(f"\nWhat {result.to_title} needs that the profile lacks\n")
        out.extend(
            f"  {n.kind:11} {n.severity:8} {n.text}{_need_controls(result, n)}\n"
            for n in result.needs
        )
    out.append("\nTransition plan\n")
    for p in result.phases:
        out.append(f"\nPhase {p.phase}: {p.title}\n  {p.summary}\n")
        heading = None
        for a in p.actions:
            if a.heading != heading:
                heading = a.heading
                out.append(f"  {heading}\n")
            out.append(f"    - {a.text}\n")
        out.extend(
            f"  {result.framework_titles.get(g.framework, g.framework)} ({g.count}): "
            f"{', '.join(g.ranges)}\n"
            for g in p.control_groups
        )
        out.extend(
            f"  Hand-off from {names.get(h.from_, h.from_)} to {names.get(h.to, h.to)} "
            f"({h.kind}{f' until phase {h.until_phase}' if h.until_phase else ''}): "
            f"{h.agreement or 'not yet documented'}\n"
            for h in p.handoffs
        )
    kept = len(result.untouched)
    out.append(
        f"\nUntouched: {plural(kept, 'control')} {'keeps its' if kept == 1 else 'keep their'} "
        "Responsible and Accountable parties.\n"
    )
    return "".join(out)


@register("recommend", "table")
def recommend(result: RecommendResult) -> str:
    """The recommendation, the scores, one reason per question, and the conditions."""
    from ctrlmap.analyse.recommend import MODEL_TITLES

    def title(model: str | None) -> str:
        return MODEL_TITLES.get(model or "", model or "")

    head = title(result.recommendation) or "no recommendation (an exact tie)"
    out = [f"Recommendation: {head}\n"]
    if result.organization:
        now = title(result.current_model)
        out.append(f"For {result.organization}{f' (now {now})' if now else ''}\n")
    out.append(
        "Scores: "
        + ", ".join(f"{title(m)} {v}" for m, v in result.scores.items())
        + "\n\nReasons\n"
    )
    out.extend(f"  - {r.text}\n" for r in result.reasons)
    if result.conditions:
        out.append("\nConditions\n")
        for c in result.conditions:
            state = "" if c.met is None else (" [met]" if c.met else " [NOT met]")
            out.append(
                f"  - {title(c.model) or 'Either model'}: {c.text}{state}{f' ({c.detail})' if c.detail else ''}\n"
            )
    return "".join(out)


@register("verify", "table")
def verify(result: Verification) -> str:
    """One line per check: ok or FAIL, its name and what it found."""
    return "".join(
        f"{'n/a ' if not c.applicable else 'ok  ' if c.passed else 'FAIL'} {c.name}: {c.detail}\n"
        for c in result.checks
    )


@register("diff", "table")
def diff(result: DiffResult) -> str:
    """Counts before and after, then each finding opened, closed or changed, and what moved."""
    from ctrlmap.present.findings import diff_view

    v = diff_view(result)
    old, new = result.old, result.new
    out = [
        f"{new.organization}: {old.as_of.isoformat()} ({old.file}) -> {new.as_of.isoformat()} "
        f"({new.file})\n",
        f"{len(result.opened)} opened, {len(result.closed)} closed, {len(result.persisting)} "
        f"persisting ({len(v['changed_findings'])} changed), {len(result.moved)} control(s) "
        f"moved, {len(result.evidence)} evidence change(s)\n",
        _table(
            [
                (
                    label,
                    *(s.by_severity.get(k, 0) for k in v["severities"]),
                    s.accepted,
                    s.overdue,
                    s.total,
                )
                for label, s in (("before", old), ("after", new))
            ],
            ("findings", *v["severities"], "accepted", "overdue", "total"),
        )
        + "\n",
    ]
    out += [f"Note: {note}\n" for note in result.notes]
    if not result.changed:
        out.append(f"No changes: {v['unchanged']} finding(s) persist unchanged.\n")
    for title, _, rows in v["finding_tables"]:
        for f, status in rows:
            out.append(
                f"\n{title.upper():8} {f.severity.upper():8} {f.id or '-'} {f.rule}, "
                f"{f.controls} control(s): {status}\n  {f.message}\n"
            )
    for p in v["changed_findings"]:
        out.append(f"\nCHANGED  {p.id or '-'} {p.rule}: {'; '.join(p.changes)}\n")
    if v["moves"]:
        out.append(
            "\n"
            + _table(
                [(m.control, before, after) for m, before, after in v["moves"]],
                ("moved control", "before", "after"),
            )
            + "\n"
        )
    if result.evidence:
        out.append(
            "\n"
            + _table(
                [
                    (
                        e.control,
                        short(e.reference, 40),
                        e.change,
                        e.before.isoformat() if e.before else "",
                        e.after.isoformat() if e.after else "",
                    )
                    for e in result.evidence
                ],
                ("evidence control", "reference", "change", "before", "after"),
            )
            + "\n"
        )
    return "".join(out)


@register("portfolio", "table")
def portfolio(result: PortfolioResult) -> str:
    """The totals, the clients by risk (invalid ones with their first problem), the providers."""
    from ctrlmap.present.portfolio import portfolio_view

    v = portfolio_view(result)
    out = [f"Portfolio as of {result.as_of.isoformat()}\n"]
    out += [f"  {label}: {figure}\n" for label, figure in v.figures]
    rows = [
        (
            c.rank,
            short(c.label, 40),
            short(c.row.file, 32),
            *(
                (getattr(c.row.open, s) for s in v.severities)
                if c.row.status == "assessed"
                else ("invalid", "", "", "")
            ),
            c.row.accepted.total() if c.row.status == "assessed" else "",
            len(c.row.missing_baas) or "",
            len(c.row.missing_pci_acknowledgments) or "",
            len(c.row.reviews_overdue) or "",
            f"{c.row.evidence_missing}/{c.row.evidence_stale}"
            if c.row.status == "assessed"
            else "",
            c.row.remediation_overdue or "",
            len(c.row.expiring) or "",
        )
        for c in v.clients
    ]
    headers: tuple[str, ...] = ("#", "client", "file", "critical", "high", "medium", "low")
    headers += ("accepted", "no BAA", "no PCI ack", "reviews overdue", "evidence missing/stale")
    out.append("\n" + _table(rows, (*headers, "overdue", "expiring")) + "\n")
    for c in v.clients:
        if c.row.problem:
            out.append(f"\nInvalid: {c.row.problem}\n")
    if v.providers:
        prov = [
            (
                short(p.row.name, 40),
                len(p.row.clients),
                len(p.row.functions),
                *(getattr(p.row.findings, s) for s in v.severities),
                len(p.row.reviews_overdue) or "",
                len(p.row.agreements_missing) or "",
            )
            for p in v.providers
        ]
        out.append(
            "\n"
            + _table(
                prov,
                (
                    "provider",
                    "clients",
                    "functions",
                    *v.severities,
                    "reviews overdue",
                    "agreements missing",
                ),
            )
            + "\n"
        )
    return "".join(out)
