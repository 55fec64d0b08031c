"""The reporting service's command and the results it publishes for the province (no personal data)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from shared.contracts.common import Command, Message


class ReplayResults(Command):
    """`reporting.replay-results.v1`: publish the results of a period again on nghedan.provincial."""

    period: str = Field(pattern=r"^\d{4}(-(Q[1-4]|H[12]|(0[1-9]|1[0-2])))?$")
    session_id: str | None = Field(default=None, max_length=64)
    requested_by: str | None = Field(default=None, max_length=200)


class IssueResults(Command):
    """`reporting.issue-results.v1`: the commune office issues the results announcement of a
    concluded conference (addition to v1); it then goes to the province and every village head."""

    session_id: str = Field(min_length=1, max_length=64)
    document_number: str | None = Field(default=None, max_length=64, description="`123/TB-UBND`")
    issued_on: date | None = Field(default=None, description="Today, in Viet Nam, when absent.")
    signer_name: str | None = Field(default=None, max_length=200)
    signer_title: str = Field(default="CHỦ TỊCH", max_length=100)
    requested_by: str | None = Field(default=None, max_length=200)


class IssueConferenceNotice(Command):
    """`reporting.issue-conference-notice.v1` (an addition to the contract): the commune office
    issues the public notice of a scheduled conference — numbered, dated, kept — once for each
    date it is held on; downloads then give it as issued, never dated again."""

    session_id: str = Field(min_length=1, max_length=64)
    document_number: str = Field(min_length=1, max_length=64, description="`15/TB-UBND`")
    issued_on: date | None = Field(default=None, description="Today, in Viet Nam, when absent.")
    signer_name: str | None = Field(default=None, max_length=200)
    requested_by: str | None = Field(default=None, max_length=200)


class ConferenceNoticeIssued(Message):
    """`reporting.conference-notice.issued.v1`: a conference's notice was issued: when, against
    which deadline, how late (0: on time); `issued_at` is the server's own time beside it."""

    session_id: str
    document_number: str
    starts_at: datetime
    issued_on: date
    announce_deadline: date
    days_late: int
    issued_at: datetime


class Participation(Message):
    delegates_expected: int
    attended: int
    officials_by_role: dict[str, int]
    citizens_by_village: dict[str, int]
    citizens_by_category: dict[str, int]


class Matter(Message):
    ref: str
    kind: str
    topic: str
    village_code: str
    summary: str
    raised_by_count: int
    answer: str | None = Field(
        default=None, description="The answer's wording an officer approved for the public."
    )
    answered: bool = Field(
        default=False,
        description="An agency has answered (its wording may not be approved for the public).",
    )
    conclusion: str | None = Field(
        default=None,
        description="The conclusion's wording an officer approved for the public; a conclusion "
        "exists when responsible_agency is given.",
    )
    responsible_agency: str | None = None
    deadline: date | None = None


class ResultsPublished(Message):
    """`dialogue.results.published.v1` on nghedan.provincial."""

    commune_code: str
    commune_name: str
    province: str
    session_id: str
    session_kind: Literal["periodic", "adhoc"]
    held_on: date
    announced_on: date
    document_number: str | None = None
    participation: Participation
    matters: list[Matter] = Field(description="Every matter but denunciations, which are counted.")
    denunciations: int = Field(
        default=0,
        description="Denunciations raised: counted only, never listed (Law on Denunciations, Art. 9).",
    )
    replay: bool = False


class FollowupUpdated(Message):
    """`dialogue.followup.updated.v1` on nghedan.provincial."""

    commune_code: str
    session_id: str
    matter_ref: str
    status: Literal["in_progress", "resolved", "overdue"]
    responsible_agency: str
    deadline: date
    updated_at: datetime
    replay: bool = False
