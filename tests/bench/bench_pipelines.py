"""`make bench`: the bounds and the pipelines, in one run on one machine (issue 10).

Bounds, measured on the same servers in the same run:
- the broker: raw aio-pika publishing with confirms (64 awaited at once) to a quorum queue, and
  consuming from it with acknowledgements (prefetch 64);
- the database: the bare transaction with the writes of one registration, of a list of 50, and
  of a batch of 32 events in reporting's record;
- each pipeline's own: the transactions its services must run for one item (each service's
  reads and writes, tests/bench/bare.py), run bare in sequence. A pipeline's ratio is its
  throughput over that bound: work beyond those transactions lowers it, never raises it. The
  database operations per item stay in the table as a diagnosis.

Pipelines, the four services running as processes as `nghedan up` runs them:
- registration to invitation file: commands (8 in flight) until each delegate's invitation is a file;
- issue submission to reporting's figures: commands until reporting's record holds each issue;
- a 10,000-row import in lists of 50 (`registration.register-delegates.v1`), one at a time;
- reporting catching up on a backlog of 10,000 events (reporting stopped while they arrive);
- the announcement for 150 delegates and 500 issues (DOCX and PDF);
- one, two and four instances of intake on one queue: the gain, and nothing applied twice.
Then each service's peak memory (VmHWM). Latencies run from a command's publish to its last
effect. Nothing here asserts a speed: it prints a Markdown table (also kept in
test-artifacts/bench.md) for BENCHMARKS.md.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import platform as host
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
from pymongo import AsyncMongoClient

from deploy.cli import bus as busmod
from deploy.cli.platform import Platform
from services.registration import store as registration_store
from services.reporting import announcement as doc
from shared import delegate_lists as importer
from shared.clock import write_clock_file
from shared.contracts.reporting import Matter, Participation
from shared.logging import configure_logging
from shared.service import declare_topology
from shared.storage import Database, connect
from tests.bench import bare as bare_pipelines
from tests.bench.bench_catchup import backlog
from tests.bench.common import bench_infra, percentiles
from tests.conftest import Infra, free_port
from tests.helpers import (
    RawClient,
    delegate,
    platform_for_tests,
    publish_cloud_events,
    session_data,
)
from tests.waits import platform_settled
from tests.when import wall_now

BODY = json.dumps({"data": "x" * 480}).encode()  # about the size of a command
# BENCH_SCALE=0.1 runs everything at a tenth of its size, to try the benchmark itself out.
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
BROKER_MESSAGES = int(5_000 * SCALE)
REGISTRATIONS = int(300 * SCALE)
SUBMISSIONS = int(500 * SCALE)
IMPORT_ROWS = int(10_000 * SCALE)
IMPORT_BATCH = 50  # the CLI's default list size
BACKLOG = int(10_000 * SCALE)
INSTANCE_SUBMISSIONS = int(300 * SCALE)
VILLAGES = ["LL", *(f"T{n:02d}" for n in range(2, 27))]
TOPICS = ["compensation", "land_acquisition", "land_dispute", "social_policy", "socio_economic"]
PLANS = os.environ.get("BENCH_PLANS") == "1"  # list the queries the server answers by a full scan


@dataclass
class Row:
    name: str
    items: int
    seconds: float
    unit: str
    latencies: list[float] = field(default_factory=list)  # seconds, publish to last effect
    note: str = ""
    ops: int = 0  # database operations (the server's opcounters) while it ran
    bound: float = 0.0  # items a second through the same transactions run bare (tests/bench/bare)

    @property
    def ops_per_item(self) -> float:
        return self.ops / self.items if self.items else 0.0

    @property
    def ops_rate(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


# --- bounds ---------------------------------------------------------------------------------


async def broker_bounds(url: str) -> tuple[Row, Row]:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        name = f"bench.bound.{uuid.uuid4().hex[:6]}"
        queue = await channel.declare_queue(
            name, durable=True, arguments={"x-queue-type": "quorum"}
        )
        gate = asyncio.Semaphore(64)

        async def publish(i: int) -> None:
            async with gate:
                await channel.default_exchange.publish(
                    aio_pika.Message(
                        BODY, message_id=str(i), delivery_mode=aio_pika.DeliveryMode.PERSISTENT
                    ),
                    routing_key=name,
                )

        started = time.perf_counter()
        await asyncio.gather(*(publish(i) for i in range(BROKER_MESSAGES)))
        published = time.perf_counter() - started
        consumer = await connection.channel()
        await consumer.set_qos(prefetch_count=64)
        done = asyncio.Event()
        seen = 0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal seen
            await message.ack()
            seen += 1
            if seen == BROKER_MESSAGES:
                done.set()

        own = await consumer.get_queue(name)
        started = time.perf_counter()
        tag = await own.consume(on_message)
        await done.wait()
        consumed = time.perf_counter() - started
        await own.cancel(tag)
        await queue.delete(if_unused=False, if_empty=False)
    return (
        Row("broker: publish with confirms (quorum queue)", BROKER_MESSAGES, published, "msg"),
        Row("broker: consume with acks (quorum queue)", BROKER_MESSAGES, consumed, "msg"),
    )


async def bare_registration(db: Database, session: Any, i: int, tag: str) -> None:
    """The reads and writes of one registration (registration's handler and its store), straight
    through PyMongo, without the rules, the sealing or the messages around them."""
    state = await db["sessions"].find_one({"_id": tag}, session=session)
    await db["registrations"].find_one({"session_id": tag, "citizen_hash": str(i)}, session=session)
    await db["sessions"].update_one(
        {"_id": tag, "version": state["version"]},
        {"$inc": {"version": 1, "confirmed": 1}},
        session=session,
    )
    code = f"{tag}-{i}"
    await db["registrations"].insert_one(
        {"_id": code, "code": code, "session_id": tag, "seq": i, "citizen_hash": str(i)},
        session=session,
    )
    await db["registrations"].find_one({"code": code}, session=session)  # the notice's recipient


async def transactions(
    client: AsyncMongoClient[Any],
    db: Database,
    name: str,
    unit: str,
    count: int,
    per_transaction: int,
    work: Callable[[Any, int], Awaitable[None]],
) -> Row:
    """`count` transactions of `work(session, k)`, timed, with the operations they took."""
    ops = await operations(client)
    started = time.perf_counter()
    for k in range(count):
        await db.transaction(functools.partial(work, k=k))
    seconds = time.perf_counter() - started
    return Row(name, count * per_transaction, seconds, unit, ops=await operations(client) - ops)


async def database_bounds(client: AsyncMongoClient[Any], prefix: str) -> list[Row]:
    db = Database(client, f"{prefix}bare")
    await db.ensure_indexes()
    await registration_store.ensure_indexes(db)  # the same indexes as registration's own
    await db["sessions"].insert_many([{"_id": t, "version": 0} for t in ("one", "list")])
    size = 32
    await db["states"].insert_many([{"_id": f"s{i}", "n": 0} for i in range(size)])

    async def one(s: Any, k: int) -> None:
        await bare_registration(db, s, k, "one")
        await db.claim_inbox(s, None, "/bench", uuid.uuid4().hex, "t", {"status": "accepted"})
        await db.outbox.insert_many([{"_id": uuid.uuid4().hex} for _ in range(2)], session=s)

    async def many(s: Any, k: int) -> None:
        for i in range(IMPORT_BATCH):
            await bare_registration(db, s, k * IMPORT_BATCH + i, "list")
        await db.inbox.insert_many(
            [
                {"sender": "b", "source": "/bench", "id": uuid.uuid4().hex}
                for _ in range(IMPORT_BATCH)
            ],
            session=s,
        )
        await db.outbox.insert_many(
            [{"_id": uuid.uuid4().hex} for _ in range(2 * IMPORT_BATCH)], session=s
        )

    async def events(s: Any, k: int) -> None:
        ids = [f"{k}-{i}" for i in range(size)]
        for i in range(size):  # as reporting does for each event: claim, read, change
            await db.claim_inbox(s, None, "/bench", ids[i], "t")
            await db["states"].find_one({"_id": f"s{i}"}, session=s)
            await db["states"].update_one(
                {"_id": f"s{i}"}, {"$inc": {"n": 1}}, upsert=True, session=s
            )
        await db["event_log"].insert_many([{"_id": i} for i in ids], session=s)
        await db["figures"].update_one({"_id": "f"}, {"$inc": {"n": size}}, upsert=True, session=s)

    rows = [
        await transactions(
            client, db, "database: one registration per transaction", "reg", 300, 1, one
        ),
        await transactions(
            client,
            db,
            f"database: a list of {IMPORT_BATCH} registrations per transaction",
            "row",
            20,
            IMPORT_BATCH,
            many,
        ),
        await transactions(
            client,
            db,
            f"database: a batch of {size} events in reporting's record per transaction",
            "event",
            60,
            size,
            events,
        ),
    ]
    await client.drop_database(db.db.name)
    return rows


# --- pipelines ------------------------------------------------------------------------------


async def until(
    check: Callable[[], Awaitable[bool]], what: str, timeout: float = 900, every: float = 0.1
) -> None:
    """Poll a condition of the harness (not of the product) until it holds; not too often, as
    the database it reads is the one being measured."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not reached in {timeout:.0f} s")
        await asyncio.sleep(every)


