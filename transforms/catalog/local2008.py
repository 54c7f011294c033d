"""Local 附表 of the 2008 条例 era (data years 2008–2013, some bodies later).

No national form: each locality printed its own list, most often
指标名称 | 计量单位 | 本年度 | 历年累计. The rows below are the common ones
(Fujian's edition and its 2014 variant); unknown local rows become
``unmatched_label`` issues until they are added here. The value column's
label is usually the year itself ("2012年度"): parsers match that pattern.
"""

from __future__ import annotations

from .model import Block, Column, Identity, Layout, Row

PROACTIVE = "主动公开信息数"
RECEIVED = "受理依申请公开信息总数"
REPLIES = "对申请的答复数"

ROWS: tuple[Row, ...] = (
    Row("proactive_total", PROACTIVE,
        aliases=("主动公开文件数", "主动公开政府信息数", "主动公开信息总数",
                 "主动公开政府信息总数"),
        unit="条", meaning="information items published proactively"),
    Row("proactive_website", "1.网站公开",
        aliases=("网站公开", "网站公开数", "政府网站公开数", "政府网站公开", "网站公开信息数"),
        group=PROACTIVE, unit="条", meaning="of which: published on websites"),
    Row("proactive_gazette", "2.政府公报公开",
        aliases=("政府公报公开", "政府公报公开数", "公报公开", "政府公报公开信息数"),
        group=PROACTIVE, unit="条", meaning="of which: published in the government gazette"),
    Row("applications_received", RECEIVED,
        aliases=("受理依申请公开信息数", "受理依申请公开总数", "依申请公开信息总数",
                 "受理申请总数"),
        unit="条", meaning="applications for disclosure accepted"),
    Row("applications_in_person", "1.当面申请数", aliases=("当面申请数", "当面申请"),
        group=RECEIVED, unit="条", meaning="received in person"),
    Row("applications_fax", "2.传真申请数", aliases=("传真申请数", "传真申请"), group=RECEIVED,
        unit="条", meaning="received by fax"),
    Row("applications_email", "3.电子邮件申请数", aliases=("电子邮件申请数", "电子邮件申请"),
        group=RECEIVED, unit="条", meaning="received by e-mail"),
    Row("applications_online", "4.网上申请数",
        aliases=("网上申请数", "网上申请", "网络申请数"), group=RECEIVED, unit="条",
        meaning="received online"),
    Row("applications_letter", "5.信函申请数", aliases=("信函申请数", "信函申请"),
        group=RECEIVED, unit="条", meaning="received by letter"),
    Row("applications_letter_fax", "信函、传真申请数", aliases=("信函传真申请数",),
        group=RECEIVED, unit="条", meaning="received by letter or fax (one row in some editions)"),
    Row("applications_other", "6.其它形式申请数",
        aliases=("其它形式申请数", "其他形式申请数", "其它申请数", "其他申请数"),
        group=RECEIVED, unit="条", meaning="received in other ways"),
    Row("replies_total", REPLIES, aliases=("对申请的答复总数", "申请答复数", "答复申请数"),
        unit="条", meaning="replies to applications"),
    Row("replies_granted", "1.同意公开答复数", aliases=("同意公开答复数", "同意公开"),
        group=REPLIES, unit="条", meaning="reply: disclosure granted"),
    Row("replies_partly_granted", "2.同意部分公开答复数",
        aliases=("同意部分公开答复数", "同意部分公开"), group=REPLIES, unit="条",
        meaning="reply: disclosure granted in part"),
    Row("replies_refused", "3.否决公开答复数",
        aliases=("否决公开答复数", "不予公开答复数", "不同意公开答复数", "否决公开"),
        group=REPLIES, unit="条", meaning="reply: disclosure refused"),
    Row("replies_other", "4.其他类型答复数", aliases=("其他类型答复数", "其它类型答复数"),
        group=REPLIES, unit="条", meaning="reply: other kinds"),
    Row("reviews", "行政复议数", aliases=("行政复议数量", "行政复议"), unit="件",
        meaning="administrative reconsiderations about disclosure"),
    Row("lawsuits", "行政诉讼数", aliases=("行政诉讼数量", "行政诉讼"), unit="件",
        meaning="administrative lawsuits about disclosure"),
    Row("petitions", "行政申诉数", aliases=("行政申诉数量", "行政申诉"), unit="件",
        meaning="administrative petitions (申诉) about disclosure"),
    Row("lawsuits_and_reports", "接受行政诉讼、举报数", aliases=("接受行政诉讼举报数",), unit="件",
        meaning="lawsuits and reports received, one combined row (Fujian 2014 edition)"),
    Row("fees", "收费金额",
        aliases=("收费", "收费数", "收费总额", "收取费用", "政府信息公开收费金额",
                 "依申请公开收费金额", "依申请公开信息收费"),
        kind="money",
        meaning="fees charged for disclosure; unit as printed (元 or 万元)"),
    Row("fee_waivers", "政府信息公开收费减免金额",
        aliases=("收费减免金额", "减免金额", "减免收费金额"), kind="money",
        meaning="fees waived or reduced; unit as printed (元 or 万元)"),
)

