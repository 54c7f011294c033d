"""`ogi failures`: listing, filters, JSON, and the exit status monitors alert on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.cli import EXIT_OK, EXIT_USAGE, EXIT_VALIDATION, main
from tests.flows.published import RUN_ID, publish_sample


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_sample(tmp_path_factory)


def test_errors_in_the_latest_run_exit_3_and_are_named(warehouse: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["failures", "--warehouse", str(warehouse)]) == EXIT_VALIDATION
    out = capsys.readouterr().out
    assert "B7   error   赣州市商务局 2017" in out
    assert "at （七）总计 × 自然人: found 21, expected 27" in out
    assert "by check: " in out and "C1 2 in 1 report(s)" in out


def test_only_warnings_selected_exit_0(warehouse: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["failures", "--warehouse", str(warehouse), "--check", "C1"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "上海市人民政府办公厅 2020" in out and "found 70, expected 72" in out


def test_json_with_filters(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["failures", "--warehouse", str(warehouse), "--agency", "平潭", "--run", RUN_ID,
                 "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == EXIT_VALIDATION and data["run_id"] == RUN_ID and data["has_errors"]
    assert {f["check"] for f in data["failures"]} == {"A2", "A4"}
    assert {f["agency"] for f in data["failures"]} == {"平潭综合实验区管委会"}


def test_unknown_run_and_missing_warehouse_are_usage_errors(
        warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["failures", "--warehouse", str(warehouse), "--run", "nope"]) == EXIT_USAGE
    assert f"latest runs: {RUN_ID}" in capsys.readouterr().err
    assert main(["failures", "--warehouse", str(tmp_path)]) == EXIT_USAGE
    assert "not a published warehouse" in capsys.readouterr().err
