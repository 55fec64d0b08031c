"""Ý kiến trùng: the same matter raised by several people in one village becomes one issue.

Two submissions are the same matter when they are in the same village, have the same topic, are
recommendations or feedback (a complaint or a denunciation is each person's own procedure), and
their content words overlap enough. Content words are the folded words less the ones every
submission uses ("đề nghị", "xã", "thôn" ...). The overlap is |A ∩ B| / min(|A|, |B|), so a short
"đền bù chậm ở đường thôn" still matches a long letter on the same road; it must reach
MIN_OVERLAP with at least MIN_SHARED words in common. The examples that set these numbers are in
tests/unit/test_intake_duplicates.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.text import fold

MIN_OVERLAP = 0.6
MIN_SHARED = 3
MERGEABLE = ("recommendation", "feedback")
STOPWORDS = frozenset(
    """de nghi kien nghi phan anh xin yeu cau mong muon xa thon ban lang nguoi dan nhan dan ba con
    toi chung toi gia dinh cua va la co khong duoc cho voi nhung cac mot nay do da dang se rat
    van con chua can phai vi de tai o tren duoi trong ngoai ve theo tu den khi thi ma nen
    len ra vao lai cung hon nhieu it som muon viec su""".split()
)


ABBREVIATIONS = {
    "gpmb": "giai phong mat bang",
    "bhyt": "bao hiem y te",
    "qsdd": "quyen su dung dat",
    "gcn": "giay chung nhan",
    "tdc": "tai dinh cu",
}


def content_words(text: str) -> frozenset[str]:
    words = " ".join(ABBREVIATIONS.get(w, w) for w in fold(text).split()).split()
    return frozenset(w for w in words if w not in STOPWORDS and len(w) > 1)


@dataclass(frozen=True)
class Candidate:
    tracking_code: str
    content: str


def overlap(a: frozenset[str], b: frozenset[str]) -> tuple[float, int]:
    shared = len(a & b)
    smaller = min(len(a), len(b))
    return (shared / smaller if smaller else 0.0), shared


def same_matter(text: str, other: str) -> bool:
    score, shared = overlap(content_words(text), content_words(other))
    return shared >= MIN_SHARED and score >= MIN_OVERLAP


def find_duplicate(text: str, candidates: list[Candidate]) -> Candidate | None:
    """The open issue this text repeats, the closest first; None when it is a new matter."""
    words = content_words(text)
    best: tuple[float, Candidate] | None = None
    for candidate in candidates:
        score, shared = overlap(words, content_words(candidate.content))
        if shared >= MIN_SHARED and score >= MIN_OVERLAP and (best is None or score > best[0]):
            best = (score, candidate)
    return best[1] if best else None
