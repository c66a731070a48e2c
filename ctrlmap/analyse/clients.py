"""Assessing many clients: in this process, or over a pool of processes, merged in path order.

Each process holds the library (catalogs, models and the dependency graph) once: a forked
worker inherits the parent's, a spawned one loads it from the same `--catalog`/`--catalog-dir`
settings in its initializer. Work goes out in chunks and comes back as small rows (no
assessment crosses a process boundary), in the order the clients were given, so the output is
the same whatever the number of processes.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ctrlmap.analyse.portfolio import client_row, invalid_row
from ctrlmap.errors import CtrlmapError
from ctrlmap.load.library import Library
from ctrlmap.models.portfolio import ClientRow


@dataclass(frozen=True)
class ClientSettings:
    """What every worker needs to assess a client the way the parent would."""

    catalogs: tuple[str, ...]
    catalog_dirs: tuple[Path, ...]
    as_of: dt.date
    protected: tuple[Path, ...] = ()
    """Folders no report may be written into (ctrlmap's own files, its cache)."""


@dataclass(frozen=True)
class Task:
    """One client: its file, how rows name it, and where its HTML report goes (if anywhere)."""

    path: Path
    report: Path | None = None
    link: str | None = None
    """How the dashboard links the report (relative to the dashboard's folder)."""


@dataclass
class _Worker:
    settings: ClientSettings
    library: Library


_WORKER: _Worker | None = None
"""This process's settings and library, set once per run (or per worker process)."""


def _start(settings: ClientSettings) -> None:
    """A worker's initializer: keep the inherited library when it was loaded with these settings.

    Ctrl-C reaches every process of the terminal's group: the parent alone handles it (and stops
    the workers), so that one interrupted run prints one line, not a traceback per worker.
    """
    import signal

    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _WORKER is not None and _WORKER.settings == settings:
        return
    from ctrlmap.load.catalogs import load_library

    library = load_library(settings.catalogs, settings.catalog_dirs)
    _ = library.graph
    _WORKER = _Worker(settings, library)


def assess_one(task: Task) -> ClientRow:
    """One client's row: loaded, assessed and (with a report path) its HTML report written."""
    from ctrlmap.assessment.pipeline import assess
    from ctrlmap.load.profiles import load_profile

    assert _WORKER is not None, "assess_one runs after _start"
    lib, settings = _WORKER.library, _WORKER.settings
    file = str(task.path)
    try:
        profile, doc = load_profile(task.path, lib)
        assessment = assess(profile, lib, as_of=settings.as_of)
        if task.report is not None:  # a report that cannot be written is this client's problem
            from ctrlmap.formats import render
            from ctrlmap.present.report import build_report
            from ctrlmap.writing import write_atomically

            page = render("report", "html", build_report(assessment, doc))
            write_atomically(task.report, page, [task.path], settings.protected)
    except CtrlmapError as exc:
        return invalid_row(file, exc)
    return client_row(assessment, file, task.link)


def chunk_size(clients: int, jobs: int) -> int:
    """Chunks small enough that no process is left with much to do while the others idle at the
    end (16 clients: well under a second), big enough to keep the messages few."""
    return max(1, min(16, clients // (jobs * 32)))


def default_jobs() -> int:
    """The number of cores."""
    return os.cpu_count() or 1


def assess_clients(
    tasks: Sequence[Task],
    settings: ClientSettings,
    library: Library,
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> list[ClientRow]:
    """Every client's row, in the order of `tasks`; `progress(n)` after each n rows.

    `library` is the one the caller loaded with `settings` (so its errors came first); with one
    job, or one client, the clients are assessed in this process.
    """
    global _WORKER
    _WORKER = _Worker(settings, library)
    _ = library.graph  # built once here, inherited by forked workers
    step = progress or (lambda n: None)
    # The library lives as long as the run: taken out of the collector's generations, it is not
    # walked by every full collection (nor copied page by page into each forked worker by them).
    gc.collect()
    gc.freeze()
    try:
        if jobs <= 1 or len(tasks) <= 1:
            rows = []
            for task in tasks:
                rows.append(assess_one(task))
                step(1)
            return rows
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        # leaving the block terminates the workers: at once on an error or an interrupt
        with context.Pool(min(jobs, len(tasks)), _start, (settings,)) as pool:
            rows = []
            for row in pool.imap(assess_one, tasks, chunksize=chunk_size(len(tasks), jobs)):
                rows.append(row)
                step(1)
            return rows
    finally:
        _WORKER = None
        gc.unfreeze()


def plan_tasks(
    files: Sequence[Path], reports: Path | None, links_from: Path, taken: Sequence[Path] = ()
) -> list[Task]:
    """The tasks for `files`: with a reports folder, each client's report file (its profile's
    stem, `-2`, `-3`... when two clients share one, never a name in `taken`) and its link, a
    relative URL from the folder `links_from` (where the dashboard is)."""
    if reports is None:
        return [Task(path) for path in files]
    from urllib.parse import quote

    folder = reports.resolve()
    used = {p.resolve().name.casefold() for p in taken if p.resolve().parent == folder}
    tasks = []
    for path in files:
        n, name = 1, f"{path.stem}.html"
        while (
            name.casefold() in used
        ):  # case-insensitive: two names on one file system may be one file
            n += 1
            name = f"{path.stem}-{n}.html"
        used.add(name.casefold())
        target = reports / name
        relative = Path(os.path.relpath(folder / name, links_from.resolve())).as_posix()
        tasks.append(Task(path, target, quote(relative)))
    return tasks
