"""What a generated report states: metadata, every catalog cell and the prose figures.

The truth is built from the layout catalog (rows × columns of each block) so that
the catalog identities hold, unless a failure is injected on purpose (``broken``)
or a real-life quirk that breaks one is asked for (``quirks``). Renderers only
print what is here: the printed text of every cell (``raw``) is decided once, so
every format of the same truth yields the same facts.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from transforms.catalog import PROSE, get_layout
from transforms.catalog.model import Block, Column, Identity, Layout, Row

from .agencies import Agency, pick_agency

Key = tuple[str, str, str]  # (block, row_code, col_code)

LATEST_YEAR = 2024  # open-ended layouts (fmt2021, narrative) draw data years up to this one
# 总计 printed blank on table-三 sub-rows (Shanghai 2019): read as unfilled (None), not 0
QUIRKS = ("total_blank_subrows",)


@dataclass(frozen=True)
class TruthCell:
    value: float | None  # what a strict reader must return: blank → 0, '/' → None
    raw: str  # the cell text as printed
    unit: str | None = None  # unit printed in the cell ("元" in "251000元")


@dataclass(frozen=True)
class ExpectedFact:
    block: str
    row_code: str
    col_code: str
    value: float | None
    raw: str
    unit: str | None = None


@dataclass
class ReportMeta:
    title: str
    agency: str  # as printed
    department: str
    province: str
    city: str | None
    county: str | None
    region_code: str
    report_year: int
    published_on: date
    published_at: str  # "2022-02-08 16:34", the CMS timestamp
    written_on: date  # 成文日期, a few days before publication
    index_no: str  # 索引号
    doc_no: str | None  # 文号
    site_name: str
    url: str


@dataclass
class Truth:
    layout: str
    seed: int
    meta: ReportMeta
    cells: dict[Key, TruthCell]
    prose: dict[str, TruthCell] = field(default_factory=dict)  # figures the text states
    broken: str | None = None
    quirks: tuple[str, ...] = ()
    expected_failures: tuple[str, ...] = ()  # identity ids that fail in this truth
    scale: str = "small"

    def value(self, block: str, row: str, col: str) -> float | None:
        return self.cells[(block, row, col)].value

    def facts(self) -> list[ExpectedFact]:
        """Every figure a parser must return, table cells first, then prose figures."""
        out = [ExpectedFact(b, r, c, cell.value, cell.raw, cell.unit)
               for (b, r, c), cell in self.cells.items()]
        known = {r.code for r in PROSE.rows}
        out += [ExpectedFact(PROSE.code, code, PROSE.columns[0].code, cell.value, cell.raw,
                             cell.unit) for code, cell in self.prose.items() if code in known]
        return out

    def prose_value(self, code: str) -> float | None:
        cell = self.prose.get(code)
        return None if cell is None else cell.value

    def to_json(self) -> dict[str, Any]:
        m = self.meta
        return {
            "layout": self.layout,
            "seed": self.seed,
            "scale": self.scale,
            "broken": self.broken,
            "quirks": list(self.quirks),
            "expected_failures": list(self.expected_failures),
            "metadata": {
                "title": m.title, "agency": m.agency, "department": m.department,
                "province": m.province, "city": m.city, "county": m.county,
                "region_code": m.region_code, "report_year": m.report_year,
                "published_on": m.published_on.isoformat(), "published_at": m.published_at,
                "written_on": m.written_on.isoformat(), "index_no": m.index_no,
                "doc_no": m.doc_no, "site_name": m.site_name, "url": m.url,
            },
            "facts": [
                {"block": f.block, "row_code": f.row_code, "col_code": f.col_code,
                 "value": _json_number(f.value), "raw": f.raw, "unit": f.unit}
                for f in self.facts()
            ],
        }


def _json_number(v: float | None) -> float | int | None:
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v


# ---------------------------------------------------------------------------
# identities


def _cell_value(cells: dict[Key, TruthCell], key: Key) -> float:
    cell = cells.get(key)
    return 0.0 if cell is None or cell.value is None else cell.value


def _instances(layout: Layout, ident: Identity) -> Iterable[tuple[str, list[Key], list[Key]]]:
    """(where, lhs keys, rhs keys) for every instantiation of a within-report identity."""
    block = layout.block(ident.block)
    if ident.over == "columns":
        for col in block.columns:
            yield (col.code, [(block.code, r, col.code) for r in ident.lhs],
                   [(block.code, r, col.code) for r in ident.rhs])
    elif ident.over == "rows":
        for row in block.rows:
            yield (row.code, [(block.code, row.code, c) for c in ident.lhs],
                   [(block.code, row.code, c) for c in ident.rhs])
    elif ident.over.startswith("column:"):
        col_code = ident.over.split(":", 1)[1]
        yield (col_code, [(block.code, r, col_code) for r in ident.lhs],
               [(block.code, r, col_code) for r in ident.rhs])


def _is_count(block: Block, row: Row, col: Column) -> bool:
    return row.kind == "count" and col.kind == "count"


def failed_identities(layout_code: str, cells: dict[Key, TruthCell]) -> list[tuple[str, str]]:
    """(identity id, where) for every within-report identity the cells break.

    Cross-year identities (over="previous_year") cannot be checked on one report.
    """
    layout = get_layout(layout_code)
    failures: list[tuple[str, str]] = []
    for ident in layout.identities:
        if ident.over == "previous_year":
            continue
        if ident.op == "nonneg":
            for block in layout.blocks:
                for row in block.rows:
                    for col in block.columns:
                        v = cells.get((block.code, row.code, col.code))
                        if (_is_count(block, row, col) and v is not None and v.value is not None
                                and v.value < 0):
                            failures.append((ident.id, f"{block.code}/{row.code}/{col.code}"))
            continue
        for where, lhs_keys, rhs_keys in _instances(layout, ident):
            terms = [cells.get(k) for k in (*lhs_keys, *rhs_keys)]
            if any(t is not None and t.value is None for t in terms):
                continue  # an unfilled or not-applicable term: the instance cannot be checked
            lhs = sum(_cell_value(cells, k) for k in lhs_keys)
            rhs_vals = [_cell_value(cells, k) for k in rhs_keys]
            rhs = sum(rhs_vals)
            ok = {
                "eq": abs(lhs - rhs) < 1e-6,
                "ge": lhs >= rhs - 1e-6,
                "le": lhs <= rhs + 1e-6,
                "between_max_and_sum": max(rhs_vals, default=0.0) - 1e-6 <= lhs <= rhs + 1e-6,
            }.get(ident.op, True)
            if not ok:
                failures.append((ident.id, f"{ident.block}/{where}"))
    return failures


# ---------------------------------------------------------------------------
# printing style


@dataclass(frozen=True)
class _Style:
    zeros: str  # "zero": print 0 · "blank": print nothing · "blank_orgs": blank in 法人 columns
    minus: str  # sign printed for negative 本年增/减
    amount_unit: str | None  # unit printed inside the 采购总金额 cell


def _pick_style(rng: random.Random) -> _Style:
    zeros = rng.choices(("zero", "blank", "blank_orgs"), weights=(70, 12, 18))[0]
    minus = rng.choices(("-", "－"), weights=(85, 15))[0]  # both exist in GBK
    amount_unit = rng.choices((None, "元", "万元"), weights=(55, 25, 20))[0]
    return _Style(zeros, minus, amount_unit)


_ORG_COLUMNS = frozenset({"commercial_enterprise", "research_institution", "social_welfare_org",
                          "legal_service_agency", "other_org"})


def _fmt_number(v: float, decimals: int | None = None) -> str:
    if decimals is not None:
        return f"{v:.{decimals}f}"
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.6f}".rstrip("0").rstrip(".")


def _printed(value: float, col_code: str, style: _Style, *, blank_ok: bool) -> TruthCell:
    if value == 0 and blank_ok and (
            style.zeros == "blank" or (style.zeros == "blank_orgs" and col_code in _ORG_COLUMNS)):
        return TruthCell(0.0, "")
    text = _fmt_number(abs(value))
    if value < 0:
        text = style.minus + text
    return TruthCell(float(value), text)


# ---------------------------------------------------------------------------
# magnitudes


@dataclass(frozen=True)
class _Scale:
    name: str
    applications: tuple[int, int]  # range of 本年新收 total when there are any
    p_no_applications: float
    proactive: tuple[int, int]
    decisions: tuple[int, int]
    appeals: float  # expected review/lawsuit cases


_SCALES = {
    "tiny": _Scale("tiny", (1, 6), 0.65, (12, 180), (0, 40), 0.1),
    "small": _Scale("small", (1, 25), 0.35, (60, 600), (0, 400), 0.6),
    "medium": _Scale("medium", (15, 180), 0.05, (300, 3000), (50, 6000), 4.0),
    "large": _Scale("large", (150, 3200), 0.0, (2000, 30000), (1000, 500000), 60.0),
}


def _scale_for(agency: Agency, rng: random.Random) -> _Scale:
    if agency.is_government:
        name = {"county": "medium", "city": "large", "province": "large"}[agency.level]
    else:
        name = {"county": "tiny", "city": "small", "province": "medium"}[agency.level]
    if rng.random() < 0.15:  # some bodies are busier or quieter than their kind
        order = list(_SCALES)
        i = order.index(name) + rng.choice((-1, 1))
        name = order[min(max(i, 0), len(order) - 1)]
    return _SCALES[name]


def _poisson(rng: random.Random, mean: float) -> int:
    """Small-mean Poisson by inversion; large means use a rounded normal."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, mean ** 0.5)))
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Share ``total`` units among buckets (multinomial), exact sum."""
    out = [0] * len(weights)
    if total <= 0:
        return out
    if total <= 2000:
        for i in rng.choices(range(len(weights)), weights=weights, k=total):
            out[i] += 1
        return out
    s = sum(weights)
    for i, w in enumerate(weights):
        out[i] = int(total * w / s)
    out[max(range(len(weights)), key=lambda i: weights[i])] += total - sum(out)
    return out


# ---------------------------------------------------------------------------
# the national grids (fmt2019, fmt2021)

_APPLICANT_WEIGHTS = {"natural_person": 85.0, "commercial_enterprise": 8.0,
                      "research_institution": 0.6, "social_welfare_org": 0.8,
                      "legal_service_agency": 3.0, "other_org": 2.6}
_LEAF_WEIGHTS = {
    "granted": 38.0, "partly_granted": 7.0, "unavailable_not_held": 26.0,
    "unavailable_needs_creation": 4.0, "unavailable_unclear": 3.0,
    "not_processed_petition": 5.0, "not_processed_repeat": 3.0,
    "withheld_third_party": 1.2, "withheld_process_info": 1.5, "withheld_admin_query": 1.5,
    "withheld_internal_affairs": 1.0, "withheld_enforcement_file": 0.8,
    "withheld_state_secret": 0.3, "withheld_prohibited_by_law": 0.5,
    "withheld_three_safeties": 0.4, "not_processed_publication": 0.5,
    "not_processed_mass": 0.4, "not_processed_confirm": 0.8,
    "other_handling": 4.0, "other_no_correction": 2.5, "other_no_fee": 0.2, "other_other": 2.0,
}


def _applications(rng: random.Random, block: Block, scale: _Scale) -> dict[tuple[str, str], int]:
    """Table 三 values satisfying A1, A2 and A3 exactly."""
    from transforms.catalog.national_grids import leaf_codes

    leaves = list(leaf_codes(block))
    cols = [c.code for c in block.columns if c.code != "total"]
    values: dict[tuple[str, str], int] = {(r.code, c.code): 0 for r in block.rows
                                          for c in block.columns}
    if rng.random() >= scale.p_no_applications:
        lo, hi = scale.applications
        n_total = round(lo * (hi / lo) ** rng.random())  # log-uniform: most are small
        received = _split(rng, n_total, [_APPLICANT_WEIGHTS.get(c, 1.0) for c in cols])
        for col, n in zip(cols, received, strict=True):
            carried = _poisson(rng, 0.04 * n) if rng.random() < 0.35 else 0
            forward = min(n + carried, _poisson(rng, 0.05 * n)) if rng.random() < 0.4 else 0
            done = n + carried - forward
            weights = [_LEAF_WEIGHTS.get(code, 1.0) for code in leaves]
            for code, k in zip(leaves, _split(rng, done, weights), strict=True):
                values[(code, col)] = k
            values[("new_received", col)] = n
            values[("carried_over", col)] = carried
            values[("results_total", col)] = done
            values[("carried_forward", col)] = forward
    for r in block.rows:
        values[(r.code, "total")] = sum(values[(r.code, c)] for c in cols)
    return values


def _appeals(rng: random.Random, block: Block, scale: _Scale) -> dict[tuple[str, str], int]:
    parts = [c.code for c in block.columns if c.code != "total"]
    weights = {"upheld": 60.0, "corrected": 10.0, "other": 18.0, "pending": 12.0}
    means = {"review": 1.0, "lawsuit_direct": 0.5, "lawsuit_after_review": 0.3}
    values: dict[tuple[str, str], int] = {}
    for row in block.rows:
        n = _poisson(rng, scale.appeals * means.get(row.code, 0.3))
        for col, k in zip(parts, _split(rng, n, [weights.get(p, 5.0) for p in parts]),
                          strict=True):
            values[(row.code, col)] = k
        values[(row.code, "total")] = n
    return values


def _money(rng: random.Random, lo: float, hi: float) -> float:
    v = lo * (hi / lo) ** rng.random()
    return round(v, rng.choice((1, 2, 2, 4, 6)))


def _disclosure(rng: random.Random, block: Block, scale: _Scale,
                style: _Style) -> dict[tuple[str, str], TruthCell]:
    """Table 二 cells: values per column meaning, printed per the document's style."""
    big = scale.name in ("medium", "large")
    out: dict[tuple[str, str], TruthCell] = {}
    for row in block.rows:
        codes = [c.code for c in block.columns]
        v: dict[str, float] = {}
        active = rng.random() < (0.8 if big else 0.35)
        if row.code == "regulations":  # only governments with rule-making power make 规章
            active = active and scale.name == "large"
        if "made" in codes or "issued" in codes:
            made = rng.randint(1, 30 if big else 6) if active else 0
            gone = rng.randint(0, max(1, made // 2)) if active and rng.random() < 0.4 else 0
            stock = made + rng.randint(0, 600 if big else 40) if active or rng.random() < 0.3 \
                else made
            v.update(made=made, published=made if rng.random() < 0.8 else made // 2,
                     total_public=stock, issued=made, repealed=gone, in_force=stock)
        prior = rng.randint(0, 400 if big else 40) if active else 0
        change = rng.randint(-min(prior, 12), 15) if active and rng.random() < 0.6 else 0
        lo, hi = scale.decisions
        decisions = round(max(lo, 1) * (max(hi, 2) / max(lo, 1)) ** rng.random()) \
            if active else 0
        v.update(prior_count=prior, change=change, decisions=decisions)
        count = rng.randint(1, 40 if big else 12) if rng.random() < 0.5 else 0
        v.update(procurement_count=count)
        for col in block.columns:
            if col.code == "procurement_amount":
                out[(row.code, col.code)] = _procurement_amount(rng, count, style)
            elif col.code == "fee_amount":
                fee = _money(rng, 0.5, 30000.0 if big else 60.0) if active else 0.0
                out[(row.code, col.code)] = _printed(fee, col.code, style, blank_ok=False)
            else:
                val = v.get(col.code, float(_poisson(rng, 2.0)))
                out[(row.code, col.code)] = _printed(val, col.code, style, blank_ok=False)
    return out


def _procurement_amount(rng: random.Random, count: int, style: _Style) -> TruthCell:
    if count == 0:
        return TruthCell(0.0, "0")
    yuan = round(count * rng.uniform(8_000, 400_000), -2)
    if style.amount_unit == "万元":
        wan = round(yuan / 10_000, 2)
        return TruthCell(wan, f"{_fmt_number(wan)}万元", "万元")
    if style.amount_unit == "元":
        return TruthCell(yuan, f"{_fmt_number(yuan)}元", "元")
    return TruthCell(yuan, _fmt_number(yuan))


def _national_cells(rng: random.Random, layout: Layout, scale: _Scale, style: _Style,
                    quirks: tuple[str, ...]) -> dict[Key, TruthCell]:
    cells: dict[Key, TruthCell] = {}
    for block in layout.blocks:
        if block.code == "applications":
            values = _applications(rng, block, scale)
            for (r, c), val in values.items():
                cell = _printed(float(val), c, style, blank_ok=True)
                if "total_blank_subrows" in quirks and c == "total" and r not in (
                        "new_received", "carried_over", "results_total", "carried_forward"):
                    # a blank total beside filled cells was left unfilled: not a 0
                    filled = any(values[(r, other)] for other in _ORG_COLUMNS | {"natural_person"})
                    cell = TruthCell(None if filled else 0.0, "")
                cells[(block.code, r, c)] = cell
        elif block.code == "appeals":
            for (r, c), val in _appeals(rng, block, scale).items():
                cells[(block.code, r, c)] = _printed(float(val), c, style, blank_ok=True)
        else:
            for (r, c), cell in _disclosure(rng, block, scale, style).items():
                cells[(block.code, r, c)] = cell
    return cells


# ---------------------------------------------------------------------------
# legacy lists (stat2014, local2008): driven by the catalog's identities


def _legacy_cells(rng: random.Random, layout: Layout, scale: _Scale,
                  style: _Style) -> dict[Key, TruthCell]:
    """Random leaves, then every identity's left side computed from its right side.

    Works from whatever rows and identities the catalog declares: no labels here.
    Later value columns (历年累计) are never below the first (本年度) on a leaf,
    so sums keep the per-row ``le`` rules true.
    """
    values: dict[Key, float] = {}
    money_keys: set[Key] = set()
    for block in layout.blocks:
        cols = list(block.columns)
        for row in block.rows:
            money = row.kind == "money" or (row.unit or "").endswith("元")
            base = _legacy_leaf(rng, row, scale, money)
            for i, col in enumerate(cols):
                key = (block.code, row.code, col.code)
                extra = 0.0 if i == 0 else _legacy_leaf(rng, row, scale, money) * rng.randint(0, 4)
                values[key] = round(base + extra, 2) if money else base + extra
                if money:
                    money_keys.add(key)
    _solve_identities(rng, layout, values)
    cells: dict[Key, TruthCell] = {}
    for key, val in values.items():
        block = layout.block(key[0])
        unit = legacy_unit(block.row(key[1]))
        if key in money_keys:
            cells[key] = TruthCell(val, _fmt_number(val), unit)
        else:
            cell = _printed(val, key[2], style, blank_ok=False)
            cells[key] = TruthCell(cell.value, cell.raw, unit)
    return cells


def legacy_unit(row: Row) -> str | None:
    """The unit printed in a legacy list's 单位 column (money rows default to 万元)."""
    if row.unit:
        return row.unit
    return "万元" if row.kind == "money" else None


def _legacy_leaf(rng: random.Random, row: Row, scale: _Scale, money: bool) -> float:
    if money:
        return _money(rng, 0.5, 50.0) if rng.random() < 0.35 else 0.0
    if row.kind == "ratio":
        return float(rng.randint(0, 100))
    if row.code.startswith(("proactive", "channel_")):  # publication counts run large
        lo, hi = scale.proactive
        return float(rng.randint(lo // 4, hi // 2)) if rng.random() < 0.8 else 0.0
    if rng.random() < 0.55:
        return 0.0
    return float(rng.randint(1, max(2, scale.applications[1] // 3)))


def _solve_identities(rng: random.Random, layout: Layout, values: dict[Key, float]) -> None:
    """Make each identity hold by setting its left side; repeat until nothing changes.

    ``ge`` rules sharing a left side take the largest right side (plus, now and
    then, a little more); ``between_max_and_sum`` is usually the sum.
    """
    slack: dict[object, float] = {}

    def draw(key: object) -> float:
        if key not in slack:
            slack[key] = rng.random()
        return slack[key]

    idents = [i for i in layout.identities
              if i.over != "previous_year" and i.op != "nonneg" and i.block != "*"]
    for _ in range(len(idents) + 3):
        changed = False
        needs: dict[Key, float] = {}
        for ident in idents:
            if ident.op != "ge":
                continue
            for _where, lhs_keys, rhs_keys in _instances(layout, ident):
                if len(lhs_keys) == 1:
                    rhs = sum(values.get(k, 0.0) for k in rhs_keys)
                    needs[lhs_keys[0]] = max(needs.get(lhs_keys[0], 0.0), rhs)
        for ident in idents:
            for where, lhs_keys, rhs_keys in _instances(layout, ident):
                if len(lhs_keys) != 1:
                    continue  # a two-sided rule (A1-like) is not generated here
                lhs_key = lhs_keys[0]
                rhs_vals = [values.get(k, 0.0) for k in rhs_keys]
                rhs = sum(rhs_vals)
                current = values.get(lhs_key, 0.0)
                s = draw((ident.id, where, ident.rhs))
                if ident.op == "eq":
                    target = rhs
                elif ident.op == "ge":
                    need = needs[lhs_key]
                    extra = float(rng.randint(1, 3)) if draw(lhs_key) < 0.15 else 0.0
                    target = current if need <= current <= need + 3 else need + extra
                elif ident.op == "between_max_and_sum":
                    top = max(rhs_vals, default=0.0)
                    target = rhs if s < 0.8 else top + round((rhs - top) * s / 2)
                elif ident.op == "le":
                    if current > rhs and len(rhs_keys) == 1:  # raise the bound instead
                        values[rhs_keys[0]] = current
                        changed = True
                    continue
                else:
                    continue
                if abs(current - target) > 1e-9:
                    values[lhs_key] = round(target, 6)
                    changed = True
        if not changed:
            return


# ---------------------------------------------------------------------------
# prose figures


def _prose(rng: random.Random, layout: Layout, cells: dict[Key, TruthCell],
           scale: _Scale) -> dict[str, TruthCell]:
    """Figures the text states; tied to the tables where both exist (C4).

    Codes follow the PROSE block; ``Truth.facts`` reports only those the
    catalog has a row for, so the text may say more than the catalog reads.
    """
    lo, hi = scale.proactive
    proactive = round(lo * (hi / lo) ** rng.random())
    out: dict[str, TruthCell] = {"proactive_total": TruthCell(float(proactive), str(proactive))}
    table_total = next((cell for (b, r, c), cell in cells.items()
                        if r == "proactive_total" and c == layout.blocks[0].columns[0].code), None)
    if table_total is not None:  # the text repeats the table's figure (C4)
        out["proactive_total"] = TruthCell(table_total.value, table_total.raw)
    received = ("applications", "new_received", "total")
    if received in cells:
        out["applications_received"] = cells[received]
    elif layout.code == "narrative":
        out["applications_received"] = TruthCell(0.0, "0")
    first_col = layout.blocks[0].columns[0].code
    fee_key = next((k for k in cells if k[1] == "fees" and k[2] == first_col), None)
    if fee_key is not None:  # legacy texts repeat the table's fee figure (or say there was none)
        fee = cells[fee_key]
        out["fees"] = TruthCell(fee.value, fee.raw, fee.unit if fee.value else None)
    if layout.code == "narrative":
        out["reviews"] = TruthCell(0.0, "0")  # the text says none happened
        out["lawsuits"] = TruthCell(0.0, "0")
    if layout.code in ("fmt2021", "narrative") and rng.random() < 0.7:
        out["fees"] = TruthCell(0.0, "0")  # "本年度未收取信息处理费"
    if layout.code == "narrative":
        n = rng.randint(1, 15)
        amount = round(n * rng.uniform(0.8, 12.0), 2)
        out["procurement_count"] = TruthCell(float(n), str(n))
        out["procurement_amount"] = TruthCell(amount, _fmt_number(amount), "万元")
    return out


# ---------------------------------------------------------------------------
# metadata


def _meta(rng: random.Random, agency: Agency, year: int) -> ReportMeta:
    month = rng.choices((1, 2, 3), weights=(55, 30, 15))[0]
    day = rng.randint(5, 28) if month == 1 else rng.randint(1, 28)
    published = date(year + 1, month, day)
    written = max(date(year + 1, 1, 2),
                  date.fromordinal(published.toordinal() - rng.randint(0, 12)))
    title_year = rng.choice((f"{year}年", f"{year}年度"))
    title = f"{agency.name}{title_year}政府信息公开工作年度报告"
    index_no = _index_no(rng, year + 1)
    doc_no = None
    if rng.random() < 0.15:
        doc_no = f"{agency.name[:2]}{agency.department[:1]}〔{year + 1}〕{rng.randint(1, 40)}号"
    site = agency.name if agency.is_government else f"{agency.name}门户网站"
    doc_id = rng.randint(10000, 999999)
    url_shape = rng.randrange(3)
    host = f"www.{agency.region_code}.gov.cn"  # synthetic host: no real site is implied
    if url_shape == 0:
        path = f"/zwgk/zfxxgk/zfxxgknb/{published:%Y%m}/t{published:%Y%m%d}_{doc_id}.htm"
    elif url_shape == 1:
        column = rng.randint(100, 9999)
        path = (f"/art/{published.year}/{published.month}/{published.day}/"
                f"art_{column}_{doc_id}.html")
    else:
        path = f"/xxgk/content/post_{doc_id}.html"
    return ReportMeta(
        title=title, agency=agency.name, department=agency.department,
        province=agency.province, city=agency.city, county=agency.county,
        region_code=agency.region_code, report_year=year, published_on=published,
        published_at=f"{published.isoformat()} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}",
        written_on=written, index_no=index_no, doc_no=doc_no, site_name=site,
        url=f"https://{host}{path}",
    )


def _index_no(rng: random.Random, year: int) -> str:
    shape = rng.randrange(4)
    serial = f"{year}-{rng.randint(1, 900):05d}"
    if shape == 0:
        letters = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(2))
        return f"{letters}{rng.randint(1, 9999):04d}/{serial}"
    if shape == 1:
        code = "11" + "".join(rng.choice("0123456789") for _ in range(15))
        return f"{code}{rng.choice('0123456789X')}/{serial}"
    if shape == 2:
        return f"{rng.randint(0, 999999999):09d}/{serial}"
    letters = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(4))
    return f"{letters}/{serial}"


# ---------------------------------------------------------------------------
# entry point


def generate_truth(layout_code: str, seed: int, broken: str | None = None,
                   quirks: tuple[str, ...] = ()) -> Truth:
    """A plausible report of ``layout_code``; same arguments → same truth.

    ``broken`` names an identity (A1–A4, B1–B7, …) to break on purpose; the
    truth's ``expected_failures`` then lists every identity that fails.
    """
    layout = get_layout(layout_code)
    for q in quirks:
        if q not in QUIRKS:
            raise ValueError(f"unknown quirk {q!r}; known: {', '.join(QUIRKS)}")
    rng = random.Random(f"{layout_code}:{seed}")
    agency = pick_agency(rng)
    scale = _scale_for(agency, rng)
    lo, hi = layout.years
    if layout_code == "narrative":
        lo = max(lo, 2019)  # prose-only reports of the 2019 format whose tables are left out
    year = rng.randint(lo, min(hi, LATEST_YEAR))
    style = _pick_style(rng)
    meta = _meta(rng, agency, year)
    if layout_code in ("fmt2019", "fmt2021"):
        cells = _national_cells(rng, layout, scale, style, quirks)
    elif layout_code == "narrative":
        cells = {}
    else:
        cells = _legacy_cells(rng, layout, scale, style)
    if broken is not None:
        _break(rng, layout, cells, broken)
    prose = _prose(rng, layout, cells, scale)
    failures = tuple(dict.fromkeys(i for i, _ in failed_identities(layout_code, cells)))
    if broken is not None and broken not in failures:
        raise ValueError(f"could not break {broken!r} in a {layout_code} report")
    return Truth(layout=layout_code, seed=seed, meta=meta, cells=cells, prose=prose,
                 broken=broken, quirks=tuple(quirks), expected_failures=failures,
                 scale=scale.name)


def _bump(cells: dict[Key, TruthCell], key: Key, delta: float) -> None:
    old = cells[key]
    new = (old.value or 0.0) + delta
    cells[key] = TruthCell(new, _fmt_number(new), old.unit)


def _break(rng: random.Random, layout: Layout, cells: dict[Key, TruthCell], ident_id: str) -> None:
    """Change the fewest cells so that ``ident_id`` fails (others may fail with it)."""
    k = float(rng.randint(1, 6))
    if ident_id == "A1":  # carried forward off by k, in one column and in 总计
        _bump(cells, ("applications", "carried_forward", "natural_person"), k)
        _bump(cells, ("applications", "carried_forward", "total"), k)
    elif ident_id == "A2":  # a leaf off by k: （七）总计 no longer its sum
        _bump(cells, ("applications", "granted", "natural_person"), k)
        _bump(cells, ("applications", "granted", "total"), k)
    elif ident_id == "A3":  # 总计 off by k on two rows whose column sums still balance
        _bump(cells, ("applications", "new_received", "total"), k)
        _bump(cells, ("applications", "carried_forward", "total"), k)
    elif ident_id == "A4":
        _bump(cells, ("appeals", "review", "total"), k)
    else:
        ident = next((i for i in layout.identities if i.id == ident_id), None)
        if ident is None:
            raise ValueError(f"{layout.code} has no identity {ident_id!r}")
        for _, lhs_keys, rhs_keys in _instances(layout, ident):
            key = lhs_keys[0]
            if key not in cells:
                continue
            lhs = cells[key].value or 0.0
            rhs = sum(_cell_value(cells, r) for r in rhs_keys)
            if ident.op == "le":  # go over the bound
                _bump(cells, key, rhs - lhs + k)
            elif ident.op in ("ge", "between_max_and_sum"):  # go under it
                _bump(cells, key, -(lhs + k) if ident.op == "between_max_and_sum"
                      else rhs - lhs - k)
            else:
                _bump(cells, key, k)
            return
        raise ValueError(f"cannot break {ident_id!r}: no cells")
