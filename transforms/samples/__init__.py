"""Synthetic reports with known truth: every layout in every format real sites use.

Pure generation, bytes out: ``generate_truth`` builds what a report states from
the layout catalog; the renderers print it as a Word-exported HTML page (three
encodings), a text dump (three shapes), a PDF or a DOCX. ``flows/samples.py``
writes them to disk; the benchmark draws from ``iter_corpus``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from .docx_doc import render_docx
from .html_word import render_html
from .pdf_doc import render_pdf
from .text_shapes import render_text
from .truth import ExpectedFact, ReportMeta, Truth, TruthCell, failed_identities, generate_truth


@dataclass(frozen=True)
class Kind:
    """One way a report reaches us: a file format and its variant."""

    code: str  # e.g. "html-gbk", "text-pipes"
    format: str  # html | text | pdf | docx (document.Format)
    ext: str


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("html-utf8", "html", "html"),
    Kind("html-gbk", "html", "html"),
    Kind("html-gbk-undeclared", "html", "htm"),
    Kind("text-pipes", "text", "txt"),
    Kind("text-cells", "text", "txt"),
    Kind("text-spaced", "text", "txt"),
    Kind("pdf", "pdf", "pdf"),
    Kind("docx", "docx", "docx"),
)}

_NATIONAL = ("html-utf8", "html-gbk", "html-gbk-undeclared", "text-pipes", "text-cells", "pdf",
             "docx")
_LEGACY = ("html-utf8", "html-gbk", "html-gbk-undeclared", "text-spaced")
# every (layout, kind) that real life has (report-formats.md §7)
COMBINATIONS: tuple[tuple[str, str], ...] = (
    *(("fmt2019", k) for k in _NATIONAL),
    *(("fmt2021", k) for k in _NATIONAL),
    *(("stat2014", k) for k in _LEGACY),
    *(("local2008", k) for k in _LEGACY),
    ("narrative", "html-utf8"), ("narrative", "html-gbk"), ("narrative", "text-pipes"),
)

# realistic shares for the benchmark corpus: mostly HTML, then text, some PDF/DOCX
_LAYOUT_WEIGHTS = {"fmt2021": 44, "fmt2019": 20, "stat2014": 12, "local2008": 8, "narrative": 16}
_KIND_WEIGHTS = {
    "fmt2019": {"html-utf8": 48, "html-gbk": 8, "html-gbk-undeclared": 4, "text-pipes": 14,
                "text-cells": 10, "pdf": 9, "docx": 7},
    "fmt2021": {"html-utf8": 48, "html-gbk": 8, "html-gbk-undeclared": 4, "text-pipes": 14,
                "text-cells": 10, "pdf": 9, "docx": 7},
    "stat2014": {"html-utf8": 45, "html-gbk": 25, "html-gbk-undeclared": 10, "text-spaced": 20},
    "local2008": {"html-utf8": 35, "html-gbk": 30, "html-gbk-undeclared": 15, "text-spaced": 20},
    "narrative": {"html-utf8": 70, "html-gbk": 10, "text-pipes": 20},
}


def render(truth: Truth, kind: str) -> bytes:
    """The document's bytes in the given kind (see ``KINDS``)."""
    if kind == "html-utf8":
        return render_html(truth, "utf-8")
    if kind == "html-gbk":
        return render_html(truth, "gbk")
    if kind == "html-gbk-undeclared":
        return render_html(truth, "gbk-undeclared")
    if kind == "text-pipes":
        return render_text(truth, "pipes")
    if kind == "text-cells":
        return render_text(truth, "cell_lines")
    if kind == "text-spaced":
        return render_text(truth, "spaced")
    if kind == "pdf":
        return render_pdf(truth)
    if kind == "docx":
        return render_docx(truth)
    raise ValueError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")


def iter_corpus(n: int, seed: int) -> Iterator[tuple[str, str, bytes, Truth]]:
    """``n`` documents in realistic proportions: (file name, kind, bytes, truth)."""
    rng = random.Random(f"corpus:{seed}")
    layouts = list(_LAYOUT_WEIGHTS)
    for i in range(n):
        layout = rng.choices(layouts, weights=[_LAYOUT_WEIGHTS[x] for x in layouts])[0]
        weights = _KIND_WEIGHTS[layout]
        kind = rng.choices(list(weights), weights=list(weights.values()))[0]
        truth = generate_truth(layout, seed * 1_000_000 + i)
        name = f"{i:06d}-{layout}-{kind}.{KINDS[kind].ext}"
        yield name, kind, render(truth, kind), truth


__all__ = [
    "COMBINATIONS", "KINDS", "ExpectedFact", "Kind", "ReportMeta", "Truth", "TruthCell",
    "failed_identities", "generate_truth", "iter_corpus", "render", "render_docx", "render_html",
    "render_pdf", "render_text",
]
