"""Label normalization: the printed forms vary in width, spacing and punctuation."""

from __future__ import annotations

import re
import unicodedata

from transforms.memo import ShortTextMemo

_DROP = re.compile(r"[\s\u3000\u00a0:：、，,。．.·•\"'“”‘’()（）\[\]【】〔〕<>《》/|_\-—－~～]+")

# Keys of short texts (cells, labels) are memoized: a document repeats the same few
# hundred labels and numbers, and a run repeats them across documents. Bounded so a
# hostile page of distinct cells cannot grow it without limit; long texts (a whole
# document folded by classify) are never kept.


def _fold(text: str) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", text))


def is_dropped(char: str) -> bool:
    """Whether norm_label deletes this (NFKC-normal) character."""
    return _DROP.fullmatch(char) is not None


def norm_label(text: str) -> str:
    """Fold a printed label to a comparison key.

    NFKC folds full-width digits and brackets; punctuation and whitespace are
    dropped because real pages split, re-space and re-punctuate labels freely.
    """
    return _CACHE(text)


_CACHE: ShortTextMemo[str] = ShortTextMemo(_fold, max_len=128)
