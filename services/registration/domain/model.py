"""Sessions and registrations as plain data, and the small rules every step shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from services.registration.domain.events import Event
from shared import vi
from shared.clock import local_date
from shared.contracts import registration as contract
from shared.contracts.common import Rejected, error
from shared.legal_days import ANNOUNCE_DAYS_BEFORE

NOTICE_DAYS = ANNOUNCE_DAYS_BEFORE
ADULT_AGE = 18
ONE_PER_VILLAGE = ("party_cell_secretary", "village_head", "front_work_committee")


@dataclass
class Sitting:
    code: str
    villages: list[str]
    venue: str | None = None
    starts_at: datetime | None = None


@dataclass
class Conference:
    id: str
    commune_code: str
    kind: contract.SessionKind
    year: int
    period: str
    title: str
    venue: str
    format: contract.SessionFormat
    capacity_min: int
    capacity_max: int
    topics: list[str]
    representatives_per_village: int
    sittings: list[Sitting] = field(default_factory=list)
    status: contract.SessionStatus = "planned"
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    online_url: str | None = None
    agenda_summary: str | None = None
    held_on: date | None = None
    concluded_at: datetime | None = None
    reason: str | None = None
    next_seq: int = 1
    confirmed: int = 0
    confirmed_representatives: dict[str, int] = field(default_factory=dict)
    organisers: list[dict[str, Any]] = field(default_factory=list)  # body, role, representative
    chaired_by: str | None = None
    concluded_by: str | None = None
    briefing: dict[str, Any] | None = None  # title, summary, presented_by, at
    # each agency's points for the chair's report, by agency code: points, presented_by, at
    agency_points: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: int = 0
    # What the rules raised since it was loaded, for the handler to publish; never stored.
    events: list[Event] = field(default_factory=list, repr=False, compare=False)


@dataclass
class Registration:
    code: str
    session_id: str
    seq: int
    status: contract.RegistrationStatus
    category: str
    village_code: str
    citizen_hash: str
    sitting_code: str | None = None
    registered_at: datetime | None = None
    promoted_at: datetime | None = None
    cancelled_at: datetime | None = None
    checked_in_at: datetime | None = None
    checked_in_recorded_at: datetime | None = None  # the server's own time beside the clerk's


def period_start(period: str) -> date:
    year, _, rest = period.partition("-")
    if not rest:
        return date(int(year), 1, 1)
    if rest[0] == "Q":
        return date(int(year), 3 * (int(rest[1]) - 1) + 1, 1)
    if rest[0] == "H":
        return date(int(year), 1 if rest[1] == "1" else 7, 1)
    return date(int(year), int(rest), 1)


def period_end(period: str) -> date:
    """The last day of a planned period (`2026`, `2026-Q3`, `2026-H2`, `2026-09`)."""
    start = period_start(period)
    year, _, rest = period.partition("-")
    if not rest:
        return date(int(year), 12, 31)
    months = 3 if rest[0] == "Q" else 6 if rest[0] == "H" else 1
    month = start.month + months
    following = date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return following - timedelta(days=1)


def placed(reg: Registration) -> Literal["confirmed", "waiting"]:
    """A registration's place: confirmed or waiting; a cancelled one has none."""
    if reg.status == "cancelled":
        raise ValueError(f"registration {reg.code} is cancelled: it has no place")
    return reg.status


def starts(conference: Conference) -> datetime:
    """When a scheduled conference starts (ValueError before it has a date)."""
    if conference.starts_at is None:
        raise ValueError(f"session {conference.id} has no date yet")
    return conference.starts_at


def held_on(conference: Conference) -> date:
    """The day a conference was held (ValueError before it was)."""
    if conference.held_on is None:
        raise ValueError(f"session {conference.id} has not been held")
    return conference.held_on


def session_day(conference: Conference) -> date | None:
    return local_date(conference.starts_at) if conference.starts_at else None


def status_vi(status: str) -> str:
    return vi.SESSION_STATUS.get(status, status)


def require_status(
    conference: Conference, allowed: tuple[str, ...], field: str, template: str
) -> None:
    """Refuse a step the session's state does not allow, saying which state it is in."""
    if conference.status not in allowed:
        text = template.format(session=conference.id, status=status_vi(conference.status))
        raise Rejected([error(field, "invalid_state", text)])
