import hashlib
from pathlib import Path

import pytest

from flows.raw_archive import RawBatch, keep_raw, raw_path


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


def test_a_batch_is_in_place_only_after_commit(tmp_path: Path) -> None:
    batch = RawBatch(tmp_path)
    blobs = [b"<html>one</html>", b"%PDF-1.4 two", b"<html>one</html>"]
    paths = [batch.stage(hashlib.sha256(b).hexdigest(), s, b)
             for b, s in zip(blobs, (".html", ".pdf", ".html"), strict=True)]
    assert paths[0] == paths[2]  # the same bytes twice: one file
    assert not any(p.exists() for p in paths)  # written under temporary names until flushed
    batch.commit()
    assert [p.read_bytes() for p in paths] == blobs
    assert not list(tmp_path.rglob(".*.tmp"))
