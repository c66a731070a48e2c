"""The command line: a thin click client over the pipeline, and its one error boundary.

Only this module imports click, prints, reads argv or chooses an exit code.

Over 500 lines because it is the one module that knows click: every command's options, help and exit codes live here, one short function per command.
"""

from __future__ import annotations

import datetime as dt
import os
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ctrlmap import __version__
from ctrlmap.errors import CtrlmapError, ExitCode, ManyErrors, excerpt, shown
from ctrlmap.formats import BINARY, formats_for, render, render_bytes

if TYPE_CHECKING:
    from ctrlmap.assessment.gaps.registry import RuleId
    from ctrlmap.load.library import Library

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


@dataclass
class Settings:
    """Group options, and the library loaded once on first use."""

    catalogs: tuple[str, ...] = ()
    catalog_dirs: tuple[Path, ...] = ()
    _library: Any = field(default=None, repr=False)

    @property
    def library(self) -> Any:
        """The catalogs, models and functions, loaded once per run."""
        if self._library is None:
            from ctrlmap.load.catalogs import load_library

            self._library = load_library(self.catalogs, self.catalog_dirs)
            for warning in self._library.warnings:
                click.echo(f"Warning: {warning}", err=True)
        return self._library

    def input_paths(self) -> list[Path]:
        """Files this run reads, built-in ones included (so that no output overwrites them)."""
        paths = [Path(spec.rpartition("=")[2]) for spec in self.catalogs]
        for directory in self.catalog_dirs:
            paths.extend(p for p in directory.rglob("*") if p.is_file())
        if self._library is not None:
            paths.extend(s.path for s in self._library.sources.values() if s.path is not None)
        return paths


class CtrlmapGroup(click.Group):
    """The error boundary: a user's mistake exits 2 with one line per problem; a bug exits 3."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CtrlmapError as exc:
            for line in exc.lines():
                click.echo(f"Error: {line}", err=True)
            ctx.exit(ExitCode.BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:  # the one place an unexpected error becomes a bug notice
            if os.environ.get("CTRLMAP_DEBUG"):
                traceback.print_exc()
            click.echo(
                f"ctrlmap {__version__} hit an internal error (a bug, not your input): "
                f"{type(exc).__name__}: {excerpt(str(exc), 300)}\nPlease report it with the command you ran; "
                "set CTRLMAP_DEBUG=1 to see the traceback.",
                err=True,
            )
            ctx.exit(ExitCode.BUG)


def format_option(view: str) -> Callable[[F], F]:
    """`--format`, its choices taken from the format registry for this view."""
    choices = formats_for(view)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=None,
        help=f"Output format (default {choices[0]}"
        + (", or from the -o suffix)." if view == "report" else ")."),
    )


def output_option(func: F) -> F:
    """`-o/--output FILE`: write there atomically instead of to stdout."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write to FILE (atomically) instead of standard output.",
    )(func)


def as_of_option(func: F) -> F:
    """`--as-of DATE`: the date dates are judged at (default today, or SOURCE_DATE_EPOCH)."""
    return click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        metavar="DATE",
        default=None,
        help="Judge dates as of this day, YYYY-MM-DD (default: SOURCE_DATE_EPOCH, read in UTC, "
        "else today's local date).",
    )(func)


def baseline_option(func: F) -> F:
    """`--baseline OLD`: an earlier snapshot whose first-seen dates the due dates count from."""
    return click.option(
        "--baseline",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        metavar="OLD",
        help="An earlier JSON snapshot or HTML/PDF report: a finding it already had keeps its "
        'first-seen date, so a policy due date counts from then (README, "Due dates").',
    )(func)


def first_seen_in(baseline: Path | None) -> dict[str, dt.date] | None:
    """The first-seen dates of the findings of the snapshot at `baseline`, by id (None: none given)."""
    if baseline is None:
        return None
    from ctrlmap.load.snapshots import read_snapshot

    return read_snapshot(baseline)[0].first_seen()


def proposed_option(func: F) -> F:
    """`--include-proposed`: also use controls of proposed rules."""
    return click.option(
        "--include-proposed",
        is_flag=True,
        help="Include controls of proposed rules (status: proposed).",
    )(func)


def model_option(func: F) -> F:
    """`--model M`: assess under another operating model than the profile's."""
    return click.option(
        "--model",
        "model_id",
        default=None,
        metavar="MODEL",
        help="Operating model to assess under (default: the profile's).",
    )(func)


def framework_option(func: F) -> F:
    """`--framework ID`: only these frameworks of the profile (repeatable)."""
    return click.option(
        "--framework",
        "frameworks_",
        multiple=True,
        metavar="ID",
        help="Only this framework of the profile; repeatable.",
    )(func)


def profile_argument(func: F) -> F:
    """The PROFILE argument."""
    return click.argument("profile", type=click.Path(path_type=Path, dir_okay=False))(func)


def resolve_as_of(value: dt.datetime | None) -> dt.date:
    """The as-of date: the option, else SOURCE_DATE_EPOCH (in UTC), else today's local date."""
    if value is not None:
        return value.date()
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise CtrlmapError(
                f"SOURCE_DATE_EPOCH={shown(epoch)} is not a Unix timestamp; unset it or fix it"
            ) from None
    return dt.date.today()


def emit(
    settings: Settings,
    view: str,
    fmt: str | None,
    data: Any,
    output: Path | None,
    inputs: Sequence[Path] = (),
) -> None:
    """Render and write to -o atomically, or print to stdout (never a binary format)."""
    chosen = fmt or formats_for(view)[0]
    text: str | bytes
    if chosen in BINARY:
        if output is None:
            raise CtrlmapError(
                f"{chosen.upper()} is a binary format and is not written to standard output; "
                f"give -o FILE.{chosen}"
            )
        text = render_bytes(view, chosen, data)
    else:
        text = render(view, chosen, data)
    if output is None:
        assert isinstance(text, str)
        click.echo(text, nl=False)
        return
    write_atomically_here(settings, output, text, inputs)


