"""The nightly pipeline as one Prefect flow: ingest in batches, validate, publish."""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed

from flows.batches import (
    BatchStats,
    current_pool,
    parse_batch,
    pool_scope,
    spool_output,
    take_spooled,
    validate_and_write,
)
from flows.fetch_stage import FetchOutcome
from flows.ingest import default_workers
from flows.progress import Progress, stderr_progress
from flows.sources import Source
from flows.warehouse import Manifest, Publication
from transforms.document import ReportRecord

if TYPE_CHECKING:
    from prefect.task_runners import TaskRunner

    from expectations.validate import ValidationSession

@dataclass
class RunSummary:
    run_id: str
    warehouse: str
    documents: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_layout: dict[str, int] = field(default_factory=dict)
    by_format: dict[str, int] = field(default_factory=dict)
    figures: int = 0
    parse_issues: int = 0
    checks_run: int = 0
    checks_failed: int = 0
    failed_by_check: dict[str, int] = field(default_factory=dict)
    reports_failing_validation: int = 0
    validation_report: str | None = None
    tables: dict[str, int] = field(default_factory=dict)
    fetch: dict[str, int] = field(default_factory=dict)
    unchanged_files: int = 0  # local files skipped: parsed before by this parser version
    working_copy: str | None = None  # a URL warehouse: the local copy the run worked in
    mirror: dict[str, Any] = field(default_factory=dict)  # a URL warehouse: what was uploaded
    started_at: str = ""
    finished_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def spool_dir(warehouse: str, run_id: str) -> Path:
    """Where a run's batch outputs wait between its tasks (removed at the end of the run)."""
    return Path(warehouse) / ".spool" / run_id


@task(name="parse-batch", cache_policy=NO_CACHE)
def parse_batch_task(batch: Sequence[Source], warehouse: str, run_id: str,
                     started: datetime, workers: int) -> str:
    """Read, archive, parse, normalize and check one batch; the path of its output.

    Locally the batch is cut into chunks for the run's process pool (both cores);
    on a Dask worker (no pool there) it is processed in that worker.
    """
    out = parse_batch(batch, warehouse, run_id, started, pool=current_pool(),
                      workers=workers)
    return spool_output(out, spool_dir(warehouse, run_id))


@task(name="parse-and-validate-batch", cache_policy=NO_CACHE)
def parse_validate_task(batch: Sequence[Source], warehouse: str, run_id: str,
                        started: datetime) -> str:
    """Parse and validate one batch where the task runs (a Dask worker)."""
    from expectations.validate import validate_tables

    out = parse_batch(batch, warehouse, run_id, started)
    out.tables = validate_tables(out.tables, run_id=run_id, checks=out.checks)
    return spool_output(out, spool_dir(warehouse, run_id))


@task(name="validate-and-stage", cache_policy=NO_CACHE)
def validate_and_stage(spooled: str, publication: Publication,
                       session: ValidationSession | None
                       ) -> tuple[dict[str, int], BatchStats, list[tuple[str, str]]]:
    """Validate one batch (unless a worker did) and append it to the run's staged files:
    its counts, numbers and parsed (location, sha256) pairs."""
    output = take_spooled(spooled)
    tables = validate_and_write(output, publication, session)
    results = tables["validation_results"]
    failed = results.filter(~pl.col("success")) if results.height else results
    counts = {"checks_run": results.height, "checks_failed": failed.height,
              "reports_failing_validation":
                  int((tables["reports"]["validation_status"] == "failed").sum()),
              **{f"failed:{k}": v for k, v in Counter(failed["check"].to_list()).items()},
              **{f"rows:{k}": v.height for k, v in tables.items()}}
    return counts, output.stats, output.parsed


