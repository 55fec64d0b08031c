"""SIGKILL reporting while events pour in: after restart its figures are right and rebuild alike."""

import asyncio
import signal

from pymongo import MongoClient

from tests.helpers import (
    RawClient,
    delegate,
    forget_leftover_outboxes,
    platform_for_tests,
    session_data,
)
from tests.waits import platform_settled, until

DELEGATES = 60


async def test_a_killed_reporting_service_counts_every_event_once(infra, home, purge_queues):
    from services.reporting.projection import compare_with_rebuild
    from shared.storage import Database, connect

    platform = platform_for_tests(infra, home)
    for name in ("registration", "reporting"):
        platform.start_service(name)
    platform.wait_healthy(60, ["registration", "reporting"])
    registered = "vn.nghedan.registration.delegate.registered.v1"
    try:
        async with RawClient(infra.amqp_url) as client:
            created = await client.send(
                "registration.create-session.v1", session_data(capacity_max=40)
            )
            sid = created["result"]["session_id"]
            ids = [
                await client.publish(
                    "registration.register-delegate.v1",
                    delegate(
                        sid, n, category="peoples_representative", village_code=f"T{n % 20 + 2:02d}"
                    ),
                )
                for n in range(1, DELEGATES + 1)
            ]
            with MongoClient(infra.mongo_url) as mongo:
                log = mongo[infra.db_name("reporting")]["event_log"]
                ours = {"type": registered, "subject": sid}

                async def a_quarter_logged() -> bool:
                    return log.count_documents(ours) >= DELEGATES // 4

                await until(a_quarter_logged, "a quarter of the registrations in reporting's log")
                platform.stop_service("reporting", signal.SIGKILL)
                before = log.count_documents({"type": registered, "subject": sid})
                platform.start_service("reporting")
                await asyncio.to_thread(platform.wait_healthy, 60, ["reporting"])
                outcomes = [await client.outcome(i, timeout=120) for i in ids]
                # a transaction that died with the process is reaped at 60 s: a longer stillness
                ports = {n: platform.health_ports[n] for n in ("registration", "reporting")}
                await platform_settled(ports, still=150)
                logged = list(log.find({"subject": sid}, {"id": 1}))
                figures = mongo[infra.db_name("reporting")]["r_figures"].find_one(
                    {"_id": f"session:{sid}"}
                )
    finally:
        platform.stop(stop_rabbit=False)
        forget_leftover_outboxes(infra)

    assert all(o["status"] == "accepted" for o in outcomes)
    assert DELEGATES // 4 <= before < DELEGATES
    assert len(logged) == len({r["id"] for r in logged})  # every event recorded once
    assert figures["c"]["total"] == {"confirmed": 40, "waiting": 20}
    client = connect(infra.mongo_url, app_name="tests")
    try:
        db = Database(client, infra.db_name("reporting"))
        replayed, differences = await compare_with_rebuild(db)
    finally:
        await client.close()
    assert replayed >= DELEGATES and differences == []
