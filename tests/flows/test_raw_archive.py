import hashlib
from pathlib import Path

import pytest

from flows.raw_archive import keep_raw, raw_path


def test_keeps_bytes_once_by_hash(tmp_path: Path) -> None:
    data = b"<html>report</html>"
    digest = hashlib.sha256(data).hexdigest()
    p1 = keep_raw(tmp_path, digest, ".html", data)
    p2 = keep_raw(tmp_path, digest, ".html", data)
    assert p1 == p2 and p1.read_bytes() == data
    assert p1.relative_to(tmp_path).parts[:2] == ("raw", digest[:2])


def test_names_never_come_from_outside(tmp_path: Path) -> None:
    digest = "a" * 64
    assert raw_path(tmp_path, digest, "/../../etc").name == f"{digest}.bin"
    with pytest.raises(ValueError):
        raw_path(tmp_path, "../../etc/passwd", ".html")
