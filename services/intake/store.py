"""Intake's collections: issues (the submitter's identity encrypted) and the tracking-code counters."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from services.intake.domain.duplicates import MERGEABLE
from services.intake.domain.issues import OPEN, Change, Issue
from shared.contracts.intake import SignAdhocRequest, Submitter
from shared.contracts.notification import Recipient
from shared.crypto import FieldCipher
from shared.storage import ASCENDING, Database, Document, ReturnDocument, Session

SUBMITTER_FIELDS = ("full_name", "citizen_id", "phone", "email", "address")


async def open_candidates(
    db: Database, s: Session, village_code: str, topic: str, cipher: FieldCipher
) -> list[Issue]:
    """Open recommendations and feedback of one village and topic: what a new one may repeat.

    Only the equalities go to the database, so the index of exactly those fields answers it (a
    condition on the kind or the state beside them sends the embedded server to a full scan);
    the closed ones are passed over here, before their content is opened."""
    cursor = db["issues"].find({"village_code": village_code, "topic": topic}, session=s)
    return [
        issue_from_doc(doc, cipher)
        async for doc in cursor
        if doc.get("handled_as") in MERGEABLE and doc.get("status") in OPEN
    ]


async def ensure_indexes(db: Database) -> None:
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


async def next_tracking_number(db: Database, s: Session, commune: str, year: int) -> int:
    """Gapless per commune and year: the increment commits or aborts with the issue it numbers."""
    return await db.next_value(s, f"tracking:{commune}:{year}")


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
    # Who raised what is counted inside intake only: this pseudonym never leaves the database.
    key = person.citizen_id or person.phone or person.email or person.full_name
    doc["ref"] = "P-" + cipher.keyed_hash(key, purpose="submitter")[:16]
    return doc


# What a person wrote, or wrote about a person's matter, rests sealed: the content, the answer,
# the conclusion, the reason a case was closed, and every reason in the history.
def _sealed_texts(doc: Document) -> list[tuple[Document, str, str]]:
    """(the dict holding it, its key, its sealing context) for every text sealed at rest."""
    code = doc["_id"]
    places = [(doc, "content", f"intake:{code}:content"), (doc, "answer", f"intake:{code}:answer")]
    if doc.get("conclusion"):
        places.append((doc["conclusion"], "text", f"intake:{code}:conclusion"))
    if doc.get("closed"):
        places.append((doc["closed"], "reason", f"intake:{code}:closed"))
    places += [(c, "reason", f"intake:{code}:history:{n}") for n, c in enumerate(doc["history"])]
    return places


def _to_doc(issue: Issue, cipher: FieldCipher) -> Document:
    doc = dataclasses.asdict(issue)
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
        holder[key] = cipher.decrypt(holder.get(key), context=context)
    del data["_id"]
    data["history"] = [Change(**c) for c in data["history"]]
    return Issue(**data)


async def insert_issue(
    db: Database, s: Session, issue: Issue, person: Submitter | None, cipher: FieldCipher
) -> None:
    doc = _to_doc(issue, cipher)
    doc["submitter"] = _sealed_submitter(issue.tracking_code, person, cipher)
    await db["issues"].insert_one(doc, session=s)


async def load_issue(
    db: Database, s: Session, tracking_code: str, cipher: FieldCipher
) -> Issue | None:
    doc = await db["issues"].find_one({"_id": tracking_code}, session=s)
    return issue_from_doc(doc, cipher) if doc else None


async def save_issue(db: Database, s: Session, issue: Issue, cipher: FieldCipher) -> None:
    doc = _to_doc(issue, cipher)
    doc.pop("_id")
    doc["version"] = issue.version + 1
    result = await db["issues"].update_one(
        {"_id": issue.tracking_code, "version": issue.version}, {"$set": doc}, session=s
    )
    if result.matched_count != 1:
        raise RuntimeError(f"issue {issue.tracking_code} changed concurrently")  # retried
    issue.version += 1


async def codes_past_deadline(db: Database, today: date) -> list[str]:
    """Concluded issues whose deadline has passed and that are not yet marked overdue."""
    cursor = db["issues"].find(
        {
            "status": {"$in": ["concluded", "in_followup"]},
            "overdue": False,
            "conclusion.deadline": {"$lt": today.isoformat()},
        },
        {"_id": 1},
    )
    return [doc["_id"] async for doc in cursor]


async def codes_due_between(db: Database, first: date, last: date) -> list[str]:
    """Concluded issues whose deadline falls between two dates (both included)."""
    cursor = db["issues"].find(
        {
            "status": {"$in": ["concluded", "in_followup"]},
            "conclusion.deadline": {"$gte": first.isoformat(), "$lte": last.isoformat()},
        },
        {"_id": 1},
    )
    return [doc["_id"] async for doc in cursor]


async def open_case_codes(db: Database) -> list[str]:
    """Complaints and denunciations whose legal clocks still run: not settled by their own
    decision (a dialogue's follow-up marked resolved does not settle them)."""
    cursor = db["issues"].find(
        {
            "legal": {"$ne": None},
            "legal.settled": None,
            "status": {"$nin": ["referred", "refused", "merged"]},
        },
        {"_id": 1},
    )
    return [doc["_id"] async for doc in cursor]


async def open_issues(db: Database, s: Session, cipher: FieldCipher) -> list[Issue]:
    """Every issue still open, whatever year it came in (the plan keeps unsettled and
    long-running matters on the agenda); merged ones are counted in the issue they joined."""
    cursor = db["issues"].find(
        {"status": {"$in": [st for st in OPEN if st != "merged"]}, "merged_into": None}, session=s
    )
    return [issue_from_doc(doc, cipher) async for doc in cursor]


async def upcoming_sessions(db: Database, s: Session, now: datetime) -> list[str]:
    """Scheduled conferences that have not started: their agendas follow new issues."""
    cursor = db["sessions"].find(
        {"status": "scheduled", "starts_at_utc": {"$gt": now}}, {"_id": 1}, session=s
    )
    return [doc["_id"] async for doc in cursor]


async def next_agenda_version(db: Database, s: Session, session_id: str, drafted: Document) -> int:
    agenda = await db["agendas"].find_one_and_update(
        {"_id": session_id},
        {"$inc": {"version": 1}, "$set": {"latest": drafted}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
        session=s,
    )
    return int(agenda["version"])


async def find_signature(
    db: Database, s: Session, request_code: str, voter: str
) -> Document | None:
    return await db["adhoc_signatures"].find_one({"_id": f"{request_code}:{voter}"}, session=s)


async def add_signature(
    db: Database, s: Session, cmd: SignAdhocRequest, voter: str, cipher: FieldCipher, now: datetime
) -> Document:
    """Keep the signature (the signer sealed) and count it; returns the request as it now is."""
    key = f"{cmd.request_code}:{voter}"
    await db["adhoc_signatures"].insert_one(
        {
            "_id": key,
            "request_code": cmd.request_code,
            "village_code": cmd.village_code,
            "signed_at": cmd.signed_at,
            "recorded_at": now,
            "signer": {
                name: cipher.encrypt(str(getattr(cmd, name)), context=f"adhoc:{key}:{name}")
                for name in ("full_name", "citizen_id", "date_of_birth")
            },
        },
        session=s,
    )
    return await db["adhoc_requests"].find_one_and_update(
        {"_id": cmd.request_code},
        {
            "$inc": {"signatures": 1},
            "$setOnInsert": {
                "subject": cipher.encrypt(cmd.subject, context=f"adhoc:{cmd.request_code}:subject"),
                "opened_at": now,
                "threshold_reached_at": None,
            },
        },
        upsert=True,
        return_document=ReturnDocument.AFTER,
        session=s,
    )


async def mark_threshold_reached(
    db: Database, s: Session, request_code: str, now: datetime
) -> None:
    await db["adhoc_requests"].update_one(
        {"_id": request_code}, {"$set": {"threshold_reached_at": now}}, session=s
    )


async def contacts(
    db: Database, s: Session, codes: list[str], cipher: FieldCipher
) -> dict[str, Recipient]:
    """The submitters of these issues who left a phone or an email, unsealed for one message."""
    found: dict[str, Recipient] = {}
    async for doc in db["issues"].find({"_id": {"$in": codes}}, {"submitter": 1}, session=s):
        sealed = doc.get("submitter") or {}
        if not (sealed.get("phone") or sealed.get("email")):
            continue
        clear = {
            name: cipher.decrypt(sealed.get(name), context=f"intake:{doc['_id']}:{name}")
            for name in ("full_name", "phone", "email")
        }
        found[doc["_id"]] = Recipient(
            name=clear["full_name"], phone=clear["phone"], email=clear["email"]
        )
    return found


async def issues_received_between(
    db: Database, first: datetime, last: datetime, cipher: FieldCipher, limit: int = 1000
) -> list[Issue]:
    """Issues received in [first, last], newest first (the Open311 door's list)."""
    query = {"received_at": {"$gte": first, "$lte": last}}
    cursor = db["issues"].find(query).sort("received_at", -1).limit(limit)
    return [issue_from_doc(doc, cipher) async for doc in cursor]


async def issues_by_code(db: Database, codes: list[str], cipher: FieldCipher) -> list[Issue]:
    found = {d["_id"]: d async for d in db["issues"].find({"_id": {"$in": codes}})}
    return [issue_from_doc(found[c], cipher) for c in codes if c in found]


async def known_session(db: Database, s: Session, session_id: str) -> Document | None:
    """What intake knows of a conference, from registration's events."""
    return await db["sessions"].find_one({"_id": session_id}, session=s)


async def keep_session(db: Database, s: Session, session_id: str, fields: Document) -> None:
    await db["sessions"].update_one({"_id": session_id}, {"$set": fields}, upsert=True, session=s)
