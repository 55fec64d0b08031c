"""Reporting's own collections: the record of every event, the things' states and the figures."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from services.reporting import projections as p
from shared.messaging.outbox import UnitOfWork
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

    async def project(
        self,
        key: str,
        data: dict[str, Any],
        tx: DbSession | None,
        uow: UnitOfWork | None = None,
    ) -> Document | None:
        """Apply one event to the thing it is about, in the database transaction `tx` ("session"
        here is always a conference), and move the figures by the difference;
        the thing as it now stands (None when no read model cares about this event). With a unit
        of work, the figures' differences of all its events are written once, before it commits."""
        target = p.ENTITY_OF.get(key)
        if target is None:
            return None
        data = p.as_plain(data)
        model, field = target
        moves = self._gathered(uow) if uow else None
        thing = await self._update(model, data[field], key, data, tx, moves)
        if key == "intake.issue.merged.v1":
            await self._update("issues", data["merged_into"], p.RAISED, data, tx, moves)
        return thing

    def _gathered(self, uow: UnitOfWork) -> dict[str, Counter[str]]:
        """The figures' differences gathered in this unit of work, written once before it flushes."""
        name = f"figures:{self.prefix}"
        if name not in uow.scratch:
            moves: defaultdict[str, Counter[str]] = defaultdict(Counter)
            uow.scratch[name] = moves

            async def write() -> None:
                for doc, counts in moves.items():
                    await self._move(doc, counts, uow.session)

            uow.before_flush.append(write)
        gathered: dict[str, Counter[str]] = uow.scratch[name]
        return gathered

    async def _move(self, doc: str, counts: Counter[str], tx: DbSession | None) -> None:
        counts = Counter({k: n for k, n in counts.items() if n})
        if counts:
            await self.figures.update_one(
                {"_id": doc},
                {"$inc": {f"c.{name}": n for name, n in counts.items()}},
                upsert=True,
                session=tx,
            )

    async def _update(
        self,
        model: str,
        entity: str,
        key: str,
        data: dict[str, Any],
        tx: DbSession | None,
        moves: dict[str, Counter[str]] | None = None,
    ) -> Document:
        collection = self.collection(model)
        found = await collection.find_one({"_id": entity}, session=tx)
        old = {k: v for k, v in found.items() if k != "_id"} if found else None
        new = p.apply(key, old, data)
        if new == old:
            return {"_id": entity, **new}
        await collection.replace_one(
            {"_id": entity}, {"_id": entity, **new}, upsert=True, session=tx
        )
        for doc, counts in p.delta(model, old, new).items():
            if moves is not None:
                moves[doc].update(counts)  # Counter.update adds
            else:
                await self._move(doc, counts, tx)
        return {"_id": entity, **new}

    async def drop(self) -> None:
        for model in (*MODELS, "figures"):
            await self.db[f"{self.prefix}{model}"].drop()

    async def rebuild_from(self, event_log: AsyncCollection[Document]) -> int:
        """Every read model again, from reporting's own record of the events, in arrival order."""
        await self.drop()
        replayed = 0
        async for row in event_log.find({}).sort("_id", ASCENDING):
            key = row["type"].removeprefix("vn.nghedan.")
            await self.project(key, row["data"], None)
            replayed += 1
        return replayed

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


async def compare_with_rebuild(db: Database) -> tuple[int, list[str]]:
    """Rebuild the read models beside the live ones (prefix `rb_`) and name the figures that
    differ: none, when the live ones were kept right event by event. Events keep coming while
    the platform runs: the comparison is made again until no event was recorded during it (the
    live figures and the record move in one transaction, so then they agree)."""
    live, rebuilt = ReadModels(db), ReadModels(db, prefix="rb_")
    log = db["event_log"]
    while True:  # an event recorded meanwhile moved the live figures: compare again, without it
        recorded = await log.count_documents({})
        replayed = await rebuilt.rebuild_from(log)
        now, again = await live.all_figures(), await rebuilt.all_figures()
        if await log.count_documents({}) == recorded:
            break
    return replayed, sorted(k for k in set(now) | set(again) if now.get(k) != again.get(k))


# --- the announcements issued and the record of events ------------------------------------------


@dataclass(frozen=True)
class Record:
    """The announcements issued and the record of every event, bound to one transaction's
    session (or to none, for a read outside one)."""

    db: Database
    s: DbSession | None = None

    async def announcement(self, session_id: str) -> Document | None:
        return await self.db["announcements"].find_one({"_id": session_id}, session=self.s)

    async def keep_announcement(self, doc: Document) -> None:
        await self.db["announcements"].insert_one(doc, session=self.s)

    async def announcements(self, session_id: str | None) -> list[Document]:
        """Every announcement issued (or one), in the order of their sessions."""
        query = {"_id": session_id} if session_id else {}
        found = self.db["announcements"].find(query, session=self.s).sort("_id", 1)
        return [doc async for doc in found]

    async def conference_notice(self, key: str) -> Document | None:
        """The notice issued for a conference on one date (`<session>:<starts_at>`)."""
        return await self.db["conference_notices"].find_one({"_id": key}, session=self.s)

    async def keep_conference_notice(self, doc: Document) -> None:
        await self.db["conference_notices"].insert_one(doc, session=self.s)

    async def record_events(self, rows: list[Document]) -> None:
        await self.db["event_log"].insert_many(rows, ordered=True, session=self.s)


async def ensure_event_log_index(db: Database) -> None:
    await db["event_log"].create_index([("type", ASCENDING), ("time", ASCENDING)], name="type_time")


async def event_counts(db: Database) -> dict[str, int]:
    pipeline = [{"$group": {"_id": "$type", "n": {"$sum": 1}}}]
    counts = {doc["_id"]: doc["n"] async for doc in await db["event_log"].aggregate(pipeline)}
    return dict(sorted(counts.items()))