@task(name="publish", cache_policy=NO_CACHE)
def commit_task(publication: Publication, superseded: Sequence[str],
                parsed: Sequence[tuple[str, str]], seen: dict[str, tuple[int, int]]
                ) -> dict[str, int]:
    """Swap the run's staged tables in (atomic per table, manifest last); note what was parsed."""
    from flows.crawl import record_parsed
    from flows.file_state import remember
    from transforms.parse import PARSER_VERSION

    manifest = publication.commit(superseded)
    record_parsed(publication.warehouse, [sha for _, sha in parsed], PARSER_VERSION)
    remember(publication.warehouse, seen, parsed)
    return {name: entry.rows for name, entry in manifest.tables.items()}


@task(name="cross-report-checks", cache_policy=NO_CACHE)
def cross_report_checks(warehouse: str, run_id: str) -> dict[str, Any]:
    """C1–C4 and the year-over-year jump over the whole warehouse, after publish."""
    from flows.cross_checks import check_warehouse

    return asdict(check_warehouse(Path(warehouse), run_id))


def add_cross_checks(summary: RunSummary, cross: dict[str, Any]) -> None:
    summary.checks_run += cross["checks_run"]
    summary.checks_failed += cross["checks_failed"]
    by_check = Counter(summary.failed_by_check)
    by_check.update(cross["failed_by_check"])
    summary.failed_by_check = dict(by_check)


def summarize_stats(stats: BatchStats, summary: RunSummary) -> None:
    summary.documents = stats.documents
    summary.by_status = dict(stats.by_status)
    summary.by_layout = dict(stats.by_layout)
    summary.by_format = dict(stats.by_format)
    summary.figures = stats.figures
    summary.parse_issues = stats.parse_issues


def summarize(records: Sequence[ReportRecord], summary: RunSummary) -> None:
    summary.documents = len(records)
    summary.by_status = dict(Counter(r.parse_status for r in records))
    summary.by_layout = dict(Counter(r.parsed.template for r in records if r.parsed))
    summary.by_format = dict(Counter(r.parsed.format for r in records if r.parsed))
    summary.figures = sum(len(r.parsed.facts) for r in records if r.parsed)
    summary.parse_issues = sum(len(r.parsed.issues) for r in records if r.parsed)


@task(name="fetch", cache_policy=NO_CACHE)
def fetch_task(urls: list[str], sources_file: str | None, warehouse: str,
               crawl_delay: float | None, crawl_timeout: float | None) -> FetchOutcome:
    """Crawl list pages and report URLs; only new or changed content comes back to parse."""
    from flows.fetch_stage import crawl_settings, fetch

    settings = crawl_settings(crawl_delay, crawl_timeout)
    return fetch(urls, Path(sources_file) if sources_file else None, Path(warehouse), settings)


@task(name="pull-warehouse", cache_policy=NO_CACHE)
def pull_warehouse(url: str, cache_dir: str | None) -> str:
    """A URL warehouse: bring its local working copy up to the URL's manifest; its path."""
    from flows.remote_warehouse import RemoteWarehouse

    remote = RemoteWarehouse(url, cache_dir)
    remote.pull()
    return str(remote.local)


@task(name="mirror-warehouse", cache_policy=NO_CACHE)
def mirror_warehouse(url: str, cache_dir: str | None) -> dict[str, Any]:
    """A URL warehouse: upload what the URL lacks, manifest last (the commit point there)."""
    from flows.remote_warehouse import RemoteWarehouse

    return RemoteWarehouse(url, cache_dir).push().as_dict()


RUNNERS = ("local", "dask")
WINDOW = 3  # batches in flight: the pool parses ahead while the flow validates and writes


