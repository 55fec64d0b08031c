"""Two registration instances on one queue and one database: places are never given twice."""

import asyncio

from shared.clock import FixedClock
from tests.helpers import RawClient, delegate, registration_service, running, session_data
from tests.when import vn

NOW = vn(2026, 9, 1)


async def test_thirty_registrations_racing_for_ten_places_confirm_exactly_ten(
    topology, purge_queues
):
    clock = FixedClock(NOW)
    first = registration_service(topology, clock, HEALTH_PORT=0)
    second = registration_service(topology, clock, HEALTH_PORT=0)
    async with running(first), running(second), RawClient(topology.amqp_url) as client:
        session = await client.send("registration.create-session.v1", session_data(capacity_max=10))
        session_id = session["result"]["session_id"]
        outcomes = await asyncio.gather(
            *(
                client.send(
                    "registration.register-delegate.v1", delegate(session_id, n), timeout=120
                )
                for n in range(1, 31)
            )
        )
        confirmed = await first.db["registrations"].count_documents(
            {"session_id": session_id, "status": "confirmed"}
        )
        doc = await first.db["sessions"].find_one({"_id": session_id})
    statuses = [o["result"]["status"] for o in outcomes]
    assert statuses.count("confirmed") == 10 and statuses.count("waiting") == 20
    codes = [o["result"]["registration_code"] for o in outcomes]
    assert len(set(codes)) == 30
    positions = sorted(
        o["result"]["waiting_position"] for o in outcomes if "waiting_position" in o["result"]
    )
    assert positions == list(range(1, 21))
    assert confirmed == 10
    assert doc["confirmed"] == 10 and doc["next_seq"] == 31
