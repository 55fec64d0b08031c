"""Reporting's own collections: the record of every event, the things' states and the figures."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from shared.storage import ASCENDING, Database, Document
from shared.storage import Session as DbSession

MODELS = ("sessions", "delegates", "issues", "messages")


class ReadModels:
    """The read models under one prefix: `r_` is live; a rebuild writes beside it and compares."""

    def __init__(self, db: Database, prefix: str = "r_") -> None:
        self.db, self.prefix = db, prefix

    def collection(self, model: str) -> AsyncCollection[Document]:
        return self.db[f"{self.prefix}{model}"]

    @property
    def figures(self) -> AsyncCollection[Document]:
        return self.db[f"{self.prefix}figures"]

    # ---- what the pages and the announcement read ---------------------------------------------

    async def session(self, session_id: str) -> Document | None:
        return await self.collection("sessions").find_one({"_id": session_id})

    async def sessions(self) -> list[Document]:
        """Every conference, the newest first."""
        return [s async for s in self.collection("sessions").find({}).sort("_id", -1)]

    async def issues(self, codes: list[str]) -> dict[str, Document]:
        found = self.collection("issues").find({"_id": {"$in": codes}})
        return {i["_id"]: i async for i in found}

    async def matters(self, session_id: str, excluded: tuple[str, ...]) -> list[Document]:
        """The issues taken up at a conference, but those in the `excluded` states, by code."""
        query = {"session_id": session_id, "state": {"$nin": list(excluded)}}
        return [i async for i in self.collection("issues").find(query).sort("_id", 1)]

    async def concluded_at(self, session_id: str) -> list[Document]:
        """The issues a conference concluded with a deadline, by code."""
        query = {"session_id": session_id, "deadline": {"$exists": True}}
        return [i async for i in self.collection("issues").find(query).sort("_id", 1)]

    async def running_cases(self) -> list[Document]:
        """Complaints and denunciations whose legal clocks still run."""
        return [i async for i in self.collection("issues").find({"case.running": True})]

    async def periods(self) -> list[str]:
        """The periods with figures, the latest first."""
        found = [d["_id"] async for d in self.figures.find({}, {"_id": 1})]
        return sorted(
            (f.removeprefix("period:") for f in found if f.startswith("period:")), reverse=True
        )

    async def overdue_in(self, period: str) -> list[Document]:
        query = {"period": period, "overdue": True}
        return [i async for i in self.collection("issues").find(query).sort("_id", 1)]

    async def ensure_indexes(self) -> None:
        await self.collection("delegates").create_index([("session_id", ASCENDING)])
        await self.collection("issues").create_index([("period", ASCENDING)])
        await self.collection("issues").create_index([("session_id", ASCENDING)])

    async def thing(self, model: str, entity: str, tx: DbSession | None) -> Document | None:
        """A thing's state in one read model, without its id (None: not known yet)."""
        found = await self.collection(model).find_one({"_id": entity}, session=tx)
        return {k: v for k, v in found.items() if k != "_id"} if found else None

    async def put(self, model: str, entity: str, state: Document, tx: DbSession | None) -> None:
        await self.collection(model).replace_one(
            {"_id": entity}, {"_id": entity, **state}, upsert=True, session=tx
        )

    async def add_to_figures(self, moves: dict[str, Counter[str]], tx: DbSession | None) -> None:
        """The figures moved by these differences, one write per figures document."""
        for doc, counts in moves.items():
            counts = Counter({k: n for k, n in counts.items() if n})
            if counts:
                await self.figures.update_one(
                    {"_id": doc},
                    {"$inc": {f"c.{name}": n for name, n in counts.items()}},
                    upsert=True,
                    session=tx,
                )

    async def drop(self) -> None:
        for model in (*MODELS, "figures"):
            await self.db[f"{self.prefix}{model}"].drop()

    async def figures_of(self, doc: str) -> dict[str, Any]:
        found: Document | None = await self.figures.find_one({"_id": doc})
        return _without_zeros((found or {}).get("c", {}))

    async def all_figures(self) -> dict[str, Any]:
        return {d["_id"]: _without_zeros(d.get("c", {})) async for d in self.figures.find({})}


def _without_zeros(tree: dict[str, Any]) -> dict[str, Any]:
    """Counters that went back to 0 are left out, so equal figures compare equal."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            inner = _without_zeros(value)
            if inner:
                out[key] = inner
        elif value:
            out[key] = value
    return out


# --- the announcements issued and the record of events ------------------------------------------


@dataclass(frozen=True)
class Record:
    """The announcements issued and the record of every event, bound to one transaction's
    session (or to none, for a read outside one)."""

    db: Database
    tx: DbSession | None = None  # the transaction (None: outside any)

    async def announcement(self, session_id: str) -> Document | None:
        return await self.db["announcements"].find_one({"_id": session_id}, session=self.tx)

    async def keep_announcement(self, doc: Document) -> None:
        await self.db["announcements"].insert_one(doc, session=self.tx)

    async def announcements(self, session_id: str | None) -> list[Document]:
        """Every announcement issued (or one), in the order of their sessions."""
        query = {"_id": session_id} if session_id else {}
        found = self.db["announcements"].find(query, session=self.tx).sort("_id", 1)
        return [doc async for doc in found]

    async def conference_notice(self, key: str) -> Document | None:
        """The notice issued for a conference on one date (`<session>:<starts_at>`)."""
        return await self.db["conference_notices"].find_one({"_id": key}, session=self.tx)

    async def keep_conference_notice(self, doc: Document) -> None:
        await self.db["conference_notices"].insert_one(doc, session=self.tx)

    async def record_events(self, rows: list[Document]) -> None:
        await self.db["event_log"].insert_many(rows, ordered=True, session=self.tx)

    def events_in_order(self) -> AsyncIterator[Document]:
        """Every event recorded, in the order it arrived."""
        return self.db["event_log"].find({}, session=self.tx).sort("_id", ASCENDING)

    async def count_events(self) -> int:
        return await self.db["event_log"].count_documents({}, session=self.tx)


async def ensure_event_log_index(db: Database) -> None:
    await db["event_log"].create_index([("type", ASCENDING), ("time", ASCENDING)], name="type_time")


async def event_counts(db: Database) -> dict[str, int]:
    pipeline = [{"$group": {"_id": "$type", "n": {"$sum": 1}}}]
    counts = {doc["_id"]: doc["n"] async for doc in await db["event_log"].aggregate(pipeline)}
    return dict(sorted(counts.items()))
