"""Conferences and registrations as one unit of work sees them: each read once, then the same
object; new and changed ones written when the unit commits (registrations also before a query
on them, so a batch's second row sees its first). `store` is the rest of the storage (contacts,
marks, a person's own data), reached directly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from services.registration.domain.events import Event
from services.registration.domain.model import Conference, Registration
from services.registration.store import Store
from shared.clock import Clock
from shared.lifecycle import Tracker, take_events


class Repository:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store, self.clock = store, clock
        self.conferences: Tracker[Conference] = Tracker(lambda c: c.id)
        self.registrations: Tracker[Registration] = Tracker(lambda r: r.code)
        self._personal: dict[str, dict[str, str | None]] = {}  # of the registrations added

    # --- conferences ---------------------------------------------------------------------------

    async def next_number(self, commune: str, year: int, kind: str) -> int:
        return await self.store.next_session_number(commune, year, kind)

    async def conference(self, session_id: str) -> Conference | None:
        if (known := self.conferences.get(session_id)) is not None:
            return known
        found = await self.store.load_session(session_id)
        return self.conferences.seen(found) if found else None

    def add_conference(self, conference: Conference) -> None:
        self.conferences.add(conference)

    async def scheduled(self) -> list[Conference]:
        return [self.conferences.seen(c) for c in await self.store.scheduled_sessions()]

    async def of_year(self, year: int) -> list[Conference]:
        return [self.conferences.seen(c) for c in await self.store.sessions_of_year(year)]

    # --- registrations -------------------------------------------------------------------------

    def add_registration(self, reg: Registration, personal: dict[str, str | None]) -> None:
        self.registrations.add(reg)
        self._personal[reg.code] = personal

    async def registration(self, code: str) -> Registration | None:
        if (known := self.registrations.get(code)) is not None:
            return known
        found = await self.store.find_registration(code)
        return self.registrations.seen(found) if found else None

    async def all_of(self, session_id: str) -> list[Registration]:
        await self._write_registrations()
        return [self.registrations.seen(r) for r in await self.store.load_registrations(session_id)]

    async def active(self, session_id: str, **match: str) -> Registration | None:
        """The confirmed or waiting registration that matches, if any."""
        await self._write_registrations()
        found = await self.store.find_active(session_id, **match)
        return self.registrations.seen(found) if found else None

    async def waiting(self, session_id: str) -> list[Registration]:
        """The wait-listed, in their order."""
        await self._write_registrations()
        return [self.registrations.seen(r) for r in await self.store.load_waiting(session_id)]

    async def count_waiting(self, session_id: str) -> int:
        await self._write_registrations()
        return await self.store.count_waiting(session_id)

    async def birth_dates(self, session_id: str) -> dict[str, date]:
        """Each active registration's date of birth, opened (to check ages again)."""
        await self._write_registrations()
        return await self.store.birth_dates(session_id)

    # --- the unit of work's commit -------------------------------------------------------------

    async def _write_registrations(self) -> None:
        await self.registrations.write(self._insert_registration, self._update_registration)

    async def _insert_registration(self, reg: Registration) -> None:
        await self.store.insert_registration(reg, self._personal.pop(reg.code))

    async def _update_registration(self, reg: Registration) -> None:
        await self.store.update_registrations([reg])

    async def _insert_conference(self, conference: Conference) -> None:
        await self.store.insert_session(conference, self.clock.now())

    async def _update_conference(self, conference: Conference) -> None:
        await self.store.save_session(conference, self.clock.now())

    async def save(self) -> Sequence[Event]:
        """Write what changed; the events the conferences' rules recorded, once each, in order."""
        await self.conferences.write(self._insert_conference, self._update_conference)
        await self._write_registrations()
        return take_events(self.conferences)
