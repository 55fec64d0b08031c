"""One async function per registration command: load, apply the rules, store, record events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from services.registration import messages as msg
from services.registration import notices, store
from services.registration.domain import delegates, sessions
from services.registration.domain.model import (
    ADULT_AGE,
    Registration,
    Session,
    held_on,
    placed,
    session_day,
    starts,
)
from shared.citizen import age_on, fmt
from shared.clock import local_date
from shared.contracts import intake as intake_contract
from shared.contracts import registration as contract
from shared.contracts.common import Rejected, error, reject_if
from shared.contracts.reporting import ResultsPublished
from shared.crypto import FieldCipher
from shared.logging import get_logger
from shared.messaging.consumer import HandlerContext, apply_rows
from shared.messaging.outbox import UnitOfWork
from shared.reference import ReferenceData
from shared.service import JobContext
from shared.storage import Database

log = get_logger(__name__)


@dataclass(frozen=True)
class Deps:
    db: Database
    ref: ReferenceData
    cipher: FieldCipher


def _sittings(session: Session) -> list[contract.SittingInfo]:
    return [
        contract.SittingInfo(code=s.code, villages=s.villages, venue=s.venue, starts_at=s.starts_at)
        for s in session.sittings
    ]


def _delegate(reg: Registration) -> dict[str, Any]:
    """What every delegate event says of a registration: never who the person is."""
    return {
        "session_id": reg.session_id,
        "registration_code": reg.code,
        "village_code": reg.village_code,
        "category": reg.category,
    }


async def _session(deps: Deps, ctx: HandlerContext, session_id: str, field: str) -> Session:
    session = await store.load_session(deps.db, ctx.session, session_id)
    if session is None:
        raise Rejected(
            [error(field, "unknown_session", msg.UNKNOWN_SESSION.format(session=session_id))]
        )
    return session


async def _registration(deps: Deps, ctx: HandlerContext, code: str) -> Registration:
    reg = await store.find_registration(deps.db, ctx.session, code)
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
    commune = deps.ref.commune.code
    number = await store.next_session_number(deps.db, ctx.session, commune, cmd.year, cmd.kind)
    session_id = f"{commune}-{cmd.year}-{'DK' if cmd.kind == 'periodic' else 'DX'}{number}"
    session = sessions.plan(cmd, deps.ref, session_id)
    await store.insert_session(deps.db, ctx.session, session, ctx.clock.now())
    ctx.uow.emit(
        "registration.session.planned.v1",
        contract.SessionPlanned(
            session_id=session.id,
            commune_code=commune,
            kind=session.kind,
            year=session.year,
            period=session.period,
            title=session.title,
            venue=session.venue,
            format=session.format,
            capacity_min=session.capacity_min,
            capacity_max=session.capacity_max,
            topics=session.topics,
            representatives_per_village=session.representatives_per_village,
            sittings=_sittings(session),
            organisers=[contract.OrganiserInfo(**o) for o in session.organisers],
        ),
        subject=session.id,
    )
    result: dict[str, Any] = {
        "session_id": session.id,
        "status": session.status,
        "title": session.title,
    }
    warnings = sessions.organiser_warnings(session)
    if warnings:
        result["warnings"] = warnings
        log.warning("session.plan_warnings", session_id=session.id, count=len(warnings))
    return result


async def schedule_session(
    deps: Deps, cmd: contract.ScheduleSession, ctx: HandlerContext
) -> dict[str, Any]:
    session = await _session(deps, ctx, cmd.session_id, "data.session_id")
    now = ctx.clock.now()
    previous = sessions.schedule(session, cmd, now)
    await store.save_session(deps.db, ctx.session, session, now)
    deadline = sessions.announce_deadline(session)
    starts_at = starts(session)
    await notices.on_scheduled(
        deps.db, ctx.session, ctx.uow, deps.cipher, deps.ref, session, previous
    )
    ctx.uow.emit(
        "registration.session.scheduled.v1",
        contract.SessionScheduled(
            session_id=session.id,
            commune_code=session.commune_code,
            kind=session.kind,
            starts_at=starts_at,
            ends_at=session.ends_at,
            venue=session.venue,
            format=session.format,
            online_url=session.online_url,
            agenda_summary=session.agenda_summary,
            sittings=_sittings(session),
            announce_deadline=deadline,
            previous_starts_at=previous,
        ),
        subject=session.id,
    )
    result: dict[str, Any] = {
        "session_id": session.id,
        "status": session.status,
        "starts_at": starts_at.isoformat(),
        "announce_deadline": deadline.isoformat(),
        "rescheduled": previous is not None,
    }
    warnings = [w for w in [sessions.outside_period(session)] if w]
    if previous is not None and starts_at < previous:  # moved earlier: ages again
        day = local_date(starts_at)
        born = await store.birth_dates(deps.db, ctx.session, session.id, deps.cipher)
        young = sorted(code for code, dob in born.items() if age_on(dob, day) < ADULT_AGE)
        if young:
            warnings.append(msg.UNDER_AGE_AFTER_MOVE.format(day=fmt(day), codes=", ".join(young)))
    if warnings:
        result["warnings"] = warnings
        log.warning("session.schedule_warnings", session_id=session.id, count=len(warnings))
    return result


async def register_delegate(
    deps: Deps, cmd: contract.RegisterDelegate, ctx: HandlerContext
) -> dict[str, Any]:
    session = await _session(deps, ctx, cmd.session_id, "data.session_id")
    now = ctx.clock.now()
    errors = delegates.registration_errors(cmd, session, deps.ref, local_date(now))
    citizen_hash = deps.cipher.keyed_hash(cmd.citizen_id, purpose="citizen_id")
    mine = await store.find_active(deps.db, ctx.session, session.id, citizen_hash=citizen_hash)
    role_holder = None
    if cmd.category in delegates.ONE_PER_VILLAGE:
        role_holder = await store.find_active(
            deps.db, ctx.session, session.id, category=cmd.category, village_code=cmd.village_code
        )
    errors += delegates.duplicate_errors(cmd, session, mine, role_holder, deps.ref)
    reject_if(errors)
    reg = Registration(
        code=delegates.registration_code(session.id, session.next_seq),
        session_id=session.id,
        seq=session.next_seq,
        status="waiting",
        category=cmd.category,
        village_code=cmd.village_code,
        citizen_hash=citizen_hash,
        registered_at=now,
        sitting_code=cmd.sitting_code or delegates.sitting_of(session, cmd.village_code),
    )
    session.next_seq += 1
    delegates.place(session, reg)
    position = None
    if reg.status == "waiting":
        position = await store.count_waiting(deps.db, ctx.session, session.id) + 1
    await store.save_session(deps.db, ctx.session, session, now)
    personal = cmd.model_dump(include=set(store.PERSONAL_FIELDS), mode="json")
    await store.insert_registration(deps.db, ctx.session, reg, personal, deps.cipher)
    await notices.on_registered(deps.db, ctx.session, ctx.uow, deps.cipher, session, [reg])
    ctx.uow.emit(
        "registration.delegate.registered.v1",
        contract.DelegateRegistered(
            **_delegate(reg),
            status=placed(reg),
            waiting_position=position,
            sitting_code=reg.sitting_code,
        ),
        subject=session.id,
    )
    result: dict[str, Any] = {
        "registration_code": reg.code,
        "session_id": session.id,
        "status": reg.status,
    }
    if position is not None:
        result["waiting_position"] = position
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


async def cancel_registration(
    deps: Deps, cmd: contract.CancelRegistration, ctx: HandlerContext
) -> dict[str, Any]:
    mine = await _registration(deps, ctx, cmd.registration_code)
    session = await _session(deps, ctx, mine.session_id, "data.registration_code")
    now = ctx.clock.now()
    previous = delegates.cancel_registration(session, mine, now)
    promoted = delegates.promote_waiting(
        session, await store.load_waiting(deps.db, ctx.session, session.id), now
    )
    await store.save_session(deps.db, ctx.session, session, now)
    await store.update_registrations(deps.db, ctx.session, [mine, *promoted])
    await notices.on_registered(
        deps.db, ctx.session, ctx.uow, deps.cipher, session, promoted, promoted=True
    )
    ctx.uow.emit(
        "registration.delegate.cancelled.v1",
        contract.DelegateCancelled(
            **_delegate(mine),
            previous_status=previous,
        ),
        subject=session.id,
    )
    for reg_up in promoted:
        ctx.uow.emit(
            "registration.delegate.promoted.v1",
            contract.DelegatePromoted(
                **_delegate(reg_up),
            ),
            subject=session.id,
        )
    return {
        "registration_code": mine.code,
        "status": "cancelled",
        "promoted": [r.code for r in promoted],
    }


async def check_in(deps: Deps, cmd: contract.CheckIn, ctx: HandlerContext) -> dict[str, Any]:
    reg = await _registration(deps, ctx, cmd.registration_code)
    session = await _session(deps, ctx, reg.session_id, "data.registration_code")
    at = cmd.checked_in_at or ctx.clock.now()
    opened = sessions.check_in(session, reg, at, ctx.clock.now())
    await store.save_session(deps.db, ctx.session, session, ctx.clock.now())
    await store.update_registrations(deps.db, ctx.session, [reg])
    if opened:
        ctx.uow.emit(
            "registration.session.held.v1",
            contract.SessionHeld(
                session_id=session.id, commune_code=session.commune_code, held_on=held_on(session)
            ),
            subject=session.id,
        )
    ctx.uow.emit(
        "registration.delegate.checked-in.v1",
        contract.DelegateCheckedIn(
            **_delegate(reg),
            checked_in_at=at,
        ),
        subject=session.id,
    )
    return {
        "registration_code": reg.code,
        "checked_in_at": at.isoformat(),
        "session_status": session.status,
    }


async def conclude_session(
    deps: Deps, cmd: contract.ConcludeSession, ctx: HandlerContext
) -> dict[str, Any]:
    session = await _session(deps, ctx, cmd.session_id, "data.session_id")
    registrations = await store.load_registrations(deps.db, ctx.session, session.id)
    now = ctx.clock.now()
    attendance = sessions.conclude(session, registrations, cmd, now)
    await store.save_session(deps.db, ctx.session, session, now)
    deadline = sessions.results_deadline(session)
    ctx.uow.emit(
        "registration.session.concluded.v1",
        contract.SessionConcluded(
            session_id=session.id,
            commune_code=session.commune_code,
            held_on=held_on(session),
            concluded_at=now,
            results_deadline=deadline,
            attendance=attendance,
            summary=cmd.summary,
            chaired_by=cmd.chaired_by,
            concluded_by=cmd.concluded_by,
        ),
        subject=session.id,
    )
    return {
        "session_id": session.id,
        "status": session.status,
        "attended": attendance.attended,
        "results_deadline": deadline.isoformat(),
    }


async def attach_briefing(
    deps: Deps, cmd: contract.AttachBriefing, ctx: HandlerContext
) -> dict[str, Any]:
    session = await _session(deps, ctx, cmd.session_id, "data.session_id")
    now = ctx.clock.now()
    replaced = session.briefing is not None
    sessions.attach_briefing(session, cmd, now)
    await store.save_session(deps.db, ctx.session, session, now)
    ctx.uow.emit(
        "registration.session.briefing-attached.v1",
        contract.BriefingAttached(
            session_id=session.id,
            commune_code=session.commune_code,
            title=cmd.title,
            summary=cmd.summary,
            presented_by=cmd.presented_by,
            at=now,
        ),
        subject=session.id,
    )
    return {"session_id": session.id, "title": cmd.title, "replaced": replaced}


async def cancel_session(
    deps: Deps, cmd: contract.CancelSession, ctx: HandlerContext
) -> dict[str, Any]:
    session = await _session(deps, ctx, cmd.session_id, "data.session_id")
    previous = sessions.cancel_session(session, cmd.reason)
    await store.save_session(deps.db, ctx.session, session, ctx.clock.now())
    await notices.on_cancelled(
        deps.db, ctx.session, ctx.uow, deps.cipher, deps.ref, session, cmd.reason
    )
    ctx.uow.emit(
        "registration.session.cancelled.v1",
        contract.SessionCancelled(
            session_id=session.id,
            commune_code=session.commune_code,
            reason=cmd.reason,
            previous_status=previous,
        ),
        subject=session.id,
    )
    return {"session_id": session.id, "status": session.status}


async def plan_adhoc_session(
    deps: Deps, event: intake_contract.AdhocThresholdReached, ctx: HandlerContext
) -> None:
    """The voters' request reached 10%: plan the ad-hoc dialogue, once per request."""
    marker = f"adhoc-request:{event.request_code}"
    if await store.planned_for(deps.db, ctx.session, marker):
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
    await deps.db.first_time(ctx.session, "counters", marker, session_id=planned["session_id"])


