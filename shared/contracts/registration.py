"""Messages of the registration service: its commands (public contract) and its domain events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, Field, model_validator

from shared.contracts.common import Command, ContactText, Message, PersonName

SessionKind = Literal["periodic", "adhoc"]
SessionFormat = Literal["in_person", "online", "hybrid"]
SessionStatus = Literal["planned", "scheduled", "held", "concluded", "cancelled"]
DelegateCategory = Literal[
    "official",
    "front_and_organisations",
    "party_cell_secretary",
    "village_head",
    "front_work_committee",
    "peoples_representative",
]
RegistrationStatus = Literal["confirmed", "waiting", "cancelled"]
PERIOD_PATTERN = r"^\d{4}(-(Q[1-4]|H[12]|(0[1-9]|1[0-2])))?$"

# --- commands -------------------------------------------------------------------------------


class SittingPlan(Command):
    """One sitting of a conference held per cluster of villages."""

    code: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_-]+$")
    villages: list[str] = Field(min_length=1)
    venue: str | None = Field(default=None, max_length=300)


OrganiserBody = Literal[
    "peoples_committee", "peoples_council_standing_committee", "fatherland_front", "party_committee"
]
OrganiserRole = Literal["chairs", "co_chairs", "co_organises", "invited"]


class Organiser(Command):
    """Who organises a conference, and how (Law 72/2025, Art. 43)."""

    body: OrganiserBody
    role: OrganiserRole
    representative: str | None = Field(
        default=None,
        max_length=200,
        description="Who stands for it, with their office: an official, never a citizen.",
    )


class CreateSession(Command):
    """`registration.create-session.v1`: plan a dialogue conference."""

    kind: SessionKind
    year: int = Field(ge=2000, le=2100)
    period: str = Field(
        pattern=PERIOD_PATTERN, description="Planned period: 2026, 2026-Q3, 2026-H2 or 2026-09."
    )
    title: str | None = Field(default=None, max_length=300)
    venue: str = Field(min_length=1, max_length=300)
    format: SessionFormat = "in_person"
    capacity_min: int = Field(ge=1, le=100_000)
    capacity_max: int = Field(ge=1, le=100_000)
    topics: list[str] = Field(default_factory=list)
    representatives_per_village: int | None = Field(default=None, ge=0, le=1000)
    sittings: list[SittingPlan] = Field(default_factory=list)
    reason: str | None = Field(default=None, max_length=2000)
    organisers: list[Organiser] = Field(
        default_factory=list,
        description="Addition to v1. Empty: as the law says: the People's Committee chairs, the "
        "People's Council standing committee co-chairs, the Fatherland Front co-organises, the "
        "Party committee is invited.",
    )

    @model_validator(mode="after")
    def _capacity_order(self) -> CreateSession:
        if self.capacity_max < self.capacity_min:
            raise ValueError("capacity_max phải lớn hơn hoặc bằng capacity_min")
        return self


class SittingTime(Command):
    code: str = Field(min_length=1, max_length=20)
    starts_at: AwareDatetime
    venue: str | None = Field(default=None, max_length=300)


class ScheduleSession(Command):
    """`registration.schedule-session.v1`: fix, or move, the date, time and venue."""

    session_id: str = Field(min_length=1, max_length=64)
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    venue: str | None = Field(default=None, max_length=300)
    online_url: str | None = Field(default=None, max_length=500)
    sittings: list[SittingTime] = Field(default_factory=list)
    agenda_summary: str | None = Field(default=None, max_length=2000)


class RegisterDelegate(Command):
    """`registration.register-delegate.v1`: register a person for a session."""

    session_id: str = Field(min_length=1, max_length=64)
    full_name: PersonName
    citizen_id: ContactText = Field(min_length=1, max_length=20)
    date_of_birth: date
    gender: Literal["male", "female"]
    village_code: str = Field(min_length=1, max_length=20)
    category: DelegateCategory
    position: str | None = Field(
        default=None, max_length=200, description="Office held, for officials."
    )
    phone: ContactText | None = Field(default=None, max_length=20)
    email: ContactText | None = Field(default=None, max_length=200)
    sitting_code: str | None = Field(default=None, max_length=20)
    lacks_civil_capacity: bool = Field(
        default=False, description="Declared by a court to lack or have limited civil act capacity."
    )


MAX_BATCH_ROWS = 200


class DelegateRow(Command):
    """One row of a batch: what `registration.register-delegate.v1` would carry, with its id."""

    id: str = Field(
        min_length=1,
        max_length=128,
        description=(
            "The row's own command id: the same row sent again, alone (with this id as the "
            "command's) or in another batch, is answered `duplicate` with its first outcome."
        ),
    )
    data: dict[str, Any] = Field(
        description=(
            "The `data` of `registration.register-delegate.v1`. Checked row by row, so a bad row "
            "is refused with its reasons and the others go through."
        )
    )


class RegisterDelegates(Command):
    """`registration.register-delegates.v1`: register a list of people (a village head's list),
    applied in the order given, in one transaction; one outcome whose `result.rows` holds each
    row's outcome (`accepted`, `duplicate` or `rejected`) in the same order."""

    session_id: str = Field(min_length=1, max_length=64)
    rows: list[DelegateRow] = Field(min_length=1, max_length=MAX_BATCH_ROWS)


class CancelRegistration(Command):
    """`registration.cancel-registration.v1`: withdraw a registration."""

    registration_code: str = Field(min_length=1, max_length=64)
    reason: str | None = Field(default=None, max_length=1000)


class CheckIn(Command):
    """`registration.check-in.v1`: record attendance at the conference."""

    registration_code: str = Field(min_length=1, max_length=64)
    checked_in_at: AwareDatetime | None = None


class ConcludeSession(Command):
    """`registration.conclude-session.v1`: close the conference after it was held."""

    session_id: str = Field(min_length=1, max_length=64)
    summary: str | None = Field(default=None, max_length=5000)
    chaired_by: str | None = Field(
        default=None, max_length=200, description="Addition to v1: who chaired, with their office."
    )
    concluded_by: str | None = Field(
        default=None,
        max_length=200,
        description="Addition to v1: who concluded, with their office.",
    )


class AttachBriefing(Command):
    """`registration.attach-briefing.v1` (an addition to the contract): the chair's briefing on
    the commune's socio-economic situation, attached to the conference; it appears in the chair's
    brief and in the public announcement. Attached again, it replaces the earlier one."""

    session_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(min_length=1, max_length=8000)
    presented_by: str = Field(
        min_length=1, max_length=200, description="Who gives it, with their office."
    )


class AttachAgencyPoints(Command):
    """`registration.attach-agency-points.v1` (an addition to the contract): what an agency
    expects to raise with the people in its field at the conference, and who of its staff
    attends to answer (the commune's plan, III.1), sent to the office for the chair's report.
    Sent again for the same agency, it replaces the earlier one."""

    session_id: str = Field(min_length=1, max_length=64)
    agency_code: str = Field(min_length=1, max_length=20)
    points: str = Field(min_length=1, max_length=4000)
    presented_by: str = Field(
        min_length=1,
        max_length=300,
        description="Who of the agency attends and answers, with office.",
    )


class SetVillageHead(Command):
    """`registration.set-village-head.v1` (an addition to the contract): a village head's name
    and contact, as the commune office keeps them. In force at once for every notice to that
    village (over the commune's reference file); every version is kept, with who changed it."""

    village_code: str = Field(min_length=1, max_length=20)
    head_name: PersonName
    head_phone: ContactText | None = Field(default=None, max_length=20)
    head_email: ContactText | None = Field(default=None, max_length=200)
    note: str | None = Field(
        default=None, max_length=500, description="Why it changed (a new head, a new number)."
    )


class CancelSession(Command):
    """`registration.cancel-session.v1` (an addition to the contract): call a conference off."""

    session_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)


