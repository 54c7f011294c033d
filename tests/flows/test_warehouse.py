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


def _part(root: Path, table: str, partition: str) -> Path:
    """The one part file of a partition after a single publish (named by the run's version)."""
    (path,) = sorted((root / table / partition).glob("part-*.parquet"))
    return path


def test_publish_writes_hive_partitions_with_typed_columns_and_docs(tmp_path: Path) -> None:
    tables = build_tables(batch(), "run-1", AT)
    manifest = publish(tables, tmp_path)
    assert _part(tmp_path, "facts", "report_year=2019").exists()
    assert _part(tmp_path, "reports", "report_year=__HIVE_DEFAULT_PARTITION__").exists()
    for name, frame in tables.items():
        back = read_table(tmp_path, name)
        assert dict(back.schema) == SCHEMAS[name], name
        assert _sorted(back).equals(_sorted(frame)), name
        assert manifest.tables[name].rows == frame.height
    assert read_table(tmp_path, "reports").filter(
        report_id="fffffffffffffff6")["report_year"].to_list() == [None]
    meta = pq.read_schema(_part(tmp_path, "facts", "report_year=2019"))
    assert meta.field("row_label").metadata[b"description"].decode().startswith("canonical")
    unit = pq.read_schema(_part(tmp_path, "metrics", "report_year=2019"))
    assert unit.field("fees").metadata[b"unit"].decode() == "万元"
    on_disk = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["run_id"] == "run-1"
    assert (f"facts/report_year=2019/{_part(tmp_path, 'facts', 'report_year=2019').name}"
            in on_disk["tables"]["facts"]["files"])
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


def _inodes(root: Path, table: str) -> dict[str, int]:
    real = Path(os.path.realpath(root / table))
    return {str(p.relative_to(real)): p.stat().st_ino for p in real.glob("*/*.parquet")}


def test_a_run_streams_batches_into_one_file_per_partition(tmp_path: Path) -> None:
    run = wh.Publication(tmp_path, "run-1", AT)
    records = batch()
    for rec in records:  # one batch per report
        run.write(build_tables([rec], "run-1", AT))
    run.commit()
    whole = build_tables(records, "run-1", AT)
    for name in ("reports", "facts", "metrics"):
        assert _sorted(read_table(tmp_path, name)).equals(_sorted(whole[name])), name
    real = Path(os.path.realpath(tmp_path / "facts"))
    assert all(len(list(d.glob("*.parquet"))) == 1 for d in real.iterdir())
    assert pq.ParquetFile(_part(tmp_path, "reports", "report_year=2019")).num_row_groups >= 2


def test_new_reports_link_the_old_files_and_a_replaced_report_rewrites_only_its_own(
        tmp_path: Path) -> None:
    publish(build_tables([shanghai_like()], "run-1", AT), tmp_path)
    first = _inodes(tmp_path, "facts")
    publish(build_tables([broken_2021()], "run-2", AT), tmp_path)
    second = _inodes(tmp_path, "facts")
    assert all(second[f] == ino for f, ino in first.items())  # hard links, not copies
    publish(build_tables([broken_2021()], "run-3", AT), tmp_path)  # replaces run-2's rows
    third = _inodes(tmp_path, "facts")
    assert all(third[f] == ino for f, ino in first.items())  # shanghai's file untouched
    assert not set(second) - set(first) & set(third)  # run-2's file is gone
    reports = read_table(tmp_path, "reports")
    assert sorted(reports["run_id"].to_list()) == ["run-1", "run-3"]


def test_many_runs_are_compacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wh, "MAX_PARTS", 2)
    records = batch()
    for i, rec in enumerate(records):
        publish(build_tables([rec], f"run-{i}", AT), tmp_path)
    real = Path(os.path.realpath(tmp_path / "reports"))
    assert all(len(list(d.glob("*.parquet"))) <= 2 for d in real.iterdir())
    assert read_table(tmp_path, "reports").height == len(records)


def test_abort_leaves_nothing_published(tmp_path: Path) -> None:
    run = wh.Publication(tmp_path, "run-1", AT)
    run.write(build_tables(batch(), "run-1", AT))
    run.abort()
    assert not (tmp_path / "facts").exists() and Manifest.read(tmp_path) is None
    assert read_table(tmp_path, "facts").height == 0
