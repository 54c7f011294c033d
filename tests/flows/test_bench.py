"""`ogi bench`: its output format and that the benchmarked figures equal the generator's truth.

No timing is asserted: the figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from flows.bench import RssSampler, check_truth, make_corpus, tree_cpu_seconds
from flows.cli import main

LAST_LINE = re.compile(
    r"^bench: (\d+\.\d) docs/s, (\d+\.\d)× baseline, (\d+\.\d\d)× floor, peak (\d+) MB$")


@pytest.fixture(scope="module")
def bench_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Path]:
    tmp = tmp_path_factory.mktemp("benchtmp")
    saved = tempfile.tempdir
    tempfile.tempdir = str(tmp)  # the bench's temporary directory goes here
    try:
        capture = pytest.MonkeyPatch()
        lines: list[str] = []
        capture.setattr("builtins.print", lambda *a, **k: lines.append(" ".join(map(str, a))))
        try:
            assert main(["bench", "--docs", "20", "--batch-size", "7"]) == 0
        finally:
            capture.undo()
    finally:
        tempfile.tempdir = saved
    return lines, tmp


def test_last_line_has_the_documented_format(bench_output: tuple[list[str], Path]) -> None:
    lines, _ = bench_output
    m = LAST_LINE.match(lines[-1])
    assert m, lines[-1]
    docs_per_s, x, y, peak = (float(g) for g in m.groups())
    assert docs_per_s > 0 and x > 0 and y > 0 and peak > 0


def test_every_figure_read_back_equals_the_truth(bench_output: tuple[list[str], Path]) -> None:
    lines, _ = bench_output
    (truth,) = [line for line in lines if line.startswith("truth:")]
    m = re.match(r"truth: (\d+)/(\d+) documents with every table figure right, "
                 r"(\d+)/(\d+) figures", truth)
    assert m, truth
    docs_ok, docs, figs_ok, figs = map(int, m.groups())
    assert docs >= 10 and docs_ok == docs  # narrative reports have no table figures
    assert figs > 1000 and figs_ok == figs


def test_per_format_rows_and_stages_are_printed(bench_output: tuple[list[str], Path]) -> None:
    lines, _ = bench_output
    rows = {line.split()[0]: line.split() for line in lines
            if line.split() and line.split()[0] in ("html", "text", "pdf", "docx", "all")}
    assert {"html", "text", "all"} <= set(rows)
    assert sum(int(rows[f][1]) for f in rows if f != "all") == int(rows["all"][1]) == 20
    assert any(line.startswith("HTML: ours") and "baseline" in line and "floor" in line
               for line in lines)


def test_cpu_and_the_bound_of_these_parsers_are_printed(
        bench_output: tuple[list[str], Path]) -> None:
    lines, _ = bench_output
    (cpu,) = [line for line in lines if line.startswith("HTML CPU:")]
    m = re.match(r"HTML CPU: ours (\d+\.\d\d) s in all processes \((\d+\.\d\d) ms a "
                 r"document\); the parse alone .* (\d+\.\d\d) s(?: \(on \d+ of them, scaled\))? "
                 r"\((\d+\.\d\d) ms a document\)$",
                 cpu)
    assert m, cpu
    ours_s, ours_ms, alone_s, alone_ms = map(float, m.groups())
    assert ours_s > 0 and alone_s > 0 and ours_ms > 0 and alone_ms > 0
    (bound,) = [line for line in lines if line.startswith("bound:")]
    assert re.match(r"bound: the parse alone on \d+ busy cores takes \d+\.\d\d s, so with "
                    r"these parsers x ≤ \d+\.\d and y ≥ \d+\.\d\d whatever the rest costs$",
                    bound), bound


def test_temporary_files_are_removed(bench_output: tuple[list[str], Path]) -> None:
    _, tmp = bench_output
    # (multiprocessing's own pymp-* directory of the fork server goes at interpreter exit)
    assert [p for p in tmp.iterdir() if not p.name.startswith("pymp-")] == []


def test_a_kept_corpus_is_reused_and_checked_against_its_truth(tmp_path: Path) -> None:
    said: list[str] = []
    first = make_corpus(6, 1, tmp_path / "c", said.append)
    again = make_corpus(6, 1, tmp_path / "c", said.append)
    assert first.files == again.files and first.count == 6
    assert len([s for s in said if s.startswith("generated")]) == 1
    # nothing published yet: every truth figure is missing
    docs_ok, docs, figs_ok, figs = check_truth(tmp_path / "wh", tmp_path / "c" / "truth.parquet")
    assert docs_ok == 0 and docs > 0 and figs_ok == 0 and figs > 0


def test_rss_sampler_sees_this_process() -> None:
    with RssSampler(interval=0.01) as rss:
        block = bytearray(50 * 1024 * 1024)
        block[::4096] = b"x" * len(block[::4096])
        rss.sample()
    assert rss.peak_kb > 50 * 1024


_GRANDCHILD = "import sys, time; {work}; sys.stdout.write('ready\\n'); sys.stdout.flush(); " \
    "time.sleep({sleep})"


def _grandchild(work: str, sleep: float) -> subprocess.Popen[str]:
    """A shell whose child runs ``work`` in Python: a grandchild of this process, as the
    bench's pool workers are (their parent is the fork server)."""
    code = _GRANDCHILD.format(work=work, sleep=sleep)
    proc = subprocess.Popen(["sh", "-c", f'{shlex.quote(sys.executable)} -c "{code}"; true'],
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    return proc


def test_rss_sampler_counts_grandchildren() -> None:
    with RssSampler(interval=0.01) as rss:
        before = rss.sample()
        proc = _grandchild("b = bytearray(80 << 20); b[::4096] = b'x' * len(b[::4096])", 30)
        during = rss.sample()
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert during - before > 70 * 1024 and rss.peak_kb >= during


def test_tree_cpu_counts_descendants_that_ran_and_left() -> None:
    t0 = time.process_time()
    sum(range(20_000_000))  # how long this takes here, to ask the grandchild for as much
    spent = time.process_time() - t0
    before = tree_cpu_seconds()
    proc = _grandchild("sum(range(20_000_000))", 0)
    proc.wait()
    assert tree_cpu_seconds() - before >= 0.8 * spent


def test_copies_fill_a_corpus_with_distinct_documents_and_their_own_truth(
        tmp_path: Path) -> None:
    import hashlib

    import polars as pl

    from transforms.parse import ingest, report_id_for

    corpus = make_corpus(14, 3, tmp_path / "c", lambda _: None, unique=6)
    paths = [p for files in corpus.files.values() for p in files]
    assert corpus.count == 14 and len({hashlib.sha256(p.read_bytes()).digest()
                                       for p in paths}) == 14
    copies = [p for p in paths if "-copy" in p.name]
    assert copies and all(p.suffix in (".html", ".htm", ".txt") for p in copies)
    truth = pl.read_parquet(tmp_path / "c" / "truth.parquet")
    for copy in copies:
        original = tmp_path / "c" / copy.name.replace(copy.stem[copy.stem.rfind("-copy"):], "")
        ids = [report_id_for(hashlib.sha256(p.read_bytes()).hexdigest()) for p in (original,
                                                                                  copy)]
        cells = [truth.filter(report_id=i).drop("report_id").sort(pl.all()) for i in ids]
        assert cells[0].equals(cells[1])
        # the copy parses to the same figures as its original
        facts = [sorted((f.block, f.row_code, f.col_code, f.value)
                        for f in (ingest(p.read_bytes(), p.name).parsed or _none()).facts)
                 for p in (original, copy)]
        assert facts[0] == facts[1] and facts[0]


def _none() -> object:
    raise AssertionError("a generated document did not parse")
