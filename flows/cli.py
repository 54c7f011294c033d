"""`ogi`: the command line of the pipeline.

Exit codes: 0 success; 1 the run or command failed; 2 usage error (bad arguments, missing input);
3 (`ogi failures`) the latest run has error-severity validation failures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flows.settings import configure_prefect

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_VALIDATION = 0, 1, 2, 3


def _add_warehouse(p: argparse.ArgumentParser) -> None:
    p.add_argument("--warehouse", default=None, metavar="DIR|URL",
                   help="warehouse directory, or an fsspec URL such as s3://bucket/ogi, "
                        "gcs://…, az://…, file:///…, memory://… (read through its manifest; "
                        "see README, Warehouse on object storage) (default: $OGI_WAREHOUSE or "
                        "./warehouse)")


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
                    "for .html .htm .shtml .txt .pdf .docx; other files, e.g. .doc or files "
                    "without a suffix, are recorded with the reason they were not read; .md "
                    ".json .toml .csv and hidden files are skipped) or an http(s) URL of a "
                    "report page or a list page. "
                    "Without SOURCE the project's bundled samples are generated (if needed) and "
                    "ingested, offline.")
    run.add_argument("sources", nargs="*", metavar="SOURCE")
    _add_warehouse(run)
    run.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                     help="with a URL --warehouse: where its local working copy lives, as "
                          "DIR/warehouses/<hash of the URL> (default: $OGI_CACHE_DIR or "
                          "~/.cache/ogi); the run works there and then uploads to the URL, "
                          "manifest last")
    run.add_argument("--batch-size", type=int, default=1000, metavar="N",
                     help="documents per Prefect task, validated and written together "
                          "(default 1000)")
    run.add_argument("--workers", type=int, default=None, metavar="N",
                     help="parser processes (default: number of CPUs)")
    run.add_argument("--sources-file", type=Path, default=None, metavar="FILE",
                     help="TOML file of sites to crawl (default: ./sources.toml when no SOURCE "
                          "is given and it lists sites)")
    run.add_argument("--crawl-delay", type=float, default=None, metavar="SECONDS",
                     help="minimum seconds between requests to one host (default 1.0)")
    run.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                     help="HTTP connect/read timeout (default 10/30 s)")
    run.add_argument("--notify", default=None, metavar="URL",
                     help="POST a JSON summary of the failures to URL after the run "
                          "(default: `notify` in ogi.toml, if set)")
    run.add_argument("--reparse", action="store_true",
                     help="parse every document again, even those already parsed by this "
                          "parser version (default: skip unchanged files)")
    run.add_argument("--runner", choices=("local", "dask"), default="local",
                     help="where parsing and validation run: local process pool (default) or "
                          "a Dask cluster through prefect-dask")
    run.add_argument("--dask-address", default=None, metavar="ADDRESS",
                     help="scheduler of an existing Dask cluster, e.g. tcp://10.0.0.5:8786 "
                          "(default with --runner dask: a LocalCluster on this machine)")
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

    failures = sub.add_parser(
        "failures", help="list failing validation checks; exit 3 if any is an error",
        description="List the failing checks of a run (default: the latest): the report "
                    "(agency, year, source), the check id, what was found and what was "
                    "expected, and the row × column. Exit status 3 when an error-severity "
                    "failure is listed (T and I identities of the catalog), 0 when only "
                    "warnings (C cross-checks) or nothing fails; cron and monitors can alert "
                    "on it.")
    _add_warehouse(failures)
    failures.add_argument("--run", default=None, metavar="RUN_ID",
                          help="a run id from validation_results (default: the latest run)")
    failures.add_argument("--check", default=None, metavar="ID",
                          help="only this check, e.g. A2, B7, C1")
    failures.add_argument("--agency", default=None, metavar="TEXT",
                          help="only reports whose agency name contains TEXT")
    failures.add_argument("--json", action="store_true", help="print as JSON")

    query = sub.add_parser(
        "query", help="run SQL (DuckDB) over the warehouse tables",
        description="Run one DuckDB SQL statement with every warehouse table registered as a "
                    "view by its name (reports, facts, applications, appeals, disclosure, "
                    "legacy_stats, metrics, validation_results). See warehouse/README.md.")
    query.add_argument("sql", metavar="SQL")
    _add_warehouse(query)
    query.add_argument("--format", default="table", choices=("table", "csv", "json", "parquet"),
                       help="output format (default: table; parquet needs --output)")
    query.add_argument("--output", type=Path, default=None, metavar="FILE",
                       help="write to FILE instead of stdout")

    serve = sub.add_parser(
        "serve", help="serve the nightly pipeline as a Prefect deployment",
        description="Register the pipeline flow as a Prefect deployment on a schedule and run "
                    "its scheduled runs until interrupted: at most one run at a time, flow "
                    "retries for transient failures, sources and warehouse from ogi.toml. "
                    "Needs a Prefect API: PREFECT_API_URL, or a local `prefect server start` "
                    "at 127.0.0.1:4200.")
    serve.add_argument("sources", nargs="*", metavar="SOURCE",
                       help="override the configured sources")
    serve.add_argument("--config", type=Path, default=None, metavar="FILE",
                       help="config file (default: $OGI_CONFIG or ogi.toml in the project)")
    serve.add_argument("--cron", default=None, metavar="EXPR",
                       help='schedule (default from the config: "0 2 * * *")')
    serve.add_argument("--timezone", default=None, metavar="TZ",
                       help="timezone of the schedule (default from the config: Asia/Shanghai)")
    serve.add_argument("--interval", type=float, default=None, metavar="SECONDS",
                       help="run every SECONDS instead of on the cron schedule (for trials)")
    serve.add_argument("--warehouse", default=None, metavar="DIR|URL",
                       help="override the configured warehouse (a directory or an fsspec "
                            "URL such as s3://bucket/ogi)")
    serve.add_argument("--notify", default=None, metavar="URL",
                       help="POST a JSON summary of the failures to URL after each run")
    bench = sub.add_parser(
        "bench", help="measure throughput on generated documents (offline)",
        description="Generate N documents (HTML at Word-export sizes, text, PDF, DOCX in "
                    "realistic proportions), run extract → parse → normalize → validate → "
                    "publish on them in a temporary warehouse, and time, on the same HTML "
                    "documents, a pandas.read_html baseline and a selectolax parse-only floor. "
                    "The last line is: bench: <docs/s> docs/s, <x>× baseline, <y>× floor, "
                    "peak <MB> MB. See BENCHMARKS.md.")
    bench.add_argument("--docs", type=int, default=2000, metavar="N",
                       help="documents to generate (default 2000)")
    bench.add_argument("--seed", type=int, default=0)
    bench.add_argument("--workers", type=int, default=None, metavar="N",
                       help="parser processes (default: number of CPUs)")
    bench.add_argument("--batch-size", type=int, default=2000, metavar="N",
                       help="documents per batch, validated and written together "
                            "(default 2000)")
    bench.add_argument("--baseline-max", type=int, default=None, metavar="N",
                       help="time the baseline on the first N HTML documents only and scale "
                            "(default: all of them)")
    bench.add_argument("--unique", type=int, default=None, metavar="N",
                       help="generate only N documents and fill up to --docs with "
                            "byte-distinct copies of their HTML and text documents (each "
                            "with its own id and truth); for 100,000-document runs "
                            "(default: every document generated)")
    bench.add_argument("--corpus", type=Path, default=None, metavar="DIR",
                       help="keep the generated documents in DIR and reuse them when it "
                            "already holds this N and seed (default: a temporary directory)")
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
        from flows.remote_warehouse import warehouse_location

        warehouse = warehouse_location(args.warehouse)
        return run_pipeline_cli(args.sources, warehouse, batch_size=args.batch_size,
                                workers=args.workers, as_json=args.json, quiet=args.quiet,
                                sources_file=args.sources_file, crawl_delay=args.crawl_delay,
                                timeout=args.timeout, notify=args.notify, runner=args.runner,
                                dask_address=args.dask_address, reparse=args.reparse,
                                cache_dir=args.cache_dir)
    if args.command == "failures":
        from flows.commands.failures_cmd import run_failures
        from flows.remote_warehouse import warehouse_location

        return run_failures(warehouse_location(args.warehouse), run=args.run,
                            check=args.check, agency=args.agency, as_json=args.json)
    if args.command == "query":
        from flows.commands.query_cmd import run_query
        from flows.remote_warehouse import warehouse_location

        return run_query(args.sql, warehouse_location(args.warehouse), fmt=args.format,
                         output=args.output)
    if args.command == "serve":
        configure_prefect()
        from flows.commands.serve_cmd import run_serve

        return run_serve(args.config, cron=args.cron, timezone=args.timezone,
                         interval=args.interval, warehouse=args.warehouse, notify=args.notify,
                         sources=args.sources)
    if args.command == "bench":
        from flows.commands.bench_cmd import run_bench_cli

        return run_bench_cli(args.docs, args.seed, args.workers, args.batch_size,
                             args.baseline_max, args.corpus, args.unique)
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
