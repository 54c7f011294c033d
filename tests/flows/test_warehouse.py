"""publish/read_table on a temporary warehouse: partitions, idempotence, replacement, swap."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from flows import warehouse as wh
from flows.warehouse import Manifest, publish, read_table
from tests.report_builders import batch, broken_2021, shanghai_like
from transforms.normalize import SCHEMAS, build_tables

AT = datetime(2025, 1, 2, tzinfo=UTC)


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def test_publish_writes_hive_partitions_with_typed_columns_and_docs(tmp_path: Path) -> None:
    tables = build_tables(batch(), "run-1", AT)
    manifest = publish(tables, tmp_path)
    assert (tmp_path / "facts" / "report_year=2019" / "part-0.parquet").exists()
    assert (tmp_path / "reports" / "report_year=__HIVE_DEFAULT_PARTITION__" /
            "part-0.parquet").exists()
    for name, frame in tables.items():
        back = read_table(tmp_path, name)
        assert dict(back.schema) == SCHEMAS[name], name
        assert _sorted(back).equals(_sorted(frame)), name
        assert manifest.tables[name].rows == frame.height
    assert read_table(tmp_path, "reports").filter(
        report_id="fffffffffffffff6")["report_year"].to_list() == [None]
    meta = pq.read_schema(tmp_path / "facts" / "report_year=2019" / "part-0.parquet")
    assert meta.field("row_label").metadata[b"description"].decode().startswith("canonical")
    unit = pq.read_schema(tmp_path / "metrics" / "report_year=2019" / "part-0.parquet")
    assert unit.field("fees").metadata[b"unit"].decode() == "万元"
    on_disk = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["run_id"] == "run-1"
    assert "facts/report_year=2019/part-0.parquet" in on_disk["tables"]["facts"]["files"]
    assert Manifest.read(tmp_path) == manifest


def test_publishing_twice_is_idempotent(tmp_path: Path) -> None:
    tables = build_tables(batch(), "run-1", AT)
    publish(tables, tmp_path)
    first = {n: _sorted(read_table(tmp_path, n)) for n in tables}
    publish(tables, tmp_path)
    for n in tables:
        assert _sorted(read_table(tmp_path, n)).equals(first[n]), n


def test_a_report_in_the_batch_replaces_its_rows_and_others_are_kept(tmp_path: Path) -> None:
    publish(build_tables([shanghai_like(), broken_2021()], "run-1", AT), tmp_path)
    fixed = shanghai_like()
    assert fixed.parsed is not None
    fixed.parsed.facts = [f for f in fixed.parsed.facts if f.block != "item9"]
    publish(build_tables([fixed], "run-2", AT), tmp_path)
    reports = read_table(tmp_path, "reports")
    assert sorted(reports["report_id"].to_list()) == ["aaaaaaaaaaaaaaa1", "bbbbbbbbbbbbbbb2"]
    assert reports.filter(report_id="aaaaaaaaaaaaaaa1")["run_id"].to_list() == ["run-2"]
    assert reports.filter(report_id="bbbbbbbbbbbbbbb2")["run_id"].to_list() == ["run-1"]
    facts = read_table(tmp_path, "facts")
    assert facts.filter(report_id="aaaaaaaaaaaaaaa1", block="item9").height == 0
    assert facts.filter(report_id="bbbbbbbbbbbbbbb2").height == 25 * 7 + 15 + 1


def test_table_is_a_symlink_swapped_to_a_complete_version(tmp_path: Path) -> None:
    tables = build_tables(batch(), "run-1", AT)
    publish(tables, tmp_path)
    v1 = os.path.realpath(tmp_path / "facts")
    publish(tables, tmp_path)
    v2 = os.path.realpath(tmp_path / "facts")
    publish(tables, tmp_path)
    v3 = os.path.realpath(tmp_path / "facts")
    assert (tmp_path / "facts").is_symlink()
    assert len({v1, v2, v3}) == 3
    assert not Path(v1).exists() and Path(v2).exists()  # previous kept, older pruned
    assert not (tmp_path / ".staging").exists() or not any((tmp_path / ".staging").iterdir())


def test_a_failure_while_writing_leaves_the_published_table_untouched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    publish(build_tables([shanghai_like()], "run-1", AT), tmp_path)
    before = _sorted(read_table(tmp_path, "facts"))
    link_before = os.readlink(tmp_path / "facts")

    def broken_write(*args: object, **kwargs: object) -> list[Path]:
        raise OSError("disk full")

    monkeypatch.setattr(wh, "write_partitions", broken_write)
    with pytest.raises(OSError, match="disk full"):
        publish(build_tables([broken_2021()], "run-2", AT), tmp_path)
    assert os.readlink(tmp_path / "facts") == link_before
    assert _sorted(read_table(tmp_path, "facts")).equals(before)
    assert Manifest.read(tmp_path) is not None
    assert Manifest.read(tmp_path).run_id == "run-1"  # type: ignore[union-attr]


def test_empty_tables_publish_and_read_back_typed(tmp_path: Path) -> None:
    publish(build_tables([], "run-0", AT), tmp_path)
    for name in SCHEMAS:
        back = read_table(tmp_path, name)
        assert back.height == 0 and dict(back.schema) == SCHEMAS[name]
    assert read_table(tmp_path / "nowhere", "facts").height == 0
