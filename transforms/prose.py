"""Figures stated in sentences: the only figures of a report whose tables are missing.

Conservative by design: a figure is read only when one clause states it
plainly ("向社会公布各类政府信息42条", "未收到…依申请公开申请"). Sub-counts by
channel or unit ("政务信息30条", "各乡镇主动公开政府信息122条"), approximate
figures ("5500余条") and anything hedged are left alone: the tables, when
present, carry them. Two different values for one figure are an Issue.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import compress, count
from typing import NamedTuple

from .catalog import PROSE
from .document import Fact, Issue
from .nfkc import nfkc

_LINE_END = ("。", "!", "?", ";", ":")
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|[(][一二三四五六七八九十\d]+[)]|\d+[、.]|第[一二三四五六七八九十]+)"
)
_PAGE_MARK = re.compile(r"^-?\s*\d+\s*-?$")
_WRAP_MIN = 18  # a line this long without a full stop is a wrapped line (PDF text)
_SPACE_NEAR_TEXT = re.compile(r"(?<=\D)\s+|\s+(?=\D)")
_APPROX_AFTER = ("余", "多", "以上", "左右")
_APPROX_BEFORE = re.compile(r"(?:约|近|超过|逾|将近|大约)$")

_NUM = r"(?P<n>\d+(?:\.\d+)?)"
_COUNT = r"(?P<n>\d+)"
_TOTAL_WORD = r"(?:共计?|总计|合计|累计)?(?:为|达)?"

# What may precede the verb in a clause stating a body's own total.
_OWN_PREFIX = re.compile(
    r"^(?:\d{4}年度?|全年|本年度?|今年|年内|全[区市县乡镇省州旗]|"
    r"我(?:局|委|办|厅|乡|镇|区|市|县|院|署|中心|单位|部门|街道|管委会|公司|会)|"
    r"本(?:机关|单位|局|委|部门)|共计?|累计|总计|合计|已|依法|及时|"
    r"通过[^,]{0,70}?等(?:方式|渠道|平台|途径|载体)|向社会|在)*$"
)
_SUBSET_WORDS = ("其中", "各乡镇", "各单位", "各部门", "各处室", "各科室", "各股室", "各县", "各区")
_CHANNEL_WORDS = ("当面", "信函", "传真", "网上", "网络", "电子邮件", "邮件", "电话")
_APPLICATION_CONTEXT = ("依申请", "信息公开申请", "政府信息公开的申请", "公开申请")


class _Clause(NamedTuple):  # a tuple: built for every candidate clause, cheaply
    text: str  # NFKC, spaces next to non-digits removed
    sentence: str
    section: str  # the text from the last heading (一、 (二) 3.) up to the clause's end
    line: int  # 1-based line of the clause's first character


@dataclass(frozen=True)
class _Found:
    row: str
    value: float
    unit: str | None
    raw: str


def _norm(line: str) -> str:
    return _SPACE_NEAR_TEXT.sub("", nfkc(line)).strip()


# _SPACE_NEAR_TEXT over a whole document, then strip() per line: the same removals
# inside each line (a space run goes unless it is one space between digits); at line
# ends it takes the spaces that strip() would (a newline is no digit). Every branch
# starts with the space class, so the regex engine skips to the next space in C.
_SPACE_NEAR_TEXT_LINES = re.compile(r"[^\S\n](?:[^\S\n]+|(?<=\D[^\S\n])|(?=\D))")


def _is_table_line(line: str) -> bool:
    return "|" in line and (
        " | " in line or line.rstrip().endswith("|") or line.lstrip().startswith("|"))


_PROSE_CELL_MIN = 40  # a table cell this long holding a full stop is running text


def _prose_cells(line: str) -> list[str]:
    """Running text inside a pipe-joined line: a dump whose body is glued onto its header strip.

    Form cells are short labels and numbers without full stops; only long cells
    with a sentence end are read, each as a paragraph of its own.
    """
    if "。" not in line:
        return []
    return [c for c in line.split("|")
            if "。" in c and len(_norm(c)) >= _PROSE_CELL_MIN]


def _paragraphs(text: str) -> Iterator[tuple[str, list[int], list[int]]]:
    """(paragraph, offsets where each joined line starts, their 1-based line numbers).

    Wrapped lines (PDF text) are joined; headings and table rows end a paragraph,
    blank lines and page marks are passed over. Only paragraphs that may hold a
    trigger word and a figure or negation are returned (and the long prose cells of
    table rows), in text order. Lines are looked at only where a scan in C finds a
    trigger word, a long open line or a "|", not one Python step per line.
    """
    folded = _SPACE_NEAR_TEXT_LINES.sub("", nfkc(text))
    # NFKC neither makes nor removes a newline: lines[k] is line k, normalized. The
    # regex has already taken the spaces at both ends of every line but the text's own.
    lines = folded.split("\n")
    lines[0] = lines[0].strip()
    lines[-1] = lines[-1].strip()
    n = len(lines)
    tables = _table_lines(text)

    page_mark = _PAGE_MARK.match

    def skip(k: int) -> bool:
        line = lines[k]
        return not line or ((line[0] == "-" or line[0].isdigit()) and page_mark(line) is not None)

    # A paragraph goes on past a content line only if the line is long and has no
    # closing mark: then it takes the next line that is neither skipped nor a table
    # row nor a heading. These links are few; every other line is a paragraph alone.
    after: dict[int, int] = {}
    for k in _long_lines(lines):
        line = lines[k]
        if len(line) < _WRAP_MIN or line.endswith(_LINE_END) or k in tables or skip(k):
            continue
        i = k + 1
        while i < n:  # pass blank lines and page marks (never table rows: no "|")
            line = lines[i]
            if line and ((line[0] != "-" and not line[0].isdigit()) or page_mark(line) is None):
                break
            i += 1
        if i < n and i not in tables and _HEADING.match(lines[i]) is None:
            after[k] = i
    before = {i: k for k, i in after.items()}

    units: list[tuple[int, str, list[int], list[int]]] = []
    trigger, statable = _TRIGGER.search, _STATABLE.search
    for k in after:  # the paragraphs of joined lines, from their first lines
        if k in before:
            continue
        first = k
        buf: list[str] = []
        starts: list[int] = []
        numbers: list[int] = []
        length = 0
        while True:
            line = lines[k]
            buf.append(line)
            starts.append(length)
            numbers.append(k + 1)
            length += len(line)
            if k not in after:
                break
            k = after[k]
        paragraph = "".join(buf)
        if trigger(paragraph) and statable(paragraph):
            units.append((first, paragraph, starts, numbers))
    # every other line is a paragraph of its own: those holding a trigger word
    line_no, pos = 0, 0
    for m in _TRIGGER.finditer(folded):
        start = m.start()
        if start < pos:
            continue  # a line already seen
        line_no += folded.count("\n", pos, start)
        pos = folded.find("\n", start) + 1 or len(folded)
        if line_no in tables or line_no in after or line_no in before:
            line_no += 1
            continue
        line = lines[line_no]
        if statable(line):
            units.append((line_no, line, [0], [line_no + 1]))
        line_no += 1
    for k, r in tables.items():  # prose cells: table rows holding a full stop
        if "。" in r:
            units.extend((k, _norm(cell), [0], [k + 1]) for cell in _prose_cells(r))
    if len(units) > 1:
        units.sort(key=lambda u: u[0])
    for _, paragraph, starts, numbers in units:
        yield paragraph, starts, numbers


def _table_lines(text: str) -> dict[int, str]:
    """Line number → raw line, for the table rows (lines with cells joined by " | ")."""
    out: dict[int, str] = {}
    line_no, counted, pos = 0, 0, text.find("|")
    while pos >= 0:
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        line_no += text.count("\n", counted, start)
        counted = start
        line = text[start:end] if end >= 0 else text[start:]
        if _is_table_line(line):
            out[line_no] = line
        pos = text.find("|", end) if end >= 0 else -1
    return out


def _long_lines(lines: list[str]) -> Iterator[int]:
    """Numbers of the lines of _WRAP_MIN characters or more (lengths compared in C)."""
    return compress(count(), map(_WRAP_MIN.__le__, map(len, lines)))


_INLINE_HEADING = re.compile(
    r"[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|(?<![\d.])\d{1,2}[.、](?!\d)"
)


# a section heading run into its first sentence (one-line dumps, wrapped long headings)
_LEAD_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\))[^,。;:\d]{2,30}?"
    r"(?:情况|措施|事项)(?=.)"
)

# Every reader needs one of these words in its clause (see the guard at the top of each),
# and, to state anything, a figure with its unit (every pattern ends a number with one of
# 条件个份宗起次项 万元 亿元) or a negation (未 无 没有, 不向/不收 of the fees): clauses
# without both are skipped before they are built.
_TRIGGER = re.compile("主动公开|各类政府信息|申请|复议|诉讼|采购|费|收取|对外管理服务事项")
_STATABLE = re.compile(r"\d[条件个份宗起次项万元亿]|[未无]|没有|不[向收]")
_SENTENCE = re.compile(r"[^。!?;]+")  # sentences end at 。!?; (NFKC folds the full-width ones)
_CLAUSE = re.compile(r"[^,]+")


def _clauses(text: str) -> Iterator[_Clause]:
    """Clauses that may state a figure: those holding a reader's trigger word."""
    trigger, statable = _TRIGGER.search, _STATABLE.search
    for paragraph, starts, numbers in _paragraphs(text):
        if not trigger(paragraph) or not statable(paragraph):
            continue
        headings = [0, *(m.start() for m in _INLINE_HEADING.finditer(paragraph))]
        for s in _SENTENCE.finditer(paragraph):
            sentence = s.group()
            if not trigger(sentence):
                continue
            s_start = s.start()
            for c in _CLAUSE.finditer(sentence):
                clause = c.group()
                if not trigger(clause) or not statable(clause):
                    continue
                c_pos = s_start + c.start()
                line = numbers[bisect_right(starts, c_pos) - 1]
                head = headings[bisect_right(headings, c_pos) - 1]
                section = paragraph[head: c_pos + len(clause)]
                yield _Clause(_LEAD_HEADING.sub("", clause), sentence, section, line)


