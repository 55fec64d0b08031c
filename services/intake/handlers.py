"""One async function per intake command: load, apply the rule, say what came of it; the unit of
work saves, publishes and runs the reactions when it commits (repository.py, reactions.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.intake import messages as msg
from services.intake import reactions
from services.intake.domain import adhoc, agenda, duplicates, events, issues, lifecycle, notices
from services.intake.repository import Repository
from services.intake.store import Store
from shared import privacy, vi
from shared.agency_contacts import AgencyContacts
from shared.citizen import email_errors, phone_errors
from shared.clock import local_date
from shared.contracts import intake as contract
from shared.contracts import registration as registration_contract
from shared.contracts.common import Rejected, error, reject_if
from shared.contracts.notification import Recipient
from shared.contracts.privacy import DataRequest
from shared.messaging.handling import EventHandler, HandlerContext
from shared.messaging.outbox import UnitOfWork
from shared.service import HandlerDeps, JobContext, PeriodicJob
from shared.text import fmt

Deps = HandlerDeps[Repository]


async def submit_issue(
    deps: Deps, cmd: contract.SubmitIssue, ctx: HandlerContext
) -> dict[str, Any]:
    repo = deps.store(ctx.uow)
    now = ctx.clock.now()
    commune = deps.ref.commune.code
    year = local_date(now).year
    number = await repo.next_number(commune, year)
    # A refusal aborts the transaction, and the number with it: the sequence keeps no gap.
    issue = issues.receive(cmd, deps.ref, f"{commune}-{year}-{number:05d}", now)
    lifecycle.start_clocks(issue, deps.ref.calendar)
    primary = await _repeated(repo, issue)
    if primary:
        again = await repo.store.raised_before(
            [primary.tracking_code, *primary.merged], cmd.submitter
        )
        issues.merge(issue, primary, now, counted=not again)
    else:
        issues.routed(issue, now)
    repo.add(issue, cmd.submitter)
    result: dict[str, Any] = {
        "tracking_code": issue.tracking_code,
        "handled_as": issue.handled_as,
        "status": issue.status,
        "topic": issue.topic,
        "agency_code": issue.agency_code,
    }
    if primary:
        result |= {"merged_into": primary.tracking_code, "raised_by_count": primary.raised_by}
    await _mark_upcoming(repo, ctx, primary or issue)
    return result


async def _mark_upcoming(repo: Repository, ctx: HandlerContext, issue: issues.Issue) -> None:
    """A new issue, one more voice on an old one or a public summary changes the agendas of coming
    conferences. The issue goes on the agenda at once; the agendas are marked, in the same
    transaction, and drafted again by `agenda_redraft` once for all the changes of its interval
    (a draft reads every open issue)."""
    now = ctx.clock.now()
    for session_id in await repo.store.upcoming_sessions(now):
        agenda.put_on_agenda(issue, session_id, now)
        await repo.store.mark_agenda(session_id, issue.tracking_code)


async def _repeated(repo: Repository, issue: issues.Issue) -> issues.Issue | None:
    """The open issue of the same village, topic, kind and handling this one repeats, if any.
    A complaint or a denunciation, however handled, is never merged nor merged into."""
    if issue.handled_as not in duplicates.MERGEABLE or issue.kind not in duplicates.MERGEABLE:
        return None
    candidates = await repo.candidates(
        issue.village_code, issue.topic, issue.kind, issue.handled_as
    )
    found = duplicates.find_duplicate(
        issue.content, [duplicates.Candidate(c.tracking_code, c.content) for c in candidates]
    )
    return next((c for c in candidates if found and c.tracking_code == found.tracking_code), None)


async def _issue(repo: Repository, tracking_code: str) -> issues.Issue:
    """The issue a tracking code stands for: a merged submission's code leads to the issue it joined."""
    issue = await repo.issue(tracking_code)
    if issue is not None and issue.merged_into:
        issue = await repo.issue(issue.merged_into)
    if issue is None:
        text = msg.UNKNOWN_ISSUE.format(code=tracking_code)
        raise Rejected([error("data.tracking_code", "unknown_issue", text)])
    return issue


async def reclassify_issue(
    deps: Deps, cmd: contract.ReclassifyIssue, ctx: HandlerContext
) -> dict[str, Any]:
    issue = await _issue(deps.store(ctx.uow), cmd.tracking_code)
    changed = issues.reclassify(issue, cmd, deps.ref, ctx.clock.now())
    return {
        "tracking_code": issue.tracking_code,
        "topic": issue.topic,
        "agency_code": issue.agency_code,
        "changed": sorted(changed),
    }


