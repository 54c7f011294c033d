"""Catalog identities evaluated on hand-built facts: pass, fail, skip on missing terms."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from tests.report_builders import NATURAL_2019, batch, fact, legacy_2017, record
from transforms.catalog import LAYOUTS
from transforms.catalog.model import Block, Column, Identity, Layout, Row
from transforms.document import Metadata, ParsedReport
from transforms.identities import cross_report_checks, evaluate_identities
from transforms.normalize import build_tables

AT = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def checks() -> pl.DataFrame:
    return evaluate_identities(build_tables(batch(), "r", AT)["facts"])


def test_a1_holds_on_every_column_of_a_consistent_table(checks: pl.DataFrame) -> None:
    a1 = checks.filter(report_id="aaaaaaaaaaaaaaa1", check="A1")
    assert a1.height == 7
    assert a1["holds"].all()
    total = a1.filter(pl.col("location").str.ends_with("× 总计")).row(0, named=True)
    assert (total["observed"], total["expected"], total["severity"]) == (839, 839, "error")
    assert total["location"] == (
        "一、本年新收政府信息公开申请数量 + 二、上年结转政府信息公开申请数量 × 总计")


def test_a1_fails_when_the_sides_differ() -> None:
    broken = dict(NATURAL_2019, carried_forward=70)
    from tests.report_builders import table3
    rec = record("1111111111111111", ParsedReport(
        "html", "fmt2019", Metadata(report_year=2019),
        table3("fmt2019", {"natural_person": broken, "total": broken})))
    a1 = evaluate_identities(build_tables([rec], "r", AT)["facts"]).filter(check="A1")
    failing = a1.filter(~pl.col("holds"))
    assert failing["location"].str.extract(r"× (.+)$").to_list() == ["自然人", "总计"]
    row = failing.row(0, named=True)
    assert (row["observed"], row["expected"]) == (839, 837)
    assert "A1 fails at" in row["message"] and "自然人" in row["message"]


def test_a2_names_the_total_row_and_column_it_breaks_in(checks: pl.DataFrame) -> None:
    a2 = checks.filter(report_id="bbbbbbbbbbbbbbb2", check="A2", holds=False)
    assert a2["location"].to_list() == ["（七）总计 × 自然人", "（七）总计 × 总计"]
    assert a2.select("observed", "expected").row(0) == (21, 27)
    assert checks.filter(report_id="aaaaaaaaaaaaaaa1", check="A2")["holds"].all()


def test_a3_runs_per_row_and_skips_rows_with_a_not_applicable_cell(checks: pl.DataFrame) -> None:
    a3 = checks.filter(report_id="bbbbbbbbbbbbbbb2", check="A3")
    rows = a3["location"].to_list()
    assert "一、本年新收政府信息公开申请数量 × 总计" in rows
    assert not any(loc.startswith("二、上年结转") for loc in rows)  # '/' in 其他: skipped
    assert a3.height == 25 - 1
    assert a3["holds"].all()


def test_a4_checks_each_appeal_group(checks: pl.DataFrame) -> None:
    a4 = checks.filter(report_id="bbbbbbbbbbbbbbb2", check="A4")
    assert a4.height == 3
    bad = a4.filter(holds=False).row(0, named=True)
    assert bad["location"] == "未经复议直接起诉 × 总计"
    assert (bad["observed"], bad["expected"]) == (11, 12)


def test_a5_flags_negative_counts_but_not_deltas(checks: pl.DataFrame) -> None:
    a5 = checks.filter(report_id="aaaaaaaaaaaaaaa1", check="A5")
    assert a5["holds"].all()
    assert not a5["location"].str.contains("本年增/减").any()  # -3 is a delta, not checked
    assert not a5["location"].str.contains("采购总金额").any()  # money, not a count
    neg = record("2222222222222222", ParsedReport(
        "html", "fmt2019", Metadata(report_year=2019),
        [fact("item1", "regulations", "made", -1, raw="-1")]))
    out = evaluate_identities(build_tables([neg], "r", AT)["facts"]).filter(check="A5")
    assert out.row(0, named=True)["holds"] is False
    assert out.row(0, named=True)["location"] == "第二十条第（一）项 规章 × 本年新制作数量"


STAT = Layout(
    code="stat2014", title="test stat2014", years=(2014, 2018), basis="", blocks=(
        Block("indicators", "legacy", "政府信息公开情况统计表", rows=(
            Row("proactive_total", "主动公开政府信息数"),
            Row("channel_gazette", "政府公报公开政府信息数"),
            Row("channel_website", "政府网站公开政府信息数"),
            Row("channel_weibo", "政务微博公开政府信息数"),
            Row("channel_wechat", "政务微信公开政府信息数"),
            Row("channel_other", "其他方式公开政府信息数")),
            columns=(Column("value", "统计数"),)),),
    identities=(Identity("B7", "indicators", ("proactive_total",),
                         ("channel_gazette", "channel_website", "channel_weibo",
                          "channel_wechat", "channel_other"),
                         op="between_max_and_sum", over="column:value",
                         description="largest channel ≤ 主动公开政府信息数 ≤ sum of channels"),))


def test_b7_between_max_and_sum_fails_for_806_against_804() -> None:
    facts = build_tables([legacy_2017()], "r", AT)["facts"]
    b7 = evaluate_identities(facts, layouts={**LAYOUTS, "stat2014": STAT}).filter(check="B7")
    row = b7.row(0, named=True)
    assert b7.height == 1
    assert (row["observed"], row["low"], row["high"], row["holds"]) == (806, 662, 804, False)
    assert row["location"] == "主动公开政府信息数 × 统计数"
    assert "[662, 804]" in row["message"]


def test_missing_terms_skip_the_instance() -> None:
    rec = record("3333333333333333", ParsedReport(
        "text", "fmt2021", Metadata(report_year=2021),
        [fact("appeals", "review", "total", 3), fact("appeals", "review", "upheld", 3)]))
    out = evaluate_identities(build_tables([rec], "r", AT)["facts"])
    assert out.filter(check="A4").height == 0  # corrected/other/pending not read: no zeros
    assert evaluate_identities(build_tables([], "r", AT)["facts"]).height == 0


def test_c1_compares_carried_over_with_last_years_carried_forward() -> None:
    from tests.report_builders import table3
    y19 = record("4444444444444444", ParsedReport("html", "fmt2019", Metadata(report_year=2019),
                                                  table3("fmt2019", {"total": NATURAL_2019})))
    y20 = record("5555555555555555", ParsedReport("html", "fmt2019", Metadata(report_year=2020),
                                                  table3("fmt2019", {"total": {
                                                      "carried_over": 70}})))
    facts = build_tables([y19, y20], "r", AT)["facts"].with_columns(body=pl.lit("上海市人民政府"))
    c1 = cross_report_checks(facts)
    bad = c1.filter(holds=False)
    assert bad["location"].to_list() == ["二、上年结转政府信息公开申请数量 × 总计"]
    assert bad.select("report_id", "observed", "expected", "severity").row(0) == \
        ("5555555555555555", 70, 72, "warning")
    assert c1.height == 7


def test_partial_identity_sums_the_channels_the_document_prints() -> None:
    """B1 on the real stat2014 catalog: a channel row the form does not print drops out."""
    rec = record("4444444444444444", ParsedReport(
        "text", "stat2014", Metadata(report_year=2017),
        [fact("indicators", "applications_received", "value", 5),
         fact("indicators", "applications_in_person", "value", 2),
         fact("indicators", "applications_fax", "value", 0),
         fact("indicators", "applications_online", "value", 3),
         fact("indicators", "applications_letter", "value", 0)]))
    b1 = evaluate_identities(build_tables([rec], "r", AT)["facts"]).filter(check="B1")
    assert b1.height == 1 and b1["holds"][0] and b1["expected"][0] == 5
    broken = record("5555555555555555", ParsedReport(
        "text", "stat2014", Metadata(report_year=2017),
        [fact("indicators", "applications_received", "value", 5),
         fact("indicators", "applications_in_person", "value", 2),
         fact("indicators", "applications_online", "value", None, raw="/")]))
    out = evaluate_identities(build_tables([broken], "r", AT)["facts"])
    assert out.filter(check="B1").height == 0  # a printed but unreadable channel: not checked


def test_held_messages_false_builds_the_messages_of_failing_instances_only(
        checks: pl.DataFrame) -> None:
    facts = build_tables(batch(), "r", AT)["facts"]
    compact = evaluate_identities(facts, held_messages=False)
    assert compact.drop("message").equals(checks.drop("message"))
    assert compact.filter(pl.col("holds"))["message"].null_count() == \
        checks.filter(pl.col("holds")).height
    failing = checks.filter(~pl.col("holds"))["message"].to_list()
    assert failing and compact.filter(~pl.col("holds"))["message"].to_list() == failing


def test_decimal_terms_are_summed_and_printed_as_python_does() -> None:
    """0.1 + 0.2 = 0.3 after rounding; a decimal prints as %g, a whole number without '.0'."""
    rec = record("6666666666666666", ParsedReport(
        "text", "stat2014", Metadata(report_year=2016),
        [fact("indicators", "staff_total", "value", 0.3),
         fact("indicators", "staff_full_time", "value", 0.1),
         fact("indicators", "staff_part_time", "value", 0.2),
         fact("indicators", "completed_total", "value", 5),
         fact("indicators", "completed_on_time", "value", 2),
         fact("indicators", "completed_extended", "value", 2)]))
    out = evaluate_identities(build_tables([rec], "r", AT)["facts"])
    b6 = out.filter(check="B6").row(0, named=True)
    assert (b6["observed"], b6["expected"], b6["holds"]) == (0.3, 0.3, True)
    assert "stated 0.3, = 0.3" in b6["message"]
    b2 = out.filter(check="B2").row(0, named=True)
    assert (b2["observed"], b2["expected"], b2["holds"]) == (5, 4, False)
    assert b2["message"].startswith("B2 fails at ") and "stated 5, = 4 (" in b2["message"]


def test_rows_do_not_depend_on_the_order_of_the_facts(checks: pl.DataFrame) -> None:
    """Reports whose facts are not adjacent give the same instances as sorted facts."""
    facts = build_tables(batch(), "r", AT)["facts"]
    shuffled = evaluate_identities(facts.sample(fraction=1.0, shuffle=True, seed=4))
    assert shuffled.sort(pl.all()).equals(checks.sort(pl.all()))
