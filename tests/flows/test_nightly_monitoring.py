"""The nightly flow's last steps through Prefect: cross-checks, artifact, webhook, state message."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from flows.warehouse import read_table
from tests.flows.inputs import tiny_inputs


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []  # noqa: RUF012

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body.decode("utf-8")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def hook_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/notify"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def run(prefect_harness: None, hook_url: str, tmp_path_factory: pytest.TempPathFactory
        ) -> tuple[Path, Any]:
    from flows.nightly import nightly

    src = tiny_inputs(tmp_path_factory.mktemp("inputs"))
    warehouse = tmp_path_factory.mktemp("wh")
    state = nightly([str(src)], str(warehouse), workers=1, quiet=True, notify=hook_url,
                    return_state=True)
    return warehouse, state


def test_final_state_says_how_many_reports_failed(run: tuple[Path, Any]) -> None:
    _, state = run
    assert state.is_completed()
    assert state.message.startswith("1 of 3 reports failed validation; failing checks: A2 2")
    summary = state.result()
    assert summary["reports_failing_validation"] == 1
    assert summary["validation_report"].endswith(f"runs/{summary['run_id']}.html")


def test_html_page_and_dictionary_of_failures(run: tuple[Path, Any]) -> None:
    warehouse, state = run
    summary = state.result()
    page = Path(summary["validation_report"]).read_text(encoding="utf-8")
    assert "（七）总计 × 自然人" in page and (warehouse / "validation" / "index.html").exists()
    results = read_table(warehouse, "validation_results")
    assert set(results["run_id"]) == {summary["run_id"]}
    assert "C4" in set(results["check"])  # cross-checks ran after publish


def test_markdown_artifact_of_the_flow_run(run: tuple[Path, Any]) -> None:
    _, state = run
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def read() -> list[Any]:
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["ogi-validation"])))

    artifacts = [a for a in asyncio.run(read()) if a.flow_run_id == state.state_details.flow_run_id]
    assert len(artifacts) == 1
    md = str(artifacts[0].data)
    assert "| A2 | error | 2 | 1 |" in md and "Top failures" in md


def test_webhook_received_the_summary(run: tuple[Path, Any]) -> None:
    _, state = run
    got = _Hook.received[-1]
    assert got["run_id"] == state.result()["run_id"]
    assert got["has_errors"] is True and got["reports_failed"] == 1
    assert {f["check"] for f in got["failures"]} == {"A2"}
