"""Registration's and intake's `Store` in memory, for handler tests: copies in, copies out, as a
database does; and a world to run handlers in, with the messages each unit of work would send."""

from __future__ import annotations

import copy
import json
import os
from datetime import date, datetime
from typing import Any, cast

from services.intake import reactions as intake_reactions
from services.intake.domain.issues import OPEN, PUBLIC_KINDS, Issue
from services.intake.repository import Repository as IntakeRepository
from services.registration import reactions
from services.registration.domain.model import Conference, Registration
from services.registration.repository import Repository
from services.registration.store import ACTIVE_STATUSES, ConcurrentUpdate, Contact
from shared.clock import FixedClock
from shared.contracts.envelope import new_event
from shared.contracts.intake import Submitter
from shared.contracts.notification import Recipient
from shared.crypto import FieldCipher
from shared.messaging.handling import HandlerContext
from shared.messaging.outbox import UnitOfWork
from shared.reference import load_reference_data
from shared.service import HandlerDeps
from shared.settings import SHIPPED_REFERENCE_DATA
from shared.storage import Database, Session

REF = load_reference_data(SHIPPED_REFERENCE_DATA)
CIPHER = FieldCipher.for_service("test", os.urandom(32), lookup_key=os.urandom(32))


def _stored(conference: Conference) -> Conference:
    kept = copy.deepcopy(conference)
    kept.events = []  # published by the handler, never kept
    return kept


class RegistrationMemory:
    def __init__(self) -> None:
        self.conferences: dict[str, Conference] = {}
        self.registrations: dict[str, Registration] = {}
        self.personal: dict[str, dict[str, str | None]] = {}
        self.counters: dict[str, int] = {}
        self.marks: dict[str, dict[str, Any]] = {}
        self.heads: dict[str, Recipient] = {}

    async def next_session_number(self, commune: str, year: int, kind: str) -> int:
        key = f"session:{commune}:{year}:{kind}"
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]

    async def load_session(self, session_id: str) -> Conference | None:
        found = self.conferences.get(session_id)
        return copy.deepcopy(found) if found else None

    async def insert_session(self, conference: Conference, now: datetime) -> None:
        self.conferences[conference.id] = _stored(conference)

    async def save_session(self, conference: Conference, now: datetime) -> None:
        if self.conferences[conference.id].version != conference.version:
            raise ConcurrentUpdate(conference.id)
        conference.version += 1
        self.conferences[conference.id] = _stored(conference)

    def _of(self, session_id: str) -> list[Registration]:
        regs = [r for r in self.registrations.values() if r.session_id == session_id]
        return [copy.deepcopy(r) for r in sorted(regs, key=lambda r: r.seq)]

    async def load_registrations(self, session_id: str) -> list[Registration]:
        return self._of(session_id)

    async def find_active(self, session_id: str, **match: str) -> Registration | None:
        return next(
            (
                r
                for r in self._of(session_id)
                if r.status in ACTIVE_STATUSES and all(getattr(r, k) == v for k, v in match.items())
            ),
            None,
        )

    async def load_waiting(self, session_id: str) -> list[Registration]:
        return [r for r in self._of(session_id) if r.status == "waiting"]

    async def count_waiting(self, session_id: str) -> int:
        return len(await self.load_waiting(session_id))

    async def birth_dates(self, session_id: str) -> dict[str, date]:
        return {
            r.code: date.fromisoformat(self.personal[r.code]["date_of_birth"] or "")
            for r in self._of(session_id)
            if r.status in ACTIVE_STATUSES
        }

    async def find_registration(self, code: str) -> Registration | None:
        found = self.registrations.get(code)
        return copy.deepcopy(found) if found else None

    async def insert_registration(self, reg: Registration, personal: dict[str, str | None]) -> None:
        self.registrations[reg.code] = copy.deepcopy(reg)
        self.personal[reg.code] = dict(personal)

    async def update_registrations(self, regs: list[Registration]) -> None:
        for reg in regs:
            self.registrations[reg.code] = copy.deepcopy(reg)

    async def scheduled_sessions(self) -> list[Conference]:
        return [copy.deepcopy(c) for c in self.conferences.values() if c.status == "scheduled"]

    async def sessions_of_year(self, year: int) -> list[Conference]:
        return [copy.deepcopy(c) for c in self.conferences.values() if c.year == year]

    async def first_time(self, key: str, **fields: Any) -> bool:
        if key in self.marks:
            return False
        self.marks[key] = fields
        return True

    async def happened(self, key: str) -> bool:
        return key in self.marks

    def _contact(self, code: str) -> Recipient | None:
        person = self.personal.get(code, {})
        if not person.get("phone") and not person.get("email"):
            return None
        return Recipient(
            name=person.get("full_name"), phone=person.get("phone"), email=person.get("email")
        )

    async def contacts(self, codes: list[str]) -> dict[str, Recipient]:
        found = {code: self._contact(code) for code in codes}
        return {code: r for code, r in found.items() if r is not None}

    async def reachable(
        self, session_id: str, statuses: list[str]
    ) -> list[tuple[Registration, Recipient]]:
        return [
            (r, contact)
            for r in self._of(session_id)
            if r.status in statuses and (contact := self._contact(r.code)) is not None
        ]

    async def village_heads(
        self, village: str, session_id: str
    ) -> tuple[Contact | None, Contact | None]:
        heads = [
            r
            for r in self.registrations.values()
            if r.category == "village_head"
            and r.village_code == village
            and r.status != "cancelled"
        ]
        mine = next((r for r in heads if r.session_id == session_id), None)
        latest = max(heads, key=lambda r: r.registered_at or datetime.min, default=None)
        return (
            (mine.code, self._contact(mine.code)) if mine else None,
            (latest.code, self._contact(latest.code)) if latest else None,
        )

    async def agency_contacts(self) -> dict[str, dict[str, Any]]:
        return {}  # the reference file's contacts

    async def keep_agency_contact(self, changed: Any) -> None:
        raise NotImplementedError

    async def kept_village_head(self, village: str) -> Recipient | None:
        return self.heads.get(village)

    async def keep_village_head(
        self, village: str, personal: dict[str, str | None], record: dict[str, Any]
    ) -> int:
        self.heads[village] = Recipient(
            name=personal["head_name"], phone=personal["head_phone"], email=personal["head_email"]
        )
        return 1


