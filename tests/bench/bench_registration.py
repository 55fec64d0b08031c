"""Benchmark: registering delegates end to end, beside the bare database transaction it stands on.

Run with `make bench`. Both are measured in the same run, on the same servers, three rounds each;
the medians and their ratio are printed. Nothing here asserts a speed.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from services.registration.app import create_service
from services.registration.settings import RegistrationSettings
from shared.cli.embedded import EmbeddedMongo, ensure_rabbitmq
from shared.clock import LOCAL_TZ, FixedClock
from shared.logging import configure_logging
from shared.service import declare_topology
from shared.storage import Database, connect
from tests.conftest import free_port
from tests.helpers import RawClient, delegate, session_data

N = 100
ROUNDS = 3


async def bare_transactions(db: Database, n: int) -> float:
    """The same reads and writes a registration does, straight through PyMongo."""
    await db["sessions"].insert_one({"_id": "S", "version": 0, "confirmed": 0})
    start = time.perf_counter()
    for i in range(n):

        async def work(s, i=i):
            session = await db["sessions"].find_one({"_id": "S"}, session=s)
            await db["registrations"].find_one(
                {"session_id": "S", "citizen_hash": str(i)}, session=s
            )
            await db["sessions"].update_one(
                {"_id": "S", "version": session["version"]},
                {"$inc": {"version": 1, "confirmed": 1}},
                session=s,
            )
            await db["registrations"].insert_one(
                {"_id": f"S-{i}", "session_id": "S", "seq": i}, session=s
            )
            await db.claim_inbox(s, None, "/bench", f"{uuid.uuid4()}", "t", {"status": "accepted"})
            await db.outbox.insert_many(
                [{"_id": str(uuid.uuid4()), "status": "sent"} for _ in range(2)], session=s
            )

        await db.transaction(work)
    elapsed = time.perf_counter() - start
    await db["sessions"].delete_many({})
    return n / elapsed


async def commands(amqp_url: str, window: int, n: int) -> float:
    async with RawClient(amqp_url) as client:
        created = await client.send("registration.create-session.v1", session_data(capacity_max=n))
        session_id = created["result"]["session_id"]
        gate = asyncio.Semaphore(window)

        async def one(i: int) -> None:
            async with gate:
                outcome = await client.send(
                    "registration.register-delegate.v1", delegate(session_id, i), timeout=300
                )
                assert outcome["status"] == "accepted", outcome

        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(1, n + 1)))
        return n / (time.perf_counter() - start)


async def measure(amqp_url: str, mongo_url: str) -> dict[str, list[float]]:
    await declare_topology(amqp_url)
    client = connect(mongo_url, app_name="bench")
    settings = RegistrationSettings(
        **{
            "AMQP_URL": amqp_url,
            "MONGO_URL": mongo_url,
            "MONGO_DB": "bench_registration",
            "HEALTH_PORT": 0,
        }
    )
    service = create_service(settings, FixedClock(datetime(2026, 9, 1, 9, tzinfo=LOCAL_TZ)))
    await service.start()
    results: dict[str, list[float]] = {
        "bare transaction": [],
        "command, 1 in flight": [],
        "command, 8 in flight": [],
    }
    try:
        for round_ in range(ROUNDS):
            bare = Database(client, f"bench_bare_{round_}")
            await bare.ensure_indexes()
            results["bare transaction"].append(await bare_transactions(bare, N))
            results["command, 1 in flight"].append(await commands(amqp_url, 1, N))
            results["command, 8 in flight"].append(await commands(amqp_url, 8, N))
    finally:
        await service.stop()
        await client.close()
    return results


def main() -> None:
    configure_logging("bench", "WARNING")
    ensure_rabbitmq()
    vhost = f"nghedan-bench-{uuid.uuid4().hex[:6]}"
    subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(
        ["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
        check=True,
        capture_output=True,
    )
    mongo = EmbeddedMongo(Path(tempfile.mkdtemp()) / "data", free_port())
    mongo.start()
    try:
        results = asyncio.run(
            measure(f"amqp://guest:guest@127.0.0.1:5672/{quote(vhost, safe='')}", mongo.url)
        )
    finally:
        mongo.stop()
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True)
    base = statistics.median(results["bare transaction"])
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {N} registrations x {ROUNDS} rounds, medians:")
    for name, values in results.items():
        median = statistics.median(values)
        print(
            f"  {name:22s} {median:7.1f}/s  (runs {', '.join(f'{v:.1f}' for v in values)})"
            f"  ratio to bare {median / base:.2f}"
        )


if __name__ == "__main__":
    main()
