"""`ogi bench`: the pipeline's throughput on generated documents, against a baseline and a floor.

What is timed, in one process, on the same documents (generated first, untimed):

- **ours**: extract → parse → normalize → identities (in the process pool, both
  cores) → Great Expectations validation → streamed publish, exactly the work of
  one nightly run (``flows.batches``, ``expectations.validate.ValidationSession``,
  ``flows.warehouse.Publication``), run once per format (HTML, text, PDF, DOCX) so
  each format has its own figures. Not timed: process-pool start-up and the
  imports of Great Expectations, Prefect and the flow modules (reported as
  "startup"), and Prefect's orchestration (the flow wraps the same functions).
- **baseline**: what a user would write — ``pandas.read_html`` on each HTML
  document, the tables mapped onto the catalog by the same readers and
  normalized by the same code; one process, no validation, no publish.
- **floor**: only ``selectolax`` (lexbor) parsing each HTML document's bytes,
  one process, nothing else.

x = baseline time / our time for the HTML documents; y = our time / floor time.

Two more lines say how far this design can go: the CPU seconds ours spent on the
HTML documents in every process (main, pool workers, parser children), and the
**parse alone** — read → parse → normalize → identities of the baseline's documents
in this one process, with no isolation, raw archive, validation or publish. Every
core busy all the time on that work alone is the best ours could do with these
parsers: the x and y it allows are printed as the bound.

Peak memory is sampled while ours runs: the resident memory of this process and every
descendant (fork server, pool workers, parser children), summed.
Afterwards every document's table figures are read back from the warehouse and
compared with the generator's truth.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from flows.batches import (
    BatchOutput,
    BatchStats,
    collect,
    start_pool,
    submit_batch,
    validate_and_write,
)
from flows.sources import Source
from transforms.document import Cell

FORMAT_ORDER = ("html", "text", "pdf", "docx")
_EXT_FORMAT = {"html": "html", "htm": "html", "txt": "text", "pdf": "pdf", "docx": "docx"}
TRUTH_FILE = "truth.parquet"
TRUTH_SCHEMA = {"report_id": pl.String, "block": pl.String, "row_code": pl.String,
                "col_code": pl.String, "value": pl.Float64}
WINDOW = 3

Say = Callable[[str], None]


# ---------------------------------------------------------------- the corpus


@dataclass
class Corpus:
    root: Path
    files: dict[str, list[Path]]  # format → files, in generation order

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.files.values())


def _copy_marker(name: str, k: int) -> bytes:
    """Bytes appended to copy ``k`` of a document: invisible to the parsers, new to the hash."""
    return f"\n<!-- copy {k} -->\n".encode() if name.endswith((".html", ".htm")) \
        else b"\n" * (k + 1)


def _generate(n: int, seed: int, root: str, unique: int | None = None) -> int:
    """In a child process (its memory is not the pipeline's): documents plus a truth table.

    With ``unique`` < ``n``, only ``unique`` documents are generated and the rest are
    byte-distinct copies of their HTML and text documents (a trailing comment or blank
    lines), each with its own report id and truth rows: generating is ~10× slower than
    parsing, so this is how a 100,000-document run is prepared in minutes.
    """
    import hashlib

    import pyarrow.parquet as pq

    from flows.samples import generate_corpus
    from transforms.parse import report_id_for

    out = Path(root)
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[object]] = {k: [] for k in TRUTH_SCHEMA}
    writer: pq.ParquetWriter | None = None

    def flush() -> None:
        nonlocal writer
        table = pl.DataFrame(rows, schema=TRUTH_SCHEMA).to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(out / TRUTH_FILE, table.schema)
        writer.write_table(table)
        for v in rows.values():
            v.clear()

    def keep(name: str, data: bytes, cells: list[tuple[str, str, str, float | None]]) -> None:
        (out / name).write_bytes(data)
        rid = report_id_for(hashlib.sha256(data).hexdigest())
        for cell in cells:  # table figures (prose aside)
            for key, value in zip(TRUTH_SCHEMA, (rid, *cell), strict=True):
                rows[key].append(value)
        if len(rows["report_id"]) > 200_000:
            flush()

    base = min(n, unique or n)
    copyable: list[tuple[str, bytes, list[tuple[str, str, str, float | None]]]] = []
    for name, data, truth in generate_corpus(base, seed):
        cells = [(block, row, col, cell.value)
                 for (block, row, col), cell in truth.cells.items()]
        keep(name, data, cells)
        if base < n and name.endswith((".html", ".htm", ".txt")):
            copyable.append((name, data, cells))
    made, k = base, 0
    while made < n and copyable:
        k += 1
        for name, data, cells in copyable[: n - made]:
            stem, dot, ext = name.rpartition(".")
            keep(f"{stem}-copy{k}{dot}{ext}", data + _copy_marker(name, k), cells)
        made = min(n, made + len(copyable))
    flush()
    assert writer is not None
    writer.close()
    (out / "DONE").write_text(f"{n} {seed} {base}\n", encoding="utf-8")
    return n


def make_corpus(n: int, seed: int, root: Path, say: Say, unique: int | None = None) -> Corpus:
    """Generate (or reuse, when ``root`` already holds this corpus) ``n`` documents."""
    done = root / "DONE"
    tag = [str(n), str(seed), str(min(n, unique or n))]
    if not (done.exists() and done.read_text(encoding="utf-8").split() == tag):
        if root.exists():
            shutil.rmtree(root)
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=1,
                                 mp_context=multiprocessing.get_context("forkserver")) as gen:
            gen.submit(_generate, n, seed, str(root), unique).result()
        copies = f" ({tag[2]} generated, the rest copies)" if tag[2] != str(n) else ""
        say(f"generated {n} documents{copies} in {time.perf_counter() - t0:.1f} s "
            "(not timed)")
    files: dict[str, list[Path]] = {f: [] for f in FORMAT_ORDER}
    for path in sorted(root.iterdir()):
        fmt = _EXT_FORMAT.get(path.suffix.lstrip(".").lower())
        if fmt:
            files[fmt].append(path)
    return Corpus(root, files)


# ---------------------------------------------------------------- memory


def process_tree(pid: int | None = None) -> list[int]:
    """A process and all its descendants, alive now, from /proc.

    The run's pool workers are children of multiprocessing's fork server, not of
    this process, and their parser children are one level further down.
    """
    todo, found = [os.getpid() if pid is None else pid], []
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as fh:
                todo.extend(int(p) for p in fh.read().split())
        except OSError:
            continue
    return found


class RssSampler:
    """Peak resident memory of this process and every descendant, sampled from /proc.

    Resident pages summed over the processes: a page a forked child still shares with
    its parent (copy-on-write) counts in both, so this is an upper bound of the tree's
    footprint. Proportional set sizes would split those pages, but reading them costs
    ~1.5 ms a process (the kernel walks the page tables), ~15 % of a core at this
    interval, taken from the run being measured; ``statm`` costs ~15 µs.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._page_kb = os.sysconf("SC_PAGE_SIZE") // 1024

    def _memory_kb(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
                return int(fh.read().split()[1]) * self._page_kb
        except (OSError, IndexError, ValueError):
            return 0

    def sample(self) -> int:
        total = sum(map(self._memory_kb, process_tree()))
        self.peak_kb = max(self.peak_kb, total)
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> RssSampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def _stat_cpu_ticks(pid: int) -> int:
    """utime + stime + cutime + cstime of ``pid`` (children it reaped included), in ticks."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rpartition(")")[2].split()
    except OSError:
        return 0
    return sum(int(v) for v in fields[11:15])  # fields 14–17 of proc(5), after "(comm)"


def tree_cpu_seconds(pid: int | None = None) -> float:
    """CPU time of a process and all its descendants, alive or reaped, from /proc.

    A process that exits and is reaped inside the tree moves its time into its
    parent's "children" fields: a difference of two readings counts it once either
    way. 0.0 where /proc is absent.
    """
    ticks = sum(map(_stat_cpu_ticks, process_tree(pid)))
    return ticks / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- ours


@dataclass
class FormatRun:
    fmt: str
    docs: int
    mb: float
    seconds: float
    stats: BatchStats
    main: dict[str, float] = field(default_factory=dict)  # wait/validate/write/publish
    cpu_s: float = 0.0  # CPU of every process of the run (main, workers, parser children)


def _batches(items: Sequence[Source], size: int) -> Iterator[Sequence[Source]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def run_ours(files: Sequence[Path], fmt: str, warehouse: Path, pool: ProcessPoolExecutor,
             workers: int, batch_size: int) -> FormatRun:
    """One run over these documents, as the nightly flow does it, timed end to end."""
    from expectations.validate import ValidationSession
    from flows.nightly import new_run_id
    from flows.warehouse import Publication

    started = datetime.now(UTC)
    run_id = new_run_id(started)
    main: dict[str, float] = dict.fromkeys(
        ("wait for workers", "validate + write", "publish (commit)"), 0.0)
    stats = BatchStats()
    cpu0 = tree_cpu_seconds()
    t0 = time.perf_counter()
    session = ValidationSession(run_id)
    publication = Publication(warehouse, run_id, started)
    window: list[list[Future[BatchOutput]]] = []
    sources = [Source(str(p)) for p in files]

    def stage(futures: list[Future[BatchOutput]]) -> None:
        t = time.perf_counter()
        out = collect(futures)
        main["wait for workers"] += time.perf_counter() - t
        stats.add(out.stats)
        t = time.perf_counter()
        validate_and_write(out, publication, session)
        main["validate + write"] += time.perf_counter() - t

    try:
        for batch in _batches(sources, batch_size):
            window.append(submit_batch(pool, batch, str(warehouse), run_id, started, workers))
            if len(window) >= WINDOW:
                stage(window.pop(0))
        while window:
            stage(window.pop(0))
        t = time.perf_counter()
        publication.commit()
        main["publish (commit)"] += time.perf_counter() - t
    except BaseException:
        publication.abort()
        raise
    seconds = time.perf_counter() - t0
    return FormatRun(fmt, len(files), stats.bytes / 1e6, seconds, stats, main,
                     tree_cpu_seconds() - cpu0)


# ---------------------------------------------------------------- baseline and floor


def _grid_from_frame(frame: object, index: int) -> list[list[Cell]]:

    rows = frame.values.tolist()  # type: ignore[attr-defined]
    return [[Cell("" if v is None or v != v else str(v),  # NaN is the one value != itself
                  f"table {index} row {r + 1} col {c + 1}")
             for c, v in enumerate(row)] for r, row in enumerate(rows)]


def baseline_one(data: bytes, name: str) -> object:
    """pandas.read_html → grids → the project's mapping (classify, tables, prose) → a record."""
    import hashlib

    import pandas as pd

    from transforms.catalog import get_layout
    from transforms.classify import classify_layout
    from transforms.decode import decode_bytes
    from transforms.document import Extracted, ParsedReport, ReportRecord
    from transforms.legacy_tables import read_legacy_tables
    from transforms.metadata import read_metadata
    from transforms.national_tables import read_national_tables
    from transforms.prose import read_prose_figures

    text, encoding = decode_bytes(data)
    try:
        frames = pd.read_html(io.StringIO(text), header=None, flavor="lxml")
    except ValueError:  # "No tables found"
        frames = []
    grids = [_grid_from_frame(f, i + 1) for i, f in enumerate(frames)]
    lines = "\n".join(" | ".join(str(c.text) for c in row) for g in grids for row in g)
    doc = Extracted("html", lines, grids, {}, None, encoding)
    template = classify_layout(doc)
    metadata, _ = read_metadata(doc, name)
    report = ParsedReport("html", template, metadata, encoding=encoding)
    if template in ("fmt2019", "fmt2021"):
        report.facts, _ = read_national_tables(doc, get_layout(template))
    elif template in ("stat2014", "local2008"):
        report.facts, _ = read_legacy_tables(doc, get_layout(template))
    prose, _ = read_prose_figures(doc.text)
    report.facts += prose
    digest = hashlib.sha256(data).hexdigest()
    return ReportRecord(digest[:16], name, digest, len(data), report.status, None, report)


def run_baseline(files: Sequence[Path]) -> float:
    from transforms.normalize import build_tables

    t0 = time.perf_counter()
    records = [baseline_one(p.read_bytes(), str(p)) for p in files]
    build_tables(records, run_id="baseline", ingested_at=datetime.now(UTC))  # type: ignore
    return time.perf_counter() - t0


PARSE_ALONE_CHUNK = 64  # documents per build_tables call, as in a pool worker's chunk


def run_parse_alone(files: Sequence[Path]) -> float:
    """CPU seconds of read → parse → normalize → identities in this process, nothing else.

    The same functions the workers run, without the parser child, raw archive,
    transport, validation or publish: what no design built on these parsers avoids.
    A few documents are read first, untimed, so that caches start warm as in a worker.
    """
    from transforms.identities import evaluate_identities
    from transforms.normalize import build_tables
    from transforms.parse import ingest

    for path in files[:8]:
        ingest(path.read_bytes(), str(path))
    started = datetime.now(UTC)
    gc.collect()
    gc.freeze()  # as in a worker (flows.batches._warm): this process's heap is not rescanned
    try:
        t0 = time.process_time()
        for k in range(0, len(files), PARSE_ALONE_CHUNK):
            records = [ingest(path.read_bytes(), str(path))
                       for path in files[k:k + PARSE_ALONE_CHUNK]]
            tables = build_tables(records, run_id="parse-alone", ingested_at=started)
            evaluate_identities(tables["facts"], held_messages=False)
        return time.process_time() - t0
    finally:
        gc.unfreeze()


def run_floor(files: Sequence[Path]) -> float:
    from selectolax.lexbor import LexborHTMLParser

    total = 0.0
    for path in files:
        data = path.read_bytes()
        t0 = time.perf_counter()
        LexborHTMLParser(data)
        total += time.perf_counter() - t0
    return total


# ---------------------------------------------------------------- truth


def check_truth(warehouse: Path, truth: Path) -> tuple[int, int, int, int]:
    """(documents whose table figures all came back, documents, figures right, figures)."""
    from flows.warehouse import read_table

    expected = pl.scan_parquet(truth)
    got = read_table(warehouse, "facts", columns=("report_id", "block", "row_code",
                                                  "col_code", "value")).lazy()
    joined = expected.join(got, on=["report_id", "block", "row_code", "col_code"], how="left",
                           suffix="_got").with_columns(
        ok=pl.col("value").eq_missing(pl.col("value_got")))
    per_doc = joined.group_by("report_id").agg(pl.col("ok").all()).collect()
    figures = joined.select(pl.len(), pl.col("ok").sum()).collect()
    n_fig, n_ok = int(figures[0, 0]), int(figures[0, 1])
    return int(per_doc["ok"].sum()), per_doc.height, n_ok, n_fig


# ---------------------------------------------------------------- the whole bench


@dataclass
class BenchResult:
    docs: int
    mb: float
    seconds: float
    runs: dict[str, FormatRun]
    baseline_s: float
    baseline_docs: int
    floor_s: float
    startup_s: float
    peak_mb: float
    workers: int
    truth: tuple[int, int, int, int] = (0, 0, 0, 0)
    parse_alone_s: float = 0.0  # CPU, one process (``run_parse_alone``), baseline's documents
    cores: int = 1

    def _all_html(self, seconds: float) -> float:
        """A time measured on the baseline's documents, scaled to all the HTML ones
        (the same when the baseline ran on all of them); 0.0 without HTML."""
        html = self.runs.get("html")
        if html is None or not self.baseline_docs:
            return 0.0
        return seconds * html.docs / self.baseline_docs

    @property
    def bound_s(self) -> float:
        """The least time ours could take on the HTML documents with these parsers:
        the parse alone spread over every core, with nothing else to do."""
        return self._all_html(self.parse_alone_s) / max(1, min(self.workers, self.cores))

    def bound_ratios(self) -> tuple[float, float]:
        """(the most x, the least y) ours could reach with these parsers."""
        if not self.bound_s or not self.floor_s:
            return 0.0, 0.0
        return self._all_html(self.baseline_s) / self.bound_s, self.bound_s / self.floor_s

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0

    @property
    def html_s(self) -> float:
        return self.runs["html"].seconds if "html" in self.runs else 0.0

    @property
    def x(self) -> float:
        """Baseline time / ours, HTML documents (the baseline scaled if it ran on a sample)."""
        return self._all_html(self.baseline_s) / self.html_s if self.html_s else 0.0

    @property
    def y(self) -> float:
        return self.html_s / self.floor_s if self.floor_s else 0.0

    def last_line(self) -> str:
        return (f"bench: {self.docs_per_s:.1f} docs/s, {self.x:.1f}× baseline, "
                f"{self.y:.2f}× floor, peak {self.peak_mb:.0f} MB")


def run_bench(n_docs: int, seed: int = 0, workers: int | None = None, batch_size: int = 2000,
              baseline_max: int | None = None, corpus_dir: Path | None = None,
              say: Say = print, unique: int | None = None) -> BenchResult:
    """Generate, run ours per format, then the baseline and the floor; print and return."""
    from flows.ingest import default_workers

    n_workers = workers or default_workers()
    tmp = Path(tempfile.mkdtemp(prefix="ogi-bench-"))
    try:
        corpus = make_corpus(n_docs, seed, corpus_dir or tmp / "corpus", say, unique)
        warehouse = tmp / "warehouse"
        t0 = time.perf_counter()
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        import great_expectations  # noqa: F401  (seconds of imports, once per process)

        import flows.nightly  # run_ours's imports, Prefect among them: not timed
        import flows.warehouse  # noqa: F401
        from expectations.validate import gx_context

        gx_context()
        pool = start_pool(n_workers)
        startup = time.perf_counter() - t0
        runs: dict[str, FormatRun] = {}
        try:
            with RssSampler() as rss:
                for fmt in FORMAT_ORDER:
                    if corpus.files[fmt]:
                        runs[fmt] = run_ours(corpus.files[fmt], fmt, warehouse, pool,
                                             n_workers, batch_size)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        html = corpus.files["html"]
        sample = html if baseline_max is None else html[:baseline_max]
        baseline = run_baseline(sample)
        floor = run_floor(html)
        alone = run_parse_alone(sample)
        result = BenchResult(
            docs=corpus.count, mb=sum(r.mb for r in runs.values()),
            seconds=sum(r.seconds for r in runs.values()), runs=runs, baseline_s=baseline,
            baseline_docs=len(sample), floor_s=floor, startup_s=startup,
            peak_mb=rss.peak_kb / 1024, workers=n_workers, parse_alone_s=alone,
            cores=os.cpu_count() or 1)
        result.truth = check_truth(warehouse, corpus.root / TRUTH_FILE)
        report(result, say)
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(r: BenchResult, say: Say) -> None:
    say(f"documents: {r.docs} ({r.mb:.1f} MB), {r.workers} parser processes, "
        f"startup {r.startup_s:.1f} s (pool + GX and Prefect imports, not timed)")
    say(f"{'format':<7}{'docs':>8}{'MB':>9}{'s':>9}{'docs/s':>9}{'MB/s':>8}   "
        "stages (worker s: parse / normalize / identities; main s: wait / validate + "
        "write / publish)")
    for fmt, run in r.runs.items():
        w = run.stats.seconds
        m = run.main
        w = {k: w.get(k, 0.0) for k in ("parse", "normalize", "identities")}
        say(f"{fmt:<7}{run.docs:>8}{run.mb:>9.1f}{run.seconds:>9.2f}"
            f"{run.docs / run.seconds:>9.1f}{run.mb / run.seconds:>8.1f}   "
            f"{w['parse']:.2f} / {w['normalize']:.2f} / {w['identities']:.2f}; "
            f"{m['wait for workers']:.2f} / {m['validate + write']:.2f} / "
            f"{m['publish (commit)']:.2f}")
    say(f"{'all':<7}{r.docs:>8}{r.mb:>9.1f}{r.seconds:>9.2f}{r.docs_per_s:>9.1f}"
        f"{r.mb / r.seconds if r.seconds else 0:>8.1f}")
    html = r.runs.get("html")
    if html:
        note = "" if r.baseline_docs == html.docs else \
            f" (on {r.baseline_docs} of them, scaled)"
        say(f"HTML: ours {html.seconds:.2f} s; baseline pandas.read_html + mapping "
            f"{r.baseline_s:.2f} s{note}; floor selectolax parse only {r.floor_s:.2f} s")
        alone_ms = 1000 * r.parse_alone_s / r.baseline_docs if r.baseline_docs else 0.0
        say(f"HTML CPU: ours {html.cpu_s:.2f} s in all processes "
            f"({1000 * html.cpu_s / html.docs:.2f} ms a document); the parse alone (read, "
            f"parse, normalize, identities; one process, nothing else) "
            f"{r.parse_alone_s:.2f} s{note} ({alone_ms:.2f} ms a document)")
        most_x, least_y = r.bound_ratios()
        if most_x:
            say(f"bound: the parse alone on {min(r.workers, r.cores)} busy cores takes "
                f"{r.bound_s:.2f} s, so with these parsers x ≤ {most_x:.1f} and "
                f"y ≥ {least_y:.2f} whatever the rest costs")
    docs_ok, docs, figs_ok, figs = r.truth
    say(f"truth: {docs_ok}/{docs} documents with every table figure right, "
        f"{figs_ok}/{figs} figures")
    say(f"peak RSS {r.peak_mb:.0f} MB (every process of the run — main, fork server, "
        "workers, parser children — summed, sampled; pages a forked child shares with its "
        "parent count in both)")
    say(r.last_line())