SESSION_ORDER = {"planned": 0, "scheduled": 1, "held": 2, "concluded": 3, "cancelled": 3}


def follow_session(deps: Deps, status: str, agenda_bytes: int) -> EventHandler:
    """Intake keeps the sessions it drafts agendas for; a scheduled one gets its agenda drafted."""

    async def follow(event: registration_contract.SessionPlanned, ctx: HandlerContext) -> None:
        known = await deps.store(ctx.uow).store.known_session(event.session_id)
        if known and SESSION_ORDER[known["status"]] > SESSION_ORDER[status]:
            return  # an older event arriving late: the session has moved on
        fields = event.model_dump(mode="json", exclude={"session_id"})
        starts = getattr(event, "starts_at", None)
        if starts is not None:
            fields["starts_at_utc"] = starts
        fields |= {"status": status, "updated_at": ctx.clock.now()}
        await deps.store(ctx.uow).store.keep_session(event.session_id, fields)
        if status == "scheduled":
            await redraft_agenda(deps, ctx.uow, event.session_id, ctx.clock.now(), agenda_bytes)

    return follow


async def redraft_agenda(
    deps: Deps,
    uow: UnitOfWork,
    session_id: str,
    now: datetime,
    agenda_bytes: int,
    place_issues: bool = True,
) -> None:
    """Draft, or draft again, a conference's agenda from every open issue, earlier years' too;
    its message carries the weightiest that fit in `agenda_bytes`. `place_issues`: issues still
    to be answered are put on it (not once the conference has been held)."""
    repo = deps.store(uow)
    open_issues = await repo.open_issues()
    for issue in open_issues:
        if place_issues:
            agenda.put_on_agenda(issue, session_id, now)
    drafted = agenda.draft(session_id, 0, open_issues, now, agenda_bytes)
    version = await repo.store.next_agenda_version(session_id, drafted.model_dump(mode="json"))
    repo.record(events.AgendaDrafted(drafted, version))


# A draft reads every open issue: however many there are, drafting takes at most this share of
# the time (after a draft of t seconds the next waits (1 - share) / share * t).
REDRAFT_SHARE = 0.2


def agenda_redraft(deps: Deps, agenda_bytes: int) -> PeriodicJob:
    """The agendas marked since the last run (while their conference was to come), drafted again
    once each. A conference held since the change still gets the draft (what came before it was
    on its agenda); the marks of a cancelled one are dropped."""
    not_before = 0.0

    async def redraft(job: JobContext) -> None:
        nonlocal not_before
        if time.monotonic() < not_before:
            return
        started = time.monotonic()
        for session_id, marks in (await deps.store().store.agenda_marks()).items():

            async def draft(
                uow: UnitOfWork, session_id: str = session_id, marks: list[str] = marks
            ) -> None:
                known = await deps.store(uow).store.known_session(session_id)
                if known and known["status"] != "cancelled":
                    await redraft_agenda(
                        deps,
                        uow,
                        session_id,
                        job.clock.now(),
                        agenda_bytes,
                        place_issues=known["status"] == "scheduled",
                    )
                await deps.store(uow).store.clear_agenda_marks(marks)

            await job.commit(draft)
        took = time.monotonic() - started
        not_before = time.monotonic() + took * (1 - REDRAFT_SHARE) / REDRAFT_SHARE

    return redraft


async def _changed(
    deps: Deps, ctx: HandlerContext, code: str, change: Callable[[issues.Issue], object]
) -> issues.Issue:
    """Load the issue and apply one step of its life to it; the written notices the step
    requires are recorded in the case with how each goes (to the person who sent it: by the
    phone or email they left, a letter, or no way at all)."""
    repo = deps.store(ctx.uow)
    issue = await _issue(repo, code)
    change(issue)
    if issue.notices:
        to_submitter: notices.Channel = "none"
        if any(n.to == "submitter" for n in issue.notices):
            reach = await repo.store.reach(issue.tracking_code)
            to_submitter = "contact" if isinstance(reach, Recipient) else reach or "none"
        notices.give(issue, to_submitter, ctx.clock.now())
    return issue


async def approve_summary(
    deps: Deps, cmd: contract.ApproveSummary, ctx: HandlerContext
) -> dict[str, Any]:
    now = ctx.clock.now()
    issue = await _changed(
        deps, ctx, cmd.tracking_code, lambda i: issues.approve_summary(i, cmd, now)
    )
    await _mark_upcoming(deps.store(ctx.uow), ctx, issue)
    return {**_state(issue), "public_summary": issue.public_summary}


