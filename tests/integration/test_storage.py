"""The storage our outbox and inbox stand on, on the real wire server: transactions under contention."""

import asyncio
import uuid

import pytest

from shared.storage import Database, DuplicateKeyError, connect
from tests.when import wall_now


@pytest.fixture
async def database(infra):
    client = connect(infra.mongo_url, app_name="tests")
    db = Database(client, infra.db_name(f"storage_{uuid.uuid4().hex[:6]}"))
    await db.ensure_indexes()
    yield db
    await client.drop_database(db.db.name)
    await client.close()


async def test_twenty_transactions_racing_for_one_inbox_key_leave_exactly_one_winner(database):
    async def attempt(n: int) -> str:
        async def work(session):
            await database.claim_inbox(session, None, "/race", "event-1", "t")
            await database["counters"].update_one(
                {"_id": "k"},
                {"$inc": {"applied": 1}, "$set": {"winner": n}},
                upsert=True,
                session=session,
            )

        try:
            await database.transaction(work)
        except DuplicateKeyError:
            return "duplicate"
        return f"won:{n}"

    results = await asyncio.gather(*(attempt(n) for n in range(20)))
    winners = [r for r in results if r.startswith("won")]
    assert len(winners) == 1 and results.count("duplicate") == 19
    doc = await database["counters"].find_one({"_id": "k"})
    assert doc["applied"] == 1 and f"won:{doc['winner']}" == winners[0]
    assert await database.inbox.count_documents({"source": "/race"}) == 1


async def test_uncommitted_writes_are_invisible_to_other_sessions_and_an_abort_keeps_nothing(
    database,
):
    seen_outside = []

    async def work(session):
        await database["things"].insert_one({"_id": "draft"}, session=session)
        await database.add_to_outbox(session, [{"_id": "o1", "lease_until": wall_now()}])
        seen_outside.append(await database["things"].find_one({"_id": "draft"}))
        raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        await database.transaction(work)
    assert seen_outside == [None]
    assert await database["things"].find_one({"_id": "draft"}) is None
    assert await database.outbox.count_documents({}) == 0


async def test_concurrent_counter_increments_in_transactions_lose_no_update(database):
    async def bump():
        async def work(session):
            doc = await database["counters"].find_one({"_id": "seq"}, session=session) or {"v": 0}
            await database["counters"].update_one(
                {"_id": "seq"}, {"$set": {"v": doc["v"] + 1}}, upsert=True, session=session
            )

        await database.transaction(work)

    await asyncio.gather(*(bump() for _ in range(15)))
    assert (await database["counters"].find_one({"_id": "seq"}))["v"] == 15
