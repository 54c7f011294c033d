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
                         started: datetime) -> dict[str, Any]:
    from expectations.validate import validate_tables
    from flows.warehouse import publish
    from transforms.normalize import build_tables

    tables = build_tables(records, run_id=run_id, ingested_at=started)
    docs_dir = Path(warehouse) / "validation" / "data_docs"
    tables = validate_tables(tables, run_id=run_id, docs_dir=docs_dir)
    publish(tables, Path(warehouse), run_id=run_id)
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


def summarize(records: Sequence[ReportRecord], summary: RunSummary) -> None:
    summary.documents = len(records)
    summary.by_status = dict(Counter(r.parse_status for r in records))
    summary.by_layout = dict(Counter(r.parsed.template for r in records if r.parsed))
    summary.by_format = dict(Counter(r.parsed.format for r in records if r.parsed))
    summary.figures = sum(len(r.parsed.facts) for r in records if r.parsed)
    summary.parse_issues = sum(len(r.parsed.issues) for r in records if r.parsed)


@flow(name="ogi-nightly", log_prints=False)
def nightly(sources: list[str], warehouse: str, batch_size: int = 200,
            workers: int | None = None, quiet: bool = False) -> dict[str, Any]:
    """One run: every document gets a `reports` row, every check a `validation_results` row."""
    from flows.sources import iter_sources

    logger = get_run_logger()
    progress = None if quiet else stderr_progress()
    started = datetime.now(UTC)
    run_id = new_run_id(started)
    summary = RunSummary(run_id=run_id, warehouse=warehouse, started_at=started.isoformat())
    items = list(iter_sources(sources))
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
    published = validate_and_publish(records, warehouse, run_id, started)
    for key in ("checks_run", "checks_failed", "failed_by_check", "reports_failing_validation",
                "validation_report", "tables"):
        setattr(summary, key, published[key])
    summary.finished_at = datetime.now(UTC).isoformat()
    logger.info("run %s: %d documents, %d figures, %d checks failed", run_id,
                summary.documents, summary.figures, summary.checks_failed)
    return summary.as_dict()
