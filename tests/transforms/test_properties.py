"""Properties of the parsers over generated and mutated documents (hypothesis).

* Every (layout × kind) the sample generator knows reads back, for any seed, to
  exactly its truth: the same table facts, the same prose facts, the layout and
  the report year.
* Real documents cut, spliced and flipped at random never make ``ingest`` raise:
  whatever the bytes, the answer is a ReportRecord (failed ones say why).
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.document import ReportRecord
from transforms.docx_tables import read_docx
from transforms.parse import ingest, parse_bytes
from transforms.samples import COMBINATIONS, generate_truth, render
from transforms.samples.truth import QUIRKS

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
# `make test` and CI replay the same examples every run (a red build is reproducible);
# OGI_EXPLORE=1 explores new ones, and hypothesis keeps any failure it finds in .hypothesis/.
DERANDOMIZE = not os.environ.get("OGI_EXPLORE")

Key = tuple[str, str, str]


def _split(facts: dict[Key, float | None]) -> tuple[dict[Key, float | None],
                                                  dict[Key, float | None]]:
    tables = {k: v for k, v in facts.items() if k[0] != "prose"}
    prose = {k: v for k, v in facts.items() if k[0] == "prose"}
    return tables, prose


# ── generated documents round-trip ──────────────────────────────────────────

@pytest.mark.parametrize(("layout", "kind"), COMBINATIONS,
                         ids=[f"{a}-{b}" for a, b in COMBINATIONS])
@settings(max_examples=20, deadline=None, derandomize=DERANDOMIZE,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**31 - 1),
       quirks=st.sampled_from([(), *((q,) for q in QUIRKS)]))
def test_generated_documents_read_back_to_their_truth(layout: str, kind: str, seed: int,
                                                      quirks: tuple[str, ...]) -> None:
    truth = generate_truth(layout, seed, quirks=quirks if layout.startswith("fmt") else ())
    report = parse_bytes(render(truth, kind), f"sample.{kind}")
    assert report.template == layout
    assert report.metadata.report_year == truth.meta.report_year
    got: dict[Key, float | None] = {}
    for f in report.facts:
        key = (f.block, f.row_code, f.col_code)
        assert key not in got, f"{key} read twice"
        got[key] = f.value
    expected = {(f.block, f.row_code, f.col_code): f.value for f in truth.facts()}
    got_tables, got_prose = _split(got)
    want_tables, want_prose = _split(expected)
    assert got_tables == want_tables
    assert got_prose == want_prose


# ── mutated real documents never raise ──────────────────────────────────────

def _real_documents() -> list[Path]:
    found = [p for d in ("corpus", "seeds") if (SHARED / d).is_dir()
             for p in sorted((SHARED / d).iterdir()) if p.is_file() and p.suffix != ".md"]
    return found


REAL = _real_documents()
_MISSING = f"no real documents under {SHARED.resolve()}/corpus or /seeds (../shared is absent)"


@st.composite
def _mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """One random edit: truncate, delete, duplicate, flip, insert, or swap two slices."""
    n = len(data)
    op = draw(st.sampled_from(("truncate", "delete", "duplicate", "flip", "insert", "swap")))
    a, b = sorted((draw(st.integers(0, n)), draw(st.integers(0, n))))
    if op == "truncate":
        return data[:a]
    if op == "delete":
        return data[:a] + data[b:]
    if op == "duplicate":
        return data[:b] + data[a:b] + data[b:]
    if op == "flip":
        out = bytearray(data)
        for pos, byte in draw(st.lists(st.tuples(st.integers(0, max(n - 1, 0)),
                                                 st.integers(0, 255)), min_size=1, max_size=16)):
            if out:
                out[pos] = byte
        return bytes(out)
    if op == "insert":
        return data[:a] + draw(st.binary(min_size=1, max_size=64)) + data[a:]
    c, d = sorted((draw(st.integers(b, n)), draw(st.integers(b, n))))
    return data[:a] + data[c:d] + data[b:c] + data[a:b] + data[d:]


@st.composite
def _mutated_document(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(REAL))
    data = path.read_bytes()
    for _ in range(draw(st.integers(1, 3))):
        data = draw(_mutation(data))
    return path.name, data


@pytest.mark.skipif(not REAL, reason=_MISSING)
@settings(max_examples=500, deadline=None, derandomize=DERANDOMIZE,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(doc=_mutated_document() if REAL else st.nothing())
def test_mutated_real_documents_never_raise(doc: tuple[str, bytes]) -> None:
    name, data = doc
    record = ingest(data, name)
    assert isinstance(record, ReportRecord)
    assert record.source == name and record.size_bytes == len(data)
    assert record.parse_status in ("ok", "partial", "empty", "failed", "not_a_report")
    if record.parse_status == "failed":
        assert record.error and record.parsed is None  # the reason, never a half result
    else:
        assert record.parsed is not None
        assert record.parsed.status == record.parse_status or (
            record.parse_status == "not_a_report" and record.error)


# ── regressions found by the mutation property ─────────────────────────────

def _docx(document_xml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", document_xml)
    return buf.getvalue()


_BODY = (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
         b"<w:body><w:p><w:r><w:t>" + "政府信息公开工作年度报告".encode() +
         b"</w:t></w:r></w:p></w:body></w:document>")


def test_docx_with_a_damaged_member_is_a_failed_record() -> None:
    data = bytearray(_docx(_BODY))
    pos = bytes(data).index("政府".encode())
    data[pos] ^= 0xFF  # the stored bytes no longer match their CRC-32
    record = ingest(bytes(data), "damaged.docx")
    assert record.parse_status == "failed"
    assert record.error is not None and "damaged .docx" in record.error
    assert "CRC" in record.error


def test_docx_needing_a_newer_zip_version_is_not_a_docx() -> None:
    data = bytearray(_docx(_BODY))
    central = bytes(data).index(b"PK\x01\x02")
    data[central + 6:central + 8] = (148).to_bytes(2, "little")  # "version needed" 14.8
    with pytest.raises(ValueError, match=r"zip file version 14\.8"):
        read_docx(bytes(data))
    assert ingest(bytes(data), "new.docx").parse_status == "failed"


def test_docx_with_broken_xml_is_a_failed_record() -> None:
    record = ingest(_docx(_BODY[: len(_BODY) // 2]), "cut.docx")
    assert record.parse_status == "failed"
    assert record.error is not None and "not well-formed" in record.error


def test_pdf_with_a_page_that_cannot_be_loaded_is_still_read() -> None:
    data = render(generate_truth("fmt2021", 0), "pdf")
    kids = data[data.index(b"/Kids ["):data.index(b"]", data.index(b"/Kids ["))]
    last = kids.split(b" 0 R")[-2].split()[-1]
    record = ingest(data.replace(kids, kids.replace(last + b" 0 R", b"9999 0 R")), "cut.pdf")
    assert record.parsed is not None
    assert record.parse_status == "partial"
    assert "pdf_page_unreadable" in [i.kind for i in record.parsed.issues]


# Found by exploration (OGI_EXPLORE=1): in these generated fmt2021 PDFs table 三 comes back as
# `missing_cell` issues with null values ("no cell starts under its header") — loud, not wrong,
# but a real reader gap in pdf_text/national_tables. Kept here until fixed; strict, so the fix
# turns these red and they are then moved into the passing set.
@pytest.mark.xfail(strict=True, reason="known gap: fmt2021 PDF table 三 column mapping")
@pytest.mark.parametrize("seed", [4251, 5181])
def test_known_pdf_table3_gap(seed: int) -> None:
    truth = generate_truth("fmt2021", seed)
    report = parse_bytes(render(truth, "pdf"), "sample.pdf")
    got = {(f.block, f.row_code, f.col_code): f.value for f in report.facts}
    missing = [f for f in truth.facts() if f.block == "applications"
               and got.get((f.block, f.row_code, f.col_code)) != f.value]
    assert missing == []
