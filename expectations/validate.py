"""Run the Great Expectations suites on a batch and turn the results into rows.

One GX validation per identity op over the check frame of the whole batch
(never one per report), plus one schema validation per table (facts,
reports). ``result_format=COMPLETE`` with a ``row_id`` index column brings
every failing row back, so each failure is traced to its report, row and
column. The GX results become ``validation_results`` rows:

- a check instance that fails: one row, success false, observed/expected and
  a message naming the printed row and column;
- a check that holds on every instance of a report: one summary row;
- a schema check: one row per report with failing rows, or one table-wide row
  (report_id null) when it holds or fails at column level.

``reports.validation_status`` follows: failed (an error-severity check
failed) | warnings (only warnings failed) | passed | not_validated (no check
applied, e.g. a document that did not parse).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from expectations.suites import identity_suite, schema_suite
from transforms.identities import CHECK_SCHEMA, evaluate_identities
from transforms.normalize import SCHEMAS

if TYPE_CHECKING:
    from great_expectations.data_context import AbstractDataContext

RESULT_SCHEMA = SCHEMAS["validation_results"]
_SHOWN_LOCATIONS = 5


def gx_context(docs_dir: Path | None = None) -> AbstractDataContext:
    """An ephemeral, offline GX context; with ``docs_dir``, a local Data Docs site there."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    if docs_dir is not None:
        config.data_docs_sites = {"local_site": {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }}
    return gx.get_context(mode="ephemeral", project_config=config)


_RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ["row_id"]}


class _Runner:
    """One pandas data source; each named validation gets its own asset and suite, made
    once and run again on every later batch (setting them up is most of GX's cost).

    With ``keep_results`` (a Data Docs site is built) each run goes through the
    ValidationDefinition, which stores its result for the site. Without, the same
    suite is run by GX's Validator on the same batch definition, skipping the result
    store and its freshness checks (a third of GX's time per batch): the results,
    and so every row derived from them, are the same.
    """

    def __init__(self, context: AbstractDataContext, run_id: str,
                 keep_results: bool = True) -> None:
        self.context = context
        self.run_id = run_id
        self.keep_results = keep_results
        self.source = context.data_sources.add_pandas("ogi")
        self._definitions: dict[str, tuple[Any, list[str]]] = {}

    def run(self, name: str, make_suite: Callable[[], Any], frame: pl.DataFrame) -> Any:
        """Validate ``frame`` (with a ``row_id`` column) against the named suite.

        Only the columns the suite reads (and row_id) are converted for GX: GX hashes
        and copies every column it is given.
        """
        import great_expectations as gx
        from great_expectations.core.run_identifier import RunIdentifier

        entry = self._definitions.get(name)
        if entry is None:
            asset = self.source.add_dataframe_asset(name)
            batch = asset.add_batch_definition_whole_dataframe("batch")
            suite = self.context.suites.add(make_suite())
            definition = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suite))
            entry = self._definitions[name] = (definition, _columns_of(suite))
        definition, columns = entry
        data = frame.select(columns).to_pandas()
        if not self.keep_results:
            from great_expectations.validator.v1_validator import Validator

            return Validator(batch_definition=definition.batch_definition,
                             batch_parameters={"dataframe": data},
                             result_format=_RESULT_FORMAT,
                             ).validate_expectation_suite(definition.suite)
        return definition.run(
            batch_parameters={"dataframe": data}, result_format=_RESULT_FORMAT,
            run_id=RunIdentifier(run_name=self.run_id))


def _columns_of(suite: Any) -> list[str]:
    """The columns a suite's expectations read (only those are handed to GX, with row_id)."""
    seen: dict[str, None] = {"row_id": None}
    for expectation in suite.expectations:
        kwargs = expectation.configuration.kwargs
        for key in ("column", "column_A", "column_B"):
            if kwargs.get(key):
                seen.setdefault(str(kwargs[key]), None)
    return list(seen)


def _failing_rows(result: Any) -> set[int]:
    rows: set[int] = set()
    for item in result.result.get("unexpected_index_list") or []:
        rows.add(int(item["row_id"]))
    return rows


def validate_tables(tables: Mapping[str, pl.DataFrame], run_id: str,
                    docs_dir: Path | None = None,
                    extra_checks: pl.DataFrame | None = None,
                    checks: pl.DataFrame | None = None) -> dict[str, pl.DataFrame]:
    """Validate a batch; return the tables with validation_results and report statuses set.

    ``extra_checks`` are more check-frame rows (e.g. cross_report_checks on the
    warehouse history) validated with the rest. ``checks`` is the batch's check
    frame when it was already evaluated (in a parser worker).
    """
    session = ValidationSession(run_id, docs_dir)
    out = session.validate(tables, extra_checks=extra_checks, checks=checks)
    session.finish()
    return out


class ValidationSession:
    """One GX context for a whole run: suites and validation definitions are made once and
    each batch is validated with them; Data Docs are built once, at ``finish``."""

    def __init__(self, run_id: str, docs_dir: Path | None = None) -> None:
        self.run_id = run_id
        self.docs_dir = docs_dir
        self.context = gx_context(docs_dir)
        self.runner = _Runner(self.context, run_id, keep_results=docs_dir is not None)

    def validate(self, tables: Mapping[str, pl.DataFrame],
                 extra_checks: pl.DataFrame | None = None,
                 checks: pl.DataFrame | None = None) -> dict[str, pl.DataFrame]:
        """One batch: the tables with validation_results and report statuses set."""
        if checks is None:
            checks = evaluate_identities(tables["facts"])
        if extra_checks is not None and extra_checks.height:
            checks = pl.concat([checks, extra_checks.select(list(CHECK_SCHEMA))])
        results = [identity_results(self.runner, checks, self.run_id)]
        for table in ("facts", "reports"):
            results.append(schema_results(self.runner, table, tables[table], self.run_id))
        validation = pl.concat(results).sort("report_id", "check", "location",
                                             nulls_last=True)
        out = dict(tables)
        out["validation_results"] = validation
        out["reports"] = with_validation_status(tables["reports"], validation)
        return out

    def finish(self) -> None:
        """Build the Data Docs site of every validation of the run (when asked for)."""
        if self.docs_dir is not None:
            self.context.build_data_docs()