def run_batches(items: Sequence[Source], warehouse: str, run_id: str, started: datetime,
                batch_size: int, workers: int, runner: str, superseded: Sequence[str],
                progress: Progress | None, seen: dict[str, tuple[int, int]] | None = None
                ) -> tuple[BatchStats, dict[str, Any]]:
    """Parse, validate and stage every batch, then publish once: memory stays one window
    of batches whatever the number of documents."""
    from expectations.validate import ValidationSession

    stats = BatchStats()
    totals: Counter[str] = Counter()
    parsed: list[tuple[str, str]] = []
    published: dict[str, Any] = {"checks_run": 0, "checks_failed": 0, "failed_by_check": {},
                                 "reports_failing_validation": 0, "validation_report": None,
                                 "tables": {}}
    root = Path(warehouse)
    if not items and not superseded and Manifest.read(root) is not None:
        return stats, published  # nothing new: the published tables stay as they are
    docs_dir = root / "validation" / "data_docs"
    publication = Publication(root, run_id, started)
    session: ValidationSession | None = None

    def stage(spooled: str) -> None:
        counts, batch_stats, batch_parsed = validate_and_stage(spooled, publication, session)
        stats.add(batch_stats)
        parsed.extend(batch_parsed)
        totals.update(counts)
        if progress:
            progress(f"parsed {stats.documents}/{len(items)} documents")

    batches = [items[i:i + batch_size] for i in range(0, len(items), batch_size)]
    try:
        if not batches:
            from transforms.normalize import TABLES, empty_frame

            publication.write({t: empty_frame(t) for t in TABLES})
        elif runner == "dask":
            window: deque[Any] = deque()
            for batch in batches:
                window.append(parse_validate_task.submit(batch, warehouse, run_id, started))
                if len(window) >= WINDOW:
                    stage(window.popleft().result())
            while window:
                stage(window.popleft().result())
        else:
            session = ValidationSession(run_id, docs_dir)
            with pool_scope(workers):
                window = deque()
                for batch in batches:
                    window.append(parse_batch_task.submit(batch, warehouse, run_id, started,
                                                          workers))
                    if len(window) >= WINDOW:
                        stage(window.popleft().result())
                while window:
                    stage(window.popleft().result())
            session.finish()
        if progress:
            progress("publishing")
        published["tables"] = commit_task(publication, superseded, parsed, seen or {})
    except BaseException:
        publication.abort()
        raise
    finally:
        spool = spool_dir(warehouse, run_id)
        shutil.rmtree(spool, ignore_errors=True)
        with contextlib.suppress(OSError):  # another run's files may still be there
            spool.parent.rmdir()
    published["checks_run"] = totals["checks_run"]
    published["checks_failed"] = totals["checks_failed"]
    published["reports_failing_validation"] = totals["reports_failing_validation"]
    published["failed_by_check"] = {k.removeprefix("failed:"): v for k, v in totals.items()
                                    if k.startswith("failed:")}
    index = docs_dir / "index.html"
    published["validation_report"] = str(index) if index.exists() else None
    return stats, published


def task_runner(runner: str = "local", dask_address: str | None = None,
                workers: int | None = None) -> TaskRunner[Any]:
    """The flow's task runner: threads locally (the parsing itself is in a process pool),
    or prefect-dask on a cluster at ``dask_address`` (a LocalCluster when none is given)."""
    if runner not in RUNNERS:
        raise ValueError(f"unknown runner {runner!r}; choose one of {', '.join(RUNNERS)}")
    if runner == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers or default_workers(),
                                              "threads_per_worker": 1,
                                              "dashboard_address": None})
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=WINDOW + 1)


def flow_for(runner: str = "local", dask_address: str | None = None,
             workers: int | None = None) -> Any:
    """``nightly`` with the task runner for ``runner``; call it with ``runner=runner``."""
    return nightly.with_options(task_runner=task_runner(runner, dask_address, workers))


