"""`make soak`: the platform for an hour at half its measured capacity, a fault every few minutes;
memory and queue depths plotted to test-artifacts/soak.png, the figures in soak-figures.md.

    python -m tests.faults.soak [--minutes 60] [--fault-every 240] [--seed N]

Needs what `make test` installs (RabbitMQ with its management API, nftables, root for them).
Capacity is measured first, in the same run: commands sent as fast as one client sends them for
a minute, and how many the platform applied a second until it caught up.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from deploy.cli.embedded import ensure_rabbitmq
from shared.clock import FileClock
from shared.service import declare_topology
from tests.faults.chaos import (
    FAULT_KINDS,
    Faults,
    Stream,
    Watch,
    census,
    judge,
    open_session,
    settled,
    start_platform,
    stop_platform,
    table,
    verdict,
)
from tests.providers import HttpProvider, SmtpServer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def measure_capacity(
    amqp_url: str,
    platform: Any,
    mongo: Any,
    session_id: str,
    providers: tuple[Any, Any],
    burst: int = 400,
) -> float:
    """Commands applied a second: a burst sent as fast as one client sends (no faults), timed
    from the first sent to the last applied everywhere."""
    stream = Stream(amqp_url, session_id, 1000, random.Random(0), FileClock(platform.clock_file))
    started = time.monotonic()
    await stream.run(asyncio.Event(), first=500_000, limit=burst)  # apart from the soak's numbers
    while (await census(platform, mongo, stream, session_id, providers))["lost"]:  # noqa: ASYNC110 (polls a database)
        await asyncio.sleep(0.5)
    elapsed = time.monotonic() - started
    print(f"capacity: {burst} commands applied in {elapsed:.1f} s = {burst / elapsed:.1f}/s")
    return burst / elapsed


def plot(watch: Watch, faults: Faults, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    times = [s["t"] / 60 for s in watch.samples]
    figure, (memory, queues) = plt.subplots(2, 1, figsize=(12, 8), sharex=True)
    for name in sorted({n for s in watch.samples for n in s["rss_mb"]}):
        memory.plot(times, [s["rss_mb"].get(name) for s in watch.samples], label=name)
    memory.set_ylabel("bộ nhớ (RSS, MB)")
    memory.legend(loc="upper left")
    names = sorted({n for s in watch.samples for n in s["queues"] if not n.endswith(".dlq")})
    for name in names:
        depth = [
            (s["queues"][name]["ready"] + s["queues"][name]["unacked"])
            if name in s["queues"]
            else None
            for s in watch.samples
        ]
        if any(depth):
            queues.plot(times, depth, label=name)
    queues.set_ylabel("tin trong hàng đợi")
    queues.set_xlabel("phút")
    queues.legend(loc="upper left", fontsize="small")
    offset = (faults.started - watch.started) / 60
    for at, kind in faults.log:
        for axis in (memory, queues):
            axis.axvline(offset + at / 60, color="grey", linewidth=0.6, linestyle=":")
        queues.annotate(kind, (offset + at / 60, 0), rotation=90, fontsize=6, va="bottom")
    figure.suptitle("Nghe Dân: chạy dài có lỗi (soak)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=180)


async def soak(minutes: float, fault_every: float, seed: int) -> dict[str, Any]:
    await asyncio.to_thread(ensure_rabbitmq)
    vhost = f"nghedan-soak-{uuid.uuid4().hex[:6]}"
    await asyncio.to_thread(rabbitmqctl, "add_vhost", vhost)
    await asyncio.to_thread(rabbitmqctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{quote(vhost, safe='')}"
    await declare_topology(amqp_url)
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="nghedan-soak-") as work, SmtpServer() as smtp:
        async with HttpProvider() as provider:
            platform, mongo, triggers = start_platform(
                amqp_url, Path(work), provider.url, "soak_", smtp.port
            )
            try:
                # the burst registers for a conference of its own: the soak's is counted alone
                probe = await open_session(amqp_url)
                capacity = await measure_capacity(
                    amqp_url, platform, mongo, probe, (provider, smtp)
                )
                session_id = await open_session(amqp_url)
                rate = capacity / 2
                print(
                    f"soak: {minutes:.0f} min at {rate:.1f} commands/s, a fault every {fault_every:.0f} s"
                )
                stream = Stream(amqp_url, session_id, rate, rng, FileClock(platform.clock_file))
                faults = Faults(platform, mongo, rng, triggers, provider)
                watch = Watch(platform, vhost, every=5)
                stop_watching, stop_stream = asyncio.Event(), asyncio.Event()
                watching = asyncio.create_task(watch.run(stop_watching))

                async def hit() -> None:
                    deadline = time.monotonic() + minutes * 60
                    plan: list[Any] = []
                    while time.monotonic() + fault_every < deadline:
                        await asyncio.sleep(fault_every * rng.uniform(0.5, 1.0))
                        plan = plan or faults.plan(fault_every)
                        await plan.pop()()
                    await asyncio.sleep(max(deadline - time.monotonic(), 0))
                    stop_stream.set()

                async def progress() -> None:
                    """A line a minute: how far it is, and how far behind the platform is."""
                    while not stop_stream.is_set():
                        try:
                            await asyncio.wait_for(stop_stream.wait(), 60)
                        except TimeoutError:
                            pass
                        last = watch.samples[-1] if watch.samples else {"queues": {}, "rss_mb": {}}
                        waiting = sum(q["ready"] + q["unacked"] for q in last["queues"].values())
                        memory = ", ".join(
                            f"{n} {mb:.0f}" for n, mb in sorted(last["rss_mb"].items())
                        )
                        print(
                            f"{(time.monotonic() - watch.started) / 60:.0f} min: "
                            f"{len(stream.commands)} commands sent, {waiting} messages waiting, "
                            f"{len(faults.log)} faults; RSS MB: {memory}",
                            flush=True,
                        )

                await asyncio.gather(stream.run(stop_stream), hit(), progress())
                truth = await settled(
                    platform, mongo, stream, session_id, vhost, 900, (provider, smtp)
                )
                stop_watching.set()
                await watching
                figures = judge(platform, stream, faults, watch, (provider, smtp), truth, seed)
                figures["measured capacity (commands/s)"] = round(capacity, 1)
                figures["soak rate (commands/s)"] = round(rate, 1)
                # every kind of fault is required once the plan has gone round at least once
                whole_plan = minutes * 60 >= len(faults.plan(fault_every)) * fault_every
                figures["failed"] = verdict(figures, watch, FAULT_KINDS if whole_plan else set())
                ARTIFACTS.mkdir(exist_ok=True)
                plot(watch, faults, ARTIFACTS / "soak.png")
                (ARTIFACTS / "soak-figures.md").write_text(table(figures), encoding="utf-8")
                print(table(figures))
                print(f"plot: {ARTIFACTS / 'soak.png'}")
                return figures
            finally:
                stop_platform(platform, mongo)
                await asyncio.to_thread(rabbitmqctl, "delete_vhost", vhost)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("aiormq").setLevel(logging.CRITICAL)  # the stream reconnects, and says so
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--fault-every", type=float, default=240, help="seconds between faults")
    parser.add_argument("--seed", type=int, default=random.SystemRandom().randrange(10**6))
    args = parser.parse_args()
    figures = asyncio.run(soak(args.minutes, args.fault_every, args.seed))
    failed = figures["failed"]  # the same checks as the fault test's
    raise SystemExit(("soak failed:\n" + "\n".join(failed)) if failed else 0)


if __name__ == "__main__":
    main()
