"""Each event intake's domain records, as the contract message intake publishes for it."""

from __future__ import annotations

from pydantic import BaseModel

from services.intake import messages as msg
from services.intake.domain import events, lifecycle
from services.intake.domain.issues import Issue
from shared.contracts import intake as contract
from shared.messaging.outbox import Message


def _received(issue: Issue) -> contract.IssueReceived:
    return contract.IssueReceived(
        tracking_code=issue.tracking_code,
        kind=issue.kind,
        handled_as=issue.handled_as,
        channel=issue.channel,
        village_code=issue.village_code,
        received_at=issue.received_at,
        anonymous=issue.anonymous,
        # no pseudonym of the person, no words of theirs: see intake.issue.summary-approved
    )


def _overdue(e: events.Overdue) -> contract.ConclusionOverdue:
    conclusion = lifecycle.conclusion_of(e.issue)
    return contract.ConclusionOverdue(
        tracking_code=e.issue.tracking_code,
        session_id=conclusion["session_id"],
        responsible_agency=conclusion["agency"],
        deadline=lifecycle.due_of(e.issue),
        days_overdue=e.days,
    )


def _concluded(e: events.Concluded) -> contract.IssueConcluded:
    return contract.IssueConcluded(
        tracking_code=e.issue.tracking_code,
        session_id=e.session_id,
        conclusion=None,  # its words are public only as approved: summary-approved's
        responsible_agency=e.responsible_agency,
        deadline=e.deadline,
        at=e.at,
    )


def _followup(e: events.FollowupUpdated) -> contract.FollowupUpdated:
    return contract.FollowupUpdated(
        tracking_code=e.issue.tracking_code,
        status=e.status,
        responsible_agency=lifecycle.conclusion_of(e.issue)["agency"],
        deadline=lifecycle.due_of(e.issue),
        overdue=e.issue.overdue,
        at=e.at,
    )


def _legal_clock(e: events.LegalClock) -> Message:
    clock = contract.LegalClock(
        tracking_code=e.issue.tracking_code,
        handled_as=lifecycle.case_kind(e.issue),
        clock=e.clock,
        due=e.due,
        days_left=e.days_left,
    )
    return Message(f"intake.legal-clock.{e.state}.v1", clock, e.issue.tracking_code)


def _routing(
    event: events.Classified | events.Assigned | events.KindCorrected,
) -> tuple[str, BaseModel]:
    """How an issue is classified, assigned and handled: each change, by whom."""
    code = event.issue.tracking_code
    match event:
        case events.Classified():
            return "intake.issue.classified.v1", contract.IssueClassified(
                tracking_code=code,
                topic=event.issue.topic,
                previous_topic=event.previous_topic,
                suggested=event.suggested,
                by=event.by,
                at=event.at,
            )
        case events.Assigned():
            return "intake.issue.assigned.v1", contract.IssueAssigned(
                tracking_code=code,
                agency_code=event.issue.agency_code,
                previous_agency_code=event.previous_agency,
                by=event.by,
                at=event.at,
            )
        case events.KindCorrected():
            return "intake.issue.kind-corrected.v1", contract.IssueKindCorrected(
                tracking_code=code,
                handled_as=event.issue.handled_as,
                previous_handled_as=event.previous,
                anonymous=event.issue.anonymous,
                by=event.by,
                at=event.at,
            )


def _about_issue(event: events.IssueEvent) -> tuple[str, BaseModel] | None:
    """The routing key and data of an event whose subject is its issue."""
    code = event.issue.tracking_code
    match event:
        case events.Received(issue=issue):
            return "intake.issue.received.v1", _received(issue)
        case events.Classified() | events.Assigned() | events.KindCorrected():
            return _routing(event)
        case events.OnAgenda():
            return "intake.issue.on-agenda.v1", contract.IssueOnAgenda(
                tracking_code=code, session_id=event.session_id, at=event.at
            )
        case events.SummaryApproved(issue=issue):
            texts = {f"public_{part}": text for part, text in issue.public_texts.items()}
            return "intake.issue.summary-approved.v1", contract.SummaryApproved(
                tracking_code=code,
                public_summary=issue.public_summary,
                **texts,
                by=event.by,
                at=event.at,
            )
        case events.AnswerProposed():
            return "intake.issue.answer-proposed.v1", contract.IssueAnswerProposed(
                tracking_code=code, agency_code=event.agency_code, at=event.at
            )
        case events.Concluded():
            return "intake.issue.concluded.v1", _concluded(event)
        case events.FollowupUpdated():
            return "intake.followup.updated.v1", _followup(event)
        case events.Closed():
            return "intake.issue.closed.v1", contract.IssueClosed(
                tracking_code=code,
                outcome=event.outcome,
                reason=msg.REASON_WITHHELD,  # the words: summary-approved's, once approved
                at=event.at,
            )
        case events.Overdue():
            return "intake.conclusion.overdue.v1", _overdue(event)
    return None


def message(event: events.Event) -> Message | None:
    """The routing key, the contract's data and the subject of one event; None for a notice
    given, which causes a request to notification and no broadcast."""
    match event:
        case events.NoticeGiven():
            return None
        case events.ClocksChanged(issue=issue):
            clocks = lifecycle.case_clocks(issue)
            if clocks is None:
                raise TypeError(f"{issue.tracking_code} is not a case")
            return Message("intake.case.clocks.v1", clocks, issue.tracking_code)
        case events.AgendaDrafted(drafted=drafted, version=version):
            versioned = drafted.model_copy(update={"version": version})
            return Message("intake.agenda.drafted.v1", versioned, drafted.session_id)
        case events.ThresholdReached():
            reached = contract.AdhocThresholdReached(
                request_code=event.request_code,
                signatures=event.signatures,
                voter_count=event.voter_count,
                threshold=event.threshold,
                subject=None,  # the signers' own words stay in intake (sealed)
                reached_at=event.at,
            )
            return Message("intake.adhoc-request.threshold-reached.v1", reached, event.request_code)
        case events.Merged(issue=issue):
            merged = contract.IssueMerged(
                tracking_code=issue.tracking_code,
                merged_into=event.into,
                raised_by_count=event.raised_by,
            )
            return Message("intake.issue.merged.v1", merged, event.into)
        case events.LegalClock():
            return _legal_clock(event)
    found = _about_issue(event)
    if found is None:
        raise TypeError(f"no message for {type(event).__name__}")  # a new event needs its mapping
    return Message(found[0], found[1], event.issue.tracking_code)
