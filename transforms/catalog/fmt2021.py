"""国办公开办函〔2021〕30号 revised format (data years 2021 onward)."""

from __future__ import annotations

from .model import Block, Column, Identity, Layout, Row
from .national_grids import APPEALS, OTHER_2021, applications_block, national_identities

_DECISIONS = (Column("decisions", "本年处理决定数量", aliases=("处理决定数量",),
                     meaning="decisions made this year"),)

DISCLOSURE = (
    Block("item1", "disclosure", "第二十条第（一）项",
          rows=(Row("regulations", "规章", meaning="rules (规章)"),
                Row("normative_docs", "行政规范性文件", aliases=("规范性文件",),
                    meaning="administrative normative documents")),
          columns=(Column("issued", "本年制发件数", meaning="issued this year"),
                   Column("repealed", "本年废止件数", meaning="repealed this year"),
                   Column("in_force", "现行有效件数", meaning="in force at year end"))),
    Block("item5", "disclosure", "第二十条第（五）项",
          rows=(Row("licensing", "行政许可", meaning="administrative licensing"),),
          columns=_DECISIONS),
    Block("item6", "disclosure", "第二十条第（六）项",
          rows=(Row("penalty", "行政处罚", meaning="administrative penalties"),
                Row("enforcement", "行政强制", meaning="administrative coercion")),
          columns=_DECISIONS),
    Block("item8", "disclosure", "第二十条第（八）项",
          rows=(Row("admin_fees", "行政事业性收费", meaning="administrative fees"),),
          columns=(Column("fee_amount", "本年收费金额（单位：万元）",
                          aliases=("本年收费金额",), kind="money", unit="万元",
                          meaning="fees charged this year"),)),
)

APPLICATIONS = applications_block(OTHER_2021)

LAYOUT = Layout(
    code="fmt2021",
    title="第二十条 format (2021 revision)",
    years=(2021, 2100),
    basis="国办公开办函〔2021〕30号",
    blocks=(*DISCLOSURE, APPLICATIONS, APPEALS),
    identities=(
        *national_identities(APPLICATIONS),
        Identity("C2", "item1", ("in_force",), ("in_force", "issued", "repealed"),
                 strength="C", over="previous_year", lags=(1, 0, 0), signs=(1, 1, -1),
                 description=("现行有效件数(t) = 现行有效件数(t−1) + 本年制发件数(t)"
                              " − 本年废止件数(t)")),
    ),
    anchors=("本年制发件数", "本年收费金额", "现行有效件数", "本年废止件数"),
)
