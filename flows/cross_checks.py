"""After each publish: the cross-report checks over the whole warehouse, recorded with the run.

The checks (transforms.cross_checks) read every report of every body, so a
2019 report arriving after its 2020 one still gets the 2020 report checked.
Results are recorded under this run's id for the reports the run can have
changed: its own, and the next-year reports of the same bodies. Their
``validation_results`` rows of this run are republished with the cross-check
rows added (the table merges per run and report), and a report that passed
but fails a cross-check gets ``validation_status`` warnings.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from flows.warehouse import publish, read_table
from transforms.cross_checks import (
    FACT_COLUMNS,
    affected_reports,
    check_results,
    cross_check_ids,
    cross_checks,
    facts_needed,
)


@dataclass
class CrossCheckSummary:
    checks_run: int = 0
    checks_failed: int = 0
    failed_by_check: dict[str, int] = field(default_factory=dict)
    reports_checked: int = 0


def _statuses(reports: pl.DataFrame, results: pl.DataFrame) -> pl.DataFrame:
    """passed/not_validated → warnings where a cross-check failed; failed stays failed."""
    warned = results.filter(~pl.col("success"))["report_id"].unique().to_list()
    upgrade = pl.col("report_id").is_in(warned) & (
        pl.col("validation_status").is_in(["passed", "not_validated"])
        | pl.col("validation_status").is_null())
    return reports.with_columns(validation_status=pl.when(upgrade).then(pl.lit("warnings"))
                                .otherwise(pl.col("validation_status")))


def check_warehouse(warehouse: Path, run_id: str, scope: str = "run") -> CrossCheckSummary:
    """Run C1–C4 and J1 over the warehouse and publish their results under ``run_id``.

    ``scope="all"`` records results for every report (a backfill), not only those
    the run can have changed.
    """
    reports = read_table(warehouse, "reports")
    if reports.height == 0:
        return CrossCheckSummary()
    facts = read_table(warehouse, "facts", columns=FACT_COLUMNS, where=facts_needed())
    checks = cross_checks(reports, facts, read_table(warehouse, "metrics"))
    if scope == "run":
        checks = checks.filter(pl.col("report_id").is_in(list(affected_reports(reports,
                                                                               run_id))))
    new = check_results(checks, run_id)
    if new.height == 0:
        return CrossCheckSummary()
    ids = new["report_id"].unique().to_list()
    existing = read_table(warehouse, "validation_results")
    kept = existing.filter(pl.col("run_id") == run_id, pl.col("report_id").is_in(ids),
                           ~pl.col("check").is_in(list(cross_check_ids())))
    results = pl.concat([kept, new])
    touched = _statuses(reports.filter(pl.col("report_id").is_in(ids)), new)
    publish({"validation_results": results, "reports": touched}, warehouse, run_id=run_id)
    failed = new.filter(~pl.col("success"))
    return CrossCheckSummary(checks_run=new.height, checks_failed=failed.height,
                             failed_by_check=dict(Counter(failed["check"].to_list())),
                             reports_checked=len(ids))
