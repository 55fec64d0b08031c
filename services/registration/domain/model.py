"""Sessions and registrations: their states and the rules that move them, as pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from services.registration import messages as msg
from services.registration.domain.eligibility import age_on, citizen_id_errors, fmt
from shared.clock import LOCAL_TZ, local_date
from shared.contracts import registration as contract
from shared.contracts.common import OutcomeError, Rejected, error, reject_if
from shared.reference import ReferenceData

NOTICE_DAYS = 7
RESULTS_DAYS = 10
ADULT_AGE = 18
ONE_PER_VILLAGE = ("party_cell_secretary", "village_head", "front_work_committee")
ACTIVE = ("confirmed", "waiting")


@dataclass
class Sitting:
    code: str
    villages: list[str]
    venue: str | None = None
    starts_at: datetime | None = None


@dataclass
class Session:
    id: str
    commune_code: str
    kind: str
    year: int
    period: str
    title: str
    venue: str
    format: str
    capacity_min: int
    capacity_max: int
    topics: list[str]
    representatives_per_village: int
    sittings: list[Sitting] = field(default_factory=list)
    status: str = "planned"
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    online_url: str | None = None
    held_on: date | None = None
    concluded_at: datetime | None = None
    reason: str | None = None
    next_seq: int = 1
    confirmed: int = 0
    confirmed_representatives: dict[str, int] = field(default_factory=dict)
    version: int = 0


@dataclass
class Registration:
    code: str
    session_id: str
    seq: int
    status: str
    category: str
    village_code: str
    citizen_hash: str
    sitting_code: str | None = None
    registered_at: datetime | None = None
    promoted_at: datetime | None = None
    cancelled_at: datetime | None = None
    checked_in_at: datetime | None = None


def period_start(period: str) -> date:
    year, _, rest = period.partition("-")
    if not rest:
        return date(int(year), 1, 1)
    if rest[0] == "Q":
        return date(int(year), 3 * (int(rest[1]) - 1) + 1, 1)
    if rest[0] == "H":
        return date(int(year), 1 if rest[1] == "1" else 7, 1)
    return date(int(year), int(rest), 1)


def session_day(session: Session) -> date | None:
    return local_date(session.starts_at) if session.starts_at else None


def fmt_time(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")


def status_vi(status: str) -> str:
    return msg.STATUS_VI.get(status, status)


def require_status(session: Session, allowed: tuple[str, ...], field: str, template: str) -> None:
    """Refuse a step the session's state does not allow, saying which state it is in."""
    if session.status not in allowed:
        text = template.format(session=session.id, status=status_vi(session.status))
        raise Rejected([error(field, "invalid_state", text)])


# --- planning and scheduling --------------------------------------------------------------


def plan(cmd: contract.CreateSession, ref: ReferenceData, session_id: str) -> Session:
    errors: list[OutcomeError] = []
    known_topics = ref.topic_codes()
    for i, topic in enumerate(cmd.topics):
        if topic not in known_topics:
            errors.append(
                error(f"data.topics.{i}", "unknown_topic", msg.UNKNOWN_TOPIC.format(code=topic))
            )
    seen: dict[str, str] = {}
    for i, sitting in enumerate(cmd.sittings):
        for village in sitting.villages:
            if ref.village(village) is None:
                errors.append(
                    error(
                        f"data.sittings.{i}.villages",
                        "unknown_village",
                        msg.SITTING_VILLAGE_UNKNOWN.format(sitting=sitting.code, village=village),
                    )
                )
            elif village in seen:
                errors.append(
                    error(
                        f"data.sittings.{i}.villages",
                        "village_in_two_sittings",
                        msg.SITTING_VILLAGE_TWICE.format(
                            village=village, sittings=f"{seen[village]}, {sitting.code}"
                        ),
                    )
                )
            seen[village] = sitting.code
    reject_if(errors)
    title = cmd.title or (
        f"Hội nghị đối thoại {'định kỳ' if cmd.kind == 'periodic' else 'đột xuất'} "
        f"giữa chính quyền địa phương với Nhân dân xã {ref.commune.name} năm {cmd.year}"
    )
    return Session(
        id=session_id,
        commune_code=ref.commune.code,
        kind=cmd.kind,
        year=cmd.year,
        period=cmd.period,
        title=title,
        venue=cmd.venue,
        format=cmd.format,
        capacity_min=cmd.capacity_min,
        capacity_max=cmd.capacity_max,
        topics=list(cmd.topics),
        representatives_per_village=(
            cmd.representatives_per_village
            if cmd.representatives_per_village is not None
            else ref.commune.representatives_per_village
        ),
        sittings=[Sitting(s.code, list(s.villages), s.venue) for s in cmd.sittings],
        reason=cmd.reason,
    )


