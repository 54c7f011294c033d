"""The per-batch work of a run, shared by the nightly flow and the benchmark.

A batch of sources is cut into chunks; each chunk is read, archived, parsed,
normalized into the warehouse tables and checked against the catalog's
identities *in a worker process* (``process_chunk``), so every CPU-bound step
uses both cores and only compact Arrow-backed frames travel back — never the
per-document ``ReportRecord`` objects, and no message of a check instance that holds
(``compact_checks``). The parent then validates the batch with
Great Expectations (one session per run) and streams it to the warehouse.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import pickle
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from flows.sources import Source

if TYPE_CHECKING:
    from expectations.validate import ValidationSession
    from flows.warehouse import Publication

STAGES = ("parse", "normalize", "identities")


@dataclass
class BatchStats:
    """What a summary needs to know about a batch, without its records."""

    documents: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_layout: Counter[str] = field(default_factory=Counter)
    by_format: Counter[str] = field(default_factory=Counter)
    figures: int = 0
    parse_issues: int = 0
    bytes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # worker time per stage

    def add(self, other: BatchStats) -> None:
        self.documents += other.documents
        self.by_status.update(other.by_status)
        self.by_layout.update(other.by_layout)
        self.by_format.update(other.by_format)
        self.figures += other.figures
        self.parse_issues += other.parse_issues
        self.bytes += other.bytes
        for stage, spent in other.seconds.items():
            self.seconds[stage] = self.seconds.get(stage, 0.0) + spent


@dataclass
class BatchOutput:
    """A parsed batch: its warehouse tables, its identity check frame, its numbers.

    Pickled (worker → flow process) as Arrow IPC bytes per frame: a third of the
    cost of pickling the DataFrames themselves, paid on the busy side.
    """

    tables: dict[str, pl.DataFrame]
    checks: pl.DataFrame
    stats: BatchStats
    parsed: list[tuple[str, str]]  # (source location, content sha256) per document

    def __reduce__(self) -> tuple[Any, ...]:
        frames = {name: _ipc_bytes(frame) for name, frame in self.tables.items()}
        return (_batch_output, (frames, _ipc_bytes(self.checks), self.stats, self.parsed))


def _ipc_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="uncompressed")
    return buffer.getvalue()


def _batch_output(frames: dict[str, bytes], checks: bytes, stats: BatchStats,
                  parsed: list[tuple[str, str]]) -> BatchOutput:
    tables = {name: pl.read_ipc(io.BytesIO(data)) for name, data in frames.items()}
    return BatchOutput(tables, pl.read_ipc(io.BytesIO(checks)), stats, parsed)


def process_chunk(sources: Sequence[Source], warehouse: str, run_id: str,
                  ingested_at: datetime) -> BatchOutput:
    """Read, archive, parse, normalize and evaluate identities for a few documents."""
    from flows.ingest import ingest_sources
    from transforms.identities import evaluate_identities
    from transforms.normalize import build_tables

    t0 = time.perf_counter()
    records = ingest_sources(sources, Path(warehouse))
    t1 = time.perf_counter()
    tables = build_tables(records, run_id=run_id, ingested_at=ingested_at)
    t2 = time.perf_counter()
    checks = evaluate_identities(tables["facts"], held_messages=False)  # = compact_checks
    t3 = time.perf_counter()
    stats = BatchStats(documents=len(records))
    for r in records:
        stats.by_status[r.parse_status] += 1
        stats.bytes += r.size_bytes
        if r.parsed is not None:
            stats.by_layout[r.parsed.template] += 1
            stats.by_format[r.parsed.format] += 1
            stats.figures += len(r.parsed.facts)
            stats.parse_issues += len(r.parsed.issues)
    stats.seconds.update({"parse": t1 - t0, "normalize": t2 - t1, "identities": t3 - t2})
    return BatchOutput(tables, checks, stats, [(r.source, r.content_sha256) for r in records])


def spool_output(out: BatchOutput, directory: Path) -> str:
    """Park a batch's output in a file and return its path.

    Prefect keeps what a task returns and what it is called with for the whole flow
    run: a BatchOutput (~70 KB a document) returned from a task grew the flow process
    by ~80 MB per 1,000 documents. Tasks pass this path instead; ``take_spooled``
    reads it back once and deletes the file.
    """
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, suffix=".batch")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(out, fh, pickle.HIGHEST_PROTOCOL)
    return name


def take_spooled(path: str) -> BatchOutput:
    with open(path, "rb") as fh:
        out: BatchOutput = pickle.load(fh)
    os.unlink(path)
    return out


VALIDATED = ("reports", "validation_results")  # the tables validation writes or changes


def validate_and_write(out: BatchOutput, publication: Publication,
                       session: ValidationSession | None) -> dict[str, pl.DataFrame]:
    """Validate a batch with GX and append it to the run's staged files.

    The tables validation does not touch are written on a thread while GX runs:
    Parquet encoding and compression release the GIL, so on a run's last batch,
    when the workers are idle, the two overlap instead of adding up.
    """
    rest = {k: v for k, v in out.tables.items() if k not in VALIDATED}
    with ThreadPoolExecutor(max_workers=1) as writer:
        written = writer.submit(publication.write, rest)
        tables = (session.validate(out.tables, checks=out.checks) if session is not None
                  else dict(out.tables))
        written.result()
    publication.write({k: tables[k] for k in VALIDATED if k in tables})
    return tables


def compact_checks(checks: pl.DataFrame) -> pl.DataFrame:
    """The check frame as shipped to the parent: messages of instances that hold dropped.

    Nothing reads them: validation_results describe a check that holds by one summary
    row per report, and a failing instance (``holds`` false, the same comparison GX
    makes) keeps its message. Most instances hold (A5 alone is ~90 a report), so this
    halves what a chunk sends back and what the parent unpickles.
    """
    held = pl.col("holds").fill_null(False)
    return checks.with_columns(
        message=pl.when(held).then(pl.lit(None, pl.String)).otherwise(pl.col("message")))


def merge_outputs(outputs: Sequence[BatchOutput]) -> BatchOutput:
    """One batch from its chunks, in input order."""
    from transforms.identities import CHECK_SCHEMA
    from transforms.normalize import empty_frame

    if not outputs:
        from transforms.normalize import TABLES

        return BatchOutput({t: empty_frame(t) for t in TABLES},
                           pl.DataFrame(schema=CHECK_SCHEMA), BatchStats(), [])
    stats = BatchStats()
    for out in outputs:
        stats.add(out.stats)
    tables = {name: pl.concat([o.tables[name] for o in outputs], how="vertical")
              for name in outputs[0].tables}
    checks = pl.concat([o.checks for o in outputs], how="vertical")
    return BatchOutput(tables, checks, stats, [p for o in outputs for p in o.parsed])


def chunks(items: Sequence[Source], size: int) -> Iterator[Sequence[Source]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def chunk_size(n: int, workers: int) -> int:
    """Enough chunks to keep every worker busy (4 per worker), none too small or too big."""
    return max(4, min(64, -(-n // (4 * max(1, workers)))))


def submit_batch(pool: Executor, batch: Sequence[Source], warehouse: str, run_id: str,
                 ingested_at: datetime, workers: int) -> list[Future[BatchOutput]]:
    """Start a batch's chunks on the pool; ``collect`` waits for them."""
    size = chunk_size(len(batch), workers)
    return [pool.submit(process_chunk, list(part), warehouse, run_id, ingested_at)
            for part in chunks(batch, size)]