def _case_still_running(issue: Issue) -> bool:
    """A complaint or denunciation whose follow-up is resolved but whose own decision is to come."""
    legal = issue.legal or {}
    return (
        issue.status == "resolved"
        and bool(legal)
        and not (legal.get("settled") or legal.get("suspended"))
    )


class IntakeMemory:
    def __init__(self) -> None:
        self.issues: dict[str, Issue] = {}
        self.submitters: dict[str, Submitter | None] = {}
        self.counters: dict[str, int] = {}
        self.marks: set[str] = set()
        self.sessions: dict[str, dict[str, Any]] = {}
        self.agendas: dict[str, dict[str, Any]] = {}
        self.agenda_marks_: dict[str, str] = {}
        self.signatures: dict[str, dict[str, Any]] = {}
        self.requests: dict[str, dict[str, Any]] = {}

    async def agency_contacts(self) -> dict[str, dict[str, Any]]:
        return {}  # the reference file's contacts

    def _out(self, code: str) -> Issue:
        return copy.deepcopy(self.issues[code])

    def _all(self) -> list[Issue]:
        return [self._out(code) for code in sorted(self.issues)]

    async def next_tracking_number(self, commune: str, year: int) -> int:
        key = f"tracking:{commune}:{year}"
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]

    async def first_time(self, key: str) -> bool:
        if key in self.marks:
            return False
        self.marks.add(key)
        return True

    async def open_candidates(
        self, village_code: str, topic: str, kind: str, handled_as: str
    ) -> list[Issue]:
        return [
            i
            for i in self._all()
            if (i.village_code, i.topic, i.kind, i.handled_as)
            == (village_code, topic, kind, handled_as)
            and i.status in OPEN
        ]

    async def insert_issue(self, issue: Issue, person: Submitter | None) -> None:
        kept = copy.deepcopy(issue)
        kept.events = []
        self.issues[issue.tracking_code], self.submitters[issue.tracking_code] = kept, person

    async def load_issue(self, tracking_code: str) -> Issue | None:
        return self._out(tracking_code) if tracking_code in self.issues else None

    async def save_issue(self, issue: Issue) -> None:
        if self.issues[issue.tracking_code].version != issue.version:
            raise RuntimeError(f"issue {issue.tracking_code} changed concurrently")
        issue.version += 1
        kept = copy.deepcopy(issue)
        kept.events = []
        self.issues[issue.tracking_code] = kept

    async def codes_past_deadline(self, today: date) -> list[str]:
        return [
            i.tracking_code
            for i in self._all()
            if i.status in ("concluded", "in_followup")
            and not i.overdue
            and (i.conclusion or {}).get("deadline", "9999") < today.isoformat()
        ]

    async def codes_due_between(self, first: date, last: date) -> list[str]:
        return [
            i.tracking_code
            for i in self._all()
            if i.status in ("concluded", "in_followup")
            and first.isoformat() <= (i.conclusion or {}).get("deadline", "") <= last.isoformat()
        ]

    async def open_case_codes(self) -> list[str]:
        return [
            i.tracking_code
            for i in self._all()
            if i.legal
            and i.legal.get("settled") is None
            and i.status not in ("referred", "refused", "merged")
        ]

    async def open_issues(self) -> list[Issue]:
        return [
            i
            for i in self._all()
            if (i.status in OPEN or _case_still_running(i))
            and i.status != "merged"
            and not i.merged_into
        ]

    async def upcoming_sessions(self, now: datetime) -> list[str]:
        return [
            sid
            for sid, s in self.sessions.items()
            if s.get("status") == "scheduled"
            and s.get("starts_at_utc")
            and s["starts_at_utc"] > now
        ]

    async def next_agenda_version(self, session_id: str, drafted: dict[str, Any]) -> int:
        agenda = self.agendas.setdefault(session_id, {"version": 0})
        agenda["version"] += 1
        agenda["latest"] = drafted
        return int(agenda["version"])

    async def mark_agenda(self, session_id: str, cause: str) -> None:
        self.agenda_marks_[f"{session_id}:{cause}"] = session_id

    async def agenda_marks(self) -> dict[str, list[str]]:
        marks: dict[str, list[str]] = {}
        for mark, session_id in self.agenda_marks_.items():
            marks.setdefault(session_id, []).append(mark)
        return marks

    async def clear_agenda_marks(self, marks: list[str]) -> None:
        for mark in marks:
            self.agenda_marks_.pop(mark, None)

    async def find_signature(self, request_code: str, voters: list[str]) -> dict[str, Any] | None:
        found = [self.signatures.get(f"{request_code}:{voter}") for voter in voters]
        return next((s for s in found if s), None)

    async def add_signature(self, cmd: Any, voter: str, now: datetime) -> dict[str, Any]:
        self.signatures[f"{cmd.request_code}:{voter}"] = {"request_code": cmd.request_code}
        request = self.requests.setdefault(
            cmd.request_code, {"signatures": 0, "threshold_reached_at": None}
        )
        request["signatures"] += 1
        return dict(request)

    async def mark_threshold_reached(self, request_code: str, now: datetime) -> None:
        self.requests[request_code]["threshold_reached_at"] = now

    async def reach(self, code: str) -> Recipient | str | None:
        found = await self.contacts([code])
        person = self.submitters.get(code)
        return found.get(code) or ("letter" if person and person.address else None)

    async def identified(self, code: str) -> bool:
        person = self.submitters.get(code)
        return bool(person and person.full_name and person.address)

    async def set_submitter(self, code: str, person: Submitter) -> None:
        self.submitters[code] = person

    async def contacts(self, codes: list[str]) -> dict[str, Recipient]:
        found = {}
        for code in codes:
            person = self.submitters.get(code)
            if person and (person.phone or person.email):
                found[code] = Recipient(
                    name=person.full_name, phone=person.phone, email=person.email
                )
        return found

    async def raised_before(self, codes: list[str], person: Submitter | None) -> bool:
        if person is None:
            return False

        def key(p: Submitter | None) -> str | None:
            return p and (p.citizen_id or p.phone or p.email or p.full_name)

        return any(key(self.submitters.get(c)) == key(person) for c in codes)

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
        found = [
            i
            for i in self._all()
            if first <= i.received_at <= last
            and i.kind in PUBLIC_KINDS
            and i.handled_as in PUBLIC_KINDS
            and (not topics or i.topic in topics)
            and (statuses is None or i.status in statuses)
        ]
        found.sort(key=lambda i: (i.received_at, i.tracking_code), reverse=True)
        return found[skip : skip + limit]

    async def issues_by_code(self, codes: list[str]) -> list[Issue]:
        return [self._out(c) for c in codes if c in self.issues]

    async def known_session(self, session_id: str) -> dict[str, Any] | None:
        found = self.sessions.get(session_id)
        return dict(found, _id=session_id) if found else None

    async def keep_session(self, session_id: str, fields: dict[str, Any]) -> None:
        self.sessions.setdefault(session_id, {}).update(fields)


