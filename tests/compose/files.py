"""deploy/compose.yaml as `docker compose` reads it when no setting is given: for the tests that
read the file (tests/unit/test_deploy_files.py, tests/deploy/test_deploy.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

COMPOSE_FILE = Path(__file__).resolve().parents[2] / "deploy" / "compose.yaml"
SETTING = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?]([^}]*))?\}")


def compose_as_run() -> dict[str, Any]:
    """Each `${NAME:-default}` is its default (the images, ports and folders an operator may
    change in deploy/.env), then the YAML."""
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    return dict(yaml.safe_load(SETTING.sub(lambda m: m.group(2) or "", text)))
