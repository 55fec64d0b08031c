"""Who may send what, as the services check it: the broker-verified AMQP user_id of each command
against the senders table, with the sender part of the inbox key."""

from __future__ import annotations

import subprocess
import uuid
from urllib.parse import quote

import pytest
import yaml

from shared.clock import FixedClock
from tests.helpers import RawClient, registration_service, running, session_data
from tests.keys import PLANTED_DATA_KEY, PLANTED_LOOKUP_KEY
from tests.when import vn

NOW = vn(2026, 9, 1)


def _ctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@pytest.fixture
def two_systems(topology, tmp_path):
    """Two broker users of this run, each granted create-session, in a senders file of its own."""
    if topology.vhost is None:
        pytest.skip("needs the local broker's rabbitmqctl")
    run = uuid.uuid4().hex[:6]
    names = [f"t{run}_a", f"t{run}_b"]
    for name in names:
        _ctl("add_user", name, f"pw-{name}")
        _ctl("set_permissions", "-p", topology.vhost, name, ".*", ".*", ".*")
    table = {
        "operator_only": ["registration.cancel-session.v1"],
        "systems": {n: {"commands": ["registration.create-session.v1"]} for n in names},
    }
    path = tmp_path / "senders.yaml"
    path.write_text(yaml.safe_dump(table), encoding="utf-8")
    vhost = quote(topology.vhost, safe="")
    urls = [f"amqp://{n}:pw-{n}@127.0.0.1:5672/{vhost}" for n in names]
    yield path, urls
    for name in names:
        subprocess.run(["rabbitmqctl", "delete_user", name], check=False, capture_output=True)


async def test_a_command_counts_only_from_a_sender_allowed_to_send_it(
    topology, purge_queues, own_db, two_systems
):
    senders, (url_a, url_b) = two_systems
    service = registration_service(
        topology,
        FixedClock(NOW),
        MONGO_DB=own_db("registration"),
        NGHEDAN_SENDERS=str(senders),
        NGHEDAN_DEVELOPMENT=False,
        NGHEDAN_DATA_KEY=PLANTED_DATA_KEY,
        NGHEDAN_LOOKUP_KEY=PLANTED_LOOKUP_KEY,
    )
    async with running(service), RawClient(url_a) as a, RawClient(url_b) as b:
        first = await a.send("registration.create-session.v1", session_data(), command_id="same")
        # the same source and id from another system: not a duplicate of a's, and a's outcome
        # (its session) is not shown to it
        other = await b.send("registration.create-session.v1", session_data(), command_id="same")
        again = await b.send("registration.create-session.v1", session_data(), command_id="same")
        operator_only = await b.send(
            "registration.cancel-session.v1",
            {"session_id": first["result"]["session_id"], "reason": "thử"},
        )
        unnamed = await a.send("registration.create-session.v1", session_data(), anonymous=True)
        stored = await service.db["sessions"].count_documents({})
    assert first["status"] == "accepted" and other["status"] == "accepted"
    assert other["result"]["session_id"] != first["result"]["session_id"]
    assert again["status"] == "duplicate" and again["result"] == other["result"]
    assert operator_only["status"] == "rejected"
    assert operator_only["errors"][0]["code"] == "not_permitted"
    assert url_b.split("//")[1].split(":")[0] in operator_only["errors"][0]["message"]
    assert unnamed["status"] == "rejected" and unnamed["errors"][0]["field"] == "user_id"
    assert "user_id" in unnamed["errors"][0]["message"]
    assert stored == 2
