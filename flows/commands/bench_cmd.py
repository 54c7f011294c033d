"""`ogi bench`: throughput on generated documents; the last line is the one to compare."""

from __future__ import annotations

import sys
from pathlib import Path


def run_bench_cli(docs: int, seed: int, workers: int | None, batch_size: int,
                  baseline_max: int | None, corpus: Path | None,
                  unique: int | None = None) -> int:
    if docs < 1 or batch_size < 1 or (workers is not None and workers < 1) or (
            unique is not None and unique < 1):
        print("ogi bench: --docs, --batch-size, --workers and --unique must be at least 1",
              file=sys.stderr)
        return 2
    from flows.bench import run_bench

    def say(line: str) -> None:
        print(line, flush=True)

    run_bench(docs, seed=seed, workers=workers, batch_size=batch_size,
              baseline_max=baseline_max, corpus_dir=corpus, say=say, unique=unique)
    return 0
