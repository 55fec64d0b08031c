"""The docker compose deployment, as far as it can be tried without Docker: the compose file against
the Compose Specification, and the RabbitMQ definitions loaded into the real broker and enforced."""

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import aio_pika
import pytest
import yaml
from aiormq.exceptions import ChannelAccessRefused
from dotenv import dotenv_values

from shared.clock import FixedClock
from shared.messaging.definitions import definitions, is_integrating, users
from shared.messaging.senders import SHIPPED_SENDERS, load_senders
from tests.compose.files import compose_as_run
from tests.helpers import RawClient, registration_service, running, session_data
from tests.waits import settled
from tests.when import vn

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ENV = dotenv_values(DEPLOY / ".env.example")

SENDERS = load_senders()
USERS = users(SENDERS)
PASSWORDS = {u: f"test-password-of-{u}-{uuid.uuid4().hex[:8]}" for u in USERS}


def test_the_compose_file_follows_the_compose_specification():
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(DEPLOY / "compose.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_four_services_from_one_image_with_health_checks_and_named_volumes():
    compose = compose_as_run()
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
    assert set(compose["volumes"]) == {
        "rabbitmq-data",
        "rabbitmq-definitions",
        "mongo-data",
        "notification-outbox",
    }
    assert "notification-outbox:/var/lib/nghedan/outbox" in services["notification"]["volumes"]
    assert services["rabbitmq"]["image"] == "rabbitmq:4.1-management"
    assert services["mongo"]["image"] == "mongo:8.0"
    text = (DEPLOY / "compose.yaml").read_text()
    for key in ENV:
        assert "${" + key in text, f"{key} of .env.example is not used by compose.yaml"


def test_every_secret_is_a_file_each_container_gets_only_its_own_and_none_is_in_the_env():
    from deploy.cli.secrets import wanted

    compose = compose_as_run()
    made = {n for n in wanted("localhost") if not n.startswith("systems/")} | {
        "rabbitmq_tls_ca.pem",
        "rabbitmq_tls_cert.pem",
        "rabbitmq_tls_key.pem",
    }
    declared = {name: spec["file"] for name, spec in compose["secrets"].items()}
    assert declared.pop("pip_ca") == "/etc/ssl/certs/ca-certificates.crt"  # the build's, only
    assert set(declared) == made and all(f == f"./secrets/{n}" for n, f in declared.items())
    services = compose["services"]
    systems = {u for u in USERS if is_integrating(u, SENDERS)}
    assert set(services["definitions"]["secrets"]) == {
        f"rabbitmq_{u}_password" for u in USERS if u not in systems
    }  # and the systems' folder, to it alone: a system is added without changing this file
    folder = "./secrets/systems:/run/nghedan/systems:ro"
    assert [n for n, s in services.items() if folder in s.get("volumes", [])] == ["definitions"]
    for name in ("registration", "intake", "notification", "reporting"):
        own = set(services[name]["secrets"])
        assert {f"{name}_data_key", f"{name}_lookup_key", f"mongo_{name}_password"} <= own
        assert not {s for s in own if s.endswith(("_data_key", "_lookup_key"))} - {
            f"{name}_data_key",
            f"{name}_lookup_key",
        }, f"{name} holds another service's key"
        environment = services[name]["environment"]
        assert environment["NGHEDAN_DATA_KEY_FILE"] == f"/run/secrets/{name}_data_key"
        assert (
            "@" in environment["AMQP_URL"] and ":" not in environment["AMQP_URL"].split("@")[0][7:]
        )
    text = (DEPLOY / "compose.yaml").read_text() + (DEPLOY / ".env.example").read_text()
    for forbidden in ("_PASSWORD:", "_PASSWORD=", "DATA_KEY:", "DATA_KEY=", "change-me"):
        assert forbidden not in text, forbidden
    assert "deploy/secrets/" in (DEPLOY.parent / ".gitignore").read_text()


def test_only_amqp_over_tls_and_the_loopback_ports_leave_the_host():
    compose = compose_as_run()
    assert compose["networks"]["backend"]["internal"] is True
    published = {name: service.get("ports", []) for name, service in compose["services"].items()}
    assert published["rabbitmq"] == ["5671:5671", "127.0.0.1:15672:15672"]
    assert published["mongo"] == [] and published["registration"] == []
    for name, ports in published.items():
        for port in ports:
            assert port.startswith("127.0.0.1:") or port == "5671:5671", (name, port)
    conf = (DEPLOY / "rabbitmq" / "rabbitmq.conf").read_text()
    assert "listeners.ssl.default = 5671" in conf and "max_message_size = 1048576" in conf
    from shared.messaging.topology import BROKER_MAX_MESSAGE_BYTES
    from shared.settings import ServiceSettings

    assert BROKER_MAX_MESSAGE_BYTES == 1048576 > ServiceSettings().max_message_bytes


def test_deploy_secrets_are_made_once_and_the_definitions_refuse_placeholders(tmp_path):
    from typer.testing import CliRunner

    from deploy.cli.main import app

    runner = CliRunner()
    first = runner.invoke(app, ["deploy-secrets", "--dir", str(tmp_path / "s")])
    assert first.exit_code == 0, first.output
    key = (tmp_path / "s" / "intake_data_key").read_text()
    again = runner.invoke(app, ["deploy-secrets", "--dir", str(tmp_path / "s")])
    assert again.exit_code == 0 and (tmp_path / "s" / "intake_data_key").read_text() == key
    assert key not in first.output + again.output
    assert oct((tmp_path / "s").stat().st_mode & 0o777) == "0o700"
    generate = ["rabbitmq-definitions", "--secrets-dir", str(tmp_path / "s")]
    made = runner.invoke(app, [*generate, "-o", str(tmp_path / "d.json")])
    assert made.exit_code == 0, made.output
    (tmp_path / "s" / "systems" / "rabbitmq_mot_cua_password").write_text("change-me-mot-cua-2026")
    refused = runner.invoke(app, [*generate, "-o", str(tmp_path / "d.json")])
    assert refused.exit_code != 0 and "rabbitmq_mot_cua_password" in refused.output


def test_the_generated_definitions_hold_each_password_hashed_and_no_clear_one():
    generated = definitions(PASSWORDS, SENDERS)
    assert {u["name"] for u in generated["users"]} == set(USERS)
    for user in generated["users"]:
        raw = base64.b64decode(user["password_hash"])
        password = PASSWORDS[user["name"]]
        assert hashlib.sha256(raw[:4] + password.encode()).digest() == raw[4:], user["name"]
        assert password not in json.dumps(generated)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The definitions a deployment generates, under a vhost and user names of this run, imported
    into the broker."""
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("needs rabbitmqctl on this machine to import definitions")
    run = uuid.uuid4().hex[:6]
    shipped = definitions(PASSWORDS, SENDERS)
    vhost = f"nghedan-deploy-{run}"
    renamed = {u: f"t{run}_{u}" for u in USERS}
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
        password = PASSWORDS[user]
        return f"amqp://{renamed[user]}:{password}@127.0.0.1:5672/{quote(vhost, safe='')}"

    # the services' table of who may send what, with this run's user names
    table = yaml.safe_load(SHIPPED_SENDERS.read_text(encoding="utf-8"))
    table["systems"] = {renamed[k]: v for k, v in table["systems"].items()}
    url.senders = tmp_path_factory.mktemp("senders") / "senders.yaml"  # type: ignore[attr-defined]
    url.senders.write_text(yaml.safe_dump(table), encoding="utf-8")  # type: ignore[attr-defined]
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


async def test_each_system_may_publish_only_the_commands_granted_to_it(loaded):
    await publish(loaded("mot_cua"), "nghedan.inbound", "intake.submit-issue.v1")
    await publish(loaded("van_phong"), "nghedan.inbound", "registration.create-session.v1")
    for user, key in (
        ("mot_cua", "registration.create-session.v1"),  # not granted to it
        ("van_phong", "intake.close-issue.v1"),  # the operator's only
        ("province", "intake.submit-issue.v1"),
    ):
        with pytest.raises(ChannelAccessRefused):
            await publish(loaded(user), "nghedan.inbound", key)
    with pytest.raises(ChannelAccessRefused):
        await publish(loaded("mot_cua"), "nghedan.events", "registration.session.planned.v1")
    await publish(loaded("operator"), "nghedan.inbound", "intake.close-issue.v1")


async def test_a_service_reads_only_the_exchanges_it_consumes_and_configures_none(loaded):
    connection = await aio_pika.connect(loaded("intake"))
    async with connection:
        channel = await connection.channel()
        with pytest.raises(ChannelAccessRefused):  # no configure on a shared exchange
            await channel.declare_exchange("nghedan.events", "topic", durable=True)
    connection = await aio_pika.connect(loaded("intake"))
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue("intake.events", passive=True)
        with pytest.raises(ChannelAccessRefused):  # intake consumes nothing of the province's
            await queue.bind("nghedan.provincial", "dialogue.#")


async def test_only_the_province_may_read_the_results(loaded):
    for user, allowed in (("province", True), ("mot_cua", False)):
        connection = await aio_pika.connect(loaded(user))
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(f"{user}.results-test", exclusive=True)
            if allowed:
                await queue.bind("nghedan.provincial", "dialogue.#")
            else:
                with pytest.raises(ChannelAccessRefused):
                    await queue.bind("nghedan.provincial", "dialogue.#")


async def test_the_registration_service_runs_under_its_own_restricted_user(loaded, infra):
    service = registration_service(
        infra,
        FixedClock(vn(2026, 9, 1)),
        AMQP_URL=loaded("registration"),
        DECLARE_TOPOLOGY="own",
        HEALTH_PORT=0,
        NGHEDAN_SENDERS=str(loaded.senders),
    )
    async with running(service), RawClient(loaded("van_phong")) as client:
        outcome = await client.send("registration.create-session.v1", session_data())
        assert outcome["status"] == "accepted"
        await settled(service)  # its events went out under its permissions
        assert await service.db.count_pending() == 0


def test_the_image_installs_the_lock_and_the_lock_satisfies_the_project():
    import tomllib

    from packaging.requirements import Requirement

    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "--require-hashes -r requirements.lock" in dockerfile
    locked = {}
    for line in (DEPLOY / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, version = line.split(" ")[0].split("==")
            locked[name.lower().replace("_", "-")] = version
    project = tomllib.loads((DEPLOY.parent / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"]:
        requirement = Requirement(spec)
        name = requirement.name.lower().replace("_", "-")
        assert name in locked, f"{name} is not in deploy/requirements.lock (make lock)"
        assert requirement.specifier.contains(locked[name]), f"{name}=={locked[name]}: {spec}"