def _approximate(clause: str, m: re.Match[str]) -> bool:
    before = clause[: m.start("n")]
    after = clause[m.end("n"): m.end("n") + 2]
    return bool(_APPROX_BEFORE.search(before)) or after.startswith(_APPROX_AFTER)


# ── readers: one per figure; each returns what one clause states ─────────────

_PROACTIVE = (
    re.compile(rf"(?P<verb>主动公开|公布)了?(?P<obj>[^\d,]{{0,20}}?){_TOTAL_WORD}{_COUNT}"
               r"(?P<u>条|件)"),
    re.compile(rf"(?P<verb>主动公开)了?{_TOTAL_WORD}{_COUNT}(?P<u>条|件)(?P<obj>(?:政府)?信息)"),
)


def _proactive(c: _Clause) -> list[_Found]:
    if "主动公开" not in c.text and "各类政府信息" not in c.text:
        return []
    for pattern in _PROACTIVE:
        m = pattern.search(c.text)
        if not m or _approximate(c.text, m):
            continue
        obj = m.group("obj")
        if "信息" not in obj:
            continue
        if m.group("verb") == "公布" and "各类政府信息" not in obj:
            continue
        if re.search(r"(?<!各)类|规章|文件|网站|微博|微信|公报|目录|指南", obj):
            continue
        if not _OWN_PREFIX.match(c.text[: m.start("verb")]):
            continue
        return [_Found("proactive_total", float(m.group("n")), m.group("u"), m.group(0))]
    return []


