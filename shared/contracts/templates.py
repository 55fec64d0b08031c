"""What each notification template says: one parameter model per template.

A service asks notification for a message with one of these (`UnitOfWork.notify`); on the bus
`notification.send.v1` still carries them as text (`params`), a day as dd/mm/yyyy and an hour as
HH:MM, written by one helper (`as_params`). A model's fields are the template's variables, and
its required fields what the template cannot do without: tests/unit/test_templates.py reads
every template and holds the two together.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from shared.contracts.notification import Template
from shared.text import fmt, fmt_hour


def as_text(value: object) -> str:
    """A parameter as the message shows it: a day dd/mm/yyyy, an hour HH:MM, a number in digits,
    a flag that is set "1" (a template only asks whether it is there)."""
    if value is True:
        return "1"
    if isinstance(value, dt.date):
        return fmt(value)
    if isinstance(value, dt.time):
        return fmt_hour(value)
    return str(value)


class Params(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    template: ClassVar[Template]
    # Sent for notification itself, not shown: the conference whose legal day it looks up.
    not_shown: ClassVar[frozenset[str]] = frozenset()

    def as_params(self) -> dict[str, str]:
        """As `notification.send.v1` carries them: text, and nothing for what is not given (or a
        flag not set)."""
        return {
            name: as_text(v) for name, v in self if v is not None and v is not False and v != ""
        }


# --- registration: delegates and conferences ---------------------------------------------------


class DelegateInvitation(Params):
    template: ClassVar[Template] = "delegate_invitation"
    date: dt.date
    time: dt.time
    venue: str
    registration_code: str


class DelegatePromoted(DelegateInvitation):
    template: ClassVar[Template] = "delegate_promoted"


class ConferenceReminder(DelegateInvitation):
    template: ClassVar[Template] = "conference_reminder"


class WaitingList(Params):
    template: ClassVar[Template] = "waiting_list"
    registration_code: str
    date: dt.date | None = None  # the conference's day, once fixed
    position: int | None = None


class ScheduleAnnouncement(Params):
    template: ClassVar[Template] = "schedule_announcement"
    not_shown: ClassVar[frozenset[str]] = frozenset({"session_id"})
    session_id: str
    change: Literal["scheduled", "rescheduled", "cancelled"]
    date: dt.date | None = None  # none yet for a conference called off before its day was fixed
    time: dt.time | None = None
    venue: str | None = None
    previous_date: dt.date | None = None
    content: str | None = None
    online_url: str | None = None
    reason: str | None = None


class RegistrationWithdrawn(Params):
    template: ClassVar[Template] = "registration_withdrawn"
    session_id: str
    date: dt.date
    registration_code: str


class ResultsAnnouncement(Params):
    template: ClassVar[Template] = "results_announcement"
    not_shown: ClassVar[frozenset[str]] = frozenset({"session_id"})
    session_id: str
    held_on: dt.date
    matters: int
    conclusions: int
    document_number: str | None = None
    details: str | None = None
    village: str | None = None  # to a village head (its code; notification names it)
    media: str | None = None  # to a newspaper, radio or portal (its name)


class OfficeAlarm(Params):
    """Something the plan or the law requires that the platform could not do or found missing,
    for the commune office; `details` one line per village or item."""

    template: ClassVar[Template] = "office_alarm"
    alarm: Literal[
        "village_heads_unknown",
        "delegation_incomplete",
        "no_periodic_dialogue",
        "results_due",
        "media_unknown",
    ]
    to: str | None = None
    what: str | None = None
    details: str | None = None
    session_id: str | None = None
    date: dt.date | None = None
    count: int | None = None
    below: bool = False  # fewer delegates confirmed than planned
    confirmed: int | None = None
    capacity_min: int | None = None
    year: int | None = None
    today: dt.date | None = None
    planned: str | None = None


# --- intake: issues and cases -------------------------------------------------------------------


class IssueReceipt(Params):
    template: ClassVar[Template] = "issue_receipt"
    tracking_code: str
    received_on: dt.date


class IssueConclusion(Params):
    template: ClassVar[Template] = "issue_conclusion"
    tracking_code: str
    conclusion: str
    deadline: dt.date
    responsible_agency: str


class FollowupReminder(Params):
    template: ClassVar[Template] = "followup_reminder"
    tracking_code: str
    responsible_agency: str
    deadline: dt.date
    state: Literal["due_soon", "overdue"]
    days: int
    conclusion: str | None = None


class LegalAlarm(Params):
    template: ClassVar[Template] = "legal_alarm"
    tracking_code: str
    handled_as: str  # in Vietnamese
    clock: str  # in Vietnamese
    due: dt.date
    state: Literal["due_soon", "expired"]
    days: int
    agency: str


class CaseAccepted(Params):
    template: ClassVar[Template] = "case_accepted"
    tracking_code: str
    handled_as: str
    accepted_on: dt.date
    settlement_due: dt.date
    days: int | None = None


class CaseNotice(Params):
    """A written notice of a case step the law requires; the step's words as the domain gives."""

    template: ClassVar[Template] = "case_notice"
    tracking_code: str
    handled_as: str
    notice: str
    basis: str
    reason: str | None = None
    ground: str | None = None
    authority: str | None = None
    clock: str | None = None
    due: str | None = None
    decision: str | None = None
    decided_on: str | None = None


class CaseLetter(Params):
    template: ClassVar[Template] = "case_letter"
    tracking_code: str
    handled_as: str
    what: str
    to: str
    send_by: dt.date
    basis: str
    postal: bool = False  # to the person who sent the case, who left only a postal address
    decision: str | None = None


# --- a data subject's request -------------------------------------------------------------------


class DataRequestAnswer(Params):
    template: ClassVar[Template] = "data_request"
    request_id: str
    what: str
    held_by: str
    items: str
    law: str


MODELS: dict[str, type[Params]] = {
    m.template: m
    for m in (
        DelegateInvitation,
        DelegatePromoted,
        ConferenceReminder,
        WaitingList,
        ScheduleAnnouncement,
        RegistrationWithdrawn,
        ResultsAnnouncement,
        OfficeAlarm,
        IssueReceipt,
        IssueConclusion,
        FollowupReminder,
        LegalAlarm,
        CaseAccepted,
        CaseNotice,
        CaseLetter,
        DataRequestAnswer,
    )
}


def required(template: str) -> tuple[str, ...]:
    """What a template cannot do without: its model's required fields it shows."""
    model = MODELS[template]
    return tuple(
        name
        for name, spec in model.model_fields.items()
        if spec.is_required() and name not in model.not_shown
    )
