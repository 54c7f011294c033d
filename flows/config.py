"""The project's config file (ogi.toml): what the nightly deployment runs on, and when.

Command-line options override it; a missing default file means the defaults
below (a fresh checkout runs on the bundled samples into ./warehouse).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.settings import PROJECT_ROOT

DEFAULT_CONFIG = PROJECT_ROOT / "ogi.toml"
DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "Asia/Shanghai"


class ConfigError(ValueError):
    """The config file cannot be read or holds a bad value; the message names the key."""


@dataclass(frozen=True)
class NightlyConfig:
    sources: list[str] = field(default_factory=list)  # empty: the bundled samples
    warehouse: Path | str = Path("warehouse")  # a directory, or an fsspec URL (a string)
    cron: str = DEFAULT_CRON
    timezone: str = DEFAULT_TIMEZONE
    retries: int = 2
    retry_delay_seconds: float = 600.0
    batch_size: int = 1000
    notify: str | None = None  # webhook URL


def config_path(path: Path | None = None) -> Path:
    if path is not None:
        return path
    env = os.environ.get("OGI_CONFIG")
    return Path(env).expanduser() if env else DEFAULT_CONFIG


def _get(table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: Path) -> Any:
    value = table[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ConfigError(f"{where}: [nightly] {key} = {value!r} is not a {kind}")
    return value


def _resolve(location: str, base: Path) -> str:
    """Paths relative to the config file; URLs as they are."""
    if "://" in location:
        return location
    path = Path(location).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def load_config(path: Path | None = None) -> NightlyConfig:
    """Read ``[nightly]`` of the config file; defaults for what it leaves out."""
    where = config_path(path)
    if not where.exists():
        if path is not None or os.environ.get("OGI_CONFIG"):
            raise ConfigError(f"{where}: no such config file")
        return NightlyConfig(warehouse=(PROJECT_ROOT / "warehouse"))
    try:
        data = tomllib.loads(where.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    table = data.get("nightly", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [nightly] must be a table")
    known = set(NightlyConfig.__dataclass_fields__)
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown [nightly] key(s) {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(known))}")
    base = where.resolve().parent
    kwargs: dict[str, Any] = {}
    if "sources" in table:
        sources = _get(table, "sources", list, where)
        if not all(isinstance(s, str) for s in sources):
            raise ConfigError(f"{where}: [nightly] sources must be a list of strings")
        kwargs["sources"] = [_resolve(s, base) for s in sources]
    if "warehouse" in table:
        from flows.remote_warehouse import is_url

        value = _resolve(_get(table, "warehouse", str, where), base)
        kwargs["warehouse"] = value.rstrip("/") if is_url(value) else Path(value)
    else:
        kwargs["warehouse"] = base / "warehouse"
    for key in ("cron", "timezone"):
        if key in table:
            kwargs[key] = _get(table, key, str, where)
    for key in ("retries", "batch_size"):
        if key in table:
            value = _get(table, key, int, where)
            if value < (1 if key == "batch_size" else 0):
                raise ConfigError(f"{where}: [nightly] {key} = {value} is too small")
            kwargs[key] = value
    if "retry_delay_seconds" in table:
        kwargs["retry_delay_seconds"] = float(
            _get(table, "retry_delay_seconds", (int, float), where))
    if "notify" in table:
        notify = _get(table, "notify", str, where).strip()
        if notify and not notify.startswith(("http://", "https://")):
            raise ConfigError(f"{where}: [nightly] notify = {notify!r} is not an http(s) URL")
        kwargs["notify"] = notify or None
    return NightlyConfig(**kwargs)
