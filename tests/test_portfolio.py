"""`ctrlmap portfolio`: each row read off a client's assessment, providers across clients, the
exit codes, the reports it links, and the same bytes whatever the number of processes."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from bench.clients import client_profiles, write_clients
from ctrlmap.analyse.clients import chunk_size, plan_tasks
from ctrlmap.analyse.portfolio import (
    client_files,
    client_row,
    invalid_row,
    portfolio,
    same_name,
)
from ctrlmap.assessment.gaps.registry import finding_id
from ctrlmap.assessment.pipeline import assess
from ctrlmap.errors import CtrlmapError
from ctrlmap.formats import VIEWS, render
from ctrlmap.load.library import Library
from ctrlmap.load.profiles import load_profile
from ctrlmap.models.portfolio import ClientRow, PortfolioResult, SeverityCounts
from ctrlmap.present.portfolio import BAR_WIDTH, portfolio_view
from tests.conftest import DATA, EXAMPLES, ROOT

AS_OF = dt.date(2026, 11, 28)
FORMATS = VIEWS["portfolio"]


def row_of(lib: Library, path: Path, as_of: dt.date = AS_OF, name: str | None = None) -> ClientRow:
    profile, _ = load_profile(path, lib)
    return client_row(assess(profile, lib, as_of=as_of), name or path.name)


@pytest.fixture(scope="module")
def clients(lib: Library, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve generated clients: one invalid, two with one name, one acceptance about to expire."""
    profiles = client_profiles(lib, 12, seed=5)
    profiles[3]["organization"]["name"] = profiles[2]["organization"]["name"]
    first = profiles[4]["frameworks"][0]
    profiles[4]["accepted_risks"] = [
        {
            "finding": finding_id("missing-evidence", (first,)),
            "reason": "Binder rebuilt after the move; interim attestations on file",
            "approved_by": "p0",
            "approved": "2026-10-01",
            "expires": "2026-12-10",
        }
    ]
    folder = tmp_path_factory.mktemp("clients")
    write_clients(folder, profiles)
    broken = folder / "client-0007.yaml"
    text = broken.read_text().replace("frameworks:", "framework:", 1)
    broken.write_text(text)
    return folder


def example_clients(folder: Path, *stems: str) -> Path:
    """`folder`, made, with a copy of each named example profile."""
    folder.mkdir()
    for stem in stems:
        shutil.copy(EXAMPLES / f"{stem}.yaml", folder / f"{stem}.yaml")
    return folder


def run(invoke: Callable[..., Result], *args: str) -> Result:
    return invoke("portfolio", *args, "--as-of", AS_OF.isoformat())


def test_the_same_bytes_in_every_format_with_one_and_two_processes(
    invoke: Callable[..., Result], clients: Path, tmp_path: Path
) -> None:
    for fmt in FORMATS:
        outputs = []
        for jobs in ("1", "2"):
            target = tmp_path / f"portfolio-{jobs}.{fmt}"
            result = run(invoke, str(clients), "--format", fmt, "-o", str(target), "--jobs", jobs)
            assert result.exit_code == 2, result.stderr  # one client is invalid
            assert result.stdout == ""
            assert f"Error: {clients / 'client-0007.yaml'}:" in result.stderr
            assert "12 clients: 11 assessed, 1 invalid" in result.stderr
            assert "Assessing clients" not in result.stderr  # no progress bar off a terminal
            assert len(result.stderr.splitlines()) == 2  # the invalid client, the summary
            outputs.append(target.read_bytes())
        assert outputs[0] == outputs[1], fmt
    data = json.loads((tmp_path / "portfolio-1.json").read_text())
    assert data["schema"] == "ctrlmap/portfolio@1"
    files = [c["file"] for c in data["clients"]]
    assert files == sorted(files)  # path order in the JSON; the dashboard ranks by risk
    invalid = [c for c in data["clients"] if c["status"] == "invalid"]
    assert [c["file"] for c in invalid] == [str(clients / "client-0007.yaml")]
    assert re.match(r".*client-0007\.yaml:\d+: ", invalid[0]["problem"])
    same = [c for c in data["clients"] if c["duplicate"]]
    assert [Path(c["file"]).name for c in same] == ["client-0003.yaml", "client-0004.yaml"]
    expiring = [c for c in data["clients"] if c["expiring"]]
    assert any(
        e["expires"] == "2026-12-10" and Path(c["file"]).name == "client-0005.yaml"
        for c in expiring
        for e in c["expiring"]
    )
    assert data["totals"]["invalid"] == 1 and data["totals"]["duplicate_names"] == 2


