"""`ogi query "SQL"`: DuckDB over the warehouse, every table a view by its name."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TextIO

import duckdb
import polars as pl

from flows.warehouse import unpublished_reason
from transforms.normalize import PARTITION_COLUMN, SCHEMAS, TABLES, empty_frame

FORMATS = ("table", "csv", "json", "parquet")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def connect(warehouse: Path | str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per warehouse table (columns in contract order).

    Each view reads the version the table's link points at when the view is made,
    so a publish during the query does not mix versions. A table not published
    yet is an empty view with its schema. A URL warehouse: each view scans the files
    its manifest names (read once, when the views are made).
    """
    from flows.remote_warehouse import is_url

    if is_url(warehouse):
        return _connect_url(str(warehouse))
    warehouse = Path(warehouse)
    con = duckdb.connect()
    for name in TABLES:
        link = warehouse / name
        root = Path(os.path.realpath(link)) if link.exists() else None
        if root is None or not any(root.glob("*/*.parquet")):
            con.register(f"_{name}_empty", empty_frame(name).to_arrow())
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM "_{name}_empty"')
            continue
        cols = ", ".join(f'"{c}"' for c in SCHEMAS[name])
        pattern = str(root / "**" / "*.parquet").replace("'", "''")
        con.execute(
            f'CREATE VIEW "{name}" AS SELECT {cols} FROM read_parquet(\'{pattern}\', '
            f"hive_partitioning = true, hive_types = {{'{PARTITION_COLUMN}': INTEGER}})")
    return con


def _connect_url(url: str) -> duckdb.DuckDBPyConnection:
    from flows.remote_warehouse import read_remote_manifest, table_dataset

    remote = read_remote_manifest(url)
    con = duckdb.connect()
    for name in TABLES:
        dataset = table_dataset(url, name, remote.manifest) if remote else None
        source = dataset if dataset is not None else empty_frame(name).to_arrow()
        con.register(f"_{name}_data", source)
        cols = ", ".join(f'"{c}"' for c in SCHEMAS[name])
        con.execute(f'CREATE VIEW "{name}" AS SELECT {cols} FROM "_{name}_data"')
    return con


def query_frame(sql: str, warehouse: Path | str) -> pl.DataFrame:
    con = connect(warehouse)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


def _write_text(text: str, output: Path | None, stdout: TextIO) -> None:
    if output is None:
        stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text, encoding="utf-8")


def run_query(sql: str, warehouse: Path | str, fmt: str = "table", output: Path | None = None,
              stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    if fmt not in FORMATS:
        print(f"ogi query: --format must be one of {', '.join(FORMATS)}", file=sys.stderr)
        return EXIT_USAGE
    if fmt == "parquet" and output is None:
        print("ogi query: --format parquet needs --output FILE", file=sys.stderr)
        return EXIT_USAGE
    reason = unpublished_reason(warehouse)
    if reason is not None:
        print(f"ogi query: {reason}", file=sys.stderr)
        return EXIT_USAGE
    try:
        frame = query_frame(sql, warehouse)
    except duckdb.Error as exc:
        print(f"ogi query: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if fmt == "parquet":
        assert output is not None
        frame.write_parquet(output)
    elif fmt == "csv":
        _write_text(frame.write_csv(), output, out)
    elif fmt == "json":
        _write_text(json.dumps(frame.to_dicts(), ensure_ascii=False, indent=2, default=str),
                    output, out)
    else:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=80, tbl_width_chars=200,
                       tbl_hide_dataframe_shape=True):
            _write_text(str(frame), output, out)
    return EXIT_OK
