"""Bad input: every kind answered `rejected` where it can be, parked with its reason, nothing stops."""

import pytest

from deploy.cli.bus import list_dead_letters, replay_dead_letters
from shared.clock import FixedClock
from tests.helpers import RawClient, registration_service, running, session_data
from tests.waits import until
from tests.when import vn

NOW = vn(2026, 9, 1)


@pytest.fixture
async def client(topology, purge_queues):
    service = registration_service(
        topology, FixedClock(NOW), MAX_MESSAGE_BYTES=4096, MAX_ATTEMPTS=3
    )
    calls = []

    async def boom(command, ctx):
        calls.append(command.registration_code)
        raise RuntimeError("database exploded for 020085012345")

    service.spec.commands["registration.check-in.v1"] = boom
    async with running(service), RawClient(topology.amqp_url) as raw:
        raw.boom_calls = calls
        yield raw


async def wait_dead_letters(url: str, count: int) -> list[dict]:
    async def parked() -> list[dict] | None:
        letters = await list_dead_letters(url, "registration.commands")
        return letters if len(letters) >= count else None

    return await until(parked, f"{count} thư trong registration.commands.dlq")


async def test_each_kind_of_bad_message_is_answered_and_parked_and_the_consumer_goes_on(
    client, topology
):
    key = "registration.create-session.v1"
    cases = {
        "json": await client.publish(key, body=b"{not json", message_id="m-json"),
        "not_cloudevent": await client.publish(key, body=b"[1, 2]", message_id="m-list"),
        "missing": await client.publish(
            key, body=b'{"specversion": "1.0"}', message_id="m-missing"
        ),
        "unknown_type": await client.publish("registration.fly-to-moon.v1", {"x": 1}),
        "schema": await client.publish(key, {"kind": "weekly", "year": "soon"}),
        "oversized": await client.publish(key, session_data(reason="x" * 5000)),
    }
    outcomes = {name: await client.outcome(cid) for name, cid in cases.items()}
    assert all(o["status"] == "rejected" and o["errors"] for o in outcomes.values())
    assert (
        outcomes["json"]["command_id"] == "m-json"
        and outcomes["json"]["errors"][0]["code"] == "json"
    )
    assert outcomes["unknown_type"]["errors"][0]["code"] == "unknown_type"
    schema_fields = {e["field"] for e in outcomes["schema"]["errors"]}
    assert {"data.kind", "data.year", "data.venue", "data.period"} <= schema_fields
    assert outcomes["oversized"]["errors"][0]["code"] == "oversized"

    fine = await client.send(key, session_data())
    assert fine["status"] == "accepted"

    letters = await wait_dead_letters(topology.amqp_url, len(cases))
    by_id = {letter["message_id"]: letter for letter in letters}
    assert set(cases.values()) <= set(by_id)
    assert (
        "JSON" in by_id["m-json"]["reason"] and by_id["m-json"]["queue"] == "registration.commands"
    )
    assert "data.year" in by_id[cases["schema"]]["reason"]
    oversized = by_id[cases["oversized"]]  # kept as metadata: its size, not its 5 KB body
    assert oversized["size"] == 0 and oversized["body_dropped"] > 5000
    assert len(await list_dead_letters(topology.amqp_url, "registration.commands")) == len(letters)


async def test_more_bad_messages_than_the_prefetch_window_never_stop_the_consumer(client, topology):
    """Each parked message is taken off its queue: a window's worth of them (PREFETCH, 32) left
    unacknowledged once held the consumer still until the service restarted."""
    key = "registration.create-session.v1"
    bad = [await client.publish(key, body=b"{not json", message_id=f"m-{n}") for n in range(80)]
    good = await client.publish(key, session_data())
    assert (await client.outcome(good, timeout=60))["status"] == "accepted"
    outcomes = [await client.outcome(cid) for cid in bad]
    assert all(o["status"] == "rejected" for o in outcomes)
    letters = await wait_dead_letters(topology.amqp_url, 80)
    assert len(letters) == 80  # each parked once: none redelivered and parked again


async def test_a_binary_mode_command_is_accepted(client):
    outcome = await client.send("registration.create-session.v1", session_data(), binary=True)
    assert outcome["status"] == "accepted" and outcome["result"]["session_id"].startswith(
        "TT-2026-DK"
    )


async def test_a_failing_handler_is_retried_then_parked_with_its_reason_and_replayable(
    client, topology
):
    cid = await client.publish("registration.check-in.v1", {"registration_code": "TT-2026-DK1-001"})
    (letter,) = await wait_dead_letters(topology.amqp_url, 1)
    assert client.boom_calls == ["TT-2026-DK1-001"] * 3
    assert letter["message_id"] == cid and "3 lần thử" in letter["reason"]
    assert "020085012345" not in letter["reason"]
    assert not client.outcomes[cid].done()  # no outcome until it is really handled

    replayed = await replay_dead_letters(topology.amqp_url, "registration.commands", {cid})
    assert [r["message_id"] for r in replayed] == [cid]
    (again,) = await wait_dead_letters(topology.amqp_url, 1)
    assert again["replayed"] == 1 and len(client.boom_calls) == 6


