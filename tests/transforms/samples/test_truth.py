"""Generated truth: deterministic, plausible, and the catalog identities hold."""

from __future__ import annotations

import pytest

from transforms.catalog import get_layout
from transforms.catalog.national_grids import leaf_codes
from transforms.samples import failed_identities, generate_truth
from transforms.samples.agencies import abbreviate, places

LAYOUTS = ("fmt2019", "fmt2021", "stat2014", "local2008", "narrative")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_same_seed_same_truth_and_different_seeds_differ(layout: str) -> None:
    assert generate_truth(layout, 7).to_json() == generate_truth(layout, 7).to_json()
    assert generate_truth(layout, 7).to_json() != generate_truth(layout, 8).to_json()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_identities_hold_in_every_generated_truth(layout: str) -> None:
    for seed in range(120):
        truth = generate_truth(layout, seed)
        assert failed_identities(layout, truth.cells) == [], seed
        assert truth.expected_failures == ()


@pytest.mark.parametrize("layout", ("fmt2019", "fmt2021"))
def test_table_three_arithmetic_checked_independently(layout: str) -> None:
    block = get_layout(layout).block("applications")
    cols = [c.code for c in block.columns if c.code != "total"]
    for seed in range(60):
        t = generate_truth(layout, seed)

        def v(row: str, col: str, t=t) -> float:
            value = t.value("applications", row, col)
            assert value is not None
            return value

        for col in [*cols, "total"]:  # A1 and A2, per column
            assert v("new_received", col) + v("carried_over", col) == \
                v("results_total", col) + v("carried_forward", col)
            assert v("results_total", col) == sum(v(r, col) for r in leaf_codes(block))
        for row in block.rows:  # A3, per row
            assert v(row.code, "total") == sum(v(row.code, c) for c in cols)
        for group in ("review", "lawsuit_direct", "lawsuit_after_review"):  # A4
            parts = [t.value("appeals", group, c) or 0 for c in
                     ("upheld", "corrected", "other", "pending")]
            assert t.value("appeals", group, "total") == sum(parts)


def test_every_catalog_cell_has_a_value() -> None:
    for layout in ("fmt2019", "fmt2021", "stat2014", "local2008"):
        truth = generate_truth(layout, 3)
        expected = {(b.code, r.code, c.code) for b in get_layout(layout).blocks
                    for r in b.rows for c in b.columns}
        assert set(truth.cells) == expected
    assert len(generate_truth("fmt2021", 3).cells) == 10 + 25 * 7 + 15
    assert len(generate_truth("fmt2019", 3).cells) == 22 + 23 * 7 + 15


@pytest.mark.parametrize(("layout", "ident"), [
    ("fmt2019", "A1"), ("fmt2019", "A2"), ("fmt2021", "A2"), ("fmt2021", "A3"),
    ("fmt2021", "A4"), ("stat2014", "B1"), ("stat2014", "B2"), ("stat2014", "B3"),
    ("stat2014", "B4"), ("stat2014", "B5"), ("stat2014", "B6"), ("stat2014", "B7"),
    ("local2008", "L1"), ("local2008", "L2"), ("local2008", "L3"), ("local2008", "L4"),
])
def test_a_deliberate_failure_is_injected_and_listed(layout: str, ident: str) -> None:
    truth = generate_truth(layout, 11, broken=ident)
    assert ident in truth.expected_failures
    assert ident in {i for i, _ in failed_identities(layout, truth.cells)}
    assert truth.to_json()["broken"] == ident


def test_national_breaks_touch_only_their_identity() -> None:
    for ident in ("A1", "A2", "A3", "A4"):
        assert generate_truth("fmt2021", 5, broken=ident).expected_failures == (ident,)


def test_blank_totals_on_sub_rows_are_unfilled_not_zero() -> None:
    truth = generate_truth("fmt2019", 1, quirks=("total_blank_subrows",))
    subrows = [r.code for r in get_layout("fmt2019").block("applications").rows
               if r.code not in ("new_received", "carried_over", "results_total",
                                 "carried_forward")]
    cells = [truth.cells[("applications", r, "total")] for r in subrows]
    assert all(c.raw == "" for c in cells)
    filled = [r for r in subrows if truth.value("applications", r, "natural_person")]
    assert filled and all(truth.value("applications", r, "total") is None for r in filled)
    assert truth.expected_failures == ()  # unfilled terms cannot be checked
    with pytest.raises(ValueError, match="unknown quirk"):
        generate_truth("fmt2019", 1, quirks=("nonsense",))


def test_metadata_is_plausible() -> None:
    for layout in LAYOUTS:
        lo, hi = get_layout(layout).years
        for seed in range(30):
            m = generate_truth(layout, seed).meta
            assert max(lo, 2019 if layout == "narrative" else lo) <= m.report_year <= min(hi, 2024)
            assert m.published_on.year == m.report_year + 1 and m.published_on.month <= 3
            assert m.written_on <= m.published_on and m.written_on.year == m.report_year + 1
            assert m.title.startswith(m.agency) and str(m.report_year) in m.title
            assert len(m.region_code) == 6 and m.region_code.isdigit()
            assert f"/{m.report_year + 1}-" in m.index_no


def test_magnitudes_look_like_real_reports() -> None:
    truths = [generate_truth("fmt2021", s) for s in range(200)]
    received = [t.value("applications", "new_received", "total") or 0 for t in truths]
    assert sum(1 for n in received if n == 0) > 40  # many bodies receive none
    assert sorted(received)[100] < 30  # the median body is small
    assert max(received) > 100  # governments of large places receive many
    fees = [t.value("item8", "admin_fees", "fee_amount") or 0 for t in truths]
    assert any(not float(f).is_integer() for f in fees)  # 万元 with decimals
    changes = [generate_truth("fmt2019", s).value("item6", "penalty", "change") or 0
               for s in range(200)]
    assert any(c < 0 for c in changes)  # 本年增/减 may be negative
    raws = [c.raw for t in truths for c in t.cells.values()]
    assert "" in raws  # some zeros are printed blank


def test_prose_figures_follow_the_tables() -> None:
    for seed in range(20):
        t = generate_truth("fmt2021", seed)
        assert t.prose["applications_received"].value == t.value(
            "applications", "new_received", "total")
        s = generate_truth("stat2014", seed)
        assert s.prose["proactive_total"].value == s.value("indicators", "proactive_total", "value")
    n = generate_truth("narrative", 4)
    assert n.prose["applications_received"].value == 0
    assert (n.prose["procurement_count"].value or 0) >= 1
    assert n.prose["procurement_amount"].unit == "万元"
    facts = {f.row_code for f in n.facts()}
    assert {"proactive_total", "applications_received", "procurement_count"} <= facts


def test_agencies_use_real_place_names() -> None:
    names = {p.name for p in places()}
    assert {"张家川回族自治县", "石家庄市", "河北省"} <= names
    assert abbreviate("张家川回族自治县") == "张家川县"
    assert abbreviate("酉阳土家族苗族自治县") == "酉阳县"
    assert abbreviate("安源区") == "安源区"
    for seed in range(30):
        m = generate_truth("fmt2021", seed).meta
        place = m.county or m.city or m.province
        assert place in names
