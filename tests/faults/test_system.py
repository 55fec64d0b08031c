"""One invariant, many faults: a steady stream of registrations and submissions through all four
services while they are killed, crashed between commit and publish, frozen, cut off from the
broker, and the broker and the database restarted. At the end every accepted command has exactly
one effect in every service that should see it, every person got each message once, reporting's
figures equal the truth, and no consumer stopped. The figures are printed and kept in
test-artifacts/fault-figures.{json,md} (the README quotes a clean run)."""

from __future__ import annotations

import asyncio
import os
import random
import shutil

import pytest

from shared.clock import FileClock
from tests.faults.chaos import (
    Faults,
    Stream,
    Watch,
    judge,
    open_session,
    settled,
    start_platform,
    stop_platform,
    table,
    verdict,
    vhost_of,
    write_figures,
)

SECONDS = float(os.environ.get("NGHEDAN_FAULT_SECONDS", "150"))  # the faults are spread over it
RATE = float(os.environ.get("NGHEDAN_FAULT_RATE", "3"))  # commands a second
SEED = int(os.environ.get("NGHEDAN_FAULT_SEED", str(random.SystemRandom().randrange(10**6))))
SETTLE_SECONDS = 420  # how long the platform may take to catch up once the stream stops


@pytest.fixture
async def world(infra, purge_queues, provider, smtp, tmp_path):
    if shutil.which("nft") is None:
        pytest.fail("nftables is needed (Debian package nftables; `make test` installs it)")
    platform, mongo, triggers = start_platform(
        infra.amqp_url, tmp_path, provider.url, infra.db_prefix, smtp.port
    )
    try:
        yield platform, mongo, triggers
    finally:
        stop_platform(platform, mongo)


@pytest.mark.timeout(SECONDS + SETTLE_SECONDS + 300)
async def test_nothing_is_lost_nothing_twice_and_no_consumer_stops_under_faults(
    world, infra, provider, smtp, artifacts
):
    platform, mongo, triggers = world
    rng = random.Random(SEED)
    print(f"\nseed {SEED}: NGHEDAN_FAULT_SEED={SEED} repeats this run's faults and stream")
    session_id = await open_session(infra.amqp_url)

    stream = Stream(infra.amqp_url, session_id, RATE, rng, FileClock(platform.clock_file))
    faults = Faults(platform, mongo, rng, triggers, provider)
    watch = Watch(platform, vhost_of(infra.amqp_url))
    stop_watching = asyncio.Event()
    watching = asyncio.create_task(watch.run(stop_watching))
    stop_stream = asyncio.Event()

    async def hit() -> None:
        await faults.run(SECONDS, faults.plan(SECONDS))
        await asyncio.sleep(10)  # the stream goes on a little after the last fault
        stop_stream.set()

    await asyncio.gather(stream.run(stop_stream), hit())
    vhost = vhost_of(infra.amqp_url)
    truth = await settled(
        platform, mongo, stream, session_id, vhost, SETTLE_SECONDS, (provider, smtp)
    )
    stop_watching.set()
    await watching

    figures = judge(platform, stream, faults, watch, (provider, smtp), truth, SEED)
    write_figures(artifacts, figures)
    print(table(figures))
    failed = verdict(figures, watch)
    assert not failed, (
        "\n".join(failed) + f"\n(lost {truth['lost'][:5]}, twice {truth['twice'][:5]})"
    )