INDICATORS = Block(
    code="indicators",
    table="legacy",
    title="政府信息公开情况统计表",
    title_aliases=("政府信息公开工作情况统计表",),
    rows=ROWS,
    columns=(
        # "2012年度"-style year labels are matched by the parser as this column
        Column("value", "本年度", aliases=("本期实际", "本年", "当年", "本年度数"),
               meaning="the figure for the report year"),
        Column("cumulative", "历年累计", aliases=("本年累计", "累计"),
               meaning="running total since the 条例 took effect (2008), this year included"),
    ),
)

_RECEIVED = ("applications_in_person", "applications_fax", "applications_email",
             "applications_online", "applications_letter", "applications_letter_fax",
             "applications_other")
_REPLIES = ("replies_granted", "replies_partly_granted", "replies_refused", "replies_other")

IDENTITIES: tuple[Identity, ...] = (
    Identity("L1", "indicators", ("applications_received",), _RECEIVED, partial=True,
             description="受理依申请公开信息总数 = sum of the channels present, per column"),
    Identity("L2", "indicators", ("replies_total",), _REPLIES,
             description="对申请的答复数 = 同意公开 + 同意部分公开 + 否决公开 (+ 其他类型), "
                         "per column"),
    # the proactive channels are not exhaustive and may overlap: each is only a lower bound
    Identity("L3", "indicators", ("proactive_total",), ("proactive_website",), op="ge",
             description="主动公开信息数 ≥ each of its 其中 channels, per column"),
    Identity("L3", "indicators", ("proactive_total",), ("proactive_gazette",), op="ge",
             description="主动公开信息数 ≥ each of its 其中 channels, per column"),
    Identity("L4", "indicators", ("value",), ("cumulative",), op="le", over="rows",
             description="本年度 ≤ 历年累计, per row (the running total includes this year)"),
    Identity("C3", "indicators", ("cumulative",), ("cumulative", "value"), over="previous_year",
             strength="C", lags=(1, 0),
             description="历年累计(t) = 历年累计(t−1) + 本年度(t), same body, per row"),
    Identity("A5", "*", (), (), op="nonneg", description="counts are non-negative"),
)

LAYOUT = Layout(
    code="local2008",
    title="地方政府信息公开情况统计表 (2008 条例)",
    years=(2008, 2013),
    basis="《中华人民共和国政府信息公开条例》(2008); local 附表, no national form",
    blocks=(INDICATORS,),
    identities=IDENTITIES,
    anchors=("受理依申请公开信息总数", "对申请的答复数", "否决公开答复数"),
    meaning="free-form local indicator lists with 本年度 and 历年累计 columns",
)
