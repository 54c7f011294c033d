"""Publish the normalized tables into the Parquet warehouse, atomically per table.

Layout on disk::

    <warehouse>/manifest.json                        written last
    <warehouse>/<table> -> .versions/<table>/<version>   a symlink, swapped atomically
    <warehouse>/.versions/<table>/<version>/report_year=2019/part-0.parquet
    <warehouse>/.versions/<table>/<version>/report_year=__HIVE_DEFAULT_PARTITION__/part-0.parquet
    <warehouse>/.staging/<version>/<table>/...        where a version is written first

Why a symlink: a directory cannot be replaced by rename while it exists, and
two renames leave a moment with no table at all. Writing the new version
under ``.staging``, renaming it into ``.versions`` and then ``os.replace``-ing
the ``<table>`` symlink is one atomic step for readers: they resolve the link
and see the old version or the new one, never half of either. The previous
version is kept (a reader may still be scanning it); older ones are removed.

Merging: a report_id present in the batch replaces all of that report's rows
(same content → same id → same rows, so publishing twice is idempotent);
other reports are kept. ``validation_results`` keeps history: rows are
replaced per (run_id, report_id).

Reports whose data year is unknown live in the Hive default partition and
read back with ``report_year`` null.
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
    def read(cls, warehouse: Path) -> Manifest | None:
        path = warehouse / MANIFEST
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(run_id=data["run_id"], published_at=data["published_at"],
                   tables={k: TableEntry(**v) for k, v in data["tables"].items()})


def read_table(warehouse: Path, name: str) -> pl.DataFrame:
    """The whole table, typed by its schema; an absent table is an empty typed frame."""
    schema = SCHEMAS[name]
    link = warehouse / name
    if not link.exists():
        return empty_frame(name)
    root = Path(os.path.realpath(link))  # pin one version for the whole scan
    if not any(root.glob("*/*.parquet")):
        return empty_frame(name)
    frame = pl.scan_parquet(str(root / "**" / "*.parquet"), hive_partitioning=True,
                            hive_schema={PARTITION_COLUMN: pl.Int32()}).collect()
    return frame.select(list(schema)).cast(schema)  # type: ignore[arg-type]


def merge(old: pl.DataFrame, new: pl.DataFrame, name: str,
          batch_ids: set[str]) -> pl.DataFrame:
    """Old rows of reports not in this batch, then the batch's rows."""
    keys = MERGE_KEYS.get(name, ("report_id",))
    if keys == ("report_id",):
        ids = batch_ids | set(new["report_id"].drop_nulls().to_list())
        kept = old.filter(~pl.col("report_id").is_in(list(ids)))
    else:
        replaced = new.select(keys).unique()
        kept = old.join(replaced, on=list(keys), how="anti", nulls_equal=True)
    return pl.concat([kept, new], how="vertical")


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


def write_partitions(frame: pl.DataFrame, root: Path, name: str,
                     run_id: str | None) -> list[Path]:
    """One part-0.parquet per report_year under ``root``; returns the files written."""
    schema = _arrow_schema(name, run_id)
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    years = frame[PARTITION_COLUMN].unique().sort(nulls_last=True).to_list()
    for year in years:
        part = frame.filter(pl.col(PARTITION_COLUMN).is_null() if year is None
                            else pl.col(PARTITION_COLUMN) == year).drop(PARTITION_COLUMN)
        table = part.to_arrow().cast(schema)
        path = root / _partition_dir(year) / "part-0.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)
        written.append(path)
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
    old = sorted((p for p in versions.iterdir() if p.name != current), key=lambda p: p.name)
    for path in old[: max(0, len(old) - (keep - 1))]:
        shutil.rmtree(path)


def _clear_stale_staging(warehouse: Path) -> None:
    """Remove what a crashed publish left in .staging (one writer at a time is assumed)."""
    staging = warehouse / STAGING
    if staging.exists():
        shutil.rmtree(staging)


def publish(tables: Mapping[str, pl.DataFrame], warehouse: Path,
            run_id: str | None = None, now: datetime | None = None,
            superseded: Iterable[str] = ()) -> Manifest:
    """Merge the batch into the warehouse, table by table, then write the manifest.

    ``superseded`` names report_ids whose document changed (a re-fetched page with new
    content): their rows go, the new version's rows come in.
    """
    warehouse.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now(UTC)
    if run_id is None and "reports" in tables and tables["reports"].height:
        run_id = tables["reports"]["run_id"].drop_nulls().first()  # type: ignore[assignment]
    version = f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:8]}"
    batch_ids: set[str] = set()
    if "reports" in tables:
        batch_ids = set(tables["reports"]["report_id"].drop_nulls().to_list())
    batch_ids |= set(superseded)
    _clear_stale_staging(warehouse)
    previous = Manifest.read(warehouse)
    entries = dict(previous.tables) if previous else {}
    staging = warehouse / STAGING / version
    for name, new in tables.items():
        schema = SCHEMAS[name]
        typed = new.select(list(schema)).cast(schema)  # type: ignore[arg-type]
        merged = merge(read_table(warehouse, name), typed, name, batch_ids)
        files = write_partitions(merged, staging / name, name, run_id)
        _swap(warehouse, name, staging / name, version)
        _prune(warehouse, name)
        entries[name] = TableEntry(
            rows=merged.height, version=version,
            files=[str(Path(name) / f.relative_to(staging / name)) for f in files])
    if staging.exists():
        staging.rmdir()  # every table was moved out of it
    manifest = Manifest(run_id=run_id, published_at=now.isoformat(), tables=entries)
    tmp = warehouse / f".{MANIFEST}.{version}"
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    os.replace(tmp, warehouse / MANIFEST)
    return manifest