def schedule(session: Session, cmd: contract.ScheduleSession, now: datetime) -> datetime | None:
    """Fix or move the date; returns the previous start when it was a move."""
    require_status(session, ("planned", "scheduled"), "data.session_id", msg.CANNOT_SCHEDULE)
    earliest = local_date(now) + timedelta(days=NOTICE_DAYS)
    errors: list[OutcomeError] = []
    if local_date(cmd.starts_at) < earliest:
        errors.append(
            error(
                "data.starts_at",
                "notice_too_short",
                msg.NOTICE_TOO_SHORT.format(
                    day=fmt(local_date(cmd.starts_at)), earliest=fmt(earliest)
                ),
            )
        )
    if cmd.ends_at and cmd.ends_at <= cmd.starts_at:
        errors.append(error("data.ends_at", "ends_before_start", msg.ENDS_BEFORE_START))
    if session.format in ("online", "hybrid") and not (cmd.online_url or session.online_url):
        errors.append(error("data.online_url", "online_url_missing", msg.ONLINE_NEEDS_URL))
    planned = {s.code: s for s in session.sittings}
    times = {t.code: t for t in cmd.sittings}
    for i, timing in enumerate(cmd.sittings):
        if timing.code not in planned:
            errors.append(
                error(
                    f"data.sittings.{i}.code",
                    "unknown_sitting",
                    msg.SITTING_NOT_PLANNED.format(sitting=timing.code),
                )
            )
        elif local_date(timing.starts_at) < earliest:
            errors.append(
                error(
                    f"data.sittings.{i}.starts_at",
                    "notice_too_short",
                    msg.NOTICE_TOO_SHORT.format(
                        day=fmt(local_date(timing.starts_at)), earliest=fmt(earliest)
                    ),
                )
            )
    for code, sitting in planned.items():
        if code not in times and sitting.starts_at is None and len(planned) > 1:
            errors.append(
                error(
                    "data.sittings",
                    "sitting_time_missing",
                    msg.SITTING_TIME_MISSING.format(sitting=code),
                )
            )
    reject_if(errors)
    previous = session.starts_at
    session.starts_at, session.ends_at = cmd.starts_at, cmd.ends_at
    session.venue = cmd.venue or session.venue
    session.online_url = cmd.online_url or session.online_url
    for code, timing in times.items():
        planned[code].starts_at = timing.starts_at
        planned[code].venue = timing.venue or planned[code].venue
    if len(planned) == 1 and not times:
        next(iter(planned.values())).starts_at = cmd.starts_at
    session.status = "scheduled"
    return previous


def announce_deadline(session: Session) -> date:
    first = min([s.starts_at for s in session.sittings if s.starts_at] + [session.starts_at])  # type: ignore[list-item]
    return local_date(first) - timedelta(days=NOTICE_DAYS)


def cancel_session(session: Session, reason: str) -> str:
    require_status(session, ("planned", "scheduled"), "data.session_id", msg.CANNOT_CANCEL_SESSION)
    previous, session.status, session.reason = session.status, "cancelled", reason
    return previous


# --- registering ----------------------------------------------------------------------------


def registration_errors(
    cmd: contract.RegisterDelegate, session: Session, ref: ReferenceData, today: date
) -> list[OutcomeError]:
    """Every reason this person may not register for this session, each explained."""
    errors: list[OutcomeError] = []
    if session.status not in ("planned", "scheduled"):
        errors.append(
            error(
                "data.session_id",
                "invalid_state",
                msg.NOT_OPEN_FOR_REGISTRATION.format(
                    session=session.id, status=status_vi(session.status)
                ),
            )
        )
    errors += citizen_id_errors(cmd.citizen_id, cmd.date_of_birth, cmd.gender)
    if cmd.date_of_birth > today:
        errors.append(error("data.date_of_birth", "born_in_future", msg.BORN_IN_FUTURE))
    else:
        day = session_day(session)
        reference_day = day or period_start(session.period)
        age = age_on(cmd.date_of_birth, reference_day)
        if age < ADULT_AGE:
            text = (
                msg.TOO_YOUNG.format(day=fmt(reference_day), age=age)
                if day
                else msg.TOO_YOUNG_UNSCHEDULED.format(day=fmt(reference_day), period=session.period)
            )
            errors.append(error("data.date_of_birth", "under_18", text))
    if ref.village(cmd.village_code) is None:
        errors.append(
            error(
                "data.village_code",
                "unknown_village",
                msg.UNKNOWN_VILLAGE.format(code=cmd.village_code, commune=ref.commune.name),
            )
        )
    if cmd.lacks_civil_capacity:
        errors.append(error("data.lacks_civil_capacity", "civil_capacity", msg.LACKS_CAPACITY))
    errors += _sitting_errors(cmd, session)
    return errors


def sitting_of(session: Session, village_code: str) -> str | None:
    return next((s.code for s in session.sittings if village_code in s.villages), None)


