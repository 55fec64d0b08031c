"""Intake's collections: issues (the submitter's identity encrypted) and the tracking-code counters.

`Store` is what the handlers need of them; `MongoStore` is it on MongoDB, bound to one
transaction's session (or none, for a read outside one)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any, Literal, Protocol

from services.intake.domain.issues import OPEN, PUBLIC_KINDS, Change, Issue
from shared import agency_contacts
from shared.agency_contacts import AgencyContacts
from shared.citizen import mobile_number
from shared.contracts.intake import SignAdhocRequest, Submitter
from shared.contracts.notification import Recipient
from shared.contracts.privacy import DataSubject
from shared.crypto import FieldCipher
from shared.privacy import ERASED
from shared.storage import (
    ASCENDING,
    Database,
    Document,
    ReturnDocument,
    Session,
    record_document,
    upserted,
)

SUBMITTER_FIELDS = ("full_name", "citizen_id", "phone", "email", "address")


async def ensure_indexes(db: Database) -> None:
    await agency_contacts.ensure_indexes(db)
    await db["issues"].create_index(
        [("village_code", ASCENDING), ("topic", ASCENDING), ("status", ASCENDING)],
        name="village_topic_status",
    )
    await db["issues"].create_index(
        [("status", ASCENDING), ("registered_at", ASCENDING)], name="status_time"
    )
    await db["issues"].create_index(
        "submitter.citizen_id_hash", name="submitter_citizen", sparse=True
    )
    await db["issues"].create_index("submitter.phone_hash", name="submitter_phone", sparse=True)


def _sealed_submitter(code: str, person: Submitter | None, cipher: FieldCipher) -> Document | None:
    if person is None:
        return None
    doc: Document = {}
    for name in SUBMITTER_FIELDS:
        value = getattr(person, name)
        if value:
            doc[name] = cipher.encrypt(value, context=f"intake:{code}:{name}")
    for name in ("citizen_id", "phone"):  # look-ups without the clear value
        value = getattr(person, name)
        if value:
            doc[f"{name}_hash"] = cipher.keyed_hash(value, purpose=name)
    doc["ref"] = person_ref(person, cipher)
    return doc


def _field_of(key: str, person: DataSubject) -> str:
    return {person.citizen_id: "citizen_id", person.phone: "phone"}.get(key, "email")


def person_ref(person: Submitter, cipher: FieldCipher) -> str:
    """Who raised what is counted inside intake only: this pseudonym never leaves the database.
    A phone number counts as itself however it is written."""
    return person_refs(person, cipher)[0]


def person_refs(person: Submitter, cipher: FieldCipher) -> list[str]:
    """The pseudonym under the current look-up key, then under each retired one."""
    phone = mobile_number(person.phone) or person.phone
    key = person.citizen_id or phone or (person.email or "").lower() or person.full_name
    return ["P-" + h[:16] for h in cipher.keyed_hashes(key, purpose="submitter")]


# What a person wrote, or wrote about a person's matter, rests sealed: the content, the answer,
# the conclusion, the reason a case was closed and where it went, and every reason in the history.
def _sealed_texts(doc: Document) -> list[tuple[Document, str, str]]:
    """(the dict holding it, its key, its sealing context) for every text sealed at rest."""
    code = doc["_id"]
    places = [(doc, "content", f"intake:{code}:content"), (doc, "answer", f"intake:{code}:answer")]
    if doc.get("conclusion"):
        places.append((doc["conclusion"], "text", f"intake:{code}:conclusion"))
    if doc.get("closed"):
        places.append((doc["closed"], "reason", f"intake:{code}:closed"))
        places.append((doc["closed"], "authority", f"intake:{code}:closed:authority"))
    places += [(c, "reason", f"intake:{code}:history:{n}") for n, c in enumerate(doc["history"])]
    return places


def _to_doc(issue: Issue, cipher: FieldCipher) -> Document:
    doc = record_document(issue)
    doc["_id"] = doc.pop("tracking_code")
    for holder, key, context in _sealed_texts(doc):
        holder[key] = cipher.encrypt(holder.get(key), context=context)
    return doc


def issue_from_doc(doc: Document, cipher: FieldCipher) -> Issue:
    fields = {f.name for f in dataclasses.fields(Issue)}
    data: dict[str, Any] = {k: v for k, v in doc.items() if k in fields}
    data["tracking_code"] = doc["_id"]
    data["history"] = [dict(c) for c in doc.get("history", [])]
    for key in ("conclusion", "closed"):
        data[key] = dict(doc[key]) if doc.get(key) else None
    data["_id"] = doc["_id"]
    for holder, key, context in _sealed_texts(data):
        value = holder.get(key)  # a closure's authority was kept in clear before 2026-12-03
        holder[key] = value if isinstance(value, str) else cipher.decrypt(value, context=context)
    del data["_id"]
    data["history"] = [Change(**c) for c in data["history"]]
    return Issue(**data)


class Store(Protocol):
    """Intake's storage, bound to one transaction (or none, for a read outside one)."""

    async def open_candidates(
        self, village_code: str, topic: str, kind: str, handled_as: str
    ) -> list[Issue]: ...
    async def next_tracking_number(self, commune: str, year: int) -> int: ...
    async def insert_issue(self, issue: Issue, person: Submitter | None) -> None: ...
    async def load_issue(self, tracking_code: str) -> Issue | None: ...
    async def save_issue(self, issue: Issue) -> None: ...
    async def codes_past_deadline(self, today: date) -> list[str]: ...
    async def codes_due_between(self, first: date, last: date) -> list[str]: ...
    async def open_case_codes(self) -> list[str]: ...
    async def open_issues(self) -> list[Issue]: ...
    async def upcoming_sessions(self, now: datetime) -> list[str]: ...
    async def next_agenda_version(self, session_id: str, drafted: Document) -> int: ...
    async def mark_agenda(self, session_id: str, cause: str) -> None: ...
    async def agenda_marks(self) -> dict[str, list[str]]: ...
    async def clear_agenda_marks(self, marks: list[str]) -> None: ...
    async def find_signature(self, request_code: str, voters: list[str]) -> Document | None: ...
    async def add_signature(self, cmd: SignAdhocRequest, voter: str, now: datetime) -> Document: ...
    async def mark_threshold_reached(self, request_code: str, now: datetime) -> None: ...
    async def contacts(self, codes: list[str]) -> dict[str, Recipient]: ...
    async def reach(self, code: str) -> Recipient | Literal["letter"] | None: ...
    async def identified(self, code: str) -> bool: ...
    async def set_submitter(self, code: str, person: Submitter) -> None: ...
    async def raised_before(self, codes: list[str], person: Submitter | None) -> bool: ...
    async def issues_by_code(self, codes: list[str]) -> list[Issue]: ...
    async def public_issues(
        self,
        first: datetime,
        last: datetime,
        *,
        topics: list[str] | None,
        statuses: list[str] | None,
        skip: int,
        limit: int,
    ) -> list[Issue]: ...
    async def known_session(self, session_id: str) -> Document | None: ...
    async def keep_session(self, session_id: str, fields: Document) -> None: ...
    async def first_time(self, key: str) -> bool: ...
    async def erase_expired(self, cutoff: datetime, limit: int) -> int: ...
    async def count_expired(self, cutoff: datetime) -> int: ...
    async def issues_of(self, person: DataSubject) -> list[Document]: ...
    async def signatures_of(self, citizen_id: str) -> list[Document]: ...
    async def correct_submitter(self, code: str, corrections: dict[str, str]) -> None: ...
    async def erase_issue(self, code: str, why: str, now: datetime) -> None: ...
    async def object_to(self, code: str, now: datetime) -> None: ...
    async def record_request(self, record: Document) -> bool: ...
    async def agency_contacts(self) -> dict[str, dict[str, Any]]: ...


