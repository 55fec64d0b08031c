"""SMS text: the encoding it needs, its segments, and parts that never cut a word or a code.

Vietnamese with diacritics is outside GSM-7, so it goes as UCS-2: 70 characters in one segment,
67 per segment once concatenated. The no-diacritics form (the operator's choice) fits GSM-7:
160, or 153 per segment. Parts are cut only between words.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from shared.text import without_diacritics

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")  # each takes two septets
LIMITS = {"GSM-7": (160, 153), "UCS-2": (70, 67)}
Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SmsText:
    text: str
    encoding: Encoding
    parts: list[str]

    @property
    def segments(self) -> int:
        return len(self.parts)


def _encoding(text: str) -> Encoding:
    return "GSM-7" if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text) else "UCS-2"


def length(text: str, encoding: Encoding) -> int:
    """Characters as the network counts them: septets for GSM-7, UTF-16 units for UCS-2."""
    if encoding == "GSM-7":
        return sum(2 if c in GSM7_EXTENDED else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def plan(text: str, *, diacritics: bool = True) -> SmsText:
    """The text as it will be sent, its encoding, and its parts (one per segment)."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if not diacritics:
        text = without_diacritics(text)
    encoding = _encoding(text)
    single, concatenated = LIMITS[encoding]
    if length(text, encoding) <= single:
        return SmsText(text, encoding, [text])
    parts: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if length(candidate, encoding) <= concatenated:
            current = candidate
            continue
        if current:
            parts.append(current)
        while length(word, encoding) > concatenated:  # one "word" longer than a segment
            parts.append(word[:concatenated])
            word = word[concatenated:]
        current = word
    if current:
        parts.append(current)
    return SmsText(text, encoding, parts)
