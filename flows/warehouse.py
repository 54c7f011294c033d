"""Publish the normalized tables into the Parquet warehouse: streamed per batch, swapped per table.

Layout on disk::

    <warehouse>/manifest.json                            written last
    <warehouse>/<table> -> .versions/<table>/<version>   a symlink, swapped atomically
    <warehouse>/.versions/<table>/<version>/report_year=2019/part-<version>.parquet
    <warehouse>/.versions/<table>/<version>/report_year=__HIVE_DEFAULT_PARTITION__/part-….parquet
    <warehouse>/.staging/<version>/<table>/...           where a run writes first

A run is a ``Publication``: ``write(tables)`` once per batch appends the batch
as one row group to an open Parquet file per (table, year) under ``.staging``
and forgets the rows, so memory does not grow with the run; ``commit()`` then
assembles each table's new version and swaps it in. A version directory holds
many part files: the new run's files, plus the previous version's files
*hard-linked* (no copy) unless they hold rows that this run replaces — only
those files are rewritten without the replaced rows. Which files those are is
found from the previous ``reports`` table (report_id → year) and the
report_id column of the part files of those years only; a run that adds new
reports rewrites nothing. docs/adr/002-streaming-publish.md has the reasons.

Why a symlink: a directory cannot be replaced by rename while it exists, and
two renames leave a moment with no table at all. ``os.replace``-ing the
``<table>`` symlink is one atomic step for readers: they resolve the link and
see the old version or the new one, never half of either. The previous
version is kept (a reader may still be scanning it); older ones are removed.
A plain ``<table>/**/*.parquet`` glob (DuckDB, polars) therefore always reads
exactly the current rows: no tombstones to resolve at read time.

Merging: a report_id present in the run replaces all of that report's rows
(same content → same id → same rows, so publishing twice is idempotent);
other reports are kept. ``validation_results`` keeps history: rows are
replaced per (run_id, report_id).

Reports whose data year is unknown live in the Hive default partition and
read back with ``report_year`` null.

A warehouse at an fsspec URL (s3://, gcs://, memory://…) is a local working copy
published here as above and then mirrored, manifest last: flows/remote_warehouse.py.
``read_table`` accepts such a URL.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from transforms.normalize import (
    COLUMN_DOCS,
    NULL_YEAR_PARTITION,
    PARTITION_COLUMN,
    SCHEMAS,
    empty_frame,
)

MANIFEST = "manifest.json"
VERSIONS = ".versions"
STAGING = ".staging"
MERGE_KEYS: dict[str, tuple[str, ...]] = {"validation_results": ("run_id", "report_id")}
MAX_PARTS = 32  # part files per partition before a commit compacts them into one


@dataclass
class TableEntry:
    rows: int
    version: str
    files: list[str] = field(default_factory=list)  # relative to the warehouse root


@dataclass
class Manifest:
    run_id: str | None
    published_at: str
    tables: dict[str, TableEntry]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse a manifest; keys it does not know (a URL warehouse's ``state``) are ignored."""
        data = json.loads(text)
        return cls(run_id=data["run_id"], published_at=data["published_at"],
                   tables={k: TableEntry(**v) for k, v in data["tables"].items()})

    @classmethod
    def read(cls, warehouse: Path) -> Manifest | None:
        path = warehouse / MANIFEST
        if not path.exists():
            return None
        return cls.from_json(path.read_text(encoding="utf-8"))


def has_manifest(warehouse: Path | str) -> bool:
    """Whether anything was published there: a directory, or an fsspec URL."""
    from flows.remote_warehouse import is_url, read_remote_manifest

    if is_url(warehouse):
        return read_remote_manifest(str(warehouse)) is not None
    return (Path(warehouse) / MANIFEST).exists()


def unpublished_reason(warehouse: Path | str) -> str | None:
    """Why a command cannot read ``warehouse`` (nothing published, a bad URL), or None."""
    from flows.remote_warehouse import RemoteWarehouseError

    try:
        published = has_manifest(warehouse)
    except RemoteWarehouseError as exc:
        return f"--warehouse: {exc}"
    if published:
        return None
    return (f"{warehouse} is not a published warehouse (no {MANIFEST}); "
            "run `ogi run` first or pass --warehouse DIR|URL")


def _current_root(warehouse: Path, name: str) -> Path | None:
    link = warehouse / name
    if not link.exists():
        return None
    return Path(os.path.realpath(link))  # pin one version for the whole scan


