"""Vietnamese text as people type it: with or without diacritics, in any case."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower case, without diacritics (đ → d), punctuation as spaces, single spaces.

    `Giải phóng mặt bằng`, `giai phong mat bang` and `GIẢI PHÓNG MẶT BẰNG!` all fold alike.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", bare).split())
