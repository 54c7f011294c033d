"""Label normalization: the printed forms vary in width, spacing and punctuation."""

from __future__ import annotations

import re
import unicodedata

_DROP = re.compile(r"[\s\u3000\u00a0:：、，,。．.·•\"'“”‘’()（）\[\]【】〔〕<>《》/|_\-—－~～]+")


def norm_label(text: str) -> str:
    """Fold a printed label to a comparison key.

    NFKC folds full-width digits and brackets; punctuation and whitespace are
    dropped because real pages split, re-space and re-punctuate labels freely.
    """
    folded = unicodedata.normalize("NFKC", text)
    return _DROP.sub("", folded)
