"""Reports without tables: figures stated in prose. (Stub: to be completed.)"""

from __future__ import annotations

from .model import Block, Column, Layout, Row

PROSE = Block(
    code="prose",
    table="prose",
    title="正文",
    rows=(Row("proactive_total", "主动公开政府信息数", meaning="items proactively disclosed"),),
    columns=(Column("value", "数值"),),
)

LAYOUT = Layout(code="narrative", title="prose only", years=(2008, 2100), basis="—",
                blocks=(PROSE,))
