"""An issue from receipt to routing: validation, how it is handled, topic and agency, history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.intake import messages as msg
from services.intake.domain import events
from services.intake.domain.classifier import suggest_topic
from services.intake.domain.events import Event
from services.intake.domain.notices import Notice
from shared import vi
from shared.citizen import citizen_id_format_errors, email_errors, phone_errors
from shared.clock import local_date
from shared.contracts import intake as contract
from shared.contracts.common import OutcomeError, error, reject_if
from shared.logging import redact_text
from shared.reference import ReferenceData
from shared.text import fmt_time

SUMMARY_LENGTH = 500
PUBLIC_KINDS = ("recommendation", "feedback")  # their content may travel, masked, in events
CASES = ("complaint", "denunciation")


@dataclass
class Change:
    at: datetime
    by: str
    action: str
    before: str | None
    after: str
    reason: str | None = None
    acted_by: str | None = None  # the person a command was sent for (the office's pages)


@dataclass
class Issue:
    tracking_code: str
    kind: contract.IssueKind
    handled_as: contract.HandledAs
    channel: contract.Channel
    content: str
    village_code: str
    received_at: datetime
    registered_at: datetime
    anonymous: bool
    topic: str
    topic_suggested: bool
    agency_code: str
    status: str = "assigned"
    external_reference: str | None = None
    raised_by: int = 1
    merged_into: str | None = None
    merged: list[str] = field(default_factory=list)
    answer: str | None = None
    answer_agency: str | None = None
    conclusion: dict[str, Any] | None = None  # session_id, text, agency, deadline (ISO), at
    overdue: bool = False
    closed: dict[str, Any] | None = None  # outcome, reason, authority, at
    legal: dict[str, Any] | None = None  # clocks: name -> due (ISO); accepted_on; notified
    public_summary: str | None = None  # the only text of it that leaves intake: an officer's
    # The public wording an officer approved of its answer, conclusion, closure reason and
    # authority (keys of PUBLIC_PARTS); a new answer, conclusion or closure voids its own.
    public_texts: dict[str, str] = field(default_factory=dict)
    history: list[Change] = field(default_factory=list)
    version: int = 0
    # What the rules raised since it was loaded, for the handler to publish; never stored.
    events: list[Event] = field(default_factory=list, repr=False, compare=False)
    # The written notices the step just taken requires, for the handler to give; never stored
    # (each is recorded in `legal["notices"]` once given).
    notices: list[Notice] = field(default_factory=list, repr=False, compare=False)


def submission_errors(cmd: contract.SubmitIssue, ref: ReferenceData) -> list[OutcomeError]:
    """Every reason a submission cannot be received, field by field."""
    errors: list[OutcomeError] = []
    if not cmd.content.strip():
        errors.append(error("data.content", "blank_content", msg.BLANK_CONTENT))
    errors += ref.village_errors(cmd.village_code)
    person = cmd.submitter
    if cmd.kind == "complaint" and not identified(person):
        errors.append(error("data.submitter", "complainant_required", msg.COMPLAINANT_REQUIRED))
    if person:
        errors += phone_errors(person.phone, "data.submitter.phone")
        errors += citizen_id_format_errors(person.citizen_id, "data.submitter.citizen_id")
        errors += email_errors(person.email, "data.submitter.email")
    return errors


def identified(person: contract.Submitter | None) -> bool:
    """A name and an address, neither blank: what a complainant must give (Law on Complaints
    2011, Art. 8) and what makes a denunciation one (Law on Denunciations 2018, Arts. 22, 25)."""
    return bool(person and person.full_name.strip() and (person.address or "").strip())


def handled_as(cmd: contract.SubmitIssue) -> contract.HandledAs:
    """A denunciation without a clear name and address is not handled as a denunciation (Law on
    Denunciations 2018, Art. 25): it is kept, as feedback, and its text stays confidential."""
    if cmd.kind == "denunciation" and not identified(cmd.submitter):
        return "feedback"
    return cmd.kind


def receive(
    cmd: contract.SubmitIssue, ref: ReferenceData, tracking_code: str, now: datetime
) -> Issue:
    errors = submission_errors(cmd, ref)
    if cmd.received_at > now:  # the day of receipt starts the legal clocks: never a future one
        text = msg.RECEIVED_LATER.format(at=fmt_time(cmd.received_at), now=fmt_time(now))
        errors.append(error("data.received_at", "in_the_future", text))
    hint = cmd.topic_hint
    if hint and hint not in ref.topic_codes():
        errors.append(
            error("data.topic_hint", "unknown_topic", msg.UNKNOWN_TOPIC.format(code=hint))
        )
    reject_if(errors)
    topic = hint or suggest_topic(cmd.content).topic
    how = handled_as(cmd)
    agency = agency_for(how, topic, ref)
    issue = Issue(
        tracking_code=tracking_code,
        kind=cmd.kind,
        handled_as=how,
        channel=cmd.channel,
        content=cmd.content.strip(),
        village_code=cmd.village_code,
        received_at=cmd.received_at,
        registered_at=now,
        anonymous=cmd.submitter is None,
        topic=topic,
        topic_suggested=not hint,
        agency_code=agency,
        external_reference=cmd.external_reference,
    )
    issue.history += [
        Change(now, msg.SYSTEM, "received", None, issue.handled_as),
        Change(now, msg.SYSTEM, "classified", None, topic, None if hint else "gợi ý từ nội dung"),
        Change(now, msg.SYSTEM, "assigned", None, agency, assigned_why(how)),
    ]
    issue.events.append(events.Received(issue))
    return issue


def agency_for(how: contract.HandledAs, topic: str, ref: ReferenceData) -> str:
    """Who handles it: a denunciation whoever settles the commune's denunciations (its chairman,
    Law on Denunciations 2018, Arts. 12-15), never the office of the person denounced, which its
    topic may name; anything else the agency its topic names."""
    if how == "denunciation":
        return ref.settles_denunciations()
    return next(t.agency for t in ref.topics if t.code == topic)


def assigned_why(how: contract.HandledAs) -> str:
    return msg.COMPETENT_FOR_DENUNCIATION if how == "denunciation" else "theo bảng phân công"


def routed(issue: Issue, now: datetime) -> None:
    """A new issue kept on its own (not merged): the topic and agency the system chose for it."""
    issue.events += [
        events.Classified(issue, None, issue.topic_suggested, msg.SYSTEM, now),
        events.Assigned(issue, None, msg.SYSTEM, now),
    ]


OPEN = (
    "received",
    "classified",
    "assigned",
    "answer_proposed",
    "on_agenda",
    "concluded",
    "in_followup",
)


def merge(duplicate: Issue, primary: Issue, now: datetime, *, counted: bool = True) -> None:
    """The same matter again: the new submission keeps its code and points at the first issue.
    It is one more person raising it unless the same person sent it before (`counted`)."""
    why = "ý kiến trùng" if counted else msg.SAME_PERSON_AGAIN
    duplicate.status, duplicate.merged_into = "merged", primary.tracking_code
    duplicate.topic, duplicate.agency_code = primary.topic, primary.agency_code
    duplicate.history.append(Change(now, msg.SYSTEM, "merged", None, primary.tracking_code, why))
    primary.raised_by += 1 if counted else 0
    duplicate.events.append(events.Merged(duplicate, primary.tracking_code, primary.raised_by))
    primary.merged.append(duplicate.tracking_code)
    primary.history.append(Change(now, msg.SYSTEM, "merged_in", None, duplicate.tracking_code, why))


def is_confidential(issue: Issue) -> bool:
    """Complaints and denunciations (even an anonymous one, kept as feedback): their texts stay."""
    return issue.handled_as not in PUBLIC_KINDS or issue.kind == "denunciation"


def told_of_conclusion(issue: Issue) -> list[str]:
    """Whose submissions' contacts the chair's conclusion is sent to. For a recommendation or
    feedback: everyone who raised it. For a denunciation only the denouncer the law names (Law on
    Denunciations 2018, Art. 40): an identified one; one kept as feedback for lack of a name and
    an address has no denouncer to tell, and nothing is ever merged into a denunciation."""
    if issue.kind == "denunciation":
        return [issue.tracking_code] if issue.handled_as == "denunciation" else []
    return [issue.tracking_code, *issue.merged]


def summary(issue: Issue) -> str | None:
    """What anything outside intake may say of the content: the officer-approved text, or nothing."""
    return issue.public_summary


# What an officer may approve for the public beyond the summary, and what must exist first.
PUBLIC_PARTS = {
    "answer": lambda issue: issue.answer is not None,
    "conclusion": lambda issue: issue.conclusion is not None,
    "reason": lambda issue: issue.closed is not None,
    "authority": lambda issue: bool(issue.closed and issue.closed.get("authority")),
}


def approve_summary(issue: Issue, cmd: contract.ApproveSummary, now: datetime) -> None:
    """An officer writes the public texts: the short summary, and the public wording of the
    answer, the conclusion, the closure's reason and authority (nothing an officer types is
    public otherwise). Masked again, in case a number slipped in: a second line, not the first."""
    errors = []
    if issue.kind == "denunciation" or issue.handled_as == "denunciation":
        text = msg.NO_PUBLIC_TEXT_FOR_DENUNCIATION.format(code=issue.tracking_code)
        errors.append(error("data.tracking_code", "confidential", text))
    given = {"summary": cmd.public_summary} | {
        part: getattr(cmd, f"public_{part}") for part in PUBLIC_PARTS
    }
    texts = {part: " ".join(text.split()) for part, text in given.items() if text is not None}
    if not texts:
        errors.append(error("data", "nothing_to_approve", msg.NOTHING_TO_APPROVE))
    for part, text in texts.items():
        if not text:
            errors.append(error(f"data.public_{part}", "blank_text", msg.BLANK_PUBLIC_TEXT))
        elif part in PUBLIC_PARTS and not PUBLIC_PARTS[part](issue):
            what = msg.PUBLIC_PART_VI[part]
            text = msg.NOTHING_YET.format(code=issue.tracking_code, what=what)
            errors.append(error(f"data.public_{part}", "nothing_yet", text))
    reject_if(errors)
    for part, text in texts.items():
        if part == "summary":
            issue.public_summary = redact_text(text)[:SUMMARY_LENGTH]
        else:
            issue.public_texts[part] = redact_text(text)
        issue.history.append(Change(now, cmd.officer, "summary_approved", None, f"public_{part}"))
    issue.events.append(events.SummaryApproved(issue, cmd.officer, now))


def reclassify(
    issue: Issue, cmd: contract.ReclassifyIssue, ref: ReferenceData, now: datetime
) -> dict[str, Any]:
    """An officer's change of topic and/or agency; returns what changed, kept in the history."""
    errors: list[OutcomeError] = []
    if cmd.topic is None and cmd.agency_code is None:
        errors.append(error("data", "nothing_to_change", msg.NOTHING_TO_CHANGE))
    if cmd.topic is not None and cmd.topic not in ref.topic_codes():
        errors.append(
            error("data.topic", "unknown_topic", msg.UNKNOWN_TOPIC.format(code=cmd.topic))
        )
    if cmd.agency_code is not None and cmd.agency_code not in {a.code for a in ref.agencies}:
        errors.append(
            error(
                "data.agency_code",
                "unknown_agency",
                msg.UNKNOWN_AGENCY.format(code=cmd.agency_code),
            )
        )
    settles = ref.settles_denunciations()
    if issue.handled_as == "denunciation" and cmd.agency_code not in (None, settles):
        text = msg.DENUNCIATION_COMPETENCE.format(code=issue.tracking_code, agency=settles)
        errors.append(error("data.agency_code", "not_competent", text))
    reject_if(errors)
    changed: dict[str, Any] = {}
    if cmd.topic is not None and cmd.topic != issue.topic:
        issue.history.append(
            Change(now, cmd.officer, "classified", issue.topic, cmd.topic, cmd.reason)
        )
        changed["topic"] = (issue.topic, cmd.topic)
        issue.events.append(events.Classified(issue, issue.topic, False, cmd.officer, now))
        issue.topic, issue.topic_suggested = cmd.topic, False
        if cmd.agency_code is None:  # a new topic brings its agency, unless the officer names one
            cmd = cmd.model_copy(
                update={"agency_code": agency_for(issue.handled_as, cmd.topic, ref)}
            )
    if cmd.agency_code is not None and cmd.agency_code != issue.agency_code:
        issue.history.append(
            Change(now, cmd.officer, "assigned", issue.agency_code, cmd.agency_code, cmd.reason)
        )
        changed["agency_code"] = (issue.agency_code, cmd.agency_code)
        issue.events.append(events.Assigned(issue, issue.agency_code, cmd.officer, now))
        issue.agency_code = cmd.agency_code
    return changed


