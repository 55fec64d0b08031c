"""How far behind a consumer is, in its own words: what is waiting, what is in hand, how old the
oldest unapplied message is; reporting's refusals say it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from shared.clock import FixedClock
from tests.helpers import publish_cloud_events, reporting_service, running
from tests.when import vn, wall_now

SENT = wall_now() - timedelta(minutes=5)  # the lag is measured in real seconds


def held(n: int) -> tuple[str, dict]:
    return (
        "registration.session.held.v1",
        {
            "specversion": "1.0",
            "id": f"lag-{n}",
            "source": "/nghedan/registration",
            "type": "vn.nghedan.registration.session.held.v1",
            "time": SENT.isoformat(),
            "data": {
                "session_id": f"TT-2026-LAG{n}",
                "commune_code": "TT",
                "held_on": "2026-09-25",
            },
        },
    )


async def test_a_backlog_is_counted_down_to_zero_and_a_refusal_says_how_far_behind(
    topology, purge_queues, own_db
):
    await publish_cloud_events(topology.amqp_url, "nghedan.events", [held(n) for n in range(150)])
    service = reporting_service(topology, FixedClock(vn(2026, 10, 1)), MONGO_DB=own_db("reporting"))
    async with running(service):
        seen = []
        deadline = asyncio.get_running_loop().time() + 120
        while True:
            (events,) = [q for q in await service.lag() if q.queue == "reporting.events"]
            seen.append(events)
            if events.behind == 0:
                break
            assert asyncio.get_running_loop().time() < deadline, events
            await asyncio.sleep(0.05)
        refusal = await service.spec.commands["reporting.issue-results.v1"].args[0].results.behind()
        recorded = await service.db["event_log"].count_documents({})
    behind = [q for q in seen if q.behind]
    assert behind and behind[0].behind > 50, seen[:3]  # the backlog was seen, then applied
    assert max(q.oldest_seconds for q in behind) >= 290  # sent five minutes before
    assert "còn" in behind[0].said() and "giây" in behind[0].said()
    assert "reporting.events: đã áp dụng hết" in refusal
    assert recorded == 150
