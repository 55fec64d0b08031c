"""Each pipeline's bound: the transactions its services must run for one item, as bare PyMongo
transactions in sequence, measured in the same run as the pipeline.

Each step stands for one service's transaction for the item, with the reads and writes its
handler and store make (read from `services/*/handlers.py` and `store.py`), on the same indexes,
without the broker, the rules, the sealing or the messages around it. Work a pipeline does beyond
them (broker hops, parsing, retries, extra reads) lowers its ratio to the bound and can never
raise it; the operations per item stay in the table as a diagnosis."""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from services.intake import store as intake_store
from services.intake.domain.issues import OPEN
from services.notification import store as notification_store
from services.registration import store as registration_store
from services.reporting.store import ensure_event_log_index
from shared.storage import Database

Step = Callable[[Database, Any, int], Awaitable[None]]
VILLAGES = ("LL", "T02", "T03", "T04", "T05", "T06")


async def _inbox_and_outbox(db: Database, s: Any, rows: int) -> None:
    """What every handled message costs: its inbox mark, and the rows it leaves to publish."""
    await db.claim_inbox(s, None, "/bench", uuid.uuid4().hex, "t", {"status": "accepted"})
    if rows:
        await db.outbox.insert_many([{"_id": uuid.uuid4().hex} for _ in range(rows)], session=s)


async def _registration(db: Database, s: Any, tag: str, i: int) -> None:
    """One person's registration: the conference, the person's registration if any, the
    conference's counts, the registration."""
    await db["sessions"].find_one({"_id": tag}, session=s)
    await db["registrations"].find_one({"session_id": tag, "citizen_hash": str(i)}, session=s)
    await db["sessions"].update_one(
        {"_id": tag}, {"$inc": {"version": 1, "confirmed": 1}}, upsert=True, session=s
    )
    code = f"{tag}-{i}-{uuid.uuid4().hex[:4]}"
    await db["registrations"].insert_one(
        {"_id": code, "code": code, "session_id": tag, "seq": i, "citizen_hash": str(i)},
        session=s,
    )


async def register(db: Database, s: Any, i: int) -> None:
    """Registration takes one command: the registration; its event and the invitation's request."""
    await _registration(db, s, "bare", i)
    await _inbox_and_outbox(db, s, 2)


async def request_message(db: Database, s: Any, i: int) -> None:
    """Notification takes a request: the message if known, the person's preference, the message;
    the delivery task."""
    key = f"m-{i}"
    await db["messages"].find_one({"_id": key}, session=s)
    await db["preferences"].find_one({"_id": {"$in": [f"p-{i}"]}}, session=s)
    await db["messages"].insert_one({"_id": key, "status": "queued", "n": i}, session=s)
    await _inbox_and_outbox(db, s, 1)


async def deliver_message(db: Database, s: Any, i: int) -> None:
    """Notification sends it: the message claimed (a guarded update, read back by id), then its
    outcome and the status event."""
    key = f"m-{i}"
    await db["messages"].update_one(
        {"_id": key, "status": "queued"}, {"$set": {"status": "sending"}}, session=s
    )
    await db["messages"].find_one({"_id": key}, session=s)
    await db["messages"].update_one({"_id": key}, {"$set": {"status": "delivered"}}, session=s)
    await _inbox_and_outbox(db, s, 1)


async def record_event(db: Database, s: Any, i: int) -> None:
    """Reporting applies one event: its inbox mark, its line in the record, the figures it moves
    (the conference's or the period's, and the totals)."""
    await db.claim_inbox(s, None, "/bench", uuid.uuid4().hex, "t")
    await db["event_log"].insert_one({"_id": uuid.uuid4().hex, "n": i}, session=s)
    for figures in (f"session:{i % 3}", "period:2026"):
        await db["r_figures"].update_one(
            {"_id": figures}, {"$inc": {"c.total": 1}}, upsert=True, session=s
        )


def record_events(size: int) -> Step:
    """Reporting catching up: a batch of `size` events in one transaction, as its consumer
    applies a backlog (EVENT_BATCH_SIZE), one per `size` items."""

    async def step(db: Database, s: Any, i: int) -> None:
        if i % size:
            return  # the batch's transaction carried this event already
        ids = [uuid.uuid4().hex for _ in range(size)]
        for n, event_id in enumerate(ids):
            await db.claim_inbox(s, None, "/bench", event_id, "t")
            for figures in (f"session:{(i + n) % 3}", "period:2026"):
                await db["r_figures"].update_one(
                    {"_id": figures}, {"$inc": {"c.total": 1}}, upsert=True, session=s
                )
        await db["event_log"].insert_many([{"_id": e} for e in ids], session=s)

    return step


