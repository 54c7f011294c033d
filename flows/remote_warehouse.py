"""A warehouse at an fsspec URL (s3://, gcs://, az://, memory://, file://…): a local working
copy that a run works in exactly as in a local warehouse, mirrored to the URL afterwards.

Object stores have no symlinks, no hard links and no rename, so the local publish
(flows/warehouse.py) cannot run there. What they do have is an atomic PUT of one
object: a reader gets the old object or the new one, never a half. ``manifest.json``
is that one object, and it is the commit point of the URL warehouse:

- every file a manifest names is immutable. Table part files already have names that
  are never reused for other bytes (``part-<version>…``; a rewritten file gets a new
  name), so they live at the same relative paths as in the working copy's manifest
  (``facts/report_year=2021/part-….parquet``); the ledger/state files, rewritten in
  place locally, are stored under ``.state/ledger/<name>-<sha256[:16]>.parquet`` and
  named in the manifest's ``state`` map;
- a mirror uploads the files the remote manifest does not name yet (tables, state),
  the raw archive and validation pages written since the last mirror, and then
  ``manifest.json`` LAST. A failure before that leaves the remote manifest naming the
  previous complete set; the run is kept in the working copy and the next run
  uploads what is missing;
- files no longer named are deleted one mirror later (``.retired.json``), so a reader
  that read the previous manifest can still finish. Readers never list the bucket:
  the manifest names the current files (a glob over the URL would also see files
  waiting to be deleted).

Before a run the working copy is brought up to date when its manifest is not the one
it last synced with the URL (a new machine, a new cache, or another machine ran):
the manifest, the table files it names (hard-linked from the working copy when
already there, downloaded otherwise) and the state files. Raw bytes are not pulled
(they are kept by hash; the crawler fetches again what it cannot find locally).

One writer per URL at a time is assumed, as for a local warehouse; a mirror refuses
to commit when the remote manifest changed since the pull.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from flows.warehouse import (
    MANIFEST,
    STAGING,
    VERSIONS,
    Manifest,
    TableEntry,
    _current_root,
    _link_or_copy,
    _prune,
)
from transforms.normalize import PARTITION_COLUMN, SCHEMAS, empty_frame

if TYPE_CHECKING:
    import pyarrow.dataset as pads
    from fsspec import AbstractFileSystem

LOCAL_STATE = ".remote.json"  # in the working copy: what it last synced with the URL
RETIRED = ".retired.json"  # at the URL: files to delete at the next mirror
STATE_DIR = ".state"
STATE_FILES = ("ledger/fetches.parquet", "ledger/parsed.parquet", "ledger/files.parquet")
MIRRORED_DIRS = ("raw", "validation")  # copied when written since the last mirror
MTIME_SLACK_NS = 2_000_000_000  # coarse file clocks: re-upload a little rather than miss
UPLOAD_CHUNK = 256  # files per fs.put call (async backends upload a call concurrently)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class RemoteWarehouseError(RuntimeError):
    """A URL warehouse could not be read, pulled or published; the message says what to do."""


def is_url(warehouse: str | Path) -> bool:
    """True for ``scheme://…`` strings; a ``Path`` is always local."""
    return isinstance(warehouse, str) and bool(_URL.match(warehouse))


def warehouse_location(value: str | None) -> str | Path:
    """``--warehouse`` (or $OGI_WAREHOUSE, or ./warehouse): a URL stays a string."""
    from flows.settings import default_warehouse

    raw = value if value is not None else os.environ.get("OGI_WAREHOUSE")
    if raw is None:
        return default_warehouse()
    return raw.rstrip("/") if is_url(raw) else Path(raw).expanduser()


