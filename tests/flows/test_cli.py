"""The command line: help, the debugging view, usage errors and exit codes (no Prefect here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.cli import build_parser, main

from ..conftest import shared_file


def test_help_names_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    out = capsys.readouterr().out
    for command in ("run", "parse", "samples", "failures", "query", "serve"):
        assert command in out


def test_run_help_documents_sources_and_options() -> None:
    text = build_parser()._subparsers._group_actions[0].choices["run"].format_help()  # type: ignore[union-attr]
    for word in ("SOURCE", ".docx", "--warehouse", "OGI_WAREHOUSE", "--json", "--notify",
                 "--sources-file"):
        assert word in text


def test_parse_json_gives_labels_and_where_read(capsys: pytest.CaptureFixture[str]) -> None:
    path = shared_file("corpus", "shanghai-2019.html")
    assert main(["parse", str(path), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["template"] == "fmt2019" and d["parse_status"] == "ok"
    assert d["metadata"]["report_year"] == 2019
    total = [f for f in d["facts"] if f["row_code"] == "new_received" and f["col_code"] == "total"]
    assert total[0]["value"] == 859
    assert total[0]["row_label"] == "一、本年新收政府信息公开申请数量"
    assert total[0]["source_ref"].startswith("table ")


def test_parse_human_output_and_failed_document(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"PK\x03\x04 not really a pdf")
    assert main(["parse", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "failed" in out and "error" in out


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(tmp_path / "missing.html")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "missing-dir"), "--warehouse", str(tmp_path / "w")]) == 2
    assert "no such file or directory" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["run", "--batch-size", "x"])
    assert exc.value.code == 2
