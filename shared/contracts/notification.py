"""The point-to-point request to the notification service: the one contact a message needs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, get_args

from pydantic import Field

from shared.contracts.common import Command, Message


class Recipient(Message):
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=200)


Template = Literal[
    "issue_receipt",
    "issue_conclusion",
    "delegate_invitation",
    "waiting_list",
    "delegate_promoted",
    "schedule_announcement",
    "conference_reminder",
    "followup_reminder",
    "results_announcement",
    "legal_alarm",
    "office_alarm",
    "case_accepted",
    "case_notice",
    "case_letter",
    "data_request",
    "registration_withdrawn",
]


class SendNotification(Message):
    """`notification.send.v1` on nghedan.notify: never broadcast, since it carries a contact."""

    cause_id: str = Field(
        description="Why it is sent; with the recipient it makes the message unique."
    )
    template: Template
    recipient: Recipient
    params: dict[str, str] = Field(default_factory=dict)
    required_by_law: bool = Field(default=False, description="Sent even to those who opted out.")
    send_by: date | None = Field(
        default=None, description="The legal deadline, where there is one."
    )


TEMPLATES = get_args(Template)
Channel = Literal["email", "sms", "zalo", "file"]
Status = Literal["queued", "held", "retrying", "sent", "delivered", "failed", "suppressed"]


class DeliverMessage(Message):
    """`notification.deliver.v1`, inside notification: try to send this one message now."""

    message_id: str


class MessageStatus(Message):
    """`notification.message.status.v1` on nghedan.events: one message's delivery moved.

    No contact and no text: the message id is a keyed hash, the cause names what it was about.
    """

    message_id: str
    cause_id: str
    template: str
    channel: Channel
    status: Status
    attempt: int = 0
    reason: str | None = None
    provider_ref: str | None = None
    required_by_law: bool = False
    send_by: date | None = None
    late: bool = Field(
        default=False, description="Sent (or still unsent) after its legal deadline."
    )
    segments: int | None = Field(default=None, description="SMS segments billed, for SMS.")
    fallback_of: str | None = Field(
        default=None, description="The message on another channel whose failure led to this one."
    )
    at: datetime


class SetPreference(Command):
    """`notification.set-preference.v1`: a person opts out of (or back into) optional messages.

    What the law requires them to receive is still sent.
    """

    contact: str = Field(min_length=3, max_length=200, description="A phone number or an email.")
    opt_out: bool
    note: str | None = Field(default=None, max_length=300)


class ResendMessage(Command):
    """`notification.resend-message.v1`: an operator sends one message again."""

    message_id: str = Field(min_length=8, max_length=80)
    requested_by: str | None = Field(default=None, max_length=200)