async def submit(db: Database, s: Any, i: int) -> None:
    """Intake takes a submission: the tracking number, the open issues that may be its repeat,
    the issue, the conferences to come and the agenda's mark; its events."""
    number = await db["counters"].find_one_and_update(
        {"_id": "tracking:TT:2026"}, {"$inc": {"value": 1}}, upsert=True, session=s
    )
    village, topic = VILLAGES[i % len(VILLAGES)], "socio_economic"
    for status in OPEN:  # one equality query per open state, as intake's store asks
        query = {"village_code": village, "topic": topic, "status": status}
        await db["issues"].find(query, session=s).to_list(None)
    code = f"TT-2026-{(number or {}).get('value', 0):05d}-{uuid.uuid4().hex[:4]}"
    issue = {"_id": code, "village_code": village, "topic": topic, "status": "classified"}
    await db["issues"].insert_one(issue, session=s)
    await db["sessions"].find({"status": "scheduled"}, {"_id": 1}, session=s).to_list(10)
    await db["agenda_marks"].update_one(
        {"_id": f"S:{code}"}, {"$set": {"session_id": "S"}}, upsert=True, session=s
    )
    await _inbox_and_outbox(db, s, 2)


def import_list(size: int) -> Step:
    """Registration takes a list of `size` rows in one transaction (one per `size` items): its unit
    of work reads the conference once and writes it once; each row, the person looked for and the
    registration written."""

    async def step(db: Database, s: Any, i: int) -> None:
        if i % size:
            return  # the list's transaction carried this row already
        tag = "bare-list"
        await db["sessions"].find_one({"_id": tag}, session=s)
        for row in range(i, i + size):
            await db["registrations"].find_one(
                {"session_id": tag, "citizen_hash": str(row)}, session=s
            )
            code = f"{tag}-{row}-{uuid.uuid4().hex[:4]}"
            await db["registrations"].insert_one(
                {
                    "_id": code,
                    "code": code,
                    "session_id": tag,
                    "seq": row,
                    "citizen_hash": str(row),
                },
                session=s,
            )
        await db["sessions"].update_one(
            {"_id": tag}, {"$inc": {"version": 1, "confirmed": size}}, upsert=True, session=s
        )
        entries = [{"sender": "b", "source": "/bench", "id": uuid.uuid4().hex} for _ in range(size)]
        await db.inbox.insert_many(entries, session=s)
        await db.outbox.insert_many([{"_id": uuid.uuid4().hex} for _ in range(size)], session=s)

    return step


@dataclass(frozen=True)
class Bare:
    """A pipeline's steps, one service's transaction each, for one item."""

    name: str
    steps: tuple[Step, ...]
    items: int = 200  # how many go through, bare (a whole number of lists or batches)


# The pipelines of `make bench`, by the start of their row's name.
PIPELINES = (
    Bare(
        "registration → invitation file",
        (register, request_message, deliver_message, record_event, record_event),
    ),
    Bare("submission", (submit, record_event, record_event)),
    Bare("-row import", (import_list(50), record_event), items=1000),
    Bare("reporting catching up", (record_events(32),), items=2048),
)


def bare_of(row_name: str) -> Bare | None:
    return next((b for b in PIPELINES if b.name in row_name), None)


async def bound(client: Any, prefix: str, bare: Bare) -> float:
    """Items a second through the bare steps, in sequence, on a database of their own made with
    the services' indexes; each step one transaction, as each service commits its own."""
    db = Database(client, f"{prefix}bare_{uuid.uuid4().hex[:6]}")
    await db.ensure_indexes()
    for ensure in (
        registration_store.ensure_indexes,
        intake_store.ensure_indexes,
        notification_store.ensure_indexes,
        ensure_event_log_index,
    ):
        await ensure(db)
    items = bare.items
    try:
        started = time.perf_counter()
        for i in range(items):
            for step in bare.steps:
                await db.transaction(functools.partial(step, db, i=i))
        return items / (time.perf_counter() - started)
    finally:
        await client.drop_database(db.db.name)
