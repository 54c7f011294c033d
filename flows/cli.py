"""`ogi`: the command line of the pipeline.

Exit codes: 0 success; 1 the run or command failed; 2 usage error (bad arguments, missing input);
3 (`ogi failures`) the latest run has error-severity validation failures.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from flows.settings import configure_prefect, default_warehouse

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_VALIDATION = 0, 1, 2, 3


def _add_warehouse(p: argparse.ArgumentParser) -> None:
    p.add_argument("--warehouse", type=Path, default=None, metavar="DIR",
                   help="warehouse directory (default: $OGI_WAREHOUSE or ./warehouse)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ogi",
        description="Turn 政府信息公开工作年度报告 into validated Parquet tables.",
        epilog="Run `ogi COMMAND --help` for a command's options. Exit codes: 0 ok, 1 failed, "
               "2 usage error, 3 validation errors found (ogi failures).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run", help="run the pipeline once as a Prefect flow",
        description="Ingest documents, parse every layout, validate with Great Expectations and "
                    "publish Parquet tables. SOURCE is a file, a directory (searched recursively "
                    "for .html .htm .shtml .txt .pdf .docx) or an http(s) URL of one report page. "
                    "Without SOURCE the project's bundled samples are generated (if needed) and "
                    "ingested, offline.")
    run.add_argument("sources", nargs="*", metavar="SOURCE")
    _add_warehouse(run)
    run.add_argument("--batch-size", type=int, default=200, metavar="N",
                     help="documents per Prefect task (default 200)")
    run.add_argument("--workers", type=int, default=None, metavar="N",
                     help="parser processes (default: number of CPUs)")
    run.add_argument("--json", action="store_true", help="print the run summary as JSON")
    run.add_argument("--quiet", action="store_true", help="no progress lines on stderr")

    parse = sub.add_parser(
        "parse", help="show what one document yields, without touching the warehouse",
        description="Print the layout, metadata, every figure (with its canonical labels and "
                    "where in the document it was read) and every parse issue of one document.")
    parse.add_argument("file", type=Path, metavar="FILE")
    parse.add_argument("--json", action="store_true", help="print as JSON")

    samples = sub.add_parser(
        "samples", help="(re)generate the bundled sample documents with their truth",
        description="Write the generated sample documents of every layout and format, each with "
                    "a .truth.json beside it.")
    samples.add_argument("--out", type=Path, default=None, metavar="DIR",
                         help="output directory (default: $OGI_SAMPLES or ./samples)")
    samples.add_argument("--seed", type=int, default=0)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if args.command == "parse":
        from flows.commands.parse_cmd import run_parse

        return run_parse(args.file, as_json=args.json)
    if args.command == "samples":
        from flows.commands.samples_cmd import run_samples

        return run_samples(args.out, args.seed)
    if args.command == "run":
        configure_prefect()
        from flows.commands.run_cmd import run_pipeline_cli

        warehouse = args.warehouse or default_warehouse()
        return run_pipeline_cli(args.sources, warehouse, batch_size=args.batch_size,
                                workers=args.workers, as_json=args.json, quiet=args.quiet)
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
