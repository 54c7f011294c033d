"""norm_label: the comparison key of printed labels, memoized per distinct short text."""

from __future__ import annotations

from transforms.catalog import labels
from transforms.catalog.labels import norm_label


def test_folds_width_spacing_and_punctuation() -> None:
    assert norm_label("（一） 政府信息 公开申请") == "一政府信息公开申请"
    assert norm_label("第二十条第（一）项") == "第二十条第一项"
    assert norm_label("１２３") == "123"


def test_memoized_key_is_the_same_as_a_fresh_one() -> None:
    text = "三、本年度办理结果："
    assert norm_label(text) == norm_label(text) == "三本年度办理结果"
    assert labels._CACHE[text] == "三本年度办理结果"


def test_long_texts_are_folded_but_not_kept() -> None:
    text = "政府信息公开，" * 100
    assert norm_label(text) == "政府信息公开" * 100
    assert text not in labels._CACHE
