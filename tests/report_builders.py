"""Small, realistic ReportRecords built by hand for the normalize/validate/publish tests.

Figures follow the shapes of real reports (a fmt2019 table 三 whose natural-person
column is Shanghai 2019's), but nothing here depends on a parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from transforms.catalog import get_layout
from transforms.document import Fact, Issue, Metadata, ParsedReport, ReportRecord

# Shanghai 2019 natural-person column: leaves add up to （七）总计 767; 821 + 18 = 767 + 72.
NATURAL_2019 = {
    "new_received": 821, "carried_over": 18, "granted": 258, "partly_granted": 3,
    "withheld_state_secret": 14, "withheld_internal_affairs": 5, "withheld_process_info": 3,
    "withheld_admin_query": 10, "unavailable_not_held": 252, "unavailable_needs_creation": 44,
    "unavailable_unclear": 25, "not_processed_petition": 148, "not_processed_repeat": 5,
    "results_total": 767, "carried_forward": 72,
}


def fact(block: str, row: str, col: str, value: float | None, raw: str | None = None,
         unit: str | None = None) -> Fact:
    if raw is None:
        raw = "" if value is None else f"{value:g}"
    return Fact(block, row, col, value, raw, f"table {block} {row}/{col}", unit)


def table3(template: str, columns: Mapping[str, Mapping[str, float]],
           blank: float | None = 0.0) -> list[Fact]:
    """Every cell of table 三; cells not given are blank ("" → 0) or the given filler."""
    block = get_layout(template).block("applications")
    out = []
    for row in block.rows:
        for col in block.columns:
            given = columns.get(col.code, {}).get(row.code)
            if given is None:
                out.append(fact("applications", row.code, col.code, blank,
                                raw="" if blank == 0.0 else "/"))
            else:
                out.append(fact("applications", row.code, col.code, given))
    return out


def table4(groups: dict[str, tuple[float, float, float, float, float]]) -> list[Fact]:
    parts = ("upheld", "corrected", "other", "pending", "total")
    out = []
    for group in ("review", "lawsuit_direct", "lawsuit_after_review"):
        values = groups.get(group)
        for i, part in enumerate(parts):
            if values is None:
                out.append(fact("appeals", group, part, 0.0, raw=""))
            else:
                out.append(fact("appeals", group, part, values[i]))
    return out


def record(report_id: str, parsed: ParsedReport | None, status: str = "ok",
           error: str | None = None) -> ReportRecord:
    sha = (report_id * 4)[:64]
    return ReportRecord(report_id=report_id, source=f"samples/{report_id}.html",
                        content_sha256=sha, size_bytes=1234, parse_status=status,
                        error=error, parsed=parsed, raw_path=f"raw/{sha[:2]}/{sha}")


def shanghai_like() -> ReportRecord:
    """fmt2019, 2019: every identity holds; procurement 251000元; table 四 with blanks."""
    facts = table3("fmt2019", {"natural_person": NATURAL_2019, "total": NATURAL_2019})
    facts += table4({"review": (5, 0, 0, 2, 7), "lawsuit_direct": (8, 0, 0, 1, 9)})
    facts += [fact("item1", "regulations", "made", 13), fact("item1", "regulations",
                                                             "published", 13),
              fact("item1", "regulations", "total_public", 524),
              fact("item9", "procurement", "procurement_count", 6),
              fact("item9", "procurement", "procurement_amount", 251000, raw="251000元",
                   unit="元"),
              fact("item5", "licensing", "change", -3)]
    meta = Metadata(title="上海市2019年政府信息公开工作年度报告", agency="上海市人民政府",
                    province="上海市", region_code="310000", region_confidence=1.0,
                    report_year=2019, published_on=date(2020, 3, 1))
    return record("aaaaaaaaaaaaaaa1", ParsedReport("html", "fmt2019", meta, facts))


def broken_2021() -> ReportRecord:
    """fmt2021, 2021: （七）总计 states 21 while its leaves add to 27; one '/' cell."""
    col = {"new_received": 30, "carried_over": 0, "granted": 20, "partly_granted": 7,
           "results_total": 21, "carried_forward": 9}
    facts = table3("fmt2021", {"natural_person": col, "total": col})
    facts = [fact("applications", "carried_over", "other_org", None, raw="/")
             if (f.row_code, f.col_code) == ("carried_over", "other_org") else f for f in facts]
    facts += table4({"review": (1, 0, 2, 0, 3), "lawsuit_direct": (12, 0, 0, 0, 11)})
    facts += [fact("item8", "admin_fees", "fee_amount", 24252.311082, unit="万元")]
    meta = Metadata(agency="平潭综合实验区管委会", province="福建省", city="福州市",
                    county="平潭县", report_year=2021)
    parsed = ParsedReport("html", "fmt2021", meta, facts,
                          issues=[Issue("unmatched_label", "row 其它 matches nothing",
                                        "table 3 row 30")])
    return record("bbbbbbbbbbbbbbb2", parsed, status="partial")


def prose_only() -> ReportRecord:
    """narrative, 2019: 主动公开 42 条; 8 procurements for 21.57 万元; nothing on applications."""
    facts = [fact("prose", "proactive_total", "value", 42, raw="42条"),
             fact("prose", "procurement_count", "value", 8, raw="8次"),
             fact("prose", "procurement_amount", "value", 21.57, raw="21.57万元", unit="万元")]
    meta = Metadata(agency="张家川县商务局", province="甘肃省", city="天水市",
                    county="张家川回族自治县", report_year=2019)
    return record("ccccccccccccccc3", ParsedReport("text", "narrative", meta, facts))


def legacy_2017() -> ReportRecord:
    """stat2014, 2017: indicators incl. fees 5000 元 and channels adding to 804 < 806."""
    facts = [fact("indicators", "proactive_total", "value", 806),
             fact("indicators", "channel_gazette", "value", 0),
             fact("indicators", "channel_website", "value", 662),
             fact("indicators", "channel_weibo", "value", 0),
             fact("indicators", "channel_wechat", "value", 142),
             fact("indicators", "channel_other", "value", 0),
             fact("indicators", "applications_received", "value", 3),
             fact("indicators", "reviews", "value", 0),
             fact("indicators", "fees", "value", 5000, unit="元")]
    meta = Metadata(agency="赣州市商务局", province="江西省", city="赣州市", report_year=2017)
    return record("ddddddddddddddd4", ParsedReport("text", "stat2014", meta, facts))


def failed() -> ReportRecord:
    return record("eeeeeeeeeeeeeee5", None, status="failed", error="not a report: 404 page")


def no_year() -> ReportRecord:
    facts = [fact("prose", "proactive_total", "value", 5, raw="5条")]
    return record("fffffffffffffff6", ParsedReport("text", "narrative", Metadata(), facts))


def batch() -> list[ReportRecord]:
    return [shanghai_like(), broken_2021(), prose_only(), legacy_2017(), failed(), no_year()]
