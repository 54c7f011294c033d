"""C1–C4 and J1 on hand-built reports: which body, which year, what was stated and expected."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from tests.report_builders import NATURAL_2019, fact, record, table3, table4
from transforms.catalog import LAYOUTS
from transforms.cross_checks import (
    FACT_COLUMNS,
    affected_reports,
    body_key,
    check_results,
    cross_check_ids,
    cross_checks,
    facts_needed,
    jump_checks,
    prose_table_checks,
    with_body,
    year_instances,
)
from transforms.document import Fact, Metadata, ParsedReport, ReportRecord
from transforms.identities import CHECK_SCHEMA
from transforms.normalize import SCHEMAS, build_tables

AT = datetime(2025, 1, 1, tzinfo=UTC)


def rep(rid: str, template: str, year: int, facts: list[Fact], agency: str = "石家庄市商务局",
        region: str = "130100") -> ReportRecord:
    meta = Metadata(agency=agency, province="河北省", city="石家庄市", region_code=region,
                    report_year=year)
    return record(rid, ParsedReport("html", template, meta, facts))


def run(records: list[ReportRecord], run_id: str = "r1") -> pl.DataFrame:
    t = build_tables(records, run_id, AT)
    return cross_checks(t["reports"], t["facts"], t["metrics"])


def test_body_key_joins_the_names_one_body_goes_by() -> None:
    assert body_key("石家庄市商务局", "河北省", "石家庄市", None, "130100") == \
        body_key("市商务局", "河北省", "石家庄市", None, "130100") == "130100|商务局"
    assert body_key("市市场监督管理局", "河北省", "石家庄市", None, "130100") == \
        body_key("石家庄市市场监督管理局", "河北省", "石家庄市", None, "130100")
    assert body_key("平潭综合实验区管委会", "福建省", "福州市", "平潭县", "350128") == \
        body_key("平潭综合实验区", "福建省", "福州市", "平潭县", "350128")
    assert body_key("上海市人民政府办公厅", "上海市", None, None, "310000") == "310000|人民政府"
    assert body_key("商务局", "河北省", "石家庄市", None, "130100") != \
        body_key("商务局", "江西省", "赣州市", None, "360700")
    assert body_key(None, "河北省") is None and body_key("  ") is None
    assert body_key("某局", "河北省", "石家庄市") == "河北省/石家庄市|某局"  # no code: the names


def test_c1_holds_and_fails_per_applicant_column_across_formats() -> None:
    y20 = rep("a" * 16, "fmt2019", 2020, table3("fmt2019", {"total": NATURAL_2019,
                                                            "natural_person": NATURAL_2019}))
    carried = {"carried_over": 72}
    y21 = rep("b" * 16, "fmt2021", 2021, table3("fmt2021", {"total": {"carried_over": 70},
                                                            "natural_person": carried}),
              agency="市商务局")
    c1 = run([y20, y21]).filter(check="C1")
    assert c1.height == 7 and set(c1["report_id"]) == {"b" * 16}
    bad = c1.filter(~pl.col("holds")).row(0, named=True)
    assert (bad["location"], bad["observed"], bad["expected"], bad["severity"]) == \
        ("二、上年结转政府信息公开申请数量 × 总计", 70, 72, "warning")
    assert bad["message"] == (
        "C1 fails at 二、上年结转政府信息公开申请数量 × 总计: stated 70, expected 72 = "
        "四、结转下年度继续办理(2020) 72 (上年结转(t) = 结转下年度继续办理(t−1), same body)")
    natural = c1.filter(location="二、上年结转政府信息公开申请数量 × 自然人")
    assert natural["holds"].to_list() == [True]


def test_c1_needs_the_same_body_and_the_year_before() -> None:
    y20 = rep("a" * 16, "fmt2019", 2020, table3("fmt2019", {"total": NATURAL_2019}))
    other = rep("b" * 16, "fmt2021", 2021, table3("fmt2021", {"total": {"carried_over": 1}}),
                agency="石家庄市财政局")
    gap = rep("c" * 16, "fmt2021", 2022, table3("fmt2021", {"total": {"carried_over": 1}}))
    assert run([y20, other, gap]).filter(check="C1").height == 0


def _item1(issued: float, repealed: float, in_force: float, docs_in_force: float | None
           ) -> list[Fact]:
    out = [fact("item1", "regulations", "issued", issued),
           fact("item1", "regulations", "repealed", repealed),
           fact("item1", "regulations", "in_force", in_force),
           fact("item1", "normative_docs", "issued", 0),
           fact("item1", "normative_docs", "repealed", 0)]
    if docs_in_force is not None:
        out.append(fact("item1", "normative_docs", "in_force", docs_in_force))
    return out


def test_c2_is_signed_and_year_tagged_per_row() -> None:
    y21 = rep("a" * 16, "fmt2021", 2021, _item1(2, 0, 10, 4))
    y22 = rep("b" * 16, "fmt2021", 2022, _item1(3, 1, 12, 5))
    c2 = run([y21, y22]).filter(check="C2").sort("location")
    assert c2["location"].to_list() == ["行政规范性文件 × 现行有效件数", "规章 × 现行有效件数"]
    assert c2.select("observed", "expected", "holds").rows() == [(5, 4, False), (12, 12, True)]
    assert "现行有效件数(2021) 10 + 本年制发件数(2022) 3 − 本年废止件数(2022) 1" in \
        c2["message"][1]


def test_c2_skips_a_row_with_a_term_not_read() -> None:
    y21 = rep("a" * 16, "fmt2021", 2021, _item1(2, 0, 10, None))
    y22 = rep("b" * 16, "fmt2021", 2022, _item1(3, 1, 12, 5))
    assert run([y21, y22]).filter(check="C2")["location"].to_list() == ["规章 × 现行有效件数"]


def _local(value: float, cumulative: float) -> list[Fact]:
    return [fact("indicators", "proactive_total", "value", value),
            fact("indicators", "proactive_total", "cumulative", cumulative)]


def test_c3_running_totals_of_local2008() -> None:
    y11 = rep("a" * 16, "local2008", 2011, _local(100, 900))
    y12 = rep("b" * 16, "local2008", 2012, _local(120, 1000))
    c3 = run([y11, y12]).filter(check="C3").row(0, named=True)
    assert (c3["report_id"], c3["observed"], c3["expected"], c3["holds"]) == \
        ("b" * 16, 1000, 1020, False)
    assert c3["location"] == "主动公开信息数 × 历年累计"


def test_two_reports_of_one_year_are_each_checked_against_the_first_of_the_year_before() -> None:
    y11 = rep("a" * 16, "local2008", 2011, _local(100, 900))
    y12a = rep("b" * 16, "local2008", 2012, _local(100, 1000))
    y12b = rep("c" * 16, "local2008", 2012, _local(100, 1000))
    c3 = run([y11, y12a, y12b]).filter(check="C3")
    assert sorted(c3["report_id"]) == ["b" * 16, "c" * 16] and c3["holds"].all()


def test_c4_compares_prose_with_the_table_money_in_wan() -> None:
    facts = table3("fmt2019", {"total": NATURAL_2019})
    facts += table4({"review": (5, 0, 0, 2, 7), "lawsuit_direct": (8, 0, 0, 1, 9)})
    facts += [fact("item9", "procurement", "procurement_amount", 251000, raw="251000元",
                   unit="元"),
              fact("prose", "applications_received", "value", 821, raw="821件"),
              fact("prose", "reviews", "value", 8, raw="8件"),
              fact("prose", "lawsuits", "value", 9, raw="9件"),
              fact("prose", "procurement_amount", "value", 25.1, raw="25.1万元", unit="万元")]
    t = build_tables([rep("a" * 16, "fmt2019", 2019, facts)], "r", AT)
    c4 = prose_table_checks(t["facts"]).sort("location")
    got = {r["location"]: (r["observed"], r["expected"], r["holds"])
           for r in c4.iter_rows(named=True)}
    assert got == {"正文 收到政府信息公开申请数": (821, 821, True),
                   "正文 政府信息公开行政复议数": (8, 7, False),
                   "正文 政府信息公开行政诉讼数": (9, 9, True),  # 9 + 0 (after review)
                   "正文 采购总金额": (25.1, 25.1, True)}
    bad = c4.filter(~pl.col("holds")).row(0, named=True)
    assert bad["message"].startswith("C4 fails at 正文 政府信息公开行政复议数: the prose states 8, "
                                     "the table 7")
    assert bad["severity"] == "warning" and bad["table"] == "prose"


def test_c4_skips_money_of_unknown_unit_and_prose_only_reports() -> None:
    facts = [fact("item9", "procurement", "procurement_amount", 5, raw="5千元", unit="千元"),
             fact("prose", "procurement_amount", "value", 5, raw="5万元", unit="万元")]
    t = build_tables([rep("a" * 16, "fmt2019", 2019, facts),
                      rep("b" * 16, "narrative", 2019,
                          [fact("prose", "reviews", "value", 1)])], "r", AT)
    assert prose_table_checks(t["facts"]).height == 0


def _metrics(rows: list[tuple[str, int, float]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    recs = [rep(rid, "stat2014", year, [fact("indicators", "applications_received", "value",
                                             v)]) for rid, year, v in rows]
    t = build_tables(recs, "r", AT)
    return t["metrics"], with_body(t["reports"])


def test_j1_flags_times_five_above_the_floor_only() -> None:
    metrics, bodies = _metrics([("a" * 16, 2015, 10), ("b" * 16, 2016, 100),
                                ("c" * 16, 2017, 110), ("d" * 16, 2018, 20)])
    j1 = jump_checks(metrics, bodies).sort("location")
    assert j1.select("location", "observed", "expected", "holds").rows() == [
        ("metrics.applications_received 2015→2016", 100, 10, False),
        ("metrics.applications_received 2016→2017", 110, 100, True),
        ("metrics.applications_received 2017→2018", 20, 110, False)]
    assert j1["message"][0].startswith("J1 fails at metrics.applications_received 2015→2016: "
                                       "applications received this year went from 10 to 100")
    small, bodies = _metrics([("a" * 16, 2015, 2), ("b" * 16, 2016, 40)])
    assert jump_checks(small, bodies)["holds"].to_list() == [True]  # larger below the floor


def test_frames_have_the_check_schema_and_empty_input_gives_empty_frames() -> None:
    out = run([rep("a" * 16, "local2008", 2011, _local(1, 1))])
    assert dict(out.schema) == CHECK_SCHEMA and out.height == 0
    empty = build_tables([], "r", AT)
    assert cross_checks(empty["reports"], empty["facts"], empty["metrics"]).height == 0


def test_check_results_become_validation_rows() -> None:
    y11 = rep("a" * 16, "local2008", 2011, _local(100, 900))
    y12 = rep("b" * 16, "local2008", 2012, _local(120, 1000))
    y13 = rep("c" * 16, "local2008", 2013, _local(10, 1010))
    rows = check_results(run([y11, y12, y13]), "run-9")
    assert dict(rows.schema) == SCHEMAS["validation_results"]
    c3 = rows.filter(check="C3").sort("report_id")
    assert c3.select("report_id", "success", "observed", "expected", "instances",
                     "failed").rows() == [("b" * 16, False, 1000, 1020, 1, 1),
                                          ("c" * 16, True, None, None, 1, 0)]
    assert c3["message"][1] == "C3 holds on all 1 instances"
    assert set(rows["run_id"]) == {"run-9"}


def test_affected_reports_are_the_runs_own_and_the_next_years_of_its_bodies() -> None:
    t_old = build_tables([rep("a" * 16, "local2008", 2011, _local(1, 1)),
                          rep("c" * 16, "local2008", 2012, _local(1, 2)),
                          rep("d" * 16, "local2008", 2014, _local(1, 3))], "old", AT)
    t_new = build_tables([rep("b" * 16, "local2008", 2013, _local(1, 1))], "new", AT)
    reports = pl.concat([t_old["reports"], t_new["reports"]])
    assert affected_reports(reports, "new") == {"b" * 16, "d" * 16}


def test_catalog_previous_year_identities_all_instantiate() -> None:
    for layout in LAYOUTS.values():
        for identity in layout.identities:
            if identity.over == "previous_year":
                assert year_instances(layout.block(identity.block), identity)
    assert cross_check_ids() == ("C1", "C2", "C3", "C4", "J1")


def test_mixed_row_and_column_terms_are_refused() -> None:
    from transforms.catalog.model import Identity
    block = LAYOUTS["fmt2021"].block("item1")
    with pytest.raises(ValueError, match="neither all rows nor all columns"):
        year_instances(block, Identity("X", "item1", ("in_force",), ("regulations",),
                                       over="previous_year"))


def test_the_facts_the_checks_need_give_the_same_checks_as_all_facts() -> None:
    """A warehouse run reads only FACT_COLUMNS of the rows facts_needed() selects."""
    y20 = rep("a" * 16, "fmt2019", 2020, table3("fmt2019", {"total": NATURAL_2019,
                                                            "natural_person": NATURAL_2019})
              + table4({"review": (5, 0, 0, 2, 7)})
              + [fact("prose", "reviews", "value", 8, raw="8件")])
    y21 = rep("b" * 16, "fmt2021", 2021, table3("fmt2021", {"total": {"carried_over": 70}}),
              agency="市商务局")
    t = build_tables([y20, y21], "r", AT)
    needed = t["facts"].filter(facts_needed()).select(FACT_COLUMNS)
    assert 0 < needed.height < t["facts"].height
    full = cross_checks(t["reports"], t["facts"], t["metrics"])
    assert {"C1", "C4"} <= set(full["check"])
    order = ["check", "report_id", "location"]
    assert cross_checks(t["reports"], needed, t["metrics"]).sort(order).equals(full.sort(order))