def cache_root(cache_dir: str | Path | None = None) -> Path:
    """Where working copies live: ``cache_dir``, $OGI_CACHE_DIR, or ~/.cache/ogi."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get("OGI_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "ogi"


def working_copy_for(url: str, cache_dir: str | Path | None = None) -> Path:
    """The local working copy of ``url``: ``<cache root>/warehouses/<sha256(url)[:16]>``."""
    key = hashlib.sha256(url.rstrip("/").encode()).hexdigest()[:16]
    return cache_root(cache_dir) / "warehouses" / key


def open_url(url: str) -> tuple[AbstractFileSystem, str]:
    """The fsspec filesystem and root path of ``url``; a clear error when it cannot be used
    (unknown protocol, or its backend — s3fs, gcsfs, adlfs — is not installed)."""
    from fsspec.core import url_to_fs

    try:
        fs, root = url_to_fs(url.rstrip("/"))
    except (ImportError, ValueError) as exc:
        raise RemoteWarehouseError(f"cannot open warehouse URL {url}: {exc}") from exc
    return fs, str(root).rstrip("/")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _state_name(rel: str, sha: str) -> str:
    """Remote, content-addressed name of a state file: immutable like the part files."""
    p = Path(rel)
    return f"{STATE_DIR}/{p.parent.as_posix()}/{p.stem}-{sha[:16]}{p.suffix}"


@dataclass
class RemoteManifest:
    """The manifest at a URL: the local manifest plus the state files it names."""

    manifest: Manifest
    state: dict[str, str] = field(default_factory=dict)  # local rel path → remote rel path

    @classmethod
    def parse(cls, data: bytes) -> RemoteManifest:
        doc = json.loads(data.decode("utf-8"))
        return cls(Manifest.from_json(data.decode("utf-8")), dict(doc.get("state") or {}))

    def named(self) -> set[str]:
        """Every file this manifest names (relative to the warehouse root)."""
        files = {f for entry in self.manifest.tables.values() for f in entry.files}
        return files | set(self.state.values())


def _read_bytes(fs: AbstractFileSystem, path: str) -> bytes | None:
    try:
        return bytes(fs.cat_file(path))
    except FileNotFoundError:
        return None


def read_remote_manifest(url: str) -> RemoteManifest | None:
    """The manifest at ``url``; None when nothing was published there yet."""
    fs, root = open_url(url)
    data = _read_bytes(fs, f"{root}/{MANIFEST}")
    return RemoteManifest.parse(data) if data is not None else None


def table_dataset(url: str, name: str, manifest: Manifest | None = None
                  ) -> pads.Dataset | None:
    """A pyarrow dataset over exactly the files the manifest names for ``name`` (never a
    listing of the bucket); None when the table has no files."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    if manifest is None:
        remote = read_remote_manifest(url)
        manifest = remote.manifest if remote else None
    entry = manifest.tables.get(name) if manifest else None
    if entry is None or not entry.files:
        return None
    fs, root = open_url(url)
    partitioning = ds.partitioning(pa.schema([(PARTITION_COLUMN, pa.int32())]), flavor="hive")
    return ds.dataset([f"{root}/{f}" for f in entry.files], filesystem=fs, format="parquet",
                      partitioning=partitioning, partition_base_dir=f"{root}/{name}")


def read_remote_table(url: str, name: str, columns: Iterable[str] | None = None
                      ) -> pl.DataFrame:
    """``read_table`` for a URL: the manifest, then the files it names (column subset read)."""
    schema = SCHEMAS[name]
    wanted = list(columns) if columns is not None else list(schema)
    dataset = table_dataset(url, name)
    if dataset is None:
        return empty_frame(name).select(wanted)
    frame = pl.from_arrow(dataset.to_table(columns=wanted))
    assert isinstance(frame, pl.DataFrame)
    return frame.select(wanted).cast({c: schema[c] for c in wanted})


