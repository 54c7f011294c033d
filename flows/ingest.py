"""Read documents (files or URLs), keep their raw bytes, and parse them in isolation.

One hostile document must cost one ``failed`` row, never the run. Parsing therefore
happens in a forked child process, kept between chunks of documents (its caches stay
warm and no chunk pays for a fork) and replaced when it dies, hangs or is left
suspect. The child parses a chunk in order and sends each record back as soon as it
has it, under three bounds from transforms/limits.py:

- time: SIGALRM after ``parse_seconds`` turns a slow Python-level parse into
  "parser exceeded 60 s"; a parse stuck in C code is killed by this process after
  ``parse_seconds + parse_grace_seconds``;
- memory: RLIMIT_AS caps how far the child's address space may grow
  (``parse_memory_bytes``), so a blow-up is a MemoryError or a dead child, not an
  OOM-killed run;
- crashes: a child that dies (segfault, kill) is noticed by the closed socket; the
  document it was on gets "parser process died (signal …)" and a fresh child takes
  the rest.

Because records arrive in order, the document in progress when a child dies or hangs
is always known: nothing is re-parsed and no healthy document is blamed.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import pickle
import signal
import socket
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from multiprocessing.connection import Connection
from pathlib import Path, PurePosixPath
from types import FrameType
from urllib.parse import urlsplit

from flows.fetch_one import FetchError, fetch_bytes
from flows.raw_archive import RawBatch
from flows.record_wire import pack_record, unpack_record
from flows.sources import Source
from transforms.document import ReportRecord
from transforms.limits import Limits, mib
from transforms.parse import OUT_OF_MEMORY, describe_error, ingest, report_id_for

Item = tuple[bytes, str]  # (document bytes, where it came from)


def current_limits() -> Limits:
    """The limits in force: defaults, overridden by OGI_LIMIT_* environment variables."""
    return Limits.from_env(os.environ)


def _suffix(location: str, is_url: bool) -> str:
    name = PurePosixPath(urlsplit(location).path).name if is_url else Path(location).name
    return PurePosixPath(name).suffix.lower() or ".bin"


def failed_record(location: str, data: bytes, error: str) -> ReportRecord:
    digest = hashlib.sha256(data).hexdigest()
    return ReportRecord(report_id_for(digest), location, digest, len(data), "failed",
                        error, None)


class TooLarge(OSError):
    """A local file above ``max_read_bytes``: not read into memory at all."""


def read_source(source: Source, limits: Limits | None = None) -> bytes:
    limits = limits or current_limits()
    if source.is_url and source.raw_path is None:
        return fetch_bytes(source.location, max_bytes=limits.max_read_bytes)
    path = Path(source.raw_path if source.raw_path is not None else source.location)
    size = path.stat().st_size
    if size > limits.max_read_bytes:
        raise TooLarge(f"file is {size} bytes, above the {mib(limits.max_read_bytes)} read "
                       "limit: not read")
    with open(path, "rb") as fh:
        return fh.read(limits.max_read_bytes + 1)


# --- the child side ------------------------------------------------------------------


class ParseTimeout(BaseException):
    """Raised by SIGALRM inside a parse; a BaseException so no parser's handler eats it."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise ParseTimeout


