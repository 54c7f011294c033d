"""Warehouses at an fsspec URL: a local working copy mirrored to the URL, manifest last.

Real fsspec filesystems only: ``file://`` (another directory), ``memory://`` (in this
process) and ``flaky://``, a MemoryFileSystem subclass defined here whose uploads fail
on demand, for what a failed upload leaves behind.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any, ClassVar

import fsspec
import polars as pl
import pytest
from fsspec.implementations.memory import MemoryFileSystem

from flows.cli import main
from flows.commands.query_cmd import query_frame
from flows.remote_warehouse import (
    RETIRED,
    STATE_FILES,
    RemoteWarehouse,
    RemoteWarehouseError,
    is_url,
    warehouse_location,
    working_copy_for,
)
from flows.warehouse import MANIFEST, Manifest, has_manifest, publish, read_table
from tests.report_builders import batch, shanghai_like
from transforms.normalize import TABLES, build_tables

from .test_warehouse import AT

KEEP = ("fmt2021-html-utf8-00.html", "fmt2021-html-utf8-broken-A2.html")
LATER = "fmt2019-html-utf8-00.html"  # added to the inputs by a later run


class FlakyFileSystem(MemoryFileSystem):
    """An in-memory object store whose ``put_file`` fails for paths ending in ``fail_on``."""

    protocol = "flaky"
    store: ClassVar[dict[str, Any]] = {}  # its own store, not memory://'s
    pseudo_dirs: ClassVar[list[str]] = [""]
    fail_on: ClassVar[str | None] = None
    puts: ClassVar[list[str]] = []

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, str):
            path = path.removeprefix("flaky://")
        return super()._strip_protocol(path)

    def put_file(self, lpath: Any, rpath: Any, *args: Any, **kwargs: Any) -> None:
        if FlakyFileSystem.fail_on and str(rpath).endswith(FlakyFileSystem.fail_on):
            raise PermissionError(f"403 Forbidden: PUT {rpath}")
        FlakyFileSystem.puts.append(str(rpath))
        super().put_file(lpath, rpath, *args, **kwargs)


fsspec.register_implementation("flaky", FlakyFileSystem, clobber=True)


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def _same_tables(a: Path | str, b: Path | str) -> None:
    for name in TABLES:
        left, right = _sorted(read_table(a, name)), _sorted(read_table(b, name))
        assert left.schema == right.schema, name
        assert left.equals(right), name


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _named(doc: dict[str, Any]) -> set[str]:
    return ({f for t in doc["tables"].values() for f in t["files"]}
            | set(doc["state"].values()))


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from flows.samples import write_samples

    root = tmp_path_factory.mktemp("samples")
    write_samples(root)
    return root


def _inputs(samples: Path, where: Path, names: tuple[str, ...] = KEEP) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(samples / name, where / name)
    return where


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    code = main(["run", *argv, "--json", "--quiet", "--workers", "1"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else {}), out.err


# --- the whole flow through the CLI --------------------------------------------------------


def test_run_to_a_file_url_then_from_a_new_machine(
        prefect_harness: None, samples: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    src = _inputs(samples, tmp_path / "in")
    remote = tmp_path / "remote"
    url = remote.as_uri()  # file:///…/remote
    code, first, _ = _run(capsys, str(src), "--warehouse", url,
                          "--cache-dir", str(tmp_path / "cache1"))
    assert code == 0
    work1 = Path(first["working_copy"])
    assert first["warehouse"] == url and work1 == working_copy_for(url, tmp_path / "cache1")
    assert first["documents"] == 2 and first["mirror"]["committed"] is True

    doc = json.loads((remote / MANIFEST).read_text(encoding="utf-8"))
    local = json.loads((work1 / MANIFEST).read_text(encoding="utf-8"))
    assert doc["tables"] == local["tables"] and doc["run_id"] == local["run_id"]
    assert set(doc["state"]) == set(STATE_FILES)  # ledger + file state, content-addressed
    held = _files(remote)
    tables_and_state = {f for f in held if f.split("/")[0] in {*TABLES, ".state"}}
    assert tables_and_state == _named(doc)  # exactly the files the manifest names
    assert {f for f in held if f.startswith("raw/")} == {
        f"raw/{p}" for p in _files(work1 / "raw")}
    assert f"validation/runs/{first['run_id']}.html" in held
    _same_tables(url, work1)
    assert read_table(url, "reports").height == 2
    assert read_table(url, "facts", columns=["report_id", "report_year"]).columns == [
        "report_id", "report_year"]

    # a new machine (fresh cache): it pulls the history, so the unchanged files are skipped
    code, second, _ = _run(capsys, str(src), "--warehouse", url,
                           "--cache-dir", str(tmp_path / "cache2"))
    assert code == 0
    work2 = Path(second["working_copy"])
    assert work2 != work1 and second["unchanged_files"] == 2 and second["documents"] == 0
    assert second["mirror"]["committed"] is False  # nothing changed: manifest not rewritten
    assert json.loads((remote / MANIFEST).read_text(encoding="utf-8")) == doc
    _same_tables(work2, work1)
    for rel in STATE_FILES:
        assert (work2 / rel).read_bytes() == (work1 / rel).read_bytes(), rel

    # the new machine re-parses everything and adds a document: rows replaced, not doubled
    shutil.copy(samples / LATER, src / LATER)
    code, third, _ = _run(capsys, str(src), "--warehouse", url,
                          "--cache-dir", str(tmp_path / "cache2"), "--reparse")
    assert code == 0 and third["documents"] == 3
    reports = read_table(url, "reports")
    assert reports.height == 3 and reports["report_id"].n_unique() == 3
    assert set(read_table(work1, "reports")["report_id"]) < set(reports["report_id"])
    facts = read_table(url, "facts")
    assert facts.unique(["report_id", "table", "row_code", "col_code"]).height == facts.height
    _same_tables(url, work2)
    doc3 = json.loads((remote / MANIFEST).read_text(encoding="utf-8"))
    retired = set(json.loads((remote / RETIRED).read_text(encoding="utf-8")))
    held = {f for f in _files(remote) if f.split("/")[0] in {*TABLES, ".state"}}
    assert held == _named(doc3) | retired  # replaced files wait one mirror, then go
    assert retired and not retired & _named(doc3)
    # ogi query and ogi failures read the URL through its manifest
    assert main(["query", "select count(*) as n from reports", "--warehouse", url,
                 "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"n": 3}]
    assert main(["failures", "--warehouse", url, "--json"]) == 3  # the A2 sample
    assert json.loads(capsys.readouterr().out)["by_check"][0]["check"] == "A2"


def test_a_failed_upload_keeps_the_previous_manifest_and_exits_1(
        prefect_harness: None, samples: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    src = _inputs(samples, tmp_path / "in")
    url = f"flaky://bucket-{uuid.uuid4().hex[:8]}/ogi"
    fs = FlakyFileSystem()
    root = url.removeprefix("flaky://")
    cache = str(tmp_path / "cache")
    FlakyFileSystem.fail_on = None
    assert _run(capsys, str(src), "--warehouse", url, "--cache-dir", cache)[0] == 0
    before = fs.cat_file(f"/{root}/{MANIFEST}")

    shutil.copy(samples / LATER, src / LATER)
    for fail_on in (MANIFEST, ".parquet"):  # the commit point itself, then the first file
        FlakyFileSystem.fail_on = fail_on
        try:
            code, _, err = _run(capsys, str(src), "--warehouse", url, "--cache-dir", cache)
        finally:
            FlakyFileSystem.fail_on = None
        assert code == 1
        assert f"publishing to {url} failed" in err and "403 Forbidden" in err
        assert "manifest" in err and "unchanged" in err and "run `ogi run` again" in err
        assert fs.cat_file(f"/{root}/{MANIFEST}") == before
        assert read_table(url, "reports").height == 2  # readers see the previous set

    FlakyFileSystem.puts.clear()
    code, last, _ = _run(capsys, str(src), "--warehouse", url, "--cache-dir", cache)
    assert code == 0 and last["mirror"]["committed"] is True
    data_puts = [p for p in FlakyFileSystem.puts if not p.endswith(RETIRED)]
    assert data_puts[-1].endswith(MANIFEST)  # the manifest is the last PUT (the commit)
    reports = read_table(url, "reports")
    assert reports.height == 3 and reports["report_id"].n_unique() == 3
    _same_tables(url, Path(last["working_copy"]))
    doc = json.loads(fs.cat_file(f"/{root}/{MANIFEST}"))
    assert all(fs.exists(f"/{root}/{f}") for f in _named(doc))


def test_usage_errors_name_the_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path), "--warehouse", "nosuchproto://b/x"]) == 2
    assert "nosuchproto://b/x" in capsys.readouterr().err
    assert main(["query", "select 1", "--warehouse", "memory://never-published/x"]) == 2
    assert "not a published warehouse" in capsys.readouterr().err


# --- the mirror itself, in-process on memory:// -------------------------------------------


def _state_file(where: Path, rows: int) -> None:
    path = where / "ledger" / "files.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"path": [f"/in/{i}.html" for i in range(rows)]}).write_parquet(path)


def test_memory_url_push_read_pull_and_retire(tmp_path: Path) -> None:
    url = f"memory://ogi-{uuid.uuid4().hex[:8]}/w"
    fs, root = fsspec.core.url_to_fs(url)
    one = RemoteWarehouse(url, tmp_path / "c1")
    assert one.pull() is False and not has_manifest(url)
    publish(build_tables(batch(), "run-1", AT), one.local, run_id="run-1", now=AT)
    _state_file(one.local, 2)
    sha = "ab" + "0" * 62
    (one.local / "raw" / "ab").mkdir(parents=True)
    (one.local / "raw" / "ab" / f"{sha}.html").write_bytes(b"<html>raw</html>")
    result = one.push()
    assert result.committed and result.files_deleted == 0
    assert has_manifest(url) and fs.cat_file(f"{root}/raw/ab/{sha}.html") == b"<html>raw</html>"
    _same_tables(url, one.local)
    assert query_frame("select count(*) as n from facts", url)["n"][0] == read_table(
        one.local, "facts").height
    assert one.push().committed is False  # nothing new: nothing written

    fixed = shanghai_like()  # re-published: the files holding it are rewritten
    publish(build_tables([fixed], "run-2", AT), one.local, run_id="run-2", now=AT)
    one.push()
    first_retired = json.loads(fs.cat_file(f"{root}/{RETIRED}"))
    assert first_retired and all(fs.exists(f"{root}/{f}") for f in first_retired)
    _same_tables(url, one.local)

    two = RemoteWarehouse(url, tmp_path / "c2")  # another machine
    assert two.pull() is True and two.pull() is False
    _same_tables(two.local, one.local)
    assert Manifest.read(two.local) == Manifest.read(one.local)
    assert (two.local / STATE_FILES[2]).read_bytes() == (one.local / STATE_FILES[2]).read_bytes()
    _state_file(two.local, 3)
    publish(build_tables([fixed], "run-3", AT), two.local, run_id="run-3", now=AT)
    assert two.push().files_deleted == len(first_retired)
    assert not any(fs.exists(f"{root}/{f}") for f in first_retired)
    _same_tables(url, two.local)

    # the first machine is now behind: its mirror refuses, its next pull catches up
    publish(build_tables([fixed], "run-4", AT), one.local, run_id="run-4", now=AT)
    before = fs.cat_file(f"{root}/{MANIFEST}")
    with pytest.raises(RemoteWarehouseError, match="changed after this run"):
        one.push()
    assert fs.cat_file(f"{root}/{MANIFEST}") == before
    assert one.pull() is True
    _same_tables(one.local, two.local)
    assert pl.read_parquet(one.local / STATE_FILES[2]).height == 3


def test_a_failed_push_is_completed_by_the_next_one(tmp_path: Path) -> None:
    url = f"flaky://ogi-{uuid.uuid4().hex[:8]}/w"
    fs = FlakyFileSystem()
    root = url.removeprefix("flaky:/")
    rw = RemoteWarehouse(url, tmp_path / "c")
    rw.pull()
    publish(build_tables(batch(), "run-1", AT), rw.local, run_id="run-1", now=AT)
    rw.push()
    before = fs.cat_file(f"{root}/{MANIFEST}")
    publish(build_tables([shanghai_like()], "run-2", AT), rw.local, run_id="run-2", now=AT)
    FlakyFileSystem.fail_on = MANIFEST
    try:
        with pytest.raises(RemoteWarehouseError, match=f"publishing to {url} failed"):
            rw.push()
    finally:
        FlakyFileSystem.fail_on = None
    assert fs.cat_file(f"{root}/{MANIFEST}") == before
    assert read_table(url, "reports")["run_id"].unique().to_list() == ["run-1"]
    publish(build_tables([shanghai_like()], "run-3", AT), rw.local, run_id="run-3", now=AT)
    assert rw.push().committed
    _same_tables(url, rw.local)
    doc = json.loads(fs.cat_file(f"{root}/{MANIFEST}"))
    retired = set(json.loads(fs.cat_file(f"{root}/{RETIRED}")))
    on_store = {p.removeprefix(f"{root}/") for p in fs.find(root)}
    # run-2's uploads that no manifest ever named wait in the retired list with the rest
    assert on_store - {MANIFEST, RETIRED} == _named(doc) | retired


def test_urls_and_paths_are_told_apart(monkeypatch: pytest.MonkeyPatch,
                                       tmp_path: Path) -> None:
    assert is_url("s3://bucket/ogi") and is_url("file:///tmp/w") and is_url("memory://w")
    assert not is_url("warehouse") and not is_url(Path("s3://bucket"))
    assert warehouse_location("gcs://b/ogi/") == "gcs://b/ogi"
    assert warehouse_location("~/w") == Path.home() / "w"
    monkeypatch.setenv("OGI_WAREHOUSE", "az://container/ogi")
    assert warehouse_location(None) == "az://container/ogi"
    monkeypatch.setenv("OGI_CACHE_DIR", str(tmp_path))
    copy = working_copy_for("s3://bucket/ogi")
    assert copy.parent == tmp_path / "warehouses" and copy == working_copy_for("s3://bucket/ogi/")