def test_both_clients_of_one_name_are_shown_with_their_files(
    invoke: Callable[..., Result], clients: Path
) -> None:
    result = run(invoke, str(clients), "--format", "md", "--jobs", "1")
    assert result.exit_code == 2
    name = yaml.safe_load((clients / "client-0003.yaml").read_text())["organization"]["name"]
    for f in ("client-0003.yaml", "client-0004.yaml"):
        assert f"{name} ({clients / f})" in result.stdout.replace("\\", "")


def test_a_row_holds_what_the_dental_groups_gaps_say(lib: Library) -> None:
    """Hand-checked against `ctrlmap gaps examples/dental-group.yaml --as-of 2026-11-28`."""
    row = row_of(lib, EXAMPLES / "dental-group.yaml")
    assert row.status == "assessed" and row.problem is None
    assert row.organization == "Bright Smile Dental Group"
    assert row.frameworks == ("hipaa-security", "hipaa-breach", "pci-dss-4")
    assert row.model == "co-managed"
    assert row.applicable == 130
    assert row.owners == {"internal": 89, "provider": 11, "shared": 30, "unassigned": 0}
    assert row.open == SeverityCounts(critical=1, high=3, medium=5, low=7)
    assert row.accepted == SeverityCounts(medium=1)  # the accepted single point of failure
    assert row.critical == ("GAP-C4PW13",)
    assert row.missing_baas == ("VaultBox Offsite Backup",)
    assert row.missing_pci_acknowledgments == ()
    assert row.reviews_overdue == ("ChartCloud EHR", "VaultBox Offsite Backup")
    assert row.evidence_missing == 13 + 60 + 43  # three frameworks' missing-evidence findings
    assert row.evidence_stale == 1
    assert row.remediation_overdue == 0
    assert row.expiring == ()  # GAP-3805H3's acceptance runs to 2027-01-31: 64 days away
    vault = next(p for p in row.providers if p.id == "vaultbox")
    assert vault.findings == SeverityCounts(critical=1, medium=2, low=2)
    assert vault.review_overdue and vault.agreements_missing == ("baa",)
    coastal = next(p for p in row.providers if p.id == "coastal")
    assert not coastal.review_overdue and coastal.agreements_missing == ()


def test_an_acceptance_ending_within_30_days_is_expiring_and_a_plan_past_due_is_overdue(
    lib: Library,
) -> None:
    row = row_of(lib, EXAMPLES / "dental-group.yaml", dt.date(2027, 1, 1))
    assert [(e.finding, e.expires.isoformat()) for e in row.expiring] == [
        ("GAP-3805H3", "2027-01-31")
    ]
    # GAP-C4PW13's plan was due 2026-12-15 and is in progress: overdue at the new year
    assert row.remediation_overdue >= 1
    assert row_of(lib, EXAMPLES / "dental-group.yaml", dt.date(2026, 12, 31)).expiring == ()
    assert row_of(lib, EXAMPLES / "dental-group.yaml", dt.date(2027, 1, 31)).expiring == ()


def test_a_missing_pci_acknowledgment_is_counted_apart_from_a_baa(
    lib: Library, tmp_path: Path
) -> None:
    data = yaml.safe_load((EXAMPLES / "dental-group.yaml").read_text())
    for p in data["providers"]:
        if p["id"] == "coastal":
            p["pci_acknowledgement"] = False
    path = tmp_path / "dental.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    row = row_of(lib, path)
    assert row.missing_pci_acknowledgments == ("Coastal IT Partners",)
    assert row.missing_baas == ("VaultBox Offsite Backup",)


def test_an_invalid_client_keeps_its_first_problem(lib: Library) -> None:
    with pytest.raises(CtrlmapError) as caught:
        load_profile(DATA / "bad" / "unknown_key.yaml", lib)
    row = invalid_row("unknown_key.yaml", caught.value)
    assert row.status == "invalid" and row.problem == caught.value.lines()[0]
    assert re.match(r".*unknown_key\.yaml:\d+: ", row.problem or "")


