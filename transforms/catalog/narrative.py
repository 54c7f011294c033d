"""Figures stated in the report's prose, for every layout.

Reports whose tables were images, attachments or left out still state their
main figures in sentences ("公布各类政府信息42条", "未收到…申请"). The same
block collects prose figures of table reports too, so that they can be
compared with the tables (report-formats.md §6, C4). Values keep the unit the
sentence states (万元 or 元), recorded on each fact.
"""

from __future__ import annotations

from .model import Block, Column, Layout, Row

PROSE = Block(
    code="prose",
    table="prose",
    title="正文",
    rows=(
        Row("proactive_total", "主动公开政府信息数", aliases=("公布各类政府信息",),
            unit="条", meaning="items proactively disclosed in the year (the total only)"),
        Row("applications_received", "收到政府信息公开申请数",
            aliases=("受理政府信息公开申请", "未收到依申请公开申请"), unit="件",
            meaning="information requests received in the year; 未收到 → 0"),
        Row("reviews", "政府信息公开行政复议数", aliases=("未发生行政复议",), unit="件",
            meaning="administrative reconsiderations over disclosure; none stated → 0"),
        Row("lawsuits", "政府信息公开行政诉讼数", aliases=("未发生行政诉讼",), unit="件",
            meaning="administrative lawsuits over disclosure; none stated → 0"),
        Row("procurement_count", "政府集中采购次数", unit="次",
            meaning="centralized government procurements (第二十条第（九）项)"),
        Row("procurement_amount", "采购总金额", kind="money",
            meaning="total centralized procurement amount, in the unit stated (万元 or 元)"),
        Row("fees", "信息处理费", aliases=("依申请公开信息收取的费用",), kind="money",
            meaning="fees charged for information requests, in the unit stated; 无收取 → 0"),
        Row("other_services_new", "新增对外管理服务事项", unit="项",
            meaning="other external administrative services added in the year"),
        Row("other_services_handled", "办理其他对外管理服务事项", unit="件",
            meaning="other external administrative service cases handled"),
    ),
    columns=(Column("value", "数值", meaning="the figure as stated in the sentence"),),
)

LAYOUT = Layout(
    code="narrative",
    title="正文（无统计表）",
    years=(2008, 2100),
    basis="any year: the tables are images, attachments or missing",
    blocks=(PROSE,),
    anchors=(),
    meaning="a report read from its prose only",
)
