"""What intake's events cause besides their message, and its unit of work's life cycle.

When a unit of work commits, the issues its handler changed are saved, each event their rules
recorded is published (outgoing.message), then each reaction listed here runs, in the same
transaction: the receipt, the written notices of a case, the conclusion to those who raised the
matter, the reminder and the alarm to the agency. Handlers only load, apply a rule and say what
came of it.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Literal

from services.intake import outgoing
from services.intake.domain import events, issues, lifecycle, notices
from services.intake.domain.notices import Notice
from services.intake.repository import Repository
from shared import vi
from shared.clock import local_date
from shared.contracts.notification import Recipient
from shared.contracts.templates import (
    CaseAccepted,
    CaseLetter,
    CaseNotice,
    FollowupReminder,
    IssueConclusion,
    IssueReceipt,
    LegalAlarm,
    Params,
)
from shared.lifecycle import LifeCycle, Reaction
from shared.messaging.outbox import UnitOfWork
from shared.reference import ReferenceData


async def receipt(repo: Repository, uow: UnitOfWork, event: events.Received) -> None:
    """A receipt to whoever left a phone or an email, point to point."""
    issue = event.issue
    person = repo.person(issue.tracking_code)
    if not person or not (person.phone or person.email):
        return
    uow.notify(
        f"receipt:{issue.tracking_code}",
        Recipient(name=person.full_name, phone=person.phone, email=person.email),
        IssueReceipt(tracking_code=issue.tracking_code, received_on=local_date(issue.received_at)),
        subject=issue.tracking_code,
    )


async def live(ref: ReferenceData, repo: Repository) -> ReferenceData:
    """The reference data with the agencies' contacts as the office last set them."""
    return ref.with_agency_contacts(await repo.store.agency_contacts())


async def notice(
    ref: ReferenceData, repo: Repository, uow: UnitOfWork, event: events.NoticeGiven
) -> None:
    """A written notice of a case: to the person by the phone or email they left, or a letter
    the commune office is asked to send (a postal address only, or a party we keep no contact of)."""
    if event.channel == "contact":
        reach = await repo.store.reach(event.issue.tracking_code)
        if isinstance(reach, Recipient):
            _notify_person(uow, event.issue, event.notice, reach)
    elif event.channel == "letter":
        _letter_for_office(await live(ref, repo), uow, event.issue, event.notice)


def _notify_person(uow: UnitOfWork, issue: issues.Issue, notice: Notice, to: Recipient) -> None:
    code, kind = issue.tracking_code, vi.ISSUE_KIND[issue.handled_as]
    given = notice.params
    params: Params
    if notice.kind == "accepted":
        params = CaseAccepted(
            tracking_code=code,
            handled_as=kind,
            accepted_on=date.fromisoformat(given["accepted_on"]),
            settlement_due=date.fromisoformat(given["settlement_due"]),
            days=int(given["days"]) if given.get("days") else None,
        )
    else:
        params = CaseNotice(
            tracking_code=code, handled_as=kind, notice=notice.kind, basis=notice.basis, **given
        )
    uow.notify(
        f"case:{notice.key}:{code}", to, params, required=True, send_by=notice.send_by, subject=code
    )


def _letter_for_office(
    ref: ReferenceData, uow: UnitOfWork, issue: issues.Issue, notice: Notice
) -> None:
    """The office is asked to send a letter: what, to whom, on what basis and by when. The
    address stays in the case file; the message names only the tracking code."""
    code = issue.tracking_code
    letter = CaseLetter(
        tracking_code=code,
        handled_as=vi.ISSUE_KIND[issue.handled_as],
        what=notices.KIND_VI[notice.kind],
        to=notices.PARTY_VI[notice.to],
        postal=notice.to == "submitter",
        send_by=notice.send_by,
        basis=notice.basis,
        decision=notice.params.get("decision"),
    )
    uow.notify(
        f"letter:{notice.key}:{code}",
        ref.office().recipient(),
        letter,
        required=True,
        send_by=notice.send_by,
        subject=code,
    )


async def conclusion(repo: Repository, uow: UnitOfWork, event: events.Concluded) -> None:
    """The chair's conclusion, to everyone the law says hears it who left a contact."""
    issue = event.issue
    text = lifecycle.conclusion_of(issue)["text"]
    for code, recipient in (await repo.store.contacts(issues.told_of_conclusion(issue))).items():
        told = IssueConclusion(
            tracking_code=code,
            conclusion=text,
            deadline=event.deadline,
            responsible_agency=event.responsible_agency,
        )
        uow.notify(f"conclusion:{issue.tracking_code}:{code}", recipient, told, subject=code)


def remind_agency(
    ref: ReferenceData,
    uow: UnitOfWork,
    issue: issues.Issue,
    state: Literal["due_soon", "overdue"],
    days: int,
) -> None:
    """A follow-up reminder to the responsible agency's office address, point to point."""
    agency = ref.agency(lifecycle.conclusion_of(issue)["agency"])
    if agency is None or not (agency.email or agency.phone):
        return
    deadline = lifecycle.due_of(issue)
    reminder = FollowupReminder(
        tracking_code=issue.tracking_code,
        responsible_agency=agency.code,
        deadline=deadline,
        state=state,
        days=days,
    )
    uow.notify(
        f"followup-{state}:{issue.tracking_code}:{deadline.isoformat()}",
        agency.recipient(),
        reminder,
        subject=issue.tracking_code,
    )


async def overdue(
    ref: ReferenceData, repo: Repository, uow: UnitOfWork, event: events.Overdue
) -> None:
    """A conclusion past its deadline: its agency hears it."""
    remind_agency(await live(ref, repo), uow, event.issue, "overdue", event.days)


async def legal_alarm(
    ref: ReferenceData, repo: Repository, uow: UnitOfWork, event: events.LegalClock
) -> None:
    """A legal limit about to run out, or run out, told to the agency handling the case (the
    commune office when it has no contact on file), point to point, once per limit and state."""
    issue, clock, due, left = event.issue, event.clock, event.due, event.days_left
    agency = (await live(ref, repo)).answering(issue.agency_code)
    state: Literal["expired", "due_soon"] = "expired" if event.state == "expired" else "due_soon"
    alarm = LegalAlarm(
        tracking_code=issue.tracking_code,
        handled_as=vi.ISSUE_KIND[issue.handled_as],
        clock=lifecycle.CLOCK_VI[clock],
        due=due,
        state=state,
        days=abs(left),
        agency=agency.code,
    )
    uow.notify(
        f"legal-{state}:{issue.tracking_code}:{clock}:{due.isoformat()}",
        agency.recipient(),
        alarm,
        subject=issue.tracking_code,
    )


def reactions(ref: ReferenceData) -> dict[type, list[Reaction[Repository]]]:
    """Each kind of event, and what it causes (in this order) once its unit of work commits."""
    return {
        events.Received: [receipt],
        events.NoticeGiven: [partial(notice, ref)],
        events.Concluded: [conclusion],
        events.Overdue: [partial(overdue, ref)],
        events.LegalClock: [partial(legal_alarm, ref)],
    }


def lifecycle_of(ref: ReferenceData) -> LifeCycle[Repository]:
    return LifeCycle(save=Repository.save, message=outgoing.message, reactions=reactions(ref))
