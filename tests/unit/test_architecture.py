"""Who may import whom, judged by import-linter (contracts in pyproject.toml): the kit imports no
service nor the operator's tool, the tool no service, the services none of one another, a domain no driver, broker, store or web, the
contracts nothing but models, the CLI's modules no circle — and a violation is caught."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
LINT = Path(sys.executable).parent / "lint-imports"


def lint(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
    )


def test_every_architecture_contract_is_kept():
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 8 kept, 0 broken." in done.stdout


def test_a_kit_module_importing_a_service_breaks_the_contract(tmp_path):
    for package in ("shared", "services", "deploy"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "deploy" / "cli" / "shortcut.py").write_text(
        "from services.intake import store  # reads intake's database directly\n",
        encoding="utf-8",
    )
    (tmp_path / "services" / "intake" / "domain" / "peek.py").write_text(
        "import pymongo  # a domain reaching for the driver\n", encoding="utf-8"
    )
    handlers = tmp_path / "services" / "reporting" / "handlers.py"
    handlers.write_text(
        handlers.read_text(encoding="utf-8") + "\nimport pymongo  # a query beside the store\n",
        encoding="utf-8",
    )
    done = lint(tmp_path)
    assert done.returncode == 1
    assert "The operator's tool imports no service" in done.stdout and "BROKEN" in done.stdout
    assert "deploy.cli.shortcut -> services.intake.store" in done.stdout
    assert "services.intake.domain.peek -> pymongo" in done.stdout
    assert "Only a service's store.py talks to the database driver BROKEN" in done.stdout
    assert "services.reporting.handlers -> pymongo" in done.stdout


def test_no_function_outside_the_tests_is_longer_than_60_lines():
    import ast

    longest = 60
    found = []
    for package in ("services", "shared", "deploy"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines = (node.end_lineno or node.lineno) - node.lineno + 1
                    if lines > longest:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} {lines}")
    assert found == [], "split these (STYLE.md): " + "; ".join(found)


def test_days_and_hours_are_written_in_one_place():
    """shared/text.py (fmt, fmt_hour, fmt_time) writes them as people here read them."""
    found = [
        str(path.relative_to(ROOT))
        for package in ("services", "shared", "deploy")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "strftime(" in path.read_text(encoding="utf-8") and path.name != "text.py"
    ]
    assert found == []
