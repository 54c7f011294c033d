"""The layout catalog: every layout the parsers know, as data."""

from __future__ import annotations

from . import fmt2019, fmt2021, local2008, narrative, stat2014
from .model import Block, Column, Identity, Layout, Row

LAYOUTS: dict[str, Layout] = {
    m.LAYOUT.code: m.LAYOUT for m in (local2008, stat2014, fmt2019, fmt2021, narrative)
}
PROSE: Block = narrative.PROSE


def get_layout(code: str) -> Layout:
    try:
        return LAYOUTS[code]
    except KeyError:
        raise KeyError(f"unknown layout {code!r}; known: {', '.join(LAYOUTS)}") from None


def find_block(template: str, block: str) -> Block:
    """The catalog block a fact belongs to; prose figures share one block across layouts."""
    if block == PROSE.code:
        return PROSE
    return get_layout(template).block(block)


__all__ = ["LAYOUTS", "PROSE", "Block", "Column", "Identity", "Layout", "Row", "find_block",
           "get_layout"]