@click.group(cls=CtrlmapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="ctrlmap")
@click.option(
    "--catalog",
    "catalogs",
    multiple=True,
    metavar="[ID=]FILE",
    help="Add a catalog (ctrlmap YAML/JSON or OSCAL); repeatable.",
)
@click.option(
    "--catalog-dir",
    "catalog_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Add a folder of catalogs, models/ and an optional functions.yaml; repeatable.",
)
@click.pass_context
def cli(ctx: click.Context, catalogs: tuple[str, ...], catalog_dirs: tuple[Path, ...]) -> None:
    """Who owns each compliance control under your IT operating model, and what falls through the cracks.

    \b
    Example:
      ctrlmap frameworks list
      ctrlmap validate clinic.yaml
    """
    ctx.obj = Settings(catalogs, catalog_dirs)


@cli.group()
def frameworks() -> None:
    """List the catalogs, models and functions, or show one catalog."""


@frameworks.command("list")
@format_option("frameworks")
@output_option
@click.pass_obj
def frameworks_list(settings: Settings, fmt: str | None, output: Path | None) -> None:
    """List every catalog, operating model and function ctrlmap knows."""
    from ctrlmap.present.views import frameworks_view

    emit(settings, "frameworks", fmt, frameworks_view(settings.library), output)


@frameworks.command("show")
@click.argument("catalog_id", metavar="ID")
@format_option("catalog")
@output_option
@proposed_option
@click.pass_obj
def frameworks_show(
    settings: Settings,
    catalog_id: str,
    fmt: str | None,
    output: Path | None,
    include_proposed: bool,
) -> None:
    """Show the controls of catalog ID.

    \b
    Example:
      ctrlmap frameworks show hipaa-security --include-proposed
    """
    from ctrlmap.present.views import catalog_view

    lib = settings.library
    emit(
        settings,
        "catalog",
        fmt,
        catalog_view(lib, lib.catalog(catalog_id), include_proposed),
        output,
    )


@cli.group()
def models() -> None:
    """Show an operating model: who does and who answers for each function by default."""


@models.command("show")
@click.argument("model_id", metavar="ID")
@format_option("model")
@output_option
@click.pass_obj
def models_show(settings: Settings, model_id: str, fmt: str | None, output: Path | None) -> None:
    """Show operating model ID: per function, the default owner, Accountable, C, I and rationale.

    \b
    Example:
      ctrlmap models show co-managed
      ctrlmap models show fully-managed --format md -o fully-managed.md
    """
    from ctrlmap.present.views import model_view

    lib = settings.library
    emit(settings, "model", fmt, model_view(lib, lib.model(model_id)), output)


SCHEMA_KINDS = ("profile", "catalog", "model")
"""The files `ctrlmap schema` describes (ctrlmap.present.schemas.SCHEMAS builds them)."""


@cli.command()
@click.argument("kind", type=click.Choice(SCHEMA_KINDS))
@format_option("schema")
@output_option
@click.pass_obj
def schema(settings: Settings, kind: str, fmt: str | None, output: Path | None) -> None:
    """Print the JSON Schema of a profile, catalog or model file, for editors to check as you type.

    The closed vocabularies (functions, frameworks, models, facts, roles) come from the catalogs
    loaded, --catalog and --catalog-dir included. References within the file (an unknown
    provider id, a dependency cycle) are left to `ctrlmap validate`.

    \b
    Example:
      ctrlmap schema profile -o profile.schema.json
      (then put `# yaml-language-server: $schema=./profile.schema.json` atop the profile)
    """
    from ctrlmap.present.schemas import build_schema

    emit(settings, "schema", fmt, build_schema(kind, settings.library), output)


@cli.command()
@profile_argument
@format_option("validate")
@output_option
@as_of_option
@click.pass_obj
def validate(
    settings: Settings,
    profile: Path,
    fmt: str | None,
    output: Path | None,
    as_of: dt.datetime | None,
) -> None:
    """Check a profile and report every problem (exit 2), or summarize it (exit 0).

    \b
    Example:
      ctrlmap validate examples/clinic.yaml
    """
    from ctrlmap.assessment.assign import assign_owners, ignored_overrides
    from ctrlmap.load.profiles import load_profile, profile_warnings
    from ctrlmap.present.views import validation_view

    lib = settings.library
    loaded, doc = load_profile(profile, lib)
    day = resolve_as_of(as_of)
    warnings = [str(w) for w in profile_warnings(loaded, doc, ignored_overrides(loaded, lib))]
    if loaded.accepted_risks or loaded.remediation:
        from ctrlmap.assessment.pipeline import assess
        from ctrlmap.load.profiles import tracking_warnings

        assessment = assess(loaded, lib, as_of=day)
        assignments = assessment.assignment.assignments
        found = assessment.gaps.gaps
        warnings += [str(w) for w in tracking_warnings(loaded, doc, [g.id for g in found])]
    else:
        assignments = assign_owners(loaded, lib, as_of=day).assignments
    view = validation_view(lib, loaded, doc.name, warnings, assignments)
    emit(settings, "validate", fmt, view, output, [profile])
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)


def load(settings: Settings, profile: Path) -> tuple[Any, Any, Any]:
    """The library, the validated profile and its document."""
    from ctrlmap.load.profiles import load_profile

    lib = settings.library
    loaded, doc = load_profile(profile, lib)
    return lib, loaded, doc