def identity_results(runner: _Runner, checks: pl.DataFrame, run_id: str) -> pl.DataFrame:
    """One GX validation per op over all instances of the batch → result rows."""
    frame = checks.with_row_index("row_id")
    failing: set[int] = set()
    for op in frame["op"].unique().sort().to_list():
        part = frame.filter(pl.col("op") == op)
        result = runner.run(f"identities_{op}", partial(identity_suite, op), part)
        for r in result.results:
            failing |= _failing_rows(r)
    judged = frame.with_columns(success=~pl.col("row_id").is_in(list(failing)))
    per_report = judged.group_by("report_id", "check").agg(
        pl.len().cast(pl.Int32).alias("instances"),
        (~pl.col("success")).sum().cast(pl.Int32).alias("failed"),
        pl.first("report_year"), pl.first("table"), pl.first("severity"))
    fails = judged.filter(~pl.col("success")).join(
        per_report.select("report_id", "check", "instances", "failed"),
        on=["report_id", "check"]).with_columns(
        # a worker ships no message for an instance that holds (flows.batches.compact_checks);
        # GX fails exactly the instances that do not, so this fill is a guard only
        message=pl.coalesce("message", pl.format("{} fails at {} (stated {})", "check",
                                                 "location", "observed")))
    passes = per_report.filter(pl.col("failed") == 0).with_columns(
        success=pl.lit(True), observed=pl.lit(None, pl.Float64),
        expected=pl.lit(None, pl.Float64), location=pl.lit(None, pl.String),
        message=pl.format("{} holds on all {} instances", pl.col("check"),
                          pl.col("instances")))
    cols = [c for c in RESULT_SCHEMA if c != "run_id"]
    rows = pl.concat([fails.select(cols), passes.select(cols)])
    return rows.with_columns(run_id=pl.lit(run_id)).select(list(RESULT_SCHEMA)).cast(
        RESULT_SCHEMA)  # type: ignore[arg-type]


def schema_results(runner: _Runner, table: str, frame: pl.DataFrame,
                   run_id: str) -> pl.DataFrame:
    """Schema suite of one table → per-report failure rows, or one table-wide row."""
    indexed = frame.with_row_index("row_id")
    result = runner.run(f"schema_{table}", lambda: schema_suite(table)[0], indexed)
    rows: list[dict[str, object]] = []
    for r in result.results:
        meta = r.expectation_config.meta or {}
        check, severity = meta["check"], meta["severity"]
        column = r.expectation_config.kwargs.get("column")
        failing = sorted(_failing_rows(r))
        base = {"run_id": run_id, "table": table, "check": check, "severity": severity,
                "observed": None, "expected": None}
        if r.success or not failing:
            n = r.result.get("element_count", frame.height)
            rows.append({**base, "report_id": None, "report_year": None,
                         "success": bool(r.success), "location": column,
                         "instances": n, "failed": 0 if r.success else None,
                         "message": f"{check} {'holds' if r.success else 'fails'} on "
                                    f"{table}.{column}"})
            continue
        bad = indexed.filter(pl.col("row_id").is_in(failing))
        for (rid,), group in bad.group_by(["report_id"], maintain_order=True):
            shown = _describe(table, group, str(column))
            rows.append({**base, "report_id": rid, "report_year": group["report_year"][0],
                         "success": False, "location": column,
                         "instances": None, "failed": group.height,
                         "message": f"{check} fails on {group.height} row(s) of {table}: "
                                    f"{shown}"})
    return pl.DataFrame(rows, schema=RESULT_SCHEMA, strict=False)


def _describe(table: str, rows: pl.DataFrame, column: str) -> str:
    if table == "facts":
        spots = [f"{r['block']}/{r['row_code']} × {r['col_code']} = {r[column]!r}"
                 for r in rows.head(_SHOWN_LOCATIONS).iter_rows(named=True)]
    else:
        spots = [f"{column} = {r[column]!r}" for r in rows.head(_SHOWN_LOCATIONS)
                 .iter_rows(named=True)]
    more = f" and {rows.height - _SHOWN_LOCATIONS} more" if rows.height > _SHOWN_LOCATIONS \
        else ""
    return "; ".join(spots) + more


def with_validation_status(reports: pl.DataFrame, validation: pl.DataFrame) -> pl.DataFrame:
    """passed | warnings | failed | not_validated, from this run's results."""
    per = validation.filter(pl.col("report_id").is_not_null()).group_by("report_id").agg(
        ((~pl.col("success")) & (pl.col("severity") == "error")).any().alias("err"),
        (~pl.col("success")).any().alias("bad"))
    status = (pl.when(pl.col("err")).then(pl.lit("failed"))
              .when(pl.col("bad")).then(pl.lit("warnings"))
              .when(pl.col("err").is_not_null()).then(pl.lit("passed"))
              .otherwise(pl.lit("not_validated")))
    return (reports.drop("validation_status")
            .join(per, on="report_id", how="left")
            .with_columns(validation_status=status)
            .select(list(reports.columns)))