async def test_an_outcome_goes_only_to_a_reply_queue_never_into_another_queue(client, topology):
    import json as jsonlib

    import aio_pika

    connection = await aio_pika.connect(topology.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.declare_queue("tests.someone-elses-queue", auto_delete=True)
        event = {
            "specversion": "1.0",
            "id": "reply-into-a-queue",
            "source": "/tests/other-system",
            "type": "vn.nghedan.registration.create-session.v1",
            "data": session_data(),
        }
        await (await channel.get_exchange("nghedan.inbound")).publish(
            aio_pika.Message(
                jsonlib.dumps(event).encode(),
                content_type="application/cloudevents+json",
                message_id="reply-into-a-queue",
                reply_to=target.name,
            ),
            routing_key="registration.create-session.v1",
        )
        letters = await wait_dead_letters(topology.amqp_url, 1)
        assert "reply_to" in letters[0]["reason"] and "amq.gen-" in letters[0]["reason"]
        assert (await target.declare()).message_count == 0  # nothing was written into it
    fine = await client.send("registration.create-session.v1", session_data())
    assert fine["status"] == "accepted"  # the client's own amq.gen- queue gets its outcome


async def test_every_queue_and_dead_letter_queue_is_bounded_and_refuses_past_its_limit(topology):
    import aio_pika

    from shared.messaging.topology import DEAD_LETTER_ARGUMENTS, DELAY_QUEUES, QUEUES, limits

    declared = [spec.arguments for spec in (*QUEUES, *DELAY_QUEUES)] + [DEAD_LETTER_ARGUMENTS]
    for arguments in declared:
        assert arguments["x-overflow"] == "reject-publish"
        assert arguments["x-max-length"] > 0 and arguments["x-max-length-bytes"] > 0
    connection = await aio_pika.connect(topology.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        for spec in QUEUES:  # the broker holds the queues with those arguments
            for name, arguments in (
                (spec.name, spec.arguments),
                (spec.dead_letter_queue, DEAD_LETTER_ARGUMENTS),
            ):
                await channel.declare_queue(name, durable=True, arguments=arguments)
        # what the limit does: a publish past it is refused (nack), nothing is dropped
        small = await channel.declare_queue(
            "tests.bounded",
            durable=True,
            arguments={"x-queue-type": "quorum", **limits(2, 1_000_000)},
        )
        refused = 0
        for n in range(6):
            try:
                await channel.default_exchange.publish(aio_pika.Message(b"%d" % n), small.name)
            except aio_pika.exceptions.DeliveryError:
                refused += 1
        kept = (await small.declare()).message_count
        # a quorum queue checks the limit before each publish, so it may hold one over it
        assert kept in (2, 3) and refused == 6 - kept
        await small.delete(if_unused=False, if_empty=False)


@pytest.mark.parametrize("mode", ["binary", "structured"])
async def test_a_system_using_the_official_cloudevents_sdk_is_understood_both_ways(
    client, topology, mode
):
    from cloudevents.core.bindings import rabbitmq
    from cloudevents.core.formats.json import JSONFormat
    from cloudevents.core.v1.event import CloudEvent as SdkEvent

    from tests.helpers import EventSpy

    command_id = f"sdk-{mode}-0001"
    sdk_event = SdkEvent(
        attributes={
            "id": command_id,
            "source": client.source,
            "type": "vn.nghedan.registration.create-session.v1",
            "datacontenttype": "application/json",
        },
        data=session_data(),
    )
    convert = rabbitmq.to_binary if mode == "binary" else rabbitmq.to_structured
    message = convert(sdk_event, JSONFormat())
    async with EventSpy(topology.amqp_url, "registration.session.planned.v1") as spy:
        outcome = await client.send(
            "registration.create-session.v1",
            command_id=command_id,
            body=message.body,
            content_type=message.content_type,
            headers=message.headers,
        )
        await spy.wait_for("registration.session.planned.v1")
    assert outcome["status"] == "accepted", outcome
    # and what the platform publishes, the SDK reads as a CloudEvent
    (received,) = spy.messages
    as_sdk = rabbitmq.from_rabbitmq(
        rabbitmq.RabbitMQMessage(
            headers={k: str(v) for k, v in (received.headers or {}).items()},
            content_type=received.content_type,
            body=received.body,
        ),
        JSONFormat(),
    )
    assert as_sdk.get_type() == "vn.nghedan.registration.session.planned.v1"
    assert as_sdk.get_data()["session_id"] == outcome["result"]["session_id"]