def test_providers_are_matched_by_name_whatever_the_case_and_spacing(
    lib: Library, tmp_path: Path
) -> None:
    data = yaml.safe_load((EXAMPLES / "clinic.yaml").read_text())
    other = yaml.safe_load((EXAMPLES / "clinic.yaml").read_text())
    other["organization"]["name"] = "Lakeside Clinic"
    for p in other["providers"]:
        p["name"] = "  " + p["name"].upper().replace(" ", "   ") + " "
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(other, sort_keys=False))
    rows = [row_of(lib, tmp_path / n) for n in ("a.yaml", "b.yaml")]
    result = portfolio(rows, AS_OF)
    harbor = [p for p in result.providers if same_name(p.name) == "harbor managed it"]
    assert len(harbor) == 1 and harbor[0].name == "Harbor Managed IT"  # the first spelling
    assert [c.organization for c in harbor[0].clients] == [
        "Riverside Family Clinic",
        "Lakeside Clinic",
    ]
    one = rows[0].providers[0]
    assert harbor[0].findings.total() == 2 * one.findings.total()
    assert harbor[0].functions == one.functions


def test_totals_add_up_the_rows(lib: Library) -> None:
    rows = [row_of(lib, EXAMPLES / f"{s}.yaml") for s in ("clinic", "dental-group", "law-firm")]
    t = portfolio(rows, AS_OF).totals
    assert t.clients == t.assessed == 3 and t.invalid == 0
    assert t.open.critical == sum(r.open.critical for r in rows)
    assert t.missing_baas == 1 and t.evidence_stale == sum(r.evidence_stale for r in rows)
    assert t.clients_with_critical == sum(r.open.critical > 0 for r in rows)


def test_clients_are_ranked_invalid_first_then_critical_first(lib: Library) -> None:
    rows = [row_of(lib, EXAMPLES / f"{s}.yaml") for s in ("clinic", "dental-group", "cpa-firm")]
    rows.append(invalid_row("broken.yaml", CtrlmapError("broken.yaml:3: model: unknown")))
    view = portfolio_view(portfolio(rows, AS_OF))
    assert [c.row.file for c in view.clients] == [
        "broken.yaml",
        "dental-group.yaml",  # 1 critical
        "cpa-firm.yaml",  # 0 critical, 1 high
        "clinic.yaml",
    ]
    for c in view.clients:
        assert all(s.x + s.width <= BAR_WIDTH and s.width >= 0 for s in c.bar)
        if c.bar:
            assert c.bar[-1].x + c.bar[-1].width <= BAR_WIDTH


