"""Crash safety and idempotency of real runs.

A real ``ogi run`` subprocess is killed with SIGKILL (1) as soon as it starts staging
into an empty warehouse and (2) right after its publish swaps the first table over a
warehouse that already holds a run. After each kill every table must read back
(old or new rows, never a half-written file), the manifest must describe files that
exist with the row counts it claims, and a rerun must end in the same rows as a clean
run. The subprocesses talk to the session's Prefect server (no ephemeral start-up each).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from flows.warehouse import MANIFEST, STAGING, VERSIONS, Manifest, read_table
from transforms.normalize import TABLES

from ..conftest import CORPUS, REPO

VOLATILE = ("run_id", "ingested_at")  # the only columns allowed to differ between runs
KEYED = tuple(t for t in TABLES if t != "validation_results")  # history table: own check


def _stable(warehouse: Path, table: str) -> pl.DataFrame:
    """The table without run-specific columns; raw paths relative to their warehouse."""
    frame = read_table(warehouse, table)
    if "raw_path" in frame.columns:
        frame = frame.with_columns(pl.col("raw_path").str.replace(str(warehouse), "<wh>",
                                                                  literal=True))
    return frame.drop([c for c in VOLATILE if c in frame.columns])


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def _snapshot(warehouse: Path) -> dict[str, pl.DataFrame]:
    return {t: _sorted(_stable(warehouse, t)) for t in KEYED}


def _differs(a: pl.DataFrame, b: pl.DataFrame) -> list[str]:
    """Columns whose sorted values differ (for a readable failure message)."""
    if a.height != b.height:
        return [f"rows {a.height} != {b.height}"]
    return [c for c in a.columns if not a[c].sort(nulls_last=True).equals(
        b[c].sort(nulls_last=True))]


def _assert_readable(warehouse: Path) -> None:
    """Every table reads back; the manifest (if any) names files that exist, rows that match."""
    for table in TABLES:
        read_table(warehouse, table)  # raises on a half-written parquet file
        link = warehouse / table
        if link.is_symlink():
            assert link.exists(), f"{table} points at a version that is gone"
    manifest = Manifest.read(warehouse)
    if manifest is None:
        return
    for table, entry in manifest.tables.items():
        root = warehouse / VERSIONS / table / entry.version
        assert root.is_dir(), f"manifest names {table} version {entry.version}, which is gone"
        rows = 0
        for rel in entry.files:
            path = root / Path(rel).relative_to(table)
            assert path.is_file(), path
            rows += pq.ParquetFile(path).metadata.num_rows
        assert rows == entry.rows, (table, rows, entry.rows)


def _env() -> dict[str, str]:
    from prefect.settings import get_current_settings

    env = dict(os.environ)
    url = get_current_settings().api.url
    if url:
        env["PREFECT_API_URL"] = str(url)
    env["PYTHONPATH"] = str(REPO)
    return env


def _run(inputs: list[str], warehouse: Path, kill_when: Callable[[], bool] | None = None,
         timeout: float = 240) -> int | None:
    """``ogi run`` in a subprocess; SIGKILLed the moment ``kill_when()`` turns true."""
    cmd = [sys.executable, "-m", "flows.cli", "run", *inputs, "--warehouse", str(warehouse),
           "--batch-size", "10", "--workers", "2"]
    proc = subprocess.Popen(cmd, cwd=REPO, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None:
            if kill_when is not None and kill_when():
                os.killpg(proc.pid, signal.SIGKILL)  # the run and its parser processes
                proc.wait()
                return None
            if time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                pytest.fail(f"ogi run did not finish in {timeout} s")
            time.sleep(0.002)  # polling for the kill moment, not waiting for a result
        out = proc.stdout.read().decode() if proc.stdout else ""
        assert proc.returncode == 0, out
        return proc.returncode
    finally:
        if proc.stdout:
            proc.stdout.close()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[str]]:
    """(a first run's inputs, a bigger second run's inputs)."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} not present (../shared is not beside the checkout)")
    from flows.samples import write_samples

    samples = tmp_path_factory.mktemp("samples")
    write_samples(samples, n_per_kind=1)
    return [str(CORPUS)], [str(CORPUS), str(samples)]


def _current_version(warehouse: Path, table: str) -> str | None:
    link = warehouse / table
    return os.readlink(link) if link.is_symlink() else None


def test_sigkill_at_any_moment_leaves_a_readable_warehouse_and_a_rerun_completes(
        prefect_harness: None, inputs: tuple[list[str], list[str]], tmp_path: Path) -> None:
    from flows.nightly import nightly

    first, second = inputs
    clean = tmp_path / "clean"
    nightly(second, str(clean), batch_size=10, workers=2, quiet=True)
    expected = _snapshot(clean)
    assert expected["reports"].height > 30 and expected["facts"].height > 1000

    wh = tmp_path / "wh"
    # 1. killed while staging into an empty warehouse: nothing published, all readable
    assert _run(first, wh, kill_when=lambda: (wh / STAGING).is_dir()) is None
    _assert_readable(wh)
    assert read_table(wh, "reports").height == 0

    # a complete run over the first inputs
    _run(first, wh)
    _assert_readable(wh)
    old = _snapshot(wh)
    assert old["reports"].height > 5

    # 2. killed right after publish swapped its first table: each table old or new
    before = _current_version(wh, "reports")
    assert _run(second, wh, kill_when=lambda: _current_version(wh, "reports") != before) is None
    _assert_readable(wh)
    now = _snapshot(wh)
    for table in KEYED:
        assert now[table].equals(old[table]) or now[table].equals(expected[table]), (
            table, _differs(now[table], old[table]), _differs(now[table], expected[table]))

    # the rerun completes: the same rows as one clean run, nothing half-done left over
    _run(second, wh)
    _assert_readable(wh)
    final = _snapshot(wh)
    for table in KEYED:
        assert final[table].equals(expected[table]), (table, _differs(final[table],
                                                                      expected[table]))
    assert not (wh / STAGING).exists() or not any((wh / STAGING).iterdir())
    manifest = Manifest.read(wh)
    assert manifest is not None and manifest.tables["reports"].rows == expected["reports"].height
    # validation history: every published report was validated by some completed run
    # (a rerun skips local files it already published; the killed run's rows never landed)
    results = read_table(wh, "validation_results")
    assert results.filter(pl.col("run_id") == manifest.run_id).height > 0
    validated = set(results["report_id"].drop_nulls().to_list())
    clean_validated = set(read_table(clean, "validation_results")["report_id"].drop_nulls()
                          .to_list())
    assert validated == clean_validated


def test_two_runs_over_the_same_inputs_give_the_same_rows_in_the_same_order(
        prefect_harness: None, inputs: tuple[list[str], list[str]], tmp_path: Path) -> None:
    from flows.nightly import nightly

    _, second = inputs
    a, b = tmp_path / "a", tmp_path / "b"
    nightly(second, str(a), batch_size=10, workers=2, quiet=True)
    nightly(second, str(b), batch_size=25, workers=1, quiet=True)
    for table in KEYED:
        left, right = _stable(a, table), _stable(b, table)
        assert left.height == right.height, table
        assert left.equals(right), table  # same ids, same order
    # and a second run into the same warehouse replaces rows, never duplicates them
    before = {t: _sorted(_stable(a, t)) for t in KEYED}
    nightly(second, str(a), batch_size=10, workers=2, quiet=True)
    for table in KEYED:
        assert _sorted(_stable(a, table)).equals(before[table]), table
    assert (a / MANIFEST).is_file()
    shutil.rmtree(b)
