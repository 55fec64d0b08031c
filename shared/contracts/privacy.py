"""A data subject's request (Personal Data Protection Law 91/2025/QH15): the same command for each
service that holds personal data (`intake.data-request.v1`, `registration.data-request.v1`)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from shared.contracts.common import Command, ContactText, PersonName

RequestKind = Literal["access", "correction", "erasure", "objection"]
Correctable = Literal["full_name", "phone", "email", "address"]


class DataSubject(Command):
    """Who asks, as the office verified them: at least a citizen id, a phone or an email."""

    full_name: PersonName
    citizen_id: ContactText | None = Field(default=None, max_length=20)
    phone: ContactText | None = Field(default=None, max_length=20)
    email: ContactText | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _findable(self) -> DataSubject:
        if not (self.citizen_id or self.phone or self.email):
            raise ValueError("cần ít nhất số định danh cá nhân, số điện thoại hoặc thư điện tử")
        return self


class DataRequest(Command):
    """`<service>.data-request.v1` (an addition to the contract): a person asks to see the
    personal data the service holds of them (access), to correct it, to erase it where the law
    allows, or objects to its use for anything the law does not require. Answered with its own
    clock and kept on record; the copy or the result goes to the person, never in the outcome."""

    request_id: str = Field(
        min_length=1, max_length=64, description="The office's number for the request."
    )
    kind: RequestKind
    subject: DataSubject
    corrections: dict[Correctable, str] | None = Field(
        default=None, description="For a correction: the field and its right value."
    )
    received_at: AwareDatetime = Field(description="When the office received the request.")
    officer: str = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _corrections_when_correcting(self) -> DataRequest:
        if self.kind == "correction" and not self.corrections:
            raise ValueError("yêu cầu chỉnh sửa cần corrections: trường và giá trị đúng")
        return self
