"""docs/asyncapi.yaml: generated from the code, and judged by tools we did not write — AsyncAPI's
own parser (`@asyncapi/parser` from npm, installed by `make test`) and the AsyncAPI 3.0
metaschema through check-jsonschema."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from shared.contracts.catalogue import CATALOGUE
from shared.messaging import asyncapi, topology

ROOT = Path(__file__).parents[2]
TOOLS = ROOT / "tools" / "asyncapi"
METASCHEMA = TOOLS / "node_modules" / "@asyncapi" / "specs" / "schemas" / "3.0.0.json"


def need_tools() -> None:
    if not shutil.which("node") or not (TOOLS / "node_modules" / "@asyncapi" / "parser").exists():
        pytest.fail(
            "AsyncAPI's parser is not installed: `make test` installs it (make asyncapi-tools)"
        )


def test_the_document_is_what_the_code_generates():
    assert asyncapi.DOCUMENT.read_text(encoding="utf-8") == asyncapi.render(), (
        "docs/asyncapi.yaml differs from the code: run `make schemas`"
    )


def test_asyncapis_own_parser_accepts_it():
    need_tools()
    done = subprocess.run(
        ["node", str(TOOLS / "validate.mjs"), str(asyncapi.DOCUMENT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    channels = len(CATALOGUE) + len(topology.QUEUES) + len(topology.DELAY_QUEUES)
    assert f"valid: {channels} channels" in done.stdout


def test_asyncapis_parser_refuses_a_broken_document(tmp_path):
    need_tools()
    broken = yaml.safe_load(asyncapi.DOCUMENT.read_text(encoding="utf-8"))
    del broken["channels"]["outcomes"]["bindings"]["amqp"]["exchange"]
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    done = subprocess.run(
        ["node", str(TOOLS / "validate.mjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1 and "exchange" in done.stdout


@pytest.mark.parametrize("drop", [None, "info"])
def test_the_asyncapi_3_metaschema_accepts_it_and_refuses_it_without_info(tmp_path, drop):
    need_tools()
    document = asyncapi.DOCUMENT
    if drop:
        data = yaml.safe_load(document.read_text(encoding="utf-8"))
        del data[drop]
        document = tmp_path / "without.yaml"
        document.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    checker = Path(sys.executable).parent / "check-jsonschema"
    done = subprocess.run(
        [str(checker), "--schemafile", str(METASCHEMA), str(document)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (done.returncode == 0) is (drop is None), done.stdout + done.stderr


def test_every_message_queue_and_reply_is_in_it_with_its_schema_and_example():
    document = yaml.safe_load(asyncapi.DOCUMENT.read_text(encoding="utf-8"))
    channels, messages = document["channels"], document["components"]["messages"]
    for key, spec in CATALOGUE.items():
        message = messages[asyncapi._id(key)]
        assert message["name"] == key and message["payload"]["properties"]["data"]["$ref"]
        if spec.public and spec.kind == "command":
            assert message["examples"][0]["payload"]["type"] == f"vn.nghedan.{key}"
            operation = document["operations"][f"receive_{asyncapi._id(key)}"]
            assert operation["reply"]["channel"] == {"$ref": "#/channels/outcomes"}
            assert channels[asyncapi._id(key)]["bindings"]["amqp"]["exchange"]["name"] == (
                "nghedan.inbound"
            )
    for queue in topology.QUEUES:
        described = channels[f"queue_{asyncapi._id(queue.name)}"]["description"]
        assert "`x-queue-type`=quorum" in described and queue.dead_letter_queue in described
    results = [k for k, s in CATALOGUE.items() if s.exchange == "nghedan.provincial"]
    assert sorted(results) == ["dialogue.followup.updated.v1", "dialogue.results.published.v1"]
