"""Run-time settings: where things live and how Prefect is kept local and quiet."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def default_warehouse() -> Path:
    return Path(os.environ.get("OGI_WAREHOUSE", "warehouse")).expanduser()


def default_samples_dir() -> Path:
    return Path(os.environ.get("OGI_SAMPLES", PROJECT_ROOT / "samples")).expanduser()


def configure_prefect() -> None:
    """Keep Prefect offline, untracked and inside the project unless the user says otherwise.

    Must run before prefect is imported: Prefect reads its settings at import time.
    """
    os.environ.setdefault("PREFECT_HOME", str(PROJECT_ROOT / ".prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