class World:
    """One service in memory: its store, its clock, and what each unit of work would send."""

    def __init__(self, service: str, store: Any, now: datetime) -> None:
        self.service, self.store, self.clock = service, store, FixedClock(now)
        self.deps: HandlerDeps[Any] = HandlerDeps(lambda _session: store, REF, CIPHER)
        if service == "registration":  # a repository per unit of work, with its life cycle
            self.deps = HandlerDeps(
                lambda _session: Repository(store, self.clock),
                REF,
                CIPHER,
                reactions.lifecycle_of(REF),
            )
        elif service == "intake":
            self.deps = HandlerDeps(
                lambda _session: IntakeRepository(store),
                REF,
                CIPHER,
                intake_reactions.lifecycle_of(REF),
            )
        self.rows: list[dict[str, Any]] = []

    def context(self) -> HandlerContext:
        uow = UnitOfWork(
            db=cast(Database, None),  # the handlers reach storage only through the store
            session=cast(Session, None),
            service=self.service,
            clock=self.clock,
            cipher=CIPHER,
        )
        event = new_event(f"{self.service}.test.v1", {}, source="/test")
        return HandlerContext(uow=uow, event=event, clock=self.clock)

    async def run(self, handler: Any, message: Any) -> Any:
        ctx = self.context()
        result = await handler(self.deps, message, ctx)
        await self._settle(ctx.uow)  # only when it was not refused: as a commit
        return result

    async def commit(self, work: Any) -> Any:
        """A periodic job's transaction (the world stands in for its `JobContext`)."""
        ctx = self.context()
        result = await work(ctx.uow)
        await self._settle(ctx.uow)
        return result

    async def _settle(self, uow: UnitOfWork) -> None:
        if uow.settle is not None:
            await uow.settle()
        self.rows += uow.rows

    def events(self) -> list[tuple[str, dict[str, Any]]]:
        return [
            (row["routing_key"], json.loads(row["body"])["data"])
            for row in self.rows
            if row["kind"] == "event"
        ]

    def keys(self) -> list[str]:
        return [key for key, _ in self.events()]

    def requests(self) -> list[dict[str, Any]]:
        """The requests to notification, opened (they rest sealed: they carry a contact)."""
        return [
            json.loads(CIPHER.unseal(row["body"], context=f"outbox:{row['_id']}"))["data"]
            for row in self.rows
            if row["kind"] == "request"
        ]
