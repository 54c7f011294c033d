"""`ogi run --runner dask`: the parse/validate stage on a Dask cluster through prefect-dask."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from flows.nightly import flow_for, task_runner
from flows.samples import load_truth, write_samples
from flows.warehouse import read_table


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as local:
        yield str(local.scheduler_address)


@pytest.fixture(scope="module")
def dask_run(prefect_harness: None, cluster: str, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Path, Path, dict[str, Any]]:
    samples = tmp_path_factory.mktemp("samples")
    write_samples(samples)
    warehouse = tmp_path_factory.mktemp("warehouse")
    summary = flow_for("dask", cluster)([str(samples)], str(warehouse), batch_size=6,
                                        quiet=True, runner="dask")
    return samples, warehouse, summary


def test_every_sample_is_parsed_and_validated_on_the_cluster(
        dask_run: tuple[Path, Path, dict[str, Any]]) -> None:
    samples, warehouse, summary = dask_run
    n = len(list(samples.glob("*.truth.json")))
    assert summary["documents"] == n
    reports = read_table(warehouse, "reports")
    assert reports.height == n
    statuses = set(reports["validation_status"])
    assert "passed" in statuses and "failed" in statuses  # GX ran: A2 breaks one report
    assert statuses <= {"passed", "warnings", "failed", "not_validated"}
    results = read_table(warehouse, "validation_results")
    broken = reports.filter(pl.col("source").str.ends_with("broken-A2.html"))["report_id"]
    failing = results.filter(~pl.col("success"), pl.col("report_id").is_in(broken.to_list()))
    assert "A2" in set(failing["check"])


def test_figures_from_the_cluster_equal_the_truth(
        dask_run: tuple[Path, Path, dict[str, Any]]) -> None:
    samples, warehouse, _ = dask_run
    reports = read_table(warehouse, "reports").select("report_id", "source")
    facts = read_table(warehouse, "facts").join(reports, on="report_id")
    path = samples / "fmt2021-pdf-00.pdf"
    truth = load_truth(path)
    got = {(f["block"], f["row_code"], f["col_code"]): f["value"]
           for f in facts.filter(pl.col("source") == str(path)).iter_rows(named=True)}
    expected = {(f["block"], f["row_code"], f["col_code"]): f["value"]
                for f in truth["facts"] if f["block"] != "prose"}
    assert {k: got.get(k) for k in expected} == expected


def test_runner_names_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown runner"):
        task_runner("spark")
    assert type(task_runner("dask", "tcp://127.0.0.1:1")).__name__ == "DaskTaskRunner"
