#!/usr/bin/env bash
# Install what the project needs on a fresh machine: uv, then the locked virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v uv >/dev/null 2>&1; then
  export PATH="$HOME/.local/bin:$PATH"
fi
if ! command -v uv >/dev/null 2>&1; then
  echo "bootstrap: installing uv with pip" >&2
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  export PATH="$HOME/.local/bin:$PATH"
fi
# Bytecode compiled once here: where PYTHONDONTWRITEBYTECODE is set (as on CI machines) Python
# would otherwise compile Prefect, GX and the rest from source in every process (imports took
# 13–15 s instead of 5.5 s); the project's own modules likewise.
uv sync --frozen --quiet --compile-bytecode
uv run --frozen python -m compileall -q -j 0 flows transforms expectations >/dev/null
