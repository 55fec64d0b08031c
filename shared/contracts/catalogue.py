"""Every message once: routing key -> model, exchange and whether the public contract names it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from shared.contracts import intake, notification, privacy, registration, reporting
from shared.contracts.common import OUTCOME_KEY, Outcome

INBOUND = "nghedan.inbound"
EVENTS = "nghedan.events"
PROVINCIAL = "nghedan.provincial"
NOTIFY = "nghedan.notify"
REPLIES = ""  # outcomes go to the command's reply_to queue through the default exchange


@dataclass(frozen=True)
class MessageSpec:
    routing_key: str
    model: type[BaseModel]
    exchange: str
    kind: Literal["command", "event", "outcome", "result", "request", "task"]
    public: bool
    summary: str


def _cmd(key: str, model: type[BaseModel], summary: str, public: bool = True) -> MessageSpec:
    return MessageSpec(key, model, INBOUND, "command", public, summary)


def _evt(key: str, model: type[BaseModel], summary: str) -> MessageSpec:
    return MessageSpec(key, model, EVENTS, "event", False, summary)


R = registration
CATALOGUE: dict[str, MessageSpec] = {
    spec.routing_key: spec
    for spec in (
        _cmd("registration.create-session.v1", R.CreateSession, "Plan a dialogue conference."),
        _cmd(
            "registration.schedule-session.v1",
            R.ScheduleSession,
            "Fix or move its date, time and venue.",
        ),
        _cmd(
            "registration.register-delegate.v1",
            R.RegisterDelegate,
            "Register a person for a session.",
        ),
        _cmd(
            "registration.register-delegates.v1",
            R.RegisterDelegates,
            "Register a list of people, in its order, with one outcome per row.",
        ),
        _cmd(
            "registration.cancel-registration.v1", R.CancelRegistration, "Withdraw a registration."
        ),
        _cmd("registration.check-in.v1", R.CheckIn, "Record attendance at the conference."),
        _cmd(
            "registration.conclude-session.v1",
            R.ConcludeSession,
            "Close a conference after it was held.",
        ),
        _cmd(
            "registration.cancel-session.v1",
            R.CancelSession,
            "Call a conference off (addition to v1).",
        ),
        _cmd(
            "registration.data-request.v1",
            privacy.DataRequest,
            "A person's request on their personal data in registration (addition to v1).",
        ),
        _cmd(
            "registration.attach-briefing.v1",
            R.AttachBriefing,
            "Attach the chair's socio-economic briefing to a conference (addition to v1).",
        ),
        _cmd(
            "registration.attach-agency-points.v1",
            R.AttachAgencyPoints,
            "An agency's points for the chair's report, and who attends (addition to v1).",
        ),
        _cmd(
            "registration.set-village-head.v1",
            R.SetVillageHead,
            "A village head's name and contact, kept with their history (addition to v1).",
        ),
        _cmd(
            "intake.set-agency-contact.v1",
            intake.SetAgencyContact,
            "An agency's office contact, kept with its history (addition to v1).",
        ),
        _evt(
            "intake.agency-contact.changed.v1",
            intake.AgencyContactChanged,
            "An agency's office contact changed (an institution's, never a person's).",
        ),
        _cmd(
            "intake.submit-issue.v1",
            intake.SubmitIssue,
            "Submit a recommendation, feedback, complaint or denunciation.",
        ),
        _cmd(
            "intake.sign-adhoc-request.v1",
            intake.SignAdhocRequest,
            "A voter signs the ad-hoc dialogue request.",
        ),
        _cmd(
            "intake.record-answer.v1", intake.RecordAnswer, "An agency records its proposed answer."
        ),
        _cmd(
            "intake.record-conclusion.v1",
            intake.RecordConclusion,
            "The chair's conclusion on an issue.",
        ),
        _cmd(
            "intake.update-followup.v1",
            intake.UpdateFollowup,
            "Progress on a conclusion, up to resolved.",
        ),
        _cmd(
            "intake.reclassify-issue.v1",
            intake.ReclassifyIssue,
            "An officer changes an issue's topic or agency (addition to v1).",
        ),
        _cmd(
            "reporting.issue-results.v1",
            reporting.IssueResults,
            "Issue the results announcement of a concluded conference (addition to v1).",
        ),
        _cmd(
            "reporting.issue-conference-notice.v1",
            reporting.IssueConferenceNotice,
            "Issue a scheduled conference's public notice, once (addition to v1).",
        ),
        _evt(
            "reporting.conference-notice.issued.v1",
            reporting.ConferenceNoticeIssued,
            "A conference's public notice was issued.",
        ),
        _cmd(
            "reporting.replay-results.v1",
            reporting.ReplayResults,
            "Publish a period's results again.",
        ),
        MessageSpec(
            OUTCOME_KEY, Outcome, REPLIES, "outcome", True, "The one outcome of a command."
        ),
        MessageSpec(
            "dialogue.results.published.v1",
            reporting.ResultsPublished,
            PROVINCIAL,
            "result",
            True,
            "The results announcement of a concluded conference.",
        ),
        MessageSpec(
            "dialogue.followup.updated.v1",
            reporting.FollowupUpdated,
            PROVINCIAL,
            "result",
            True,
            "A conclusion's follow-up changed state.",
        ),
        _cmd(
            "intake.approve-summary.v1",
            intake.ApproveSummary,
            "An officer approves an issue's public text (addition to v1).",
        ),
        _evt(
            "intake.issue.summary-approved.v1",
            intake.SummaryApproved,
            "The public text of an issue, as an officer approved it.",
        ),
        _evt(
            "intake.issue.received.v1",
            intake.IssueReceived,
            "An issue was received and given its tracking code.",
        ),
        _evt(
            "intake.issue.classified.v1",
            intake.IssueClassified,
            "An issue's topic was set or changed.",
        ),
        _evt(
            "intake.issue.assigned.v1",
            intake.IssueAssigned,
            "An issue's responsible agency was set or changed.",
        ),
        _evt(
            "intake.issue.merged.v1",
            intake.IssueMerged,
            "A submission repeated an open issue and was merged into it.",
        ),
        _cmd(
            "intake.accept-case.v1",
            intake.AcceptCase,
            "A complaint or denunciation was accepted (addition to v1).",
        ),
        _cmd(
            "intake.extend-case.v1",
            intake.ExtendCase,
            "A decision extends a denunciation's check or settlement (addition to v1).",
        ),
        _cmd(
            "intake.record-settlement.v1",
            intake.RecordSettlement,
            "The decision settling a complaint or denunciation (addition to v1).",
        ),
        _cmd(
            "intake.close-issue.v1", intake.CloseIssue, "Refer or refuse an issue (addition to v1)."
        ),
        _cmd(
            "intake.withdraw-case.v1",
            intake.WithdrawCase,
            "A complaint or denunciation was withdrawn (addition to v1).",
        ),
        _cmd(
            "intake.suspend-case.v1",
            intake.SuspendCase,
            "The decision ending a withdrawn case (addition to v1).",
        ),
        _cmd(
            "intake.correct-kind.v1",
            intake.CorrectKind,
            "How a submission is handled, corrected (addition to v1).",
        ),
        _cmd(
            "intake.data-request.v1",
            privacy.DataRequest,
            "A person's request on their personal data in intake (addition to v1).",
        ),
        _evt(
            "intake.issue.kind-corrected.v1",
            intake.IssueKindCorrected,
            "How a submission is handled was corrected.",
        ),
        _evt(
            "intake.issue.answer-proposed.v1",
            intake.IssueAnswerProposed,
            "An agency proposed its answer.",
        ),
        _evt(
            "intake.issue.concluded.v1", intake.IssueConcluded, "The chair concluded on an issue."
        ),
        _evt(
            "intake.followup.updated.v1", intake.FollowupUpdated, "A conclusion's follow-up moved."
        ),
        _evt(
            "intake.issue.closed.v1",
            intake.IssueClosed,
            "An issue was referred elsewhere or refused.",
        ),
        _evt(
            "intake.conclusion.overdue.v1",
            intake.ConclusionOverdue,
            "A conclusion passed its deadline.",
        ),
        _evt(
            "intake.legal-clock.due-soon.v1",
            intake.LegalClock,
            "A legal time limit runs out in 3 days or less.",
        ),
        _evt("intake.legal-clock.expired.v1", intake.LegalClock, "A legal time limit ran out."),
        _evt(
            "intake.case.clocks.v1",
            intake.CaseClocks,
            "A complaint's or denunciation's legal limits after a change to the case.",
        ),
        _evt(
            "intake.agenda.drafted.v1",
            intake.AgendaDrafted,
            "A conference's agenda was (re)drafted.",
        ),
        _evt(
            "intake.adhoc-request.threshold-reached.v1",
            intake.AdhocThresholdReached,
            "Signatures of 10% of the voters reached: an ad-hoc dialogue is due.",
        ),
        MessageSpec(
            "notification.send.v1",
            notification.SendNotification,
            NOTIFY,
            "request",
            False,
            "Point to point: send one message to one person.",
        ),
        MessageSpec(
            "notification.deliver.v1",
            notification.DeliverMessage,
            NOTIFY,
            "task",
            False,
            "Inside notification: one attempt to send one message.",
        ),
        _evt(
            "notification.message.status.v1",
            notification.MessageStatus,
            "A message was queued, held, retried, sent, delivered, failed or suppressed.",
        ),
        _cmd(
            "notification.set-preference.v1",
            notification.SetPreference,
            "A person opts out of optional messages, or back in (addition to v1).",
        ),
        _cmd(
            "notification.resend-message.v1",
            notification.ResendMessage,
            "An operator sends one message again (addition to v1).",
            public=False,
        ),
        _evt(
            "intake.issue.on-agenda.v1",
            intake.IssueOnAgenda,
            "An issue was put on a conference's agenda.",
        ),
        _evt("registration.session.planned.v1", R.SessionPlanned, "A conference was planned."),
        _evt(
            "registration.session.scheduled.v1",
            R.SessionScheduled,
            "A conference's date was fixed or moved.",
        ),
        _evt(
            "registration.session.cancelled.v1", R.SessionCancelled, "A conference was called off."
        ),
        _evt("registration.session.held.v1", R.SessionHeld, "A conference began (first check-in)."),
        _evt(
            "registration.session.briefing-attached.v1",
            R.BriefingAttached,
            "The chair's socio-economic briefing was attached to a conference.",
        ),
        _evt(
            "registration.session.agency-points-attached.v1",
            R.AgencyPointsAttached,
            "An agency's points for the chair's report were attached to a conference.",
        ),
        _evt("registration.session.concluded.v1", R.SessionConcluded, "A conference was closed."),
        _evt(
            "registration.delegate.registered.v1",
            R.DelegateRegistered,
            "A delegate was registered or wait-listed.",
        ),
        _evt(
            "registration.delegate.promoted.v1",
            R.DelegatePromoted,
            "A wait-listed delegate got a place.",
        ),
        _evt(
            "registration.delegate.cancelled.v1",
            R.DelegateCancelled,
            "A registration was withdrawn.",
        ),
        _evt("registration.delegate.checked-in.v1", R.DelegateCheckedIn, "A delegate checked in."),
    )
}