def read_table(warehouse: Path | str, name: str, columns: Iterable[str] | None = None,
               where: pl.Expr | None = None) -> pl.DataFrame:
    """The whole table (or some ``columns``, the rows ``where`` holds), typed by its schema;
    absent → empty typed frame.

    ``where`` is pushed down into the Parquet scan (applied as each row group is read),
    so a filtered read of a large table never holds all of it.
    ``warehouse`` may be an fsspec URL (flows/remote_warehouse.py): its manifest is read,
    then exactly the files it names.
    """
    if isinstance(warehouse, str):
        from flows.remote_warehouse import is_url, read_remote_table

        if is_url(warehouse):
            frame = read_remote_table(warehouse, name, columns)
            return frame if where is None else frame.filter(where)
        warehouse = Path(warehouse)
    schema = SCHEMAS[name]
    wanted = list(columns) if columns is not None else list(schema)
    root = _current_root(warehouse, name)
    if root is None or not any(root.glob("*/*.parquet")):
        return empty_frame(name).select(wanted)
    scan = pl.scan_parquet(str(root / "**" / "*.parquet"), hive_partitioning=True,
                           hive_schema={PARTITION_COLUMN: pl.Int32()})
    if where is not None:
        scan = scan.filter(where)
    frame = scan.select(wanted).collect()
    return frame.cast({c: schema[c] for c in wanted})


def _arrow_schema(name: str, run_id: str | None) -> pa.Schema:
    """Arrow schema of the files (partition column excluded) with column docs as metadata."""
    sample = empty_frame(name).drop(PARTITION_COLUMN).to_arrow()
    fields = []
    for f in sample.schema:
        doc = COLUMN_DOCS[name][f.name]
        meta = {"description": doc.meaning}
        if doc.unit:
            meta["unit"] = doc.unit
        if doc.label_zh:
            meta["label_zh"] = doc.label_zh
        fields.append(f.with_metadata(meta))
    year = COLUMN_DOCS[name][PARTITION_COLUMN]
    return pa.schema(fields, metadata={
        "table": name, "run_id": run_id or "",
        "partitioned_by": f"{PARTITION_COLUMN} (Int32): {year.meaning}"})


def _partition_dir(year: int | None) -> str:
    return f"{PARTITION_COLUMN}={NULL_YEAR_PARTITION if year is None else year}"


class PartWriters:
    """Open Parquet writers of one staged run: one file per (table, year), a row group per batch."""

    def __init__(self, root: Path, file_name: str, run_id: str | None) -> None:
        self.root = root
        self.file_name = file_name
        self.run_id = run_id
        self._open: dict[tuple[str, int | None], pq.ParquetWriter] = {}
        self._schemas: dict[str, pa.Schema] = {}

    def append(self, name: str, year: int | None, table: pa.Table) -> Path:
        path = self.root / name / _partition_dir(year) / self.file_name
        key = (name, year)
        writer = self._open.get(key)
        if writer is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = pq.ParquetWriter(path, self.schema(name))
            self._open[key] = writer
        writer.write_table(table)
        return path

    def schema(self, name: str) -> pa.Schema:
        if name not in self._schemas:
            self._schemas[name] = _arrow_schema(name, self.run_id)
        return self._schemas[name]

    def close(self) -> None:
        for writer in self._open.values():
            writer.close()
        self._open.clear()


def write_partitions(frame: pl.DataFrame, root: Path, name: str, run_id: str | None,
                     writers: PartWriters | None = None,
                     file_name: str = "part-0.parquet") -> list[Path]:
    """The frame's rows under ``root``, one file per report_year; returns the files written.

    With ``writers`` the rows are appended to that run's open files instead
    (``root`` is then the writers' root).
    """
    sink = writers or PartWriters(root, file_name, run_id)
    written: list[Path] = []
    try:
        if frame.height == 0:
            return written
        parts = frame.partition_by(PARTITION_COLUMN, as_dict=True, include_key=False)
        for (year,), part in sorted(parts.items(), key=lambda kv: (kv[0][0] is None,
                                                                  kv[0][0] or 0)):
            table = part.to_arrow().cast(sink.schema(name))
            written.append(sink.append(name, year, table))
    finally:
        if writers is None:
            sink.close()
    return written


def _swap(warehouse: Path, name: str, staged: Path, version: str) -> Path:
    """Move the staged version into .versions and point the table's symlink at it."""
    versions = warehouse / VERSIONS / name
    versions.mkdir(parents=True, exist_ok=True)
    final = versions / version
    os.rename(staged, final)
    link = warehouse / name
    if link.exists() and not link.is_symlink():
        raise RuntimeError(f"{link} is a real directory, not a published table link; "
                           "move it away before publishing")
    tmp = warehouse / f".{name}.{version}.link"
    os.symlink(os.path.relpath(final, warehouse), tmp)
    os.replace(tmp, link)  # the atomic step
    return final