def collect(futures: Sequence[Future[BatchOutput]]) -> BatchOutput:
    return merge_outputs([f.result() for f in futures])


def parse_batch(batch: Sequence[Source], warehouse: str, run_id: str, ingested_at: datetime,
                pool: Executor | None = None, workers: int = 1) -> BatchOutput:
    """One batch on the pool (or in this process without one)."""
    if pool is None or len(batch) <= 4:
        return process_chunk(batch, warehouse, run_id, ingested_at)
    return collect(submit_batch(pool, batch, warehouse, run_id, ingested_at, workers))


_WARM_DOCS = 16  # generated documents parsed by each new worker (all layouts and formats)


def _warm() -> int:
    """Ready a fresh worker: imports, and the state the parsers build on first use.

    Catalog indexes, memoized label keys and number readings, region tables and
    compiled patterns are filled by parsing a few generated documents here, once per
    worker: the parser child (flows/ingest.py) is forked from this process and
    inherits them, and so does any replacement of it. The warmed heap is then frozen
    (``gc.freeze``): the collector never walks it again, here or in the child.
    """
    import flows.ingest  # noqa: F401
    from flows.samples import generate_corpus
    from transforms.identities import evaluate_identities
    from transforms.normalize import build_tables
    from transforms.parse import ingest, parse_bytes

    parse_bytes("<html><body><p>政府信息公开工作年度报告</p></body></html>".encode(), "w.html")
    records = [ingest(data, name) for name, data, _ in generate_corpus(_WARM_DOCS, seed=1)]
    evaluate_identities(build_tables(records, run_id="warm", ingested_at=datetime.now(UTC))[
        "facts"])
    del records
    gc.collect()
    gc.freeze()  # what exists now is never scanned again: forked children leave it unshared
    return os.getpid()


def start_pool(workers: int) -> ProcessPoolExecutor:
    """The run's parser processes, started once and warmed (imports, catalogs, regions).

    Started from a fork server, not forked from this process: the flow process has
    threads (Prefect, polars, GX), and a child forked while one of them holds a lock can
    hang forever on it.
    """
    pool = ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("forkserver"))
    for f in [pool.submit(_warm) for _ in range(workers)]:
        f.result()
    return pool


_POOL: ProcessPoolExecutor | None = None


def current_pool() -> ProcessPoolExecutor | None:
    """The run's process pool in this process (None on a Dask worker or with one worker)."""
    return _POOL


@contextmanager
def pool_scope(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """Start the run's pool (more than one worker), make it current, shut it down after."""
    global _POOL
    if workers <= 1:
        yield None
        return
    pool = start_pool(workers)
    previous, _POOL = _POOL, pool
    try:
        yield pool
    finally:
        _POOL = previous
        pool.shutdown(wait=True, cancel_futures=True)
