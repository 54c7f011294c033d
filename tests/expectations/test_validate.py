"""A real Great Expectations run over a hand-built batch → validation_results rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from expectations.suites import identity_ops, identity_suite
from expectations.validate import validate_tables
from tests.report_builders import batch, fact, record
from transforms.catalog import LAYOUTS
from transforms.document import Metadata, ParsedReport
from transforms.identities import evaluate_identities
from transforms.normalize import SCHEMAS, build_tables

AT = datetime(2025, 1, 2, tzinfo=UTC)


def _unknown_label() -> object:
    """fmt2019 report whose only fact has a row code the catalog does not know."""
    return record("9999999999999999", ParsedReport(
        "html", "fmt2019", Metadata(report_year=2020), [fact("item1", "mystery", "made", 1)]))


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, pl.DataFrame], Path]:
    docs = tmp_path_factory.mktemp("validation") / "data_docs"
    tables = build_tables([*batch(), _unknown_label()], "run-7", AT)  # type: ignore[list-item]
    return validate_tables(tables, "run-7", docs_dir=docs), docs


def test_validation_results_have_the_contract_schema(validated: tuple) -> None:
    results = validated[0]["validation_results"]
    assert dict(results.schema) == SCHEMAS["validation_results"]
    assert set(results["run_id"].unique()) == {"run-7"}


def test_failing_instances_come_back_from_gx_with_row_and_column(validated: tuple) -> None:
    results = validated[0]["validation_results"]
    a2 = results.filter(report_id="bbbbbbbbbbbbbbb2", check="A2")
    assert a2["success"].to_list() == [False, False]
    assert a2["location"].to_list() == ["（七）总计 × 总计", "（七）总计 × 自然人"]
    row = a2.filter(location="（七）总计 × 自然人").row(0, named=True)
    assert (row["observed"], row["expected"], row["severity"], row["failed"]) == \
        (21, 27, "error", 2)
    assert row["message"].startswith("A2 fails at （七）总计 × 自然人: stated 21")
    a4 = results.filter(report_id="bbbbbbbbbbbbbbb2", check="A4").row(0, named=True)
    assert (a4["success"], a4["location"], a4["observed"], a4["expected"]) == \
        (False, "未经复议直接起诉 × 总计", 11, 12)


def test_b7_fails_for_the_seed_003_shape(validated: tuple) -> None:
    if not any(i.id == "B7" for i in LAYOUTS["stat2014"].identities):
        pytest.skip("stat2014 catalog has no B7 yet")
    b7 = validated[0]["validation_results"].filter(report_id="ddddddddddddddd4", check="B7")
    row = b7.row(0, named=True)
    assert (row["success"], row["observed"], row["expected"]) == (False, 806, 804)
    assert "[662, 804]" in row["message"]


def test_checks_that_hold_get_one_summary_row(validated: tuple) -> None:
    results = validated[0]["validation_results"]
    a1 = results.filter(report_id="aaaaaaaaaaaaaaa1", check="A1").row(0, named=True)
    assert (a1["success"], a1["instances"], a1["failed"], a1["location"]) == (True, 7, 0, None)
    assert results.filter(report_id="aaaaaaaaaaaaaaa1", success=False).height == 0


def test_schema_checks_flag_facts_the_catalog_does_not_know(validated: tuple) -> None:
    results = validated[0]["validation_results"]
    label = results.filter(report_id="9999999999999999", check="facts.label_in_catalog")
    row = label.row(0, named=True)
    assert (row["success"], row["severity"], row["table"]) == (False, "warning", "facts")
    assert "item1/mystery × made" in row["message"]
    unique = results.filter(check="reports.report_id_unique").row(0, named=True)
    assert unique["success"] is True and unique["report_id"] is None


def test_report_status_follows_the_worst_failure(validated: tuple) -> None:
    status = dict(validated[0]["reports"].select("report_id", "validation_status").iter_rows())
    assert status["aaaaaaaaaaaaaaa1"] == "passed"
    assert status["bbbbbbbbbbbbbbb2"] == "failed"
    assert status["eeeeeeeeeeeeeee5"] == "not_validated"  # did not parse
    assert status["9999999999999999"] == "warnings"


def test_gx_agrees_with_the_pure_evaluation(validated: tuple) -> None:
    tables = validated[0]
    checks = evaluate_identities(tables["facts"])
    failing_pure = set(checks.filter(~pl.col("holds")).select("report_id", "check", "location")
                       .iter_rows())
    results = tables["validation_results"].filter(~pl.col("success"),
                                                  ~pl.col("check").str.contains(r"\."))
    assert set(results.select("report_id", "check", "location").iter_rows()) == failing_pure


def test_data_docs_are_built_offline(validated: tuple) -> None:
    docs = validated[1]
    assert (docs / "index.html").exists()
    assert any((docs / "validations").rglob("*.html"))


def test_every_catalog_op_has_a_suite() -> None:
    for op in identity_ops():
        assert identity_suite(op).expectations
