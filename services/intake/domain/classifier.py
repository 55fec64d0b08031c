"""Suggests an issue's topic from its Vietnamese text, typed with or without diacritics.

Each topic has phrases, written once without diacritics; the text is folded the same way, so
`đền bù` and `den bu` match alike, and common abbreviations (GPMB, BHYT) are phrases too. The
topic with the most matched words wins; a tie goes to the topic listed first (the plan's "hot
issues" come first). No match suggests `other`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.text import fold

PHRASES: dict[str, tuple[str, ...]] = {
    "compensation": (
        "den bu",
        "boi thuong",
        "giai phong mat bang",
        "gpmb",
        "tai dinh cu",
        "ho tro di doi",
        "chi tra tien",
    ),
    "land_acquisition": (
        "thu hoi dat",
        "thu hoi dat dai",
        "thu hoi",
        "quy hoach",
        "giao dat",
        "chuyen muc dich su dung dat",
    ),
    "land_dispute": (
        "tranh chap dat",
        "tranh chap",
        "lan chiem",
        "ranh gioi",
        "so do",
        "giay chung nhan quyen su dung dat",
        "gcn qsdd",
        "mo ranh",
    ),
    "social_policy": (
        "che do",
        "chinh sach",
        "tro cap",
        "ho ngheo",
        "can ngheo",
        "bao hiem y te",
        "bhyt",
        "nguoi co cong",
        "thuong binh",
        "liet si",
        "bao tro xa hoi",
        "luong huu",
        "nguoi cao tuoi",
        "khuyet tat",
    ),
    "staffing": ("bien che", "cong chuc", "vien chuc", "tuyen dung", "tinh gian", "can bo thon"),
    "citizen_reception": ("tiep cong dan", "don thu", "khieu nai", "to cao", "giai quyet don"),
    "defence_security": (
        "an ninh",
        "trat tu",
        "trom cap",
        "ma tuy",
        "nghia vu quan su",
        "danh bac",
        "co bac",
        "tai nan giao thong",
        "cong an",
    ),
    "party_building": ("dang vien", "chi bo", "xay dung dang", "ket nap dang", "dang uy"),
    "political_system": ("bo may", "sap nhap", "hai cap", "2 cap", "to chuc bo may", "mat tran"),
    # Short words that mean several things once folded (cho, cau, dien) only count in phrases.
    "socio_economic": (
        "duong thon",
        "duong giao thong",
        "tuyen duong",
        "sua duong",
        "lam duong",
        "duong lang",
        "giao thong",
        "luoi dien",
        "mat dien",
        "dien sinh hoat",
        "nuoc sach",
        "thuy loi",
        "kenh muong",
        "truong hoc",
        "tram y te",
        "cho dan sinh",
        "nong nghiep",
        "giong cay",
        "phan bon",
        "viec lam",
        "ve sinh moi truong",
        "rac thai",
        "chieu sang",
        "cau treo",
        "cau dan sinh",
    ),
}
OTHER = "other"


_COMPILED = {
    topic: [re.compile(rf"\b{re.escape(p)}\b") for p in phrases]
    for topic, phrases in PHRASES.items()
}


@dataclass(frozen=True)
class Suggestion:
    topic: str
    score: int
    matched: tuple[str, ...]


def suggest_topic(text: str) -> Suggestion:
    folded = fold(text)
    best = Suggestion(OTHER, 0, ())
    for topic, patterns in _COMPILED.items():
        matched = tuple(p.pattern[2:-2].replace("\\ ", " ") for p in patterns if p.search(folded))
        score = sum(len(m.split()) for m in matched)
        if score > best.score:
            best = Suggestion(topic, score, matched)
    return best
