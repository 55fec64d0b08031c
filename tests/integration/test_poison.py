"""Poison, generated: hypothesis throws malformed bodies, wrong types, huge fields, bad unicode,
missing CloudEvents attributes, unknown types and wrong content types at every queue of the four
services. Each one is parked once with its reason (a command's sender also hears `rejected`), the
good message sent after each batch goes through, and no consumer stops; the parked letters are
listed and replayed as an operator would."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from contextlib import AsyncExitStack
from typing import Any

import aio_pika
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploy.cli.bus import list_dead_letters, replay_dead_letters
from shared.clock import FixedClock
from tests.helpers import (
    intake_service,
    notification_service,
    registration_service,
    reporting_service,
    running,
)
from tests.waits import settled
from tests.when import vn

NOW = vn(2026, 9, 1)
USER = "guest"  # the test broker's user: what a command's user_id must say
MAX_BYTES = 16_384  # a smaller limit than the default, so "huge" stays quick
STATS: Counter[str] = Counter()  # what was thrown, by kind (printed, and kept for the README)

# Every queue a service consumes, with a routing key that reaches it from its exchange.
TARGETS = {
    "registration.commands": ("nghedan.inbound", "registration.create-session.v1"),
    "registration.events": ("nghedan.events", "intake.adhoc-request.threshold-reached.v1"),
    "registration.results": ("nghedan.provincial", "dialogue.results.published.v1"),
    "intake.commands": ("nghedan.inbound", "intake.submit-issue.v1"),
    "intake.events": ("nghedan.events", "registration.session.planned.v1"),
    "notification.requests": ("nghedan.notify", "notification.send.v1"),
    "notification.events": ("nghedan.events", "registration.session.scheduled.v1"),
    "notification.commands": ("nghedan.inbound", "notification.set-preference.v1"),
    "notification.deliveries": ("nghedan.notify", "notification.deliver.v1"),
    "reporting.commands": ("nghedan.inbound", "reporting.replay-results.v1"),
    "reporting.events": ("nghedan.events", "intake.issue.received.v1"),
}


def envelope(kind: str, data: Any = None, **drop_or_change: Any) -> dict[str, Any]:
    event = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "/tests/poison",
        "type": f"vn.nghedan.{kind}",
        "datacontenttype": "application/json",
        "data": data if data is not None else {},
    }
    for name, value in drop_or_change.items():
        if value is None:
            event.pop(name, None)
        else:
            event[name] = value
    return event


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def bad_message(draw: st.DrawFn, key: str) -> tuple[str, bytes, str | None]:
    """(what kind of bad it is, the body, the content type)."""
    kind = draw(
        st.sampled_from(
            [
                "bytes",
                "bad-unicode",
                "not-an-object",
                "missing-attribute",
                "unknown-type",
                "wrong-types",
                "huge",
                "content-type",
            ]
        )
    )
    structured = "application/cloudevents+json"
    if kind == "bytes":
        body = draw(st.binary(min_size=1, max_size=200).filter(lambda b: not _parses(b)))
        return kind, body, structured
    if kind == "bad-unicode":
        good = json.dumps(envelope(key)).encode()
        junk = draw(st.sampled_from([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"]))
        return kind, good[:20] + junk + good[20:], structured
    if kind == "not-an-object":
        value = draw(st.lists(JSON_VALUES, max_size=3) | st.text(max_size=30) | st.integers())
        return kind, json.dumps(value).encode(), structured
    if kind == "missing-attribute":
        missing = draw(st.sampled_from(["id", "source", "specversion", "type"]))
        return kind, json.dumps(envelope(key, **{missing: None})).encode(), structured
    if kind == "unknown-type":
        name = draw(st.from_regex(r"[a-z]{3,10}\.[a-z]{3,10}", fullmatch=True))
        return kind, json.dumps(envelope(f"{name}.v9")).encode(), structured
    if kind == "wrong-types":
        data = draw(
            st.dictionaries(
                st.sampled_from(
                    ["session_id", "kind", "content", "cause_id", "tracking_code", "year"]
                ),
                st.integers() | st.lists(st.integers(), max_size=2) | st.booleans(),
                min_size=1,
                max_size=4,
            )
        )
        return kind, json.dumps(envelope(key, data)).encode(), structured
    if kind == "huge":
        data = {"content": "ắ" * draw(st.integers(MAX_BYTES // 2, MAX_BYTES * 2))}
        return kind, json.dumps(envelope(key, data), ensure_ascii=False).encode(), structured
    wrong = draw(
        st.sampled_from(
            ["text/plain", "application/xml", "image/png", "application/x-www-form-urlencoded"]
        )
    )
    return kind, draw(st.binary(min_size=1, max_size=50)), wrong


def _parses(body: bytes) -> bool:
    try:
        return isinstance(json.loads(body), dict)
    except ValueError:
        return False


def good_message(queue: str) -> dict[str, Any]:
    """A message the queue's consumer takes (an effect is checked by the queue emptying and
    nothing of it parked)."""
    if queue == "registration.commands":
        return envelope(
            "registration.create-session.v1",
            {
                "kind": "periodic",
                "year": 2026,
                "period": "2026-Q3",
                "venue": "Nhà văn hoá",
                "capacity_min": 1,
                "capacity_max": 50,
            },
        )
    if queue == "notification.commands":
        return envelope(
            "notification.set-preference.v1", {"contact": "0912345678", "opt_out": False}
        )
    if queue == "reporting.commands":
        return envelope("reporting.replay-results.v1", {"period": "2026"})
    if queue == "notification.deliveries":
        return envelope("notification.deliver.v1", {"message_id": f"m-{uuid.uuid4().hex[:30]}"})
    if queue == "intake.commands":
        return envelope(
            "intake.submit-issue.v1",
            {
                "kind": "feedback",
                "channel": "village_head",
                "content": "Đường thôn hỏng",
                "village_code": "LL",
                "received_at": NOW.isoformat(),
            },
        )
    _exchange, key = TARGETS[queue]
    return envelope(key, _good_events()[key])


def _good_events() -> dict[str, dict[str, Any]]:
    """One valid event for each events queue, built with the contract's own models."""
    from shared.contracts import intake as i
    from shared.contracts import notification as n
    from shared.contracts import registration as r
    from shared.contracts.schemagen import load_example

    def unique() -> str:
        return uuid.uuid4().hex[:8]

    common = {
        "commune_code": "TT",
        "kind": "periodic",
        "venue": "Nhà văn hoá",
        "format": "in_person",
    }
    models = {
        "intake.adhoc-request.threshold-reached.v1": lambda: i.AdhocThresholdReached(
            request_code=f"YC-{unique()}",
            signatures=1001,
            voter_count=10_000,
            threshold=1000,
            reached_at=NOW,
        ),
        "registration.session.planned.v1": lambda: r.SessionPlanned(
            session_id=f"TT-{unique()}",
            year=2026,
            period="2026-Q3",
            title="Hội nghị",
            capacity_min=1,
            capacity_max=50,
            topics=[],
            representatives_per_village=1,
            sittings=[],
            **common,
        ),
        "registration.session.scheduled.v1": lambda: r.SessionScheduled(
            session_id=f"TT-{unique()}",
            starts_at=NOW,
            sittings=[],
            announce_deadline=NOW.date(),
            **common,
        ),
        "intake.issue.received.v1": lambda: i.IssueReceived(
            tracking_code=f"TT-2026-{unique()}",
            kind="feedback",
            handled_as="feedback",
            channel="village_head",
            village_code="LL",
            received_at=NOW,
            anonymous=True,
        ),
        "notification.send.v1": lambda: n.SendNotification(
            cause_id=f"poison-good:{unique()}",
            template="issue_receipt",
            recipient=n.Recipient(name="Người nhận", phone="0912345678"),
            params={"tracking_code": "TT-2026-00001", "received_on": "01/09/2026"},
        ),
    }
    built = {key: make().model_dump(mode="json") for key, make in models.items()}
    built["dialogue.results.published.v1"] = load_example("dialogue.results.published.v1")["data"]
    return built


