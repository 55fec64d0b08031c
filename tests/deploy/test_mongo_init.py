"""deploy/mongo/init.js and entrypoint.sh, which only MongoDB's own image runs (never started
here: the compose check's stand-in is SecantusDB). init.js is run by Node.js against a recording
stand-in of mongosh's globals (tests/deploy/init_js_harness.js); what it asks MongoDB to do is
checked, not what MongoDB would then do."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.cli.secrets import SERVICES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
HARNESS = Path(__file__).with_name("init_js_harness.js")
pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="Node.js (make asyncapi-tools)"
)


def run_init(tmp_path: Path, **state: Any) -> dict[str, Any]:
    secrets = {f"mongo_{s}_password": f"mat-khau-rat-dai-cua-{s}\n" for s in SERVICES}
    state = {"secrets": {**secrets, **state.pop("secrets", {})}, **state}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state), encoding="utf-8")
    done = subprocess.run(
        ["node", str(HARNESS), str(DEPLOY / "mongo" / "init.js"), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(json.loads(done.stdout))


def test_a_first_start_makes_the_replica_set_and_a_user_per_service_on_its_own_database(tmp_path):
    ran = run_init(tmp_path, initiated=False, primaryAfter=3)
    assert ran["ok"], ran
    initiate = [c[1] for c in ran["calls"] if c[0] == "rs.initiate"]
    assert initiate == [{"_id": "rs0", "members": [{"_id": 0, "host": "mongo:27017"}]}]
    assert [c for c in ran["calls"] if c[0] == "sleep"], "it waits until the node is primary"
    created = {c[1]: c[2] for c in ran["calls"] if c[0] == "createUser"}
    assert set(created) == {f"nghedan_{s}" for s in SERVICES}
    for name, spec in created.items():
        service = name.removeprefix("nghedan_")
        assert spec["user"] == service and spec["pwd"] == f"mat-khau-rat-dai-cua-{service}"
        assert spec["roles"] == [{"role": "readWrite", "db": name}]  # its own database only


def test_a_second_start_initiates_nothing_and_sets_each_password_again(tmp_path):
    users = {f"nghedan_{s}.{s}": True for s in SERVICES}
    ran = run_init(tmp_path, initiated=True, users=users)
    assert ran["ok"], ran
    assert not [c for c in ran["calls"] if c[0] in ("rs.initiate", "createUser")]
    updated = {c[1]: c[3]["pwd"] for c in ran["calls"] if c[0] == "updateUser"}
    assert updated == {f"nghedan_{s}": f"mat-khau-rat-dai-cua-{s}" for s in SERVICES}


@pytest.mark.parametrize("password", ["change-me-intake", "ngan-qua"])
def test_a_placeholder_or_short_password_stops_it_naming_the_secret(tmp_path, password):
    ran = run_init(tmp_path, initiated=True, secrets={"mongo_intake_password": password})
    assert not ran["ok"] and "mongo_intake_password" in ran["error"]
    assert not [
        c for c in ran["calls"] if c[0] in ("createUser", "updateUser") and "intake" in c[1]
    ]


def test_the_replica_set_name_and_the_key_file_agree_across_the_files():
    entrypoint = (DEPLOY / "mongo" / "entrypoint.sh").read_text(encoding="utf-8")
    assert "--replSet rs0" in entrypoint and "--keyFile /data/keyfile" in entrypoint
    assert re.search(r"install -m 400 -o 999 -g 999 /run/secrets/mongo_keyfile", entrypoint)
    subprocess.run(["bash", "-n", str(DEPLOY / "mongo" / "entrypoint.sh")], check=True)
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(compose)
    urls = [
        s["environment"]["MONGO_URL"]
        for s in raw["services"].values()
        if "MONGO_URL" in s.get("environment", {})
    ]
    assert len(urls) == len(SERVICES) + 1  # and the operator's `cli`, for backup and restore
    assert all("replicaSet=${MONGO_REPLICA_SET:-rs0}" in url for url in urls)
    assert {"mongo_keyfile", "mongo_root_password"} <= set(raw["services"]["mongo"]["secrets"])
    # Not localhost: the image's first-start mongod listens there only, before mongo-init can.
    health = raw["services"]["mongo"]["healthcheck"]["test"]
    assert health[health.index("--host") + 1] == "mongo"
