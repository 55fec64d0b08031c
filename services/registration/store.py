"""Registration's collections: sessions, registrations (personal fields encrypted) and counters."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

from services.registration.domain.model import Conference, Registration, Sitting
from shared.crypto import FieldCipher
from shared.storage import ASCENDING, Database, Document
from shared.storage import Session as DbSession

PERSONAL_FIELDS = ("full_name", "citizen_id", "date_of_birth", "phone", "email", "position")
ACTIVE_STATUSES = ("confirmed", "waiting")


class ConcurrentUpdate(RuntimeError):
    """Another transaction changed the session first; the message is retried."""


async def ensure_indexes(db: Database) -> None:
    await db["registrations"].create_index("code", unique=True, name="code_unique")
    await db["registrations"].create_index(
        [("session_id", ASCENDING), ("seq", ASCENDING)], name="session_seq"
    )
    await db["registrations"].create_index(
        [("session_id", ASCENDING), ("citizen_hash", ASCENDING)], name="session_person"
    )
    await db["registrations"].create_index(
        [("session_id", ASCENDING), ("category", ASCENDING), ("village_code", ASCENDING)],
        name="session_role",
    )
    await db["registrations"].create_index(
        [("session_id", ASCENDING), ("status", ASCENDING), ("seq", ASCENDING)],
        name="session_status",
    )


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


def _to_doc(obj: Any) -> Document:
    """A record's fields as stored; the events it raised are published, not kept."""
    return {
        f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.name != "events"
    }


def session_from_doc(doc: Document) -> Conference:
    fields = {f.name for f in dataclasses.fields(Conference)}
    data = {k: v for k, v in doc.items() if k in fields}
    data["id"] = doc["_id"]
    data["sittings"] = [Sitting(**s) for s in doc.get("sittings", [])]
    if doc.get("held_on"):
        data["held_on"] = date.fromisoformat(doc["held_on"])
    return Conference(**data)


def registration_from_doc(doc: Document) -> Registration:
    fields = {f.name for f in dataclasses.fields(Registration)}
    return Registration(**{k: v for k, v in doc.items() if k in fields})


async def next_session_number(
    db: Database, s: DbSession, commune: str, year: int, kind: str
) -> int:
    return await db.next_value(s, f"session:{commune}:{year}:{kind}")


async def load_session(db: Database, s: DbSession, session_id: str) -> Conference | None:
    doc = await db["sessions"].find_one({"_id": session_id}, session=s)
    return session_from_doc(doc) if doc else None


async def insert_session(db: Database, s: DbSession, conference: Conference, now: datetime) -> None:
    doc = _to_doc(conference)
    doc["_id"] = doc.pop("id")
    doc["created_at"] = doc["updated_at"] = now
    await db["sessions"].insert_one(doc, session=s)


async def save_session(db: Database, s: DbSession, conference: Conference, now: datetime) -> None:
    """Write the session back if nobody changed it since it was read (its version guards it)."""
    doc = _to_doc(conference)
    doc.pop("id")
    doc["version"] = conference.version + 1
    doc["updated_at"] = now
    result = await db["sessions"].update_one(
        {"_id": conference.id, "version": conference.version}, {"$set": doc}, session=s
    )
    if result.matched_count != 1:
        raise ConcurrentUpdate(conference.id)
    conference.version += 1


async def load_registrations(db: Database, s: DbSession, session_id: str) -> list[Registration]:
    cursor = db["registrations"].find({"session_id": session_id}, session=s).sort("seq", ASCENDING)
    return [registration_from_doc(doc) async for doc in cursor]


async def find_active(
    db: Database, s: DbSession, session_id: str, **match: str
) -> Registration | None:
    """The confirmed or waiting registration that matches, if any.

    Only equalities go to the database, so an index of exactly those fields answers it (a
    condition on the status beside them sends the embedded server to a full scan); the few
    cancelled registrations of the same person or role are passed over here."""
    cursor = db["registrations"].find({"session_id": session_id, **match}, session=s)
    async for doc in cursor:
        if doc.get("status") in ACTIVE_STATUSES:
            return registration_from_doc(doc)
    return None


async def load_waiting(db: Database, s: DbSession, session_id: str) -> list[Registration]:
    cursor = db["registrations"].find({"session_id": session_id, "status": "waiting"}, session=s)
    return [registration_from_doc(doc) async for doc in cursor.sort("seq", ASCENDING)]


async def birth_dates(
    db: Database, s: DbSession, session_id: str, cipher: FieldCipher
) -> dict[str, date]:
    """Each active registration's date of birth, opened (to check ages again)."""
    found = {}
    async for doc in db["registrations"].find({"session_id": session_id}, session=s):
        sealed = (doc.get("personal") or {}).get("date_of_birth")
        if doc.get("status") in ACTIVE_STATUSES and sealed:
            context = f"registration:{doc['_id']}:date_of_birth"
            found[doc["_id"]] = date.fromisoformat(cipher.decrypt(sealed, context=context) or "")
    return found


async def count_waiting(db: Database, s: DbSession, session_id: str) -> int:
    return await db["registrations"].count_documents(
        {"session_id": session_id, "status": "waiting"}, session=s
    )


async def find_registration(db: Database, s: DbSession, code: str) -> Registration | None:
    doc = await db["registrations"].find_one({"code": code}, session=s)
    return registration_from_doc(doc) if doc else None


async def insert_registration(
    db: Database,
    s: DbSession,
    reg: Registration,
    personal: dict[str, str | None],
    cipher: FieldCipher,
) -> None:
    doc = _to_doc(reg)
    doc["_id"] = reg.code
    doc["personal"] = {
        name: cipher.encrypt(personal.get(name), context=f"registration:{reg.code}:{name}")
        for name in PERSONAL_FIELDS
        if personal.get(name) is not None
    }
    await db["registrations"].insert_one(doc, session=s)


async def update_registrations(db: Database, s: DbSession, regs: list[Registration]) -> None:
    for reg in regs:
        doc = _to_doc(reg)
        await db["registrations"].update_one({"_id": reg.code}, {"$set": doc}, session=s)


async def scheduled_sessions(db: Database) -> list[Conference]:
    return [session_from_doc(d) async for d in db["sessions"].find({"status": "scheduled"})]


async def sessions_of_year(db: Database, year: int) -> list[Conference]:
    return [session_from_doc(d) async for d in db["sessions"].find({"year": year})]


async def planned_for(db: Database, s: DbSession, marker: str) -> bool:
    """Whether a reaction keyed `marker` (an ad-hoc request planned) already happened."""
    return await db["counters"].find_one({"_id": marker}, session=s) is not None


async def registrations_by_code(
    db: Database, s: DbSession, codes: list[str]
) -> dict[str, Document]:
    return {d["_id"]: d async for d in db["registrations"].find({"_id": {"$in": codes}}, session=s)}


def registrations_in(
    db: Database, s: DbSession, session_id: str, statuses: list[str]
) -> AsyncIterator[Document]:
    """The session's registrations in these states, as stored (contacts sealed)."""
    query = {"session_id": session_id, "status": {"$in": statuses}}
    return db["registrations"].find(query, session=s)


async def village_heads(
    db: Database, s: DbSession, village: str, session_id: str
) -> tuple[Document | None, Document | None]:
    """The village head registered for this conference, and the latest registered for any."""
    query = {"category": "village_head", "village_code": village, "status": {"$ne": "cancelled"}}
    mine = await db["registrations"].find_one({**query, "session_id": session_id}, session=s)
    latest = await db["registrations"].find_one(query, sort=[("registered_at", -1)], session=s)
    return mine, latest
