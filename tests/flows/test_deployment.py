"""`ogi serve` against a real Prefect server on 127.0.0.1: a scheduled run completes.

Starts `prefect server start` (own PREFECT_HOME in a temporary directory), then
`ogi serve --interval` on three generated documents, polls the API until a
scheduled run of the deployment is Completed and the warehouse has its
reports, and stops every process group it started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from flows.config import NightlyConfig
from flows.deployment import deployment_parameters, nightly_schedule
from flows.warehouse import read_table
from tests.flows.inputs import tiny_inputs

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(what: str, check: Callable[[], Any], timeout: float,
              procs: list[subprocess.Popen[bytes]]) -> Any:
    """Poll ``check`` until it returns something truthy; fail early if a process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"{what}: process {p.args!r} exited with {p.returncode}")
        got = check()
        if got:
            return got
        time.sleep(0.5)  # polling a server; no assertion depends on the interval
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, SIGKILL what is left after 15 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # children that outlived their parent
    deadline = time.monotonic() + 10
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)  # the kernel reaps the killed group asynchronously


def _group(pgid: int) -> str:
    """Pids still in the process group (empty when everything is gone)."""
    return subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True).stdout


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "OGI_"))}
    return {**keep, "PREFECT_HOME": str(tmp_path / "prefect-home"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
            "PREFECT_LOGGING_LEVEL": "WARNING", "PREFECT_UI_ENABLED": "false",
            "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
            "PREFECT_RUNNER_POLL_FREQUENCY": "2"}


@pytest.fixture
def server(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        try:
            return httpx.get(f"{api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _wait_for("the Prefect server", healthy, 60, [proc])
        yield api
    finally:
        _stop(proc)
        log.close()
        assert _group(proc.pid) == "", "processes left in the server process group"


def _completed_scheduled_runs(api: str) -> list[dict[str, Any]]:
    body = {"deployments": {"name": {"any_": ["nightly"]}},
            "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}
    response = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=5)
    response.raise_for_status()
    return [r for r in response.json() if r.get("auto_scheduled")]


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_a_scheduled_run_completes_and_writes_the_warehouse(
        server: str, env: dict[str, str], tmp_path: Path) -> None:
    src = tiny_inputs(tmp_path / "inputs")
    warehouse = tmp_path / "warehouse"
    config = tmp_path / "ogi.toml"
    config.write_text(f'[nightly]\nsources = ["{src}"]\nwarehouse = "{warehouse}"\n'
                      'retries = 1\nretry_delay_seconds = 1\n', encoding="utf-8")
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([str(BIN / "ogi"), "serve", "--config", str(config),
                             "--interval", "15"], env={**env, "PREFECT_API_URL": server},
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        runs = _wait_for("a completed scheduled run", lambda: _completed_scheduled_runs(server),
                         120, [proc])
    except AssertionError:
        log.flush()
        print((tmp_path / "serve.log").read_text(errors="replace")[-4000:])
        raise
    finally:
        _stop(proc)
        log.close()
    run = runs[0]
    assert _group(proc.pid) == "", "processes left in the serve process group"
    assert run["state"]["message"].startswith("1 of 3 reports failed validation")
    assert run["parameters"]["warehouse"] == str(warehouse)
    assert read_table(warehouse, "reports").height == 3
    assert (warehouse / "validation" / "index.html").exists()
    deployment = httpx.get(f"{server}/deployments/{run['deployment_id']}", timeout=5).json()
    assert deployment["global_concurrency_limit"]["limit"] == 1, deployment  # one run at a time
    assert deployment["schedules"][0]["schedule"]["interval"] == 15


def test_schedule_defaults_to_two_in_the_morning_china_time() -> None:
    schedule = nightly_schedule("0 2 * * *", "Asia/Shanghai")
    assert (schedule.cron, schedule.timezone) == ("0 2 * * *", "Asia/Shanghai")
    params = deployment_parameters(NightlyConfig(sources=["a"], warehouse=Path("/w"),
                                                 notify="http://127.0.0.1:1/x"))
    assert params == {"sources": ["a"], "warehouse": "/w", "batch_size": 1000, "quiet": True,
                      "notify": "http://127.0.0.1:1/x"}


def test_bad_schedules_are_refused() -> None:
    from flows.deployment import ServeError
    with pytest.raises(ServeError, match="bad cron"):
        nightly_schedule("0 2 * *", "Asia/Shanghai")
    with pytest.raises(ServeError, match="unknown timezone"):
        nightly_schedule("0 2 * * *", "China/Beijing")
