"""SIGKILL the registration service in the middle of a stream of commands: each applied exactly once."""

import asyncio
import signal
from collections import Counter
from datetime import timedelta

import pytest
from pymongo import MongoClient

from shared.clock import write_clock_file
from tests.helpers import (
    EventSpy,
    RawClient,
    delegate,
    forget_leftover_outboxes,
    platform_for_tests,
    session_data,
)
from tests.waits import platform_settled

COMMANDS = 80


@pytest.fixture
def platform(infra, home):
    platform = platform_for_tests(infra, home)
    write_clock_file(platform.clock_file, offset=timedelta(0))
    platform.start_services()
    yield platform
    platform.stop(stop_rabbit=False)
    forget_leftover_outboxes(infra)


async def test_a_killed_registration_service_applies_every_command_once_after_restart(
    platform, infra, purge_queues
):
    async with RawClient(infra.amqp_url) as client, EventSpy(infra.amqp_url) as spy:
        created = await client.send("registration.create-session.v1", session_data(capacity_max=50))
        session_id = created["result"]["session_id"]
        ids = [
            await client.publish("registration.register-delegate.v1", delegate(session_id, n))
            for n in range(1, COMMANDS + 1)
        ]
        await asyncio.wait([client.outcomes[i] for i in ids[: COMMANDS // 4]])
        platform.stop_service("registration", signal.SIGKILL)
        answered_before_kill = sum(client.outcomes[i].done() for i in ids)
        platform.start_service("registration")
        platform.wait_healthy(60, ["registration"])
        outcomes = [await client.outcome(i, timeout=120) for i in ids]
        await platform_settled(platform.health_ports)  # an event published twice has gone out
        await spy.flush()  # and has arrived, to be counted below

    assert COMMANDS // 4 <= answered_before_kill < COMMANDS
    statuses = Counter(
        o["status"] if o["status"] != "duplicate" else f"dup-{o['first_status']}" for o in outcomes
    )
    assert set(statuses) <= {"accepted", "dup-accepted"}, statuses
    codes = [o["result"]["registration_code"] for o in outcomes]
    assert len(set(codes)) == COMMANDS
    assert Counter(o["result"]["status"] for o in outcomes) == {"confirmed": 50, "waiting": 30}

    events = spy.of_type("registration.delegate.registered.v1")
    assert len({e["id"] for e in events}) == COMMANDS  # a re-published event keeps its id
    assert sorted({e["data"]["registration_code"] for e in events}) == sorted(codes)
    with MongoClient(infra.mongo_url) as mongo:
        registrations = mongo[infra.db_name("registration")]["registrations"]
        assert registrations.count_documents({"session_id": session_id}) == COMMANDS
        session = mongo[infra.db_name("registration")]["sessions"].find_one({"_id": session_id})
        assert session["confirmed"] == 50 and session["next_seq"] == COMMANDS + 1
        event_log = mongo[infra.db_name("reporting")]["event_log"]
        wanted = {"subject": session_id, "type": "vn.nghedan.registration.delegate.registered.v1"}
        assert event_log.count_documents(wanted) == COMMANDS  # its inbox took each event once