_APPLY_VERB = r"(?:收到|受理|接到|接收|新收)"
_APPLICATIONS = (
    re.compile(rf"{_APPLY_VERB}了?(?P<obj>[^\d,]{{0,25}}?申请){_TOTAL_WORD}{_COUNT}"
               r"(?P<u>件|条|个|份|宗)"),
    re.compile(rf"{_APPLY_VERB}了?{_TOTAL_WORD}{_COUNT}(?P<u>件|条|个|份|宗)(?P<obj>[^\d,]{{0,15}}?申请)"),
)
_NO_APPLICATION = re.compile(
    r"(?:未|没有)(?:收到|受理|接到|接收到?|发生|有)[^\d,]{0,25}?申请|无(?:依申请|(?:政府)?信息公开申请)"
)
_SERVICE_CONTEXT = ("审批", "窗口", "办件", "服务中心", "政务服务", "热线")
_NOT_APPLICATION = ("复议", "诉讼", "举报", "投诉", "信访", "审批", "许可", "纠错", "人大", "政协")


def _applications(c: _Clause) -> list[_Found]:
    if "申请" not in c.text or any(w in c.text for w in _NOT_APPLICATION):
        return []
    m = _NO_APPLICATION.search(c.text)
    if m and not re.search(r"\d", c.text[m.start():]):
        stated = m.group(0)
        if "依申请" in stated or "信息公开" in stated or any(
                w in c.section for w in _APPLICATION_CONTEXT):
            return [_Found("applications_received", 0.0, None, c.text[m.start():])]
    for pattern in _APPLICATIONS:
        m = pattern.search(c.text)
        if not m or _approximate(c.text, m):
            continue
        obj = m.group("obj")
        if any(w in obj for w in _CHANNEL_WORDS):
            continue
        prefix = c.text[: m.start()]
        if any(w in prefix for w in _SUBSET_WORDS):
            continue
        named = "依申请" in obj or "信息公开" in obj
        if not named and (not any(w in c.section for w in _APPLICATION_CONTEXT)
                          or any(w in c.sentence for w in _SERVICE_CONTEXT)):
            continue
        return [_Found("applications_received", float(m.group("n")), m.group("u"), m.group(0))]
    return []