# An issue whose personal data may go once its time has passed: ended, and, for a complaint or
# denunciation, ended by its own decision (a case whose clocks run is never erased).
ENDED = ["resolved", "referred", "refused", "settled_in_village", "merged", "withdrawn"]
CASE_ENDED: list[Document] = [
    {"legal": None},
    {"legal.settled": {"$ne": None}},
    {"legal.suspended": {"$ne": None}},
    {"status": {"$in": ["referred", "refused", "merged", "withdrawn"]}},
]


class MongoStore:
    """`Store` on MongoDB: every call in the transaction `tx` (None: outside any)."""

    def __init__(self, db: Database, cipher: FieldCipher, tx: Session | None) -> None:
        self.db, self.cipher, self.tx = db, cipher, tx
        self.contacts_kept = AgencyContacts(db, tx)  # agencies' contacts the office set

    async def agency_contacts(self) -> dict[str, dict[str, Any]]:
        """Each agency's contact as the office last set it (over the reference file's)."""
        return await self.contacts_kept.latest()

    async def open_candidates(
        self, village_code: str, topic: str, kind: str, handled_as: str
    ) -> list[Issue]:
        """Open issues of one village and topic, of the same kind *and* handling: what a new one
        may repeat (an anonymous denunciation, kept as feedback, is never one a feedback repeats).

        One query of equalities per open state, each answered by the index of exactly those
        fields (an `$in` or a condition on the kind beside them sends the embedded server to a
        full scan, and the merged ones grow with every repeat); the kind is checked here."""
        found = []
        for status in OPEN:
            cursor = self.db["issues"].find(
                {"village_code": village_code, "topic": topic, "status": status}, session=self.tx
            )
            found += [
                issue_from_doc(doc, self.cipher)
                async for doc in cursor
                if doc.get("handled_as") == handled_as and doc.get("kind") == kind
            ]
        return sorted(found, key=lambda issue: issue.tracking_code)

    async def next_tracking_number(self, commune: str, year: int) -> int:
        """Gapless per commune and year: the increment commits or aborts with the issue it numbers."""
        return await self.db.next_value(self._in_transaction(), f"tracking:{commune}:{year}")

    def _in_transaction(self) -> Session:
        if self.tx is None:
            raise RuntimeError("this write is made in a transaction")
        return self.tx

    async def first_time(self, key: str) -> bool:
        """True the first time `key` is marked (a reminder sent once per deadline)."""
        return await self.db.first_time(self._in_transaction(), "reminders", key)

    async def insert_issue(self, issue: Issue, person: Submitter | None) -> None:
        doc = _to_doc(issue, self.cipher)
        doc["submitter"] = _sealed_submitter(issue.tracking_code, person, self.cipher)
        await self.db["issues"].insert_one(doc, session=self.tx)

    async def load_issue(self, tracking_code: str) -> Issue | None:
        doc = await self.db["issues"].find_one({"_id": tracking_code}, session=self.tx)
        return issue_from_doc(doc, self.cipher) if doc else None

    async def save_issue(self, issue: Issue) -> None:
        doc = _to_doc(issue, self.cipher)
        doc.pop("_id")
        doc["version"] = issue.version + 1
        result = await self.db["issues"].update_one(
            {"_id": issue.tracking_code, "version": issue.version}, {"$set": doc}, session=self.tx
        )
        if result.matched_count != 1:
            raise RuntimeError(f"issue {issue.tracking_code} changed concurrently")  # retried
        issue.version += 1

    async def codes_past_deadline(self, today: date) -> list[str]:
        """Concluded issues whose deadline has passed and that are not yet marked overdue."""
        cursor = self.db["issues"].find(
            {
                "status": {"$in": ["concluded", "in_followup"]},
                "overdue": False,
                "conclusion.deadline": {"$lt": today.isoformat()},
            },
            {"_id": 1},
        )
        return [doc["_id"] async for doc in cursor]

    async def codes_due_between(self, first: date, last: date) -> list[str]:
        """Concluded issues whose deadline falls between two dates (both included)."""
        cursor = self.db["issues"].find(
            {
                "status": {"$in": ["concluded", "in_followup"]},
                "conclusion.deadline": {"$gte": first.isoformat(), "$lte": last.isoformat()},
            },
            {"_id": 1},
        )
        return [doc["_id"] async for doc in cursor]

    async def open_case_codes(self) -> list[str]:
        """Complaints and denunciations whose legal clocks still run: not settled by their own
        decision (a dialogue's follow-up marked resolved does not settle them)."""
        cursor = self.db["issues"].find(
            {
                "legal": {"$ne": None},
                "legal.settled": None,
                "legal.suspended": None,
                "status": {"$nin": ["referred", "refused", "merged", "withdrawn"]},
            },
            {"_id": 1},
        )
        return [doc["_id"] async for doc in cursor]

    async def open_issues(self) -> list[Issue]:
        """Every issue still open, whatever year it came in (the plan keeps unsettled and
        long-running matters on the agenda), and every complaint or denunciation whose legal
        clocks still run whatever its dialogue follow-up says; merged ones are counted in the
        issue they joined."""
        found = []
        # Equalities the status index answers (`$in` would scan all); a complaint or denunciation
        # whose dialogue follow-up is resolved stays while its own decision is to come.
        queries: list[Document] = [{"status": status} for status in OPEN]
        queries.append(
            {
                "status": "resolved",
                "legal": {"$ne": None},
                "legal.settled": None,
                "legal.suspended": None,
            }
        )
        for query in queries:
            cursor = self.db["issues"].find(query, session=self.tx)
            found += [
                issue_from_doc(doc, self.cipher)
                async for doc in cursor
                if not doc.get("merged_into")
            ]
        return sorted(found, key=lambda issue: issue.tracking_code)

    async def upcoming_sessions(self, now: datetime) -> list[str]:
        """Scheduled conferences that have not started: their agendas follow new issues."""
        cursor = self.db["sessions"].find(
            {"status": "scheduled", "starts_at_utc": {"$gt": now}}, {"_id": 1}, session=self.tx
        )
        return [doc["_id"] async for doc in cursor]

    async def next_agenda_version(self, session_id: str, drafted: Document) -> int:
        agenda = await self.db["agendas"].find_one_and_update(
            {"_id": session_id},
            {"$inc": {"version": 1}, "$set": {"latest": drafted}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=self.tx,
        )
        return int(upserted(agenda)["version"])

    async def mark_agenda(self, session_id: str, cause: str) -> None:
        """An agenda to draft again: one mark per session and cause (an issue's code), inserted
        beside the change, so a submission never writes the agenda a redraft is writing."""
        await self.db["agenda_marks"].update_one(
            {"_id": f"{session_id}:{cause}"},
            {"$set": {"session_id": session_id}},
            upsert=True,
            session=self.tx,
        )

    async def agenda_marks(self) -> dict[str, list[str]]:
        """The marks waiting, by session."""
        marks: dict[str, list[str]] = {}
        async for doc in self.db["agenda_marks"].find({}, session=self.tx):
            marks.setdefault(doc["session_id"], []).append(doc["_id"])
        return marks

    async def clear_agenda_marks(self, marks: list[str]) -> None:
        """Only the marks a redraft saw: those added since wait for the next one."""
        await self.db["agenda_marks"].delete_many({"_id": {"$in": marks}}, session=self.tx)

    async def find_signature(self, request_code: str, voters: list[str]) -> Document | None:
        """The voter's signature, under any of their look-up hashes (`voters`)."""
        ids = [f"{request_code}:{voter}" for voter in voters]
        return await self.db["adhoc_signatures"].find_one({"_id": {"$in": ids}}, session=self.tx)

    async def add_signature(self, cmd: SignAdhocRequest, voter: str, now: datetime) -> Document:
        """Keep the signature (the signer sealed) and count it; returns the request as it now is."""
        key = f"{cmd.request_code}:{voter}"
        await self.db["adhoc_signatures"].insert_one(
            {
                "_id": key,
                "request_code": cmd.request_code,
                "village_code": cmd.village_code,
                "signed_at": cmd.signed_at,
                "recorded_at": now,
                "signer": {
                    name: self.cipher.encrypt(
                        str(getattr(cmd, name)), context=f"adhoc:{key}:{name}"
                    )
                    for name in ("full_name", "citizen_id", "date_of_birth")
                },
            },
            session=self.tx,
        )
        request = await self.db["adhoc_requests"].find_one_and_update(
            {"_id": cmd.request_code},
            {
                "$inc": {"signatures": 1},
                "$setOnInsert": {
                    "subject": self.cipher.encrypt(
                        cmd.subject, context=f"adhoc:{cmd.request_code}:subject"
                    ),
                    "opened_at": now,
                    "threshold_reached_at": None,
                },
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=self.tx,
        )
        return upserted(request)

    async def mark_threshold_reached(self, request_code: str, now: datetime) -> None:
        await self.db["adhoc_requests"].update_one(
            {"_id": request_code}, {"$set": {"threshold_reached_at": now}}, session=self.tx
        )

    async def contacts(self, codes: list[str]) -> dict[str, Recipient]:
        """The submitters of these issues who left a phone or an email, unsealed for one message
        (none who objected to messages the law does not require: see `reach` for those)."""
        found: dict[str, Recipient] = {}
        async for doc in self.db["issues"].find(
            {"_id": {"$in": codes}}, {"submitter": 1}, session=self.tx
        ):
            sealed = doc.get("submitter") or {}
            if not (sealed.get("phone") or sealed.get("email")) or sealed.get("objected_at"):
                continue
            clear = {
                name: self.cipher.decrypt(sealed.get(name), context=f"intake:{doc['_id']}:{name}")
                for name in ("full_name", "phone", "email")
            }
            found[doc["_id"]] = Recipient(
                name=clear["full_name"], phone=clear["phone"], email=clear["email"]
            )
        return found

    async def reach(self, code: str) -> Recipient | Literal["letter"] | None:
        """How a written notice the law requires reaches the person who sent this issue (an
        objection does not stop it): their phone or email, a letter (they left only a postal
        address), or not at all (they left neither)."""
        doc = await self.db["issues"].find_one({"_id": code}, {"submitter": 1}, session=self.tx)
        sealed = (doc or {}).get("submitter") or {}
        if sealed.get("phone") or sealed.get("email"):
            clear = {
                name: self.cipher.decrypt(sealed.get(name), context=f"intake:{code}:{name}")
                for name in ("full_name", "phone", "email")
            }
            return Recipient(name=clear["full_name"], phone=clear["phone"], email=clear["email"])
        return "letter" if sealed.get("address") else None

    async def identified(self, code: str) -> bool:
        """Whether the person who sent this issue gave both a name and an address."""
        doc = await self.db["issues"].find_one({"_id": code}, {"submitter": 1}, session=self.tx)
        sealed = (doc or {}).get("submitter") or {}
        return bool(sealed.get("full_name") and sealed.get("address"))

    async def set_submitter(self, code: str, person: Submitter) -> None:
        """The person behind an issue, given or completed later (sealed as at receipt)."""
        sealed = _sealed_submitter(code, person, self.cipher)
        await self.db["issues"].update_one(
            {"_id": code}, {"$set": {"submitter": sealed}}, session=self.tx
        )

    @staticmethod
    def _expired(cutoff: datetime) -> Document:
        return {
            "status": {"$in": ENDED},
            "registered_at": {"$lt": cutoff},
            "erased_at": None,
            "$or": CASE_ENDED,
        }

    async def count_expired(self, cutoff: datetime) -> int:
        """Issues and ad-hoc signers kept past `cutoff` and not erased yet."""
        issues = await self.db["issues"].count_documents(self._expired(cutoff), session=self.tx)
        signers = await self.db["adhoc_signatures"].count_documents(
            {"recorded_at": {"$lt": cutoff}, "signer": {"$ne": None}}, session=self.tx
        )
        return issues + signers

    async def erase_expired(self, cutoff: datetime, limit: int) -> int:
        """Erase the person and every sealed text of at most `limit` issues ended and received
        before `cutoff` (never a case whose clocks run); how many."""
        found = self.db["issues"].find(self._expired(cutoff), {"_id": 1}, session=self.tx)
        cursor = found.limit(limit)
        codes = [doc["_id"] async for doc in cursor]
        for code in codes:
            await self.erase_issue(code, "retention", cutoff)
        # An ad-hoc signature keeps its pseudonymous key (one signature per voter) and its count.
        signers = await self.db["adhoc_signatures"].update_many(
            {"recorded_at": {"$lt": cutoff}, "signer": {"$ne": None}},
            {"$set": {"signer": None}},
            session=self.tx,
        )
        return len(codes) + signers.modified_count

    async def erase_issue(self, code: str, why: str, now: datetime) -> None:
        """The person gone and every sealed text replaced: what is left is counts and dates."""
        doc = await self.db["issues"].find_one({"_id": code}, session=self.tx)
        if doc is None:
            return
        for holder, key, context in _sealed_texts(doc):
            if holder.get(key) is not None:
                holder[key] = self.cipher.encrypt(ERASED, context=context)
        fields = {k: doc[k] for k in ("content", "answer", "conclusion", "closed", "history")}
        await self.db["issues"].update_one(
            {"_id": code},
            {"$set": {**fields, "submitter": None, "erased_at": now, "erased_why": why}},
            session=self.tx,
        )

    async def issues_of(self, person: DataSubject) -> list[Document]:
        """The issues this person sent, found by their citizen id, phone (however written) or
        email, each with its submitter unsealed: for their request, inside intake only."""
        ors: list[Document] = []
        if person.citizen_id:
            hashes = self.cipher.keyed_hashes(person.citizen_id, purpose="citizen_id")
            ors.append({"submitter.citizen_id_hash": {"$in": hashes}})
        if person.phone:
            forms = {person.phone, mobile_number(person.phone) or person.phone}
            hashes = [h for f in forms for h in self.cipher.keyed_hashes(f, purpose="phone")]
            ors.append({"submitter.phone_hash": {"$in": hashes}})
        for key in filter(None, (person.citizen_id, person.phone, person.email)):
            found = Submitter(full_name=person.full_name, **{_field_of(key, person): key})
            ors.append({"submitter.ref": {"$in": person_refs(found, self.cipher)}})
        found_docs = []
        async for doc in self.db["issues"].find({"$or": ors}, session=self.tx):
            sealed = doc.get("submitter") or {}
            doc["person"] = {
                name: self.cipher.decrypt(sealed.get(name), context=f"intake:{doc['_id']}:{name}")
                for name in SUBMITTER_FIELDS
                if sealed.get(name)
            }
            found_docs.append(doc)
        return sorted(found_docs, key=lambda d: d["_id"])

    async def signatures_of(self, citizen_id: str) -> list[Document]:
        """This voter's ad-hoc signatures, the signer unsealed (for their own request)."""
        hashes = self.cipher.keyed_hashes(citizen_id, purpose="citizen_id")
        codes = [d["_id"] async for d in self.db["adhoc_requests"].find({}, {"_id": 1})]
        ids = [f"{code}:{h}" for code in codes for h in hashes]
        found = []
        async for doc in self.db["adhoc_signatures"].find({"_id": {"$in": ids}}, session=self.tx):
            sealed = doc.get("signer") or {}
            doc["person"] = {
                name: self.cipher.decrypt(sealed[name], context=f"adhoc:{doc['_id']}:{name}")
                for name in ("full_name", "citizen_id", "date_of_birth")
                if sealed.get(name)
            }
            found.append(doc)
        return found

    async def correct_submitter(self, code: str, corrections: dict[str, str]) -> None:
        doc = await self.db["issues"].find_one({"_id": code}, {"submitter": 1}, session=self.tx)
        sealed = dict((doc or {}).get("submitter") or {})
        person = {
            name: self.cipher.decrypt(sealed.get(name), context=f"intake:{code}:{name}")
            for name in SUBMITTER_FIELDS
            if sealed.get(name)
        }
        corrected = Submitter.model_validate(person | corrections)
        fresh = _sealed_submitter(code, corrected, self.cipher) or {}
        for kept in ("objected_at",):
            if kept in sealed:
                fresh[kept] = sealed[kept]
        await self.db["issues"].update_one(
            {"_id": code}, {"$set": {"submitter": fresh}}, session=self.tx
        )

    async def object_to(self, code: str, now: datetime) -> None:
        """The person objects to messages the law does not require: none is sent them again."""
        await self.db["issues"].update_one(
            {"_id": code, "submitter": {"$ne": None}},
            {"$set": {"submitter.objected_at": now}},
            session=self.tx,
        )

    async def record_request(self, record: Document) -> bool:
        """Keep a data subject's request and how it was answered; False when its id is known."""
        if await self.db["data_requests"].find_one({"_id": record["_id"]}, session=self.tx):
            return False
        await self.db["data_requests"].insert_one(record, session=self.tx)
        return True

    async def raised_before(self, codes: list[str], person: Submitter | None) -> bool:
        """Whether this person already sent one of these issues (a repeat counts once per
        person; an anonymous one cannot be told apart and counts)."""
        if person is None:
            return False
        found = await self.db["issues"].find_one(
            {"_id": {"$in": codes}, "submitter.ref": {"$in": person_refs(person, self.cipher)}},
            {"_id": 1},
            session=self.tx,
        )
        return found is not None

    async def public_issues(
        self,
        first: datetime,
        last: datetime,
        *,
        topics: list[str] | None,
        statuses: list[str] | None,
        skip: int,
        limit: int,
    ) -> list[Issue]:
        """One page of the recommendations and feedback received in [first, last], newest
        first (the Open311 door's list): complaints and denunciations, an anonymous one kept
        as feedback included, are not read at all, nor anyone's own words."""
        query: Document = {
            "received_at": {"$gte": first, "$lte": last},
            "kind": {"$in": list(PUBLIC_KINDS)},
            "handled_as": {"$in": list(PUBLIC_KINDS)},
        }
        if topics:
            query["topic"] = {"$in": topics}
        if statuses is not None:
            query["status"] = {"$in": statuses}
        unread = {"content": 0, "answer": 0, "submitter": 0, "conclusion.text": 0}
        cursor = (
            self.db["issues"]
            .find(query, unread)
            .sort([("received_at", -1), ("_id", -1)])
            .skip(skip)
            .limit(limit)
        )
        return [issue_from_doc(doc, self.cipher) async for doc in cursor]

    async def issues_by_code(self, codes: list[str]) -> list[Issue]:
        found = {d["_id"]: d async for d in self.db["issues"].find({"_id": {"$in": codes}})}
        return [issue_from_doc(found[c], self.cipher) for c in codes if c in found]

    async def known_session(self, session_id: str) -> Document | None:
        """What intake knows of a conference, from registration's events."""
        return await self.db["sessions"].find_one({"_id": session_id}, session=self.tx)

    async def keep_session(self, session_id: str, fields: Document) -> None:
        await self.db["sessions"].update_one(
            {"_id": session_id}, {"$set": fields}, upsert=True, session=self.tx
        )
