from __future__ import annotations

import random
import sys
import unicodedata

import pytest

from transforms import nfkc as module
from transforms.nfkc import nfkc, nfkc_plain


def reference(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@pytest.mark.parametrize("text", [
    "", "abc", "全年共收到申请５件（其中：当面３件），办结５件；",
    "\u3000 \xa0 a\tb\n", "①②⑴⒈Ⅻ℃№㈠㎡…‥", "ｶﾞﾊﾟ",  # half-width kana + sound marks compose
    "e\u0301", "\u00e7", "㈎", "ﬁ", "\u2f00\u2fd5", "\ufa10\uf900", "︵︶", "─○■→≥≠",
])
def test_equals_unicodedata(text: str) -> None:
    assert nfkc(text) == reference(text)


def test_every_character_of_the_fast_path_alone() -> None:
    for lo, hi in (*module._BLOCKS, *module._IDEOGRAPHS):
        for cp in range(lo, hi + 1):
            c = chr(cp)
            assert nfkc(c) == reference(c), hex(cp)


def test_random_mixtures_including_characters_that_compose() -> None:
    rng = random.Random(7)
    pool = [chr(cp) for lo, hi in module._BLOCKS for cp in range(lo, hi + 1, 7)]
    pool += list("政府信息公开，。（）：１２３\n\n ") * 20
    composing = ["\u0301", "\u0308", "\u3099", "\u309a", "\uff9e", "\u1161", "\u11a8", "\u0b3e"]
    for i in range(3000):
        chars = [rng.choice(pool) for _ in range(rng.randint(0, 40))]
        if i % 3 == 0:
            chars.insert(rng.randint(0, len(chars)), rng.choice(composing))
        text = "".join(chars)
        assert nfkc(text) == reference(text), ascii(text)


def test_no_target_composes_with_the_character_before_it() -> None:
    """The assumption behind the fast path, checked against the whole character database."""
    backward = {cp for cp in range(0x1161, 0x1176)} | {cp for cp in range(0x11A8, 0x11C3)}
    for cp in range(sys.maxunicode + 1):
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<"):
            parts = d.split()
            if len(parts) == 2 and reference(chr(int(parts[0], 16)) + chr(int(parts[1], 16))) \
                    == chr(cp):
                backward.add(int(parts[1], 16))
    for cp in backward:
        inside = any(lo <= cp <= hi for lo, hi in module._TARGETS)
        assert not inside or unicodedata.combining(chr(cp)) != 0, hex(cp)


def test_plain_result_stays_normal_with_characters_taken_out() -> None:
    text = "报告（２０２３）：\n主动公开①条，ｶﾟ"
    assert nfkc_plain(text) is None  # ﾟ composes with the kana before it
    text = "报告（２０２３）：\n主动公开①条。"
    folded = nfkc_plain(text)
    assert folded == reference(text) == "报告(2023):\n主动公开1条。"
    for c in set(folded):
        cut = folded.replace(c, "")
        assert reference(cut) == cut


def test_a_text_noted_plain_folds_the_same() -> None:
    text = "全年共收到申请５件（其中：当面３件）"
    module.note_plain(text)
    assert nfkc_plain(text) == reference(text)
