"""The nightly pipeline as one Prefect flow: ingest in batches, validate, publish."""

from __future__ import annotations

import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed

from flows.fetch_stage import FetchOutcome
from flows.ingest import default_workers, ingest_sources
from flows.sources import Source
from transforms.document import ReportRecord

Progress = Callable[[str], None]


def stderr_progress() -> Progress:
    t0 = time.monotonic()

    def say(msg: str) -> None:
        print(f"[{time.monotonic() - t0:6.1f}s] {msg}", file=sys.stderr, flush=True)

    return say


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
    started_at: str = ""
    finished_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


@task(name="ingest-batch", cache_policy=NO_CACHE)
def ingest_batch(batch: Sequence[Source], warehouse: str, workers: int) -> list[ReportRecord]:
    """Read, archive and parse one batch; parsing runs in worker processes."""
    if workers > 1 and len(batch) > 4:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return ingest_sources(batch, Path(warehouse), pool)
    return ingest_sources(batch, Path(warehouse))


@task(name="validate-and-publish", cache_policy=NO_CACHE)
def validate_and_publish(records: Sequence[ReportRecord], warehouse: str, run_id: str,
                         started: datetime, superseded: Sequence[str] = ()) -> dict[str, Any]:
    from expectations.validate import validate_tables
    from flows.warehouse import publish
    from transforms.normalize import build_tables

    tables = build_tables(records, run_id=run_id, ingested_at=started)
    docs_dir = Path(warehouse) / "validation" / "data_docs"
    tables = validate_tables(tables, run_id=run_id, docs_dir=docs_dir)
    publish(tables, Path(warehouse), run_id=run_id, superseded=superseded)
    from flows.crawl import record_parsed
    from transforms.parse import PARSER_VERSION

    record_parsed(Path(warehouse), [r.content_sha256 for r in records], PARSER_VERSION)
    index = docs_dir / "index.html"
    report_path = index if index.exists() else None
    results = tables["validation_results"]
    failed = results.filter(~pl.col("success")) if results.height else results
    reports = tables["reports"]
    return {
        "checks_run": results.height,
        "checks_failed": failed.height,
        "failed_by_check": dict(Counter(failed["check"].to_list())) if failed.height else {},
        "reports_failing_validation": int((reports["validation_status"] == "failed").sum()),
        "validation_report": str(report_path) if report_path else None,
        "tables": {name: df.height for name, df in tables.items()},
    }


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


@flow(name="ogi-nightly", log_prints=False)
def nightly(sources: list[str], warehouse: str, batch_size: int = 200,
            workers: int | None = None, quiet: bool = False, sources_file: str | None = None,
            crawl_delay: float | None = None, crawl_timeout: float | None = None,
            notify: str | None = None) -> dict[str, Any]:
    """One run: every document gets a `reports` row, every check a `validation_results` row.

    ``sources`` are files, directories and URLs; ``sources_file`` names sites to crawl.
    """
    from flows.sources import iter_sources

    logger = get_run_logger()
    progress = None if quiet else stderr_progress()
    started = datetime.now(UTC)
    run_id = new_run_id(started)
    summary = RunSummary(run_id=run_id, warehouse=warehouse, started_at=started.isoformat())
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
    n_workers = workers or default_workers()
    records: list[ReportRecord] = []
    for start in range(0, len(items), batch_size):
        batch = items[start:start + batch_size]
        records.extend(ingest_batch(batch, warehouse, n_workers))
        if progress:
            progress(f"parsed {len(records)}/{len(items)} documents")
    summarize(records, summary)
    if progress:
        progress("validating and publishing")
    published = validate_and_publish(records, warehouse, run_id, started, superseded)
    for key in ("checks_run", "checks_failed", "failed_by_check", "reports_failing_validation",
                "validation_report", "tables"):
        setattr(summary, key, published[key])
    add_cross_checks(summary, cross_report_checks(warehouse, run_id))
    from flows.monitoring import report_run

    report = report_run(summary.as_dict(), warehouse, notify)
    summary.validation_report = report.html
    summary.finished_at = datetime.now(UTC).isoformat()
    logger.info("run %s: %d documents, %d figures, %d checks failed", run_id,
                summary.documents, summary.figures, summary.checks_failed)
    # a returned state becomes the run's final state (its message says how many reports
    # failed validation); callers of nightly() still get the summary dict, its data
    return Completed(message=report.message, data=summary.as_dict())  # type: ignore[return-value]