def _prune(warehouse: Path, name: str, keep: int = 2) -> None:
    """Remove versions older than the current and the previous one."""
    versions = warehouse / VERSIONS / name
    current = Path(os.path.realpath(warehouse / name)).name
    manifest = Manifest.read(warehouse)  # never the version the manifest still names
    entry = manifest.tables.get(name) if manifest else None
    pinned = entry.version if entry else current
    old = sorted((p for p in versions.iterdir() if p.name != current), key=lambda p: p.name)
    for path in old[: max(0, len(old) - (keep - 1))]:
        if path.name != pinned:  # a run killed before its manifest still needs it
            shutil.rmtree(path)


def _clear_stale_staging(warehouse: Path) -> None:
    """Remove what a crashed publish left in .staging (one writer at a time is assumed)."""
    staging = warehouse / STAGING
    if staging.exists():
        shutil.rmtree(staging)


def _link_or_copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except OSError:  # a filesystem without hard links
        shutil.copy2(src, dest)


def _year_of(partition: str) -> int | None:
    value = partition.split("=", 1)[1]
    return None if value == NULL_YEAR_PARTITION else int(value)


class Publication:
    """One run's publish: ``write`` per batch (streamed to staging), then ``commit``."""

    def __init__(self, warehouse: Path, run_id: str | None = None,
                 now: datetime | None = None) -> None:
        self.warehouse = Path(warehouse)
        self.warehouse.mkdir(parents=True, exist_ok=True)
        self.now = now or datetime.now(UTC)
        self.run_id = run_id
        self.version = f"{self.now.strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:8]}"
        _clear_stale_staging(self.warehouse)
        self.staging = self.warehouse / STAGING / self.version
        self.staging.mkdir(parents=True)
        self.names: list[str] = []  # tables this run publishes, in first-seen order
        self.report_ids: set[str] = set()  # replaced in every report_id-keyed table
        self.run_keys: set[tuple[str | None, str | None]] = set()  # validation_results keys
        self._writers: PartWriters | None = None

    def write(self, tables: Mapping[str, pl.DataFrame]) -> None:
        """Append one batch to the staged files; the rows are not kept in memory."""
        if self.run_id is None and "reports" in tables and tables["reports"].height:
            self.run_id = tables["reports"]["run_id"].drop_nulls().first()  # type: ignore
        if self._writers is None:
            self._writers = PartWriters(self.staging, f"part-{self.version}.parquet",
                                        self.run_id)
        for name, new in tables.items():
            if name not in self.names:
                self.names.append(name)
            schema = SCHEMAS[name]
            typed = new.select(list(schema)).cast(schema)  # type: ignore[arg-type]
            keys = MERGE_KEYS.get(name, ("report_id",))
            if keys == ("report_id",):
                self.report_ids.update(typed["report_id"].drop_nulls().unique().to_list())
            else:
                self.run_keys.update(typed.select(keys).unique().iter_rows())
            write_partitions(typed, self.staging, name, self.run_id, writers=self._writers)

    def commit(self, superseded: Iterable[str] = ()) -> Manifest:
        """Swap every written table to its new version, then write the manifest."""
        if self._writers is not None:
            self._writers.close()
        replaced = self.report_ids | set(superseded)
        years = _years_of(self.warehouse, replaced)
        previous = Manifest.read(self.warehouse)
        entries = dict(previous.tables) if previous else {}
        order = list(SCHEMAS)  # the same swap order however the batches were written
        for name in sorted(self.names, key=lambda n: order.index(n) if n in order else len(order)):
            staged = self.staging / name
            staged.mkdir(parents=True, exist_ok=True)
            self._carry_over(name, staged, replaced, years)
            _compact(staged, name, self.run_id, self.version)
            files = sorted(staged.glob("*/*.parquet"))
            rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
            _swap(self.warehouse, name, staged, self.version)
            _prune(self.warehouse, name)
            entries[name] = TableEntry(
                rows=rows, version=self.version,
                files=[str(Path(name) / f.relative_to(staged)) for f in files])
        shutil.rmtree(self.staging, ignore_errors=True)
        staging_root = self.warehouse / STAGING
        if staging_root.exists() and not any(staging_root.iterdir()):
            staging_root.rmdir()
        manifest = Manifest(run_id=self.run_id, published_at=self.now.isoformat(),
                            tables=entries)
        tmp = self.warehouse / f".{MANIFEST}.{self.version}"
        tmp.write_text(manifest.to_json(), encoding="utf-8")
        os.replace(tmp, self.warehouse / MANIFEST)
        return manifest

    def abort(self) -> None:
        """Drop what was staged; the published tables were never touched."""
        if self._writers is not None:
            self._writers.close()
        shutil.rmtree(self.staging, ignore_errors=True)

    def _carry_over(self, name: str, staged: Path, replaced: set[str],
                    years: set[int | None] | None) -> None:
        """Previous version's files into the new one: hard links, or rewritten without
        the rows this run replaces."""
        old_root = _current_root(self.warehouse, name)
        if old_root is None:
            return
        keys = MERGE_KEYS.get(name, ("report_id",))
        by_id = keys == ("report_id",)
        for part_dir in sorted(p for p in old_root.iterdir() if p.is_dir()):
            year = _year_of(part_dir.name)
            for path in sorted(part_dir.glob("*.parquet")):
                dest = staged / part_dir.name / path.name
                if by_id:
                    hit = bool(replaced) and (years is None or year in years) and _holds_ids(
                        path, replaced)
                else:
                    hit = bool(self.run_keys) and _holds_run(path, self.run_keys)
                if not hit:
                    _link_or_copy(path, dest)
                    continue
                frame = pl.read_parquet(path)
                if by_id:
                    kept = frame.filter(~pl.col("report_id").is_in(list(replaced)))
                else:
                    done = pl.DataFrame(list(self.run_keys), schema={
                        k: SCHEMAS[name][k] for k in keys}, orient="row")
                    kept = frame.join(done, on=list(keys), how="anti", nulls_equal=True)
                if kept.height == frame.height:
                    _link_or_copy(path, dest)
                elif kept.height:
                    kept = kept.with_columns(pl.lit(year, pl.Int32).alias(PARTITION_COLUMN))
                    write_partitions(kept, staged.parent, name, self.run_id,
                                     file_name=f"{path.stem}-{self.version[-8:]}.parquet")


