"""The nightly deployment: the pipeline flow served by Prefect on a schedule.

``ogi serve`` calls ``serve_nightly``: one long-running process that registers
the deployment with the Prefect API (a local ``prefect server`` or any server
named by ``PREFECT_API_URL``) and runs each scheduled flow run in a subprocess.
Flow retries cover transient failures (a site down, a full disk); a deployment
concurrency limit of 1 keeps a slow run from overlapping the next night's.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from flows.config import NightlyConfig

if TYPE_CHECKING:
    from prefect import Flow
    from prefect.schedules import Schedule

DEPLOYMENT_NAME = "nightly"
LOCAL_API_URL = "http://127.0.0.1:4200/api"


class ServeError(RuntimeError):
    """The deployment cannot be served (no API, bad schedule); the message says what to do."""


def nightly_schedule(cron: str, timezone: str, interval: float | None = None) -> Schedule:
    """A cron schedule in ``timezone``, or every ``interval`` seconds (tests, trials)."""
    from zoneinfo import available_timezones

    from prefect.schedules import Cron, Interval

    if timezone not in available_timezones():
        raise ServeError(f"unknown timezone {timezone!r} (an IANA name, e.g. Asia/Shanghai)")
    if interval is not None:
        if interval <= 0:
            raise ServeError("--interval must be a positive number of seconds")
        return Interval(timedelta(seconds=interval), timezone=timezone)
    try:
        return Cron(cron, timezone=timezone)
    except ValueError as exc:
        raise ServeError(f"bad cron expression {cron!r}: {exc}") from exc


def deployment_parameters(config: NightlyConfig) -> dict[str, Any]:
    """What each scheduled run gets: the configured sources and warehouse."""
    return {"sources": list(config.sources), "warehouse": str(config.warehouse),
            "batch_size": config.batch_size, "quiet": True, "notify": config.notify}


def served_flow(config: NightlyConfig) -> Flow[..., Any]:
    """The pipeline flow with the configured retries (the served object, not re-imported)."""
    from flows.nightly import nightly

    return nightly.with_options(retries=config.retries,
                                retry_delay_seconds=config.retry_delay_seconds)


def api_url() -> str:
    """PREFECT_API_URL, or a local server on the default port if one answers; else ServeError."""
    url = os.environ.get("PREFECT_API_URL")
    candidate = url or LOCAL_API_URL
    try:
        ok = httpx.get(f"{candidate.rstrip('/')}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        ok = False
    if not ok:
        raise ServeError(
            f"no Prefect API answers at {candidate}. Start one with `prefect server start` "
            f"(UI at http://127.0.0.1:4200) or point PREFECT_API_URL at an existing server.")
    os.environ["PREFECT_API_URL"] = candidate
    return candidate


def resolve_sources(config: NightlyConfig) -> NightlyConfig:
    """No configured source means the bundled samples (generated once, as `ogi run` does)."""
    if config.sources:
        return config
    from dataclasses import replace

    from flows.samples import INDEX, write_samples
    from flows.settings import default_samples_dir

    samples = default_samples_dir().resolve()
    if not (samples / INDEX).exists():
        write_samples(samples)
    return replace(config, sources=[str(samples)])


def serve_nightly(config: NightlyConfig, interval: float | None = None,
                  name: str = DEPLOYMENT_NAME) -> None:
    """Serve until interrupted; each run ingests ``config.sources`` into ``config.warehouse``."""
    schedule = nightly_schedule(config.cron, config.timezone, interval)
    api_url()
    config = resolve_sources(config)
    if isinstance(config.warehouse, Path):
        config.warehouse.mkdir(parents=True, exist_ok=True)
    served_flow(config).serve(
        name=name, schedules=[schedule], parameters=deployment_parameters(config),
        global_limit=1, limit=1,
        description="Ingest, validate and publish the configured report sources "
                    f"({config.cron} {config.timezone} unless served with an interval).")