async def new_session(client: RawClient, capacity: int, *, schedule: bool = True) -> str:
    """A conference; scheduled 30 days ahead unless told not to (its delegates are invited only
    once it has a date)."""
    created = await client.send(
        "registration.create-session.v1", session_data(capacity_max=capacity, period="2026")
    )
    session_id = created["result"]["session_id"]
    if not schedule:
        return str(session_id)
    starts = (wall_now() + timedelta(days=30)).replace(microsecond=0)
    scheduled = await client.send(
        "registration.schedule-session.v1",
        {"session_id": session_id, "starts_at": starts.isoformat()},
    )
    assert scheduled["status"] == "accepted", scheduled
    return session_id


async def sent_in_window(
    client: RawClient, commands: list[tuple[str, dict[str, Any]]], window: int
) -> list[tuple[float, dict[str, Any]]]:
    """Send commands with `window` awaiting their outcome; (publish time, outcome) for each."""
    gate = asyncio.Semaphore(window)

    async def one(key: str, data: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        async with gate:
            at = time.perf_counter()
            outcome = await client.send(key, data, timeout=600)
            assert outcome["status"] == "accepted", outcome
            return at, outcome

    return list(await asyncio.gather(*(one(k, d) for k, d in commands)))


async def registration_to_invitation(infra: Infra, home: Path, seq: int) -> Row:
    pattern = re.compile(r"[A-Z]+-\d{4}-D[KX]\d+-\d{3}-[A-Z0-9]{5}")
    seen: dict[str, float] = {}

    read: set[Path] = set()

    async def invitations() -> None:
        for path in (home / "outbox").glob("*/delegate_invitation-*.txt"):
            if path in read:
                continue
            read.add(path)
            text = path.read_text(encoding="utf-8")
            for code in pattern.findall(text):
                seen.setdefault(code, path.stat().st_mtime)

    async with RawClient(infra.amqp_url) as client:
        session_id = await new_session(client, REGISTRATIONS + 10)
        commands = [
            ("registration.register-delegate.v1", delegate(session_id, seq + i))
            for i in range(REGISTRATIONS)
        ]
        wall_started, started = wall_now().timestamp(), time.perf_counter()
        sent = await sent_in_window(client, commands, 8)
    codes = {o["result"]["registration_code"]: at for at, o in sent}

    async def all_written() -> bool:
        await invitations()
        return all(code in seen for code in codes)

    await until(all_written, "invitation files")
    offset = wall_started - started  # perf_counter -> wall clock, for the files' times
    latencies = [seen[code] - (at + offset) for code, at in codes.items()]
    last = max(seen[code] for code in codes) - wall_started
    return Row("registration → invitation file", REGISTRATIONS, last, "reg", latencies)


async def submission_to_figures(infra: Infra, reporting: Database, count: int, name: str) -> Row:
    """Latency: from a submission's publish to the time reporting recorded its issue (its own
    `received_at`), the n-th publish paired with the n-th recording."""
    received = {"type": "vn.nghedan.intake.issue.received.v1"}
    before = await reporting["event_log"].count_documents(received)

    async def recorded() -> bool:
        return await reporting["event_log"].count_documents(received) - before >= count

    run = uuid.uuid4().hex[:6]
    commands = [
        (
            "intake.submit-issue.v1",
            {
                "kind": "recommendation",
                "channel": "village_head",
                "content": f"Đề nghị sửa đường thôn, kiến nghị số {run}-{i}.",
                "village_code": VILLAGES[i % len(VILLAGES)],  # spread as a commune's are
                "topic_hint": TOPICS[i % len(TOPICS)],
                "received_at": wall_now().isoformat(),
                "external_reference": f"{run}-{i}",
            },
        )
        for i in range(count)
    ]
    async with RawClient(infra.amqp_url) as client:
        wall, started = wall_now().timestamp(), time.perf_counter()
        sent = await sent_in_window(client, commands, 16)
    await until(recorded, "reporting's record", every=0.25)
    since = datetime.fromtimestamp(wall, UTC)
    rows = reporting["event_log"].find(received | {"received_at": {"$gte": since}})
    reached = sorted([row["received_at"].timestamp() - wall async for row in rows])[-count:]
    published = sorted(at - started for at, _ in sent)
    latencies = [done - at for at, done in zip(published, reached, strict=True)]
    return Row(name, count, reached[-1], "issue", latencies)


async def import_list(infra: Infra) -> Row:
    async with RawClient(infra.amqp_url) as client:
        # not scheduled: the import is measured, not the 10,000 invitations it would cause
        session_id = await new_session(client, IMPORT_ROWS, schedule=False)
    commands = [
        {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": importer.IMPORT_SOURCE,
            "type": "vn.nghedan.registration.register-delegate.v1",
            "data": delegate(session_id, 500_000 + i, phone=None, email=None),
        }
        for i in range(IMPORT_ROWS)
    ]
    for command in commands:
        command["data"] = {k: v for k, v in command["data"].items() if v is not None}
    latencies = []
    accepted = 0
    async with busmod.Bus(infra.amqp_url) as bus:
        started = time.perf_counter()
        for part in importer.batches(commands, IMPORT_BATCH):
            at = time.perf_counter()
            outcome = await bus.send(part["command"], timeout=600)
            latencies.append(time.perf_counter() - at)
            accepted += outcome["result"]["accepted"]
        took = time.perf_counter() - started
    assert accepted == IMPORT_ROWS, accepted
    return Row(
        f"{IMPORT_ROWS:,}-row import, lists of {IMPORT_BATCH}",
        IMPORT_ROWS,
        took,
        "row",
        latencies,
        note=f"latency per list of {IMPORT_BATCH}",
    )


async def catch_up(infra: Infra, platform: Platform, reporting: Database) -> Row:
    platform.stop_service("reporting")
    run = uuid.uuid4().hex[:6]
    before = await reporting["event_log"].count_documents({})
    await publish_cloud_events(infra.amqp_url, "nghedan.events", backlog(BACKLOG, run))
    started = time.perf_counter()
    platform.start_service("reporting")

    async def applied() -> bool:
        """Reporting's own signal: nothing left in its queue of events, nothing in hand."""
        consumers = platform.health("reporting").get("consumers") or []
        events = [c for c in consumers if c["queue"] == "reporting.events"]  # type: ignore[index]
        return bool(events) and events[0]["behind"] == 0

    await until(applied, "reporting's catch-up", every=0.2)
    recorded = await reporting["event_log"].count_documents({}) - before
    assert recorded >= BACKLOG, f"reporting says it caught up with {recorded} of {BACKLOG}"
    return Row(
        f"reporting catching up {BACKLOG:,} events", BACKLOG, time.perf_counter() - started, "event"
    )


def announcement_row() -> Row:
    matters = [
        Matter(
            ref=f"TT-2026-{i:05d}",
            kind="recommendation",
            topic="infrastructure",
            village_code="LL",
            summary="Đề nghị sửa chữa tuyến đường liên thôn đã xuống cấp, nhiều ổ gà.",
            raised_by_count=1 + i % 3,
            answer="UBND xã sẽ bố trí kinh phí sửa chữa trong quý IV.",
            conclusion="Giao phòng Kinh tế khảo sát, lập dự toán.",
            responsible_agency="KT",
            deadline=date(2026, 12, 31),
        )
        for i in range(500)
    ]
    participation = Participation(
        delegates_expected=150,
        attended=142,
        officials_by_role={"official": 12},
        citizens_by_village={f"T{v:02d}": 5 for v in range(2, 27)},
        citizens_by_category={"peoples_representative": 125},
    )
    announcement = doc.Announcement(
        commune="Xã Thiện Tân",
        commune_code="06436",
        province="Lạng Sơn",
        session_id="TT-2026-DK1",
        session_kind="periodic",
        title="Hội nghị đối thoại với Nhân dân",
        venue="Hội trường UBND xã",
        held_on=date(2026, 9, 25),
        issued_on=date(2026, 9, 30),
        document_number="123/TB-UBND",
        signer_title="CHỦ TỊCH",
        signer_name="Nguyễn Văn A",
        participation=participation,
        matters=matters,
    )
    times = []
    for _ in range(5):
        started = time.perf_counter()
        doc.to_docx(announcement)
        doc.to_pdf(announcement)
        times.append(time.perf_counter() - started)
    return Row(
        "announcement, 150 delegates and 500 issues (DOCX + PDF)",
        len(times),
        sum(times),
        "doc",
        times,
        note="latency per document pair",
    )


def start_extra_intake(platform: Platform, first: int, count: int) -> list[str]:
    """More intake instances on the same queues ("intake #2", …), each with its own health port,
    kept among the platform's processes: waited for, settled, measured and stopped with them."""
    names = []
    for n in range(first, first + count):
        name, port = f"intake #{n}", free_port()
        env = platform.service_env("intake") | {"HEALTH_PORT": str(port)}
        with open(platform.home / "logs" / "intake-extra.log", "ab") as log:
            platform.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "services.intake"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        platform.health_ports[name] = port
        names.append(name)
    return names


async def full_scans(client: AsyncMongoClient[Any], infra: Infra) -> list[str]:
    """The services' queries (from the database's profiler) that the server answers by reading
    a whole collection: each distinct shape explained once."""
    found = []
    for name in ("registration", "intake", "notification", "reporting"):
        db = client[infra.db_name(name)]
        shapes: dict[tuple[str, str], dict[str, Any]] = {}
        async for entry in db["system.profile"].find({"op": {"$in": ["query", "command"]}}):
            command = entry.get("command", {})
            collection = command.get("find") or command.get("count")
            query = command.get("filter") or command.get("query")
            if not isinstance(collection, str) or not query:
                continue
            shapes.setdefault((collection, ",".join(sorted(query))), query)
        for (collection, shape), query in sorted(shapes.items()):
            plan = (await db[collection].find(query).explain())["queryPlanner"]["winningPlan"]
            if plan.get("stage") == "COLLSCAN":
                found.append(f"full scan: {name}.{collection} on ({shape})")
    return found or ["no query of the services is answered by a full scan"]


def peak_memory_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def operations(client: AsyncMongoClient[Any]) -> int:
    """Every operation the database server has answered so far (its opcounters)."""
    status = await client.admin.command("serverStatus")
    return sum(int(v) for v in status["opcounters"].values())


async def pipelines(infra: Infra, home: Path) -> tuple[list[Row], dict[str, float], list[str]]:
    platform = platform_for_tests(infra, home, LOG_LEVEL="WARNING")
    write_clock_file(platform.clock_file, offset=timedelta(0))
    platform.start_services()
    client = connect(infra.mongo_url, app_name="bench")
    reporting = Database(client, infra.db_name("reporting"))
    intake = Database(client, infra.db_name("intake"))
    rows: list[Row] = []
    checks: list[str] = []
    if PLANS:
        for name in ("registration", "intake", "notification", "reporting"):
            await client[infra.db_name(name)].command("profile", 1, slowms=15)

    async def measured(what: str, pipeline: Awaitable[Row]) -> Row:
        """One pipeline's row; a step that fails is reported in the table and the rest go on."""
        try:
            await platform_settled(platform.health_ports)
            print(f"  {what} …", flush=True)
            before = await operations(client)
            row = await pipeline
            row.ops = await operations(client) - before
        except Exception as exc:
            print(f"  {what}: FAILED ({type(exc).__name__}: {exc})", flush=True)
            row = Row(what, 0, 0.0, "items", note=f"FAILED: {type(exc).__name__}: {exc}")
            checks.append(f"{what} failed: {type(exc).__name__}: {exc}")
        rows.append(row)
        return row

    try:
        await measured("registration → invitation file", registration_to_invitation(infra, home, 1))
        await measured(
            "submission → reporting's figures",
            submission_to_figures(
                infra, reporting, SUBMISSIONS, "submission → reporting's figures"
            ),
        )
        await measured(f"{IMPORT_ROWS:,}-row import", import_list(infra))
        await measured(
            f"reporting catching up {BACKLOG:,} events", catch_up(infra, platform, reporting)
        )
        extra: list[str] = []
        for instances in (1, 2, 4):
            started = start_extra_intake(platform, len(extra) + 2, instances - 1 - len(extra))
            await asyncio.to_thread(platform.wait_healthy, 120, started)
            extra += started
            received = {"type": "vn.nghedan.intake.issue.received.v1"}
            before = await intake["issues"].count_documents({})
            recorded = await reporting["event_log"].count_documents(received)
            name = f"submission, {instances} intake instance(s)"
            await measured(
                name, submission_to_figures(infra, reporting, INSTANCE_SUBMISSIONS, name)
            )
            # an issue stored or recorded twice would show by now
            await platform_settled(platform.health_ports)
            stored = await intake["issues"].count_documents({}) - before
            recorded = await reporting["event_log"].count_documents(received) - recorded
            checks.append(
                f"{instances} intake instance(s): {INSTANCE_SUBMISSIONS} submissions sent, "
                f"{stored} issues stored by intake, {recorded} recorded by reporting"
            )
        if PLANS:
            checks += await full_scans(client, infra)
        memory = {name: peak_memory_mib(p.pid) for name, p in platform.processes.items()}
    finally:
        platform.stop(stop_rabbit=False)
        await client.close()
    return rows, memory, checks


# --- the report -----------------------------------------------------------------------------


def table(bounds: list[Row], rows: list[Row], memory: dict[str, float], checks: list[str]) -> str:
    """One line per bound and per pipeline. A pipeline's bound is the rate of the same
    transactions its services must run for one item, run bare in sequence in this run
    (tests/bench/bare.py): work beyond them lowers the ratio, never raises it. Operations per
    item (every service's, on the one database server they share) are a diagnosis."""
    lines = [
        f"Measured {wall_now():%Y-%m-%d %H:%M} UTC on {host.node()} "
        f"({os.cpu_count()} cores, Python {host.python_version()}, {rabbit_version()}, "
        "SecantusDB embedded).",
        "",
        "| what | items | throughput | p50 | p95 | p99 | db ops/item | bare bound | ratio to bound |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in bounds:
        lines.append(
            f"| {row.name} | {row.items:,} | {row.rate:,.0f} {row.unit}/s"
            + (f" ({row.ops_rate:,.0f} ops/s)" if row.ops else "")
            + f" | | | | {row.ops_per_item:.1f} | | |"
        )
    for row in rows:
        shown = ["", "", ""]
        if row.latencies:
            shown = [f"{v * 1000:,.0f} ms" for v in percentiles(row.latencies)]
        bound, ratio = "", ""
        if row.bound:
            bound, ratio = f"{row.bound:,.1f}/s", f"{row.rate / row.bound:.2f}"
        note = f" ({row.note})" if row.note else ""
        lines.append(
            f"| {row.name}{note} | {row.items:,} | {row.rate:,.1f} {row.unit}/s | "
            f"{' | '.join(shown)} | {row.ops_per_item:.1f} | {bound} | {ratio} |"
        )
    lines += ["", "Peak memory (VmHWM) per service process:", ""]
    lines += [f"- {name}: {mib:,.0f} MiB" for name, mib in memory.items()]
    lines += ["", "Checks:", ""] + [f"- {c}" for c in checks]
    return "\n".join(lines)


def rabbit_version() -> str:
    found = subprocess.run(
        ["rabbitmqctl", "version"], capture_output=True, text=True, timeout=60
    ).stdout.strip()
    return f"RabbitMQ {found}" if found else "RabbitMQ"


async def run(infra: Infra) -> str:
    await declare_topology(infra.amqp_url)
    print("Bounds …", flush=True)
    publish, consume = await broker_bounds(infra.amqp_url)
    client = connect(infra.mongo_url, app_name="bench")
    bounds = [publish, consume, *await database_bounds(client, infra.db_prefix)]
    await client.close()
    print("Pipelines …", flush=True)
    rows, memory, checks = await pipelines(infra, Path(tempfile.mkdtemp(prefix="nghedan-bench-")))
    print("Each pipeline's transactions, bare …", flush=True)
    client = connect(infra.mongo_url, app_name="bench")
    try:
        for bare in bare_pipelines.PIPELINES:
            rate = await bare_pipelines.bound(client, infra.db_prefix, bare)
            for row in rows:
                if bare_pipelines.bare_of(row.name) is bare:
                    row.bound = rate
    finally:
        await client.close()
    print("  the announcement …", flush=True)
    rows.append(announcement_row())
    return table(bounds, rows, memory, checks)


def main() -> None:
    configure_logging("bench", "WARNING")
    started = time.monotonic()
    with bench_infra() as infra:
        report = asyncio.run(run(infra))
    report += f"\n\nThe pipelines took {time.monotonic() - started:.0f} s.\n"
    print(report)
    out = Path("test-artifacts")
    out.mkdir(exist_ok=True)
    (out / "bench.md").write_text(report, encoding="utf-8")
    if "FAILED" in report:
        raise SystemExit("make bench: a step failed (see its row above); the others were measured")


if __name__ == "__main__":
    main()
