"""The outbox relay on the real broker: committed events go out persistent, in order; aborted ones never."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from faststream.rabbit import RabbitBroker

from shared.clock import FixedClock
from shared.contracts.registration import SessionHeld
from shared.messaging.broker import make_broker
from shared.messaging.outbox import OutboxRelay, UnitOfWork
from shared.storage import Database, connect
from tests.helpers import EventSpy
from tests.when import vn


@pytest.fixture
async def parts(topology):
    client = connect(topology.mongo_url, app_name="tests")
    db = Database(client, topology.db_name(f"outbox_{uuid.uuid4().hex[:6]}"))
    await db.ensure_indexes()
    broker: RabbitBroker = make_broker(topology.amqp_url, service="tests", prefetch=10)
    await broker.connect()
    yield db, broker
    await broker.stop()
    await client.drop_database(db.db.name)
    await client.close()


def held(n: int) -> SessionHeld:
    return SessionHeld(session_id=f"S{n}", commune_code="TT", held_on=datetime(2026, 9, 25).date())


async def test_committed_events_are_published_persistent_in_order_with_their_ids(parts, topology):
    db, broker = parts
    clock = FixedClock(vn(2026, 9, 25))
    ids = []

    async def work(session):
        uow = UnitOfWork(db, session, "tests", clock, correlation_id="corr-1")
        ids.extend(uow.emit("registration.session.held.v1", held(n)) for n in range(5))
        await uow.flush()

    async with EventSpy(topology.amqp_url, "registration.session.held.v1") as spy:
        await db.transaction(work)
        assert await db.count_pending() == 5
        relay = OutboxRelay(db, broker)
        assert await relay.drain() == 5
        await spy.wait_for("registration.session.held.v1", 5)
    assert [m.message_id for m in spy.messages] == ids
    assert all(m.delivery_mode == 2 and m.correlation_id == "corr-1" for m in spy.messages)
    assert [e["data"]["session_id"] for e in spy.events] == [f"S{n}" for n in range(5)]
    assert await db.count_pending() == 0


async def _commit_held(db, count: int, *, lease_owner: str | None = None) -> list[str]:
    clock = FixedClock(vn(2026, 9, 25))
    ids: list[str] = []

    async def work(session):
        uow = UnitOfWork(db, session, "tests", clock, lease_owner=lease_owner)
        ids[:] = [uow.emit("registration.session.held.v1", held(n)) for n in range(count)]
        await uow.flush()
        return uow.rows

    rows = await db.transaction(work)
    return ids if lease_owner is None else (ids, rows)


async def test_leftovers_go_out_in_batches_with_confirms_in_flight_and_keep_their_order(
    parts, topology
):
    db, broker = parts
    ids = await _commit_held(db, 300)
    relay = OutboxRelay(db, broker, window=16)  # 19 claims, 16 confirms awaited at once
    async with EventSpy(topology.amqp_url, "registration.session.held.v1") as spy:
        assert await relay.drain() == 300
        await spy.wait_for("registration.session.held.v1", 300)
    assert [m.message_id for m in spy.messages] == ids
    assert await db.count_pending() == 0


async def test_a_transactions_rows_published_at_once_keep_their_order(parts, topology):
    db, broker = parts
    relay = OutboxRelay(db, broker, window=32)
    ids, rows = await _commit_held(db, 200, lease_owner=relay.owner)
    async with EventSpy(topology.amqp_url, "registration.session.held.v1") as spy:
        await relay.publish_now(rows)
        await spy.wait_for("registration.session.held.v1", 200)
    assert [m.message_id for m in spy.messages] == ids
    assert await db.count_pending() == 0


async def test_two_relays_draining_together_send_each_row_once(parts, topology):
    db, broker = parts
    ids = await _commit_held(db, 250)
    first, second = OutboxRelay(db, broker, window=8), OutboxRelay(db, broker, window=8)
    claim, met, both = db.claim_outgoing, set(), asyncio.Barrier(2)

    async def claim_side_by_side(lease, owner, limit):
        """Each relay's first claim waits for the other's: both hold rows at once, however the
        machine schedules them."""
        rows = await claim(lease, owner, limit)
        if owner not in met:
            met.add(owner)
            await both.wait()
        return rows

    db.claim_outgoing = claim_side_by_side
    async with EventSpy(topology.amqp_url, "registration.session.held.v1") as spy:
        counts = await asyncio.gather(first.drain(), second.drain())
        await spy.flush()  # every confirmed publish has arrived: a row sent twice would be here
    assert sum(counts) == 250 and all(counts), counts  # both took a share
    assert sorted(m.message_id for m in spy.messages) == sorted(ids)


async def test_an_aborted_transaction_publishes_nothing(parts):
    db, broker = parts

    async def work(session):
        uow = UnitOfWork(db, session, "tests", FixedClock(vn(2026, 9, 25)))
        uow.emit("registration.session.held.v1", held(1))
        await uow.flush()
        raise RuntimeError("the state change failed")

    with pytest.raises(RuntimeError):
        await db.transaction(work)
    assert await OutboxRelay(db, broker).drain() == 0


async def test_a_reply_to_a_vanished_queue_is_dropped_not_retried_forever(parts):
    db, broker = parts
    from shared.contracts.common import Outcome

    async def work(session):
        uow = UnitOfWork(db, session, "tests", FixedClock(vn(2026, 9, 25)))
        uow.reply(
            "amq.gen-no-such-queue", Outcome(command_id="c", command_type="t", status="accepted")
        )
        await uow.flush()

    await db.transaction(work)
    assert await OutboxRelay(db, broker).drain() == 1
    assert await db.count_pending() == 0


async def test_rows_leased_to_a_relay_that_died_are_sent_by_another_once_the_lease_runs_out(
    parts, topology
):
    db, broker = parts
    clock = FixedClock(vn(2026, 9, 25))

    async def work(session):
        uow = UnitOfWork(db, session, "tests", clock, lease_owner="a-relay-that-died")
        uow.emit("registration.session.held.v1", held(7))
        await uow.flush()

    await db.transaction(work)
    survivor = OutboxRelay(db, broker)
    assert await survivor.drain() == 0  # still leased: its writer may be publishing it right now
    await db.outbox.update_many({}, {"$set": {"lease_until": datetime.fromtimestamp(0, UTC)}})
    async with EventSpy(topology.amqp_url, "registration.session.held.v1") as spy:
        assert await survivor.drain() == 1
        (event,) = await spy.wait_for("registration.session.held.v1")
    assert event["data"]["session_id"] == "S7" and await db.count_pending() == 0


async def test_a_request_carrying_a_contact_rests_sealed_and_goes_out_clear_point_to_point(
    parts, topology
):
    from shared.contracts.notification import Recipient, SendNotification
    from tests.keys import cipher_of

    db, broker = parts
    cipher = cipher_of("tests")

    async def work(session):
        uow = UnitOfWork(db, session, "tests", FixedClock(vn(2026, 9, 25)), cipher=cipher)
        uow.emit(
            "notification.send.v1",
            SendNotification(
                cause_id="receipt:TT-2026-00001",
                template="issue_receipt",
                recipient=Recipient(name="Hà Thị Ba", phone="0988888888"),
                params={"tracking_code": "T"},
            ),
        )
        await uow.flush()

    await db.transaction(work)
    (row,) = await db.outbox.find().to_list(None)
    assert b"0988888888" not in bytes(row["body"]) and "Hà Thị Ba".encode() not in bytes(
        row["body"]
    )
    async with EventSpy(topology.amqp_url, "notification.#", exchange="nghedan.notify") as spy:
        assert await OutboxRelay(db, broker, cipher=cipher).drain() == 1
        (sent,) = await spy.wait_for("notification.send.v1")
    assert sent["data"]["recipient"]["phone"] == "0988888888"


async def test_a_result_for_the_province_that_no_province_has_subscribed_to_is_not_kept(
    parts, topology
):
    """nghedan.provincial is a broadcast to other systems: with no queue bound for a key, the row
    leaves the outbox (a province that binds later asks for a replay), where an unroutable
    domain event is kept and tried again."""
    from shared.contracts.reporting import FollowupUpdated
    from shared.contracts.schemagen import load_example

    db, broker = parts
    update = FollowupUpdated.model_validate(load_example("dialogue.followup.updated.v1")["data"])

    async def work(session):
        uow = UnitOfWork(db, session, "tests", FixedClock(vn(2026, 10, 28, 16)))
        uow.emit("dialogue.followup.updated.v1", update)
        await uow.flush()

    await db.transaction(work)
    relay = OutboxRelay(db, broker)
    assert await relay.drain() == 1 and relay.published == 1
    assert await db.count_pending() == 0


async def test_the_relay_outlives_a_publish_failed_with_cancelled_error_by_the_connection(
    parts, topology
):
    """aiormq fails a publish with CancelledError when the broker's connection resets; the relay's
    loop once ended there, and the rows it had released stayed unsent for good."""
    db, broker = parts
    ids = await _commit_held(db, 3)
    relay = OutboxRelay(db, broker, poll_seconds=0.1)
    publish, failures = broker.publish, []

    async def reset_once(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise asyncio.CancelledError("Server connection reset")
        return await publish(*args, **kwargs)

    broker.publish = reset_once
    async with EventSpy(topology.amqp_url, "registration.session.held.v1") as spy:
        relay.start()
        try:
            await spy.wait_for("registration.session.held.v1", 3)
        finally:
            alive = not relay._task.done()
            await relay.stop()
    assert failures and alive
    assert sorted(m.message_id for m in spy.messages) == sorted(ids)
