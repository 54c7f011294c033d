"""Records cross the parser pipe as tuples and come back equal."""

from __future__ import annotations

import pickle
from datetime import date

from flows.record_wire import pack_record, unpack_record
from transforms.document import Fact, Issue, Metadata, ParsedReport, ReportRecord


def test_a_parsed_record_round_trips() -> None:
    meta = Metadata(title="某县2021年政府信息公开工作年度报告", agency="某县人民政府",
                    province="浙江省", region_code="330000", region_confidence=0.9,
                    report_year=2021, published_on=date(2022, 1, 20), index_no="001")
    facts = [Fact("applications", "new", "natural_person", 12.0, "12", "table 3 row 4 col 2"),
             Fact("prose", "fees", "amount", 1.5, "1.5万元", "line 7", unit="10k_yuan")]
    parsed = ParsedReport("html", "fmt2021", meta, facts,
                          [Issue("unmatched_label", "row '合计' not in table 三", "table 3")],
                          "gb18030")
    record = ReportRecord("ab" * 8, "a.html", "ab" * 32, 1234, "partial", None, parsed,
                          "/w/raw/ab/x.html")
    back = unpack_record(pickle.loads(pickle.dumps(pack_record(record))))
    assert back == record
    assert back.parsed is not None and back.parsed.facts[1].unit == "10k_yuan"


def test_a_failed_record_round_trips() -> None:
    record = ReportRecord("cd" * 8, "b.pdf", "cd" * 32, 0, "failed", "PDF is encrypted", None)
    assert unpack_record(pack_record(record)) == record
