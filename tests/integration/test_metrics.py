"""Every service answers Prometheus at /metrics: messages handled, rejected and parked, handler
latency, outbox backlog, consumer lag, messages sent by channel — read by prometheus_client's
own parser, as Prometheus would."""

from __future__ import annotations

from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from shared.clock import FixedClock
from shared.health import health_app
from tests.helpers import (
    RawClient,
    delegate,
    notification_service,
    registration_service,
    running,
    session_data,
)
from tests.waits import settled
from tests.when import vn

NOW = vn(2026, 9, 1)


async def scrape(service: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    app = health_app(service.probe, service.spec.web, service.metrics)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://svc"
    ) as web:
        answer = await web.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_each_service_tells_prometheus_what_it_handled_and_how_far_behind_it_is(
    topology, purge_queues, own_db, tmp_path
):
    clock = FixedClock(NOW)
    registration = registration_service(topology, clock, MONGO_DB=own_db("registration"))
    notification = notification_service(
        topology, clock, MONGO_DB=own_db("notification"), NOTIFY_FILE_DIR=str(tmp_path)
    )
    commands = {"service": "registration", "queue": "registration.commands"}
    create = {**commands, "type": "registration.create-session.v1"}
    async with running(registration), running(notification), RawClient(topology.amqp_url) as c:
        before = await scrape(registration)
        sent_before = await scrape(notification)
        created = await c.send("registration.create-session.v1", session_data())
        again = await c.send(
            "registration.create-session.v1", session_data(), command_id=created["command_id"]
        )
        refused = await c.send("registration.create-session.v1", session_data(topics=["xyz"]))
        unreadable = await c.send("registration.create-session.v1", session_data(capacity_min=0))
        broken = await c.send("registration.create-session.v1", body=b"{not json")
        sid = created["result"]["session_id"]
        starts = vn(2026, 9, 25, 8, 0).isoformat()
        await c.send("registration.schedule-session.v1", {"session_id": sid, "starts_at": starts})
        await c.send("registration.register-delegate.v1", delegate(sid, 1))
        await settled(registration, notification)  # the invitation is written to a file
        sent = await scrape(notification)  # (counters are per process: compare, not read)
        after = await scrape(registration)

    statuses = [o["status"] for o in (created, again, refused, unreadable, broken)]
    assert statuses == ["accepted", "duplicate", "rejected", "rejected", "rejected"]

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("nghedan_messages_total", **create, result="accepted") == 1
    assert moved("nghedan_messages_total", **create, result="duplicate") == 1
    assert moved("nghedan_messages_total", **create, result="rejected") == 1
    # failing its schema, or not even JSON: answered rejected and kept in the dead-letter queue
    assert moved("nghedan_messages_total", **create, result="parked") == 1
    assert moved("nghedan_messages_total", **commands, type="unknown", result="parked") == 1
    assert moved("nghedan_handler_seconds_count", **commands) == 7
    assert value(after, "nghedan_up", service="registration", dependency="broker") == 1
    assert ("nghedan_outbox_pending", (("service", "registration"),)) in after
    assert value(after, "nghedan_queue_waiting", **commands) == 0
    assert ("nghedan_queue_oldest_unapplied_seconds", tuple(sorted(commands.items()))) in after
    delivered = {"channel": "file", "template": "delegate_invitation", "status": "delivered"}
    assert (
        value(sent, "nghedan_notification_messages_total", **delivered)
        - value(sent_before, "nghedan_notification_messages_total", **delivered)
        == 1
    )
    text = str(after) + str(sent)
    assert "Người Thử" not in text and sid not in text  # labels name kinds, never people or ids


async def test_the_admin_door_opens_only_to_the_operators_token(topology, purge_queues, own_db):
    from shared.crypto import new_key
    from shared.health import ADMIN_CLOSED, admin_token_of

    clock = FixedClock(NOW)
    guarded = notification_service(
        topology, clock, MONGO_DB=own_db("notification"), NGHEDAN_ADMIN_TOKEN="t" * 32
    )
    closed = notification_service(
        topology,
        clock,
        MONGO_DB=own_db("notification"),
        NGHEDAN_DEVELOPMENT="false",
        NGHEDAN_DATA_KEY=new_key(),
        NGHEDAN_LOOKUP_KEY=new_key(),
    )
    assert admin_token_of(closed.settings) == ""  # outside development, no token: closed

    async def call(service: Any, token: str | None) -> httpx.Response:
        app = health_app(
            service.probe,
            service.spec.web,
            service.metrics,
            service.spec.admin,
            admin_token_of(service.settings),
        )
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://svc"
        ) as web:
            return await web.get("/admin/messages/counts", headers=headers)

    async with running(guarded):
        without = await call(guarded, None)
        wrong = await call(guarded, "x" * 32)
        right = await call(guarded, "t" * 32)
    shut = await call(closed, "t" * 32)
    assert without.status_code == wrong.status_code == 401
    assert "NGHEDAN_ADMIN_TOKEN" in without.json()["error"]
    assert right.status_code == 200 and right.json()["in_flight"] == 0
    assert shut.status_code == 401 and shut.json()["error"] == ADMIN_CLOSED
