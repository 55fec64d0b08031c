"""The table of legal rules (docs/legal-rules.md) names, for every rule, tests that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _rows() -> list[list[str]]:
    text = (ROOT / "docs" / "legal-rules.md").read_text(encoding="utf-8")
    table = text.split("# Legal rules", 1)[1].split("\n## ", 1)[0]
    return [
        [cell.strip() for cell in line.strip("|").split(" | ")]
        for line in table.splitlines()
        if re.match(r"^\| \d+ \|", line)
    ]


def test_every_legal_rule_names_tests_that_exist():
    rows = _rows()
    assert [int(r[0]) for r in rows] == list(range(1, len(rows) + 1))
    stated = re.search(
        r"(\d+) rules, every one enforced and tested",
        (ROOT / "docs" / "legal-rules.md").read_text(),
    )
    assert stated and int(stated.group(1)) == len(rows)
    missing = []
    for row in rows:
        named, current = 0, None
        for ref in re.findall(r"`((?:tests/[\w/]+\.py)?::\w+|tests/[\w/]+\.py)`", row[-1]):
            path, _, name = ref.partition("::")
            current = ROOT / path if path else current
            if current is None or not current.exists():
                missing.append((row[0], ref))
                continue
            source = current.read_text(encoding="utf-8")
            if name and not re.search(rf"^(async )?def {name}\(", source, re.M):
                missing.append((row[0], ref))
            named += 1
        if not named and "the same test" not in row[-1]:
            missing.append((row[0], "no test named"))
    assert missing == []
