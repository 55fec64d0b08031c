"""Types the contracts share: tolerant-reader base models and the outcome of a command."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _nfkc(value: Any) -> Any:
    """Numbers and contacts as plain characters: full-width `０９１２` is `0912`, before any check."""
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


def _name(value: Any) -> Any:
    """A name in one Unicode form (NFC, so `ệ` typed in two ways is one name), spaces folded."""
    if not isinstance(value, str):
        return value
    return " ".join(unicodedata.normalize("NFC", value).split())


# A person's name: NFC, blank refused (a name of spaces is no name).
PersonName = Annotated[str, BeforeValidator(_name), Field(min_length=1, max_length=200)]
# A number or contact as typed, in NFKC; checked as digits 0-9 (ASCII) where it is judged.
ContactText = Annotated[str, BeforeValidator(_nfkc)]


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

    def again(self, command_id: str, command_type: str) -> Outcome:
        """The answer to this command sent again: `duplicate`, with the first result."""
        first = None if self.status == "duplicate" else self.status
        return Outcome(
            command_id=command_id,
            command_type=command_type,
            status="duplicate",
            result=self.result,
            first_status=first,
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
