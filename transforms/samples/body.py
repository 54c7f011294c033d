"""The running text of a report: headings, paragraphs and where the tables go.

The sentences are written for this project (never copied from real reports);
they state the truth's prose figures in the ways real reports do, so prose
readers have something honest to find (主动公开 N 条, 未收到…申请, 采购 N 次).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from .printed import (
    PrintedTable,
    appeals_table,
    applications_table,
    disclosure_tables,
    legacy_tables,
)
from .truth import Truth, TruthCell


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Para:
    text: str


Part = Heading | Para | PrintedTable

SECTIONS_2019 = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
_CN_DIGITS = "〇一二三四五六七八九"


def chinese_date(d: date) -> str:
    """2022-01-25 → 二〇二二年一月二十五日, as signatures print it."""
    def small(n: int) -> str:
        if n < 10:
            return _CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")
    year = "".join(_CN_DIGITS[int(ch)] for ch in str(d.year))
    return f"{year}年{small(d.month)}月{small(d.day)}日"


def _we(truth: Truth, rng: random.Random) -> str:
    if truth.meta.department.startswith("人民政府"):
        return rng.choice(("本机关", "我办" if "办公" in truth.meta.department else "我单位"))
    return rng.choice(("我局", "本单位", "本机关")) if truth.meta.department.endswith("局") \
        else rng.choice(("本单位", "本机关"))


def _phone(rng: random.Random) -> str:
    return f"0{rng.randint(100, 999)}-{rng.randint(2000000, 8999999)}"


def _n(cell: TruthCell | None) -> int:
    return int(cell.value or 0) if cell is not None else 0


def _split_total(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


_CATEGORIES = ("工作动态", "通知公告", "政策文件", "人事信息", "财政预决算信息", "政府采购信息",
               "规划计划", "行政执法信息", "政策解读")


def _intro(truth: Truth, rng: random.Random) -> list[Part]:
    m = truth.meta
    year = m.report_year
    basis = rng.choice(("《中华人民共和国政府信息公开条例》（以下简称《条例》）",
                        "《中华人民共和国政府信息公开条例》"))
    first = rng.choice((
        f"本报告依据{basis}的规定编制，由{m.agency}根据{year}年度政府信息公开工作情况形成。",
        f"按照{basis}要求，现向社会公布{m.agency}{year}年度政府信息公开工作年度报告。",
        f"{m.agency}依照{basis}，编制本年度报告，反映{year}年政府信息公开工作的开展情况。",
    ))
    period = f"报告中所列数据的统计期限为{year}年1月1日至{year}年12月31日。"
    contact = rng.choice((
        f"对本报告如有疑问，请与{m.agency}办公室联系（电话：{_phone(rng)}）。",
        f"本报告电子版可在{m.site_name}查阅，联系电话：{_phone(rng)}。",
    ))
    return [Para(first + period + contact)]


def _proactive_sentence(truth: Truth, rng: random.Random, we: str) -> str:
    n = _n(truth.prose.get("proactive_total"))
    year = truth.meta.report_year
    k = rng.randint(2, 4)
    cats = rng.sample(_CATEGORIES, k)
    parts = _split_total(rng, n, k)
    detail = "、".join(f"{c}{p}条" for c, p in zip(cats, parts, strict=True))
    lead = rng.choice((
        f"{year}年，{we}通过门户网站等渠道主动公开政府信息{n}条，其中{detail}。",
        f"全年共主动公开政府信息{n}条，包括{detail}。",
        f"{year}年度{we}累计主动公开各类政府信息{n}条（{detail}）。",
    ))
    return lead + rng.choice((
        "对涉及群众切身利益的事项做到应公开尽公开。",
        "信息发布前均按规定进行保密审查。",
        "重点领域信息按要求及时更新。",
    ))


def _applications_sentence(truth: Truth, rng: random.Random, we: str) -> str:
    received = _n(truth.prose.get("applications_received"))
    if received == 0:
        return rng.choice((
            f"本年度{we}未收到政府信息公开申请。",
            "全年未收到公民、法人或其他组织提出的政府信息公开申请。",
            f"{truth.meta.report_year}年未收到依申请公开政府信息的申请。",
        ))
    carried = _n(truth.cells.get(("applications", "carried_over", "total")))
    done = _n(truth.cells.get(("applications", "results_total", "total")))
    text = f"全年共收到政府信息公开申请{received}件"
    if carried:
        text += f"，上年结转{carried}件"
    text += f"，办结{done}件，均在法定期限内答复。"
    return text


def _procurement_sentence(truth: Truth, rng: random.Random) -> str:
    count = _n(truth.prose.get("procurement_count"))
    amount = truth.prose.get("procurement_amount")
    if count == 0:
        return ""
    money = f"，采购总金额{amount.raw}万元" if amount is not None else ""
    return rng.choice((
        f"全年开展政府集中采购{count}次{money}。",
        f"本年度组织政府集中采购项目{count}个{money}，相关信息均按规定公开。",
    ))


_MANAGEMENT = (
    "严格落实信息发布审核制度，坚持“先审查、后公开”和“一事一审”的原则。",
    "及时调整政府信息公开指南和目录，规范依申请公开的受理、办理和答复流程。",
    "定期对已公开信息开展自查，对过期、失效信息及时清理。",
)
_PLATFORM = (
    "以门户网站为第一平台，结合政务新媒体，拓宽信息发布渠道。",
    "持续优化政府信息公开专栏的栏目设置，方便公众查阅。",
    "在办事大厅设置政府信息查阅点，提供现场查询服务。",
)
_OVERSIGHT = (
    "将政府信息公开工作纳入年度目标考核，明确责任分工。",
    "组织工作人员参加政务公开业务培训，提升业务能力。",
    "自觉接受社会监督，全年未发生因政府信息公开引起的投诉。",
)
_PROBLEMS = (
    "一是公开内容的深度和广度还需拓展；二是政策解读形式较为单一；三是工作人员业务水平有待提高。",
    "一是部分栏目更新不够及时；二是信息公开的规范性还需加强。",
    "信息发布的时效性和解读回应的针对性仍有不足。",
)
_IMPROVE = (
    "下一步，将加强业务学习，完善工作机制，进一步提升政府信息公开工作质量。",
    "今后将围绕群众关注的重点领域，持续加大公开力度，做好政策解读和回应关切。",
    "我们将对照上级要求，逐项抓好整改落实，推动公开工作常态化、规范化。",
)


def _national(truth: Truth, rng: random.Random, tables: bool) -> list[Part]:
    we = _we(truth, rng)
    parts: list[Part] = _intro(truth, rng)
    parts.append(Heading(SECTIONS_2019[0]))
    parts.append(Para("（一）主动公开"))
    parts.append(Para(_proactive_sentence(truth, rng, we)))
    parts.append(Para("（二）依申请公开"))
    parts.append(Para(_applications_sentence(truth, rng, we)))
    parts.append(Para("（三）政府信息管理"))
    parts.append(Para(rng.choice(_MANAGEMENT) + rng.choice(_MANAGEMENT)))
    parts.append(Para("（四）平台建设"))
    parts.append(Para(rng.choice(_PLATFORM)))
    parts.append(Para("（五）监督保障"))
    parts.append(Para(rng.choice(_OVERSIGHT)))
    procurement = _procurement_sentence(truth, rng)
    split = rng.random() < 0.2
    parts.append(Heading(SECTIONS_2019[1]))
    if tables:
        parts += disclosure_tables(truth, split=split)
    else:
        parts.append(Para(rng.choice(("具体情况详见下表。", "详见下表：", "（统计表略）"))))
        if procurement:
            parts.append(Para(procurement))
    parts.append(Heading(SECTIONS_2019[2]))
    if tables:
        parts.append(applications_table(truth))
    else:
        parts.append(Para(_applications_sentence(truth, rng, we)))
    parts.append(Heading(SECTIONS_2019[3]))
    if tables:
        parts.append(appeals_table(truth))
    else:
        parts.append(Para(rng.choice((
            "本年度未发生因政府信息公开引起的行政复议、行政诉讼。",
            "全年无政府信息公开行政复议、行政诉讼案件。",
        ))))
    parts.append(Heading(SECTIONS_2019[4]))
    parts.append(Para(rng.choice(_PROBLEMS)))
    parts.append(Para(rng.choice(_IMPROVE)))
    parts.append(Heading(SECTIONS_2019[5]))
    if "fees" in truth.prose:  # the truth decided the text states it
        parts.append(Para(rng.choice((
            "依据《政府信息公开信息处理费管理办法》，本年度未收取信息处理费。",
            "本年度未向申请人收取信息处理费。",
        ))))
    else:
        parts.append(Para("无其他需要报告的事项。"))
    return parts


def _legacy(truth: Truth, rng: random.Random) -> list[Part]:
    we = _we(truth, rng)
    local = truth.layout == "local2008"
    parts: list[Part] = _intro(truth, rng)
    headings = ("一、概述", "二、主动公开政府信息情况", "三、依申请公开政府信息情况",
                "四、政府信息公开的收费及减免情况",
                "五、因政府信息公开申请提起行政复议、行政诉讼的情况",
                "六、政府信息公开工作存在的主要问题及改进措施")
    parts.append(Heading(headings[0]))
    parts.append(Para(rng.choice(_MANAGEMENT) + rng.choice(_PLATFORM)))
    parts.append(Heading(headings[1]))
    parts.append(Para(_proactive_sentence(truth, rng, we)))
    parts.append(Heading(headings[2]))
    parts.append(Para(rng.choice(("依申请公开情况详见附表。", "申请的受理和答复情况见附表。"))))
    parts.append(Heading(headings[3]))
    fee = truth.prose.get("fees")
    if fee is None or not fee.value:
        parts.append(Para("本年度未收取政府信息公开相关费用。"))
    else:
        parts.append(Para(f"本年度依申请公开政府信息收取费用{fee.raw}{fee.unit or '万元'}。"))
    parts.append(Heading(headings[4]))
    parts.append(Para("相关情况见附表。"))
    parts.append(Heading(headings[5]))
    parts.append(Para(rng.choice(_PROBLEMS) + rng.choice(_IMPROVE)))
    caption = f"附表：{truth.meta.agency}{truth.meta.report_year}年政府信息公开情况统计表"
    parts.append(Para(caption))
    heads = ("指标名称", "计量单位") if local else ("统计指标", "单位")
    year_label = f"{truth.meta.report_year}年度" if local and rng.random() < 0.6 else None
    parts += legacy_tables(truth, *heads, first_column=year_label)
    return parts


def build_body(truth: Truth) -> list[Part]:
    """The report after its title and metadata, in reading order."""
    rng = random.Random(f"body:{truth.layout}:{truth.seed}")
    if truth.layout in ("fmt2019", "fmt2021"):
        parts = _national(truth, rng, tables=True)
    elif truth.layout == "narrative":
        parts = _national(truth, rng, tables=False)
    else:
        parts = _legacy(truth, rng)
    parts.append(Para(truth.meta.agency))
    parts.append(Para(chinese_date(truth.meta.written_on) if rng.random() < 0.5
                      else f"{truth.meta.written_on.year}年{truth.meta.written_on.month}月"
                           f"{truth.meta.written_on.day}日"))
    return parts
