from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from transforms.document import Extracted, Metadata
from transforms.html_tables import read_html
from transforms.metadata import read_metadata, read_report_year, read_title

from ..conftest import seed, shared_file


def load(path: Path) -> Extracted:
    data = path.read_bytes()
    if path.suffix == ".html":
        return read_html(data)
    return Extracted("text", data.decode("utf-8"))


def kinds(issues: list) -> list[str]:
    return [i.kind for i in issues]


# ── unit tests on short strings ──────────────────────────────────────────────

def test_header_fields_are_read_and_a_blank_field_stays_blank() -> None:
    doc = Extracted("text", "索 引 号: AB12/2022-00001 | 发文机关: 某某县民政局 | 文 号: |\n"
                            "成文日期: 2022-01-25 |\n现将2021年度政府信息公开工作情况报告如下：")
    md, issues = read_metadata(doc)
    assert md.index_no == "AB12/2022-00001"
    assert md.doc_no is None
    assert md.agency == "某某县民政局"
    assert md.report_year == 2021
    assert md.published_on == date(2022, 1, 25)
    assert "missing_agency" not in kinds(issues)


def test_doc_no_needs_a_value_on_its_own_line() -> None:
    doc = Extracted("text", "文号: \n发布机构: 某局\n文 号：沪府办〔2020〕12号")
    md, _ = read_metadata(doc)
    assert md.doc_no == "沪府办〔2020〕12号"


def test_meta_tags_win_over_text() -> None:
    doc = Extracted("html", "时间：2019-05-01 00:00\n正文", meta={
        "ArticleTitle": "安源区商务局2021年政府信息公开工作年度报告",
        "PubDate": "2022-02-08 16:34", "Author": "超级管理员"})
    md, _ = read_metadata(doc)
    assert md.title == "安源区商务局2021年政府信息公开工作年度报告"
    assert md.agency == "安源区商务局"
    assert md.report_year == 2021
    assert md.published_on == date(2022, 2, 8)
    assert (md.province, md.city, md.county) == ("江西省", "萍乡市", "安源区")


def test_html_title_loses_its_site_suffix() -> None:
    doc = Extracted("html", "", title="淮安市人民政府2024年政府信息公开工作年度报告_年报_淮安市")
    assert read_title(doc) == "淮安市人民政府2024年政府信息公开工作年度报告"


def test_title_with_body_first_then_year() -> None:
    doc = Extracted("text", "2019年上海市人民政府办公厅政府信息公开工作年度报告\n"
                            "发布日期：2020-01-31\n")
    md, issues = read_metadata(doc)
    assert md.agency == "上海市人民政府办公厅"
    assert md.report_year == 2019
    assert md.published_on == date(2020, 1, 31)
    assert (md.province, md.city) == ("上海市", "上海市")
    assert issues == []


def test_cover_page_title_over_two_lines() -> None:
    doc = Extracted("pdf", "某某市人民政府\n2024 年政府信息公开工作年度报告\n本报告由…编制。")
    assert read_title(doc) == "某某市人民政府2024年政府信息公开工作年度报告"


def test_agency_and_year_from_the_first_sentence() -> None:
    doc = Extracted("text", "根据条例要求，现向社会公布张家川县商务局2019年政府信息公开报告。"
                            "本报告所列数据统计期限为2019年1月1日起至2019年12月31日止。")
    md, issues = read_metadata(doc)
    assert md.agency == "张家川县商务局"
    assert md.report_year == 2019
    assert md.county == "张家川回族自治县"
    assert issues == []


def test_data_year_is_not_the_publication_year() -> None:
    doc = Extracted("text", "特公布2017年度赣州市商务局信息公开工作报告。\n"
                            "赣州市商务局\n2018年2月5日\n")
    md, issues = read_metadata(doc)
    assert md.report_year == 2017
    assert md.published_on == date(2018, 2, 5)  # the signature date, consistent: used
    assert issues == []


def test_closing_date_inside_the_data_year_is_a_recorded_typo() -> None:
    doc = Extracted("text", "特公布2017年度赣州市商务局信息公开工作报告。\n"
                            "赣州市商务局\n2017年2月5日\n")
    md, issues = read_metadata(doc, "x.txt")
    assert md.report_year == 2017
    assert md.published_on is None
    assert kinds(issues) == ["date_inconsistent"]
    assert issues[0].where == "x.txt"


