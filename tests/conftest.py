"""Shared fixtures: where the real documents live, and a per-test Prefect home."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
CORPUS = SHARED / "corpus"
SEEDS = SHARED / "seeds"

os.environ.setdefault("PREFECT_HOME", str(REPO / ".prefect"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def shared_file(*parts: str) -> Path:
    """A real document from ../shared; the test is skipped with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real document {path} not present (../shared is not beside the checkout)")
    return path


def seed(prefix: str) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} not present (../shared is not beside the checkout)")
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"no seed {prefix}_*.txt in {SEEDS}")
    return matches[0]
