"""`ogi serve`: the nightly deployment, served until interrupted."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from flows.config import ConfigError, load_config

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _where(warehouse: str) -> Path | str:
    """A URL as given; a directory made absolute (the served flow runs elsewhere)."""
    from flows.remote_warehouse import is_url

    return warehouse.rstrip("/") if is_url(warehouse) else Path(warehouse).resolve()


def run_serve(config_file: Path | None = None, cron: str | None = None,
              timezone: str | None = None, interval: float | None = None,
              warehouse: str | None = None, notify: str | None = None,
              sources: list[str] | None = None) -> int:
    from flows.deployment import ServeError, serve_nightly

    try:
        config = load_config(config_file)
    except ConfigError as exc:
        print(f"ogi serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    config = replace(
        config, cron=cron or config.cron, timezone=timezone or config.timezone,
        warehouse=_where(warehouse) if warehouse else config.warehouse,
        notify=notify or config.notify,
        sources=[s if s.startswith(("http://", "https://")) else str(Path(s).resolve())
                 for s in sources] if sources else config.sources)
    when = f"every {interval:g} s" if interval else f"cron {config.cron!r}"
    print(f"ogi serve: deployment ogi-nightly/nightly, {when} ({config.timezone}), "
          f"warehouse {config.warehouse}", file=sys.stderr, flush=True)
    try:
        serve_nightly(config, interval=interval)
    except ServeError as exc:
        print(f"ogi serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK
    return EXIT_OK
