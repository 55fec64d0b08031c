"""The one place that knows PyMongo: client factory, transactions, the outbox and inbox collections."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from pymongo import ASCENDING, AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

T = TypeVar("T")
Session = AsyncClientSession
Document = dict[str, Any]

__all__ = [
    "ASCENDING",
    "Database",
    "Document",
    "DuplicateKeyError",
    "PyMongoError",
    "ReturnDocument",
    "Session",
    "connect",
    "record_document",
    "upserted",
]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):  # a copy: the stored form may be changed (sealed) in place
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


TRANSIENT = ("events", "notices")  # what a step raised, for its handler: never kept


def record_document(record: Any) -> Document:
    """A domain record's fields as stored (a day as ISO text); the events it raised are
    published and the notices it requires given, never kept."""
    return {
        f.name: _plain(getattr(record, f.name))
        for f in dataclasses.fields(record)
        if f.name not in TRANSIENT
    }


def upserted(doc: Document | None) -> Document:
    """The document an upsert returned AFTER its change: there is always one."""
    if doc is None:
        raise RuntimeError("an upsert returned no document")
    return doc


IDLE_CONNECTION_MS = 120_000


def connect(url: str, *, app_name: str) -> AsyncMongoClient[Document]:
    """A client with majority writes and reads, as the outbox's guarantees need."""
    return AsyncMongoClient(
        url,
        appname=app_name,
        w="majority",
        readConcernLevel="majority",
        tz_aware=True,
        serverSelectionTimeoutMS=10_000,
        # The embedded server closes a connection idle for 300 s (SecantusDB's client idle
        # timeout, logged only at DEBUG); the pool lets one go first, so a command after a quiet
        # spell never meets a closed socket (`make bench` lost a serverStatus that way).
        maxIdleTimeMS=IDLE_CONNECTION_MS,
    )


class Database:
    """A service's own database: its collections, and transactions that retry as the drivers do."""

    def __init__(self, client: AsyncMongoClient[Document], name: str) -> None:
        self.client = client
        self.db: AsyncDatabase[Document] = client[name]
        self.outbox = self.db["outbox"]
        self.inbox = self.db["inbox"]

    def __getitem__(self, collection: str) -> AsyncCollection[Document]:
        return self.db[collection]

    async def ensure_indexes(self) -> None:
        # The sender is part of the key: another system reusing a source+id is not a duplicate
        # of the first, so it can neither pre-empt a command nor read its outcome.
        await self.inbox.create_index(
            [("sender", ASCENDING), ("source", ASCENDING), ("id", ASCENDING)],
            unique=True,
            name="sender_source_id_unique",
        )
        if "source_id_unique" in await self.inbox.index_information():
            await self.inbox.drop_index("source_id_unique")  # the key of earlier versions
        await self.outbox.create_index(
            [("created_at", ASCENDING), ("order", ASCENDING)], name="in_order"
        )
        if "pending_in_order" in await self.outbox.index_information():
            await self.outbox.drop_index("pending_in_order")  # earlier rows had a `status` too

    async def transaction(self, work: Callable[[Session], Awaitable[T]]) -> T:
        """Run `work` in one transaction; TransientTransactionError (e.g. WriteConflict) retries it."""
        async with self.client.start_session() as session:
            return await session.with_transaction(
                work, read_concern=ReadConcern("snapshot"), write_concern=WriteConcern("majority")
            )

    async def ping(self) -> bool:
        try:
            await self.client.admin.command("ping")
        except PyMongoError:
            return False
        return True

    async def next_value(self, session: Session, counter: str) -> int:
        """The next number of a counter, in the caller's transaction: it commits or aborts with it."""
        doc = await self.db["counters"].find_one_and_update(
            {"_id": counter},
            {"$inc": {"value": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        return int(upserted(doc)["value"])

    # --- outbox ---------------------------------------------------------------------------

    async def add_to_outbox(self, session: Session, rows: list[Document]) -> None:
        if rows:
            await self.outbox.insert_many(rows, session=session, ordered=True)

    async def claim_outgoing(self, lease: timedelta, owner: str, limit: int) -> list[Document]:
        """Up to `limit` of the oldest rows nobody holds, leased to `owner`, in their order.

        Three round trips for a whole batch: the candidates, the lease (only on rows still free,
        so two relays never hold the same row), and the rows this relay got."""
        order = [("created_at", ASCENDING), ("order", ASCENDING)]
        while True:  # until nothing is free, or this relay got some (another took these first)
            now = datetime.now(UTC)
            free = {"lease_until": {"$lt": now}}  # a row is deleted once published
            candidates = [
                doc["_id"]
                async for doc in self.outbox.find(free, {"_id": 1}, sort=order, limit=limit)
            ]
            if not candidates:
                return []
            claim = uuid.uuid4().hex  # this claim's own mark: which of the candidates it got
            await self.outbox.update_many(
                free | {"_id": {"$in": candidates}},
                {"$set": {"lease_until": now + lease, "lease_owner": owner, "lease_claim": claim}},
            )
            mine = {"_id": {"$in": candidates}, "lease_claim": claim}
            if got := [doc async for doc in self.outbox.find(mine, sort=order)]:
                return got

    async def forget_outgoing_many(self, row_ids: list[str]) -> None:
        if row_ids:
            await self.outbox.delete_many({"_id": {"$in": row_ids}})

    async def release_outgoing(self, row_id: str, error: str) -> None:
        await self.outbox.update_one(
            {"_id": row_id},
            {
                "$set": {"lease_until": datetime.now(UTC), "last_error": error},
                "$inc": {"attempts": 1},
            },
        )

    async def first_time(self, session: Session, collection: str, key: str, **fields: Any) -> bool:
        """True the first time `key` is marked in `collection` (with `fields`), in the caller's
        transaction: what makes a time-driven rule or a reaction happen once."""
        marks = self[collection]
        if await marks.find_one({"_id": key}, session=session):
            return False
        await marks.insert_one({"_id": key, **fields}, session=session)
        return True

    async def count_pending(self) -> int:
        return await self.outbox.count_documents({})

    # --- inbox ----------------------------------------------------------------------------

    async def claim_inbox(
        self,
        session: Session,
        sender: str | None,
        source: str,
        event_id: str,
        event_type: str,
        outcome: Document | None = None,
    ) -> None:
        """Mark an incoming message handled; DuplicateKeyError means it was handled before.
        `sender`: the broker-verified user of a command; None for the platform's own events (as
        in inboxes written before the sender was kept)."""
        await self.inbox.insert_one(
            {
                "sender": sender,
                "source": source,
                "id": event_id,
                "type": event_type,
                "received_at": datetime.now(UTC),
                "outcome": outcome,
            },
            session=session,
        )

    async def inbox_entries(
        self, session: Session, sender: str | None, source: str, ids: list[str]
    ) -> dict[str, Document]:
        """The entries already there for these ids, by id, read in the caller's transaction."""
        found = self.inbox.find(
            {"sender": sender, "source": source, "id": {"$in": ids}}, session=session
        )
        return {doc["id"]: doc async for doc in found}

    async def claim_inbox_many(self, session: Session, entries: list[Document]) -> None:
        """Several `claim_inbox` in one round trip (each entry: sender, source, id, type, outcome)."""
        if entries:
            now = datetime.now(UTC)
            await self.inbox.insert_many(
                [entry | {"received_at": now} for entry in entries], session=session, ordered=True
            )

    async def inbox_entry(self, sender: str | None, source: str, event_id: str) -> Document | None:
        return await self.inbox.find_one({"sender": sender, "source": source, "id": event_id})
