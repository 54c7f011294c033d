"""`ogi run`: the pipeline once, with progress on stderr and a summary on stdout."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from flows.progress import stderr_progress
from flows.settings import PROJECT_ROOT, default_samples_dir
from flows.sources import SourceError, iter_sources


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
    print(f"  reports failing validation  {s['reports_failing_validation']}"
          + ("   (details: ogi failures)" if s["reports_failing_validation"] else ""))
    if s.get("validation_report"):
        print(f"  validation report  {s['validation_report']}")
    if s.get("fetch"):
        print("  fetch      " + ", ".join(f"{k.replace('_', ' ')} {v}"
                                          for k, v in s["fetch"].items()))
    tables = ", ".join(f"{k} {v}" for k, v in s["tables"].items())
    print(f"  tables     {tables}")
    if s.get("working_copy"):
        m = s.get("mirror") or {}
        print(f"  mirror     {m.get('files_uploaded', 0)} files "
              f"({m.get('bytes_uploaded', 0) / 1e6:.1f} MB) uploaded, "
              f"{m.get('files_deleted', 0)} old files deleted, manifest "
              + ("written" if m.get("committed") else "unchanged")
              + f"; working copy {s['working_copy']}")
        for warning in m.get("warnings", []):
            print(f"  warning    {warning}")


def run_pipeline_cli(sources: list[str], warehouse: Path | str, batch_size: int,
                     workers: int | None, as_json: bool, quiet: bool,
                     sources_file: Path | None = None, crawl_delay: float | None = None,
                     timeout: float | None = None, notify: str | None = None,
                     runner: str = "local", dask_address: str | None = None,
                     reparse: bool = False, cache_dir: Path | None = None) -> int:
    """``warehouse`` is a directory, or an fsspec URL (a string) worked on in a local copy
    under ``cache_dir`` and mirrored (flows/remote_warehouse.py)."""
    from flows.remote_warehouse import RemoteWarehouseError, is_url, open_url

    say = stderr_progress(quiet)
    if batch_size < 1:
        print("ogi run: --batch-size must be at least 1", file=sys.stderr)
        return 2
    if sources_file is not None and not sources_file.is_file():
        print(f"ogi run: --sources-file {sources_file}: no such file", file=sys.stderr)
        return 2
    if not sources and sources_file is None and configured_sites(PROJECT_ROOT / "sources.toml"):
        sources_file = PROJECT_ROOT / "sources.toml"
        say(f"no SOURCE given: crawling the sites listed in {sources_file}")
    if not sources and sources_file is None:
        from flows.samples import write_samples

        samples = default_samples_dir()
        if not (samples / "index.json").exists():
            say(f"no SOURCE given: generating the bundled samples into {samples}")
            write_samples(samples)
        say(f"no SOURCE given: ingesting the bundled samples in {samples}")
        sources = [str(samples)]
    try:
        n = sum(1 for _ in iter_sources(sources))
    except SourceError as exc:
        print(f"ogi run: {exc}", file=sys.stderr)
        return 2
    if is_url(warehouse):
        try:
            open_url(str(warehouse))  # unknown protocol or backend not installed: usage error
        except RemoteWarehouseError as exc:
            print(f"ogi run: --warehouse: {exc}", file=sys.stderr)
            return 2
        target = str(warehouse)
    else:
        local = Path(warehouse)
        local.mkdir(parents=True, exist_ok=True)
        target = str(local.resolve())
    say(f"{n} sources to ingest; starting the Prefect flow (ephemeral server)")
    from flows.nightly import flow_for

    try:
        summary = flow_for(runner, dask_address, workers)(
            sources, target, batch_size=batch_size, workers=workers, quiet=quiet,
            sources_file=str(sources_file) if sources_file else None, crawl_delay=crawl_delay,
            crawl_timeout=timeout, notify=notify or configured_notify(), runner=runner,
            reparse=reparse, cache_dir=str(cache_dir) if cache_dir else None)
    except RemoteWarehouseError as exc:
        print(f"ogi run: {exc}", file=sys.stderr)
        return 1
    if as_json:
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_summary(summary)
    return 0


def configured_notify() -> str | None:
    """The webhook of ogi.toml ($OGI_CONFIG), when the file exists and sets one."""
    from flows.config import ConfigError, config_path, load_config

    if not config_path().is_file():
        return None
    try:
        return load_config().notify or None
    except ConfigError as exc:
        print(f"ogi run: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


def configured_sites(path: Path) -> bool:
    """True when the repo's sources file lists at least one site (examples are commented)."""
    if not path.is_file():
        return False
    from flows.crawl import SourcesError, load_sources

    try:
        return bool(load_sources(path))
    except SourcesError as exc:
        print(f"ogi run: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