async def announce_results(deps: Deps, results: ResultsPublished, ctx: HandlerContext) -> None:
    """A results announcement was issued: it goes to every village head (a replay changes nothing)."""
    if results.replay:
        return
    unreached = await notices.results_to_village_heads(
        deps.db, ctx.session, ctx.uow, deps.cipher, deps.ref, results
    )
    if unreached:
        log.warning(
            "results.village_heads_unknown", session_id=results.session_id, villages=unreached
        )


async def remind_delegates(deps: Deps, job: JobContext) -> None:
    """The day before a conference, every confirmed delegate gets a reminder (once per date)."""
    tomorrow = local_date(job.clock.now()) + timedelta(days=1)
    for session in await store.scheduled_sessions(deps.db):
        if session.starts_at is None or local_date(session.starts_at) != tomorrow:
            continue
        marker = f"reminder:{session.id}:{tomorrow.isoformat()}"

        async def work(uow: UnitOfWork, session: Session = session, marker: str = marker) -> int:
            if not await deps.db.first_time(uow.session, "counters", marker):
                return 0
            return await notices.remind(deps.db, uow.session, uow, deps.cipher, session)

        sent = await job.commit(work)
        if sent:
            log.info("reminders.requested", session_id=session.id, count=sent)


async def check_readiness(deps: Deps, job: JobContext) -> None:
    """A week before a conference and again the day before, the office hears which villages still
    lack their head, Party cell secretary or Front representative, and whether the delegates
    confirmed are fewer than planned (capacity_min); once per conference, date and stage."""
    today = local_date(job.clock.now())
    for session in await store.scheduled_sessions(deps.db):
        stage = sessions.readiness_stage(session, today)
        if stage is None:
            continue
        marker = f"readiness:{session.id}:{session_day(session)}:{stage}"

        async def work(uow: UnitOfWork, session: Session = session, marker: str = marker) -> None:
            if not await deps.db.first_time(uow.session, "counters", marker):
                return
            regs = await store.load_registrations(deps.db, uow.session, session.id)
            gaps = sessions.delegation_gaps(session, regs, deps.ref)
            below = session.confirmed < session.capacity_min
            if not gaps and not below:
                return
            log.warning(
                "session.delegation_incomplete",
                session_id=session.id,
                villages=sorted(gaps),
                confirmed=session.confirmed,
                capacity_min=session.capacity_min,
            )
            params = notices.delegation_params(deps.ref, session, gaps, below)
            notices.office_alarm(uow, deps.ref, marker, params)

        await job.commit(work)


async def check_yearly_dialogue(deps: Deps, job: JobContext) -> None:
    """In the fourth quarter, a year with no periodic dialogue held is an alarm to the office,
    once a year (at least one periodic dialogue a year: Law 72/2025 and the commune's plan)."""
    today = local_date(job.clock.now())
    if today.month < 10:
        return
    planned = await store.sessions_of_year(deps.db, today.year)
    if not sessions.without_periodic_dialogue(planned, today):
        return
    marker = f"no-periodic-dialogue:{today.year}"

    async def work(uow: UnitOfWork) -> None:
        if not await deps.db.first_time(uow.session, "counters", marker):
            return
        log.warning("dialogue.none_this_year", year=today.year)
        notices.office_alarm(uow, deps.ref, marker, notices.no_dialogue_params(planned, today))

    await job.commit(work)
