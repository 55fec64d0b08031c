"""Agencies' office contacts as the commune office keeps them, over the commune's reference file.

Intake owns them (`intake.set-agency-contact.v1`: it writes to the agencies — follow-up reminders,
legal alarms, the letters the office is asked to send) and announces each change
(`intake.agency-contact.changed.v1`: an institution's address, never a person's, so it may travel
on the bus); registration keeps the same versions from that event for its alarms to the office.
Each service reads the latest version from its own database when it writes, so every instance
uses a change from the next message on, without a restart."""

from __future__ import annotations

from shared.storage import Database, Session
from shared.versions import Versions

COLLECTION = "agency_contacts"


class AgencyContacts(Versions):
    """Every version of each agency's contact, in one service's database (bound to `tx`)."""

    def __init__(self, db: Database, tx: Session | None) -> None:
        super().__init__(db, COLLECTION, "agency_code", tx)


async def ensure_indexes(db: Database) -> None:
    await AgencyContacts(db, None).ensure_index()
