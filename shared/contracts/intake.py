"""Commands of the intake service on the public contract (the service itself is a later issue)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, Field

from shared.contracts.common import Command, ContactText, Message, PersonName

IssueKind = Literal["recommendation", "feedback", "complaint", "denunciation"]
FollowupStatus = Literal["in_progress", "resolved"]
CloseOutcome = Literal["referred", "refused", "settled_in_village"]
# How an issue ended outside the dialogue: as closed, or a case withdrawn and suspended.
ClosedOutcome = Literal["referred", "refused", "settled_in_village", "withdrawn"]
# in_person (an addition to v1): said at the commune's reception desk, written down there
Channel = Literal[
    "village_head",
    "letter",
    "online_portal",
    "hotline",
    "conference",
    "external_system",
    "in_person",
]


class Submitter(Command):
    full_name: PersonName
    citizen_id: ContactText | None = Field(default=None, max_length=20)
    phone: ContactText | None = Field(default=None, max_length=20)
    email: ContactText | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=500)


class SubmitIssue(Command):
    """`intake.submit-issue.v1`: a recommendation, feedback, complaint or denunciation."""

    kind: IssueKind
    channel: Channel
    content: str = Field(min_length=1, max_length=10_000)
    village_code: str = Field(min_length=1, max_length=20)
    topic_hint: str | None = Field(default=None, max_length=64)
    submitter: Submitter | None = None
    received_at: AwareDatetime
    external_reference: str | None = Field(default=None, max_length=200)


class SignAdhocRequest(Command):
    """`intake.sign-adhoc-request.v1`: a voter signs the request for an ad-hoc dialogue."""

    request_code: str = Field(min_length=1, max_length=64)
    full_name: PersonName
    citizen_id: ContactText = Field(min_length=1, max_length=20)
    date_of_birth: date
    gender: Literal["male", "female"]
    village_code: str = Field(min_length=1, max_length=20)
    signed_at: AwareDatetime
    subject: str | None = Field(default=None, max_length=2000)


class RecordAnswer(Command):
    """`intake.record-answer.v1`: an agency's proposed answer to an issue."""

    tracking_code: str = Field(min_length=1, max_length=32)
    agency_code: str = Field(min_length=1, max_length=32)
    answer: str = Field(min_length=1, max_length=10_000)


class RecordConclusion(Command):
    """`intake.record-conclusion.v1`: the chair's conclusion on an issue."""

    tracking_code: str = Field(min_length=1, max_length=32)
    session_id: str = Field(min_length=1, max_length=64)
    conclusion: str = Field(min_length=1, max_length=10_000)
    responsible_agency: str = Field(min_length=1, max_length=32)
    deadline: date


class UpdateFollowup(Command):
    """`intake.update-followup.v1`: progress on a conclusion, up to resolved."""

    tracking_code: str = Field(min_length=1, max_length=32)
    status: FollowupStatus
    note: str = Field(min_length=1, max_length=5000)
    reported_at: AwareDatetime


class ReclassifyIssue(Command):
    """`intake.reclassify-issue.v1` (an addition to the contract): an officer changes the topic
    and/or the responsible agency; the change is kept in the issue's history."""

    tracking_code: str = Field(min_length=1, max_length=32)
    topic: str | None = Field(default=None, max_length=64)
    agency_code: str | None = Field(default=None, max_length=32)
    officer: str = Field(
        min_length=1, max_length=200, description="Who decided, as the office records it."
    )
    reason: str | None = Field(default=None, max_length=2000)


# --- events on nghedan.events (no personal data: a pseudonymous submitter reference at most) ----

HandledAs = Literal["recommendation", "feedback", "complaint", "denunciation"]


class IssueReceived(Message):
    tracking_code: str
    kind: IssueKind = Field(description="What the sender called it.")
    handled_as: HandledAs = Field(
        description="How it is handled: an anonymous denunciation is feedback."
    )
    channel: Channel
    village_code: str
    received_at: datetime
    anonymous: bool
    submitter_ref: str | None = Field(
        default=None,
        description="Always absent: a stable pseudonym would link one person's issues (kept for "
        "readers of earlier events).",
    )
    summary: str | None = Field(
        default=None,
        description="Always absent: a citizen's own words never travel; the text an officer "
        "approves comes as intake.issue.summary-approved.v1.",
    )


