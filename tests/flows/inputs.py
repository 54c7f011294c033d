"""A tiny input directory for flow tests: three generated documents, one breaking A2."""

from __future__ import annotations

import shutil
from pathlib import Path

KEEP = ("fmt2021-html-utf8-00.html", "fmt2021-html-utf8-broken-A2.html",
        "fmt2019-html-utf8-00.html")


def tiny_inputs(root: Path) -> Path:
    """Generate the bundled samples under ``root``/all and copy three of them to ``root``/in."""
    from flows.samples import write_samples

    write_samples(root / "all")
    src = root / "in"
    src.mkdir()
    for name in KEEP:
        shutil.copy(root / "all" / name, src / name)
    shutil.rmtree(root / "all")
    return src
