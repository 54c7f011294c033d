"""`ogi run URL` twice against a generated government column on 127.0.0.1 (issue 3's check)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from flows.cli import main
from flows.crawl import read_fetches
from flows.crawl.testsite import serve_site
from flows.warehouse import read_table


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(["run", *argv, "--json", "--quiet"]) == 0
    return json.loads(capsys.readouterr().out)


def test_crawl_twice_yields_four_reports_then_only_conditional_requests(
        prefect_harness: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warehouse = tmp_path / "w"
    with serve_site() as (site, other, plan):
        args = (site.url(plan.list1), "--warehouse", str(warehouse), "--timeout", "0.5",
                "--crawl-delay", "0")
        first = run_json(capsys, *args)
        reports = read_table(warehouse, "reports")
        assert reports.height == 4
        assert set(reports["parse_status"]) <= {"ok", "partial"}
        assert sorted(reports["report_year"].to_list()) == [2020, 2021, 2022, 2023]
        assert sorted(reports["format"].to_list()) == ["html", "html", "html", "pdf"]
        assert other.requests == []  # the off-domain link and redirect target were never asked
        metrics = read_table(warehouse, "metrics")
        for truth in site.reports:
            year_rows = metrics.filter(pl.col("report_year") == truth.year)
            assert year_rows["applications_received"][0] == truth.truth["new_received"]["total"]
            assert year_rows["applications_completed"][0] == truth.truth["results_total"]["total"]
        fetches = read_fetches(warehouse)
        assert fetches.filter(pl.col("status") == 404).height == 1
        assert fetches.filter(pl.col("error").is_not_null()).height >= 3  # 404, slow, off-domain
        assert first["documents"] == 4

        site.clear_log()
        second = run_json(capsys, *args)
        known = [plan.fail_once, plan.gbk, plan.charsetless, plan.pdf_page, plan.pdf]
        for path in known:
            hits = site.hits(path)
            assert len(hits) == 1 and hits[0].conditional, path
        assert second["documents"] == 0
        fetch = second["fetch"]
        assert isinstance(fetch, dict) and fetch["not_modified"] >= len(known)
    after = read_table(warehouse, "reports")
    assert after.height == 4
    assert sorted(after["report_id"]) == sorted(reports["report_id"])
