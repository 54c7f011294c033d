"""The cross-report step after publish: results recorded with the run, statuses updated."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from flows.cross_checks import check_warehouse
from flows.warehouse import read_table
from tests.flows.published import RUN_ID, publish_sample


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_sample(tmp_path_factory)


def test_c1_of_the_body_with_consecutive_years_is_recorded_with_the_run(warehouse: Path) -> None:
    results = read_table(warehouse, "validation_results")
    c1 = results.filter(check="C1", report_id="aaaaaaaaaaaaaa20")
    failing = c1.filter(~pl.col("success"))
    assert failing.select("run_id", "location", "observed", "expected", "severity").rows() == [
        (RUN_ID, "二、上年结转政府信息公开申请数量 × 总计", 70, 72, "warning"),
        (RUN_ID, "二、上年结转政府信息公开申请数量 × 自然人", 70, 72, "warning")]
    assert set(failing["failed"]) == {2} and set(failing["instances"]) == {7}


def test_within_report_results_of_the_run_are_kept(warehouse: Path) -> None:
    results = read_table(warehouse, "validation_results")
    mine = results.filter(report_id="aaaaaaaaaaaaaa20")
    assert {"A1", "A2", "A3", "C1"} <= set(mine["check"])
    a2 = results.filter(report_id="bbbbbbbbbbbbbbb2", check="A2", success=False)
    assert a2.height == 2  # the GX rows of the batch, untouched


def test_a_report_failing_only_a_cross_check_gets_warnings(warehouse: Path) -> None:
    reports = read_table(warehouse, "reports")
    status = dict(zip(reports["report_id"], reports["validation_status"], strict=True))
    assert status["aaaaaaaaaaaaaa20"] == "warnings"
    assert status["aaaaaaaaaaaaaaa1"] == "passed"
    assert status["bbbbbbbbbbbbbbb2"] == "failed"


def test_running_the_step_again_adds_no_duplicates(tmp_path_factory: pytest.TempPathFactory
                                                   ) -> None:
    warehouse = publish_sample(tmp_path_factory)
    before = read_table(warehouse, "validation_results").height
    summary = check_warehouse(warehouse, RUN_ID)
    assert read_table(warehouse, "validation_results").height == before
    assert summary.failed_by_check == {"C1": 2}


def test_an_empty_warehouse_is_nothing_to_check(tmp_path: Path) -> None:
    assert check_warehouse(tmp_path, "r").checks_run == 0