async def set_agency_contact(
    deps: Deps, cmd: contract.SetAgencyContact, ctx: HandlerContext
) -> dict[str, Any]:
    """A new version of an agency's office contact, in force from the next message; the earlier
    ones kept; the change announced (an institution's address) for the services that write to it."""
    errors = []
    if deps.ref.agency(cmd.agency_code) is None:
        unknown = msg.UNKNOWN_AGENCY.format(code=cmd.agency_code)
        errors.append(error("data.agency_code", "unknown_agency", unknown))
    if not cmd.email and not cmd.phone:
        errors.append(error("data.email", "no_contact", msg.AGENCY_NO_CONTACT))
    errors += phone_errors(cmd.phone, "data.phone") + email_errors(cmd.email, "data.email")
    reject_if(errors)
    kept = AgencyContacts(ctx.uow.db, ctx.session)
    version, now = await kept.next_version(cmd.agency_code), ctx.clock.now()
    fields = {"email": cmd.email, "phone": cmd.phone, "note": cmd.note, "at": now}
    await kept.keep(cmd.agency_code, version, fields | {"acted_by": ctx.actor or ctx.sender})
    changed = contract.AgencyContactChanged(
        agency_code=cmd.agency_code,
        version=version,
        email=cmd.email,
        phone=cmd.phone,
        changed_at=now,
    )
    ctx.uow.emit("intake.agency-contact.changed.v1", changed, subject=cmd.agency_code)
    return {"agency_code": cmd.agency_code, "version": version}


def _state(issue: issues.Issue) -> dict[str, Any]:
    return {"tracking_code": issue.tracking_code, "status": issue.status}


async def record_answer(
    deps: Deps, cmd: contract.RecordAnswer, ctx: HandlerContext
) -> dict[str, Any]:
    now = ctx.clock.now()
    issue = await _changed(
        deps, ctx, cmd.tracking_code, lambda i: lifecycle.propose_answer(i, cmd, now)
    )
    return _state(issue)


async def record_conclusion(
    deps: Deps, cmd: contract.RecordConclusion, ctx: HandlerContext
) -> dict[str, Any]:
    now = ctx.clock.now()
    conference = await deps.store(ctx.uow).store.known_session(cmd.session_id)
    agencies = {a.code for a in deps.ref.agencies}
    issue = await _changed(
        deps,
        ctx,
        cmd.tracking_code,
        lambda i: lifecycle.conclude(i, cmd, conference, agencies, now),
    )
    return {**_state(issue), "deadline": cmd.deadline.isoformat()}


async def update_followup(
    deps: Deps, cmd: contract.UpdateFollowup, ctx: HandlerContext
) -> dict[str, Any]:
    now = ctx.clock.now()
    issue = await _changed(deps, ctx, cmd.tracking_code, lambda i: lifecycle.follow_up(i, cmd, now))
    return _state(issue)


async def close_issue(deps: Deps, cmd: contract.CloseIssue, ctx: HandlerContext) -> dict[str, Any]:
    now = ctx.clock.now()
    calendar = deps.ref.calendar
    issue = await _changed(
        deps, ctx, cmd.tracking_code, lambda i: lifecycle.close(i, cmd, now, calendar)
    )
    return {**_state(issue), **_notices_given(issue)}


def _notices_given(issue: issues.Issue) -> dict[str, Any]:
    """The written notices a case step gave, as its outcome tells the office: how each went."""
    records = {n["key"]: n for n in (issue.legal or {}).get("notices", [])}
    given = [
        {k: v for k, v in records[n.key].items() if k in ("kind", "to", "send_by", "by")}
        for n in issue.notices
        if n.key in records
    ]
    return {"notices": given} if given else {}


async def accept_case(deps: Deps, cmd: contract.AcceptCase, ctx: HandlerContext) -> dict[str, Any]:
    now = ctx.clock.now()
    calendar = deps.ref.calendar

    def accept(issue: issues.Issue) -> None:
        remote = deps.ref.is_remote(issue.village_code)
        lifecycle.accept(issue, cmd, now, calendar, remote=remote)

    issue = await _changed(deps, ctx, cmd.tracking_code, accept)
    due = lifecycle.legal_of(issue)["clocks"]["settlement"]
    given = _notices_given(issue)
    told = any(n["to"] == "submitter" and n["by"] != "none" for n in given.get("notices", []))
    return {**_state(issue), "settlement_due": due, "notified": told, **given}


