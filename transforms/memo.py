"""A bounded memo for pure functions of short cell or label texts.

Pages repeat the same few hundred labels and numbers; hostile pages must not grow the
memo without bound, so only short texts are kept and the memo is cleared when full.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ShortTextMemo(dict[str, T]):
    def __init__(self, fn: Callable[[str], T], max_len: int, max_size: int = 1 << 14) -> None:
        super().__init__()
        self.fn, self.max_len, self.max_size = fn, max_len, max_size

    def __call__(self, text: str) -> T:
        hit = self.get(text)
        if hit is not None:
            return hit
        value = self.fn(text)
        if len(text) <= self.max_len:
            if len(self) >= self.max_size:
                self.clear()
            self[text] = value
        return value
