"""Raw bytes kept once per content hash under the warehouse: nothing ingested is lost."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

_SAFE_EXT = re.compile(r"^\.[a-z0-9]{1,8}$")
_HEX64 = re.compile(r"[0-9a-f]{64}")


@lru_cache(maxsize=1024)
def _checked_dir(root: Path, prefix: str) -> Path:
    """root/prefix, refused if it resolves outside root (a planted symlink): once per dir."""
    folder = root / prefix
    if not folder.resolve().is_relative_to(root.resolve()):  # defence in depth
        raise ValueError(f"raw folder {folder} would leave {root}")
    return folder


def raw_path(warehouse: Path, sha256_hex: str, suffix: str) -> Path:
    """Path derived only from the hash and a sanitized suffix: never from a URL or file name."""
    if not _HEX64.fullmatch(sha256_hex):
        raise ValueError(f"not a sha256 hex digest: {sha256_hex!r}")
    ext = suffix.lower() if _SAFE_EXT.match(suffix.lower()) else ".bin"
    return _checked_dir(warehouse / "raw", sha256_hex[:2]) / f"{sha256_hex}{ext}"


def keep_raw(warehouse: Path, sha256_hex: str, suffix: str, data: bytes) -> Path:
    """Write once (atomically); an existing file with this hash is the same bytes."""
    batch = RawBatch(warehouse)
    path = batch.stage(sha256_hex, suffix, data)
    batch.commit()
    return path


class RawBatch:
    """Raw files of a chunk of documents: written first, made durable together.

    ``stage`` writes each new file under a temporary name; ``commit`` flushes them
    all to disk and renames them into place. One flush per file at the end rather
    than write-then-flush per file lets the disk work overlap (and the caller may
    commit while a parser runs): a document's path exists only once its bytes are
    on disk, so an existing file with that hash is always complete.
    """

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = warehouse
        self._pending: list[tuple[int, Path, Path]] = []  # (fd, temporary, final)
        self._staged: set[Path] = set()

    def stage(self, sha256_hex: str, suffix: str, data: bytes) -> Path:
        path = raw_path(self.warehouse, sha256_hex, suffix)
        if path in self._staged or path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        except BaseException:
            os.close(fd)
            raise
        self._pending.append((fd, tmp, path))
        self._staged.add(path)
        return path

    def commit(self) -> None:
        """Flush every staged file, then move each into place."""
        pending, self._pending = self._pending, []
        try:
            for fd, _tmp, _path in pending:
                os.fdatasync(fd)
        finally:
            for fd, _tmp, _path in pending:
                os.close(fd)
        for _fd, tmp, path in pending:
            os.replace(tmp, path)
        self._staged.clear()