def _holds_ids(path: Path, ids: set[str]) -> bool:
    column = pq.read_table(path, columns=["report_id"]).column("report_id")
    return bool(pl.Series(column).is_in(list(ids)).any())


def _holds_run(path: Path, keys: set[tuple[str | None, str | None]]) -> bool:
    """Whether the file may hold rows of these runs, from the run_id column statistics."""
    runs = {run for run, _ in keys}
    meta = pq.ParquetFile(path).metadata
    index = meta.schema.names.index("run_id")
    for g in range(meta.num_row_groups):
        stats = meta.row_group(g).column(index).statistics
        if stats is None or not stats.has_min_max:
            return True
        if any(run is None or stats.min <= run <= stats.max for run in runs):
            return True
    return False


def _years_of(warehouse: Path, ids: set[str]) -> set[int | None] | None:
    """Partitions that may hold rows of these reports (their years in the published
    reports table); None when that cannot be told (no reports table): every partition."""
    if not ids:
        return set()
    if _current_root(warehouse, "reports") is None:
        return None
    reports = read_table(warehouse, "reports", columns=("report_id", PARTITION_COLUMN))
    hit = reports.filter(pl.col("report_id").is_in(list(ids)))
    return set(hit[PARTITION_COLUMN].unique().to_list())


def _compact(staged: Path, name: str, run_id: str | None, version: str) -> None:
    """A partition with more than MAX_PARTS files becomes one file (reads one partition)."""
    for part_dir in (p for p in staged.iterdir() if p.is_dir()):
        files = sorted(part_dir.glob("*.parquet"))
        if len(files) <= MAX_PARTS:
            continue
        target = part_dir / f"part-{version}-c.parquet"
        with pq.ParquetWriter(target, _arrow_schema(name, run_id)) as writer:
            for path in files:  # a row group at a time: memory stays flat
                for batch in pq.ParquetFile(path).iter_batches():
                    writer.write_table(pa.Table.from_batches([batch]).cast(writer.schema))
        for path in files:
            path.unlink()


def publish(tables: Mapping[str, pl.DataFrame], warehouse: Path,
            run_id: str | None = None, now: datetime | None = None,
            superseded: Iterable[str] = ()) -> Manifest:
    """Merge one set of tables into the warehouse, table by table, then write the manifest.

    ``superseded`` names report_ids whose document changed (a re-fetched page with new
    content): their rows go, the new version's rows come in. Runs with many batches
    use ``Publication`` directly to stream.
    """
    publication = Publication(warehouse, run_id, now)
    try:
        publication.write(tables)
        return publication.commit(superseded)
    except BaseException:
        publication.abort()
        raise
