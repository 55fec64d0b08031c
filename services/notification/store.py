"""The only place notification talks to its database: messages, rate windows, people's
preferences, and what it knows of conferences (their legal deadlines)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notification.domain import FINAL, Message
from shared.storage import Database, Document, DuplicateKeyError, record_document
from shared.storage import Session as DbSession

RELEASE_BATCH = 200  # held messages put back in line per tick


async def ensure_indexes(db: Database) -> None:
    messages = db["messages"]
    await messages.create_index([("status", 1), ("not_before", 1)])
    await messages.create_index([("created_at", -1)])
    await messages.create_index([("provider_ref", 1)])
    await messages.create_index([("cause_id", 1)])


FIELDS = {f.name for f in dataclasses.fields(Message)}


def message_from_doc(doc: Document) -> Message:
    data = {k: v for k, v in doc.items() if k in FIELDS}
    data["id"] = doc["_id"]
    if data.get("payload") is not None:
        data["payload"] = bytes(data["payload"])
    return Message(**data)


def _doc(message: Message) -> Document:
    doc = record_document(message)
    doc["_id"] = doc.pop("id")
    return doc


@dataclass(frozen=True)
class Store:
    """Notification's storage; bound to one transaction's session, or to none (a read, a
    provider's call outside any transaction)."""

    db: Database
    tx: DbSession | None = None  # the transaction (None: outside any)

    # ---- messages ------------------------------------------------------------------------------

    @staticmethod
    def _expired(cutoff: datetime) -> Document:
        return {
            "status": {"$in": list(FINAL)},
            "created_at": {"$lt": cutoff},
            "payload": {"$ne": None},
        }

    async def count_expired(self, cutoff: datetime) -> int:
        """Messages done with, made before `cutoff`, whose recipient and text are still kept."""
        return await self.db["messages"].count_documents(self._expired(cutoff), session=self.tx)

    async def erase_expired(self, cutoff: datetime, limit: int) -> int:
        """The recipient and text of at most `limit` messages done with and created before
        `cutoff` erased (status, history and keyed references stay); how many."""
        query = self.db["messages"].find(self._expired(cutoff), {"_id": 1}, session=self.tx)
        found = query.limit(limit)
        codes = [doc["_id"] async for doc in found]
        for message_id in codes:
            await self.db["messages"].update_one(
                {"_id": message_id},
                {"$set": {"payload": None, "erased_at": cutoff}},
                session=self.tx,
            )
        return len(codes)

    async def message(self, message_id: str) -> Message | None:
        found = await self.db["messages"].find_one({"_id": message_id}, session=self.tx)
        return message_from_doc(found) if found else None

    async def has_message(self, message_id: str) -> bool:
        found = await self.db["messages"].find_one({"_id": message_id}, {"_id": 1}, session=self.tx)
        return found is not None

    async def add_message(self, message: Message) -> None:
        await self.db["messages"].insert_one(_doc(message), session=self.tx)

    async def save_message(self, message: Message) -> None:
        await self.db["messages"].replace_one({"_id": message.id}, _doc(message), session=self.tx)

    async def claim(self, message: Message, attempt: str, now: datetime) -> Message | None:
        """Take a message for one attempt, if nobody moved it since it was read.

        A guarded `update_one`, then the message read back by its id: the embedded server answers
        a `findAndModify` with conditions beside the id by scanning every message (the soak saw
        it take 0.3–1 s each at 6,000 messages, four fifths of the server's time), while an
        update or a read by id goes straight to the document."""
        claimed = await self.db["messages"].update_one(
            {"_id": message.id, "status": message.status, "attempts": message.attempts},
            {
                "$set": {"status": "sending", "claimed_by": attempt, "claimed_at": now},
                "$inc": {"attempts": 1},
            },
        )
        if claimed.modified_count != 1:
            return None  # another attempt moved it first
        found = await self.db["messages"].find_one({"_id": message.id})
        return message_from_doc(found) if found and found.get("claimed_by") == attempt else None

    async def held_until(self, now: datetime) -> list[str]:
        """Held messages whose time has come, the longest held first."""
        due = (
            self.db["messages"]
            .find({"status": "held", "not_before": {"$lte": now}}, {"_id": 1})
            .sort("not_before", 1)
            .limit(RELEASE_BATCH)
        )
        return [row["_id"] async for row in due]

    async def reported(self, channel: str, provider_ref: str) -> Message | None:
        """The message a provider's delivery report is about (its reference, or our key)."""
        query = {"channel": channel, "$or": [{"provider_ref": provider_ref}, {"_id": provider_ref}]}
        found = await self.db["messages"].find_one(query, session=self.tx)
        return message_from_doc(found) if found else None

    def recent(self, query: dict[str, Any], limit: int) -> AsyncIterator[Document]:
        return self.db["messages"].find(query).sort("created_at", -1).limit(limit)

    def states(self) -> AsyncIterator[Document]:
        return self.db["messages"].find({}, {"template": 1, "status": 1})

    async def delivered_invitation(self) -> Document | None:
        query = {"template": "delegate_invitation", "status": "delivered"}
        return await self.db["messages"].find_one(query, {"provider_ref": 1})

    # ---- rate windows ---------------------------------------------------------------------------
    # Not the `limits` library (which the Open311 door uses): a provider's rate is one budget for
    # every notification instance, so the count lives in the shared database, and its windows
    # follow the platform's clock (tests and `nghedan clock` move it), not the machine's; limits'
    # MongoDB storage needs motor, which reached its end of life.

    async def take_from_window(self, window: str, expires_at: datetime) -> int:
        """Count one more message in a rate window; how many it holds now, this one included.

        Not an upsert: concurrent upserts of a new window may answer without the document
        (SecantusDB was seen to) while still counting, so the window is created first, once.
        """
        windows = self.db["rate_windows"]
        for _ in range(2):
            found = await windows.find_one_and_update(
                {"_id": window}, {"$inc": {"count": 1}}, return_document=True
            )
            if found is not None:
                return int(found["count"])
            try:
                await windows.insert_one({"_id": window, "count": 0, "expires_at": expires_at})
            except DuplicateKeyError:
                pass  # another attempt created it first
        raise RuntimeError(f"rate window {window} could not be counted")

    # ---- preferences -----------------------------------------------------------------------------

    async def opted_out(self, refs: list[str]) -> bool:
        found = await self.db["preferences"].find_one(
            {"_id": {"$in": refs}, "opt_out": True}, session=self.tx
        )
        return found is not None

    async def set_preference(self, refs: list[str], fields: dict[str, Any]) -> None:
        """Kept under the current look-up hash (`refs[0]`), and set on any kept under a retired
        one, so an earlier opt-out is never left standing against a later choice."""
        await self.db["preferences"].update_one(
            {"_id": refs[0]}, {"$set": fields}, upsert=True, session=self.tx
        )
        if refs[1:]:
            await self.db["preferences"].update_many(
                {"_id": {"$in": refs[1:]}}, {"$set": fields}, session=self.tx
            )

    # ---- conferences ------------------------------------------------------------------------------

    async def conference(self, session_id: str) -> Document | None:
        return await self.db["sessions"].find_one({"_id": session_id}, session=self.tx)

    async def keep_conference(self, session_id: str, fields: dict[str, Any]) -> None:
        await self.db["sessions"].update_one(
            {"_id": session_id}, {"$set": fields}, upsert=True, session=self.tx
        )
