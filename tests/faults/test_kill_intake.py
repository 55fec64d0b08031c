"""SIGKILL the intake service in the middle of a stream of submissions: each received exactly once,
with tracking codes that have neither gaps nor repeats."""

import asyncio
import signal
from collections import Counter

import pytest
from bson import json_util
from pymongo import MongoClient

from shared.clock import write_clock_file
from tests.helpers import EventSpy, RawClient, forget_leftover_outboxes, platform_for_tests
from tests.waits import platform_settled
from tests.when import vn

SUBMISSIONS = 40


@pytest.fixture
def platform(infra, home):
    platform = platform_for_tests(infra, home)
    write_clock_file(platform.clock_file, frozen_at=vn(2029, 4, 1))  # a fresh year
    platform.start_services()
    yield platform
    platform.stop(stop_rabbit=False)
    forget_leftover_outboxes(infra)


async def test_a_killed_intake_service_receives_every_submission_once_after_restart(
    platform, infra, purge_queues
):
    async with (
        RawClient(infra.amqp_url) as client,
        EventSpy(infra.amqp_url, "intake.issue.received.v1") as spy,
    ):
        ids = [
            await client.publish(
                "intake.submit-issue.v1",
                {
                    "kind": "feedback",
                    "channel": "hotline",
                    "village_code": "T03",
                    "content": f"Phản ánh số {n}: cột điện nghiêng ở xóm {n}",
                    "received_at": "2029-03-30T08:00:00+07:00",
                    "submitter": {"full_name": f"Người Gọi {n}", "phone": f"09{n:08d}"},
                },
            )
            for n in range(SUBMISSIONS)
        ]
        await asyncio.wait([client.outcomes[i] for i in ids[: SUBMISSIONS // 4]])
        platform.stop_service("intake", signal.SIGKILL)
        platform.start_service("intake")
        platform.wait_healthy(60, ["intake"])
        outcomes = [await client.outcome(i, timeout=120) for i in ids]
        await platform_settled(platform.health_ports)  # receipts sent, a twice-published event out
        await spy.flush()
    assert set(Counter(o["status"] for o in outcomes)) <= {"accepted", "duplicate"}
    codes = sorted(o["result"]["tracking_code"] for o in outcomes)
    assert codes == [f"TT-2029-{n:05d}" for n in range(1, SUBMISSIONS + 1)]
    assert len({e["id"] for e in spy.events}) == SUBMISSIONS
    with MongoClient(infra.mongo_url) as mongo:
        issues = mongo[infra.db_name("intake")]["issues"]
        assert issues.count_documents({"_id": {"$regex": "^TT-2029-"}}) == SUBMISSIONS
        requests = mongo[infra.db_name("notification")]["messages"]
        receipts = {"cause_id": {"$regex": "^receipt:TT-2029-"}}
        assert requests.count_documents(receipts) == SUBMISSIONS
        assert requests.count_documents(receipts | {"status": "delivered"}) == SUBMISSIONS
        dumped = json_util.dumps(list(requests.find())) + json_util.dumps(list(issues.find()))
        assert not [n for n in range(SUBMISSIONS) if f"09{n:08d}" in dumped]  # contacts rest sealed