CORRECTABLE = (*OPEN, "resolved")


def correct_kind(
    issue: Issue,
    cmd: contract.CorrectKind,
    ref: ReferenceData,
    identified_on_file: bool,
    now: datetime,
) -> contract.HandledAs:
    """An officer corrects how a submission is handled (feedback that is really a complaint, a
    denouncer who gives a name and an address later). A complaint or denunciation stays one: its
    procedure is ended by its own decisions, not by a correction. Returns how it was handled."""
    code, before = issue.tracking_code, issue.handled_as
    errors: list[OutcomeError] = []
    if issue.merged_into:
        text = msg.CORRECT_MERGED.format(code=code, into=issue.merged_into)
        errors.append(error("data.tracking_code", "merged", text))
    elif issue.status not in CORRECTABLE:
        status = vi.ISSUE_STATUS.get(issue.status, issue.status)
        text = msg.WRONG_STATE.format(code=code, status=status, action=msg.ACTIONS_VI["correct"])
        errors.append(error("data.tracking_code", "invalid_transition", text))
    if cmd.handled_as == before:
        text = msg.SAME_HANDLING.format(code=code, handled_as=vi.ISSUE_KIND[before])
        errors.append(error("data.handled_as", "nothing_to_change", text))
    elif before in CASES:
        text = msg.CASE_STAYS_A_CASE.format(code=code, handled_as=vi.ISSUE_KIND[before])
        errors.append(error("data.handled_as", "case_stays", text))
    if cmd.handled_as in CASES:
        if issue.merged:
            text = msg.CASE_WITH_REPEATS.format(code=code, count=len(issue.merged))
            errors.append(error("data.handled_as", "has_repeats", text))
        if not (identified(cmd.submitter) or (cmd.submitter is None and identified_on_file)):
            text = msg.IDENTITY_NEEDED.format(handled_as=vi.ISSUE_KIND[cmd.handled_as])
            errors.append(error("data.submitter", "identity_required", text))
    if cmd.handled_as == "denunciation" and (issue.public_summary or issue.public_texts):
        text = msg.PUBLISHED_CANNOT_BE_DENUNCIATION.format(code=code)
        errors.append(error("data.handled_as", "already_public", text))
    if cmd.submitter is not None:
        errors += phone_errors(cmd.submitter.phone, "data.submitter.phone")
        errors += citizen_id_format_errors(cmd.submitter.citizen_id, "data.submitter.citizen_id")
    if cmd.identified_on is not None and not (
        local_date(issue.received_at) <= cmd.identified_on <= local_date(now)
    ):
        text = msg.IDENTIFIED_OUTSIDE.format(code=code)
        errors.append(error("data.identified_on", "out_of_range", text))
    reject_if(errors)
    issue.handled_as = cmd.handled_as
    if cmd.submitter is not None:
        issue.anonymous = False
    issue.history.append(
        Change(now, cmd.officer, "kind_corrected", before, cmd.handled_as, cmd.reason)
    )
    issue.events.append(events.KindCorrected(issue, before, cmd.officer, now))
    agency = agency_for(cmd.handled_as, issue.topic, ref)
    if cmd.handled_as == "denunciation" and agency != issue.agency_code:
        previous, issue.agency_code = issue.agency_code, agency
        issue.history.append(
            Change(now, cmd.officer, "assigned", previous, agency, assigned_why("denunciation"))
        )
        issue.events.append(events.Assigned(issue, previous, cmd.officer, now))
    return before