def test_township_title_is_extended_to_the_government_named_in_the_text() -> None:
    doc = Extracted("text", "张家川县张棉驿乡2019年度政府信息公开工作报告\n"
                            "请与张家川县张棉驿乡人民政府办公室联系")
    md, _ = read_metadata(doc)
    assert md.agency == "张家川县张棉驿乡人民政府"


def test_contact_office_names_the_body() -> None:
    doc = Extracted("text", "本报告所列统计期限自2024年1月1日至2024年12月31日。"
                            "如对本报告有疑问，请与某某市人民政府办公室联系。")
    md, _ = read_metadata(doc)
    assert md.agency == "某某市人民政府"


def test_department_naming_only_its_level_is_inferred_and_flagged() -> None:
    doc = Extracted("text", "一、总体情况\n市商务局领导重视。\n印发《石家庄市商务局工作办法》。\n"
                            "2019年市商务局未收到申请。2019年度工作。")
    md, issues = read_metadata(doc, "s.txt")
    assert md.agency == "石家庄市商务局"
    assert (md.province, md.city, md.county) == ("河北省", "石家庄市", None)
    assert md.report_year == 2019
    assert set(kinds(issues)) == {"agency_inferred", "report_year_inferred"}
    assert md.region_confidence is not None and md.region_confidence < 0.9


def test_nothing_to_read_is_reported() -> None:
    md, issues = read_metadata(Extracted("text", "页面不存在"))
    assert md == Metadata(region_confidence=0.0, region_evidence="no place name found")
    assert set(kinds(issues)) == {"missing_agency", "missing_report_year", "region_unresolved"}


def test_report_year_sources() -> None:
    def year(text: str) -> int | None:
        return read_report_year(Extracted("text", text))[0]

    assert year("现将2021年度政府信息公开工作情况报告如下") == 2021
    assert year("统计期限自2012年1月1日起至2012年12月31日") == 2012
    assert year("没有年份") is None


# ── golden: every real document in ../shared (EXPECTED.md, README.md) ───────

SEED_GOLDEN = {
    # prefix: agency, year, published_on, index_no, (province, city, county)
    "000": ("张家川县商务局", 2019, None, None, ("甘肃省", "天水市", "张家川回族自治县")),
    "001": ("安源区商务局", 2021, date(2022, 1, 25), "PX0239/2022-00186",
            ("江西省", "萍乡市", "安源区")),
    "002": ("石家庄市商务局", 2019, None, None, ("河北省", "石家庄市", None)),
    "003": ("赣州市商务局", 2017, None, None, ("江西省", "赣州市", None)),
    "004": ("张家川县张棉驿乡人民政府", 2019, date(2020, 1, 15), "zmyx/2023-00029",
            ("甘肃省", "天水市", "张家川回族自治县")),
}


@pytest.mark.parametrize("prefix", sorted(SEED_GOLDEN))
def test_seed_metadata(prefix: str) -> None:
    agency, year, published, index_no, region = SEED_GOLDEN[prefix]
    md, _ = read_metadata(load(seed(prefix)), prefix)
    assert md.agency == agency
    assert md.report_year == year
    assert md.published_on == published
    assert md.index_no == index_no
    assert (md.province, md.city, md.county) == region
    assert md.region_confidence is not None and md.region_confidence >= 0.6


def test_seed_003_closing_date_typo_keeps_the_year() -> None:
    md, issues = read_metadata(load(seed("003")), "003")
    assert md.report_year == 2017
    assert md.published_on is None
    assert [i.kind for i in issues] == ["date_inconsistent"]
    assert "2017-02-05" in issues[0].message


def test_seed_002_agency_is_inferred_from_the_text() -> None:
    _, issues = read_metadata(load(seed("002")), "002")
    assert "agency_inferred" in kinds(issues)