def _sitting_errors(cmd: contract.RegisterDelegate, session: Session) -> list[OutcomeError]:
    if not session.sittings:
        return []
    expected = sitting_of(session, cmd.village_code)
    if cmd.sitting_code and cmd.sitting_code not in {s.code for s in session.sittings}:
        return [
            error(
                "data.sitting_code",
                "unknown_sitting",
                msg.UNKNOWN_SITTING.format(session=session.id, sitting=cmd.sitting_code),
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


def duplicate_errors(
    cmd: contract.RegisterDelegate,
    session: Session,
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
                msg.ALREADY_REGISTERED.format(session=session.id, code=mine.code),
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
                    code=role_holder.code,
                ),
            )
        )
    return errors


def has_place(session: Session, category: str, village_code: str) -> bool:
    """A confirmed place is free in the session and, for people's representatives, in the village."""
    if session.confirmed >= session.capacity_max:
        return False
    if category == "peoples_representative":
        taken = session.confirmed_representatives.get(village_code, 0)
        return taken < session.representatives_per_village
    return True


def occupy(session: Session, reg: Registration) -> None:
    session.confirmed += 1
    if reg.category == "peoples_representative":
        reps = session.confirmed_representatives
        reps[reg.village_code] = reps.get(reg.village_code, 0) + 1


def vacate(session: Session, reg: Registration) -> None:
    session.confirmed -= 1
    if reg.category == "peoples_representative":
        session.confirmed_representatives[reg.village_code] -= 1


def place(session: Session, reg: Registration) -> None:
    """Confirm the new registration when a place is free, else put it on the waiting list."""
    if has_place(session, reg.category, reg.village_code):
        reg.status = "confirmed"
        occupy(session, reg)
    else:
        reg.status = "waiting"


def promote_waiting(
    session: Session, waiting: list[Registration], now: datetime
) -> list[Registration]:
    """Give every freed place to the earliest wait-listed delegate it fits (`waiting` in order)."""
    promoted = []
    for reg in waiting:
        if has_place(session, reg.category, reg.village_code):
            reg.status, reg.promoted_at = "confirmed", now
            occupy(session, reg)
            promoted.append(reg)
    return promoted


def cancel_registration(session: Session, reg: Registration, now: datetime) -> str:
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
        session, ("planned", "scheduled"), "data.registration_code", msg.CANNOT_CANCEL_REGISTRATION
    )
    previous, reg.status, reg.cancelled_at = reg.status, "cancelled", now
    if previous == "confirmed":
        vacate(session, reg)
    return previous


# --- the conference -----------------------------------------------------------------------


def conference_days(session: Session) -> set[date]:
    days = {local_date(s.starts_at) for s in session.sittings if s.starts_at}
    if session.starts_at:
        days.add(local_date(session.starts_at))
    return days


def check_in(session: Session, reg: Registration, at: datetime) -> bool:
    """Record attendance; True when this first check-in opens the conference (status held)."""
    errors: list[OutcomeError] = []
    require_status(session, ("scheduled", "held"), "data.registration_code", msg.CANNOT_CHECK_IN)
    if reg.status != "confirmed":
        errors.append(
            error(
                "data.registration_code",
                "not_confirmed",
                msg.NOT_CONFIRMED.format(code=reg.code, status=status_vi(reg.status)),
            )
        )
    if reg.checked_in_at:
        errors.append(
            error(
                "data.registration_code",
                "already_checked_in",
                msg.ALREADY_CHECKED_IN.format(code=reg.code, at=fmt_time(reg.checked_in_at)),
            )
        )
    days = conference_days(session)
    if local_date(at) not in days:
        errors.append(
            error(
                "data.checked_in_at",
                "not_conference_day",
                msg.CHECK_IN_DAY.format(
                    day=", ".join(fmt(d) for d in sorted(days)), today=fmt(local_date(at))
                ),
            )
        )
    reject_if(errors)
    reg.checked_in_at = at
    opened = session.status == "scheduled"
    if opened:
        session.status, session.held_on = "held", local_date(at)
    return opened


def conclude(
    session: Session, registrations: list[Registration], now: datetime
) -> contract.Attendance:
    require_status(session, ("held",), "data.session_id", msg.CANNOT_CONCLUDE)
    session.status, session.concluded_at = "concluded", now
    attended = [r for r in registrations if r.checked_in_at]
    by_village: dict[str, int] = {}
    by_category: dict[str, int] = {}
    for r in attended:
        by_village[r.village_code] = by_village.get(r.village_code, 0) + 1
        by_category[r.category] = by_category.get(r.category, 0) + 1
    return contract.Attendance(
        registered=sum(1 for r in registrations if r.status == "confirmed"),
        attended=len(attended),
        by_village=by_village,
        by_category=by_category,
    )


def results_deadline(session: Session) -> date:
    assert session.held_on is not None
    return session.held_on + timedelta(days=RESULTS_DAYS)
