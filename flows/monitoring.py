"""What whoever watches the nightly run sees: failing checks, per run, in every channel.

One selection of failures (``select_failures``) feeds them all, so they agree:
``ogi failures`` (text or JSON), the flow run's markdown artifact, the HTML page
under ``<warehouse>/validation/``, the webhook's JSON and the final state
message of the flow run.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import polars as pl

from flows.warehouse import read_table

FAILURE_COLUMNS = ("run_id", "report_id", "agency", "report_year", "source", "template",
                   "check", "severity", "table", "location", "observed", "expected", "message")
ARTIFACT_KEY = "ogi-validation"
HTML_DIR = "validation"
GX_DOCS = Path("data_docs") / "index.html"


class NotifyError(RuntimeError):
    """The webhook could not be reached or answered with an error status."""


def latest_run(results: pl.DataFrame) -> str | None:
    """The newest run id: run ids start with their UTC start time, so the largest is latest."""
    ids = results["run_id"].drop_nulls()
    return None if ids.is_empty() else str(ids.max())


def select_failures(results: pl.DataFrame, reports: pl.DataFrame, run_id: str | None = None,
                    check: str | None = None, agency: str | None = None) -> pl.DataFrame:
    """Failing checks of one run (default: the latest) with the report they concern.

    ``check`` matches the check id exactly (case-insensitive); ``agency`` is a
    substring of the agency name. Errors first, then by check, agency, year.
    """
    run = run_id or latest_run(results)
    failed = results.filter(pl.col("run_id") == run, ~pl.col("success"))
    if check:
        failed = failed.filter(pl.col("check").str.to_uppercase() == check.upper())
    info = reports.select("report_id", "agency", "source", "template",
                          pl.col("report_year").alias("report_year_r"))
    out = failed.join(info, on="report_id", how="left").with_columns(
        report_year=pl.coalesce("report_year", "report_year_r"))
    if agency:
        out = out.filter(pl.col("agency").str.contains(agency, literal=True))
    order = pl.when(pl.col("severity") == "error").then(0).otherwise(1)
    return (out.with_columns(_order=order)
            .sort("_order", "check", "agency", "report_year", "location", nulls_last=True)
            .select(list(FAILURE_COLUMNS)))


def counts_by_check(failures: pl.DataFrame) -> pl.DataFrame:
    """check, severity, failures (instances), reports."""
    return (failures.group_by("check", "severity")
            .agg(pl.len().alias("failures"), pl.col("report_id").n_unique().alias("reports"))
            .sort(pl.col("severity") != "error", "check"))


def has_errors(failures: pl.DataFrame) -> bool:
    return bool((failures["severity"] == "error").any())


@dataclass
class RunDigest:
    """The failures of one run and the counts every channel reports."""

    run_id: str | None
    failures: pl.DataFrame
    reports_in_run: int
    reports_failed: int  # reports with an error-severity failure in this run

    @property
    def counts(self) -> pl.DataFrame:
        return counts_by_check(self.failures)


def run_digest(warehouse: Path, run_id: str | None = None) -> RunDigest:
    results = read_table(warehouse, "validation_results")
    reports = read_table(warehouse, "reports")
    run = run_id or latest_run(results)
    failures = select_failures(results, reports, run_id=run)
    errors = failures.filter(pl.col("severity") == "error", pl.col("report_id").is_not_null())
    in_run = results.filter(pl.col("run_id") == run)["report_id"].drop_nulls().n_unique()
    return RunDigest(run, failures, in_run, errors["report_id"].n_unique())


def final_message(digest: RunDigest, documents: int) -> str:
    """The flow run's final state message: how many reports failed validation."""
    counts = ", ".join(f"{r['check']} {r['failures']}"
                       for r in digest.counts.iter_rows(named=True))
    return (f"{digest.reports_failed} of {documents} reports failed validation"
            f"{'; failing checks: ' + counts if counts else '; no check failed'}")


# ---------------------------------------------------------------- text and markdown


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:g}"