PINGTAN = ("福建省", "福州市", "平潭县")
REPORT = "政府信息公开工作年度报告"
SHANGHAI = "上海市人民政府办公厅"
ZONE, ZONE_CMTE, COUNTY = "平潭综合实验区", "平潭综合实验区管委会", "平潭县人民政府"
CORPUS_GOLDEN = {
    # file: title, agency, year, published_on, region
    "shanghai-2019.html": (
        f"2019年{SHANGHAI}{REPORT}", SHANGHAI, 2019, date(2020, 1, 31), ("上海市", "上海市", None)),
    "pingtan-2021.html": (f"{ZONE}2021年度{REPORT}", ZONE, 2021, date(2022, 2, 8), PINGTAN),
    "pingtan-2023-page.html": (f"{ZONE}2023年度{REPORT}", ZONE, 2023, date(2024, 3, 8), PINGTAN),
    "pingtan-2023-glued.txt": (f"{ZONE}2023年度{REPORT}", ZONE, 2023, date(2024, 3, 8), PINGTAN),
    "pingtan-2023-tables.html": (None, ZONE_CMTE, 2023, None, PINGTAN),
    "pingtan-county-2012-page.html": (
        f"{COUNTY}2012年{REPORT}", COUNTY, 2012, date(2013, 1, 17), PINGTAN),
    "pingtan-county-2012-glued.txt": (
        f"{COUNTY}2012年{REPORT}", COUNTY, 2012, date(2013, 1, 17), PINGTAN),
    "pingtan-2014-page.html": (
        f"{ZONE_CMTE}2014年度{REPORT}", ZONE_CMTE, 2014, date(2015, 1, 2), PINGTAN),
    "pingtan-2014-spaced.txt": (
        f"{ZONE_CMTE}2014年度{REPORT}", ZONE_CMTE, 2014, date(2015, 1, 2), PINGTAN),
    # the title names 平潭综合实验区; the 发布机构 field (管委会办公室) is the publishing office
    "pingtan-2011-page.html": (f"{ZONE}2011年{REPORT}", ZONE, 2011, date(2012, 4, 11), PINGTAN),
    "pingtan-2011-spaced.txt": (f"{ZONE}2011年{REPORT}", ZONE, 2011, date(2012, 4, 11), PINGTAN),
}


@pytest.mark.parametrize("name", sorted(CORPUS_GOLDEN))
def test_corpus_metadata(name: str) -> None:
    title, agency, year, published, region = CORPUS_GOLDEN[name]
    md, issues = read_metadata(load(shared_file("corpus", name)), name)
    assert md.title == title
    assert md.agency == agency
    assert md.report_year == year
    assert md.published_on == published
    assert (md.province, md.city, md.county) == region
    assert md.region_code == ("310000000000" if region[0] == "上海市" else "350128000000")
    assert issues == []


def test_attachment_without_body_name_records_it() -> None:
    md, issues = read_metadata(load(shared_file("corpus", "pingtan-county-2012-tables.html")))
    assert md.agency is None
    assert md.report_year == 2012
    assert md.county == "平潭县"
    assert set(kinds(issues)) == {"missing_agency", "report_year_inferred"}


def test_huaian_pdf_metadata() -> None:
    pdf_text = pytest.importorskip("transforms.pdf_text", reason="PDF extractor not present")
    doc = pdf_text.read_pdf(shared_file("corpus", "huaian-2024.pdf").read_bytes())
    md, issues = read_metadata(doc, "huaian-2024.pdf")
    assert md.title == "淮安市人民政府2024年政府信息公开工作年度报告"
    assert md.agency == "淮安市人民政府"
    assert md.report_year == 2024
    assert (md.province, md.city, md.county) == ("江苏省", "淮安市", None)
    assert issues == []


def test_signature_date_is_the_first_valid_date_line() -> None:
    import random

    from transforms import metadata

    def reference(text: str) -> date | None:
        for m in metadata._SIGNATURE_DATE.finditer(text):
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
        return None

    rng = random.Random(2)
    pieces = ["2022年1月8日", "2021年2月30日", " \u30002023 年 12 月 1 日 |", "2020\n年\n3月\n4日",
              "某局", "\n", "\n", "12", "1999年9月9日。", "2022年1月8日\n2022年1月9日", "|"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert metadata._signature_date(text) == reference(text), text
