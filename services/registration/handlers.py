"""One async function per registration command: load, apply the rule, say what came of it; the unit
of work saves, publishes and runs the reactions when it commits (repository.py, reactions.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.registration import messages as msg
from services.registration import notices
from services.registration.domain import delegates, heads, sessions
from services.registration.domain.model import (
    ADULT_AGE,
    ONE_PER_VILLAGE,
    Conference,
    Registration,
    session_day,
    starts,
)
from services.registration.repository import Repository
from services.registration.store import PERSONAL_FIELDS, Store
from shared import privacy
from shared.citizen import age_on
from shared.clock import local_date
from shared.contracts import intake as intake_contract
from shared.contracts import registration as contract
from shared.contracts.common import Rejected, error, reject_if
from shared.contracts.privacy import DataRequest
from shared.contracts.reporting import ResultsPublished
from shared.contracts.templates import OfficeAlarm
from shared.logging import get_logger
from shared.messaging.handling import HandlerContext, apply_rows
from shared.messaging.outbox import UnitOfWork
from shared.service import HandlerDeps, JobContext
from shared.text import fmt

log = get_logger(__name__)


Deps = HandlerDeps[Repository]


async def _conference(repo: Repository, session_id: str, field: str) -> Conference:
    conference = await repo.conference(session_id)
    if conference is None:
        raise Rejected(
            [error(field, "unknown_session", msg.UNKNOWN_SESSION.format(session=session_id))]
        )
    return conference


async def _registration(repo: Repository, code: str) -> Registration:
    reg = await repo.registration(code)
    if reg is None:
        raise Rejected(
            [
                error(
                    "data.registration_code",
                    "unknown_registration",
                    msg.UNKNOWN_REGISTRATION.format(code=code),
                )
            ]
        )
    return reg


async def create_session(
    deps: Deps, cmd: contract.CreateSession, ctx: HandlerContext
) -> dict[str, Any]:
    repo = deps.store(ctx.uow)
    commune = deps.ref.commune.code
    number = await repo.next_number(commune, cmd.year, cmd.kind)
    session_id = f"{commune}-{cmd.year}-{'DK' if cmd.kind == 'periodic' else 'DX'}{number}"
    conference = sessions.plan(cmd, deps.ref, session_id)
    repo.add_conference(conference)
    result: dict[str, Any] = {
        "session_id": conference.id,
        "status": conference.status,
        "title": conference.title,
    }
    warnings = sessions.organiser_warnings(conference)
    if warnings:
        result["warnings"] = warnings
        log.warning("session.plan_warnings", session_id=conference.id, count=len(warnings))
    return result


async def schedule_session(
    deps: Deps, cmd: contract.ScheduleSession, ctx: HandlerContext
) -> dict[str, Any]:
    repo = deps.store(ctx.uow)
    conference = await _conference(repo, cmd.session_id, "data.session_id")
    now = ctx.clock.now()
    previous = sessions.schedule(conference, cmd, now)
    removed: list[Registration] = []
    if previous is not None and starts(conference) < previous:  # moved earlier: ages again
        removed = await _under_age_removed(repo, conference, now)
    promoted = (
        delegates.promote_waiting(conference, await repo.waiting(conference.id), now)
        if removed
        else []
    )
    starts_at = starts(conference)
    result: dict[str, Any] = {
        "session_id": conference.id,
        "status": conference.status,
        "starts_at": starts_at.isoformat(),
        "announce_deadline": sessions.announce_deadline(conference).isoformat(),
        "rescheduled": previous is not None,
    }
    warnings = [w for w in [sessions.outside_period(conference)] if w]
    if removed:
        codes = ", ".join(r.code for r in removed)
        warnings.append(
            msg.UNDER_AGE_AFTER_MOVE.format(day=fmt(local_date(starts_at)), codes=codes)
        )
        result["removed_under_age"] = [r.code for r in removed]
        result["promoted"] = [r.code for r in promoted]
    if warnings:
        result["warnings"] = warnings
        log.warning("session.schedule_warnings", session_id=conference.id, count=len(warnings))
    return result


async def register_delegate(
    deps: Deps, cmd: contract.RegisterDelegate, ctx: HandlerContext
) -> dict[str, Any]:
    repo = deps.store(ctx.uow)
    conference = await _conference(repo, cmd.session_id, "data.session_id")
    now = ctx.clock.now()
    errors = delegates.registration_errors(cmd, conference, deps.ref, local_date(now))
    hashes = deps.cipher.keyed_hashes(cmd.citizen_id, purpose="citizen_id")
    citizen_hash, mine = hashes[0], None
    for earlier in hashes:  # registered before a look-up key rotation, too
        mine = mine or await repo.active(conference.id, citizen_hash=earlier)
    role_holder = None
    if cmd.category in ONE_PER_VILLAGE:
        role_holder = await repo.active(
            conference.id, category=cmd.category, village_code=cmd.village_code
        )
    errors += delegates.duplicate_errors(cmd, conference, mine, role_holder, deps.ref)
    reject_if(errors)
    reg = Registration(
        code=delegates.registration_code(conference.id, conference.next_seq),
        session_id=conference.id,
        seq=conference.next_seq,
        status="waiting",
        category=cmd.category,
        village_code=cmd.village_code,
        citizen_hash=citizen_hash,
        registered_at=now,
        sitting_code=cmd.sitting_code or delegates.sitting_of(conference, cmd.village_code),
    )
    conference.next_seq += 1
    waiting = 0
    if not delegates.has_place(conference, reg.category, reg.village_code):
        waiting = await repo.count_waiting(conference.id)
    delegates.place(conference, reg, waiting)
    repo.add_registration(reg, cmd.model_dump(include=set(PERSONAL_FIELDS), mode="json"))
    result: dict[str, Any] = {
        "registration_code": reg.code,
        "session_id": conference.id,
        "status": reg.status,
    }
    if reg.status == "waiting":
        result["waiting_position"] = waiting + 1
    return result


async def register_delegates(
    deps: Deps, cmd: contract.RegisterDelegates, ctx: HandlerContext
) -> dict[str, Any]:
    """A village head's list, row after row in its order, in one transaction: each row as one
    `register-delegate` (its own outcome, kept in the inbox under the row's id)."""

    async def one(row: contract.RegisterDelegate, ctx: HandlerContext) -> dict[str, Any]:
        if row.session_id != cmd.session_id:
            text = msg.ROW_OTHER_SESSION.format(row=row.session_id, batch=cmd.session_id)
            raise Rejected([error("data.session_id", "other_session", text)])
        return await register_delegate(deps, row, ctx)

    rows = [(row.id, {"session_id": cmd.session_id} | row.data) for row in cmd.rows]
    return await apply_rows(ctx, rows, "vn.nghedan.registration.register-delegate.v1", one)


async def _under_age_removed(
    repo: Repository, conference: Conference, now: datetime
) -> list[Registration]:
    """A conference moved earlier: whoever is not 18 on its new day is taken off the list (not
    only warned about), their place freed (Election Law 2015, Art. 30); they are told why."""
    day = local_date(starts(conference))
    born = await repo.birth_dates(conference.id)
    removed = []
    for code in sorted(c for c, dob in born.items() if age_on(dob, day) < ADULT_AGE):
        reg = await repo.registration(code)
        if reg is None or reg.status == "cancelled":
            continue
        delegates.cancel_registration(conference, reg, now, why="under_age")
        removed.append(reg)
    return removed


async def cancel_registration(
    deps: Deps, cmd: contract.CancelRegistration, ctx: HandlerContext
) -> dict[str, Any]:
    repo = deps.store(ctx.uow)
    mine = await _registration(repo, cmd.registration_code)
    conference = await _conference(repo, mine.session_id, "data.registration_code")
    now = ctx.clock.now()
    delegates.cancel_registration(conference, mine, now)
    promoted = delegates.promote_waiting(conference, await repo.waiting(conference.id), now)
    return {
        "registration_code": mine.code,
        "status": "cancelled",
        "promoted": [r.code for r in promoted],
    }


async def check_in(deps: Deps, cmd: contract.CheckIn, ctx: HandlerContext) -> dict[str, Any]:
    repo = deps.store(ctx.uow)
    reg = await _registration(repo, cmd.registration_code)
    conference = await _conference(repo, reg.session_id, "data.registration_code")
    at = cmd.checked_in_at or ctx.clock.now()
    sessions.check_in(conference, reg, at, ctx.clock.now())
    return {
        "registration_code": reg.code,
        "checked_in_at": at.isoformat(),
        "session_status": conference.status,
    }


async def conclude_session(
    deps: Deps, cmd: contract.ConcludeSession, ctx: HandlerContext
) -> dict[str, Any]:
    repo = deps.store(ctx.uow)
    conference = await _conference(repo, cmd.session_id, "data.session_id")
    registrations = await repo.all_of(conference.id)
    attendance = sessions.conclude(conference, registrations, cmd, ctx.clock.now())
    return {
        "session_id": conference.id,
        "status": conference.status,
        "attended": attendance.attended,
        "results_deadline": sessions.results_deadline(conference).isoformat(),
    }


async def attach_briefing(
    deps: Deps, cmd: contract.AttachBriefing, ctx: HandlerContext
) -> dict[str, Any]:
    conference = await _conference(deps.store(ctx.uow), cmd.session_id, "data.session_id")
    replaced = conference.briefing is not None
    sessions.attach_briefing(conference, cmd, ctx.clock.now())
    return {"session_id": conference.id, "title": cmd.title, "replaced": replaced}


async def attach_agency_points(
    deps: Deps, cmd: contract.AttachAgencyPoints, ctx: HandlerContext
) -> dict[str, Any]:
    conference = await _conference(deps.store(ctx.uow), cmd.session_id, "data.session_id")
    replaced = sessions.attach_agency_points(conference, cmd, deps.ref, ctx.clock.now())
    return {"session_id": conference.id, "agency_code": cmd.agency_code, "replaced": replaced}


async def set_village_head(
    deps: Deps, cmd: contract.SetVillageHead, ctx: HandlerContext
) -> dict[str, Any]:
    """A new version of a village head's contact, in force for the next notice; the earlier ones
    kept, each with who set it and why."""
    reject_if(heads.head_errors(cmd, deps.ref))
    personal = {
        "head_name": cmd.head_name,
        "head_phone": cmd.head_phone,
        "head_email": cmd.head_email,
    }
    record = {"at": ctx.clock.now(), "acted_by": ctx.actor or ctx.sender, "note": cmd.note}
    version = await deps.store(ctx.uow).store.keep_village_head(cmd.village_code, personal, record)
    return {"village_code": cmd.village_code, "version": version}


async def keep_agency_contact(
    deps: Deps, changed: intake_contract.AgencyContactChanged, ctx: HandlerContext
) -> None:
    """An agency's office contact the office changed (intake's): the same version kept here, for
    the alarms registration writes to the commune office."""
    await deps.store(ctx.uow).store.keep_agency_contact(changed)


async def cancel_session(
    deps: Deps, cmd: contract.CancelSession, ctx: HandlerContext
) -> dict[str, Any]:
    conference = await _conference(deps.store(ctx.uow), cmd.session_id, "data.session_id")
    sessions.cancel_session(conference, cmd.reason)
    return {"session_id": conference.id, "status": conference.status}


async def plan_adhoc_session(
    deps: Deps, event: intake_contract.AdhocThresholdReached, ctx: HandlerContext
) -> None:
    """The voters' request reached 10%: plan the ad-hoc dialogue, once per request."""
    marker = f"adhoc-request:{event.request_code}"
    if await deps.store(ctx.uow).store.happened(marker):
        return  # planned already: a later or repeated event changes nothing
    now = local_date(ctx.clock.now())
    reason = msg.ADHOC_REASON.format(
        signatures=event.signatures, voters=event.voter_count, request=event.request_code
    )
    if event.subject:
        reason += f": {event.subject}"
    planned = await create_session(
        deps,
        contract.CreateSession(
            kind="adhoc",
            year=now.year,
            period=f"{now.year}-{now.month:02d}",
            venue=deps.ref.commune.venue,
            capacity_min=deps.ref.commune.delegates_min,
            capacity_max=deps.ref.commune.delegates_max,
            reason=reason[:2000],
        ),
        ctx,
    )
    await deps.store(ctx.uow).store.first_time(marker, session_id=planned["session_id"])


async def announce_results(deps: Deps, results: ResultsPublished, ctx: HandlerContext) -> None:
    """A results announcement was issued: it goes to every village head (a replay changes nothing)."""
    if results.replay:
        return
    await deps.store(ctx.uow).store.first_time(f"results-published:{results.session_id}")
    unreached = await notices.results_to_village_heads(
        deps.store(ctx.uow).store, ctx.uow, deps.ref, results
    )
    if unreached:
        log.warning(
            "results.village_heads_unknown", session_id=results.session_id, villages=unreached
        )


async def remind_delegates(deps: Deps, job: JobContext) -> None:
    """The day before a conference, every confirmed delegate gets a reminder (once per date)."""
    tomorrow = local_date(job.clock.now()) + timedelta(days=1)
    for conference in await deps.store().scheduled():
        if conference.starts_at is None or local_date(conference.starts_at) != tomorrow:
            continue
        marker = f"reminder:{conference.id}:{tomorrow.isoformat()}"

        async def work(
            uow: UnitOfWork, conference: Conference = conference, marker: str = marker
        ) -> int:
            if not await deps.store(uow).store.first_time(marker):
                return 0
            return await notices.remind(deps.store(uow).store, uow, conference)

        sent = await job.commit(work)
        if sent:
            log.info("reminders.requested", session_id=conference.id, count=sent)


async def check_readiness(deps: Deps, job: JobContext) -> None:
    """A week before a conference and again the day before, the office hears which villages still
    lack their head, Party cell secretary or Front representative, and whether the delegates
    confirmed are fewer than planned (capacity_min); once per conference, date and stage."""
    today = local_date(job.clock.now())
    for conference in await deps.store().scheduled():
        stage = sessions.readiness_stage(conference, today)
        if stage is None:
            continue
        marker = f"readiness:{conference.id}:{session_day(conference)}:{stage}"

        async def work(
            uow: UnitOfWork, conference: Conference = conference, marker: str = marker
        ) -> None:
            if not await deps.store(uow).store.first_time(marker):
                return
            regs = await deps.store(uow).all_of(conference.id)
            gaps = sessions.delegation_gaps(conference, regs, deps.ref)
            below = conference.confirmed < conference.capacity_min
            if not gaps and not below:
                return
            log.warning(
                "session.delegation_incomplete",
                session_id=conference.id,
                villages=sorted(gaps),
                confirmed=conference.confirmed,
                capacity_min=conference.capacity_min,
            )
            params = notices.delegation_params(deps.ref, conference, gaps, below)
            await notices.office_alarm(deps.store(uow).store, uow, deps.ref, marker, params)

        await job.commit(work)


RESULTS_DUE_SOON_DAYS = 3  # the office is warned this many days before the results' limit


async def check_results_deadline(deps: Deps, job: JobContext) -> None:
    """From the day a conference was held (concluded or not), its results are due within 10 days
    (Law 72/2025, Art. 43): the office is warned 3 days before the limit and when it passes,
    once each, until the announcement is issued."""
    today = local_date(job.clock.now())
    held = [
        c
        for year in (today.year - 1, today.year)
        for c in await deps.store().of_year(year)
        if c.status in ("held", "concluded") and c.held_on is not None
    ]
    for conference in held:
        deadline = sessions.results_deadline(conference)
        left = (deadline - today).days
        stage = "overdue" if left < 0 else "due_soon" if left <= RESULTS_DUE_SOON_DAYS else None
        if stage is None:
            continue
        marker = f"results-{stage}:{conference.id}"
        params = notices.results_due_params(conference, deadline, left)

        async def work(
            uow: UnitOfWork,
            conference: Conference = conference,
            marker: str = marker,
            params: OfficeAlarm = params,
        ) -> None:
            store = deps.store(uow).store
            if await store.happened(f"results-published:{conference.id}"):
                return
            if not await store.first_time(marker):
                return
            log.warning("results.deadline", session_id=conference.id, stage=marker)
            await notices.office_alarm(store, uow, deps.ref, marker, params)

        await job.commit(work)


async def check_yearly_dialogue(deps: Deps, job: JobContext) -> None:
    """In the fourth quarter, a year with no periodic dialogue held is an alarm to the office,
    once a year (at least one periodic dialogue a year: Law 72/2025 and the commune's plan)."""
    today = local_date(job.clock.now())
    if today.month < 10:
        return
    planned = await deps.store().of_year(today.year)
    if not sessions.without_periodic_dialogue(planned, today):
        return
    marker = f"no-periodic-dialogue:{today.year}"

    async def work(uow: UnitOfWork) -> None:
        if not await deps.store(uow).store.first_time(marker):
            return
        log.warning("dialogue.none_this_year", year=today.year)
        alarm = notices.no_dialogue_params(planned, today)
        await notices.office_alarm(deps.store(uow).store, uow, deps.ref, marker, alarm)

    await job.commit(work)


# --- a data subject's request (Personal Data Protection Law 91/2025) ---------------------------

ENDED = ("concluded", "cancelled")


@dataclass(frozen=True)
class _Registrations:
    """A person's registrations, as a data subject's request changes them."""

    store: Store
    key: str = "registration_code"

    def described(self, record: dict[str, Any]) -> str:
        return f"{record['_id']} (hội nghị {record['session_id']})"

    async def kept_because(self, record: dict[str, Any]) -> str | None:
        conference = await self.store.load_session(record["session_id"])
        return (
            None
            if (conference.status if conference else "concluded") in ENDED
            else (msg.ERASURE_TO_COME)
        )

    async def correct(self, code: str, corrections: dict[str, str]) -> None:
        await self.store.correct_personal(code, corrections)

    async def erase(self, code: str, now: datetime) -> None:
        await self.store.erase_registration(code, "request", now)

    async def object_to(self, code: str, now: datetime) -> None:
        await self.store.object_to(code, now)


async def data_request(deps: Deps, cmd: DataRequest, ctx: HandlerContext) -> dict[str, Any]:
    """Access, correction, erasure where the law allows (not before the conference has ended),
    or objection, for every registration of this person (found by their citizen id); recorded
    with its clock; the person is told."""
    now = ctx.clock.now()
    store = deps.store(ctx.uow).store
    found = await store.registrations_of(cmd.subject.citizen_id) if cmd.subject.citizen_id else []
    answer = privacy.Answer(found=len(found))
    await privacy.carry_out(cmd, found, _Registrations(store), now, answer)
    return await privacy.answered(ctx.uow, cmd, now, answer, msg.HELD_BY, store.record_request)


def retention(deps: Deps, days: int) -> privacy.Retention:
    """Delegates' personal data erased `days` after their conference ended."""

    def store(uow: UnitOfWork | None = None) -> Store:
        return deps.store(uow).store

    return privacy.retention_of(msg.RETENTION_WHAT.format(days=days), days, store)