class ApproveSummary(Command):
    """`intake.approve-summary.v1` (an addition to the contract): an officer approves the public
    texts of an issue — its short summary, and the public wording of its answer, its conclusion
    and its closure — the only texts of it that events, reports and the province carry. Each is
    optional; at least one is given; a text given replaces the one approved before."""

    tracking_code: str = Field(min_length=1, max_length=32)
    public_summary: str | None = Field(default=None, min_length=1, max_length=1000)
    public_answer: str | None = Field(
        default=None, min_length=1, max_length=5000, description="Once an answer is recorded."
    )
    public_conclusion: str | None = Field(
        default=None, min_length=1, max_length=5000, description="Once the chair has concluded."
    )
    public_reason: str | None = Field(
        default=None, min_length=1, max_length=2000, description="Once the issue is closed."
    )
    public_authority: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        description="Once the issue is closed: where it went, in public words.",
    )
    officer: str = Field(min_length=1, max_length=200)


class SummaryApproved(Message):
    """`intake.issue.summary-approved.v1`: every officer-approved public text of an issue as it
    stands (absent: none approved, or the answer, conclusion or closure it was approved for has
    since been replaced)."""

    tracking_code: str
    public_summary: str | None = None
    public_answer: str | None = None
    public_conclusion: str | None = None
    public_reason: str | None = None
    public_authority: str | None = None
    by: str
    at: datetime


class IssueKindCorrected(Message):
    """`intake.issue.kind-corrected.v1`: an officer corrected how a submission is handled (e.g.
    feedback that is really a complaint): no person, no words."""

    tracking_code: str
    handled_as: HandledAs
    previous_handled_as: HandledAs
    anonymous: bool
    by: str
    at: datetime


class IssueClassified(Message):
    tracking_code: str
    topic: str
    previous_topic: str | None = None
    suggested: bool = Field(description="True when the topic was suggested from the text.")
    by: str
    at: datetime


class IssueAssigned(Message):
    tracking_code: str
    agency_code: str
    previous_agency_code: str | None = None
    by: str
    at: datetime


class IssueMerged(Message):
    """The same matter raised again in the same village (ý kiến trùng): one issue, counted."""

    tracking_code: str = Field(description="The new submission's own code, which its sender keeps.")
    merged_into: str
    raised_by_count: int


class CloseIssue(Command):
    """`intake.close-issue.v1` (an addition to the contract): referred to a competent authority
    outside the commune, refused, or settled in the village by its head (the plan, III.3: a
    recommendation or feedback only), with the reason."""

    tracking_code: str = Field(min_length=1, max_length=32)
    outcome: CloseOutcome
    reason: str = Field(min_length=1, max_length=5000)
    authority: str | None = Field(
        default=None, max_length=300, description="Where it was referred."
    )
    refusal_ground: int | None = Field(
        default=None,
        ge=1,
        le=9,
        description="Refusing a complaint: the clause of the Law on Complaints 2011, Art. 11 it is "
        "not accepted under (6: its time limit, Art. 9, has run out). Required for a complaint.",
    )
    officer: str = Field(min_length=1, max_length=200)


class IssueAnswerProposed(Message):
    tracking_code: str
    agency_code: str
    answer: str | None = Field(
        default=None,
        description="Always absent: what an officer types is public only once approved "
        "(intake.issue.summary-approved.v1's public_answer).",
    )
    at: datetime


class IssueConcluded(Message):
    tracking_code: str
    session_id: str
    conclusion: str | None = Field(
        default=None,
        description="Always absent: the public wording comes approved "
        "(intake.issue.summary-approved.v1's public_conclusion).",
    )
    responsible_agency: str
    deadline: date
    at: datetime


class FollowupUpdated(Message):
    tracking_code: str
    status: FollowupStatus
    responsible_agency: str
    deadline: date
    overdue: bool
    at: datetime


