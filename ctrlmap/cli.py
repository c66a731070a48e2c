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
from ctrlmap.errors import CtrlmapError, ExitCode
from ctrlmap.formats import formats_for, render

if TYPE_CHECKING:
    from ctrlmap.assessment.gaps.registry import RuleId

F = TypeVar("F", bound=Callable[..., Any])


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
                f"{type(exc).__name__}: {exc}\nPlease report it with the command you ran; "
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
                f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp; unset it or fix it"
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
    """Render and write to -o atomically, or print to stdout."""
    text = render(view, fmt or formats_for(view)[0], data)
    if output is None:
        click.echo(text, nl=False)
        return
    from ctrlmap.load.read import cache_dir
    from ctrlmap.load.resources import builtin_root, examples_root
    from ctrlmap.writing import write_atomically

    cache = cache_dir()
    protected = [builtin_root(), examples_root(), *([cache] if cache is not None else [])]
    write_atomically(output, text, [*inputs, *settings.input_paths()], protected)


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
    """Who owns each compliance control under your IT operating model, and what falls between the chairs.

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


@cli.command()
@profile_argument
@format_option("validate")
@output_option
@click.pass_obj
def validate(settings: Settings, profile: Path, fmt: str | None, output: Path | None) -> None:
    """Check a profile and report every problem (exit 2), or summarize it (exit 0).

    \b
    Example:
      ctrlmap validate examples/clinic.yaml
    """
    from ctrlmap.load.profiles import load_profile, profile_warnings
    from ctrlmap.present.views import validation_view

    lib = settings.library
    loaded, doc = load_profile(profile, lib)
    warnings = [str(w) for w in profile_warnings(loaded, doc)]
    view = validation_view(lib, loaded, doc.name, warnings)
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
) -> tuple[Any, Any]:
    """The profile's assessment (computed once for the command) and the profile's document."""
    from ctrlmap.assessment.pipeline import assess

    lib, loaded, doc = load(settings, profile)
    return (
        assess(loaded, lib, model_id, resolve_as_of(as_of), include_proposed, rules),
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
                f"--explain: {explain!r} is not a control of {where}"
                + ("" if include_proposed else " (add --include-proposed for proposed controls)")
            )
        view, data = "explain", ExplainResult(model=result.model, assignment=found)
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
    help="Exit 1 when a gap at or above this severity exists.",
)
@click.option("--rule", "rules", multiple=True, metavar="RULE", help="Only this rule; repeatable.")
@proposed_option
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
    fmt: str | None,
    output: Path | None,
) -> None:
    """Report the accountability gaps: what falls between the internal team and the provider.

    Sorted by severity, then control. Exits 0 unless --fail-on is given and met (then 1).

    \b
    Example:
      ctrlmap gaps clinic.yaml --as-of 2026-11-28
      ctrlmap gaps lender.yaml --fail-on high --format json -o gaps.json
    """
    from ctrlmap.assessment.gaps import summary_line
    from ctrlmap.assessment.gaps.registry import RULES
    from ctrlmap.assessment.severity import SEVERITIES

    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise click.UsageError(f"unknown rule {unknown[0]!r}; rules: {', '.join(RULES)}")
    chosen = [r for r in RULES if r in rules]  # the registry's typed ids, in its order
    assessment, _ = assessed(settings, profile, model_id, as_of, include_proposed, chosen or None)
    found = assessment.gaps
    emit(settings, "gaps", fmt, found, output, [profile])
    click.echo(summary_line(found), err=True)
    if fail_on is not None:
        threshold = SEVERITIES.index(fail_on)
        if any(SEVERITIES.index(g.severity) <= threshold for g in found.gaps):
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
      ctrlmap graph clinic.yaml | dot -Tsvg > clinic.svg
    """
    from ctrlmap.present.graph import graph_view

    assessment, _ = assessed(settings, profile, model_id, None, include_proposed)
    frameworks = assessment.profile.frameworks
    unknown = [f for f in frameworks_ if f not in frameworks]
    if unknown:
        raise CtrlmapError(
            f"--framework {unknown[0]!r} is not one of the profile's frameworks ({', '.join(frameworks)})"
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
) -> None:
    """Write the audit-evidence report: HTML, Markdown, JSON (the snapshot) or CSV (the matrix).

    \b
    Example:
      ctrlmap report clinic.yaml -o clinic.html --as-of 2026-11-28
      ctrlmap report clinic.yaml -o clinic.html --compare-to fully-managed
      ctrlmap report clinic.yaml -o clinic.json
    """
    from ctrlmap.present.report import build_report

    if fmt is None and output is not None:
        fmt = REPORT_SUFFIXES.get(output.suffix.lower())
        if fmt is None:
            raise click.UsageError(f"cannot tell the format from {output.name!r}; give --format")
    assessment, doc = assessed(settings, profile, model_id, as_of, include_proposed)
    report = build_report(assessment, doc, comparison=comparison(assessment, compare_to))
    emit(settings, "report", fmt, report, output, [profile])
    if output is not None:
        click.echo(
            f"Wrote {output}: {report.gap_summary.total} gaps for {report.organization.name}.",
            err=True,
        )


@cli.command()
@click.argument(
    "report_file", metavar="REPORT.html", type=click.Path(path_type=Path, dir_okay=False)
)
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
    """Check that an HTML report was not edited, and (given PROFILE) that it is still current.

    Exits 0 when every check passes, 1 when one fails.

    \b
    Example:
      ctrlmap verify clinic.html clinic.yaml
    """
    from ctrlmap.present.verify import read_report, verify_report

    text = read_report(report_file)
    fresh = None
    if profile is not None:
        lib, loaded, doc = load(settings, profile)

        def fresh(snapshot: Any) -> Any:
            from ctrlmap.assessment.pipeline import assess
            from ctrlmap.present.report import build_report

            again = assess(loaded, lib, snapshot.model, snapshot.as_of, snapshot.include_proposed)
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


@cli.command()
@profile_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(formats_for("export")),
    required=True,
    help="Vocabulary: oscal (OSCAL component definition, JSON), crm-csv (customer "
    "responsibility matrix), pci-12.8.5 (PCI DSS 12.8.5, per provider), ccm-ssrm (CSA CCM "
    "ownership categories).",
)
@model_option
@as_of_option
@proposed_option
@output_option
@click.pass_obj
def export(
    settings: Settings,
    profile: Path,
    fmt: str,
    model_id: str | None,
    as_of: dt.datetime | None,
    include_proposed: bool,
    output: Path | None,
) -> None:
    """Export the responsibility matrix as OSCAL, a CRM, a PCI DSS 12.8.5 list or CSA CCM SSRM.

    pci-12.8.5 needs pci-dss-4 among the profile's frameworks (else exit 2).

    \b
    Example:
      ctrlmap export clinic.yaml --format oscal -o clinic.oscal.json
      ctrlmap export lender.yaml --format pci-12.8.5 -o tpsp-responsibilities.csv
    """
    from ctrlmap.present.exports import build_export, check_export

    assessment, doc = assessed(settings, profile, model_id, as_of, include_proposed)
    data = build_export(assessment)
    check_export(fmt, data, doc)
    emit(settings, "export", fmt, data, output, [profile])


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


def main() -> None:
    """The console-script entry point; SIGTERM unwinds like Ctrl-C, so no temporary file is left."""
    import signal

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    cli(prog_name="ctrlmap")


if __name__ == "__main__":  # pragma: no cover
    main()
