"""A warehouse published from hand-built reports (no parser, no Prefect), for the flows tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.report_builders import NATURAL_2019, batch, record, table3
from transforms.document import Metadata, ParsedReport, ReportRecord

RUN_ID = "20250102T020000Z-0000test"
AT = datetime(2025, 1, 2, 2, tzinfo=UTC)


def shanghai_2020() -> ReportRecord:
    """The year after shanghai_like: 上年结转 70 where 2019 carried 72 forward (C1 fails)."""
    col = dict(NATURAL_2019, carried_over=70, new_received=769)  # A1 holds: 769 + 70 = 767 + 72
    meta = Metadata(agency="上海市人民政府办公厅", province="上海市", region_code="310000",
                    region_confidence=1.0, report_year=2020)
    return record("aaaaaaaaaaaaaa20", ParsedReport(
        "html", "fmt2019", meta, table3("fmt2019", {"natural_person": col, "total": col})))


def publish_records(records: list[ReportRecord], warehouse: Path, run_id: str = RUN_ID,
                    at: datetime = AT) -> None:
    """What the flow's validate-and-publish task and the cross-check step do, without Prefect."""
    from expectations.validate import validate_tables
    from flows.cross_checks import check_warehouse
    from flows.warehouse import publish
    from transforms.normalize import build_tables

    tables = validate_tables(build_tables(records, run_id, at), run_id)
    publish(tables, warehouse, run_id=run_id)
    check_warehouse(warehouse, run_id)


def publish_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """batch() + a 2020 Shanghai report; read-only for the tests that use it."""
    warehouse = tmp_path_factory.mktemp("published") / "warehouse"
    publish_records([*batch(), shanghai_2020()], warehouse)
    return warehouse