class IssueClosed(Message):
    tracking_code: str
    outcome: ClosedOutcome
    reason: str = Field(
        description="A fixed sentence that a reason exists: the officer's words are public only "
        "once approved (intake.issue.summary-approved.v1's public_reason)."
    )
    authority: str | None = Field(default=None, description="Always absent, as the reason.")
    at: datetime


class ConclusionOverdue(Message):
    tracking_code: str
    session_id: str
    responsible_agency: str
    deadline: date
    days_overdue: int


CaseClock = Literal["acceptance", "settlement"]
CaseKind = Literal["complaint", "denunciation"]


class LegalClock(Message):
    """A complaint's or denunciation's legal time limit about to run out, or run out."""

    tracking_code: str
    handled_as: CaseKind
    clock: CaseClock
    due: date
    days_left: int


class CaseClocks(Message):
    """A complaint's or denunciation's legal limits as they stand after any change to the case
    (received, accepted, extended, settled, closed, routed elsewhere): no person, no words."""

    tracking_code: str
    handled_as: CaseKind
    village_code: str
    agency_code: str = Field(description="The agency the case is assigned to.")
    received_on: date
    accepted_on: date | None = None
    clocks: dict[CaseClock, date] = Field(
        description="Each running limit's last day: acceptance before it, settlement after."
    )
    extensions: int = Field(default=0, ge=0, description="Extensions decided so far.")
    running: bool = Field(description="False once settled, suspended, referred, refused or merged.")
    settled_on: date | None = None
    suspended_on: date | None = Field(
        default=None, description="The day a suspension decision ended it (a case withdrawn)."
    )
    revision: int = Field(ge=0, description="Grows with each change: keep the highest seen.")


class AcceptCase(Command):
    """`intake.accept-case.v1` (an addition to the contract): a complaint or denunciation was
    accepted for settlement (thụ lý) on a date; the settlement clock runs from it."""

    tracking_code: str = Field(min_length=1, max_length=32)
    accepted_on: date
    complex: bool = Field(
        default=False,
        description="A complex complaint: 45 days instead of 30 (60 instead of 45 in remote areas).",
    )
    officer: str = Field(min_length=1, max_length=200)


class ExtendCase(Command):
    """`intake.extend-case.v1` (an addition to the contract): a recorded decision extends a
    denunciation's limit — its check before acceptance from 7 to 10 working days (Law on
    Denunciations 2018, Art. 24), or its settlement by up to 30 days, once, or twice when it is
    especially complex (Art. 30)."""

    tracking_code: str = Field(min_length=1, max_length=32)
    clock: Literal["acceptance", "settlement"]
    days: int = Field(
        default=30, ge=1, le=30, description="Settlement: the days added (up to 30 each time)."
    )
    especially_complex: bool = Field(
        default=False, description="Especially complex: the settlement may be extended twice."
    )
    decision: str = Field(
        min_length=1,
        max_length=200,
        description="The decision that extends it, e.g. `12/QĐ-UBND ngày 05/10/2026`.",
    )
    decided_on: date | None = Field(
        default=None,
        description="The decision's date (absent: the day it is recorded); on or before the "
        "limit it extends, never after it has run out.",
    )
    officer: str = Field(min_length=1, max_length=200)


class RecordSettlement(Command):
    """`intake.record-settlement.v1` (an addition to the contract): the decision that settles a
    complaint (quyết định giải quyết khiếu nại) or the conclusion on a denunciation (kết luận nội
    dung tố cáo). Only this stops a case's legal clocks: the dialogue's follow-up does not."""

    tracking_code: str = Field(min_length=1, max_length=32)
    decided_on: date
    decision: str = Field(
        min_length=1, max_length=200, description="Its number and date, e.g. `25/QĐ-UBND`."
    )
    officer: str = Field(min_length=1, max_length=200)