_NEGATION = re.compile(
    r"(?:未|没有)(?:收到|发生|出现|产生|接到|受理|有)|没有|无(?=[^,\d]{0,6}?(?:复议|诉讼))"
    r"|无(?=(?:因|涉及)?(?:政府)?信息公开(?:工作)?(?:引起的|的|类)?行政(?:复议|诉讼))"
)
_NOT_ZERO_APPEAL = ("纠错", "纠正", "败诉", "撤销", "确认违法", "维持")
_REVIEWS = re.compile(rf"行政复议(?:案件|申请)?{_TOTAL_WORD}{_COUNT}(?P<u>件|起|宗|次|个)")
_LAWSUITS = re.compile(rf"(?P<w>行政)?诉讼(?:案件)?{_TOTAL_WORD}{_COUNT}(?P<u>件|起|宗|次|个)")


def _appeals(c: _Clause) -> list[_Found]:
    out: list[_Found] = []
    text = c.text
    if "复议" not in text and "诉讼" not in text:
        return out
    m = _NEGATION.search(text)
    if m and not re.search(r"\d", text[m.start():]) and not any(
            w in text for w in _NOT_ZERO_APPEAL):
        rest = text[m.start():]
        if "复议" in rest[:40]:
            out.append(_Found("reviews", 0.0, None, rest))
        if "诉讼" in rest[:40]:
            out.append(_Found("lawsuits", 0.0, None, rest))
        return out
    if any(w in text for w in ("其中", "结果维持", "结果纠正", "尚未审结")):
        prefix_end = min(i for i in (text.find(w) for w in ("其中", "结果维持", "结果纠正",
                                                           "尚未审结")) if i >= 0)
    else:
        prefix_end = len(text)
    m = _REVIEWS.search(text)
    if m and m.start() < prefix_end and not _approximate(text, m):
        out.append(_Found("reviews", float(m.group("n")), m.group("u"), m.group(0)))
    m = _LAWSUITS.search(text)
    if m and m.start() < prefix_end and not _approximate(text, m) and (
            m.group("w") or "行政复议" in c.sentence):
        out.append(_Found("lawsuits", float(m.group("n")), m.group("u"), m.group(0)))
    return out


