"""The fetch ledger: what each URL returned last, and which content was parsed by which parser.

Two Parquet files under `<warehouse>/ledger/`, each rewritten atomically (temp file +
os.replace), so a crashed run leaves the previous ledger intact:

- `fetches.parquet`: one row per URL, its latest state. Validators (etag, last_modified) and
  sha256/raw_path are those of the last body received, kept through later 304s and errors, so
  the next run can still ask conditionally. `status`/`error`/`fetched_at` are the latest attempt.
- `parsed.parquet`: one row per content sha256 with the parser version that last parsed it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

FETCH_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "url": pl.String,
    "status": pl.Int32,  # last HTTP status seen; null when no response came back
    "etag": pl.String,
    "last_modified": pl.String,
    "sha256": pl.String,  # of the last body received
    "raw_path": pl.String,  # where that body is kept (warehouse raw archive)
    "content_type": pl.String,
    "final_url": pl.String,  # after redirects
    "role": pl.String,  # list | report | attachment
    "referrer": pl.String,  # the page that linked it
    "title": pl.String,  # link text on the referring page
    "site": pl.String,
    "conditional": pl.Boolean,  # the latest request carried If-None-Match/If-Modified-Since
    "attempts": pl.Int32,
    "fetched_at": pl.Datetime("us", "UTC"),
    "changed_at": pl.Datetime("us", "UTC"),  # when sha256 last changed
    "error": pl.String,  # why the latest attempt failed; null on 200/304
}
PARSED_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "sha256": pl.String,
    "parser_version": pl.String,
    "parsed_at": pl.Datetime("us", "UTC"),
}


@dataclass
class FetchRow:
    url: str
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    raw_path: str | None = None
    content_type: str | None = None
    final_url: str | None = None
    role: str | None = None
    referrer: str | None = None
    title: str | None = None
    site: str | None = None
    conditional: bool = False
    attempts: int = 0
    fetched_at: datetime | None = None
    changed_at: datetime | None = None
    error: str | None = None


def ledger_dir(warehouse: Path) -> Path:
    return Path(warehouse) / "ledger"


def _write_atomic(df: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    df.write_parquet(tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Ledger:
    """In-memory view of both tables; thread-safe; `save()` writes them back."""

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = Path(warehouse)
        self._lock = threading.Lock()
        self._fetches: dict[str, FetchRow] = {}
        self._parsed: dict[str, tuple[str, datetime]] = {}

    @property
    def fetches_path(self) -> Path:
        return ledger_dir(self.warehouse) / "fetches.parquet"

    @property
    def parsed_path(self) -> Path:
        return ledger_dir(self.warehouse) / "parsed.parquet"

    @classmethod
    def load(cls, warehouse: Path) -> Ledger:
        led = cls(warehouse)
        if led.fetches_path.exists():
            names = {f.name for f in fields(FetchRow)}
            for rec in pl.read_parquet(led.fetches_path).to_dicts():
                row = FetchRow(**{k: v for k, v in rec.items() if k in names})
                led._fetches[row.url] = row
        if led.parsed_path.exists():
            for rec in pl.read_parquet(led.parsed_path).to_dicts():
                led._parsed[rec["sha256"]] = (rec["parser_version"], rec["parsed_at"])
        return led

    def get(self, url: str) -> FetchRow | None:
        with self._lock:
            return self._fetches.get(url)

    def put(self, row: FetchRow) -> None:
        with self._lock:
            self._fetches[row.url] = row

    def rows(self) -> list[FetchRow]:
        with self._lock:
            return sorted(self._fetches.values(), key=lambda r: r.url)

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame([asdict(r) for r in self.rows()], schema=FETCH_SCHEMA)

    def parsed_version(self, sha256: str) -> str | None:
        with self._lock:
            hit = self._parsed.get(sha256)
        return hit[0] if hit else None

    def needs_parse(self, sha256: str, parser_version: str) -> bool:
        """True unless this content was parsed by this parser version."""
        return self.parsed_version(sha256) != parser_version

    def mark_parsed(self, sha256s: Iterable[str], parser_version: str,
                    now: datetime | None = None) -> None:
        when = now or datetime.now(UTC)
        with self._lock:
            for sha in sha256s:
                self._parsed[sha] = (parser_version, when)

    def save(self) -> None:
        _write_atomic(self.frame(), self.fetches_path)
        with self._lock:
            items = sorted(self._parsed.items())
        parsed = pl.DataFrame(
            {"sha256": [k for k, _ in items], "parser_version": [v for _, (v, _) in items],
             "parsed_at": [t for _, (_, t) in items]}, schema=PARSED_SCHEMA)
        _write_atomic(parsed, self.parsed_path)


def read_fetches(warehouse: Path) -> pl.DataFrame:
    """The `fetches` table (empty with its schema when nothing was crawled yet)."""
    return Ledger.load(warehouse).frame()


def record_parsed(warehouse: Path, sha256s: Iterable[str], parser_version: str) -> None:
    """After parsing: remember that these contents were parsed with this parser version."""
    led = Ledger.load(warehouse)
    led.mark_parsed(sha256s, parser_version)
    led.save()
