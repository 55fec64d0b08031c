"""Registering delegates: eligibility, one place per person and role, quotas, the waiting list."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Literal

from services.registration import messages as msg
from services.registration.domain import events
from services.registration.domain.model import (
    ADULT_AGE,
    ONE_PER_VILLAGE,
    Conference,
    Registration,
    period_start,
    placed,
    require_status,
    session_day,
    status_vi,
)
from shared.citizen import age_on, citizen_id_errors, phone_errors
from shared.contracts import registration as contract
from shared.contracts.common import OutcomeError, Rejected, error
from shared.reference import ReferenceData
from shared.text import fmt


def registration_errors(
    cmd: contract.RegisterDelegate, conference: Conference, ref: ReferenceData, today: date
) -> list[OutcomeError]:
    """Every reason this person may not register for this session, each explained."""
    errors: list[OutcomeError] = []
    if conference.status not in ("planned", "scheduled"):
        errors.append(
            error(
                "data.session_id",
                "invalid_state",
                msg.NOT_OPEN_FOR_REGISTRATION.format(
                    session=conference.id, status=status_vi(conference.status)
                ),
            )
        )
    errors += citizen_id_errors(cmd.citizen_id, cmd.date_of_birth, cmd.gender)
    errors += phone_errors(cmd.phone, "data.phone")
    if cmd.date_of_birth > today:
        errors.append(error("data.date_of_birth", "born_in_future", msg.BORN_IN_FUTURE))
    else:
        day = session_day(conference)
        reference_day = day or period_start(conference.period)
        age = age_on(cmd.date_of_birth, reference_day)
        if age < ADULT_AGE:
            text = (
                msg.TOO_YOUNG.format(day=fmt(reference_day), age=age)
                if day
                else msg.TOO_YOUNG_UNSCHEDULED.format(
                    day=fmt(reference_day), period=conference.period
                )
            )
            errors.append(error("data.date_of_birth", "under_18", text))
    errors += ref.village_errors(cmd.village_code)
    if cmd.lacks_civil_capacity:
        errors.append(error("data.lacks_civil_capacity", "civil_capacity", msg.LACKS_CAPACITY))
    errors += _sitting_errors(cmd, conference)
    return errors


def sitting_of(conference: Conference, village_code: str) -> str | None:
    return next((s.code for s in conference.sittings if village_code in s.villages), None)


def _sitting_errors(cmd: contract.RegisterDelegate, conference: Conference) -> list[OutcomeError]:
    if not conference.sittings:
        return []
    expected = sitting_of(conference, cmd.village_code)
    if cmd.sitting_code and cmd.sitting_code not in {s.code for s in conference.sittings}:
        return [
            error(
                "data.sitting_code",
                "unknown_sitting",
                msg.UNKNOWN_SITTING.format(session=conference.id, sitting=cmd.sitting_code),
            )
        ]
    if cmd.sitting_code and expected and cmd.sitting_code != expected:
        return [
            error(
                "data.sitting_code",
                "wrong_sitting",
                msg.WRONG_SITTING.format(
                    village=cmd.village_code, expected=expected, given=cmd.sitting_code
                ),
            )
        ]
    return []


# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: read aloud or copied by hand, a code is not mistaken.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_SECRET_LENGTH = 5  # 25^5 ≈ 9.8 million: a code cannot be guessed from its neighbour


def registration_code(session_id: str, seq: int) -> str:
    """`TT-2026-DK1-042-K7QMP`: the session, the order of registering, and a random part, so
    knowing one delegate's code tells nothing of another's."""
    check = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_SECRET_LENGTH))
    return f"{session_id}-{seq:03d}-{check}"


def duplicate_errors(
    cmd: contract.RegisterDelegate,
    conference: Conference,
    mine: Registration | None,
    role_holder: Registration | None,
    ref: ReferenceData,
) -> list[OutcomeError]:
    """The person is already registered, or the village's one seat of this role is taken."""
    errors: list[OutcomeError] = []
    if mine:
        errors.append(
            error(
                "data.citizen_id",
                "already_registered",
                msg.ALREADY_REGISTERED.format(session=conference.id),
            )
        )
    if role_holder and cmd.category in ONE_PER_VILLAGE:
        category = ref.category(cmd.category)
        errors.append(
            error(
                "data.category",
                "role_taken",
                msg.ROLE_TAKEN.format(
                    village=village.name
                    if (village := ref.village(cmd.village_code))
                    else cmd.village_code,
                    category=category.name if category else cmd.category,
                ),
            )
        )
    return errors


def has_place(conference: Conference, category: str, village_code: str) -> bool:
    """A confirmed place is free in the session and, for people's representatives, in the village."""
    if conference.confirmed >= conference.capacity_max:
        return False
    if category == "peoples_representative":
        taken = conference.confirmed_representatives.get(village_code, 0)
        return taken < conference.representatives_per_village
    return True


def occupy(conference: Conference, reg: Registration) -> None:
    conference.confirmed += 1
    if reg.category == "peoples_representative":
        reps = conference.confirmed_representatives
        reps[reg.village_code] = reps.get(reg.village_code, 0) + 1


def vacate(conference: Conference, reg: Registration) -> None:
    conference.confirmed -= 1
    if reg.category == "peoples_representative":
        conference.confirmed_representatives[reg.village_code] -= 1


def place(conference: Conference, reg: Registration, waiting: int = 0) -> None:
    """Confirm the new registration when a place is free, else put it on the waiting list,
    behind the `waiting` already there."""
    if has_place(conference, reg.category, reg.village_code):
        reg.status = "confirmed"
        occupy(conference, reg)
        conference.events.append(events.Registered(reg, None))
    else:
        reg.status = "waiting"
        conference.events.append(events.Registered(reg, waiting + 1))


def promote_waiting(
    conference: Conference, waiting: list[Registration], now: datetime
) -> list[Registration]:
    """Give every freed place to the earliest wait-listed delegate it fits (`waiting` in order)."""
    promoted = []
    for reg in waiting:
        if has_place(conference, reg.category, reg.village_code):
            reg.status, reg.promoted_at = "confirmed", now
            occupy(conference, reg)
            promoted.append(reg)
            conference.events.append(events.Promoted(reg))
    return promoted


def cancel_registration(
    conference: Conference,
    reg: Registration,
    now: datetime,
    why: Literal["asked", "under_age"] = "asked",
) -> Literal["confirmed", "waiting"]:
    if reg.status == "cancelled":
        raise Rejected(
            [
                error(
                    "data.registration_code",
                    "already_cancelled",
                    msg.ALREADY_CANCELLED.format(code=reg.code),
                )
            ]
        )
    require_status(
        conference,
        ("planned", "scheduled"),
        "data.registration_code",
        msg.CANNOT_CANCEL_REGISTRATION,
    )
    previous = placed(reg)
    reg.status, reg.cancelled_at = "cancelled", now
    if previous == "confirmed":
        vacate(conference, reg)
    conference.events.append(events.RegistrationCancelled(reg, previous, why))
    return previous