def assessed(
    settings: Settings,
    profile: Path,
    model_id: str | None = None,
    as_of: dt.datetime | None = None,
    include_proposed: bool = False,
    rules: Sequence[RuleId] | None = None,
    baseline: Path | None = None,
) -> tuple[Any, Any]:
    """The profile's assessment (computed once for the command) and the profile's document;
    with a `baseline`, its findings keep the first-seen dates the baseline records."""
    from ctrlmap.assessment.pipeline import assess

    lib, loaded, doc = load(settings, profile)
    seen = first_seen_in(baseline)
    return (
        assess(loaded, lib, model_id, resolve_as_of(as_of), include_proposed, rules, seen=seen),
        doc,
    )


@cli.command()
@profile_argument
@model_option
@framework_option
@proposed_option
@click.option(
    "--explain",
    "explain",
    metavar="KEY",
    default=None,
    help="Print only this control's basis chain (a global key, e.g. hipaa-security:164.308(a)(2)).",
)
@click.option(
    "--by-provider", is_flag=True, help="Print the responsibility matrix by party instead."
)
@format_option("assign")
@output_option
@click.pass_obj
def assign(
    settings: Settings,
    profile: Path,
    model_id: str | None,
    frameworks_: tuple[str, ...],
    include_proposed: bool,
    explain: str | None,
    by_provider: bool,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Assign every control to internal, provider or shared, with its RACI and basis.

    \b
    Example:
      ctrlmap assign clinic.yaml --model fully-managed
      ctrlmap assign clinic.yaml --explain 'hipaa-security:164.308(a)(2)'
      ctrlmap assign lender.yaml --by-provider --format csv -o matrix.csv
    """
    from ctrlmap.assessment import assign as engine
    from ctrlmap.models.results import ExplainResult

    if explain is not None and by_provider:
        raise click.UsageError("--explain and --by-provider print different things; give one")
    lib, loaded, _ = load(settings, profile)
    result = engine.assign_owners(loaded, lib, model_id, frameworks_ or None, include_proposed)
    data: Any
    if explain is not None:
        found = next((a for a in result.assignments if a.control == explain), None)
        if found is None:
            where = (
                "the frameworks chosen with --framework"
                if frameworks_
                else "the profile's frameworks"
            )
            raise CtrlmapError(
                f"--explain: {shown(explain)} is not a control of {where}"
                + ("" if include_proposed else " (add --include-proposed for proposed controls)")
            )
        view, data = (
            "explain",
            ExplainResult(
                model=result.model,
                assignment=found,
                model_title=lib.model(result.model).title,
                names={
                    "internal": loaded.organization.name,
                    **{p.id: p.name for p in loaded.providers},
                    **{p.id: p.name for p in loaded.internal},
                },
            ),
        )
        if fmt not in (None, *formats_for("explain")):
            raise click.UsageError(f"--explain prints table or json, not {fmt}")
    elif by_provider:
        from ctrlmap.present.matrix import by_provider as matrix

        view, data = "by-provider", matrix(result, loaded)
    else:
        view, data = "assign", result
    emit(settings, view, fmt, data, output, [profile])


@cli.command()
@profile_argument
@model_option
@as_of_option
@click.option(
    "--fail-on",
    type=click.Choice(["critical", "high", "medium", "low"]),
    default=None,
    help="Exit 1 when an open gap (not an accepted risk) at or above this severity exists.",
)
@click.option("--rule", "rules", multiple=True, metavar="RULE", help="Only this rule; repeatable.")
@proposed_option
@baseline_option
@format_option("gaps")
@output_option
@click.pass_obj
def gaps(
    settings: Settings,
    profile: Path,
    model_id: str | None,
    as_of: dt.datetime | None,
    fail_on: str | None,
    rules: tuple[str, ...],
    include_proposed: bool,
    baseline: Path | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Report the accountability gaps: what falls between the internal team and the provider.

    Sorted by severity, then control. Exits 0 unless --fail-on is given and met (then 1).

    \b
    Example:
      ctrlmap gaps clinic.yaml --as-of 2026-11-28
      ctrlmap gaps lender.yaml --fail-on high --format json -o gaps.json
      ctrlmap gaps clinic.yaml --baseline clinic-q3.json
    """
    from ctrlmap.assessment.gaps import summary_line
    from ctrlmap.assessment.gaps.registry import RULES
    from ctrlmap.assessment.severity import SEVERITIES

    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise click.UsageError(f"unknown rule {shown(unknown[0])}; rules: {', '.join(RULES)}")
    chosen = [r for r in RULES if r in rules]  # the registry's typed ids, in its order
    assessment, _ = assessed(
        settings, profile, model_id, as_of, include_proposed, chosen or None, baseline
    )
    found = assessment.gaps
    emit(settings, "gaps", fmt, found, output, [profile, *([baseline] if baseline else [])])
    click.echo(summary_line(found), err=True)
    if fail_on is not None:
        threshold = SEVERITIES.index(fail_on)
        if any(
            g.status == "open" and SEVERITIES.index(g.severity) <= threshold for g in found.gaps
        ):
            raise click.exceptions.Exit(ExitCode.GAPS_FOUND)


@cli.command()
@profile_argument
@model_option
@framework_option
@proposed_option
@format_option("graph")
@output_option
@click.pass_obj
def graph(
    settings: Settings,
    profile: Path,
    model_id: str | None,
    frameworks_: tuple[str, ...],
    include_proposed: bool,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Print the dependency graph: DOT (colored by owner) or JSON.

    An edge from A to B means A depends on B. Red edges cross parties.

    \b
    Example:
      ctrlmap graph clinic.yaml -o clinic.dot
      dot -Tsvg clinic.dot > clinic.svg    (dot is Graphviz, installed separately)
    """
    from ctrlmap.present.graph import graph_view

    assessment, _ = assessed(settings, profile, model_id, None, include_proposed)
    frameworks = assessment.profile.frameworks
    unknown = [f for f in frameworks_ if f not in frameworks]
    if unknown:
        raise CtrlmapError(
            f"--framework {shown(unknown[0])} is not one of the profile's frameworks ({', '.join(frameworks)})"
        )
    emit(settings, "graph", fmt, graph_view(assessment, frameworks_ or None), output, [profile])


def comparison(assessment: Any, compare_to: str | None) -> Any:
    """`report --compare-to MODEL`: the comparison of the assessment with MODEL, or None."""
    if compare_to is None:
        return None
    from ctrlmap.analyse.compare import compare_with

    if compare_to == assessment.model.id:
        raise CtrlmapError(
            f"--compare-to {compare_to} names the model this report already assesses; "
            "name the model to compare with"
        )
    return compare_with(assessment, compare_to)


REPORT_SUFFIXES = {
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".markdown": "md",
    ".json": "json",
    ".csv": "csv",
    ".pdf": "pdf",
}


@cli.command()
@profile_argument
@output_option
@format_option("report")
@model_option
@as_of_option
@proposed_option
@click.option(
    "--compare-to",
    "compare_to",
    default=None,
    metavar="MODEL",
    help="Add the comparison with MODEL and its phased transition plan.",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="OLD",
    help="Add what changed since OLD, an earlier JSON snapshot or HTML/PDF report; a finding OLD "
    "already had keeps its first-seen date, so a policy due date counts from then.",
)
@click.pass_obj
def report(
    settings: Settings,
    profile: Path,
    output: Path | None,
    fmt: str | None,
    model_id: str | None,
    as_of: dt.datetime | None,
    include_proposed: bool,
    compare_to: str | None,
    baseline: Path | None,
) -> None:
    """Write the audit-evidence report: HTML, Markdown, JSON (the snapshot), CSV (the matrix) or
    PDF (the HTML printed, the snapshot attached; needs `pip install 'ctrlmap[pdf]'`).

    \b
    Example:
      ctrlmap report clinic.yaml -o clinic.html --as-of 2026-11-28
      ctrlmap report clinic.yaml -o clinic.html --compare-to fully-managed
      ctrlmap report clinic.yaml -o clinic.json
      ctrlmap report clinic.yaml -o clinic.pdf
      ctrlmap report clinic.yaml -o clinic-q4.html --baseline clinic-q3.json
    """
    from ctrlmap.present.report import build_report

    if fmt is None and output is not None:
        fmt = REPORT_SUFFIXES.get(output.suffix.lower())
        if fmt is None:
            raise click.UsageError(
                f"cannot tell the format from {shown(output.name)}; give --format"
            )
    assessment, doc = assessed(
        settings, profile, model_id, as_of, include_proposed, baseline=baseline
    )
    report = build_report(assessment, doc, comparison=comparison(assessment, compare_to))
    if baseline is not None:
        from ctrlmap.present.report import with_baseline

        report = with_baseline(report, baseline)
    emit(settings, "report", fmt, report, output, [profile, *([baseline] if baseline else [])])
    if output is not None:
        click.echo(
            f"Wrote {output}: {report.gap_summary.total} gaps for {report.organization.name}.",
            err=True,
        )


@cli.command()
@click.argument("report_file", metavar="REPORT", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("profile", required=False, type=click.Path(path_type=Path, dir_okay=False))
@format_option("verify")
@output_option
@click.pass_obj
def verify(
    settings: Settings,
    report_file: Path,
    profile: Path | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Check that an HTML or PDF report was not edited, and (given PROFILE) that it is current.

    A PDF's embedded snapshot is checked against its hash and the profile; its printed pages
    cannot be compared (see the README). Exits 0 when every check passes, 1 when one fails.

    \b
    Example:
      ctrlmap verify clinic.html clinic.yaml
      ctrlmap verify clinic.pdf clinic.yaml
    """
    from ctrlmap.present.verify import read_report, verify_report

    text = read_report(report_file)
    fresh = None
    if profile is not None:
        lib, loaded, doc = load(settings, profile)

        def fresh(snapshot: Any) -> Any:
            from ctrlmap.assessment.pipeline import assess
            from ctrlmap.present.report import build_report

            # first-seen dates a baseline gave come from another file, like the changes section
            seen = {
                e.gap.id: e.gap.first_seen
                for e in snapshot.gaps
                if e.gap.first_seen_basis == "baseline" and e.gap.first_seen is not None
            }
            again = assess(
                loaded, lib, snapshot.model, snapshot.as_of, snapshot.include_proposed, seen=seen
            )
            report = build_report(
                again,
                doc,
                profile_name=snapshot.inputs[0].name,
                comparison=comparison(
                    again, snapshot.comparison.to if snapshot.comparison else None
                ),
            )
            return report.model_dump(mode="json", by_alias=True)

    result = verify_report(report_file, text, fresh)
    emit(settings, "verify", fmt, result, output, [report_file, *([profile] if profile else [])])
    if not result.ok:
        raise click.exceptions.Exit(ExitCode.GAPS_FOUND)


@cli.command()
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@format_option("diff")
@output_option
@click.option(
    "--fail-on-new",
    type=click.Choice(["critical", "high", "medium", "low"]),
    default=None,
    help="Exit 1 when a finding opened (or reopened: its acceptance lapsed) since OLD is open at "
    "or above this severity.",
)
@click.pass_obj
def diff(
    settings: Settings,
    old: Path,
    new: Path,
    fmt: str | None,
    output: Path | None,
    fail_on_new: str | None,
) -> None:
    """Show what changed between two assessments: findings opened, closed and persisting, controls
    moved, evidence refreshed or gone stale.

    OLD and NEW are JSON snapshots (`report --format json`) or HTML reports, whose embedded
    snapshot is hash-checked first.

    \b
    Example:
      ctrlmap diff clinic-2026-09.json clinic-2026-12.json
      ctrlmap diff q3.html q4.html --format md -o changes.md --fail-on-new high
    """
    from ctrlmap.analyse.changes import diff as compare_snapshots
    from ctrlmap.analyse.changes import side
    from ctrlmap.assessment.severity import SEVERITIES
    from ctrlmap.load.snapshots import read_snapshot

    before, before_sha = read_snapshot(old)
    after, after_sha = read_snapshot(new)
    result = compare_snapshots(
        before, after, side(before, str(old), before_sha), side(after, str(new), after_sha)
    )
    emit(settings, "diff", fmt, result, output, [old, new])
    click.echo(
        f"{len(result.opened)} opened, {len(result.closed)} closed, "
        f"{len(result.persisting)} persisting, {len(result.moved)} moved",
        err=True,
    )
    if fail_on_new is not None:
        threshold = SEVERITIES.index(fail_on_new)
        # a finding whose acceptance lapsed is open again: as new to a pipeline as an opened one
        reopened = [p for p in result.persisting if p.before_status == "accepted"]
        severe = [s for s in SEVERITIES if SEVERITIES.index(s) <= threshold]
        fresh = [(f.status, f.severity) for f in result.opened]
        if any(
            status == "open" and severity in severe
            for status, severity in (*fresh, *((p.status, p.severity) for p in reopened))
        ):
            raise click.exceptions.Exit(ExitCode.GAPS_FOUND)


@cli.command()
@output_option
@as_of_option
@click.pass_obj
def demo(settings: Settings, output: Path | None, as_of: dt.datetime | None) -> None:
    """Run the whole pipeline on the shipped clinic example and write its HTML report here.

    Works from any directory and exits 0 whatever gaps it finds.
    """
    from ctrlmap.load.resources import examples_root
    from ctrlmap.present.report import build_report

    assessment, doc = assessed(settings, examples_root() / "clinic.yaml", None, as_of)
    report = build_report(assessment, doc, profile_name="examples/clinic.yaml")
    target = output or Path("ctrlmap-demo.html")
    emit(settings, "report", "html", report, target, [examples_root() / "clinic.yaml"])
    counts = ", ".join(f"{n} {s}" for s, n in report.gap_summary.by_severity.items())
    click.echo(
        f"Wrote {target.resolve()}: the audit-evidence report of {report.organization.name} "
        f"({report.gap_summary.total} gaps: {counts}). Open it in a browser.",
        err=True,
    )
    click.echo("\n".join(next_steps(program_name(), examples_root())), err=True)


def program_name() -> str:
    """How to call ctrlmap again the way it was called: `ctrlmap` when that is what the PATH
    finds, else the path typed (`.venv/bin/ctrlmap` before the virtualenv is activated)."""
    import shutil
    import sys

    typed = sys.argv[0] if sys.argv else ""
    if Path(typed).name != "ctrlmap":
        return "ctrlmap"
    found = shutil.which("ctrlmap")
    if found is not None and Path(found).resolve() == Path(typed).resolve():
        return "ctrlmap"
    return typed


def next_steps(program: str, examples: Path) -> list[str]:
    """What to run after the demo: describe the user's own organization, then assess it."""
    try:
        shown_at = examples.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        shown_at = examples
    activate = (
        [f"  (or run `. {Path(program).parent}/activate` once, then type just `ctrlmap`)"]
        if program != "ctrlmap" and Path(program).parent.name == "bin"
        else []
    )
    return [
        "Next: describe your own organization, then assess it:",
        f"  {program} init -o my-profile.yaml     # an interview; --no-input for a starter",
        f"  {program} gaps my-profile.yaml        # or start from {shown_at / 'clinic.yaml'}",
        *activate,
    ]


@cli.command()
@profile_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(formats_for("export")),
    required=True,
    help="Vocabulary: oscal (OSCAL component definition, JSON), crm-csv (customer "
    "responsibility matrix), pci-12.8.5 (PCI DSS 12.8.5, per provider), ccm-ssrm (CSA CCM "
    "ownership categories), poam-csv (FedRAMP POA&M columns, one row per finding), oscal-poam "
    "(OSCAL plan of action and milestones, JSON), xlsx (an Excel workbook; needs -o and "
    "pip install 'ctrlmap[xlsx]').",
)
@model_option
@as_of_option
@proposed_option
@baseline_option
@output_option
@click.pass_obj
def export(
    settings: Settings,
    profile: Path,
    fmt: str,
    model_id: str | None,
    as_of: dt.datetime | None,
    include_proposed: bool,
    baseline: Path | None,
    output: Path | None,
) -> None:
    """Export the responsibility matrix (OSCAL, a CRM, PCI DSS 12.8.5, CSA CCM SSRM, an Excel
    workbook) or the findings as a plan of action and milestones (FedRAMP POA&M CSV, OSCAL POA&M).

    pci-12.8.5 needs pci-dss-4 among the profile's frameworks, oscal-poam at least one finding
    (else exit 2). xlsx is a binary file, written only with -o.

    \b
    Example:
      ctrlmap export clinic.yaml --format oscal -o clinic.oscal.json
      ctrlmap export lender.yaml --format pci-12.8.5 -o tpsp-responsibilities.csv
      ctrlmap export clinic.yaml --format poam-csv -o clinic-poam.csv --baseline clinic-q3.json
      ctrlmap export clinic.yaml --format xlsx -o clinic.xlsx
    """
    from ctrlmap.present.exports import build_export, check_export

    if fmt in BINARY:
        if output is None:
            raise click.UsageError(f"--format {fmt} writes a binary file; give -o FILE.{fmt}")
        from ctrlmap.formats.xlsx import require_openpyxl

        require_openpyxl()

    assessment, doc = assessed(
        settings, profile, model_id, as_of, include_proposed, baseline=baseline
    )
    data = build_export(assessment)
    check_export(fmt, data, doc)
    emit(settings, "export", fmt, data, output, [profile, *([baseline] if baseline else [])])


@cli.command()
@profile_argument
@model_option
@proposed_option
@format_option("crosswalk")
@output_option
@click.pass_obj
def crosswalk(
    settings: Settings,
    profile: Path,
    model_id: str | None,
    include_proposed: bool,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Show, per NIST CSF 2.0 subcategory, each framework's controls and who owns them.

    One piece of work often meets several regulations. A subcategory whose controls give the same
    work to different parties is flagged (the crosswalk-conflict gap rule).

    \b
    Example:
      ctrlmap crosswalk lender.yaml
      ctrlmap crosswalk lender.yaml --format csv -o crosswalk.csv
    """
    from ctrlmap.analyse.crosswalk import crosswalk as build_crosswalk

    assessment, _ = assessed(settings, profile, model_id, None, include_proposed)
    result = build_crosswalk(assessment)
    emit(settings, "crosswalk", fmt, result, output, [profile])


@cli.command()
@profile_argument
@click.option(
    "--from",
    "from_model",
    default=None,
    metavar="MODEL",
    help="The model now (default: the profile's).",
)
@click.option(
    "--to",
    "to_model",
    default=None,
    metavar="MODEL",
    help="The model to move to (default: the other built-in model).",
)
@as_of_option
@proposed_option
@format_option("compare")
@output_option
@click.pass_obj
def compare(
    settings: Settings,
    profile: Path,
    from_model: str | None,
    to_model: str | None,
    as_of: dt.datetime | None,
    include_proposed: bool,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Compare two operating models for one organization and plan the transition.

    What moves and why, the gaps that open and close, what the target model needs that the
    profile lacks, and a phased plan in which no control moves before the controls it depends on.

    \b
    Example:
      ctrlmap compare clinic.yaml --to fully-managed
      ctrlmap compare clinic.yaml --format html -o transition.html
    """
    from ctrlmap.analyse.compare import check_models, compare_with

    lib, loaded, _ = load(settings, profile)
    if to_model is not None:
        check_models(lib, from_model or loaded.model, to_model)
    current, _ = assessed(settings, profile, from_model, as_of, include_proposed)
    result = compare_with(current, to_model)
    emit(settings, "compare", fmt, result, output, [profile])


@cli.command()
@click.argument("profile", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--internal-staff",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="How many internal IT staff (buckets 0, 1-2, 3 or more).",
)
@click.option(
    "--control",
    type=click.Choice(["high", "low"]),
    default=None,
    help="How much day-to-day control you want to keep.",
)
@click.option(
    "--budget",
    type=click.Choice(["predictable", "flexible"]),
    default=None,
    help="How predictable the IT budget must be.",
)
@click.option(
    "--in-house-compliance/--no-in-house-compliance",
    default=None,
    help="Whether your own people can own regulatory accountability and oversee a provider.",
)
@as_of_option
@format_option("recommend")
@output_option
@click.pass_obj
def recommend(
    settings: Settings,
    profile: Path | None,
    internal_staff: int | None,
    control: str | None,
    budget: str | None,
    in_house_compliance: bool | None,
    as_of: dt.datetime | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Recommend co-managed or fully managed IT from the four questions (and a profile).

    An unanswered question scores 0; with PROFILE, unanswered questions are read from it where
    possible and the gaps each model would leave join the reasons.

    \b
    Example:
      ctrlmap recommend --internal-staff 0 --control low --budget predictable --in-house-compliance
      ctrlmap recommend clinic.yaml
    """
    from ctrlmap.analyse.recommend import Answers
    from ctrlmap.analyse.recommend import recommend as advise

    answers = Answers.model_validate(
        {
            "internal_staff": internal_staff,
            "control": control,
            "budget": budget,
            "in_house_compliance": in_house_compliance,
        }
    )
    if profile is None:
        result = advise(answers)
        inputs: list[Path] = []
    else:
        from ctrlmap.analyse.recommend import assessments_for

        lib, loaded, _ = load(settings, profile)
        result = advise(answers, assessments_for(loaded, lib, resolve_as_of(as_of)))
        inputs = [profile]
    emit(settings, "recommend", fmt, result, output, inputs)


PROGRESS_AFTER = 8
"""More clients than this, on a terminal, get a progress bar on standard error."""


@cli.command()
@click.argument(
    "paths", nargs=-1, required=True, metavar="PATH...", type=click.Path(path_type=Path)
)
@format_option("portfolio")
@output_option
@as_of_option
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Assess the clients in N processes (default: the number of cores; 1 runs them in this process).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["critical", "high", "medium", "low"]),
    default=None,
    help="Exit 1 when any client has an open finding (not an accepted risk) at or above this severity.",
)
@click.option(
    "--reports",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    metavar="DIR",
    help="Also write each client's HTML report into DIR and link it from the dashboard.",
)
@click.pass_obj
def portfolio(
    settings: Settings,
    paths: tuple[Path, ...],
    fmt: str | None,
    output: Path | None,
    as_of: dt.datetime | None,
    jobs: int | None,
    fail_on: str | None,
    reports: Path | None,
) -> None:
    """Assess many clients at once: one row per client, providers across clients, totals on top.

    PATH is a profile or a folder of profiles (every *.yaml, *.yml and *.json in it). A client
    that does not load gets an "invalid" row with its first problem and the others are still
    assessed; the output is written, and the exit code is 2. Otherwise exit 1 when --fail-on is
    met, else 0. The format follows the -o suffix (.html, .md, .json, .csv) unless given.

    \b
    Example:
      ctrlmap portfolio clients/ --format html -o portfolio.html --reports reports/
      ctrlmap portfolio clients/ --format json -o portfolio.json --fail-on critical
    """
    import sys

    from ctrlmap.analyse.clients import ClientSettings, assess_clients, default_jobs, plan_tasks
    from ctrlmap.analyse.portfolio import client_files
    from ctrlmap.analyse.portfolio import portfolio as build_portfolio

    if fmt is None and output is not None:
        fmt = REPORT_SUFFIXES.get(output.suffix.lower())
        fmt = fmt if fmt in formats_for("portfolio") else None
    files = client_files(paths)
    lib = settings.library
    day = resolve_as_of(as_of)
    if reports is not None:
        try:
            reports.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CtrlmapError(f"{reports}: cannot create the folder ({exc.strerror})") from None
    links_from = output.parent if output is not None else Path.cwd()
    tasks = plan_tasks(files, reports, links_from, [output] if output is not None else [])
    run = ClientSettings(settings.catalogs, settings.catalog_dirs, day, tuple(protected_folders()))
    workers = jobs or default_jobs()
    if sys.stderr.isatty() and len(tasks) > PROGRESS_AFTER:
        with click.progressbar(
            length=len(tasks), label="Assessing clients", file=sys.stderr
        ) as bar:
            rows = assess_clients(tasks, run, lib, workers, bar.update)
    else:
        rows = assess_clients(tasks, run, lib, workers)
    result = build_portfolio(rows, day)
    emit(settings, "portfolio", fmt, result, output, files)
    for row in result.clients:
        if row.problem is not None:
            click.echo(f"Error: {row.problem}", err=True)
    from ctrlmap.models.base import plural

    t = result.totals
    counts = ", ".join(f"{getattr(t.open, s)} {s}" for s in ("critical", "high", "medium", "low"))
    click.echo(
        f"{plural(t.clients, 'client', 'clients')}: {t.assessed} assessed, {t.invalid} invalid; "
        f"open findings: {counts}; {t.accepted.total()} accepted",
        err=True,
    )
    if t.invalid:
        raise click.exceptions.Exit(ExitCode.BAD_INPUT)
    if fail_on is not None and any(r.open.at_or_above(fail_on) for r in result.clients):
        raise click.exceptions.Exit(ExitCode.GAPS_FOUND)


SECTORS = ("healthcare", "financial", "legal", "other")
"""The sectors of models.base.Sector (a test keeps them equal), without importing the models."""


class ClickPrompter:
    """The interview's prompter: click's prompts, so Ctrl-C or end of input aborts cleanly."""

    def say(self, text: str) -> None:
        """Show a line."""
        click.echo(text)

    def ask(self, question: str, default: str | None = None) -> str:
        """An answer; blank gives the default."""
        answer: str = click.prompt(question, default=default, show_default=bool(default))
        return answer

    def confirm(self, question: str, default: bool) -> bool:
        """A yes or no."""
        return click.confirm(question, default=default)


def init_next_steps(path: Path) -> str:
    """The three commands to run after init."""
    import shlex

    shown = shlex.quote(str(path))
    return (
        "Next:\n"
        f"  ctrlmap validate {shown}\n"
        f"  ctrlmap gaps {shown}\n"
        f"  ctrlmap report {shown} -o {shlex.quote(str(path.with_suffix('.html')))}\n"
    )


def refuse_overwrite(path: Path, force: bool, elsewhere: str = "-o another file") -> None:
    """An existing file is overwritten only with --force."""
    if path.exists() and not force:
        raise CtrlmapError(f"{path}: already exists; give --force to overwrite it, or {elsewhere}")


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("profile.yaml"),
    show_default=True,
    help="Where to write the profile.",
)
@click.option("--force", is_flag=True, help="Overwrite the output (or template) files.")
@click.option("--no-input", is_flag=True, help="Ask nothing: take every answer from the flags.")
@click.option("--organization", metavar="NAME", help="The organization's name.")
@click.option("--sector", type=click.Choice(SECTORS), help="Its sector (suggests frameworks).")
@click.option(
    "--framework",
    "frameworks_",
    multiple=True,
    metavar="ID",
    help="A framework in scope; repeatable.",
)
@click.option(
    "--fact",
    "facts",
    multiple=True,
    metavar="NAME=VALUE",
    help="An applicability fact (hipaa=covered-entity,business-associate; pci-saq=B; "
    "glba-small-institution=yes); repeatable.",
)
@click.option(
    "--internal-staff", type=click.IntRange(min=0), metavar="N", help="recommend's first question."
)
@click.option("--control", type=click.Choice(["high", "low"]), help="recommend's second question.")
@click.option(
    "--budget", type=click.Choice(["predictable", "flexible"]), help="recommend's third question."
)
@click.option(
    "--in-house-compliance/--no-in-house-compliance",
    default=None,
    help="recommend's fourth question.",
)
@click.option("--model", "model_id", metavar="MODEL", help="The model (default: recommend's pick).")
@click.option(
    "--person",
    "person_specs",
    multiple=True,
    metavar="ID:NAME:FUNCTIONS[:KEY=VALUE]...",
    help="A person: id (blank: from the name), name, functions comma-separated, then keys role, "
    "after-hours, backup (a bare key is yes); write a colon inside a value as \\:; repeatable.",
)
@click.option(
    "--provider",
    "provider_specs",
    multiple=True,
    metavar="ID:NAME:FUNCTIONS[:KEY=VALUE]...",
    help="A provider, as --person: keys agreement, frameworks (comma-separated), after-hours, "
    "on-site, baa, pci-acknowledgement, last-reviewed (YYYY-MM-DD), independent; write a colon "
    "inside a value as \\:; repeatable.",
)
@click.option(
    "--designate",
    "designations",
    multiple=True,
    metavar="ROLE=HOLDER[:OVERSEER]",
    help="Who holds a designated role; repeatable.",
)
@click.option(
    "--people",
    "people_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="The staff list, .csv or .xlsx (README: the column layout).",
)
@click.option(
    "--providers",
    "providers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="The vendor list, .csv or .xlsx.",
)
@click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Only write the people and providers templates (CSV, and XLSX with openpyxl) and the "
    "list of function ids into DIR.",
)
@click.pass_obj
def init(
    settings: Settings,
    output: Path,
    force: bool,
    no_input: bool,
    organization: str | None,
    sector: str | None,
    frameworks_: tuple[str, ...],
    facts: tuple[str, ...],
    internal_staff: int | None,
    control: str | None,
    budget: str | None,
    in_house_compliance: bool | None,
    model_id: str | None,
    person_specs: tuple[str, ...],
    provider_specs: tuple[str, ...],
    designations: tuple[str, ...],
    people_file: Path | None,
    providers_file: Path | None,
    templates: Path | None,
) -> None:
    """Write a new, valid, commented profile from a short interview (or from flags).

    Asks only what the flags and the --people/--providers files leave open; with --no-input
    and no flags at all it writes a starter profile to rename and fill in. Nothing is written
    until every answer is in and the profile validates; an existing file needs --force.

    \b
    Example:
      ctrlmap init -o clinic.yaml
      ctrlmap init --templates intake/
      ctrlmap init --people intake/people.csv --providers intake/providers.csv -o clinic.yaml
      ctrlmap init --no-input --organization 'Riverside Family Clinic' --sector healthcare \\
        --person 'dana:Dana Ortiz:network-administration,on-site-support:role=IT Director'
    """
    import functools

    from ctrlmap.analyse.recommend import Answers
    from ctrlmap.onboard.profile_text import checked_profile_text
    from ctrlmap.onboard.sheets import read_roster
    from ctrlmap.onboard.starter import (
        Given,
        build_draft,
        check_frameworks,
        parse_designation,
        parse_fact,
    )

    if templates is not None:
        write_templates(templates, force, settings.library)
        return
    refuse_overwrite(output, force)
    lib = settings.library
    # every flag is checked before any is acted on, so that all their mistakes come in one pass
    errors: list[CtrlmapError] = []

    def attempt(call: Callable[[], T]) -> T | None:
        try:
            return call()
        except CtrlmapError as exc:
            errors.append(exc)
            return None

    for fw in dict.fromkeys(frameworks_):
        attempt(functools.partial(check_frameworks, [fw], lib))
    if not errors and frameworks_:
        attempt(lambda: check_frameworks(frameworks_, lib))  # named twice
    if model_id is not None:
        attempt(lambda: lib.model(model_id))
    roster = attempt(
        lambda: read_roster(
            lib, people_file, providers_file, frameworks_ or None, person_specs, provider_specs
        )
    )
    parsed_facts = [attempt(functools.partial(parse_fact, f, lib)) for f in facts]
    parsed_roles = [attempt(functools.partial(parse_designation, d)) for d in designations]
    if errors or roster is None:
        raise ManyErrors(errors)
    origins = dict(roster.origins)
    origins.update(
        (f"designations.{found[0]}", f"--designate {spec}")
        for spec, found in zip(designations, parsed_roles, strict=True)
        if found is not None
    )
    if organization is not None:
        origins["organization"] = "--organization"
    given = Given(
        organization=organization,
        sector=sector,  # type: ignore[arg-type]
        frameworks=frameworks_ or None,
        facts=dict(f for f in parsed_facts if f is not None),
        answers=Answers.model_validate(
            {
                "internal_staff": internal_staff,
                "control": control,
                "budget": budget,
                "in_house_compliance": in_house_compliance,
            }
        ),
        model=model_id,
        people=roster.people,
        providers=roster.providers,
        designations=dict(d for d in parsed_roles if d is not None),
        origins=origins,
    )
    if not no_input:
        from ctrlmap.onboard.interview import Interview

        given = Interview(ClickPrompter(), lib).run(given)
    draft = build_draft(given, lib)
    text, profile = checked_profile_text(draft, lib, f"{output} (not written)")
    refuse_overwrite(output, force)
    inputs = [p for p in (people_file, providers_file) if p is not None]
    write_atomically_here(settings, output, text, inputs)
    from ctrlmap.models.base import plural

    click.echo(
        f"Wrote {output}: {profile.organization.name}, {', '.join(profile.frameworks)}, "
        f"{profile.model}, {plural(len(profile.internal), 'person', 'people')}, "
        f"{plural(len(profile.providers), 'provider', 'providers')}."
    )
    click.echo(init_next_steps(output), nl=False)


def protected_folders() -> list[Path]:
    """Folders no output goes into: ctrlmap's own catalogs and examples, and its cache."""
    from ctrlmap.load.read import cache_dir
    from ctrlmap.load.resources import builtin_root, examples_root

    cache = cache_dir()
    return [builtin_root(), examples_root(), *([cache] if cache is not None else [])]


def write_atomically_here(
    settings: Settings, output: Path, text: str | bytes, inputs: Sequence[Path] = ()
) -> None:
    """Write one file atomically, never over an input or ctrlmap's own files."""
    from ctrlmap.writing import write_atomically

    write_atomically(output, text, [*inputs, *settings.input_paths()], protected_folders())


def write_templates(folder: Path, force: bool, lib: Library) -> None:
    """`init --templates DIR`: the people and providers templates and the function list, XLSX too
    when openpyxl is there."""
    from ctrlmap.onboard.sheets import template_files

    try:
        import openpyxl  # noqa: F401
    except ImportError:
        xlsx = False
    else:
        xlsx = True
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CtrlmapError(f"{folder}: cannot create the folder ({exc.strerror})") from None
    files = template_files(lib, xlsx)
    for name in files:
        refuse_overwrite(folder / name, force, "--templates another folder")
    from ctrlmap.writing import write_atomically

    for name, body in files.items():
        write_atomically(folder / name, body)
        click.echo(f"Wrote {folder / name}")
    if not xlsx:
        click.echo("XLSX templates need openpyxl: pip install 'ctrlmap[xlsx]'", err=True)


def main() -> None:
    """The console-script entry point; SIGTERM unwinds like Ctrl-C, so no temporary file is left."""
    import signal

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    cli(prog_name="ctrlmap")


if __name__ == "__main__":  # pragma: no cover
    main()
