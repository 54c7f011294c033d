"""What a parser worker ships back (the check frame without messages of holding instances,
frames as Arrow IPC) and how the flow validates and writes it."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from expectations.validate import ValidationSession
from flows.batches import (
    BatchOutput,
    BatchStats,
    compact_checks,
    spool_output,
    take_spooled,
    validate_and_write,
)
from flows.warehouse import Publication, read_table
from tests.report_builders import batch
from transforms.identities import evaluate_identities
from transforms.normalize import build_tables

AT = datetime(2025, 1, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    return build_tables(batch(), "run-9", AT)


def test_compact_checks_keeps_the_messages_of_failing_instances_only(
        tables: dict[str, pl.DataFrame]) -> None:
    checks = evaluate_identities(tables["facts"])
    compact = compact_checks(checks)
    assert compact.drop("message").equals(checks.drop("message"))
    failing = checks.filter(~pl.col("holds"))
    assert failing.height > 0  # the batch has broken reports (A2, A4, A5 …)
    assert compact.filter(~pl.col("holds"))["message"].to_list() == failing["message"].to_list()
    assert compact.filter(pl.col("holds"))["message"].null_count() == \
        checks.filter(pl.col("holds")).height


def test_validation_is_the_same_from_compact_checks_and_without_a_docs_site(
        tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    """The direct GX Validator (no Data Docs) and the stored definitions give equal rows."""
    checks = evaluate_identities(tables["facts"])
    with_docs = ValidationSession("run-9", tmp_path / "docs").validate(tables, checks=checks)
    fast = ValidationSession("run-9").validate(tables, checks=compact_checks(checks))
    for name in ("validation_results", "reports"):
        assert fast[name].equals(with_docs[name]), name
    results = fast["validation_results"]
    a2 = results.filter(report_id="bbbbbbbbbbbbbbb2", check="A2", success=False)
    assert a2["message"].to_list()[0].startswith("A2 fails at （七）总计 × ")


def _output(tables: dict[str, pl.DataFrame]) -> BatchOutput:
    stats = BatchStats(documents=tables["reports"].height, figures=tables["facts"].height)
    return BatchOutput(tables, compact_checks(evaluate_identities(tables["facts"])), stats,
                       [("a.html", "ab" * 32)])


def test_a_batch_output_crosses_processes_unchanged(tables: dict[str, pl.DataFrame]) -> None:
    out = _output(tables)
    back = pickle.loads(pickle.dumps(out))
    assert set(back.tables) == set(out.tables)
    for name, frame in out.tables.items():
        assert back.tables[name].schema == frame.schema, name
        assert back.tables[name].equals(frame), name
    assert back.checks.schema == out.checks.schema and back.checks.equals(out.checks)
    assert (back.stats, back.parsed) == (out.stats, out.parsed)


def test_validate_and_write_stages_what_validation_gives(
        tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    """Written on two threads, read back the same as validating then writing everything."""
    out = _output(tables)
    publication = Publication(tmp_path / "wh", "run-9", AT)
    got = validate_and_write(out, publication, ValidationSession("run-9"))
    publication.commit()
    expected = ValidationSession("run-9").validate(tables, checks=out.checks)
    for name, frame in expected.items():
        assert got[name].equals(frame), name
        back = read_table(tmp_path / "wh", name)
        assert back.height == frame.height, name
    statuses = read_table(tmp_path / "wh", "reports").sort("report_id")["validation_status"]
    assert statuses.to_list() == expected["reports"].sort("report_id")[
        "validation_status"].to_list()
    assert "failed" in statuses.to_list()  # the broken reports of the batch


def test_a_spooled_output_is_read_back_once_and_its_file_removed(
        tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    """Tasks pass a path, not the frames (Prefect keeps task results for the whole run)."""
    out = _output(tables)
    path = spool_output(out, tmp_path / "spool")
    back = take_spooled(path)
    assert back.tables["facts"].equals(out.tables["facts"]) and back.parsed == out.parsed
    assert list((tmp_path / "spool").iterdir()) == []