@flow(name="ogi-nightly", log_prints=False)
def nightly(sources: list[str], warehouse: str, batch_size: int = 1000,
            workers: int | None = None, quiet: bool = False, sources_file: str | None = None,
            crawl_delay: float | None = None, crawl_timeout: float | None = None,
            notify: str | None = None, runner: str = "local",
            reparse: bool = False, cache_dir: str | None = None) -> dict[str, Any]:
    """One run: every document gets a `reports` row, every check a `validation_results` row.

    ``sources`` are files, directories and URLs; ``sources_file`` names sites to crawl.
    ``runner``: "local" parses on this machine's cores (a process pool); "dask" runs the
    parse/validate stage as tasks of the flow's Dask task runner (see ``flow_for``).
    Local files parsed before by this parser version and unchanged since are skipped
    (flows/file_state.py) unless ``reparse``.
    ``warehouse`` may be an fsspec URL: the run works in a local working copy under
    ``cache_dir`` (flows/remote_warehouse.py), pulled first and mirrored last.
    """
    from flows.remote_warehouse import is_url
    from flows.sources import iter_sources

    logger = get_run_logger()
    progress = None if quiet else stderr_progress()
    started = datetime.now(UTC)
    run_id = new_run_id(started)
    summary = RunSummary(run_id=run_id, warehouse=warehouse, started_at=started.isoformat())
    url = warehouse if is_url(warehouse) else None
    if url is not None:
        if progress:
            progress(f"bringing the working copy of {url} up to date")
        warehouse = pull_warehouse(url, cache_dir)
        summary.working_copy = warehouse
    given = list(iter_sources(sources))
    items = [s for s in given if not s.is_url]
    urls = [s.location for s in given if s.is_url]
    superseded: list[str] = []
    if urls or sources_file:
        if progress:
            progress(f"crawling {len(urls)} URL(s)" + (f" and {sources_file}" if sources_file
                                                       else ""))
        fetched = fetch_task(urls, sources_file, warehouse, crawl_delay, crawl_timeout)
        items.extend(fetched.to_parse)
        superseded = fetched.superseded_report_ids
        summary.fetch = {"requests": fetched.requests,
                         "conditional_requests": fetched.conditional_requests,
                         "not_modified": fetched.not_modified, "errors": fetched.errors,
                         "unchanged_documents": fetched.unchanged,
                         "to_parse": len(fetched.to_parse)}
        if progress:
            progress(f"fetched: {fetched.requests} requests, {fetched.not_modified} not "
                     f"modified, {fetched.errors} errors, {len(fetched.to_parse)} to parse")
    seen: dict[str, tuple[int, int]] = {}
    if not reparse:
        from flows.file_state import select_changed
        from transforms.parse import PARSER_VERSION

        selection = select_changed(items, Path(warehouse), PARSER_VERSION)
        items, seen = selection.to_parse, selection.seen
        summary.unchanged_files = selection.unchanged
        if progress and selection.unchanged:
            progress(f"{selection.unchanged} file(s) unchanged since parsed: skipped")
        refreshed = selection.refreshed
    else:
        refreshed = []
    n_workers = workers or default_workers()
    stats, published = run_batches(items, warehouse, run_id, started, batch_size, n_workers,
                                   runner, superseded, progress, seen)
    if refreshed:
        from flows.file_state import remember

        remember(Path(warehouse), seen, refreshed)
    summarize_stats(stats, summary)
    for key in ("checks_run", "checks_failed", "failed_by_check", "reports_failing_validation",
                "validation_report", "tables"):
        setattr(summary, key, published[key])
    if stats.documents or superseded:
        add_cross_checks(summary, cross_report_checks(warehouse, run_id))
    from flows.monitoring import report_run

    report = report_run(summary.as_dict(), warehouse, notify)
    summary.validation_report = report.html
    if url is not None:
        if progress:
            progress(f"mirroring to {url}")
        summary.mirror = mirror_warehouse(url, cache_dir)
    summary.finished_at = datetime.now(UTC).isoformat()
    logger.info("run %s: %d documents, %d figures, %d checks failed", run_id,
                summary.documents, summary.figures, summary.checks_failed)
    # a returned state becomes the run's final state (its message says how many reports
    # failed validation); callers of nightly() still get the summary dict, its data
    return Completed(message=report.message, data=summary.as_dict())  # type: ignore[return-value]
