"""Who reported, for which year, published when: read from the page around the tables.

Sources are tried from the most to the least explicit: CMS ``<meta>`` tags and
labelled header fields (索引号, 发文机关, 发布日期 …), then the title, then the
first sentences ("现向社会公布张家川县商务局2019年政府信息公开报告"), and only
then the body text as a whole. Whatever had to be inferred from weak evidence,
or disagrees between sources, is recorded as an Issue.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date

from .document import Extracted, Issue, Metadata
from .regions import place_mentions, resolve_region

_HEAD_CHARS = 8000  # labelled fields sit above the body; pages carry chrome first
_CJK = r"\u4e00-\u9fff"
_SP = r"[ \t\u3000\u00a0]*"  # spacing inside one line only: a blank field must stay blank
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_REPORT_WORDS = re.compile(r"年度报告|年报|工作报告|公开报告")
_OGI_WORDS = re.compile(r"政府信息公开|信息公开|政务公开")
_BODY_SUFFIX = re.compile(
    r"(?:人民政府|政府|局|委员会|委|办公室|办公厅|厅|管委会|管理委员会|办事处|中心|院|署|会|站|所|处|"
    r"街道|乡|镇|县|市|区|旗|省)$"
)
_PLACE_END = re.compile(r"(?:乡|镇|县|市|区|旗|省|自治州)$")
_TITLE_SUFFIX_SPLIT = re.compile(r"[_|｜]| - | — ")
_INDEX_NO = re.compile(rf"索{_SP}引{_SP}号{_SP}[:：]{_SP}([0-9A-Za-z][0-9A-Za-z\-/_.·]*)")
_DOC_NO = re.compile(rf"(?:发文字号|文{_SP}号){_SP}[:：]{_SP}([^\s|:：]{{2,40}})")
_AGENCY_FIELD = re.compile(
    rf"(?:发文机关|发布机构|发布单位|公开主体|信息来源|来{_SP}源){_SP}[:：]{_SP}([{_CJK}（）()]{{2,40}})"
)
_TITLE_FIELD = re.compile(rf"^(?:标{_SP}题|文章标题|名{_SP}称){_SP}[:：]{_SP}(.+)$", re.M)

# Date fields, most to least telling about publication.
_DATE_FIELDS: tuple[tuple[str, str], ...] = (
    ("发布日期", rf"(?:发布日期|发布时间|公开日期|公开时间|发文日期|印发日期){_SP}[:：]{_SP}"),
    ("时间", rf"(?<![{_CJK}])(?:时间|日期){_SP}[:：]{_SP}"),
    ("成文日期", rf"(?:成文日期|成文时间|生成日期){_SP}[:：]{_SP}"),
)
_META_DATE_KEYS = ("PubDate", "pubdate", "PublishDate", "publishdate", "firstpublishedtime",
                   "article:published_time")

# Sentences naming the body and the year (first paragraph of most reports).
_YEAR_SENTENCES = (
    re.compile(r"统计期限?[^。\n]{0,6}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日"),
    re.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日[^。\n]{0,4}?至\s*(?:\1\s*年\s*)?12\s*月\s*31\s*日"),
    re.compile(r"公布[^。\n]{0,40}?((?:19|20)\d{2})\s*年度?[^。\n]{0,30}?报告"),
    re.compile(r"现将((?:19|20)\d{2})\s*年度?[^。\n]{0,30}?报告"),
    re.compile(r"((?:19|20)\d{2})\s*年度?(?:政府)?信息公开(?:工作)?(?:年度)?报告"),
)
_AGENCY_SENTENCES = (
    re.compile(rf"公布(?:了)?([{_CJK}（）()]{{2,30}}?)(?:19|20)\d{{2}}\s*年"),
    re.compile(rf"公布(?:了)?(?:19|20)\d{{2}}\s*年度?([{_CJK}（）()]{{2,30}}?)(?:政府)?信息公开"),
    re.compile(rf"(?:^|\n)[ \t\u3000]*([{_CJK}（）()]{{2,30}}?)(?:19|20)\d{{2}}\s*年度?"
               r"(?:政府)?信息公开"),
    re.compile(rf"请与([{_CJK}（）()]{{2,30}}?)联系"),
)
_DEPT_AFTER_PLACE = re.compile(
    rf"(?:(?![省市县区乡镇])[{_CJK}]){{1,8}}?(?:局|委员会|厅|办公室|管委会)"
)
_SIGNATURE_DATE = re.compile(
    r"^[ \t\u3000]*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[ \t\u3000|]*$", re.M
)


def _date(text: str) -> date | None:
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _year_ok(year: int) -> bool:
    return 2007 <= year <= 2100  # the 条例 took effect in 2008; first reports cover 2008


def read_title(doc: Extracted) -> str | None:
    """ArticleTitle meta, a 标题: header, the <title> (site suffix cut), or a short report line."""
    if doc.meta.get("ArticleTitle"):
        return doc.meta["ArticleTitle"].strip()
    head = doc.text[:_HEAD_CHARS]
    m = _TITLE_FIELD.search(head)
    if m and m.group(1).strip():
        return m.group(1).strip()
    if doc.title:
        parts = [p.strip() for p in _TITLE_SUFFIX_SPLIT.split(doc.title) if p.strip()]
        for p in parts:
            if _REPORT_WORDS.search(p):
                return p
    previous = ""
    for raw in head.split("\n")[:80]:
        line = _squeeze(raw.strip().strip("|").strip())
        if (6 <= len(line) <= 60 and _REPORT_WORDS.search(line) and _OGI_WORDS.search(line)
                and not line.startswith(("当前位置", "您当前", "首页")) and "|" not in line
                and not re.search(r"[，。,；;：:]", line)):
            if _YEAR.match(line) and len(previous) <= 30 and _body_like(previous) and not re.search(
                    r"[，。,；;：:|]", previous):
                return previous + line  # a cover page: the body on one line, the year below
            return line
        if line:
            previous = line
    return None


def _squeeze(text: str) -> str:
    """Drop the spaces PDF text puts between digits and CJK ("2024 年")."""
    return re.sub(rf"(?<=[{_CJK}\d])\s+(?=[{_CJK}\d])", "", text).strip()


def _clean_agency(name: str) -> str | None:
    name = name.strip().strip("（）()、，, ")
    name = re.sub(r"^(?:关于|向社会公布|公布)", "", name)
    name = re.sub(r"(?:关于|的)$", "", name)
    if len(name) < 2 or not re.search(f"[{_CJK}]", name):
        return None
    return name


def _agency_from_title(title: str) -> str | None:
    t = re.sub(r"^(?:关于)?\s*(?:(?:19|20)\d{2}\s*年度?)?\s*", "", title.strip())
    m = re.search(r"(?:19|20)\d{2}\s*年|政府信息公开|信息公开|政务公开|年度报告|工作报告|年报", t)
    if not m:
        return None
    return _clean_agency(t[: m.start()])


def _extend_place(name: str, text: str) -> str:
    """张家川县张棉驿乡 (a place) → 张家川县张棉驿乡人民政府 when the text names the body so."""
    if not _PLACE_END.search(name) and not name.endswith("街道"):
        return name
    for suffix in ("人民政府", "街道办事处", "办事处"):
        if name + suffix in text:
            return name + suffix
    return name


def _agency_from_text(text: str) -> tuple[str | None, str]:
    """Full body names in the text (石家庄市商务局), chosen by how often the body refers to itself.

    A department often writes only its level and name (市商务局); the full name
    with the place appears somewhere else (a regulation's title).
    """
    counts: Counter[tuple[str, str]] = Counter()
    for start, end, level in place_mentions(text):
        m = _DEPT_AFTER_PLACE.match(text, end)
        if m and level >= 2:
            counts[(text[start:end], m.group(0))] += 1
    scored = []
    for (place, dept), n in counts.items():
        short = place[-1] + dept
        short_n = text.count(short) - n if len(short) >= 3 else 0
        scored.append((n + short_n, n, place + dept))
    if not scored:
        return None, ""
    scored.sort(key=lambda x: (-x[0], -x[1], x[2]))
    total, n, body = scored[0]
    if total < 2:
        return None, ""
    return body, f"{body!r} named {n}× in full, {total - n}× by its short form"


def read_report_year(doc: Extracted, title: str | None = None) -> tuple[int | None, str]:
    """The data year (not the publication year) and where it was read."""
    title = title if title is not None else read_title(doc)
    if title:
        m = _YEAR.search(title)
        if m and _year_ok(int(m.group(1))):
            return int(m.group(1)), "title"
    head = doc.text[:_HEAD_CHARS * 2]
    for pattern in _YEAR_SENTENCES:
        m = pattern.search(head)
        if m and _year_ok(int(m.group(1))):
            return int(m.group(1)), "text: " + m.group(0)[:40]
    years = Counter(int(y) for y in _YEAR.findall(head) if _year_ok(int(y)))
    if years:
        year, n = years.most_common(1)[0]
        return year, f"guess: most frequent year in the text ({n}×)"
    return None, ""


def read_metadata(doc: Extracted, source_name: str = "") -> tuple[Metadata, list[Issue]]:
    """Title, body, region, data year, publication date, 索引号 and 文号 of one document."""
    issues: list[Issue] = []
    where = source_name or "metadata"
    head = doc.text[:_HEAD_CHARS]
    md = Metadata()
    md.title = read_title(doc)

    m = _INDEX_NO.search(head)
    md.index_no = m.group(1).rstrip("./-") if m else None
    m = _DOC_NO.search(head)
    if m and re.search(r"\d", m.group(1)):
        md.doc_no = m.group(1)

    md.agency, agency_source = _read_agency(doc, md.title)
    if md.agency is None:
        issues.append(Issue("missing_agency", "no reporting body found in title, header fields, "
                            "meta tags or text", where))
    elif agency_source.startswith("text"):
        issues.append(Issue("agency_inferred", f"reporting body inferred from the body text: "
                            f"{agency_source}", where))

    year, year_source = read_report_year(doc, md.title)
    md.report_year = year
    if year is None:
        issues.append(Issue("missing_report_year", "no data year in title or text", where))
    elif year_source.startswith("guess"):
        issues.append(Issue("report_year_inferred", f"data year {year} from {year_source}", where))

    md.published_on, date_issues = _read_published_on(doc, year, where)
    issues.extend(date_issues)

    region = resolve_region(md.agency, meta=doc.meta, text=doc.text, title=md.title)
    md.province, md.city, md.county = region.province, region.city, region.county
    md.region_code, md.region_confidence = region.code, region.confidence
    md.region_evidence = region.evidence
    if agency_source.startswith("text") and region.code is not None:
        # the name the region hangs on was itself inferred: trust the match less
        md.region_confidence = round(region.confidence * 0.8, 2)
        md.region_evidence = f"{region.evidence}; body name inferred from the text"
    if region.code is None:
        issues.append(Issue("region_unresolved", "no administrative division found", where))
    elif region.confidence < 0.5:
        issues.append(Issue("region_uncertain", f"confidence {region.confidence}: "
                            f"{region.evidence}", where))
    return md, issues


def _body_like(name: str | None) -> bool:
    return bool(name) and bool(_BODY_SUFFIX.search(name or ""))


def _read_agency(doc: Extracted, title: str | None) -> tuple[str | None, str]:
    text = doc.text
    head = text[:_HEAD_CHARS]
    if title:
        name = _agency_from_title(title)
        if name and _body_like(name):
            return _extend_place(name, text), "title"
    for m in _AGENCY_FIELD.finditer(head):
        name = _clean_agency(m.group(1))
        if name and _body_like(name):
            return name, "header field"
    for key in ("ContentSource", "Author"):
        name = _clean_agency(doc.meta.get(key, ""))
        if name and _body_like(name):
            return name, f"meta {key}"
    for pattern in _AGENCY_SENTENCES:
        found = pattern.search(head)
        if found:
            name = _clean_agency(found.group(1))
            if name and _body_like(name) and "《" not in name:
                if pattern is _AGENCY_SENTENCES[-1]:
                    # the contact is usually the body's office: 淮安市人民政府办公室
                    name = re.sub(r"(人民政府|政府|管委会|管理委员会)办公室$", r"\1", name)
                return _extend_place(name, text), "first sentence"
    name, why = _agency_from_text(text)
    if name:
        return name, "text: " + why
    return None, ""


def _read_published_on(doc: Extracted, year: int | None,
                       where: str) -> tuple[date | None, list[Issue]]:
    issues: list[Issue] = []
    head = doc.text[:_HEAD_CHARS]
    found: date | None = None
    for key in _META_DATE_KEYS:
        if doc.meta.get(key):
            found = _date(doc.meta[key])
            if found:
                break
    if found is None:
        for _, label in _DATE_FIELDS:
            m = re.search(label + r"(\S[^\n|]{0,30})", head)
            if m:
                found = _date(m.group(1))
                if found:
                    break
    signed = _signature_date(doc.text)
    if signed and year is not None and signed.year <= year:
        issues.append(Issue("date_inconsistent", f"closing date {signed.isoformat()} falls within "
                            f"data year {year}: not used as a date; the year stays {year}", where))
        signed = None
    if found is None and signed is not None:
        found = signed
    if found and year is not None and found.year <= year and found < date(year, 12, 1):
        issues.append(Issue("date_inconsistent", f"published {found.isoformat()} before the end "
                            f"of data year {year}", where))
    return found, issues


def _signature_date(text: str) -> date | None:
    """The date line under the signature (a line holding only a date).

    _SIGNATURE_DATE can match only at a line start followed by spacing and a year:
    it is tried there alone, in text order, as its finditer would meet them.
    """
    end = 0
    for start in _date_line_starts(text):
        if start < end:
            continue  # inside the previous match (its spacing may run over newlines)
        m = _SIGNATURE_DATE.match(text, start)
        if m is None:
            continue
        end = m.end()
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


_DATE_LINE_START = re.compile(r"\n(?=[ \t\u3000]*(?:19|20)\d{2}\s*年)")


def _date_line_starts(text: str) -> Iterator[int]:
    yield 0
    for m in _DATE_LINE_START.finditer(text):
        yield m.end()
