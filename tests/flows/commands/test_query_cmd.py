"""`ogi query`: DuckDB over the warehouse, every table a view, four output formats."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from flows.cli import EXIT_OK, EXIT_USAGE, main
from flows.commands.query_cmd import query_frame
from flows.warehouse import publish
from tests.flows.published import publish_sample
from transforms.normalize import SCHEMAS, TABLES, build_tables


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_sample(tmp_path_factory)


def test_count_reports(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "select count(*) as n from reports", "--warehouse", str(warehouse),
                 "--format", "csv"]) == EXIT_OK
    assert capsys.readouterr().out == "n\n7\n"


def test_every_table_is_a_view_with_contract_columns_and_types(warehouse: Path) -> None:
    for name in TABLES:
        frame = query_frame(f"select * from {name} limit 0", warehouse)
        assert frame.columns == list(SCHEMAS[name]), name
    years = query_frame("select report_id, report_year from reports order by report_id",
                        warehouse)
    assert years.schema["report_year"] == pl.Int32
    assert years.filter(pl.col("report_id") == "fffffffffffffff6")["report_year"].to_list() == \
        [None]  # the Hive default partition reads back as null


def test_joins_and_json(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = ("select r.agency, v.observed, v.expected from validation_results v join reports r "
           "using (report_id) where v.\"check\" = 'A2' and not v.success order by v.location")
    assert main(["query", sql, "--warehouse", str(warehouse), "--format", "json"]) == EXIT_OK
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {"agency": "平潭综合实验区管委会", "observed": 21.0, "expected": 27.0}


def test_table_and_parquet_output(warehouse: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "select agency from reports where report_year = 2017",
                 "--warehouse", str(warehouse)]) == EXIT_OK
    assert "赣州市商务局" in capsys.readouterr().out
    out = tmp_path / "m.parquet"
    assert main(["query", "select * from metrics", "--warehouse", str(warehouse), "--format",
                 "parquet", "--output", str(out)]) == EXIT_OK
    assert pl.read_parquet(out).height == 6


def test_errors_are_usage_errors(warehouse: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "select nope from reports", "--warehouse", str(warehouse)]) == \
        EXIT_USAGE
    assert "ogi query:" in capsys.readouterr().err
    assert main(["query", "select 1", "--warehouse", str(warehouse), "--format",
                 "parquet"]) == EXIT_USAGE
    assert main(["query", "select 1", "--warehouse", str(tmp_path)]) == EXIT_USAGE


def test_a_table_not_published_yet_is_an_empty_view(tmp_path: Path) -> None:
    tables = build_tables([], "r", __import__("datetime").datetime(2025, 1, 1))
    publish({"reports": tables["reports"]}, tmp_path)
    assert query_frame("select count(*) as n from facts", tmp_path)["n"].to_list() == [0]
