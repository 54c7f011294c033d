"""build_tables on hand-built records: types, labels, blank vs null, harmonized metrics."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest

from tests.report_builders import (
    batch,
    broken_2021,
    fact,
    legacy_2017,
    prose_only,
    record,
    shanghai_like,
)
from transforms.document import Metadata, ParsedReport
from transforms.normalize import APPLICATION_ROWS, COLUMN_DOCS, SCHEMAS, build_tables, to_wan

AT = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    return build_tables(batch(), run_id="run-1", ingested_at=AT, parser_version="p1")


def test_every_table_has_its_explicit_schema_even_when_empty() -> None:
    empty = build_tables([], run_id="r", ingested_at=AT)
    full = build_tables(batch(), run_id="r", ingested_at=AT)
    for name, schema in SCHEMAS.items():
        assert dict(empty[name].schema) == schema, name
        assert dict(full[name].schema) == schema, name
        assert empty[name].height == 0
        assert set(COLUMN_DOCS[name]) == set(schema), f"{name}: undocumented columns"


def test_reports_keep_failures_and_count_facts_and_issues(tables: dict[str, pl.DataFrame]) -> None:
    reports = tables["reports"]
    assert reports.height == 6
    failed = reports.filter(pl.col("report_id") == "eeeeeeeeeeeeeee5").row(0, named=True)
    assert failed["parse_status"] == "failed"
    assert failed["error"] == "not a report: 404 page"
    assert failed["template"] is None and failed["n_facts"] == 0
    broken = reports.filter(pl.col("report_id") == "bbbbbbbbbbbbbbb2").row(0, named=True)
    assert broken["n_issues"] == 1
    assert json.loads(broken["issues"])[0]["kind"] == "unmatched_label"
    assert broken["run_id"] == "run-1" and broken["parser_version"] == "p1"
    assert broken["ingested_at"] == AT
    assert broken["validation_status"] is None
    sh = reports.filter(pl.col("report_id") == "aaaaaaaaaaaaaaa1").row(0, named=True)
    assert (sh["report_year"], sh["region_code"], sh["template"]) == (2019, "310000", "fmt2019")


def test_facts_carry_catalog_labels_and_keep_blank_apart_from_not_applicable(
        tables: dict[str, pl.DataFrame]) -> None:
    facts = tables["facts"]
    new = facts.filter(report_id="aaaaaaaaaaaaaaa1", row_code="new_received",
                       col_code="natural_person").row(0, named=True)
    assert new["row_label"] == "一、本年新收政府信息公开申请数量"
    assert new["col_label"] == "自然人"
    assert new["value"] == 821 and new["table"] == "applications" and new["kind"] == "count"
    blank = facts.filter(report_id="aaaaaaaaaaaaaaa1", row_code="new_received",
                         col_code="research_institution").row(0, named=True)
    assert (blank["value"], blank["raw"]) == (0.0, "")
    na = facts.filter(report_id="bbbbbbbbbbbbbbb2", row_code="carried_over",
                      col_code="other_org").row(0, named=True)
    assert na["value"] is None and na["raw"] == "/"
    grouped = facts.filter(report_id="aaaaaaaaaaaaaaa1", row_code="withheld_state_secret",
                           col_code="total").row(0, named=True)
    assert grouped["row_group"] == "（三）不予公开"
    money = facts.filter(report_id="aaaaaaaaaaaaaaa1", col_code="procurement_amount")
    assert money["unit"].to_list() == ["元"] and money["kind"].to_list() == ["money"]


def test_applications_is_wide_with_the_union_of_both_layouts_rows(
        tables: dict[str, pl.DataFrame]) -> None:
    apps = tables["applications"]
    codes = [r.code for r in APPLICATION_ROWS]
    assert {"other_handling", "other_no_correction", "other_no_fee", "other_other"} <= set(codes)
    sh = apps.filter(report_id="aaaaaaaaaaaaaaa1")
    assert sh["applicant"].to_list() == ["natural_person", "commercial_enterprise",
                                         "research_institution", "social_welfare_org",
                                         "legal_service_agency", "other_org", "total"]
    total = sh.filter(applicant="total").row(0, named=True)
    assert (total["new_received"], total["results_total"], total["carried_forward"]) == \
        (821, 767, 72)
    assert total["other_handling"] == 0 and total["other_no_fee"] is None  # not in fmt2019
    b = apps.filter(report_id="bbbbbbbbbbbbbbb2", applicant="other_org").row(0, named=True)
    assert b["other_handling"] is None and b["other_no_fee"] == 0 and b["carried_over"] is None
    assert apps.filter(report_id="ccccccccccccccc3").height == 0  # prose only: no table 三


def test_appeals_disclosure_and_legacy_tables(tables: dict[str, pl.DataFrame]) -> None:
    review = tables["appeals"].filter(report_id="aaaaaaaaaaaaaaa1", group="review")
    assert review.select("upheld", "corrected", "other", "pending", "total").row(0) == \
        (5, 0, 0, 2, 7)
    assert review["group_label"].to_list() == ["行政复议"]
    item1 = tables["disclosure"].filter(report_id="aaaaaaaaaaaaaaa1", item="item1",
                                        metric="total_public").row(0, named=True)
    assert (item1["category_label"], item1["item_label"], item1["value"]) == \
        ("规章", "第二十条第（一）项", 524)
    legacy = tables["legacy_stats"].filter(indicator_code="fees").row(0, named=True)
    assert (legacy["value"], legacy["unit"], legacy["value_cumulative"]) == (5000, "元", None)


def test_metrics_take_tables_first_and_leave_what_is_not_stated_null(
        tables: dict[str, pl.DataFrame]) -> None:
    m = {r["report_id"]: r for r in tables["metrics"].iter_rows(named=True)}
    sh = m["aaaaaaaaaaaaaaa1"]
    assert (sh["applications_received"], sh["applications_carried_over"],
            sh["applications_completed"], sh["applications_granted"]) == (821, 18, 767, 258)
    assert (sh["reviews"], sh["lawsuits"]) == (7, 9)  # 9 direct + 0 (blank) after review
    assert sh["procurement_count"] == 6
    assert sh["procurement_amount_wan"] == pytest.approx(25.1)  # 251000 元
    assert sh["proactive_items"] is None and sh["fees"] is None and sh["admin_fees_wan"] is None
    assert json.loads(sh["metric_sources"])["reviews"] == "appeals"
    assert m["bbbbbbbbbbbbbbb2"]["admin_fees_wan"] == pytest.approx(24252.311082)
    assert m["bbbbbbbbbbbbbbb2"]["lawsuits"] == 11
    prose = m["ccccccccccccccc3"]
    assert prose["proactive_items"] == 42
    assert prose["applications_received"] is None  # not stated → null, never 0
    assert prose["reviews"] is None
    assert prose["procurement_amount_wan"] == pytest.approx(21.57)
    legacy = m["ddddddddddddddd4"]
    assert legacy["fees"] == pytest.approx(0.5)  # 5000 元 → 0.5 万元
    assert (legacy["proactive_items"], legacy["applications_received"], legacy["reviews"]) == \
        (806, 3, 0)
    assert legacy["lawsuits"] is None
    assert "eeeeeeeeeeeeeee5" not in m  # no parse, no metrics row


def test_unknown_year_stays_null() -> None:
    t = build_tables(batch(), run_id="r", ingested_at=AT)
    assert t["reports"].filter(report_id="fffffffffffffff6")["report_year"].to_list() == [None]


def test_money_conversion_needs_a_known_unit() -> None:
    assert to_wan(251000, "元") == pytest.approx(25.1)
    assert to_wan(13, "万元") == 13
    assert to_wan(13, None) is None
    assert to_wan(None, "元") is None


def test_naive_timestamp_is_read_as_utc() -> None:
    t = build_tables([shanghai_like(), broken_2021(), prose_only(), legacy_2017()], "r",
                     datetime(2025, 1, 1))
    assert t["reports"].schema["ingested_at"] == pl.Datetime("us", "UTC")


def test_a_cell_stated_twice_wide_tables_take_the_last_metrics_the_first() -> None:
    """The long facts keep both; table 三 keeps the last reading, metrics the first."""
    rec = shanghai_like()
    assert rec.parsed is not None
    rec.parsed.facts.append(fact("applications", "new_received", "total", 900))
    t = build_tables([rec], "r", AT)
    stated = t["facts"].filter(row_code="new_received", col_code="total")["value"].to_list()
    assert stated == [821, 900]
    total = t["applications"].filter(applicant="total").row(0, named=True)
    assert total["new_received"] == 900
    assert t["metrics"].row(0, named=True)["applications_received"] == 821


def test_legacy_rows_pair_value_and_cumulative_and_keep_the_first_unit() -> None:
    facts = [fact("indicators", "proactive_total", "value", 12, unit="条"),
             fact("indicators", "proactive_total", "cumulative", 340),
             fact("indicators", "applications_received", "value", None, raw="/")]
    rec = record("7777777777777777", ParsedReport(
        "text", "local2008", Metadata(report_year=2009), facts))
    legacy = build_tables([rec], "r", AT)["legacy_stats"]
    assert legacy.select("indicator_code", "unit", "value", "value_cumulative").rows() == [
        ("proactive_total", "条", 12.0, 340.0),
        ("applications_received", "条", None, None)]  # '/' → null; the catalog's unit


def test_a_small_batch_and_one_report_alone_give_the_same_rows() -> None:
    """Tables are built for the whole batch at once: a report's rows do not depend on it."""
    together = build_tables(batch(), "r", AT)
    for rec in batch():
        alone = build_tables([rec], "r", AT)
        for name in ("facts", "applications", "appeals", "disclosure", "legacy_stats",
                     "metrics"):
            mine = together[name].filter(pl.col("report_id") == rec.report_id)
            assert alone[name].equals(mine), (name, rec.report_id)