# --- events on nghedan.events (no personal data) ----------------------------------------------


class SittingInfo(Message):
    code: str
    villages: list[str]
    venue: str | None = None
    starts_at: datetime | None = None


class OrganiserInfo(Message):
    body: OrganiserBody
    role: OrganiserRole
    representative: str | None = None


class SessionPlanned(Message):
    session_id: str
    commune_code: str
    kind: SessionKind
    year: int
    period: str
    title: str
    venue: str
    format: SessionFormat
    capacity_min: int
    capacity_max: int
    topics: list[str]
    representatives_per_village: int
    sittings: list[SittingInfo]
    organisers: list[OrganiserInfo] = Field(default_factory=list)


class SessionScheduled(Message):
    session_id: str
    commune_code: str
    kind: SessionKind
    starts_at: datetime
    ends_at: datetime | None = None
    venue: str
    format: SessionFormat
    online_url: str | None = None
    agenda_summary: str | None = Field(default=None, description="The content to be announced.")
    sittings: list[SittingInfo]
    announce_deadline: date = Field(
        description="The last day the notice may go out (7 days before)."
    )
    previous_starts_at: datetime | None = None


class SessionCancelled(Message):
    session_id: str
    commune_code: str
    reason: str
    previous_status: SessionStatus


class SessionHeld(Message):
    session_id: str
    commune_code: str
    held_on: date


class Attendance(Message):
    registered: int
    attended: int
    by_village: dict[str, int]
    by_category: dict[str, int]


class SessionConcluded(Message):
    session_id: str
    commune_code: str
    held_on: date
    concluded_at: datetime
    results_deadline: date = Field(
        description="Results must be announced by this day (10 days after)."
    )
    attendance: Attendance
    summary: str | None = None
    chaired_by: str | None = None
    concluded_by: str | None = None


class BriefingAttached(Message):
    session_id: str
    commune_code: str
    title: str
    summary: str
    presented_by: str
    at: datetime


class AgencyPointsAttached(Message):
    session_id: str
    commune_code: str
    agency_code: str
    points: str
    presented_by: str
    at: datetime


class DelegateRegistered(Message):
    session_id: str
    registration_code: str
    village_code: str
    category: DelegateCategory
    status: Literal["confirmed", "waiting"]
    waiting_position: int | None = None
    sitting_code: str | None = None


class DelegatePromoted(Message):
    session_id: str
    registration_code: str
    village_code: str
    category: DelegateCategory


class DelegateCancelled(Message):
    session_id: str
    registration_code: str
    village_code: str
    category: DelegateCategory
    previous_status: Literal["confirmed", "waiting"]


class DelegateCheckedIn(Message):
    session_id: str
    registration_code: str
    village_code: str
    category: DelegateCategory
    checked_in_at: datetime
