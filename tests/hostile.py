"""Hostile and broken documents, generated here (never downloaded) for the robustness tests.

``write_hostile(out_dir, secret)`` writes one file per kind listed in issue 6 and returns
what each should come back as. ``secret`` is a local file whose content must never reach
the warehouse: the entity files point their external entities at it.

Run ``uv run python -m tests.hostile DIR`` to write the set by hand (e.g. for ``ogi run DIR``).
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from transforms.samples import generate_truth, render
from transforms.samples.truth import Truth

DEEP_LEVELS = 200_000
BIG_PAGE_BYTES = 30 * 1024 * 1024
BOMB_XML_BYTES = 400 * 1024 * 1024
SECRET_TOKEN = "OGI-SECRET-7f3a9c-DO-NOT-LEAK"


@dataclass(frozen=True)
class Hostile:
    name: str
    statuses: tuple[str, ...]  # acceptable parse_status values
    error_has: str | None  # a phrase the error must contain (None: no error expected)


# what each kind must come back as; ``error_has`` is matched case-insensitively
EXPECTED: tuple[Hostile, ...] = (
    Hostile("empty.html", ("failed",), "empty document"),
    Hostile("blank.txt", ("failed",), "empty document"),
    Hostile("random-bytes.pdf", ("failed",), "not a pdf"),
    Hostile("random-bytes.docx", ("failed",), "not a zip"),
    Hostile("truncated.pdf", ("failed",), "pdf"),
    Hostile("truncated.html", ("partial", "empty"), None),
    Hostile("deep-divs.html", ("failed", "not_a_report"), None),
    Hostile("deep-tables.html", ("failed", "not_a_report"), None),
    Hostile("big-page.html", ("failed",), "document larger than"),
    Hostile("zip-bomb.docx", ("failed",), "uncompressed"),
    Hostile("xxe.docx", ("failed",), "dtd"),
    Hostile("billion-laughs.docx", ("failed",), "dtd"),
    Hostile("xxe.xhtml.html", ("failed", "not_a_report"), None),
    Hostile("scanned.pdf", ("failed",), "no text layer"),
    Hostile("encrypted.pdf", ("failed",), "encrypted"),
    Hostile("news-page.html", ("not_a_report",), "annual-report"),
    Hostile("gbk-undeclared.html", ("ok", "partial"), None),
)


def gbk_truth() -> Truth:
    """The report behind gbk-undeclared.html (tests assert its figures come back)."""
    return generate_truth("fmt2021", 606)


def _docx(document_xml: bytes | None = None, *, stream_xml_bytes: int = 0) -> bytes:
    """A minimal .docx; ``stream_xml_bytes`` makes document.xml that many bytes of padding."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"/>')
        if stream_xml_bytes:
            head = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
                    b'.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
            tail = b"</w:t></w:r></w:p></w:body></w:document>"
            block = b" " * (1 << 20)
            with zf.open("word/document.xml", "w", force_zip64=True) as fh:
                fh.write(head)
                for _ in range(stream_xml_bytes // len(block)):
                    fh.write(block)
                fh.write(tail)
        else:
            zf.writestr("word/document.xml", document_xml or b"")
    return buf.getvalue()


def _w_doc(body: str, doctype: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>").encode()


def _xxe_docx(secret: Path) -> bytes:
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">]>'
    body = ("<w:p><w:r><w:t>某县人民政府2021年政府信息公开工作年度报告</w:t></w:r></w:p>"
            "<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>")
    return _docx(_w_doc(body, doctype))


def _billion_laughs_docx() -> bytes:
    ents = ['<!ENTITY l0 "lol">']
    ents += [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    doctype = f"<!DOCTYPE w:document [{''.join(ents)}]>"
    return _docx(_w_doc("<w:p><w:r><w:t>&l9;</w:t></w:r></w:p>", doctype))


def _xxe_xhtml(secret: Path) -> bytes:
    uri = secret.resolve().as_uri()
    ents = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">'
                                      for i in range(1, 10)]
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM "{uri}">'
            f'{"".join(ents)}]>\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
            "<title>政府信息公开工作年度报告</title></head><body><p>&xxe;</p><p>&l9;</p>"
            "<table><tr><td>&xxe;</td><td>1</td></tr></table></body></html>").encode()


def _pdf(draw_text: bool, password: str | None = None) -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    encrypt = pdfencrypt.StandardEncryption(password, ownerPassword=password + "-owner",
                                            strength=128) if password else None
    c = canvas.Canvas(buf, encrypt=encrypt, invariant=1)
    if draw_text:
        c.drawString(72, 720, "Annual report 2021")
    else:  # a scan: only shapes, no characters at all
        for i in range(40):
            c.rect(72 + (i % 8) * 50, 500 + (i // 8) * 40, 40, 30, fill=i % 2)
    c.showPage()
    c.save()
    return buf.getvalue()


def _news_page() -> bytes:
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>县城新闻</title></head><body>"
            "<h1>春季植树活动顺利举行</h1><p>3月12日，全县干部群众参加义务植树，共植树1200株。</p>"
            "<p>活动持续两小时，天气晴好。</p></body></html>").encode()


def build(secret: Path, seed: int = 6) -> dict[str, bytes]:
    """Every hostile kind as (file name → bytes); deterministic for a seed."""
    rng = random.Random(seed)
    good_html = render(generate_truth("fmt2021", 605), "html-utf8")
    gbk = render(gbk_truth(), "html-gbk-undeclared")
    assert b"charset" not in gbk.lower()
    big_row = "<tr><td>填充内容</td><td>0</td></tr>".encode()
    big = (b"<html><head><meta charset='utf-8'><title>big</title></head><body><table>"
           + big_row * (BIG_PAGE_BYTES // len(big_row) + 1) + b"</table></body></html>")
    files = {
        "empty.html": b"",
        "blank.txt": b"  \n\t \r\n",
        "random-bytes.pdf": rng.randbytes(64 * 1024),
        "random-bytes.docx": rng.randbytes(16 * 1024),
        "truncated.pdf": _pdf(True)[:300],
        "truncated.html": good_html[: len(good_html) * 7 // 10],  # past the Word <head>
        "deep-divs.html": b"<html><body>" + b"<div>" * DEEP_LEVELS + b"x" + b"</div>" * DEEP_LEVELS
        + b"</body></html>",
        "deep-tables.html": b"<html><body>" + b"<table><tr><td>" * DEEP_LEVELS + b"1",
        "big-page.html": big,
        "zip-bomb.docx": _docx(stream_xml_bytes=BOMB_XML_BYTES),
        "xxe.docx": _xxe_docx(secret),
        "billion-laughs.docx": _billion_laughs_docx(),
        "xxe.xhtml.html": _xxe_xhtml(secret),
        "scanned.pdf": _pdf(False),
        "encrypted.pdf": _pdf(True, password="s3cret"),
        "news-page.html": _news_page(),
        "gbk-undeclared.html": gbk,
    }
    assert set(files) == {h.name for h in EXPECTED}
    return files


def write_hostile(out_dir: Path, secret: Path | None = None) -> dict[str, Path]:
    """Write every hostile kind into ``out_dir``; the secret file goes beside it, not in it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if secret is None:
        secret = out_dir.parent / f"{out_dir.name}-secret.txt"
    if not secret.exists():
        secret.write_text(SECRET_TOKEN + "\n", encoding="utf-8")
    paths = {}
    for name, data in build(secret).items():
        path = out_dir / name
        path.write_bytes(data)
        paths[name] = path
    return paths


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.hostile OUT_DIR")
    for p in write_hostile(Path(sys.argv[1])).values():
        print(p)
