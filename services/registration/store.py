"""Registration's collections: sessions, registrations (personal fields encrypted) and counters.

`Store` is what the handlers need of them; `MongoStore` is it on MongoDB, bound to one
transaction's session (or none, for a read outside one)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any, Protocol

from services.registration.domain.model import Conference, Registration, Sitting
from shared import agency_contacts
from shared.agency_contacts import AgencyContacts
from shared.contracts.intake import AgencyContactChanged
from shared.contracts.notification import Recipient
from shared.crypto import FieldCipher
from shared.storage import ASCENDING, Database, Document, record_document
from shared.storage import Session as DbSession
from shared.versions import Versions

PERSONAL_FIELDS = ("full_name", "citizen_id", "date_of_birth", "phone", "email", "position")
ACTIVE_STATUSES = ("confirmed", "waiting")


class ConcurrentUpdate(RuntimeError):
    """Another transaction changed the session first; the message is retried."""


async def ensure_indexes(db: Database) -> None:
    await agency_contacts.ensure_indexes(db)
    await Versions(db, "village_heads", "village_code", None).ensure_index()
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


def recipient_of(doc: Document, cipher: FieldCipher) -> Recipient | None:
    """The delegate's name and contact, unsealed for this one request; None without a contact."""
    personal = doc.get("personal") or {}

    def read(name: str) -> str | None:
        sealed = personal.get(name)
        return (
            cipher.decrypt(sealed, context=f"registration:{doc['_id']}:{name}") if sealed else None
        )

    phone, email = read("phone"), read("email")
    if not phone and not email:
        return None
    return Recipient(name=read("full_name"), phone=phone, email=email)


Contact = tuple[str, Recipient | None]  # a registration's code, and its person's contact if any


class Store(Protocol):
    """Registration's storage, bound to one transaction."""

    async def next_session_number(self, commune: str, year: int, kind: str) -> int: ...
    async def load_session(self, session_id: str) -> Conference | None: ...
    async def insert_session(self, conference: Conference, now: datetime) -> None: ...
    async def save_session(self, conference: Conference, now: datetime) -> None: ...
    async def load_registrations(self, session_id: str) -> list[Registration]: ...
    async def find_active(self, session_id: str, **match: str) -> Registration | None: ...
    async def load_waiting(self, session_id: str) -> list[Registration]: ...
    async def count_waiting(self, session_id: str) -> int: ...
    async def birth_dates(self, session_id: str) -> dict[str, date]: ...
    async def find_registration(self, code: str) -> Registration | None: ...
    async def insert_registration(
        self, reg: Registration, personal: dict[str, str | None]
    ) -> None: ...
    async def update_registrations(self, regs: list[Registration]) -> None: ...
    async def scheduled_sessions(self) -> list[Conference]: ...
    async def sessions_of_year(self, year: int) -> list[Conference]: ...
    async def first_time(self, key: str, **fields: Any) -> bool: ...
    async def happened(self, key: str) -> bool: ...
    async def contacts(self, codes: list[str]) -> dict[str, Recipient]: ...
    async def reachable(
        self, session_id: str, statuses: list[str], optional: bool = False
    ) -> list[tuple[Registration, Recipient]]: ...
    async def registrations_of(self, citizen_id: str) -> list[Document]: ...
    async def correct_personal(self, code: str, corrections: dict[str, str]) -> None: ...
    async def erase_registration(self, code: str, why: str, now: datetime) -> None: ...
    async def object_to(self, code: str, now: datetime) -> None: ...
    async def record_request(self, record: Document) -> bool: ...
    async def erase_expired(self, cutoff: datetime, limit: int) -> int: ...
    async def count_expired(self, cutoff: datetime) -> int: ...
    async def village_heads(
        self, village: str, session_id: str
    ) -> tuple[Contact | None, Contact | None]: ...
    async def kept_village_head(self, village: str) -> Recipient | None: ...
    async def agency_contacts(self) -> dict[str, dict[str, Any]]: ...
    async def keep_agency_contact(self, changed: AgencyContactChanged) -> None: ...
    async def keep_village_head(
        self, village: str, personal: dict[str, str | None], record: Document
    ) -> int: ...


