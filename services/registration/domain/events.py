"""What happened to a conference or a registration, as the domain records it (no contract yet)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from shared.contracts import registration as contract

if TYPE_CHECKING:
    from services.registration.domain.model import Conference, Registration


@dataclass(frozen=True)
class Planned:
    conference: Conference


@dataclass(frozen=True)
class Scheduled:
    conference: Conference
    previous_starts_at: datetime | None
    announce_deadline: date


@dataclass(frozen=True)
class Held:
    conference: Conference


@dataclass(frozen=True)
class Concluded:
    conference: Conference
    attendance: contract.Attendance
    summary: str | None
    results_deadline: date
    at: datetime


@dataclass(frozen=True)
class BriefingAttached:
    conference: Conference
    title: str
    summary: str
    presented_by: str
    at: datetime


@dataclass(frozen=True)
class AgencyPointsAttached:
    conference: Conference
    agency_code: str
    points: str
    presented_by: str
    at: datetime


@dataclass(frozen=True)
class Cancelled:
    conference: Conference
    reason: str
    previous_status: contract.SessionStatus


@dataclass(frozen=True)
class Registered:
    registration: Registration
    waiting_position: int | None


@dataclass(frozen=True)
class RegistrationCancelled:
    registration: Registration
    previous_status: Literal["confirmed", "waiting"]
    why: Literal["asked", "under_age"] = "asked"  # under age: the conference was moved earlier


@dataclass(frozen=True)
class Promoted:
    registration: Registration


@dataclass(frozen=True)
class CheckedIn:
    registration: Registration
    at: datetime


Event = (
    Planned
    | Scheduled
    | Held
    | Concluded
    | BriefingAttached
    | AgencyPointsAttached
    | Cancelled
    | Registered
    | RegistrationCancelled
    | Promoted
    | CheckedIn
)