@pytest.fixture
async def platform(topology, purge_queues, own_db):
    clock = FixedClock(NOW)
    limits = {"MAX_MESSAGE_BYTES": MAX_BYTES, "MAX_ATTEMPTS": 3}
    services = [
        registration_service(topology, clock, MONGO_DB=own_db("registration"), **limits),
        intake_service(topology, clock, MONGO_DB=own_db("intake"), **limits),
        notification_service(topology, clock, MONGO_DB=own_db("notification"), **limits),
        reporting_service(topology, clock, MONGO_DB=own_db("reporting"), **limits),
    ]
    async with AsyncExitStack() as stack:
        for service in services:
            await stack.enter_async_context(running(service))
        connection = await aio_pika.connect(topology.amqp_url)
        stack.push_async_callback(connection.close)
        channel = await connection.channel(publisher_confirms=True)
        yield topology, channel, services
    # With the services stopped, a message delivered and never acknowledged is back in its
    # queue: none may be (a consumer that holds them still has stopped, in effect).
    async with await aio_pika.connect(topology.amqp_url) as connection:
        channel = await connection.channel()
        left = {queue: await depth(channel, queue) for queue in TARGETS}
    assert not any(left.values()), f"left unacknowledged: {left}"


async def depth(channel: aio_pika.abc.AbstractChannel, name: str) -> int:
    return (await channel.declare_queue(name, passive=True)).declaration_result.message_count


