"""`ogi samples`: regenerate the bundled sample documents."""

from __future__ import annotations

import sys
from pathlib import Path

from flows.settings import default_samples_dir


def run_samples(out: Path | None, seed: int) -> int:
    from flows.samples import write_samples

    target = out or default_samples_dir()
    paths = write_samples(target, seed=seed)
    print(f"wrote {len(paths)} sample documents (with .truth.json) to {target}", file=sys.stderr)
    return 0