async def extend_case(deps: Deps, cmd: contract.ExtendCase, ctx: HandlerContext) -> dict[str, Any]:
    now = ctx.clock.now()
    calendar = deps.ref.calendar
    issue = await _changed(
        deps, ctx, cmd.tracking_code, lambda i: lifecycle.extend(i, cmd, now, calendar)
    )
    return {
        **_state(issue),
        "clock": cmd.clock,
        "due": lifecycle.legal_of(issue)["clocks"][cmd.clock],
        **_notices_given(issue),
    }


async def record_settlement(
    deps: Deps, cmd: contract.RecordSettlement, ctx: HandlerContext
) -> dict[str, Any]:
    now = ctx.clock.now()
    calendar = deps.ref.calendar
    issue = await _changed(
        deps, ctx, cmd.tracking_code, lambda i: lifecycle.settle(i, cmd, now, calendar)
    )
    settled = lifecycle.legal_of(issue)["settled"]
    return {**_state(issue), "settled": settled, **_notices_given(issue)}


async def withdraw_case(
    deps: Deps, cmd: contract.WithdrawCase, ctx: HandlerContext
) -> dict[str, Any]:
    now = ctx.clock.now()
    issue = await _changed(deps, ctx, cmd.tracking_code, lambda i: lifecycle.withdraw(i, cmd, now))
    return {**_state(issue), "withdrawn_on": cmd.withdrawn_on.isoformat()}


async def suspend_case(
    deps: Deps, cmd: contract.SuspendCase, ctx: HandlerContext
) -> dict[str, Any]:
    now = ctx.clock.now()
    calendar = deps.ref.calendar
    issue = await _changed(
        deps, ctx, cmd.tracking_code, lambda i: lifecycle.suspend(i, cmd, now, calendar)
    )
    return {**_state(issue), "suspended_on": cmd.decided_on.isoformat(), **_notices_given(issue)}


async def correct_kind(
    deps: Deps, cmd: contract.CorrectKind, ctx: HandlerContext
) -> dict[str, Any]:
    """How a submission is handled, corrected; its legal clocks start from the day the law says."""
    now = ctx.clock.now()
    repo = deps.store(ctx.uow)
    issue = await repo.issue(cmd.tracking_code)  # a merged one is refused, not followed
    if issue is None:
        text = msg.UNKNOWN_ISSUE.format(code=cmd.tracking_code)
        raise Rejected([error("data.tracking_code", "unknown_issue", text)])
    on_file = await repo.store.identified(cmd.tracking_code)
    before = issues.correct_kind(issue, cmd, deps.ref, on_file, now)
    lifecycle.kind_corrected(issue, cmd, deps.ref.calendar, now)
    if cmd.submitter is not None:
        await repo.store.set_submitter(issue.tracking_code, cmd.submitter)
    await _mark_upcoming(repo, ctx, issue)
    result = {**_state(issue), "handled_as": issue.handled_as, "previous_handled_as": before}
    legal = issue.legal or {}
    return result | {"clocks": legal.get("clocks", {}), "agency_code": issue.agency_code}


# --- time-driven rules, run by the service's ticker against the shared clock -----------------


def overdue_sweep(deps: Deps) -> PeriodicJob:
    """A conclusion past its deadline is marked overdue, once (its agency hears it: reactions)."""

    async def mark_overdue(job: JobContext) -> None:
        today = local_date(job.clock.now())
        for code in await deps.store().store.codes_past_deadline(today):

            async def mark(uow: UnitOfWork, code: str = code) -> None:
                issue = await deps.store(uow).issue(code)
                if issue is not None:  # marked once: another instance may have got there first
                    lifecycle.mark_overdue(issue, today, job.clock.now())

            await job.commit(mark)

    return mark_overdue


DUE_SOON_DAYS = 3  # the responsible agency is reminded this many days before its deadline


def due_soon_sweep(deps: Deps) -> PeriodicJob:
    """Conclusions due within DUE_SOON_DAYS: their agency is reminded, once per deadline."""

    async def remind(job: JobContext) -> None:
        today = local_date(job.clock.now())
        horizon = today + timedelta(days=DUE_SOON_DAYS)
        for code in await deps.store().store.codes_due_between(today, horizon):

            async def check(uow: UnitOfWork, code: str = code) -> None:
                repo = deps.store(uow)
                issue = await repo.issue(code)
                deadline = lifecycle.deadline_of(issue) if issue else None
                if issue is None or deadline is None or issue.status not in lifecycle.FOLLOWED:
                    return
                if await repo.store.first_time(f"due-soon:{code}:{deadline.isoformat()}"):
                    days = (deadline - today).days
                    ref = await reactions.live(deps.ref, repo)
                    reactions.remind_agency(ref, uow, issue, "due_soon", days)

            await job.commit(check)

    return remind


