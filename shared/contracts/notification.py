"""The point-to-point request to the notification service: the one contact a message needs."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from shared.contracts.common import Message


class Recipient(Message):
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=200)


class SendNotification(Message):
    """`notification.send.v1` on nghedan.notify: never broadcast, since it carries a contact."""

    cause_id: str = Field(
        description="Why it is sent; with the recipient it makes the message unique."
    )
    template: Literal[
        "issue_receipt",
        "issue_conclusion",
        "delegate_invitation",
        "waiting_list",
        "delegate_promoted",
        "schedule_announcement",
        "conference_reminder",
        "followup_reminder",
        "results_announcement",
    ]
    recipient: Recipient
    params: dict[str, str] = Field(default_factory=dict)
    required_by_law: bool = Field(default=False, description="Sent even to those who opted out.")
    send_by: date | None = Field(
        default=None, description="The legal deadline, where there is one."
    )
