"""The kit's command client (what the office's pages will send with), on the real broker with a
real intake service: an outcome in words, the same command sent again answered with its first
outcome and done once, a refusal field by field, and no answer in time said as pending."""

from __future__ import annotations

import uuid

import pytest

from shared.clock import FixedClock
from shared.messaging.commands import CommandClient, CommandPending
from tests.helpers import intake_service, running
from tests.when import vn

NOW = vn(2026, 9, 1)


def submission(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "recommendation",
        "channel": "village_head",
        "village_code": "LL",
        "content": "Đề nghị xã sửa đèn đường thôn Lạc Lâm",
        "received_at": NOW.isoformat(),
    }
    return data | overrides


@pytest.fixture
async def intake(topology, purge_queues, own_db):
    service = intake_service(topology, FixedClock(NOW), MONGO_DB=own_db("intake"))
    async with running(service) as svc:
        yield svc


async def test_a_command_sent_twice_is_done_once_and_answered_with_its_first_outcome(
    intake, topology
):
    client = CommandClient(topology.amqp_url, "/nghedan/office")
    try:
        command_id = str(uuid.uuid4())  # made when the form was drawn
        first = await client.send(
            "intake.submit-issue.v1", submission(), command_id=command_id, at=NOW
        )
        again = await client.send(
            "intake.submit-issue.v1", submission(), command_id=command_id, at=NOW
        )
        refused = await client.send(
            "intake.submit-issue.v1",
            submission(village_code="ZZ"),
            command_id=str(uuid.uuid4()),
            at=NOW,
        )
    finally:
        await client.close()
    assert first.status == "accepted" and again.status == "duplicate"
    assert again.result == first.result and again.command_id == command_id
    assert await intake.db["issues"].count_documents({}) == 1
    assert refused.status == "rejected"
    assert [e.field for e in refused.errors] == ["data.village_code"]


async def test_no_outcome_in_time_is_pending_and_sending_it_again_says_how_it_ended(
    topology, purge_queues, own_db
):
    client = CommandClient(topology.amqp_url, "/nghedan/office")
    command_id = str(uuid.uuid4())
    try:
        with pytest.raises(CommandPending):  # nobody consumes intake's commands yet
            await client.send(
                "intake.submit-issue.v1", submission(), command_id=command_id, at=NOW, timeout=1
            )
        service = intake_service(topology, FixedClock(NOW), MONGO_DB=own_db("intake"))
        async with running(service) as svc:
            again = await client.send(
                "intake.submit-issue.v1", submission(), command_id=command_id, at=NOW
            )
            stored = await svc.db["issues"].count_documents({})
    finally:
        await client.close()
    # the first sending waited in the queue and was applied; the second is its duplicate
    assert again.status in ("accepted", "duplicate") and stored == 1
