"""Plain-text extractions → text plus the grids their ` | ` lines still spell out.

Scraper dumps join a table row's cells with ` | ` (seed 001 shape). A run of
such lines is one grid; cells are kept as printed, trailing empty cells
included, because a trailing blank may be a real blank value cell. Rows keep
their own lengths (no spans are known), so grids from text are ragged.
"""

from __future__ import annotations

from .decode import decode_bytes
from .document import Cell, Extracted, Grid


def is_pipe_row(line: str) -> bool:
    """A line that joins two or more cells with ` | `."""
    return " | " in line


def split_pipe_line(line: str, line_no: int) -> list[Cell]:
    """Cells of one ` | `-joined line; a final '|' closes the last cell."""
    body = line.strip()
    parts = body.split("|")
    if body.endswith("|"):
        parts = parts[:-1]
    return [Cell(p.strip(), f"line {line_no} cell {k + 1}") for k, p in enumerate(parts)]


def read_text(data: bytes) -> Extracted:
    """Decode a text dump and rebuild grids from its runs of pipe-joined lines."""
    text, encoding = decode_bytes(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    tables: list[Grid] = []
    current: Grid = []
    for no, line in enumerate(text.split("\n"), start=1):
        if is_pipe_row(line):
            current.append(split_pipe_line(line, no))
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return Extracted("text", text, tables, encoding=encoding)
