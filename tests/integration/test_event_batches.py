"""Events applied in batches: one transaction for many, each once, a duplicate acknowledged, a
poison message retried and parked alone while the rest of its batch goes through."""

from __future__ import annotations

from deploy.cli.bus import list_dead_letters
from shared.clock import FixedClock
from shared.messaging.handling import ANY_EVENT
from tests.helpers import publish_cloud_events, reporting_service, running
from tests.waits import settled
from tests.when import vn

KEY = "registration.delegate.registered.v1"


def registered(n: int, event_id: str | None = None) -> tuple[str, dict]:
    return (
        KEY,
        {
            "specversion": "1.0",
            "id": event_id or f"batch-{n}",
            "source": "/nghedan/registration",
            "type": f"vn.nghedan.{KEY}",
            "data": {
                "session_id": "TT-2026-BATCH",
                "registration_code": f"TT-2026-BATCH-{n:03d}-AAAAA",
                "village_code": "LL",
                "category": "peoples_representative",
                "status": "confirmed",
            },
        },
    )


async def test_a_batch_applies_each_event_once_and_a_poison_one_parks_alone(
    topology, purge_queues, own_db
):
    service = reporting_service(
        topology,
        FixedClock(vn(2026, 10, 1)),
        MONGO_DB=own_db("reporting"),
        MAX_ATTEMPTS=2,
    )
    record = service.spec.events[ANY_EVENT]
    tried = []

    async def poisoned(data, ctx):
        if ctx.event.id == "poison":
            tried.append(ctx.event.id)
            raise RuntimeError("this one cannot be applied")
        await record(data, ctx)

    service.spec.events = {ANY_EVENT: poisoned}
    stream = [registered(n) for n in range(150)]
    stream.insert(5, registered(5))  # the same event again, inside the same burst
    stream.insert(10, registered(999, event_id="poison"))
    await publish_cloud_events(topology.amqp_url, "nghedan.events", stream)
    duplicates_before = counted("duplicate")
    async with running(service):
        await settled(service)  # all 152 deliveries handled: a repeat would be counted by now
        letters = await list_dead_letters(topology.amqp_url, "reporting.events")
        ids = [d["id"] async for d in service.db["event_log"].find({}, {"id": 1})]
        found = await service.db["r_figures"].find_one({"_id": "session:TT-2026-BATCH"})
        (pipeline,) = [p for p in service.pipelines if p.queue.name == "reporting.events"]
        batches, applied = pipeline.batches.batches, pipeline.batches.applied
    duplicates = counted("duplicate") - duplicates_before
    assert sorted(ids) == sorted(f"batch-{n}" for n in range(150))  # each once, poison none
    assert found["c"]["total"]["confirmed"] == 150  # each counted once, duplicate included
    assert [letter["message_id"] for letter in letters] == ["poison"]
    assert "2 lần thử" in letters[0]["reason"] and len(tried) >= 2
    assert batches and applied / batches > 1, (batches, applied)  # batches really formed
    assert duplicates == 1  # the repeat inside the burst, counted as what it was


def counted(result: str) -> float:
    """Reporting's `nghedan_messages_total` for registrations' events with this result."""
    from shared import metrics

    key = "registration.delegate.registered.v1"
    return metrics.MESSAGES.labels("reporting", "reporting.events", key, result)._value.get()