@dataclass
class MirrorResult:
    """What one mirror did (reported in the run summary)."""

    url: str
    working_copy: str
    committed: bool = False  # a new manifest was written at the URL
    files_uploaded: int = 0
    bytes_uploaded: int = 0
    files_deleted: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class RemoteWarehouse:
    """A URL warehouse and its local working copy: ``pull()`` before a run, ``push()`` after."""

    def __init__(self, url: str, cache_dir: str | Path | None = None) -> None:
        self.url = url.rstrip("/")
        self.fs, self.root = open_url(self.url)
        self.local = working_copy_for(self.url, cache_dir)

    # --- paths and small IO ---

    def remote_path(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def _is_local_fs(self) -> bool:
        from fsspec.implementations.local import LocalFileSystem

        return isinstance(self.fs, LocalFileSystem)

    def _load_state(self) -> dict[str, Any]:
        path = self.local / LOCAL_STATE
        if not path.exists():
            return {}
        state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return state if state.get("url") == self.url else {}

    def _save_state(self, state: Mapping[str, Any]) -> None:
        self.local.mkdir(parents=True, exist_ok=True)
        tmp = self.local / f".{LOCAL_STATE}.{uuid.uuid4().hex[:8]}"
        tmp.write_text(json.dumps({**state, "url": self.url}, indent=2, sort_keys=True),
                       encoding="utf-8")
        os.replace(tmp, self.local / LOCAL_STATE)

    def _remote_manifest_bytes(self) -> bytes | None:
        return _read_bytes(self.fs, self.remote_path(MANIFEST))

    def _download(self, rel: str, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.part")
        self.fs.get_file(self.remote_path(rel), str(tmp))
        os.replace(tmp, dest)

    def _upload(self, pairs: list[tuple[Path, str]], done: list[str]) -> int:
        """Put each local file at its remote path (one atomic object each); appends each
        remote path to ``done`` before trying it (a failed put may have left it)."""
        sent = 0
        if self._is_local_fs():  # file:// — copy to a temporary name, then rename
            for path, rel in pairs:
                target = self.remote_path(rel)
                parent = target.rsplit("/", 1)[0]
                self.fs.makedirs(parent, exist_ok=True)
                tmp = f"{parent}/.{target.rsplit('/', 1)[1]}.{uuid.uuid4().hex[:8]}.tmp"
                done.append(rel)
                self.fs.put_file(str(path), tmp)
                self.fs.mv(tmp, target)
                sent += path.stat().st_size
            return sent
        for i in range(0, len(pairs), UPLOAD_CHUNK):
            chunk = pairs[i:i + UPLOAD_CHUNK]
            done.extend(rel for _, rel in chunk)
            self.fs.put([str(p) for p, _ in chunk], [self.remote_path(r) for _, r in chunk])
            sent += sum(p.stat().st_size for p, _ in chunk)
        return sent

    # --- pull ---

    def pull(self) -> bool:
        """Bring the working copy up to the URL's manifest unless it already is; True when
        it pulled. A URL with no manifest leaves a new working copy empty."""
        try:
            return self._pull()
        except RemoteWarehouseError:
            raise
        except Exception as exc:  # any backend error: say where and what to do
            raise RemoteWarehouseError(
                f"bringing the working copy {self.local} up to date from {self.url} failed: "
                f"{type(exc).__name__}: {exc}. Nothing was run; check access to {self.url} "
                "and run again.") from exc

    def _pull(self) -> bool:
        state = self._load_state()
        data = self._remote_manifest_bytes()
        sha = _sha256(data) if data is not None else None
        has_local = (self.local / MANIFEST).exists()
        if state and state.get("manifest_sha256") == sha and (has_local or sha is None):
            return False
        self.local.mkdir(parents=True, exist_ok=True)
        if data is None:
            if not state:  # a new working copy of a new URL: nothing to pull
                self._save_state({"manifest_sha256": None, "mirrored_mark_ns": 0})
                return False
            # the URL was emptied since this copy synced with it: it is the truth
            remote = RemoteManifest(Manifest(run_id=None, published_at="", tables={}))
        else:
            remote = RemoteManifest.parse(data)
        staging = self.local / STAGING / f"pull-{uuid.uuid4().hex[:8]}"
        try:
            for name, entry in sorted(remote.manifest.tables.items()):
                self._pull_table(name, entry, staging / name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        previous = Manifest.read(self.local)
        for name in sorted(set(previous.tables) if previous else set()):
            if name not in remote.manifest.tables and (self.local / name).is_symlink():
                (self.local / name).unlink()
        for rel in STATE_FILES:
            self._pull_state(rel, remote.state.get(rel))
        if data is None:
            (self.local / MANIFEST).unlink(missing_ok=True)
        else:
            tmp = self.local / f".{MANIFEST}.pull"
            tmp.write_text(remote.manifest.to_json(), encoding="utf-8")
            os.replace(tmp, self.local / MANIFEST)
        for name in remote.manifest.tables:
            _prune(self.local, name)
        self._save_state({"manifest_sha256": sha,
                          "mirrored_mark_ns": state.get("mirrored_mark_ns", 0),
                          "orphans": state.get("orphans", [])})
        return True

    def _pull_table(self, name: str, entry: TableEntry, staged: Path) -> None:
        """The version the manifest names, as a local version directory behind the link."""
        final = self.local / VERSIONS / name / entry.version
        want = {Path(f).relative_to(name).as_posix() for f in entry.files}
        if not (final.is_dir() and _files_under(final) == want):
            current = _current_root(self.local, name)
            staged.mkdir(parents=True, exist_ok=True)
            for sub in sorted(want):
                here = current / sub if current is not None else None
                if here is not None and here.is_file():  # same name → same bytes
                    _link_or_copy(here, staged / sub)
                else:
                    self._download(f"{name}/{sub}", staged / sub)
            if final.exists():
                shutil.rmtree(final)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.rename(staged, final)
        link = self.local / name
        if link.exists() and not link.is_symlink():
            raise RemoteWarehouseError(f"{link} is a real directory, not a table link; the "
                                       f"working copy {self.local} is damaged: remove it and "
                                       "run again")
        tmp = self.local / f".{name}.{entry.version}.link"
        tmp.unlink(missing_ok=True)
        os.symlink(os.path.relpath(final, self.local), tmp)
        os.replace(tmp, link)

    def _pull_state(self, rel: str, remote_rel: str | None) -> None:
        target = self.local / rel
        if remote_rel is None:
            target.unlink(missing_ok=True)
            return
        if target.exists() and _state_name(rel, _sha256_file(target)) == remote_rel:
            return
        self._download(remote_rel, target)

    # --- push ---

    def push(self) -> MirrorResult:
        """Mirror the working copy to the URL, ``manifest.json`` last (the commit point)."""
        result = MirrorResult(self.url, str(self.local))
        started = time.time_ns()
        state = self._load_state()
        local = Manifest.read(self.local)
        if local is None:
            return result  # nothing was ever published here
        try:
            data = self._remote_manifest_bytes()
        except Exception as exc:  # any backend error: say where and what to do
            raise self._failure("reading its manifest", exc) from exc
        if (_sha256(data) if data is not None else None) != state.get("manifest_sha256"):
            raise RemoteWarehouseError(
                f"the manifest at {self.url} changed after this run brought its working copy "
                f"{self.local} up to date (another run publishing to the same URL?); nothing "
                "was uploaded and the URL still shows that other run. Run again: a run starts "
                "by pulling what the URL holds.")
        previous = RemoteManifest.parse(data) if data is not None else None
        old_named = previous.named() if previous else set()
        tried: list[str] = []
        step = "uploading the table files"
        try:
            pairs = [(self.local / f, f) for entry in local.tables.values() for f in entry.files
                     if f not in old_named]
            result.bytes_uploaded += self._upload(pairs, tried)
            result.files_uploaded += len(pairs)
            step = "uploading the raw archive and validation pages"
            mark = int(state.get("mirrored_mark_ns", 0))
            pages = [(self.local / rel, rel) for rel in self._written_since(mark)]
            result.bytes_uploaded += self._upload(pages, [])
            result.files_uploaded += len(pages)
            step = "uploading the ledger and file-state files"
            names: dict[str, str] = {}
            for rel in STATE_FILES:
                path = self.local / rel
                if path.exists():
                    names[rel] = _state_name(rel, _sha256_file(path))
            pairs = [(self.local / rel, remote) for rel, remote in names.items()
                     if remote not in old_named]
            result.bytes_uploaded += self._upload(pairs, tried)
            result.files_uploaded += len(pairs)
            step = f"writing {MANIFEST}"
            new = RemoteManifest(local, names)
            doc = json.loads(local.to_json())
            doc["state"] = dict(sorted(names.items()))
            if previous is not None and _same(previous, new):
                body = data
            else:
                doc["mirrored_at"] = datetime.now(UTC).isoformat()
                body = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True).encode()
                self._put_bytes(MANIFEST, body)
                result.committed = True
        except Exception as exc:  # any backend error: the old manifest still stands
            self._save_state({**state, "orphans": sorted(set(state.get("orphans", []))
                                                         | (set(tried) - old_named))})
            raise self._failure(step, exc) from exc
        assert body is not None
        retired = (old_named | set(state.get("orphans", []))) - new.named()
        if result.committed:
            self._retire(retired, new.named(), result)
            retired = set()
        self._save_state({"manifest_sha256": _sha256(body),
                          "mirrored_mark_ns": started - MTIME_SLACK_NS,
                          "orphans": sorted(retired)})  # not committed: retire them later
        return result

    def _failure(self, step: str, exc: BaseException) -> RemoteWarehouseError:
        return RemoteWarehouseError(
            f"publishing to {self.url} failed while {step}: {type(exc).__name__}: {exc}. "
            f"The manifest at {self.url} is unchanged, so readers still see the previous "
            f"complete warehouse. This run is kept in the working copy {self.local}; fix the "
            f"access to {self.url} and run `ogi run` again with the same --warehouse: only "
            "what is missing there is uploaded.")

    def _put_bytes(self, rel: str, body: bytes) -> None:
        tmp = self.local / f".{Path(rel).name}.{uuid.uuid4().hex[:8]}.out"
        tmp.write_bytes(body)
        try:
            self._upload([(tmp, rel)], [])
        finally:
            tmp.unlink(missing_ok=True)

    def _written_since(self, mark_ns: int) -> list[str]:
        """Raw files and validation pages written since the last mirror (relative paths).
        A raw folder whose own mtime is older got no new file (files are renamed in)."""
        out: list[str] = []
        for top in MIRRORED_DIRS:
            base = self.local / top
            if base.is_dir():
                out.extend(_walk_since(base, top, mark_ns, prune_dirs=top == "raw"))
        return sorted(out)

    def _retire(self, retired: set[str], named: set[str], result: MirrorResult) -> None:
        """Delete what the previous mirror retired (readers of the manifest before that
        had one whole run to finish); remember what this one retires."""
        pending: set[str] = set()
        try:
            data = _read_bytes(self.fs, self.remote_path(RETIRED))
            pending = set(json.loads(data.decode("utf-8"))) if data else set()
        except Exception as exc:  # after the commit: housekeeping never fails the run
            result.warnings.append(f"could not read {RETIRED}: {exc}")
        kept: set[str] = set()
        for rel in sorted(pending - named):
            try:
                self.fs.rm_file(self.remote_path(rel))
                result.files_deleted += 1
            except FileNotFoundError:
                continue  # gone already
            except Exception as exc:  # kept in the list, tried again next time
                kept.add(rel)
                result.warnings.append(f"could not delete {rel}: {exc}")
        if not (pending or retired or kept):
            return  # nothing was waiting, nothing waits now
        try:
            self._put_bytes(RETIRED, json.dumps(sorted(retired | kept)).encode())
        except Exception as exc:  # the retired files then stay: storage, not correctness
            result.warnings.append(f"could not write {RETIRED} (files {sorted(retired)} stay "
                                   f"at {self.url}): {exc}")


def _same(a: RemoteManifest, b: RemoteManifest) -> bool:
    return (a.state == b.state and a.manifest.run_id == b.manifest.run_id
            and a.manifest.published_at == b.manifest.published_at
            and {k: asdict(v) for k, v in a.manifest.tables.items()}
            == {k: asdict(v) for k, v in b.manifest.tables.items()})


def _files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _walk_since(base: Path, prefix: str, mark_ns: int, prune_dirs: bool) -> Iterator[str]:
    stack = [(base, prefix)]
    while stack:
        folder, rel = stack.pop()
        with os.scandir(folder) as entries:
            for e in entries:
                if e.name.startswith("."):
                    continue  # temporary files of a writer
                if e.is_dir(follow_symlinks=False):
                    if not prune_dirs or e.stat().st_mtime_ns >= mark_ns:
                        stack.append((Path(e.path), f"{rel}/{e.name}"))
                elif e.is_file(follow_symlinks=False) and e.stat().st_mtime_ns >= mark_ns:
                    yield f"{rel}/{e.name}"
