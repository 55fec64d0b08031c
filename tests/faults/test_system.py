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
    truth = await settled(platform, mongo, stream, session_id, vhost, SETTLE_SECONDS)
    stop_watching.set()
    await watching

    figures = judge(platform, stream, faults, watch, (provider, smtp), truth, SEED)
    write_figures(artifacts, figures)
    print(table(figures))
    assert figures["commands lost"] == 0, truth["lost"][:10]
    assert figures["commands applied twice"] == 0, truth["twice"][:10]
    assert figures["commands refused"] == 0, truth["refused"][:10]
    assert figures["messages lost"] == 0, figures
    assert figures["messages sent twice to a person"] == 0, figures
    assert figures["reporting figures that differ from the truth"] == 0, truth["differ"]
    assert watch.samples[-1]["queues"], "the broker's management API was never read"
    assert figures["consumers stopped"] == 0, figures
    assert figures["messages parked in dead-letter queues"] == 0, figures  # all were valid
    assert figures["services over the memory bound"] == 0, watch.peak_rss()
    assert figures["queues past their prefetch"] == 0, watch.peak_unacked()
    kinds = {"kill", "crash-after-commit", "freeze", "broker-restart", "database-restart"}
    assert kinds | {"network-drop", "replay-events", "slow-gateway"} <= set(faults.counts())
