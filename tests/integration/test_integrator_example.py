"""The integrator's example (docs/examples/integrate.py) works from the AsyncAPI document alone:
it sends a command and reads its outcome, and a province's queue receives the results."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path

import aio_pika

from shared.clock import FixedClock
from shared.contracts.schemagen import load_example
from tests.helpers import intake_service, publish_cloud_events, running
from tests.when import vn

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "integrate.py"


async def run_example(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_an_integrator_sends_a_command_and_reads_the_results_from_the_document_alone(
    topology, purge_queues, own_db
):
    clock = FixedClock(vn(2026, 9, 1))
    queue = f"tests.province-{uuid.uuid4().hex[:8]}"
    async with running(intake_service(topology, clock, MONGO_DB=own_db("intake"))):
        sender = await run_example(
            "--amqp",
            topology.amqp_url,
            "send",
            "intake.submit-issue.v1",
            "--set",
            "village_code=T02",
        )
        out, err = await asyncio.wait_for(sender.communicate(), 90)
        listener = await run_example(
            "--amqp", topology.amqp_url, "listen", "--count", "1", "--queue", queue
        )
        assert listener.stdout is not None
        ready = await asyncio.wait_for(listener.stdout.readline(), 60)
        results = load_example("dialogue.results.published.v1")
        await publish_cloud_events(
            topology.amqp_url,
            "nghedan.provincial",
            [("dialogue.results.published.v1", results)],
        )
        received, _ = await asyncio.wait_for(listener.communicate(), 60)
    connection = await aio_pika.connect(topology.amqp_url)
    async with connection:
        await (await connection.channel()).queue_delete(queue)

    assert sender.returncode == 0, err.decode()
    outcome = json.loads(out)
    assert outcome["status"] == "accepted" and outcome["result"]["tracking_code"].startswith("TT-")
    assert "dialogue.results.published.v1" in ready.decode()
    event = json.loads(received.decode().strip().splitlines()[-1])
    assert event["type"] == "vn.nghedan.dialogue.results.published.v1"
    assert event["data"]["session_id"] == results["data"]["session_id"]
