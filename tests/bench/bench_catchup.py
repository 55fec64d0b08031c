"""Benchmark: reporting catching up on a backlog of events, one transaction per event beside one
per batch, in the same run on the same servers.

Run with `python -m tests.bench.bench_catchup [events]`. A backlog of delegate registrations
(150 per session) waits in reporting.events; reporting starts and applies it; the time until its
lag is zero and its record holds every event is measured, three rounds each way. Nothing here
asserts a speed.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid

from shared.clock import FixedClock
from shared.logging import configure_logging
from shared.service import declare_topology
from tests.bench.common import bench_infra
from tests.conftest import Infra
from tests.helpers import publish_cloud_events, reporting_service, running
from tests.when import vn, wall_now

ROUNDS = 3


def backlog(n: int, run: str) -> list[tuple[str, dict]]:
    key = "registration.delegate.registered.v1"
    return [
        (
            key,
            {
                "specversion": "1.0",
                "id": f"{run}-{i}",
                "source": "/nghedan/registration",
                "type": f"vn.nghedan.{key}",
                "time": wall_now().isoformat(),
                "data": {
                    "session_id": f"TT-2026-B{i // 150}",
                    "registration_code": f"TT-2026-B{i // 150}-{i % 150:03d}-XXXXX",
                    "village_code": "LL",
                    "category": "peoples_representative",
                    "status": "confirmed",
                },
            },
        )
        for i in range(n)
    ]


async def catch_up(infra: Infra, n: int, batch: int) -> float:
    run = uuid.uuid4().hex[:6]
    await publish_cloud_events(infra.amqp_url, "nghedan.events", backlog(n, run))
    service = reporting_service(
        infra,
        FixedClock(vn(2026, 10, 1)),
        MONGO_DB=f"bench_{run}",
        EVENT_BATCH_SIZE=batch,
        LOG_LEVEL="WARNING",
    )
    started = time.perf_counter()
    async with running(service):
        while True:
            (events,) = [q for q in await service.lag() if q.queue == "reporting.events"]
            if events.behind == 0 and await service.db["event_log"].count_documents({}) >= n:
                break
            await asyncio.sleep(0.05)
        took = time.perf_counter() - started
        assert await service.db["event_log"].count_documents({}) == n
        for pipeline in service.pipelines:
            if pipeline.batches and pipeline.batches.batches:
                mean = pipeline.batches.applied / pipeline.batches.batches
                print(
                    f"    ({pipeline.queue.name}: {pipeline.batches.batches} batches, {mean:.1f} events each)"
                )
    return n / took


async def compare(infra: Infra, n: int) -> None:
    await declare_topology(infra.amqp_url)
    rates: dict[int, list[float]] = {1: [], 32: []}
    for _ in range(ROUNDS):
        for batch in rates:  # side by side, alternating, so both see the same machine
            rates[batch].append(await catch_up(infra, n, batch))
    single, batched = (statistics.median(rates[b]) for b in (1, 32))
    print(f"{wall_now():%Y-%m-%d %H:%M} UTC, a backlog of {n} events, medians of {ROUNDS}:")
    for batch, runs in rates.items():
        shown = ", ".join(f"{r:.1f}" for r in runs)
        print(
            f"  EVENT_BATCH_SIZE={batch:<3d} {statistics.median(runs):7.1f} events/s  (runs {shown})"
        )
    print(f"  batched / one at a time: {batched / single:.2f}")


def main(n: int) -> None:
    configure_logging("bench", "WARNING")
    with bench_infra() as infra:
        asyncio.run(compare(infra, n))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1500)
