"""warehouse/README.md documents every table and column, and is what the generator writes."""

from __future__ import annotations

from flows.dictionary import README, TABLE_DOCS, render_dictionary
from transforms.catalog import LAYOUTS
from transforms.normalize import COLUMN_DOCS, SCHEMAS, TABLES


def test_committed_readme_is_the_generated_one() -> None:
    assert README.read_text(encoding="utf-8") == render_dictionary(), \
        "regenerate: uv run python -m flows.dictionary"


def test_every_table_column_and_layout_is_documented() -> None:
    text = render_dictionary()
    assert set(TABLE_DOCS) == set(TABLES)
    for table in TABLES:
        assert f"### `{table}`" in text
        for col in SCHEMAS[table]:
            doc = COLUMN_DOCS[table][col]
            assert f"| `{col}` | " in text and doc.meaning.replace("|", "\\|") in text
    for code in LAYOUTS:
        assert f"`{code}`" in text
    assert "| `new_received` | Float64 | 件 |" in text  # type, unit of a table-三 column
    assert "一、本年新收政府信息公开申请数量" in text  # Chinese label
    assert "scan_parquet" in text and "hive_partitioning" in text and "read_parquet" in text
    for check in ("A1", "A2", "B7", "C1", "C2", "C3", "C4", "J1"):
        assert f"| {check} |" in text
