"""Events tied to their publisher: each service runs as its own broker user, and each user forges
the others' events — through the exchange that carries them and straight into a queue through
the default exchange, which every service user may write and the broker cannot limit by routing
key. Every consumer that receives a forgery parks it with the reason; the owner's own event of
the same kind goes through; and a dead letter whose headers claim another sender is not believed
when replayed."""

from __future__ import annotations

import json
import subprocess
import uuid
from contextlib import AsyncExitStack
from typing import Any
from urllib.parse import quote

import aio_pika
import pytest

from deploy.cli.bus import list_dead_letters, replay_dead_letters
from shared.clock import FixedClock
from shared.messaging.headers import ORIGIN, SENDER
from tests.helpers import (
    intake_service,
    notification_service,
    registration_service,
    reporting_service,
    running,
)
from tests.integration.test_poison import _good_events, envelope
from tests.keys import PLANTED_DATA_KEY, PLANTED_LOOKUP_KEY
from tests.waits import settled
from tests.when import vn

NOW = vn(2026, 9, 1)
SERVICES = ("registration", "intake", "notification", "reporting")
EXCHANGE = {
    "registration.session.planned.v1": "nghedan.events",
    "registration.session.scheduled.v1": "nghedan.events",
    "intake.issue.received.v1": "nghedan.events",
    "intake.adhoc-request.threshold-reached.v1": "nghedan.events",
    "dialogue.results.published.v1": "nghedan.provincial",
    "notification.send.v1": "nghedan.notify",
    "notification.deliver.v1": "nghedan.notify",
}
# Each service's user forges one message of each other service, and names a queue that takes it.
FORGERIES = {
    "registration": [
        ("intake.adhoc-request.threshold-reached.v1", "registration.events"),
        ("dialogue.results.published.v1", "registration.results"),
        ("notification.deliver.v1", "notification.deliveries"),
    ],
    "intake": [
        ("registration.session.scheduled.v1", "intake.events"),
        ("dialogue.results.published.v1", "registration.results"),
        ("notification.deliver.v1", "notification.deliveries"),
    ],
    "notification": [
        ("registration.session.planned.v1", "intake.events"),
        ("intake.issue.received.v1", "reporting.events"),
        ("dialogue.results.published.v1", "registration.results"),
    ],
    "reporting": [
        ("registration.session.scheduled.v1", "notification.events"),
        ("intake.adhoc-request.threshold-reached.v1", "registration.events"),
        ("notification.send.v1", "notification.requests"),
    ],
}


def _ctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@pytest.fixture
def service_users(topology):
    """One broker user per service, named for this run, each allowed everything in the test's
    vhost: the worst case, a compromised service whose broker permissions stop nothing."""
    if topology.vhost is None:
        pytest.skip("needs the local broker's rabbitmqctl")
    run = uuid.uuid4().hex[:6]
    names = {s: f"t{run}_{s}" for s in SERVICES}
    for name in names.values():
        _ctl("add_user", name, f"pw-{name}")
        _ctl("set_permissions", "-p", topology.vhost, name, ".*", ".*", ".*")
    vhost = quote(topology.vhost, safe="")
    urls = {s: f"amqp://{n}:pw-{n}@127.0.0.1:5672/{vhost}" for s, n in names.items()}
    yield names, urls
    for name in names.values():
        subprocess.run(["rabbitmqctl", "delete_user", name], check=False, capture_output=True)