class WithdrawCase(Command):
    """`intake.withdraw-case.v1` (an addition to the contract): the complainant or denouncer
    withdrew their complaint or denunciation (Law on Complaints 2011, Art. 10; Law on
    Denunciations 2018, Art. 33). The clocks still run until a suspension decision
    (`intake.suspend-case.v1`) ends the case."""

    tracking_code: str = Field(min_length=1, max_length=32)
    withdrawn_on: date
    officer: str = Field(min_length=1, max_length=200)


class SuspendCase(Command):
    """`intake.suspend-case.v1` (an addition to the contract): the decision that ends (đình chỉ)
    the settlement of a withdrawn complaint or denunciation (Law on Complaints 2011, Art. 10;
    Law on Denunciations 2018, Art. 34). It stops the case's clocks and is sent to the person."""

    tracking_code: str = Field(min_length=1, max_length=32)
    decided_on: date
    decision: str = Field(
        min_length=1, max_length=200, description="Its number, e.g. `31/QĐ-UBND`."
    )
    officer: str = Field(min_length=1, max_length=200)


class CorrectKind(Command):
    """`intake.correct-kind.v1` (an addition to the contract): an officer corrects how a
    submission is handled — feedback that is really a complaint, an anonymous denunciation whose
    denouncer later gives a name and an address — and the legal clocks start from the day the law
    says: a complaint's from its receipt, a denunciation's from the day it became one."""

    tracking_code: str = Field(min_length=1, max_length=32)
    handled_as: HandledAs
    submitter: Submitter | None = Field(
        default=None,
        description="The person, when they gave (or completed) their name and address only now.",
    )
    identified_on: date | None = Field(
        default=None,
        description="The day the name and address were given (absent: the day it is recorded).",
    )
    reason: str = Field(min_length=1, max_length=2000)
    officer: str = Field(min_length=1, max_length=200)


class AgendaItem(Message):
    tracking_code: str
    topic: str
    agency_code: str
    village_code: str
    handled_as: HandledAs
    raised_by_count: int
    age_days: int
    complex: bool = Field(description="A complaint or denunciation, or open for more than 90 days.")
    followup: bool = Field(
        description="Concluded earlier and not yet resolved: reported on, not debated."
    )
    answer_proposed: bool
    summary: str | None = None


class AgendaGroup(Message):
    topic: str
    agency_code: str
    tracking_codes: list[str]


class AgendaDrafted(Message):
    """`intake.agenda.drafted.v1`: the matters for a conference, redrafted as issues arrive."""

    session_id: str
    version: int
    drafted_at: datetime
    items: list[AgendaItem]
    groups: list[AgendaGroup]
    items_total: int | None = Field(
        default=None,
        description="How many matters the agenda holds. `items` and `groups` carry the "
        "weightiest that fit in one message; fewer than this when the agenda is longer.",
    )


class AdhocThresholdReached(Message):
    """`intake.adhoc-request.threshold-reached.v1`: 10% of the commune's voters asked for an ad-hoc
    dialogue (Law 72/2025, Art. 43); published once per request."""

    request_code: str
    signatures: int
    voter_count: int
    threshold: int
    subject: str | None = Field(
        default=None, description="Always absent: the signers' own words stay in intake."
    )
    reached_at: datetime


class IssueOnAgenda(Message):
    tracking_code: str
    session_id: str
    at: datetime


class SetAgencyContact(Command):
    """`intake.set-agency-contact.v1` (an addition to the contract): an agency's office phone and
    email, as the commune office keeps them — where its follow-up reminders, legal alarms and
    (for the commune office itself) the platform's alarms and letters go. In force at once over
    the commune's reference file; every version kept, with who set it."""

    agency_code: str = Field(min_length=1, max_length=20)
    email: ContactText | None = Field(default=None, max_length=200)
    phone: ContactText | None = Field(default=None, max_length=20)
    note: str | None = Field(default=None, max_length=500, description="Why it changed.")


class AgencyContactChanged(Message):
    """An agency's office contact changed: an institution's address, never a person's, so the
    services that write to the agency (registration) keep it too."""

    agency_code: str
    version: int
    email: str | None = None
    phone: str | None = None
    changed_at: AwareDatetime