def test_exit_codes(invoke: Callable[..., Result], tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "dental-group.yaml", tmp_path / "dental.yaml")
    shutil.copy(EXAMPLES / "clinic.yaml", tmp_path / "clinic.yaml")
    ok = run(invoke, str(tmp_path), "--jobs", "1")
    assert ok.exit_code == 0, ok.stderr
    assert run(invoke, str(tmp_path), "--jobs", "1", "--fail-on", "critical").exit_code == 1
    assert run(invoke, str(tmp_path / "clinic.yaml"), "--fail-on", "high").exit_code == 0
    assert run(invoke, str(tmp_path / "clinic.yaml"), "--fail-on", "medium").exit_code == 1
    # an accepted critical finding does not meet --fail-on
    data = yaml.safe_load((EXAMPLES / "dental-group.yaml").read_text())
    data["accepted_risks"].append(
        {
            "finding": "GAP-C4PW13",
            "reason": "VaultBox holds no new data until its BAA is signed",
            "approved_by": "raj",
            "approved": "2026-11-01",
            "expires": "2027-02-01",
        }
    )
    (tmp_path / "dental.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    assert run(invoke, str(tmp_path), "--jobs", "1", "--fail-on", "critical").exit_code == 0
    # an invalid client: exit 2 even when --fail-on is met, and the output is still written
    (tmp_path / "broken.yaml").write_text("organization: {name: X}\nframeworks: [nope]\n")
    target = tmp_path / "out.json"
    bad = run(invoke, str(tmp_path), "--jobs", "1", "--fail-on", "low", "-o", str(target))
    assert bad.exit_code == 2
    assert f"Error: {tmp_path / 'broken.yaml'}:" in bad.stderr
    assert json.loads(target.read_text())["totals"]["assessed"] == 2


def test_paths_a_folder_without_profiles_and_a_missing_file(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(invoke, str(empty))
    assert result.exit_code == 2 and "holds no profiles" in result.stderr
    assert result.stdout == ""
    missing = run(invoke, str(EXAMPLES / "clinic.yaml"), str(tmp_path / "nope.yaml"), "--jobs", "1")
    assert missing.exit_code == 2
    assert "nope.yaml" in missing.stderr and "Riverside Family Clinic" in missing.stdout
    usage = invoke("portfolio")
    assert usage.exit_code == 2 and "Missing argument" in usage.stderr


def test_a_symbolic_link_loop_is_an_invalid_client_named_or_found_in_a_folder(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    folder = tmp_path / "clients"
    folder.mkdir()
    shutil.copy(EXAMPLES / "clinic.yaml", folder / "clinic.yaml")
    (folder / "loopy.yaml").symlink_to("loopy.yaml")  # a link to itself
    for path in (folder, folder / "loopy.yaml"):
        result = run(invoke, str(path), "--jobs", "1")
        assert result.exit_code == 2, result.stderr
        assert "loopy.yaml: cannot read the file" in result.stderr
        assert "internal error" not in result.stderr
    assert [f.name for f in client_files([folder])] == ["clinic.yaml", "loopy.yaml"]


def test_a_report_that_cannot_be_written_stops_only_its_client(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    folder = example_clients(tmp_path / "clients", "clinic", "law-firm")
    reports = tmp_path / "reports"
    (reports / "clinic.html").mkdir(parents=True)  # a folder where the clinic's report goes
    out = tmp_path / "portfolio.json"
    result = run(invoke, str(folder), "--reports", str(reports), "-o", str(out), "--jobs", "1")
    assert result.exit_code == 2, result.stderr
    assert "clinic.html: is a folder" in result.stderr
    rows = json.loads(out.read_text())["clients"]
    assert [r["problem"] is None for r in rows] == [False, True]
    assert (reports / "law-firm.html").is_file()


def test_client_files_are_sorted_and_named_once(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.json", "c.yml", "notes.txt", "d.YAML"):
        (tmp_path / name).write_text("{}")
    (tmp_path / "sub").mkdir()
    files = client_files([tmp_path, tmp_path / "a.json"])
    assert [f.name for f in files] == ["a.json", "b.yaml", "c.yml", "d.YAML"]


def test_reports_are_written_and_linked_relative_to_the_dashboard(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    folder = example_clients(tmp_path / "clients", "clinic", "law-firm")
    (folder / "broken.yaml").write_text("organization: {name: X}\n")
    (tmp_path / "site").mkdir()
    page = tmp_path / "site" / "portfolio.html"
    reports = tmp_path / "reports"
    result = run(
        invoke, str(folder), "--format", "html", "-o", str(page), "--reports", str(reports)
    )
    assert result.exit_code == 2
    html = page.read_text()
    links = re.findall(r'<a href="([^"]+)">', html)
    assert sorted(links) == ["../reports/clinic.html", "../reports/law-firm.html"]
    for link in links:
        target = (page.parent / link).resolve()
        assert target.is_file()
        assert "Accountability assessment:" in target.read_text()
    assert "Riverside Family Clinic" in (reports / "clinic.html").read_text()
    assert sorted(p.name for p in reports.iterdir()) == ["clinic.html", "law-firm.html"]
    data = json.loads(
        run(invoke, str(folder), "--format", "json", "--reports", str(reports)).stdout
    )
    # on standard output, the links are relative to the working folder
    base = Path(os.path.relpath(reports, Path.cwd())).as_posix()
    assert {c["report"] for c in data["clients"]} == {
        None,
        f"{base}/clinic.html",
        f"{base}/law-firm.html",
    }


def test_report_names_never_collide(tmp_path: Path) -> None:
    files = [
        tmp_path / "a" / "clinic.yaml",
        tmp_path / "b" / "clinic.yaml",
        tmp_path / "Clinic.json",
    ]
    out = tmp_path / "r" / "clinic-2.html"
    tasks = plan_tasks(files, tmp_path / "r", tmp_path, [out])
    assert [t.report.name for t in tasks if t.report] == [
        "clinic.html",
        "clinic-3.html",
        "Clinic-4.html",
    ]
    assert [t.link for t in tasks] == ["r/clinic.html", "r/clinic-3.html", "r/Clinic-4.html"]


def test_csv_cells_are_neutralized(lib: Library, tmp_path: Path) -> None:
    data = yaml.safe_load((EXAMPLES / "dental-group.yaml").read_text())
    data["organization"]["name"] = '=HYPERLINK("http://evil.example","x")'
    for p in data["providers"]:
        if p["id"] == "vaultbox":
            p["name"] = "@SUM(1+1)"
    path = tmp_path / "evil.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    text = render("portfolio", "csv", portfolio([row_of(lib, path, name="-evil.yaml")], AS_OF))
    row = text.splitlines()[1]
    assert "'=HYPERLINK" in row and "'@SUM(1+1)" in row and ",'-evil.yaml," in row
    assert ",=HYPERLINK" not in row and ",@SUM" not in row


def test_html_escapes_what_a_profile_says_and_runs_nothing(lib: Library) -> None:
    row = row_of(lib, DATA / "good" / "injection.yaml")
    page = render("portfolio", "html", portfolio([row], AS_OF))
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_every_format_renders_an_empty_and_an_all_invalid_portfolio() -> None:
    rows = [invalid_row("x.yaml", CtrlmapError("x.yaml:1: organization: missing"))]
    for result in (portfolio([], AS_OF), portfolio(rows, AS_OF)):
        for fmt in FORMATS:
            assert render("portfolio", fmt, result).endswith("\n")


def test_chunks_are_small_and_at_least_one() -> None:
    assert chunk_size(1, 2) == 1 and chunk_size(2000, 2) == 16 and chunk_size(400, 2) == 6


def test_the_json_round_trips(lib: Library) -> None:
    rows = [row_of(lib, EXAMPLES / f"{s}.yaml") for s in ("clinic", "dental-group")]
    result = portfolio(rows, AS_OF)
    again = PortfolioResult.model_validate_json(render("portfolio", "json", result))
    assert again == result


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "html"])
def test_the_portfolio_matches_its_golden_file(
    lib: Library, golden: Callable[[str, str], None], fmt: str
) -> None:
    rows = [
        row_of(lib, path, name=f"examples/{path.name}") for path in sorted(EXAMPLES.glob("*.yaml"))
    ]
    suffix = {"table": "txt"}.get(fmt, fmt)
    golden(f"portfolio.{suffix}", render("portfolio", fmt, portfolio(rows, AS_OF)))


def custom_model_folder(tmp_path: Path) -> Path:
    """A --catalog-dir with one more model, `soc-outsourced`."""
    folder = tmp_path / "mine"
    (folder / "models").mkdir(parents=True)
    text = (ROOT / "frameworks" / "models" / "co-managed.yaml").read_text()
    (folder / "models" / "soc-outsourced.yaml").write_text(
        text.replace("id: co-managed", "id: soc-outsourced")
    )
    return folder


def test_catalog_dir_settings_reach_the_workers(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    folder = custom_model_folder(tmp_path)
    clients = tmp_path / "clients"
    clients.mkdir()
    for stem in ("clinic", "law-firm", "cpa-firm"):
        text = (EXAMPLES / f"{stem}.yaml").read_text()
        text = re.sub(r"(?m)^model: .*$", "model: soc-outsourced", text)
        (clients / f"{stem}.yaml").write_text(text)
    without = run(invoke, str(clients), "--jobs", "2", "--format", "json")
    assert without.exit_code == 2  # the model is unknown without the catalog dir
    result = invoke(
        "--catalog-dir", str(folder), "portfolio", str(clients), "--as-of", AS_OF.isoformat(),
        "--jobs", "2", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    models = {c["model"] for c in json.loads(result.stdout)["clients"]}
    assert models == {"soc-outsourced"}


def test_a_spawned_worker_loads_the_library_from_the_settings(tmp_path: Path) -> None:
    """Where workers are spawned, not forked, the initializer loads the library itself."""
    import signal

    from ctrlmap.analyse import clients

    folder = custom_model_folder(tmp_path)
    settings = clients.ClientSettings((), (folder,), AS_OF)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    clients._start(settings)
    try:
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # the parent handles Ctrl-C
        assert clients._WORKER is not None and "soc-outsourced" in clients._WORKER.library.models
        row = clients.assess_one(clients.Task(EXAMPLES / "clinic.yaml"))
        assert row.status == "assessed" and row.organization == "Riverside Family Clinic"
        kept = clients._WORKER
        clients._start(settings)  # the same settings: the library is kept, not reloaded
        assert clients._WORKER is kept
    finally:
        clients._WORKER = None
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
