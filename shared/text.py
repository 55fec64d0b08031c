"""Vietnamese text as people type it: with or without diacritics, in any case."""

from __future__ import annotations

import re
import unicodedata


def without_diacritics(text: str) -> str:
    """`Kính mời ông Đặng` -> `Kinh moi ong Dang` (đ → d), case and punctuation kept: the one
    place Vietnamese loses its marks, for matching and for phones that cannot show them."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def fold(text: str) -> str:
    """Lower case, without diacritics (đ → d), punctuation as spaces, single spaces.

    `Giải phóng mặt bằng`, `giai phong mat bang` and `GIẢI PHÓNG MẶT BẰNG!` all fold alike.
    """
    bare = without_diacritics(text).lower()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", bare).split())
