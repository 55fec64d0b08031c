"""What happened to an issue or a voters' request, as the domain records it (no contract yet).

Texts here are already what may leave intake: an official's words masked, a case's withheld."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from shared.contracts import intake as contract

if TYPE_CHECKING:
    from services.intake.domain.issues import Issue
    from services.intake.domain.notices import Channel, Notice


@dataclass(frozen=True)
class Received:
    issue: Issue


@dataclass(frozen=True)
class Merged:
    issue: Issue
    into: str
    raised_by: int  # how many raised the issue it joined, this one included


@dataclass(frozen=True)
class KindCorrected:
    issue: Issue
    previous: contract.HandledAs
    by: str
    at: datetime


@dataclass(frozen=True)
class Classified:
    issue: Issue
    previous_topic: str | None
    suggested: bool
    by: str
    at: datetime


@dataclass(frozen=True)
class Assigned:
    issue: Issue
    previous_agency: str | None
    by: str
    at: datetime


@dataclass(frozen=True)
class OnAgenda:
    issue: Issue
    session_id: str
    at: datetime


@dataclass(frozen=True)
class SummaryApproved:
    issue: Issue
    by: str
    at: datetime


@dataclass(frozen=True)
class AnswerProposed:
    issue: Issue
    agency_code: str
    at: datetime


@dataclass(frozen=True)
class Concluded:
    issue: Issue
    session_id: str
    responsible_agency: str
    deadline: date
    at: datetime


@dataclass(frozen=True)
class FollowupUpdated:
    issue: Issue
    status: contract.FollowupStatus
    at: datetime


@dataclass(frozen=True)
class Closed:
    issue: Issue
    outcome: contract.ClosedOutcome
    at: datetime


@dataclass(frozen=True)
class Overdue:
    issue: Issue
    days: int


@dataclass(frozen=True)
class LegalClock:
    issue: Issue
    state: Literal["due-soon", "expired"]  # as in the routing key
    clock: contract.CaseClock
    due: date
    days_left: int


@dataclass(frozen=True)
class NoticeGiven:
    """A written notice the law requires, recorded in the case with how it goes (no message of
    its own: its reaction asks notification, or the office for a letter)."""

    issue: Issue
    notice: Notice
    channel: Channel


@dataclass(frozen=True)
class ClocksChanged:
    """A case's limits are not what they were when it was read (or it is new)."""

    issue: Issue


@dataclass(frozen=True)
class AgendaDrafted:
    drafted: contract.AgendaDrafted
    version: int


@dataclass(frozen=True)
class ThresholdReached:
    request_code: str
    signatures: int
    voter_count: int
    threshold: int
    at: datetime


IssueEvent = (
    Received
    | Merged
    | KindCorrected
    | Classified
    | Assigned
    | OnAgenda
    | SummaryApproved
    | AnswerProposed
    | Concluded
    | FollowupUpdated
    | Closed
    | Overdue
    | LegalClock
    | NoticeGiven
    | ClocksChanged
)
Event = IssueEvent | AgendaDrafted | ThresholdReached