HEAD_FIELDS = ("head_name", "head_phone", "head_email")


class MongoStore:
    """`Store` on MongoDB: every call in the transaction `tx` (None: outside any)."""

    def __init__(self, db: Database, cipher: FieldCipher, tx: DbSession | None) -> None:
        self.db, self.cipher, self.tx = db, cipher, tx
        self.sessions = db["sessions"]
        self.registrations = db["registrations"]
        self.heads = Versions(db, "village_heads", "village_code", tx)  # a head's contact, sealed
        self.contacts_kept = AgencyContacts(db, tx)  # agencies' contacts, from intake's events

    async def next_session_number(self, commune: str, year: int, kind: str) -> int:
        if self.tx is None:
            raise RuntimeError("a session number is taken in a transaction")
        return await self.db.next_value(self.tx, f"session:{commune}:{year}:{kind}")

    async def load_session(self, session_id: str) -> Conference | None:
        doc = await self.sessions.find_one({"_id": session_id}, session=self.tx)
        return session_from_doc(doc) if doc else None

    async def insert_session(self, conference: Conference, now: datetime) -> None:
        doc = record_document(conference)
        doc["_id"] = doc.pop("id")
        doc["created_at"] = doc["updated_at"] = now
        await self.sessions.insert_one(doc, session=self.tx)

    async def save_session(self, conference: Conference, now: datetime) -> None:
        """Write the session back if nobody changed it since it was read (its version guards it)."""
        doc = record_document(conference)
        doc.pop("id")
        doc["version"] = conference.version + 1
        doc["updated_at"] = now
        result = await self.sessions.update_one(
            {"_id": conference.id, "version": conference.version}, {"$set": doc}, session=self.tx
        )
        if result.matched_count != 1:
            raise ConcurrentUpdate(conference.id)
        conference.version += 1

    async def load_registrations(self, session_id: str) -> list[Registration]:
        cursor = self.registrations.find({"session_id": session_id}, session=self.tx)
        return [registration_from_doc(doc) async for doc in cursor.sort("seq", ASCENDING)]

    async def find_active(self, session_id: str, **match: str) -> Registration | None:
        """The confirmed or waiting registration that matches, if any.

        Only equalities go to the database, so an index of exactly those fields answers it (a
        condition on the status beside them sends the embedded server to a full scan); the few
        cancelled registrations of the same person or role are passed over here."""
        cursor = self.registrations.find({"session_id": session_id, **match}, session=self.tx)
        async for doc in cursor:
            if doc.get("status") in ACTIVE_STATUSES:
                return registration_from_doc(doc)
        return None

    async def load_waiting(self, session_id: str) -> list[Registration]:
        query = {"session_id": session_id, "status": "waiting"}
        cursor = self.registrations.find(query, session=self.tx).sort("seq", ASCENDING)
        return [registration_from_doc(doc) async for doc in cursor]

    async def count_waiting(self, session_id: str) -> int:
        query = {"session_id": session_id, "status": "waiting"}
        return await self.registrations.count_documents(query, session=self.tx)

    async def birth_dates(self, session_id: str) -> dict[str, date]:
        """Each active registration's date of birth, opened (to check ages again)."""
        found = {}
        async for doc in self.registrations.find({"session_id": session_id}, session=self.tx):
            sealed = (doc.get("personal") or {}).get("date_of_birth")
            if doc.get("status") in ACTIVE_STATUSES and sealed:
                context = f"registration:{doc['_id']}:date_of_birth"
                opened = self.cipher.decrypt(sealed, context=context) or ""
                found[doc["_id"]] = date.fromisoformat(opened)
        return found

    async def find_registration(self, code: str) -> Registration | None:
        doc = await self.registrations.find_one({"code": code}, session=self.tx)
        return registration_from_doc(doc) if doc else None

    async def insert_registration(self, reg: Registration, personal: dict[str, str | None]) -> None:
        doc = record_document(reg)
        doc["_id"] = reg.code
        doc["personal"] = {
            name: self.cipher.encrypt(personal.get(name), context=f"registration:{reg.code}:{name}")
            for name in PERSONAL_FIELDS
            if personal.get(name) is not None
        }
        await self.registrations.insert_one(doc, session=self.tx)

    async def update_registrations(self, regs: list[Registration]) -> None:
        for reg in regs:
            doc = record_document(reg)
            await self.registrations.update_one({"_id": reg.code}, {"$set": doc}, session=self.tx)

    async def scheduled_sessions(self) -> list[Conference]:
        found = self.sessions.find({"status": "scheduled"}, session=self.tx)
        return [session_from_doc(d) async for d in found]

    async def all_sessions(self) -> AsyncIterator[Conference]:
        """Every conference, the latest first (the office's list)."""
        async for doc in self.sessions.find({}, session=self.tx).sort("_id", -1):
            yield session_from_doc(doc)

    async def sessions_of_year(self, year: int) -> list[Conference]:
        return [
            session_from_doc(d) async for d in self.sessions.find({"year": year}, session=self.tx)
        ]

    async def first_time(self, key: str, **fields: Any) -> bool:
        """True the first time `key` is marked (a reminder sent, an ad-hoc request planned)."""
        if self.tx is None:
            raise RuntimeError("a mark is made in a transaction")
        return await self.db.first_time(self.tx, "counters", key, **fields)

    async def happened(self, key: str) -> bool:
        """Whether `key` was marked already, by `first_time`."""
        return await self.db["counters"].find_one({"_id": key}, session=self.tx) is not None

    async def contacts(self, codes: list[str]) -> dict[str, Recipient]:
        """The contact of each of these registrations that has one."""
        found = self.registrations.find({"_id": {"$in": codes}}, session=self.tx)
        opened = {d["_id"]: recipient_of(d, self.cipher) async for d in found}
        return {code: r for code, r in opened.items() if r is not None}

    async def reachable(
        self, session_id: str, statuses: list[str], optional: bool = False
    ) -> list[tuple[Registration, Recipient]]:
        """The session's registrations in these states whose person left a contact, with it
        (for a message the law does not require, `optional`: not those who objected)."""
        query = {"session_id": session_id, "status": {"$in": statuses}}
        found = []
        async for doc in self.registrations.find(query, session=self.tx):
            if optional and doc.get("objected_at"):
                continue
            if (recipient := recipient_of(doc, self.cipher)) is not None:
                found.append((registration_from_doc(doc), recipient))
        return found

    async def registrations_of(self, citizen_id: str) -> list[Document]:
        """Every registration of this person, each with its personal fields unsealed (for their
        own request, inside registration only)."""
        hashes = self.cipher.keyed_hashes(citizen_id, purpose="citizen_id")
        found = []
        query = {"citizen_hash": {"$in": hashes}}
        async for doc in self.registrations.find(query, session=self.tx):
            sealed = doc.get("personal") or {}
            doc["person"] = {
                name: self.cipher.decrypt(sealed[name], context=f"registration:{doc['_id']}:{name}")
                for name in PERSONAL_FIELDS
                if sealed.get(name)
            }
            found.append(doc)
        return sorted(found, key=lambda d: d["_id"])

    async def correct_personal(self, code: str, corrections: dict[str, str]) -> None:
        """A delegate's name, phone or email corrected, sealed as at registration."""
        sealed = {
            f"personal.{name}": self.cipher.encrypt(value, context=f"registration:{code}:{name}")
            for name, value in corrections.items()
            if name in PERSONAL_FIELDS
        }
        if sealed:
            await self.registrations.update_one({"_id": code}, {"$set": sealed}, session=self.tx)

    async def erase_registration(self, code: str, why: str, now: datetime) -> None:
        """The person gone; the registration's place, village, role and attendance stay."""
        await self.registrations.update_one(
            {"_id": code},
            {"$set": {"personal": None, "erased_at": now, "erased_why": why}},
            session=self.tx,
        )

    async def object_to(self, code: str, now: datetime) -> None:
        await self.registrations.update_one(
            {"_id": code}, {"$set": {"objected_at": now}}, session=self.tx
        )

    async def record_request(self, record: Document) -> bool:
        """Keep a data subject's request and how it was answered; False when its id is known."""
        if await self.db["data_requests"].find_one({"_id": record["_id"]}, session=self.tx):
            return False
        await self.db["data_requests"].insert_one(record, session=self.tx)
        return True

    async def _ended_before(self, cutoff: datetime) -> list[str]:
        ended = self.sessions.find(
            {"status": {"$in": ["concluded", "cancelled"]}, "updated_at": {"$lt": cutoff}},
            {"_id": 1},
            session=self.tx,
        )
        return [doc["_id"] async for doc in ended]

    async def count_expired(self, cutoff: datetime) -> int:
        """Registrations of conferences ended before `cutoff` whose person is still kept."""
        query = {"session_id": {"$in": await self._ended_before(cutoff)}, "personal": {"$ne": None}}
        return await self.registrations.count_documents(query, session=self.tx)

    async def erase_expired(self, cutoff: datetime, limit: int) -> int:
        """Erase the persons of at most `limit` registrations of conferences concluded or
        cancelled before `cutoff`; how many."""
        erased = 0
        for session_id in await self._ended_before(cutoff):
            found = self.registrations.find(
                {"session_id": session_id, "personal": {"$ne": None}},
                {"_id": 1},
                session=self.tx,
            ).limit(limit - erased)
            for doc in [d async for d in found]:
                await self.erase_registration(doc["_id"], "retention", cutoff)
                erased += 1
            if erased >= limit:
                break
        return erased

    async def village_heads(
        self, village: str, session_id: str
    ) -> tuple[Contact | None, Contact | None]:
        """The village head registered for this conference, and the latest registered for any."""
        query = {
            "category": "village_head",
            "village_code": village,
            "status": {"$ne": "cancelled"},
        }
        mine = await self.registrations.find_one(
            {**query, "session_id": session_id}, session=self.tx
        )
        latest = await self.registrations.find_one(
            query, sort=[("registered_at", -1)], session=self.tx
        )
        return (
            (mine["_id"], recipient_of(mine, self.cipher)) if mine else None,
            (latest["_id"], recipient_of(latest, self.cipher)) if latest else None,
        )

    async def kept_village_head(self, village: str) -> Recipient | None:
        """The village head's contact as the office last set it (None: never set)."""
        latest = await self.heads.latest_of(village)
        if latest is None:
            return None
        head = self.unsealed_head(latest)
        return Recipient(name=head["head_name"], phone=head["head_phone"], email=head["head_email"])

    async def keep_village_head(
        self, village: str, personal: dict[str, str | None], record: Document
    ) -> int:
        """A new version of the village head's contact, the earlier ones kept; its number."""
        version = await self.heads.next_version(village)
        key = Versions.id_of(village, version)
        sealed = {
            name: self.cipher.encrypt(value, context=f"village_head:{key}:{name}")
            for name, value in personal.items()
            if value
        }
        await self.heads.keep(village, version, {"personal": sealed} | record)
        return version

    def unsealed_head(self, doc: Document) -> dict[str, str | None]:
        sealed, key = doc.get("personal") or {}, Versions.id_of(doc["village_code"], doc["version"])
        return {
            name: self.cipher.decrypt(sealed[name], context=f"village_head:{key}:{name}")
            if sealed.get(name)
            else None
            for name in HEAD_FIELDS
        }

    async def village_head_history(self) -> list[Document]:
        """Every version of every village's head contact, newest first (for the office's page)."""
        return [
            {k: v for k, v in doc.items() if k != "personal"} | self.unsealed_head(doc)
            for doc in await self.heads.history()
        ]

    async def agency_contacts(self) -> dict[str, dict[str, Any]]:
        """Each agency's contact as the office last set it (intake's events), by agency code."""
        return await self.contacts_kept.latest()

    async def keep_agency_contact(self, changed: AgencyContactChanged) -> None:
        fields = {"email": changed.email, "phone": changed.phone, "at": changed.changed_at}
        await self.contacts_kept.keep(changed.agency_code, changed.version, fields)
