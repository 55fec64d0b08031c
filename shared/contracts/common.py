"""Types the contracts share: tolerant-reader base models and the outcome of a command."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Message(BaseModel):
    """Base of every message's data: consumers ignore fields they do not know (tolerant reader)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Command(Message):
    """A command's data: unknown fields are refused, so a typo is an error and not a silent loss."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class OutcomeError(Message):
    field: str = Field(description="Where the problem is, e.g. `data.village_code`.")
    message: str = Field(description="What is wrong, in Vietnamese.")
    code: str | None = Field(default=None, description="A stable machine-readable reason.")


class Outcome(Message):
    """`vn.nghedan.outcome.v1`: the one answer every command gets."""

    command_id: str
    command_type: str
    status: Literal["accepted", "duplicate", "rejected"]
    result: dict[str, Any] | None = None
    errors: list[OutcomeError] = Field(default_factory=list)
    first_status: Literal["accepted", "rejected"] | None = Field(
        default=None, description="On a duplicate: the status of the first outcome."
    )


OUTCOME_KEY = "outcome.v1"


class Rejected(Exception):
    """A command that breaks a rule: it gets a `rejected` outcome naming every reason."""

    def __init__(self, errors: list[OutcomeError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


def reject_if(errors: list[OutcomeError]) -> None:
    if errors:
        raise Rejected(errors)


def error(field: str, code: str, message: str) -> OutcomeError:
    return OutcomeError(field=field, code=code, message=message)