def legal_clock_sweep(deps: Deps) -> PeriodicJob:
    """A case's limits due soon or run out: said once each (and the agency alarmed: reactions)."""

    async def ring(job: JobContext) -> None:
        today = local_date(job.clock.now())
        for code in await deps.store().store.open_case_codes():

            async def check(uow: UnitOfWork, code: str = code) -> None:
                issue = await deps.store(uow).issue(code)
                if issue is not None:
                    lifecycle.clock_alarms(issue, today)

            await job.commit(check)

    return ring


# --- ad-hoc dialogue by the 10% rule ------------------------------------------------------------


async def sign_adhoc_request(
    deps: Deps, cmd: contract.SignAdhocRequest, ctx: HandlerContext
) -> dict[str, Any]:
    now = ctx.clock.now()
    hashes = deps.cipher.keyed_hashes(cmd.citizen_id, purpose="citizen_id")
    voter = hashes[0]
    repo = deps.store(ctx.uow)
    signed = await repo.store.find_signature(cmd.request_code, hashes)
    errors = adhoc.signature_errors(cmd, deps.ref, signed, now)
    reject_if(errors)
    request = await repo.store.add_signature(cmd, voter, now)
    voters = deps.ref.commune.voter_count
    reached = adhoc.reached(cmd.request_code, request, voters, now)
    if reached:
        await repo.store.mark_threshold_reached(cmd.request_code, now)
        repo.record(reached)
    threshold = adhoc.threshold(voters)
    return {
        "request_code": cmd.request_code,
        "signatures": request["signatures"],
        "threshold": threshold,
        "threshold_reached": request["signatures"] >= threshold,
    }


# --- a data subject's request (Personal Data Protection Law 91/2025) ---------------------------


@dataclass(frozen=True)
class _Issues:
    """The issues a person sent, as a data subject's request changes them."""

    store: Store
    key: str = "tracking_code"

    def described(self, record: dict[str, Any]) -> str:
        received = fmt(local_date(record["received_at"]))
        kind = vi.ISSUE_KIND.get(record["handled_as"], record["handled_as"])
        return f"{record['_id']} ({kind}, nhận ngày {received})"

    async def kept_because(self, record: dict[str, Any]) -> str | None:
        """A case file is kept as the law on archives says; an open issue until it is done."""
        if record.get("legal") is not None or record.get("kind") == "denunciation":
            return msg.ERASURE_CASE_FILE
        return msg.ERASURE_STILL_OPEN if record.get("status") in issues.OPEN else None

    async def correct(self, code: str, corrections: dict[str, str]) -> None:
        await self.store.correct_submitter(code, corrections)

    async def erase(self, code: str, now: datetime) -> None:
        await self.store.erase_issue(code, "request", now)

    async def object_to(self, code: str, now: datetime) -> None:
        await self.store.object_to(code, now)


async def data_request(deps: Deps, cmd: DataRequest, ctx: HandlerContext) -> dict[str, Any]:
    """Access, correction, erasure where the law allows, or objection, for every issue this
    person sent, and their signatures of a voters' request; recorded with its clock; the person
    is sent the copy or the result."""
    now = ctx.clock.now()
    store = deps.store(ctx.uow).store
    found = await store.issues_of(cmd.subject)
    answer = privacy.Answer(found=len(found))
    await privacy.carry_out(cmd, found, _Issues(store), now, answer)
    citizen_id = cmd.subject.citizen_id
    for signed in await store.signatures_of(citizen_id) if citizen_id else []:
        answer.found += 1
        request, day = signed["request_code"], fmt(local_date(signed["signed_at"]))
        if cmd.kind == "access":
            kept = privacy.held(signed["person"]) or privacy.NOTHING_HELD
            answer.lines.append(f"- {msg.SIGNED.format(request=request, day=day)}: {kept}")
        else:  # the record of the 10% the law asks for: kept until its time is up
            answer.refused.append({"request_code": request, "reason": msg.SIGNATURE_KEPT})
            answer.lines.append(
                f"- {msg.SIGNED.format(request=request, day=day)}: không đổi — {msg.SIGNATURE_KEPT}"
            )
    return await privacy.answered(ctx.uow, cmd, now, answer, msg.HELD_BY, store.record_request)


def retention(deps: Deps, days: int) -> privacy.Retention:
    """Personal data of ended issues and ad-hoc signatures erased `days` after their receipt."""

    def store(uow: UnitOfWork | None = None) -> Store:
        return deps.store(uow).store

    return privacy.retention_of(msg.RETENTION_WHAT.format(days=days), days, store)