_PROCUREMENT_COUNT = (
    re.compile(rf"{_COUNT}(?P<u>次)政府集中采购"),
    re.compile(rf"政府集中采购(?:项目)?{_TOTAL_WORD}{_COUNT}(?P<u>次|个|项)"),
)
_PROCUREMENT_AMOUNT = re.compile(rf"采购总?金额{_TOTAL_WORD}{_NUM}(?P<u>万元|元|亿元)")


def _procurement(c: _Clause) -> list[_Found]:
    out: list[_Found] = []
    if "采购" not in c.text:
        return out
    for pattern in _PROCUREMENT_COUNT:
        m = pattern.search(c.text)
        if m and not _approximate(c.text, m):
            out.append(_Found("procurement_count", float(m.group("n")), m.group("u"), m.group(0)))
            break
    m = _PROCUREMENT_AMOUNT.search(c.text)
    if m and not _approximate(c.text, m):
        out.append(_Found("procurement_amount", float(m.group("n")), m.group("u"), m.group(0)))
    return out


_FEES = re.compile(rf"(?:信息处理费|费用){_TOTAL_WORD}{_NUM}(?P<u>万元|元)")
_NO_FEES = re.compile(
    r"(?:无|未|没有|暂不|不)(?:向(?:申请人|公民|群众|当事人|申请者)[^,\d]{0,6}?)?(?:收取|收费)"
    r"[^,\d]{0,12}|无[^,\d]{0,4}收费"
)


def _fees(c: _Clause) -> list[_Found]:
    text = c.text
    if ("费" not in text and "收取" not in text) or "行政事业性收费" in text or "采购" in text:
        return []
    context = "信息处理费" in c.sentence or (
        any(w in c.sentence for w in ("依申请", "信息公开")) and ("收费" in text or "费用" in text))
    if not context:
        return []
    m = _FEES.search(text)
    if m and not _approximate(text, m):
        return [_Found("fees", float(m.group("n")), m.group("u"), m.group(0))]
    m = _NO_FEES.search(text)
    if m and not re.search(r"\d", text[m.start():]):
        return [_Found("fees", 0.0, None, m.group(0))]
    return []


_SERVICES = (
    ("other_services_new",
     re.compile(rf"新增(?:其他|其它)?对外管理服务事项{_COUNT}(?P<u>项|个|件)")),
    ("other_services_handled",
     re.compile(rf"办理(?:了)?(?:其他|其它)对外管理服务事项{_COUNT}(?P<u>件|项|个|次)")),
)


def _services(c: _Clause) -> list[_Found]:
    out: list[_Found] = []
    if "对外管理服务事项" not in c.text:
        return out
    for row, pattern in _SERVICES:
        m = pattern.search(c.text)
        if m and not _approximate(c.text, m):
            out.append(_Found(row, float(m.group("n")), m.group("u"), m.group(0)))
    return out


_READERS: tuple[Callable[[_Clause], list[_Found]], ...] = (
    _proactive, _applications, _appeals, _procurement, _fees, _services,
)


def read_prose_figures(text: str) -> tuple[list[Fact], list[Issue]]:
    """Prose figures as facts of the catalog's PROSE block, one per figure, first statement wins."""
    facts: dict[str, Fact] = {}
    issues: list[Issue] = []
    for clause in _clauses(text):
        for reader in _READERS:
            for found in reader(clause):
                where = f"line {clause.line}"
                fact = Fact(PROSE.code, found.row, "value", found.value, found.raw, where,
                            found.unit)
                first = facts.get(found.row)
                if first is None:
                    facts[found.row] = fact
                elif first.value != fact.value:
                    issues.append(Issue(
                        "prose_conflict",
                        f"{found.row}: {first.raw!r} ({first.source_ref}) says {first.value:g}, "
                        f"{fact.raw!r} says {fact.value:g}; the first is kept",
                        where))
    return list(facts.values()), issues
