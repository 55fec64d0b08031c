"""The docker compose deployment, as far as it can be tried without Docker: the compose file against
the Compose Specification, and the RabbitMQ definitions loaded into the real broker and enforced."""

import asyncio
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import aio_pika
import pytest
import yaml
from aiormq.exceptions import ChannelAccessRefused
from dotenv import dotenv_values

from shared.clock import LOCAL_TZ, FixedClock
from shared.messaging.definitions import USERS, definitions
from tests.helpers import RawClient, registration_service, running, session_data

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ENV = dotenv_values(DEPLOY / ".env.example")


def test_the_compose_file_follows_the_compose_specification():
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(DEPLOY / "compose.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_four_services_from_one_image_with_health_checks_and_named_volumes():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    ours = ["registration", "intake", "notification", "reporting"]
    assert {services[s]["image"] for s in ours} == {"nghedan:latest"}
    for name in ours:
        assert services[name]["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
        assert (
            services[name]["healthcheck"]["test"] and services[name]["restart"] == "unless-stopped"
        )
        assert services[name]["environment"]["DECLARE_TOPOLOGY"] == "own"
    assert "--replSet" in (DEPLOY / "mongo" / "entrypoint.sh").read_text()
    assert set(compose["volumes"]) == {"rabbitmq-data", "mongo-data", "notification-outbox"}
    assert "notification-outbox:/var/lib/nghedan/outbox" in services["notification"]["volumes"]
    text = (DEPLOY / "compose.yaml").read_text()
    definitions_only = {
        f"RABBITMQ_{u.upper()}_PASSWORD" for u in ("external", "province", "operator")
    }
    for key in set(ENV) - definitions_only:
        assert "${" + key in text, f"{key} of .env.example is not used by compose.yaml"


def test_shipped_definitions_match_the_topology_and_the_example_passwords():
    shipped = json.loads((DEPLOY / "rabbitmq" / "definitions.json").read_text())
    generated = definitions({u: "x" for u in USERS})
    for key in ("vhosts", "permissions", "topic_permissions", "exchanges", "queues", "bindings"):
        assert shipped[key] == generated[key], key
    for user in shipped["users"]:
        raw = base64.b64decode(user["password_hash"])
        password = ENV[f"RABBITMQ_{user['name'].upper()}_PASSWORD"]
        assert hashlib.sha256(raw[:4] + password.encode()).digest() == raw[4:], user["name"]


@pytest.fixture(scope="module")
def loaded():
    """The shipped definitions, under a vhost and user names of this run, imported into the broker."""
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("needs rabbitmqctl on this machine to import definitions")
    run = uuid.uuid4().hex[:6]
    text = (DEPLOY / "rabbitmq" / "definitions.json").read_text()
    shipped = json.loads(text)
    vhost = f"nghedan-deploy-{run}"
    renamed = {u: f"t{run}-{u}" for u in USERS}
    for section in ("permissions", "topic_permissions"):
        for item in shipped[section]:
            item["user"], item["vhost"] = renamed[item["user"]], vhost
    for user in shipped["users"]:
        user["name"] = renamed[user["name"]]
    shipped["vhosts"] = [{"name": vhost}]
    for section in ("exchanges", "queues", "bindings"):
        for item in shipped[section]:
            item["vhost"] = vhost
    # Through standard input: Debian's rabbitmqctl runs as the rabbitmq user, who cannot read our tmp.
    imported = subprocess.run(
        ["rabbitmqctl", "import_definitions"],
        input=json.dumps(shipped),
        capture_output=True,
        text=True,
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr

    def url(user: str) -> str:
        password = ENV[f"RABBITMQ_{user.upper()}_PASSWORD"]
        return f"amqp://{renamed[user]}:{password}@127.0.0.1:5672/{quote(vhost, safe='')}"

    yield url
    subprocess.run(["rabbitmqctl", "delete_vhost", vhost], check=False, capture_output=True)
    for name in renamed.values():
        subprocess.run(["rabbitmqctl", "delete_user", name], check=False, capture_output=True)


async def publish(url: str, exchange: str, key: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange, ensure=False)
        await target.publish(aio_pika.Message(b"{}"), routing_key=key)


async def test_a_service_may_publish_its_own_events_and_no_one_else_s(loaded):
    await publish(loaded("registration"), "nghedan.events", "registration.session.planned.v1")
    with pytest.raises(ChannelAccessRefused):
        await publish(loaded("registration"), "nghedan.events", "intake.issue.received.v1")
    with pytest.raises(ChannelAccessRefused):
        await publish(loaded("intake"), "nghedan.provincial", "dialogue.results.published.v1")
    await publish(loaded("reporting"), "nghedan.provincial", "dialogue.results.published.v1")


async def test_external_systems_may_publish_commands_only(loaded):
    await publish(loaded("external"), "nghedan.inbound", "registration.create-session.v1")
    with pytest.raises(ChannelAccessRefused):
        await publish(loaded("external"), "nghedan.events", "registration.session.planned.v1")


async def test_the_registration_service_runs_under_its_own_restricted_user(loaded, infra):
    service = registration_service(
        infra,
        FixedClock(datetime(2026, 9, 1, 9, tzinfo=LOCAL_TZ)),
        AMQP_URL=loaded("registration"),
        DECLARE_TOPOLOGY="own",
        HEALTH_PORT=0,
    )
    async with running(service), RawClient(loaded("external")) as client:
        outcome = await client.send("registration.create-session.v1", session_data())
        assert outcome["status"] == "accepted"
        for _ in range(50):
            if await service.db.count_pending() == 0:
                break
            await asyncio.sleep(0.1)
        assert await service.db.count_pending() == 0  # its events went out under its permissions
