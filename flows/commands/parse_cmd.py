"""`ogi parse FILE`: the debugging view of one document."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from transforms.catalog import find_block
from transforms.document import Fact, ReportRecord
from transforms.parse import ingest


def _labels(template: str, fact: Fact) -> tuple[str, str]:
    try:
        block = find_block(template, fact.block)
        return block.row(fact.row_code).label, block.column(fact.col_code).label
    except KeyError:
        return fact.row_code, fact.col_code


def record_as_dict(record: ReportRecord) -> dict[str, Any]:
    out: dict[str, Any] = {
        "source": record.source, "report_id": record.report_id,
        "content_sha256": record.content_sha256, "parse_status": record.parse_status,
        "error": record.error,
    }
    parsed = record.parsed
    if parsed is None:
        return out
    meta = parsed.metadata
    out.update({
        "format": parsed.format, "template": parsed.template, "encoding": parsed.encoding,
        "metadata": {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                     for k, v in vars(meta).items()},
        "facts": [], "issues": [vars(i) for i in parsed.issues],
    })
    for f in parsed.facts:
        row_label, col_label = _labels(parsed.template, f)
        out["facts"].append({
            "block": f.block, "row_code": f.row_code, "row_label": row_label,
            "col_code": f.col_code, "col_label": col_label, "value": f.value, "raw": f.raw,
            "unit": f.unit, "source_ref": f.source_ref,
        })
    return out


def _fmt_value(v: float | None) -> str:
    if v is None:
        return "null"
    return str(int(v)) if float(v).is_integer() else repr(v)


def print_human(d: dict[str, Any]) -> None:
    print(f"{d['source']}")
    print(f"  status   {d['parse_status']}" + (f"  error: {d['error']}" if d["error"] else ""))
    if "template" not in d:
        return
    print(f"  layout   {d['template']}   format {d['format']}   encoding {d['encoding']}")
    for key, value in d["metadata"].items():
        if value is not None:
            print(f"  {key:<18} {value}")
    print(f"  figures  {len(d['facts'])}")
    for f in d["facts"]:
        unit = f" {f['unit']}" if f["unit"] else ""
        print(f"    {f['block']:<12} {f['row_label']} × {f['col_label']} = "
              f"{_fmt_value(f['value'])}{unit}   raw={f['raw']!r}  at {f['source_ref']}")
    print(f"  issues   {len(d['issues'])}")
    for i in d["issues"]:
        print(f"    [{i['kind']}] {i['message']}" + (f"  at {i['where']}" if i["where"] else ""))


def run_parse(path: Path, as_json: bool) -> int:
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"ogi parse: cannot read {path}: {exc.strerror}. Check the path.", file=sys.stderr)
        return 2
    record = ingest(data, str(path))
    d = record_as_dict(record)
    if as_json:
        json.dump(d, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_human(d)
    return 1 if record.parse_status == "failed" else 0