async def publish(
    channel, queue: str, body: bytes, content_type: str | None, message_id: str
) -> None:
    exchange_name, key = TARGETS[queue]
    exchange = (
        await channel.get_exchange(exchange_name) if exchange_name else channel.default_exchange
    )
    message = aio_pika.Message(
        body,
        content_type=content_type,
        message_id=message_id,
        user_id=USER,  # the test broker's one user, in every sender's place
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
    await exchange.publish(message, routing_key=key)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_garbage_at_every_queue_is_parked_with_a_reason_and_the_good_goes_through(
    platform, data
):
    topology, channel, services = platform
    queue = data.draw(st.sampled_from(sorted(TARGETS)), label="queue")
    _exchange, key = TARGETS[queue]
    batch = data.draw(st.lists(bad_message(key), min_size=3, max_size=8), label="bad messages")
    ids = []
    for kind, body, content_type in batch:
        STATS[kind] += 1
        ids.append(f"poison-{uuid.uuid4()}")
        await publish(channel, queue, body, content_type, ids[-1])
    good = good_message(queue)
    body = json.dumps(good, ensure_ascii=False).encode()
    await publish(channel, queue, body, "application/cloudevents+json", good["id"])

    # Every delivery settled (acknowledged after its letter was parked), not merely off the
    # queue's ready count: a queue reads 0 while its consumer still holds the messages. Letters
    # are counted by id, not by the dead-letter queue's depth: a listing of the previous example
    # puts its letters back when its channel closes, and the broker may not have counted them yet.
    await settled(*services)
    letters = await list_dead_letters(topology.amqp_url, queue, limit=10_000)
    ours = [x for x in letters if x["message_id"] in ids]

    assert sorted(x["message_id"] for x in ours) == sorted(ids)  # each parked once
    assert all(x["reason"] for x in ours), ours
    assert good["id"] not in {x["message_id"] for x in letters}  # the good one went through
    assert await depth(channel, queue) == 0
    consumers = (await channel.declare_queue(queue, passive=True)).declaration_result.consumer_count
    assert consumers >= 1  # no consumer stopped
    assert all(p.queue.name for s in services for p in s.pipelines)


async def test_parked_poison_is_listed_and_replayed_and_parked_again_not_lost(platform):
    topology, channel, services = platform
    queue = "reporting.events"
    await publish(channel, queue, b"{broken", "application/cloudevents+json", "poison-replay")
    await settled(*services)
    letters = await list_dead_letters(topology.amqp_url, queue)
    assert [x["message_id"] for x in letters].count("poison-replay") == 1
    replayed = await replay_dead_letters(topology.amqp_url, queue, ids={"poison-replay"})
    assert len(replayed) == 1
    await settled(*services)
    again = [
        x
        for x in await list_dead_letters(topology.amqp_url, queue)
        if x["message_id"] == "poison-replay"
    ]
    assert len(again) == 1 and again[0]["replayed"] == 1  # still poison: parked again, counted


def test_zz_print_what_was_thrown():
    """The bad inputs tried, by kind (the fault figures' `bad inputs tried`)."""
    print("bad inputs tried:", sum(STATS.values()), dict(sorted(STATS.items())))
