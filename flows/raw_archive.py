"""Raw bytes kept once per content hash under the warehouse: nothing ingested is lost."""

from __future__ import annotations

import os
import re
from pathlib import Path

_SAFE_EXT = re.compile(r"^\.[a-z0-9]{1,8}$")


def raw_path(warehouse: Path, sha256_hex: str, suffix: str) -> Path:
    """Path derived only from the hash and a sanitized suffix: never from a URL or file name."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256_hex):
        raise ValueError(f"not a sha256 hex digest: {sha256_hex!r}")
    ext = suffix.lower() if _SAFE_EXT.match(suffix.lower()) else ".bin"
    root = warehouse / "raw"
    path = root / sha256_hex[:2] / f"{sha256_hex}{ext}"
    if not path.resolve().is_relative_to(root.resolve()):  # defence in depth
        raise ValueError(f"raw path {path} would leave {root}")
    return path


def keep_raw(warehouse: Path, sha256_hex: str, suffix: str, data: bytes) -> Path:
    """Write once (atomically); an existing file with this hash is the same bytes."""
    path = raw_path(warehouse, sha256_hex, suffix)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path
