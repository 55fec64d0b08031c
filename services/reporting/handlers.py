"""One async function per reporting use case: an event recorded and projected, the results
announcement issued, a period's announcements replayed for the province."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.reporting import conference_notice, projection
from services.reporting import messages as msg
from services.reporting.projection import Projection
from services.reporting.results import Results, in_period, issued_on_errors, stored_form, summary
from services.reporting.store import ReadModels, Record
from shared.clock import local_date
from shared.contracts import reporting as contract
from shared.contracts.common import error, reject_if
from shared.contracts.envelope import routing_key_of
from shared.messaging.handling import HandlerContext
from shared.messaging.outbox import UnitOfWork
from shared.storage import Document


@dataclass(frozen=True)
class Deps:
    results: Results  # its database, read models and reference data are the handlers' too

    @property
    def models(self) -> ReadModels:
        return self.results.models

    def record(self, uow: UnitOfWork) -> Record:
        """The announcements and the event record, in the unit of work's transaction."""
        return Record(self.results.db, uow.session)

    def projection(self, uow: UnitOfWork) -> Projection:
        """The unit of work's projection: written, and its follow-ups sent, when it commits."""
        lifecycle = projection.lifecycle_of(self.results.ref.commune.code)
        return lifecycle.bind(uow, lambda: Projection(self.models, self.record(uow), uow.session))


async def record(deps: Deps, data: Any, ctx: HandlerContext) -> None:
    """Keep the event in reporting's own record, and move the read models, in one unit."""
    event = ctx.event
    projected = deps.projection(ctx.uow)
    projected.keep(
        {
            "source": event.source,
            "id": event.id,
            "type": event.type,
            "time": event.time,
            "subject": event.subject,
            "data": event.data,
            "received_at": ctx.clock.now(),
        }
    )
    key = routing_key_of(event.type)
    await projected.apply(key, dict(event.data or {}), event.time or ctx.clock.now())


async def _concluded_session(deps: Deps, session_id: str) -> Document:
    """The conference as the read side knows it, refused unless it is concluded (the refusal
    says how far behind the read side is: perhaps it has not heard yet)."""
    session = await deps.models.session(session_id)
    if session is not None and session.get("status") == "concluded":
        return session
    behind = await deps.results.behind()
    if session is None:
        text = msg.NO_SUCH_SESSION.format(session=session_id, behind=behind)
        reject_if([error("data.session_id", "unknown_session", text)])
    status = (session or {}).get("status")
    text = msg.NOT_CONCLUDED.format(session=session_id, status=status, behind=behind)
    reject_if([error("data.session_id", "not_concluded", text)])
    raise RuntimeError(text)  # reject_if raised already: here for the type checker


async def issue_results(
    deps: Deps, cmd: contract.IssueResults, ctx: HandlerContext
) -> dict[str, Any]:
    """Issue the announcement once; it goes to the province (and so to every village head)."""
    record_ = deps.record(ctx.uow)
    stored = await record_.announcement(cmd.session_id)
    if stored is not None:
        return {**summary(deps.results.load(stored)), "already_issued": True}
    session = await _concluded_session(deps, cmd.session_id)
    today = local_date(ctx.clock.now())
    issued_on = cmd.issued_on or today
    reject_if(issued_on_errors(issued_on, date.fromisoformat(session["held_on"]), today))
    built = await deps.results.build(session, cmd, issued_on)
    reported = (session.get("attendance_reported") or {}).get("attended")
    if reported is not None and reported != built.participation.attended:
        text = msg.NOT_READY.format(
            attended=built.participation.attended,
            reported=reported,
            behind=await deps.results.behind(),
        )
        reject_if([error("data.session_id", "not_ready", text)])
    kept = {"_id": cmd.session_id, "model": stored_form(built), "issued_at": ctx.clock.now()}
    await record_.keep_announcement(kept)
    ctx.uow.emit("dialogue.results.published.v1", built.published(), subject=cmd.session_id)
    return summary(built)


async def replay_results(
    deps: Deps, cmd: contract.ReplayResults, ctx: HandlerContext
) -> dict[str, Any]:
    """Publish a period's announcements again, marked as a replay, for a province system."""
    replayed = []
    for stored in await deps.record(ctx.uow).announcements(cmd.session_id):
        built = deps.results.load(stored)
        if not in_period(built.held_on, cmd.period):
            continue
        again = built.published(replay=True)
        ctx.uow.emit("dialogue.results.published.v1", again, subject=built.session_id)
        replayed.append(built.session_id)
    return {"period": cmd.period, "replayed": replayed}


async def issue_conference_notice(
    deps: Deps, cmd: contract.IssueConferenceNotice, ctx: HandlerContext
) -> dict[str, Any]:
    """Issue a scheduled conference's public notice once for its date: numbered, dated, kept as
    it stood; the province and anyone can prove from `reporting.conference-notice.issued.v1`
    whether it came in time."""
    record_ = deps.record(ctx.uow)
    session = await deps.models.session(cmd.session_id)
    if session is None or not session.get("starts_at") or session.get("status") == "cancelled":
        behind = await deps.results.behind()
        text = msg.NOTICE_NOT_SCHEDULED.format(session=cmd.session_id, behind=behind)
        reject_if([error("data.session_id", "not_scheduled", text)])
        raise RuntimeError(text)  # reject_if raised already: here for the type checker
    key = conference_notice.key_of(session)
    kept = await record_.conference_notice(key)
    if kept is None:
        today = local_date(ctx.clock.now())
        issued_on = cmd.issued_on or today
        reject_if(conference_notice.issued_on_errors(issued_on, session, today))
        kept = {
            "_id": key,
            "session_id": cmd.session_id,
            "document_number": cmd.document_number,
            "issued_on": issued_on.isoformat(),
            "issued_at": ctx.clock.now(),
            "signer_name": cmd.signer_name,
            "session": session,
        }
        await record_.keep_conference_notice(kept)
        built = conference_notice.issued(kept, deps.results.ref)
        if built is None:  # a snapshot of a scheduled conference always builds
            raise RuntimeError(f"{cmd.session_id}: no notice from its own snapshot")
        issued = contract.ConferenceNoticeIssued(
            session_id=cmd.session_id,
            document_number=cmd.document_number,
            starts_at=built.starts_at,
            issued_on=issued_on,
            announce_deadline=built.announce_deadline,
            days_late=built.days_late,
            issued_at=ctx.clock.now(),
        )
        ctx.uow.emit("reporting.conference-notice.issued.v1", issued, subject=cmd.session_id)
        return {**_notice_summary(built), "already_issued": False}
    built = conference_notice.issued(kept, deps.results.ref)
    return {**(_notice_summary(built) if built else {}), "already_issued": True}


def _notice_summary(built: conference_notice.ConferenceNotice) -> dict[str, Any]:
    return {
        "session_id": built.session_id,
        "document_number": built.number,
        "issued_on": built.issued_on.isoformat(),
        "announce_deadline": built.announce_deadline.isoformat(),
        "days_late": built.days_late,
    }
