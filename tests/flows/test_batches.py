"""What a parser worker ships back: the check frame without messages of holding instances."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from expectations.validate import ValidationSession
from flows.batches import compact_checks
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