def _vm_size() -> int:
    """This process's current address-space size in bytes (0 if /proc is absent)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def _cap_memory(limits: Limits) -> None:
    """Let the address space grow by at most ``parse_memory_bytes`` from here."""
    import resource

    base = _vm_size()
    if not base:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = base + limits.parse_memory_bytes
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def timeout_message(limits: Limits) -> str:
    return f"parser exceeded {limits.parse_seconds:g} s (the parse time limit)"


def _parse_guarded(data: bytes, location: str, limits: Limits,
                   digest: str | None = None) -> tuple[ReportRecord, bool]:
    """(record, healthy): a timeout or memory failure leaves the process suspect."""
    signal.setitimer(signal.ITIMER_REAL, limits.parse_seconds)
    try:
        record = ingest(data, location, limits, digest)
    except ParseTimeout:
        return failed_record(location, data, timeout_message(limits)), False
    except MemoryError:  # raised outside the parser's own handler (ingest records the rest)
        return failed_record(location, data, describe_error(MemoryError())), False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    healthy = not (record.error or "").startswith(OUT_OF_MEMORY)
    return record, healthy


# A request's documents: (location, bytes sent inline or None, offset, length in the
# shared buffer) per item from ``start`` on; None before it
_Entry = tuple[str, bytes | None, int, int]
SHARED_BYTES = 32 << 20  # the parent → child buffer; a document that does not fit goes inline


def _child_main(conn: Connection, limits: Limits, shared: mmap.mmap) -> None:
    """Serve parse requests until the parent hangs up or a document leaves this process
    suspect: for each request (entries, digests, start), parse the documents from
    ``start`` on in order and send (index, packed record, go_on) for each.

    A document's bytes are read from ``shared`` (written by the parent before the
    request, left alone until the request is answered) unless they came inline.
    """
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _cap_memory(limits)
    while True:
        try:
            request = conn.recv_bytes()
        except EOFError:
            break
        entries, digests, start = pickle.loads(request)
        del request
        healthy = True
        for index in range(start, len(entries)):
            location, inline, offset, length = entries[index]
            data = inline if inline is not None else shared[offset:offset + length]
            record, healthy = _parse_guarded(data, location, limits, digests[index])
            conn.send_bytes(pickle.dumps((index, pack_record(record), healthy),
                                         pickle.HIGHEST_PROTOCOL))
            if not healthy:
                break  # a fresh process takes the rest
        del entries
        if not healthy:
            break
    conn.close()


# --- the parent side -----------------------------------------------------------------


def _death_message(exitcode: int | None) -> str:
    if exitcode is None:
        return "parser process stopped answering and was killed"
    if exitcode < 0:
        sig = -exitcode
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        hint: dict[int, str] = {signal.SIGKILL: " — out of memory?",
                                signal.SIGSEGV: " — a parser crash",
                                signal.SIGABRT: " — a parser abort"}
        return f"parser process died (signal {sig}, {name}{hint.get(sig, '')})"
    return f"parser process died (exit code {exitcode})"


class _Child:
    """A forked parser process and our end of its socket pair.

    It serves one chunk after another (its caches stay warm and no chunk pays for a
    fork) until it dies, hangs, is left suspect, or has parsed ``RECYCLE_AFTER``
    documents. ``os.fork`` rather than multiprocessing: it works in daemonic processes
    (Dask workers) too, and the child never runs the parent's atexit handlers (it
    leaves by ``_exit``).
    """

    RECYCLE_AFTER = 5000

    def __init__(self, limits: Limits) -> None:
        ours, theirs = socket.socketpair()
        # Documents reach the child through shared memory: through the socket each one
        # cost ~0.7 ms of kernel time (copies, wake-ups, a fresh pickle buffer's faults)
        self.shared = mmap.mmap(-1, SHARED_BYTES)
        pid = os.fork()
        if pid == 0:  # the child
            code = 0
            try:
                ours.close()
                _child_main(Connection(theirs.detach()), limits, self.shared)
            except BaseException:  # the exit code tells the parent; the trace tells people
                traceback.print_exc()
                code = 70
            finally:
                os._exit(code)
        theirs.close()
        self.pid = pid
        self.conn = Connection(ours.detach())
        self.exitcode: int | None = None
        self.served = 0
        self.key = _child_key(limits)

    def request(self, items: Sequence[Item], digests: Sequence[str | None],
                start: int) -> None:
        """Ask for items[start:]: their bytes into the shared buffer while they fit (the
        child is idle between requests), the rest inline."""
        entries: list[_Entry | None] = [None] * start
        offset, room = 0, len(self.shared)
        for data, location in items[start:]:
            size = len(data)
            if offset + size <= room:
                self.shared[offset:offset + size] = data
                entries.append((location, None, offset, size))
                offset += size
            else:
                entries.append((location, data, 0, 0))
        self.served += len(items) - start
        self.conn.send_bytes(pickle.dumps((entries, digests, start), pickle.HIGHEST_PROTOCOL))

    def stop(self) -> int | None:
        """Kill (if still running) and reap; the exit code (negative: the signal)."""
        if self.exitcode is None:
            try:
                done, status = os.waitpid(self.pid, os.WNOHANG)
                if not done:
                    os.kill(self.pid, signal.SIGKILL)
                    done, status = os.waitpid(self.pid, 0)
                self.exitcode = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                self.exitcode = None
        self.conn.close()
        self.shared.close()
        return self.exitcode

    def wait_exit(self) -> int | None:
        """Reap a child whose pipe closed (it is exiting or dead)."""
        if self.exitcode is None:
            try:
                _, status = os.waitpid(self.pid, 0)
                self.exitcode = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                self.exitcode = None
        return self.exitcode


def _child_key(limits: Limits) -> tuple[object, ...]:
    """What a kept child must share with a new request: this process, the limits and the
    parser function (tests swap it)."""
    return (os.getpid(), limits, globals()["ingest"])


_kept: _Child | None = None  # the parser child kept between chunks in this process


def _child_for(limits: Limits) -> _Child:
    global _kept
    child, _kept = _kept, None
    if child is not None and (child.key != _child_key(limits) or child.exitcode is not None):
        child.stop()
        child = None
    return child if child is not None else _Child(limits)


def _keep(child: _Child) -> None:
    global _kept
    if child.served >= _Child.RECYCLE_AFTER:
        child.stop()
    else:
        _kept = child


def parse_isolated(items: Sequence[Item], limits: Limits | None = None,
                   digests: Sequence[str | None] | None = None,
                   meanwhile: Callable[[], None] | None = None) -> list[ReportRecord]:
    """Parse every item in a forked child; one record per item, in order, always.

    ``digests`` are the items' sha256 when known; ``meanwhile`` is work for this
    process while the child parses (e.g. flushing the raw files to disk).
    """
    limits = limits or current_limits()
    out: list[ReportRecord | None] = [None] * len(items)
    wait = limits.parse_seconds + limits.parse_grace_seconds
    known = digests if digests is not None else [None] * len(items)
    i = 0
    while i < len(items):
        child = _child_for(limits)
        healthy_end = False
        try:
            try:
                child.request(items, known, i)
            except OSError:  # a kept child that went away while idle: start a fresh one
                child.stop()
                child = _Child(limits)
                child.request(items, known, i)
            if meanwhile is not None:
                task: Callable[[], None] = meanwhile
                meanwhile = None
                task()
            while i < len(items):
                if not child.conn.poll(wait):
                    child.stop()
                    out[i] = failed_record(items[i][1], items[i][0], timeout_message(limits)
                                           + "; the parser process was killed")
                    i += 1
                    break
                try:
                    index, packed, healthy = pickle.loads(child.conn.recv_bytes())
                except EOFError:  # the child died while parsing items[i]
                    code = child.wait_exit()
                    out[i] = failed_record(items[i][1], items[i][0], _death_message(code))
                    i += 1
                    break
                out[index] = unpack_record(packed)
                i = index + 1
                if not healthy:
                    break
            else:
                healthy_end = True
        finally:
            if healthy_end:
                _keep(child)
            else:
                child.stop()
    return [r for r in out if r is not None]


def parse_items(items: Sequence[Item], limits: Limits | None = None,
                digests: Sequence[str | None] | None = None,
                meanwhile: Callable[[], None] | None = None) -> list[ReportRecord]:
    """Isolated when the limits say so and the platform can fork; in this process otherwise."""
    limits = limits or current_limits()
    if limits.isolate and hasattr(os, "fork") and items:
        return parse_isolated(items, limits, digests, meanwhile)
    if meanwhile is not None:
        meanwhile()
    known = digests if digests is not None else [None] * len(items)
    return [ingest(data, location, limits, digest)
            for (data, location), digest in zip(items, known, strict=True)]


def _parse_chunk(chunk: Sequence[Item]) -> list[ReportRecord]:
    return parse_items(chunk)


def ingest_sources(sources: Sequence[Source], warehouse: Path,
                   pool: Executor | None = None,
                   limits: Limits | None = None) -> list[ReportRecord]:
    """One record per source, in input order; unreadable sources become failed records.

    Raw bytes are archived before parsing results are taken: they are written first and
    flushed to disk while the first parser child runs, so whatever the parser does, they
    are kept.
    ``pool`` (optional) spreads chunks over worker processes; each chunk is still
    parsed in its own forked child.
    """
    limits = limits or current_limits()
    loaded: list[tuple[int, bytes]] = []
    records: list[ReportRecord | None] = [None] * len(sources)
    raw: dict[int, str] = {}
    digests: list[str | None] = []
    archive = RawBatch(warehouse)
    for i, source in enumerate(sources):
        try:
            data = read_source(source, limits)
        except (OSError, FetchError) as exc:
            records[i] = failed_record(source.location, b"",
                                       f"cannot read {source.location}: {exc}")
            continue
        digest = hashlib.sha256(data).hexdigest()
        raw[i] = str(archive.stage(digest, _suffix(source.location, source.is_url), data))
        digests.append(digest)
        loaded.append((i, data))
    items = [(data, sources[i].location) for i, data in loaded]
    if pool is not None and len(items) > 8:
        archive.commit()
        size = max(4, -(-len(items) // 8))
        chunks = [items[k:k + size] for k in range(0, len(items), size)]
        parsed = [r for part in pool.map(_parse_chunk, chunks) for r in part]
    else:  # the raw files reach the disk while the first parser child runs
        parsed = parse_items(items, limits, digests, meanwhile=archive.commit)
    for (i, _data), record in zip(loaded, parsed, strict=True):
        record.raw_path = raw[i]
        records[i] = record
    return [r for r in records if r is not None]


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
