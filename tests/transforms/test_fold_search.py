from __future__ import annotations

import random

from transforms.catalog.labels import norm_label
from transforms.fold_search import finder
from transforms.nfkc import plain_repertoire

KEYS = ("本年新制作数量", "第二十条第九项", "申请答复数", "政府信息公开", "年报")


def test_keys_found_as_in_the_folded_text() -> None:
    found = finder(KEYS)
    assert found is not None
    text = "第二十条第（九）项\n本年新\u3000制作 | 数量：\n申请-答复…数"
    assert found.unsafe.search(text) is None
    assert [k for k in KEYS if found.contains(text, k)] == \
        [k for k in KEYS if k in norm_label(text)] == list(KEYS[:3])


def test_random_texts_answer_as_norm_label() -> None:
    found = finder(KEYS)
    assert found is not None
    _, fold = plain_repertoire()
    rng = random.Random(5)
    pool = (list(fold) + list(" \n\t\u3000|()（）：:，、。-—_ ") * 30
            + [ch for k in KEYS for ch in k] * 20 + ["\u2f00", "㈨", "⑴", "½", "︵", "\uf900"])
    checked = 0
    for _ in range(5000):
        key = rng.choice(KEYS)
        parts = []
        for ch in key:
            parts.append(ch if rng.random() < 0.8 else rng.choice(pool))
            parts.extend(rng.choice(pool) for _ in range(rng.choice([0, 0, 1, 2])))
        text = "".join(parts)
        if found.unsafe.search(text) is not None:
            continue
        folded = norm_label(text)
        for k in KEYS:
            assert found.contains(text, k) == (k in folded), (text, k)
            checked += 1
    assert checked > 20_000


def test_characters_folding_to_several_key_characters_need_the_real_fold() -> None:
    found = finder(("平成年",))  # ㍻ folds to 平成
    assert found is not None
    assert found.unsafe.search("㍻年") is not None
    assert found.unsafe.search("½年") is None  # 1⁄2: no key character, a barrier
    assert not found.contains("平½成年", "平成年")
    assert found.unsafe.search("e\u0301") is not None  # outside the per-character path


def test_keys_that_are_no_folded_labels_are_refused() -> None:
    assert finder(("本年（一）",)) is None
    assert finder(("",)) is None
