"""Local files already parsed: a no-change nightly run must not read them again.

``<warehouse>/ledger/files.parquet`` keeps, per local path, the (size, mtime_ns)
seen when it was last parsed and the sha256 of its content. A file whose size and
mtime are unchanged, and whose content the ledger (flows/crawl/ledger.py) says was
parsed by the current parser version, is skipped without being opened. A file that
was touched but not changed is read and hashed once (cheap next to parsing) and then
skipped too. Crawled sources (URLs, archived bytes) have their own conditional
requests and are never skipped here.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from flows.sources import Source

FILES_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "path": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64, "sha256": pl.String}

Stat = tuple[int, int]  # size, mtime_ns


def files_path(warehouse: Path) -> Path:
    return Path(warehouse) / "ledger" / "files.parquet"


def _stat(path: str) -> Stat | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def load_files(warehouse: Path) -> dict[str, tuple[int, int, str]]:
    path = files_path(warehouse)
    if not path.exists():
        return {}
    frame = pl.read_parquet(path)
    return {p: (s, m, h) for p, s, m, h in frame.select(list(FILES_SCHEMA)).iter_rows()}


@dataclass
class Selection:
    to_parse: list[Source]
    unchanged: int  # skipped: same file, or same content, parsed by this parser version
    seen: dict[str, Stat]  # stat of each local file to parse, remembered after the run
    refreshed: list[tuple[str, str]]  # touched but same bytes: (path, sha256) to remember


def select_changed(items: Sequence[Source], warehouse: Path, parser_version: str) -> Selection:
    """The sources that need parsing; unchanged local files are left out."""
    from flows.crawl.ledger import Ledger

    known = load_files(warehouse)
    ledger: Ledger | None = None
    out: list[Source] = []
    seen: dict[str, Stat] = {}
    refreshed: list[tuple[str, str]] = []
    unchanged = 0
    for source in items:
        if source.is_url or source.raw_path is not None:
            out.append(source)
            continue
        stat = _stat(source.location)
        row = known.get(source.location)
        if stat is None or row is None:
            out.append(source)
            if stat is not None:
                seen[source.location] = stat
            continue
        if ledger is None:
            ledger = Ledger.load(warehouse)
        if (stat == row[:2] and not ledger.needs_parse(row[2], parser_version)):
            unchanged += 1
            continue
        digest = _sha256(source.location)
        if digest is not None and not ledger.needs_parse(digest, parser_version):
            unchanged += 1  # touched, same bytes: remember the new stat
            refreshed.append((source.location, digest))
            seen[source.location] = stat
            continue
        out.append(source)
        seen[source.location] = stat
    return Selection(out, unchanged, seen, refreshed)


def _sha256(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


_lock = threading.Lock()


def remember(warehouse: Path, seen: dict[str, Stat], parsed: Iterable[tuple[str, str]]) -> None:
    """After a published run: these (path, sha256) were parsed with the stat seen before."""
    rows = load_files(warehouse)
    for location, digest in parsed:
        stat = seen.get(location)
        if stat is not None:
            rows[location] = (*stat, digest)
    frame = pl.DataFrame(
        [(p, s, m, h) for p, (s, m, h) in sorted(rows.items())], schema=FILES_SCHEMA,
        orient="row")
    path = files_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        frame.write_parquet(tmp)
        os.replace(tmp, path)