def _where(row: Mapping[str, Any]) -> str:
    year = row["report_year"] if row["report_year"] is not None else "year?"
    return f"{row['agency'] or '(agency unknown)'} {year}"


def format_failures(failures: pl.DataFrame, run_id: str | None) -> str:
    """The human listing of ``ogi failures``: one block per failing check instance."""
    if run_id is None:
        return "no validation results in this warehouse yet"
    n_err = failures.filter(pl.col("severity") == "error").height
    lines = [f"run {run_id}: {failures.height} failing check(s) "
             f"({n_err} error, {failures.height - n_err} warning) in "
             f"{failures['report_id'].drop_nulls().n_unique()} report(s)"]
    for row in failures.iter_rows(named=True):
        what = row["location"] or row["table"] or ""
        lines.append(f"{row['check']:<4} {row['severity']:<7} {_where(row)}  "
                     f"[{row['report_id'] or 'table-wide'}] {row['source'] or ''}".rstrip())
        lines.append(f"     at {what}: found {_num(row['observed'])}, "
                     f"expected {_num(row['expected'])}")
        lines.append(f"     {row['message']}")
    if failures.height:
        lines.append("by check: " + ", ".join(
            f"{r['check']} {r['failures']} in {r['reports']} report(s)"
            for r in counts_by_check(failures).iter_rows(named=True)))
    return "\n".join(lines)


def _md_cell(text: object) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def markdown_report(digest: RunDigest, documents: int, report_link: str | None = None,
                    top: int = 25) -> str:
    """The flow run's markdown artifact: counts by check, then the top failures."""
    lines = [f"# Validation of run `{digest.run_id}`", "",
             f"**{final_message(digest, documents)}.**", ""]
    if report_link:
        lines += [f"Full report (offline HTML): [{report_link}]({report_link})", ""]
    if digest.failures.height == 0:
        return "\n".join([*lines, "Every check held."])
    lines += ["## Failures by check", "", "| check | severity | failures | reports |",
              "|---|---|---:|---:|"]
    lines += [f"| {r['check']} | {r['severity']} | {r['failures']} | {r['reports']} |"
              for r in digest.counts.iter_rows(named=True)]
    lines += ["", f"## Top failures ({min(top, digest.failures.height)} of "
                  f"{digest.failures.height})", "",
              "| check | severity | report | source | where | found | expected |",
              "|---|---|---|---|---|---:|---:|"]
    for r in digest.failures.head(top).iter_rows(named=True):
        lines.append("| " + " | ".join(_md_cell(x) for x in (
            r["check"], r["severity"], _where(r), r["source"], r["location"] or r["table"],
            _num(r["observed"]), _num(r["expected"]))) + " |")
    return "\n".join(lines)


def publish_artifact(markdown: str, run_id: str | None) -> None:
    """The markdown as a Prefect artifact of the current flow run (keyed, so runs line up)."""
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(markdown=markdown, key=ARTIFACT_KEY,
                             description=f"validation failures of run {run_id}")


# ---------------------------------------------------------------- offline HTML


