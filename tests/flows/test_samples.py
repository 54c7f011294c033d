"""The bundled samples on disk: every layout × format, truth beside each, deterministic."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from flows.samples import EXTRAS, generate_corpus, load_truth, write_samples
from transforms.samples import COMBINATIONS


def test_every_combination_is_written_with_its_truth(tmp_path: Path) -> None:
    paths = write_samples(tmp_path)
    assert len(paths) == len(COMBINATIONS) + len(EXTRAS)
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert {(d["layout"], d["kind"]) for d in index["documents"]} == set(COMBINATIONS)
    for path in paths:
        truth = load_truth(path)
        assert truth["file"] == path.name
        assert truth["facts"] and all(
            {"block", "row_code", "col_code", "value", "raw", "unit"} <= set(f)
            for f in truth["facts"])
        assert truth["metadata"]["agency"] and truth["metadata"]["report_year"]
    by_name = {d["file"]: d for d in index["documents"]}
    assert by_name["fmt2021-html-utf8-broken-A2.html"]["expected_failures"] == ["A2"]
    assert by_name["fmt2021-html-utf8-00.html"]["expected_failures"] == []
    formats = Counter(d["format"] for d in index["documents"])
    assert set(formats) == {"html", "text", "pdf", "docx"}
    # fmt tables: 25 rows × 7 + table 二 + table 四 are all truth facts
    fmt2021 = load_truth(tmp_path / "fmt2021-pdf-00.pdf")
    assert sum(1 for f in fmt2021["facts"] if f["block"] == "applications") == 175


def test_writing_twice_gives_the_same_bytes_and_no_stale_files(tmp_path: Path) -> None:
    first = {p.name: p.read_bytes() for p in write_samples(tmp_path / "a", n_per_kind=2)}
    second = {p.name: p.read_bytes() for p in write_samples(tmp_path / "a", n_per_kind=1)}
    assert all(first[name] == data for name, data in second.items())
    names = {p.name for p in (tmp_path / "a").iterdir()}
    assert not any("-01." in n for n in names)  # the earlier run's second copies are gone
    assert len(names) == 2 * len(second) + 1  # documents, their truths, the index


def test_corpus_has_realistic_proportions() -> None:
    docs = list(generate_corpus(300, seed=3))
    assert len(docs) == 300 and len({name for name, _, _ in docs}) == 300
    ext = Counter(name.rsplit(".", 1)[1] for name, _, _ in docs)
    html = ext["html"] + ext["htm"]
    assert html > 150 and ext["txt"] > 30 and ext["pdf"] + ext["docx"] >= 10
    assert html > ext["txt"] > ext["pdf"]
    layouts = Counter(t.layout for _, _, t in docs)
    assert set(layouts) == {"fmt2019", "fmt2021", "stat2014", "local2008", "narrative"}
    assert [n for n, _, _ in generate_corpus(5, seed=3)] == [n for n, _, _ in docs[:5]]
