"""Write the bundled samples: every layout × format, each with its truth beside it.

``ogi run`` with no SOURCE ingests this directory; tests assert the truth comes
back; ``ogi bench`` draws a larger corpus from ``generate_corpus``. Generation
is pure (transforms/samples); this module only writes files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from transforms.samples import COMBINATIONS, KINDS, Truth, generate_truth, iter_corpus, render

INDEX = "index.json"
# beyond one clean document per combination: what real life also serves
EXTRAS: tuple[tuple[str, str, str | None, tuple[str, ...]], ...] = (
    # (layout, kind, broken identity, quirks)
    ("fmt2021", "html-utf8", "A2", ()),  # （七）总计 ≠ the sum of its rows
    ("fmt2019", "html-utf8", None, ("total_blank_subrows",)),  # 总计 blank on sub-rows
)


def _truth_json(truth: Truth, kind: str, file_name: str) -> dict[str, Any]:
    data = truth.to_json()
    return {"file": file_name, "kind": kind, "format": KINDS[kind].format, **data}


def _write(out_dir: Path, stem: str, kind: str, truth: Truth) -> tuple[Path, dict[str, Any]]:
    name = f"{stem}.{KINDS[kind].ext}"
    path = out_dir / name
    path.write_bytes(render(truth, kind))
    doc = _truth_json(truth, kind, name)
    (out_dir / f"{stem}.truth.json").write_text(
        json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    entry = {"file": name, "truth": f"{stem}.truth.json", "layout": truth.layout, "kind": kind,
             "format": KINDS[kind].format, "agency": truth.meta.agency,
             "report_year": truth.meta.report_year, "facts": len(doc["facts"]),
             "expected_failures": list(truth.expected_failures)}
    return path, entry


def _remove_previous(out_dir: Path) -> None:
    """Delete the files an earlier run listed, so renamed kinds leave nothing stale."""
    index = out_dir / INDEX
    if not index.exists():
        return
    for entry in json.loads(index.read_text(encoding="utf-8")).get("documents", []):
        for key in ("file", "truth"):
            (out_dir / entry[key]).unlink(missing_ok=True)


def write_samples(out_dir: Path, n_per_kind: int = 1, seed: int = 0,
                  extras: bool = True) -> list[Path]:
    """Write ``n_per_kind`` documents per (layout, kind) plus the ``EXTRAS``; deterministic.

    Returns the document paths (not the truth files). ``index.json`` lists them all.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_previous(out_dir)
    paths: list[Path] = []
    entries: list[dict[str, Any]] = []
    for i, (layout, kind) in enumerate(COMBINATIONS):
        for j in range(n_per_kind):
            truth = generate_truth(layout, seed * 100_000 + i * 100 + j)
            path, entry = _write(out_dir, f"{layout}-{kind}-{j:02d}", kind, truth)
            paths.append(path)
            entries.append(entry)
    if extras:
        for k, (layout, kind, broken, quirks) in enumerate(EXTRAS):
            truth = generate_truth(layout, seed * 100_000 + 90_000 + k, broken=broken,
                                   quirks=quirks)
            tag = f"broken-{broken}" if broken else "-".join(q.replace("_", "-") for q in quirks)
            path, entry = _write(out_dir, f"{layout}-{kind}-{tag}", kind, truth)
            paths.append(path)
            entries.append(entry)
    index = {"seed": seed, "n_per_kind": n_per_kind, "documents": entries}
    (out_dir / INDEX).write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n",
                                 encoding="utf-8")
    return paths


def generate_corpus(n: int, seed: int) -> Iterator[tuple[str, bytes, Truth]]:
    """``n`` benchmark documents in realistic proportions: (file name, bytes, truth)."""
    for name, _kind, data, truth in iter_corpus(n, seed):
        yield name, data, truth


def load_truth(path: Path) -> dict[str, Any]:
    """The truth JSON written beside a sample document."""
    stem = path.name.rsplit(".", 1)[0]
    truth_path = path.with_name(f"{stem}.truth.json")
    data: dict[str, Any] = json.loads(truth_path.read_text(encoding="utf-8"))
    return data
