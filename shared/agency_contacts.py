"""Agencies' office contacts as the commune office keeps them, over the commune's reference file.

Intake owns them (`intake.set-agency-contact.v1`: it writes to the agencies — follow-up reminders,
legal alarms, the letters the office is asked to send) and announces each change
(`intake.agency-contact.changed.v1`: an institution's address, never a person's, so it may travel
on the bus); registration keeps the same versions from that event for its alarms to the office.
Each service reads the latest version from its own database when it writes, so every instance
uses a change from the next message on, without a restart."""

from __future__ import annotations

from typing import Any

from shared.storage import ASCENDING, Database, Document, Session

COLLECTION = "agency_contacts"


async def ensure_indexes(db: Database) -> None:
    await db[COLLECTION].create_index(
        [("agency_code", ASCENDING), ("version", ASCENDING)], unique=True, name="agency_version"
    )


class AgencyContacts:
    """Every version of each agency's contact, in one service's database (bound to `tx`)."""

    def __init__(self, db: Database, tx: Session | None) -> None:
        self.versions, self.tx = db[COLLECTION], tx

    async def latest(self) -> dict[str, dict[str, Any]]:
        """The latest version of each agency that has one, by agency code."""
        found: dict[str, dict[str, Any]] = {}
        async for doc in self.versions.find({}, session=self.tx).sort("version", ASCENDING):
            found[doc["agency_code"]] = doc
        return found

    async def next_version(self, agency: str) -> int:
        latest = await self.versions.find_one(
            {"agency_code": agency}, sort=[("version", -1)], session=self.tx
        )
        return (latest["version"] if latest else 0) + 1

    async def keep(self, agency: str, version: int, fields: Document) -> None:
        """One version (its number unique per agency: a second writer of it is retried)."""
        doc = {"_id": f"{agency}:{version}", "agency_code": agency, "version": version}
        await self.versions.insert_one(doc | fields, session=self.tx)

    async def history(self) -> list[Document]:
        """Every version, newest first within each agency."""
        found = self.versions.find({}, session=self.tx).sort(
            [("agency_code", ASCENDING), ("version", -1)]
        )
        return [{k: v for k, v in doc.items() if k != "_id"} async for doc in found]
