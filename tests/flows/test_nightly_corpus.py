"""End to end through Prefect and GX on every real document in ../shared (issue 2's check)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from flows.nightly import nightly
from flows.warehouse import read_table

from ..conftest import CORPUS, SEEDS


@pytest.fixture(scope="module")
def corpus_run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
               ) -> tuple[Path, dict[str, Any]]:
    if not (CORPUS.is_dir() and SEEDS.is_dir()):
        pytest.skip("../shared/corpus and ../shared/seeds are not beside the checkout")
    src = tmp_path_factory.mktemp("inputs")
    shutil.copytree(SEEDS, src / "seeds")
    shutil.copytree(CORPUS, src / "corpus")
    (src / "broken").mkdir()
    (src / "broken" / "random.pdf").write_bytes(b"\x00\x01 not a pdf at all")
    (src / "broken" / "empty.html").write_bytes(b"")
    warehouse = tmp_path_factory.mktemp("warehouse")
    summary = nightly([str(src)], str(warehouse), batch_size=7, workers=2, quiet=True)
    return warehouse, summary


def _by_file(warehouse: Path, table: str) -> pl.DataFrame:
    reports = read_table(warehouse, "reports").select("report_id", "source")
    frame = read_table(warehouse, table)
    if table != "reports":
        frame = frame.join(reports, on="report_id")
    return frame.with_columns(file=pl.col("source").str.split("/").list.last())


def test_every_document_has_a_reports_row(corpus_run: tuple[Path, dict[str, Any]]) -> None:
    warehouse, summary = corpus_run
    reports = _by_file(warehouse, "reports")
    assert reports.height == 19 + 2
    assert summary["documents"] == 21
    failed = reports.filter(pl.col("parse_status") == "failed")
    assert sorted(failed["file"]) == ["empty.html", "random.pdf"]
    assert all("empty" in e or "PDF" in e for e in failed["error"])
    assert failed["raw_path"].is_not_null().all()
    assert not (warehouse / ".spool").exists()  # batch outputs parked between tasks are gone
    real = reports.filter(pl.col("parse_status") != "failed")
    assert set(real["template"]) == {"fmt2019", "fmt2021", "stat2014", "local2008", "narrative"}
    for raw in reports["raw_path"]:
        assert Path(raw).exists()


def metric(warehouse: Path, file: str, name: str) -> float | None:
    m = _by_file(warehouse, "metrics").filter(pl.col("file") == file)
    assert m.height == 1, file
    return m[name][0]


EXPECTED_METRICS = {
    "000_f1944deef0a5b3c5.txt": {"proactive_items": 42, "applications_received": 0,
                                 "reviews": 0, "lawsuits": 0, "procurement_count": 8,
                                 "procurement_amount_wan": 21.57},
    "001_f1db75d64b6a785a.txt": {"proactive_items": 78, "applications_received": 0,
                                 "reviews": 0, "lawsuits": 0},
    "002_1185ee4c741c8fc5.txt": {"applications_received": 0, "procurement_count": 10},
    "003_d451e8e22817c643.txt": {"proactive_items": 806, "applications_received": 0,
                                 "reviews": 0, "lawsuits": 0, "fees": 0},
    "004_5acfc8f8f07fd932.txt": {"proactive_items": 21, "applications_received": 0,
                                 "procurement_count": 12, "procurement_amount_wan": 13},
    "shanghai-2019.html": {"applications_received": 859, "applications_carried_over": 18,
                           "applications_completed": 805, "reviews": 7, "lawsuits": 9,
                           "procurement_count": 6, "procurement_amount_wan": 25.1},
    "pingtan-2021.html": {"applications_received": 70, "applications_carried_over": 0,
                          "applications_completed": 69, "applications_granted": 30,
                          "reviews": 3, "lawsuits": 12, "admin_fees_wan": 24252.311082},
    "huaian-2024.pdf": {"applications_received": 3119, "applications_carried_over": 34,
                        "applications_completed": 3050, "applications_granted": 1362,
                        "reviews": 351, "lawsuits": 46, "admin_fees_wan": 96171.6},
    "pingtan-county-2012-tables.html": {"proactive_items": 2026,
                                        "applications_received": 21,
                                        "applications_completed": 21,
                                        "applications_granted": 17, "reviews": 0},
    "pingtan-2014-spaced.txt": {"proactive_items": 2543, "applications_received": 1,
                                "applications_completed": 1, "reviews": 0, "lawsuits": 0},
    "pingtan-2011-page.html": {"proactive_items": 425, "applications_received": 0,
                               "reviews": 0, "lawsuits": 0},
}
for _f in ("pingtan-2023-tables.html", "pingtan-2023-page.html", "pingtan-2023-glued.txt"):
    EXPECTED_METRICS[_f] = {"applications_received": 81, "applications_carried_over": 0,
                            "applications_completed": 81, "applications_granted": 22,
                            "reviews": 2, "lawsuits": 7, "admin_fees_wan": 5949.088667}


@pytest.mark.parametrize("file", sorted(EXPECTED_METRICS))
def test_expected_figures_in_metrics(corpus_run: tuple[Path, dict[str, Any]], file: str) -> None:
    warehouse, _ = corpus_run
    for name, value in EXPECTED_METRICS[file].items():
        assert metric(warehouse, file, name) == pytest.approx(value), (file, name)


def test_a_figure_the_report_does_not_give_is_null(corpus_run: tuple[Path, dict[str, Any]]
                                                    ) -> None:
    warehouse, _ = corpus_run
    assert metric(warehouse, "000_f1944deef0a5b3c5.txt", "applications_completed") is None
    assert metric(warehouse, "shanghai-2019.html", "proactive_items") is None


def fact(warehouse: Path, file: str, table: str, row: str, col: str) -> pl.DataFrame:
    f = _by_file(warehouse, "facts")
    return f.filter(pl.col("file") == file, pl.col("block") == table, pl.col("row_code") == row,
                    pl.col("col_code") == col)


def test_facts_carry_canonical_labels_and_where_read(corpus_run: tuple[Path, dict[str, Any]]
                                                      ) -> None:
    warehouse, _ = corpus_run
    row = fact(warehouse, "huaian-2024.pdf", "applications", "new_received", "natural_person")
    assert row["value"][0] == 3001
    assert row["row_label"][0] == "一、本年新收政府信息公开申请数量"
    assert row["col_label"][0] == "自然人"
    assert row["source_ref"][0].startswith("page ")
    blank = fact(warehouse, "shanghai-2019.html", "applications", "new_received",
                 "research_institution")
    assert (blank["value"][0], blank["raw"][0]) == (0, "")
    money = fact(warehouse, "shanghai-2019.html", "item9", "procurement", "procurement_amount")
    assert (money["value"][0], money["unit"][0]) == (251000, "元")
    staff = fact(warehouse, "003_d451e8e22817c643.txt", "indicators", "staff_total", "value")
    assert staff["value"][0] == 4
    pair = fact(warehouse, "pingtan-county-2012-page.html", "indicators", "proactive_total",
                "cumulative")
    assert pair["value"][0] == 3542


def check(warehouse: Path, file: str, check_id: str) -> pl.DataFrame:
    v = _by_file(warehouse, "validation_results")
    return v.filter(pl.col("file") == file, pl.col("check") == check_id)


def test_a1_holds_where_the_report_adds_up(corpus_run: tuple[Path, dict[str, Any]]) -> None:
    warehouse, _ = corpus_run
    for file in ("shanghai-2019.html", "huaian-2024.pdf", "pingtan-2021.html"):
        rows = check(warehouse, file, "A1")
        assert rows.height >= 1 and rows["success"].all(), file


def test_b7_failure_of_seed_003_is_surfaced_not_fixed(corpus_run: tuple[Path, dict[str, Any]]
                                                      ) -> None:
    warehouse, summary = corpus_run
    rows = check(warehouse, "003_d451e8e22817c643.txt", "B7")
    assert rows.height == 1 and not rows["success"][0]
    assert rows["observed"][0] == 806 and rows["expected"][0] == 804
    assert rows["severity"][0] == "error"
    assert "主动公开政府信息数" in rows["message"][0]
    reports = _by_file(warehouse, "reports").filter(pl.col("file") == "003_d451e8e22817c643.txt")
    assert reports["validation_status"][0] == "failed"
    assert metric(warehouse, "003_d451e8e22817c643.txt", "proactive_items") == 806
    assert summary["failed_by_check"].get("B7") == 1


def test_regions_resolved(corpus_run: tuple[Path, dict[str, Any]]) -> None:
    warehouse, _ = corpus_run
    r = _by_file(warehouse, "reports")
    row = r.filter(pl.col("file") == "000_f1944deef0a5b3c5.txt")
    assert (row["province"][0], row["city"][0], row["county"][0]) == (
        "甘肃省", "天水市", "张家川回族自治县")
    row = r.filter(pl.col("file") == "pingtan-2021.html")
    assert (row["province"][0], row["city"][0], row["county"][0]) == ("福建省", "福州市", "平潭县")


def test_partitioned_by_report_year(corpus_run: tuple[Path, dict[str, Any]]) -> None:
    warehouse, _ = corpus_run
    parts = {p.name for p in (warehouse / "reports").iterdir()}
    assert {"report_year=2019", "report_year=2021", "report_year=2024"} <= parts
