"""Read documents (files or URLs), keep their raw bytes, and parse them in worker processes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from flows.fetch_one import FetchError, fetch_bytes
from flows.raw_archive import keep_raw
from flows.sources import Source
from transforms.document import ReportRecord
from transforms.parse import ingest, report_id_for


def _suffix(location: str, is_url: bool) -> str:
    name = PurePosixPath(urlsplit(location).path).name if is_url else Path(location).name
    return PurePosixPath(name).suffix.lower() or ".bin"


def _failed(source: Source, data: bytes, error: str) -> ReportRecord:
    digest = hashlib.sha256(data).hexdigest()
    return ReportRecord(report_id_for(digest), source.location, digest, len(data), "failed",
                        error, None)


def _parse_one(item: tuple[bytes, str]) -> ReportRecord:
    data, location = item
    return ingest(data, location)


def read_source(source: Source) -> bytes:
    if source.raw_path is not None:
        return Path(source.raw_path).read_bytes()
    if source.is_url:
        return fetch_bytes(source.location)
    return Path(source.location).read_bytes()


def ingest_sources(sources: Sequence[Source], warehouse: Path,
                   pool: ProcessPoolExecutor | None = None) -> list[ReportRecord]:
    """One record per source, in input order; unreadable sources become failed records."""
    loaded: list[tuple[int, bytes]] = []
    records: list[ReportRecord | None] = [None] * len(sources)
    for i, source in enumerate(sources):
        try:
            data = read_source(source)
        except (OSError, FetchError) as exc:
            records[i] = _failed(source, b"", f"cannot read {source.location}: {exc}")
            continue
        loaded.append((i, data))
    items = [(data, sources[i].location) for i, data in loaded]
    parsed = list(pool.map(_parse_one, items, chunksize=8)) if pool else map(_parse_one, items)
    for (i, data), record in zip(loaded, parsed, strict=True):
        source = sources[i]
        record.raw_path = str(keep_raw(warehouse, record.content_sha256,
                                       _suffix(source.location, source.is_url), data))
        records[i] = record
    return [r for r in records if r is not None]


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
