"""`ogi run`: the pipeline once, with progress on stderr and a summary on stdout."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from flows.settings import default_samples_dir
from flows.sources import SourceError, iter_sources


def _progress(quiet: bool) -> Any:
    t0 = time.monotonic()

    def say(msg: str) -> None:
        if not quiet:
            print(f"[{time.monotonic() - t0:6.1f}s] {msg}", file=sys.stderr, flush=True)

    return say


def print_summary(s: dict[str, Any]) -> None:
    print(f"run {s['run_id']}  →  {s['warehouse']}")
    print(f"  documents  {s['documents']}")
    for title, key in (("status", "by_status"), ("layout", "by_layout"), ("format", "by_format")):
        parts = ", ".join(f"{k} {v}" for k, v in sorted(s[key].items()))
        print(f"  {title:<10} {parts or '—'}")
    print(f"  figures    {s['figures']}   parse issues {s['parse_issues']}")
    print(f"  checks     {s['checks_run']} run, {s['checks_failed']} failed"
          + (" (" + ", ".join(f"{k} {v}" for k, v in sorted(s['failed_by_check'].items())) + ")"
             if s["failed_by_check"] else ""))
    print(f"  reports failing validation  {s['reports_failing_validation']}")
    if s.get("validation_report"):
        print(f"  validation report  {s['validation_report']}")
    tables = ", ".join(f"{k} {v}" for k, v in s["tables"].items())
    print(f"  tables     {tables}")


def run_pipeline_cli(sources: list[str], warehouse: Path, batch_size: int, workers: int | None,
                     as_json: bool, quiet: bool) -> int:
    say = _progress(quiet)
    if batch_size < 1:
        print("ogi run: --batch-size must be at least 1", file=sys.stderr)
        return 2
    if not sources:
        from flows.samples import ensure_samples

        samples = default_samples_dir()
        say(f"no SOURCE given: using the bundled samples in {samples}")
        ensure_samples(samples)
        sources = [str(samples)]
    try:
        n = sum(1 for _ in iter_sources(sources))
    except SourceError as exc:
        print(f"ogi run: {exc}", file=sys.stderr)
        return 2
    say(f"{n} documents to ingest; starting the Prefect flow (ephemeral server)")
    from flows.nightly import nightly

    warehouse.mkdir(parents=True, exist_ok=True)
    summary = nightly(sources, str(warehouse.resolve()), batch_size=batch_size,
                      workers=workers, quiet=quiet)
    if as_json:
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_summary(summary)
    return 0
