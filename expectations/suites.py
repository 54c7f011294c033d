"""Great Expectations suites derived from the layout catalog.

There is one suite per identity *kind* (``Identity.op``), not per identity: the
check frame (transforms.identities) already holds every instance of every
identity as observed/expected columns, so a new identity in the catalog is
validated by the suite of its op without a line of code here. Table-schema
suites cover the facts and reports tables.

Great Expectations is imported inside the functions: importing it costs
seconds, and most commands never validate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from transforms.catalog import LAYOUTS
from transforms.catalog.model import Op

if TYPE_CHECKING:
    import great_expectations as gx

PARSE_STATUSES = ("ok", "partial", "empty", "failed", "not_a_report")
KINDS = ("count", "delta", "money", "ratio")


def identity_ops() -> tuple[Op, ...]:
    """Ops used by some identity of some layout (the suites a batch may need)."""
    seen: dict[Op, None] = {}
    for layout in LAYOUTS.values():
        for identity in layout.identities:
            if identity.over != "previous_year":
                seen.setdefault(identity.op, None)
    return tuple(seen)


def _identity_expectations(op: str) -> list[Any]:
    import great_expectations as gx

    e = gx.expectations
    makers: dict[str, Callable[[], list[Any]]] = {
        "eq": lambda: [e.ExpectColumnPairValuesToBeEqual(column_A="observed",
                                                         column_B="expected")],
        "ge": lambda: [e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="observed", column_B="expected", or_equal=True)],
        "le": lambda: [e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="expected", column_B="observed", or_equal=True)],
        "between_max_and_sum": lambda: [
            e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="observed", column_B="low",
                                                      or_equal=True),
            e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="high", column_B="observed",
                                                      or_equal=True)],
        "nonneg": lambda: [e.ExpectColumnValuesToBeBetween(column="observed", min_value=0)],
    }
    if op not in makers:
        raise KeyError(f"no expectation for identity op {op!r}; add one to expectations/suites.py")
    return makers[op]()


def identity_suite(op: str) -> gx.ExpectationSuite:
    """The suite that checks every instance of every identity with this op."""
    import great_expectations as gx

    return gx.ExpectationSuite(name=f"identities_{op}", expectations=_identity_expectations(op))


# (check name, severity, expectation factory) per table; the check name is what
# validation_results.check shows.
SchemaCheck = tuple[str, str, Callable[[], Any]]


def schema_checks(table: str) -> list[SchemaCheck]:
    import great_expectations as gx

    e = gx.expectations
    if table == "facts":
        return [
            ("facts.report_id_not_null", "error",
             lambda: e.ExpectColumnValuesToNotBeNull(column="report_id")),
            ("facts.codes_not_null", "error",
             lambda: e.ExpectColumnValuesToNotBeNull(column="row_code")),
            ("facts.col_code_not_null", "error",
             lambda: e.ExpectColumnValuesToNotBeNull(column="col_code")),
            ("facts.value_is_float", "error",
             lambda: e.ExpectColumnValuesToBeInTypeList(column="value",
                                                        type_list=["float64", "Float64"])),
            ("facts.label_in_catalog", "warning",
             lambda: e.ExpectColumnValuesToNotBeNull(column="row_label")),
            ("facts.kind_known", "error",
             lambda: e.ExpectColumnValuesToBeInSet(column="kind", value_set=list(KINDS))),
        ]
    if table == "reports":
        return [
            ("reports.report_id_not_null", "error",
             lambda: e.ExpectColumnValuesToNotBeNull(column="report_id")),
            ("reports.report_id_unique", "error",
             lambda: e.ExpectColumnValuesToBeUnique(column="report_id")),
            ("reports.parse_status_known", "error",
             lambda: e.ExpectColumnValuesToBeInSet(column="parse_status",
                                                   value_set=list(PARSE_STATUSES))),
            ("reports.report_year_plausible", "warning",
             lambda: e.ExpectColumnValuesToBeBetween(column="report_year", min_value=2007,
                                                     max_value=2100)),
        ]
    raise KeyError(f"no schema checks for table {table!r}")


def schema_suite(table: str) -> tuple[gx.ExpectationSuite, list[tuple[str, str]]]:
    """The table's schema suite, and (check name, severity) in expectation order."""
    import great_expectations as gx

    checks = schema_checks(table)
    expectations = []
    for name, severity, make in checks:
        expectation = make()
        expectation.meta = {"check": name, "severity": severity}
        expectations.append(expectation)
    suite = gx.ExpectationSuite(name=f"schema_{table}", expectations=expectations)
    return suite, [(name, sev) for name, sev, _ in checks]
