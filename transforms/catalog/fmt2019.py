"""国办公开办函〔2019〕60号 format (data years 2019–2020)."""

from __future__ import annotations

from .model import Block, Column, Layout, Row
from .national_grids import APPEALS, OTHER_2019, applications_block, national_identities

_ITEM_COUNTS = (
    Column("prior_count", "上一年项目数量", meaning="items at the end of the previous year"),
    Column("change", "本年增/减", aliases=("本年增减",), kind="delta",
           meaning="net change this year (may be negative)"),
    Column("decisions", "处理决定数量", meaning="decisions made"),
)

DISCLOSURE = (
    Block("item1", "disclosure", "第二十条第（一）项",
          rows=(Row("regulations", "规章", meaning="rules (规章)"),
                Row("normative_docs", "规范性文件", aliases=("行政规范性文件",),
                    meaning="normative documents")),
          columns=(Column("made", "本年新制作数量", meaning="made this year"),
                   Column("published", "本年新公开数量", meaning="published this year"),
                   Column("total_public", "对外公开总数量", meaning="published in total"))),
    Block("item5", "disclosure", "第二十条第（五）项",
          rows=(Row("licensing", "行政许可", meaning="administrative licensing"),
                Row("other_services", "其他对外管理服务事项",
                    meaning="other external management and service matters")),
          columns=_ITEM_COUNTS),
    Block("item6", "disclosure", "第二十条第（六）项",
          rows=(Row("penalty", "行政处罚", meaning="administrative penalties"),
                Row("enforcement", "行政强制", meaning="administrative coercion")),
          columns=_ITEM_COUNTS),
    Block("item8", "disclosure", "第二十条第（八）项",
          rows=(Row("admin_fees", "行政事业性收费", meaning="administrative fees"),),
          columns=_ITEM_COUNTS[:2]),
    Block("item9", "disclosure", "第二十条第（九）项",
          rows=(Row("procurement", "政府集中采购", meaning="centralized government procurement"),),
          columns=(Column("procurement_count", "采购项目数量", meaning="procurement projects"),
                   Column("procurement_amount", "采购总金额", kind="money", unit="元",
                          meaning="total procurement amount (unit as printed; 元 if none)"))),
)

APPLICATIONS = applications_block(OTHER_2019)

LAYOUT = Layout(
    code="fmt2019",
    title="第二十条 format (2019)",
    years=(2019, 2020),
    basis="国务院令第711号 + 国办公开办函〔2019〕60号",
    blocks=(*DISCLOSURE, APPLICATIONS, APPEALS),
    identities=national_identities(APPLICATIONS),
    anchors=("本年新制作数量", "第二十条第（九）项", "对外公开总数量"),
)
