"""The failure digest in every channel: text, markdown, HTML page, webhook (a local server)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from flows.monitoring import (
    NotifyError,
    final_message,
    format_failures,
    latest_run,
    markdown_report,
    post_webhook,
    run_digest,
    select_failures,
    webhook_payload,
    write_html_report,
)
from flows.warehouse import read_table
from tests.flows.published import RUN_ID, publish_sample


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_sample(tmp_path_factory)


def test_failures_of_the_latest_run_name_report_check_and_place(warehouse: Path) -> None:
    results = read_table(warehouse, "validation_results")
    assert latest_run(results) == RUN_ID
    failures = select_failures(results, read_table(warehouse, "reports"))
    a2 = failures.filter(check="A2", location="（七）总计 × 自然人").row(0, named=True)
    assert (a2["agency"], a2["report_year"], a2["source"], a2["severity"], a2["observed"],
            a2["expected"]) == ("平潭综合实验区管委会", 2021, "samples/bbbbbbbbbbbbbbb2.html",
                                "error", 21, 27)
    assert failures["severity"].to_list()[0] == "error"  # errors first
    assert set(failures.filter(severity="warning")["check"]) >= {"C1"}


def test_filters_by_check_agency_and_run(warehouse: Path) -> None:
    results = read_table(warehouse, "validation_results")
    reports = read_table(warehouse, "reports")
    assert set(select_failures(results, reports, check="c1")["check"]) == {"C1"}
    assert set(select_failures(results, reports, agency="赣州")["check"]) == {"B7"}
    assert select_failures(results, reports, run_id="no-such-run").height == 0


def test_digest_counts_reports_that_failed_an_error_check(warehouse: Path) -> None:
    digest = run_digest(warehouse)
    # 平潭 (A2, A4), 赣州 (B7) and the report with no year (schema: year plausible is a warning)
    failed = set(digest.failures.filter(severity="error")["report_id"].drop_nulls())
    assert digest.reports_failed == len(failed) and "bbbbbbbbbbbbbbb2" in failed
    assert final_message(digest, 7).startswith(f"{digest.reports_failed} of 7 reports failed "
                                               "validation; failing checks: A2 2")
    counts = {r["check"]: r["failures"] for r in digest.counts.iter_rows(named=True)}
    assert counts["A2"] == 2 and counts["C1"] == 2


def test_text_listing_shows_found_and_expected(warehouse: Path) -> None:
    digest = run_digest(warehouse)
    text = format_failures(digest.failures, digest.run_id)
    assert text.splitlines()[0].startswith(f"run {RUN_ID}: ")
    assert "at （七）总计 × 自然人: found 21, expected 27" in text
    assert "C1   warning 上海市人民政府办公厅 2020" in text


def test_markdown_artifact_has_counts_and_top_failures(warehouse: Path) -> None:
    md = markdown_report(run_digest(warehouse), 7, "file:///tmp/x.html", top=3)
    assert md.startswith(f"# Validation of run `{RUN_ID}`")
    assert "| A2 | error | 2 | 1 |" in md
    assert "## Top failures (3 of " in md and "[file:///tmp/x.html](file:///tmp/x.html)" in md


def test_html_report_is_written_offline_under_the_warehouse(warehouse: Path,
                                                            tmp_path: Path) -> None:
    page = write_html_report(tmp_path, run_digest(warehouse), 7)
    assert page == tmp_path / "validation" / "runs" / f"{RUN_ID}.html"
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text and "（七）总计 × 自然人" in text
    assert "平潭综合实验区管委会" in text
    assert (tmp_path / "validation" / "index.html").read_text(encoding="utf-8").count("<tr") == \
        text.count("<tr")


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []  # noqa: RUF012
    status = 204

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body.decode("utf-8")))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[tuple[str, type[_Hook]]]:
    _Hook.received, _Hook.status = [], 204
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Hook
    server.shutdown()
    server.server_close()
    thread.join()


def test_webhook_posts_the_json_summary(warehouse: Path, hook: tuple[str, type[_Hook]]) -> None:
    url, handler = hook
    digest = run_digest(warehouse)
    payload = webhook_payload(digest, {"documents": 7, "warehouse": str(warehouse)})
    assert post_webhook(url, payload) == 204
    got = handler.received[0]
    assert got["run_id"] == RUN_ID and got["has_errors"] is True
    assert got["failures_total"] == digest.failures.height
    assert {"check": "A2", "severity": "error", "failures": 2, "reports": 1} in got["by_check"]
    a2 = next(f for f in got["failures"] if f["check"] == "A2")
    assert (a2["observed"], a2["expected"], a2["agency"]) == (21, 27, "平潭综合实验区管委会")


def test_webhook_errors_are_reported(hook: tuple[str, type[_Hook]]) -> None:
    url, handler = hook
    handler.status = 500
    with pytest.raises(NotifyError, match="HTTP 500"):
        post_webhook(url, {"x": 1})
    with pytest.raises(NotifyError):
        post_webhook("http://127.0.0.1:9/none", {"x": 1}, timeout=2)


def test_no_results_yet() -> None:
    from transforms.normalize import empty_frame
    assert latest_run(empty_frame("validation_results")) is None
    assert format_failures(pl.DataFrame(), None) == "no validation results in this warehouse yet"
