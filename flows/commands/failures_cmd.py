"""`ogi failures`: the failing checks of a run, and an exit status monitors can alert on."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl

from flows.monitoring import (
    counts_by_check,
    format_failures,
    has_errors,
    latest_run,
    select_failures,
)
from flows.warehouse import read_table, unpublished_reason

EXIT_OK, EXIT_USAGE, EXIT_VALIDATION = 0, 2, 3


def run_failures(warehouse: Path | str, run: str | None = None, check: str | None = None,
                 agency: str | None = None, as_json: bool = False) -> int:
    """List failures of ``run`` (default: the latest); 3 when an error-severity one is listed.

    ``warehouse`` may be an fsspec URL (read through its manifest)."""
    reason = unpublished_reason(warehouse)
    if reason is not None:
        print(f"ogi failures: {reason}", file=sys.stderr)
        return EXIT_USAGE
    results = read_table(warehouse, "validation_results")
    if run is not None and results.filter(pl.col("run_id") == run).height == 0:
        known = results["run_id"].unique().sort(descending=True).head(5).to_list()
        print(f"ogi failures: no validation results for run {run!r}; latest runs: "
              f"{', '.join(known) or 'none'}", file=sys.stderr)
        return EXIT_USAGE
    run_id = run or latest_run(results)
    failures = select_failures(results, read_table(warehouse, "reports"), run_id=run_id,
                               check=check, agency=agency)
    if as_json:
        json.dump({"run_id": run_id, "has_errors": has_errors(failures),
                   "failures": failures.to_dicts(),
                   "by_check": counts_by_check(failures).to_dicts()},
                  sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
    else:
        print(format_failures(failures, run_id))
    return EXIT_VALIDATION if has_errors(failures) else EXIT_OK
