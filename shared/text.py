"""Vietnamese text as people type and read it: with or without diacritics, in any case; days
and hours as people here write them (the one place they are written)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

from shared.clock import LOCAL_TZ


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


def fmt(day: date) -> str:
    """A day as people here write it: 05/02/2027."""
    return day.strftime("%d/%m/%Y")


def fmt_hour(moment: time | datetime) -> str:
    """An hour, in Viet Nam: 08:30."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(LOCAL_TZ).time()
    return moment.strftime("%H:%M")


def fmt_time(moment: datetime) -> str:
    """A moment as people here read it: hour and day in Viet Nam."""
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")