async def send(url: str, key: str, *, queue: str | None = None) -> str:
    """One valid `key` event as this user: on its exchange, or into `queue` directly."""
    body = (
        envelope(key, _good_events()[key])
        if key != "notification.deliver.v1"
        else envelope(key, {"message_id": f"m-{uuid.uuid4().hex[:30]}"})
    )
    event = json.dumps(body, ensure_ascii=False).encode()
    user = url.split("//", 1)[1].split(":", 1)[0]
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = channel.default_exchange if queue else await channel.get_exchange(EXCHANGE[key])
        await exchange.publish(
            aio_pika.Message(
                event,
                content_type="application/cloudevents+json",
                message_id=body["id"],
                user_id=user,  # the broker checks it: the forger's own name
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=queue or key,
        )
    return str(body["id"])


async def test_each_service_user_forging_anothers_event_is_parked_with_the_reason(
    topology, purge_queues, own_db, service_users
):
    names, urls = service_users
    strict = {
        "NGHEDAN_DEVELOPMENT": False,
        "NGHEDAN_DATA_KEY": PLANTED_DATA_KEY,
        "NGHEDAN_LOOKUP_KEY": PLANTED_LOOKUP_KEY,
        "NGHEDAN_SERVICE_USERS": ",".join(f"{s}={n}" for s, n in names.items()),
        "MAX_ATTEMPTS": 3,
    }
    clock = FixedClock(NOW)
    makers = {
        "registration": registration_service,
        "intake": intake_service,
        "notification": notification_service,
        "reporting": reporting_service,
    }
    services = [
        makers[s](topology, clock, AMQP_URL=urls[s], MONGO_DB=own_db(s), **strict) for s in SERVICES
    ]
    forged: dict[str, str] = {}  # message id -> how it was forged
    async with AsyncExitStack() as stack:
        for service in services:
            await stack.enter_async_context(running(service))
        for forger, targets in FORGERIES.items():
            for key, queue in targets:
                on_exchange = await send(urls[forger], key)
                direct = await send(urls[forger], key, queue=queue)
                forged[on_exchange] = f"{forger} → {key} on its exchange"
                forged[direct] = f"{forger} → {key} straight into {queue}"
        owned = await send(urls["registration"], "registration.session.planned.v1")
        await settled(*services)
    letters = await list_dead_letters(topology.amqp_url)

    by_id: dict[str, list[dict[str, Any]]] = {}
    for letter in letters:
        by_id.setdefault(letter["message_id"], []).append(letter)
    missing = [how for mid, how in forged.items() if mid not in by_id]
    assert not missing, f"forgeries nobody parked: {missing}"
    for mid, how in forged.items():
        for letter in by_id[mid]:
            assert "thông điệp giả" in letter["reason"] or "sàn" in letter["reason"], (how, letter)
    assert any("thông điệp giả" in x["reason"] for x in letters)  # the user check itself
    assert any("mặc định" in x["reason"] for x in letters)  # the default exchange's route
    assert owned not in by_id  # the owner's own event of the same kind went through


async def test_a_replayed_letter_is_believed_only_as_its_service_sealed_it(
    topology, purge_queues, own_db
):
    """A message parked with a header claiming another sender, then replayed by the operator:
    the claim is not believed (the letter's origin, sealed by the service, is)."""
    clock = FixedClock(NOW)
    service = reporting_service(topology, clock, MONGO_DB=own_db("reporting"), MAX_ATTEMPTS=3)
    async with running(service):
        connection = await aio_pika.connect(topology.amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            dlq = await channel.declare_queue("reporting.events.dlq", passive=True)
            good = _good_events()["intake.issue.received.v1"]
            event = json.dumps(envelope("intake.issue.received.v1", good)).encode()
            # Planted straight into the dead-letter queue, dressed as a letter from intake.
            await channel.default_exchange.publish(
                aio_pika.Message(
                    event,
                    content_type="application/cloudevents+json",
                    message_id="planted-1",
                    headers={
                        SENDER: "intake",
                        "x-nghedan-queue": "reporting.events",
                        "x-nghedan-exchange": "nghedan.events",
                        "x-nghedan-routing-key": "intake.issue.received.v1",
                        ORIGIN: "AW5vdC1zZWFsZWQtYnktcmVwb3J0aW5n",  # not sealed by reporting
                    },
                ),
                routing_key=dlq.name,
            )
        await replay_dead_letters(topology.amqp_url, "reporting.events")
        await settled(service)
    (letter,) = [
        x for x in await list_dead_letters(topology.amqp_url) if x["message_id"] == "planted-1"
    ]
    assert letter["replayed"] == 1
    assert (
        "sàn" in letter["reason"]
    )  # believed as what it was: the operator's, by the default exchange