def write_html_report(warehouse: Path, digest: RunDigest, documents: int) -> Path:
    """validation/runs/<run_id>.html and validation/index.html (the latest run).

    Self-contained (no scripts, no network); links the Great Expectations Data
    Docs of the same run when they were built.
    """
    out_dir = warehouse / HTML_DIR
    runs = out_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)

    def esc(x: object) -> str:
        return html.escape("" if x is None else str(x))

    counts = "".join(f"<tr><td>{esc(r['check'])}</td><td>{esc(r['severity'])}</td>"
                     f"<td class=n>{r['failures']}</td><td class=n>{r['reports']}</td></tr>"
                     for r in digest.counts.iter_rows(named=True))
    rows = "".join(
        f"<tr class={esc(r['severity'])}><td>{esc(r['check'])}</td><td>{esc(r['severity'])}"
        f"</td><td>{esc(_where(r))}</td><td>{esc(r['source'])}</td>"
        f"<td>{esc(r['location'] or r['table'])}</td><td class=n>{esc(_num(r['observed']))}"
        f"</td><td class=n>{esc(_num(r['expected']))}</td><td>{esc(r['message'])}</td></tr>"
        for r in digest.failures.iter_rows(named=True))

    def page(gx_href: str) -> str:
        gx = (f'<p><a href="{gx_href}">Great Expectations Data Docs</a> of the latest run</p>'
              if (out_dir / GX_DOCS).exists() else "")
        return (
            "<!doctype html><html lang=zh><meta charset=utf-8>"
            f"<title>ogi validation {esc(digest.run_id)}</title><style>"
            "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}"
            ".n{text-align:right}tr.error td:first-child{color:#b00;font-weight:bold}"
            f"</style><h1>Validation of run {esc(digest.run_id)}</h1>"
            f"<p><b>{esc(final_message(digest, documents))}</b></p>{gx}"
            "<h2>Failures by check</h2><table><tr><th>check<th>severity<th>failures"
            f"<th>reports</tr>{counts}</table><h2>Failing checks</h2><table><tr><th>check"
            "<th>severity<th>report<th>source<th>where<th>found<th>expected<th>message</tr>"
            f"{rows}</table></html>")

    path = runs / f"{digest.run_id}.html"
    path.write_text(page(f"../{GX_DOCS}"), encoding="utf-8")
    tmp = out_dir / ".index.html.tmp"
    tmp.write_text(page(str(GX_DOCS)), encoding="utf-8")
    tmp.replace(out_dir / "index.html")
    return path


# ---------------------------------------------------------------- webhook


def webhook_payload(digest: RunDigest, summary: Mapping[str, Any], top: int = 50
                    ) -> dict[str, Any]:
    """JSON summary of a run's failures for chat bots and monitors."""
    failures = digest.failures.head(top).to_dicts()
    return {
        "run_id": digest.run_id,
        "warehouse": summary.get("warehouse"),
        "documents": summary.get("documents"),
        "reports_failed": digest.reports_failed,
        "has_errors": has_errors(digest.failures),
        "message": final_message(digest, int(summary.get("documents") or 0)),
        "failures_total": digest.failures.height,
        "by_check": digest.counts.to_dicts(),
        "failures": failures,
        "validation_report": summary.get("validation_report"),
    }


def post_webhook(url: str, payload: Mapping[str, Any], timeout: float = 10.0) -> int:
    """POST the payload as JSON; the HTTP status, or NotifyError."""
    body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    try:
        response = httpx.post(url, content=body, timeout=timeout,
                              headers={"Content-Type": "application/json; charset=utf-8"})
    except httpx.HTTPError as exc:
        raise NotifyError(f"webhook {url}: {exc}") from exc
    if response.status_code >= 400:
        raise NotifyError(f"webhook {url}: HTTP {response.status_code}")
    return response.status_code


# ---------------------------------------------------------------- the flow's last step


@dataclass
class RunReport:
    message: str  # the final state message
    html: str  # the offline page of this run
    notified: int | None  # webhook HTTP status, None when not configured or unreachable


def report_run(summary: Mapping[str, Any], warehouse: str, notify: str | None) -> RunReport:
    """Inside the flow run: HTML page, markdown artifact, webhook; returns the state message.

    A webhook that cannot be reached is logged as a warning: monitoring must
    not turn a good run into a failed one.
    """
    from prefect import get_run_logger

    digest = run_digest(Path(warehouse), str(summary["run_id"]))
    documents = int(summary.get("documents") or 0)
    page = write_html_report(Path(warehouse), digest, documents)
    publish_artifact(markdown_report(digest, documents, page.resolve().as_uri()),
                     digest.run_id)
    status = None
    if notify:
        payload = webhook_payload(digest, {**summary, "validation_report": str(page)})
        try:
            status = post_webhook(notify, payload)
        except NotifyError as exc:
            get_run_logger().warning("notify failed: %s", exc)
    return RunReport(final_message(digest, documents), str(page), status)
