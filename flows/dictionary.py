"""warehouse/README.md: the data dictionary, generated from the table schemas and the catalog.

Regenerate after changing a schema, a column doc or the catalog::

    uv run python -m flows.dictionary            # writes warehouse/README.md

A test fails when the committed file differs from what this module renders.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from flows.settings import PROJECT_ROOT
from transforms.catalog import LAYOUTS, PROSE
from transforms.catalog.model import Block, Layout
from transforms.cross_checks import (
    JUMP_FACTOR,
    JUMP_FLOOR,
    JUMP_ID,
    JUMP_METRICS,
    PROSE_EQUIVALENTS,
    PROSE_ID,
)
from transforms.normalize import COLUMN_DOCS, NULL_YEAR_PARTITION, PARTITION_COLUMN, SCHEMAS, TABLES

README = PROJECT_ROOT / "warehouse" / "README.md"

TABLE_DOCS: dict[str, tuple[str, str]] = {
    # table: (grain, what it is for)
    "reports": ("one row per source document, failures included",
                "what was read, from where, how it parsed and how it validated"),
    "facts": ("one row per number read",
              "every figure with its catalog codes, printed labels, raw text and where it was "
              "read; the long table everything else is derived from"),
    "applications": ("report × applicant column of table 三 (fmt2019/fmt2021)",
                     "one column per table-三 row; applicant `total` is the 总计 column"),
    "appeals": ("report × group of table 四",
                "行政复议 / 行政诉讼（未经复议直接起诉）/ 行政诉讼（复议后起诉）"
                "with their five results"),
    "disclosure": ("report × 第二十条 item × category × metric (table 二)",
                   "proactive disclosure figures of the national forms"),
    "legacy_stats": ("report × indicator (stat2014, local2008)",
                     "the long indicator lists of the older forms, 本年度 and 历年累计 "
                     "side by side"),
    "metrics": ("one row per parsed report",
                "headline figures harmonized across all layouts; `metric_sources` says which "
                "block each came from"),
    "validation_results": ("one row per (run, report, check); failing instances one row each",
                           "every identity, cross-report and schema check of every run"),
}


def _cell(text: object) -> str:
    return str("" if text is None else text).replace("|", "\\|").replace("\n", " ")


def _dtype(dtype: pl.DataType) -> str:
    return "Datetime (µs, UTC)" if isinstance(dtype, pl.Datetime) else str(dtype)


def tables_section() -> list[str]:
    lines = ["## Tables", ""]
    for name in TABLES:
        grain, what = TABLE_DOCS[name]
        lines += [f"### `{name}`", "", f"Grain: {grain}. {what[0].upper()}{what[1:]}.", "",
                  "| column | type | unit | meaning | 中文 |", "|---|---|---|---|---|"]
        for col, dtype in SCHEMAS[name].items():
            d = COLUMN_DOCS[name][col]
            lines.append(f"| `{col}` | {_dtype(dtype)} | {_cell(d.unit)} | {_cell(d.meaning)} "
                         f"| {_cell(d.label_zh)} |")
        lines.append("")
    return lines


def _block_lines(block: Block) -> list[str]:
    lines = [f"#### `{block.code}` — {block.title} (table family `{block.table}`)", "",
             "| | code | printed label | group | kind | unit | meaning |",
             "|---|---|---|---|---|---|---|"]
    for r in block.rows:
        lines.append(f"| row | `{r.code}` | {_cell(r.label)} | {_cell(r.group)} | {r.kind} | "
                     f"{_cell(r.unit)} | {_cell(r.meaning)} |")
    for c in block.columns:
        lines.append(f"| column | `{c.code}` | {_cell(c.label)} | | {c.kind} | "
                     f"{_cell(c.unit)} | {_cell(c.meaning)} |")
    return [*lines, ""]


def _layout_lines(layout: Layout) -> list[str]:
    last = "" if layout.years[1] >= 2100 else str(layout.years[1])
    lines = [f"### `{layout.code}` — {layout.title}", "",
             f"Data years {layout.years[0]}–{last}; basis: {layout.basis}."
             + (f" {layout.meaning}." if layout.meaning else ""), ""]
    for block in layout.blocks:
        lines += _block_lines(block)
    if layout.identities:
        lines += ["Checks (勾稽关系):", "", "| id | block | strength | severity | rule |",
                  "|---|---|---|---|---|"]
        for i in layout.identities:
            lines.append(f"| {i.id} | {i.block} | {i.strength} | {i.severity} | "
                         f"{_cell(i.description)} |")
        lines.append("")
    return lines


def catalog_section() -> list[str]:
    lines = ["## Layouts and codes (the catalog)", "",
             "`facts.template` is the layout; `facts.block`, `row_code` and `col_code` are the "
             "codes below; `row_label`/`col_label` are the printed labels. Severity: T "
             "(printed in the template) and I (implied by 总计/其中) identities are errors; C "
             "cross-checks are warnings.", ""]
    for layout in LAYOUTS.values():
        if layout.code == "narrative":
            continue
        lines += _layout_lines(layout)
    lines += [f"### `narrative` and prose figures (block `{PROSE.code}`)", "",
              "Figures stated in sentences, for reports whose tables are missing and beside "
              "the tables of every other layout.", "", *_block_lines(PROSE)]
    return lines


def cross_checks_section() -> list[str]:
    compared = sorted({f"{e.prose_row} ({e.template})" for e in PROSE_EQUIVALENTS})
    return [
        "## Cross-report checks", "",
        "Run over the whole warehouse after each publish, per reporting body (normalized "
        "agency name within its region); results are `validation_results` rows of severity "
        "warning, recorded under the run for its own reports and for the next-year reports "
        "of the same bodies.", "",
        "| id | rule |", "|---|---|",
        "| C1 | 上年结转(t) = 结转下年度继续办理(t−1), per applicant column (fmt2019/fmt2021) |",
        "| C2 | 现行有效件数(t) = 现行有效件数(t−1) + 本年制发件数(t) − 本年废止件数(t), per row "
        "(fmt2021) |",
        "| C3 | 历年累计(t) = 历年累计(t−1) + 本年度(t), per indicator (local2008) |",
        f"| {PROSE_ID} | a figure stated in prose = the table's figure (money in 万元): "
        f"{', '.join(compared)} |",
        f"| {JUMP_ID} | {', '.join(f'`{m}`' for m in JUMP_METRICS)} changed ×{JUMP_FACTOR:g} "
        f"or ÷{JUMP_FACTOR:g} from the previous year (when the larger is ≥ {JUMP_FLOOR:g}) |",
        ""]


def usage_section() -> list[str]:
    return [
        "## Reading the warehouse", "",
        "Every table is a directory of Parquet files partitioned by `report_year` "
        "(hive style, `report_year=2021/part-0.parquet`); a report whose year could not be "
        f"read is in `report_year={NULL_YEAR_PARTITION}` and reads back as null. "
        "`<table>` is a symlink to the current version, swapped atomically by each publish, "
        "and `manifest.json` (written last) lists the files of every table. Column types never "
        "change between partitions or runs; every Parquet field carries its description "
        "(and unit, Chinese label) as field metadata.", "",
        "A warehouse at an fsspec URL (`ogi run --warehouse s3://bucket/ogi`; README, "
        "\"Warehouse on object storage\") has the same files at the same relative paths, "
        "but no links: read `manifest.json` and then exactly the files it names "
        "(`flows.warehouse.read_table(\"s3://bucket/ogi\", \"facts\")`, "
        "`ogi query … --warehouse s3://bucket/ogi`); a glob over the URL may also see files "
        "that a newer manifest no longer names and that wait to be deleted.", "",
        "polars:", "", "```python", "import polars as pl", "",
        "apps = pl.scan_parquet(\"warehouse/applications/**/*.parquet\", hive_partitioning=True,",
        f"                       hive_schema={{\"{PARTITION_COLUMN}\": pl.Int32}})",
        "apps.filter(pl.col(\"applicant\") == \"total\", pl.col(\"report_year\") >= 2021)"
        ".select(\"report_id\", \"new_received\").collect()",
        "```", "",
        "DuckDB:", "", "```sql",
        "SELECT r.agency, m.report_year, m.applications_received",
        "FROM read_parquet('warehouse/metrics/**/*.parquet', hive_partitioning = true) m",
        "JOIN read_parquet('warehouse/reports/**/*.parquet', hive_partitioning = true) r "
        "USING (report_id)",
        "ORDER BY m.applications_received DESC NULLS LAST LIMIT 10;", "```", "",
        "or through the CLI, with every table registered as a view by its name:", "",
        "```sh", "ogi query \"select count(*) as n from reports\"",
        "ogi query 'select \"check\", count(*) from validation_results where not success "
        "group by 1' --format csv    # check is an SQL keyword: quote it",
        "ogi failures            # failing checks of the latest run; exit 3 on errors", "```",
        "", "Validation pages for people: `validation/index.html` (latest run), "
        "`validation/runs/<run_id>.html`, and the Great Expectations Data Docs in "
        "`validation/data_docs/`.", ""]


def render_dictionary() -> str:
    lines = ["# The ogi warehouse: data dictionary", "",
             "Generated by `flows/dictionary.py` from the table schemas "
             "(`transforms/normalize.py`) and the layout catalog (`transforms/catalog/`); do "
             "not edit by hand. Tables: " + ", ".join(f"`{t}`" for t in TABLES) + ".", "",
             *usage_section(), *tables_section(), *catalog_section(), *cross_checks_section()]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_dictionary(path: Path = README) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_dictionary(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_dictionary(Path(sys.argv[1]) if len(sys.argv) > 1 else README))
