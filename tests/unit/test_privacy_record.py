"""The record of processing activities in the operator's guide is the one in the code."""

from __future__ import annotations

from pathlib import Path

from shared.privacy import ACTIVITIES, NOTICE

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operators-guide.md"


def test_the_guides_record_of_processing_is_the_codes():
    text = GUIDE.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and " | " in line]
    for a in ACTIVITIES:
        row = f"| {a.service} | {a.data} | {a.purpose} | {a.basis} | {a.recipients} | {a.kept} |"
        assert row in rows, f"docs/operators-guide.md: the record's row for {a.service} differs"
    for setting in ("INTAKE_RETENTION_DAYS", "REGISTRATION_RETENTION_DAYS"):
        assert setting in text
    assert "91/2025/QH15" in NOTICE and "xoá" in NOTICE
