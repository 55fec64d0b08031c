"""A session's life: planned, scheduled (7 days' notice), held, concluded, or cancelled."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from services.registration import messages as msg
from services.registration.domain import events
from services.registration.domain.model import (
    NOTICE_DAYS,
    ONE_PER_VILLAGE,
    Conference,
    Registration,
    Sitting,
    held_on,
    period_end,
    period_start,
    require_status,
    status_vi,
)
from shared import vi
from shared.clock import local_date
from shared.contracts import registration as contract
from shared.contracts.common import OutcomeError, error, reject_if
from shared.legal_days import results_due
from shared.reference import ReferenceData
from shared.text import fmt, fmt_time

# Law 72/2025, Art. 43: the People's Committee organises with the Fatherland Front, a
# representative of the People's Council standing committee co-chairs, the Party committee is
# invited.
LAW_ORGANISERS = (
    ("peoples_committee", "chairs"),
    ("peoples_council_standing_committee", "co_chairs"),
    ("fatherland_front", "co_organises"),
    ("party_committee", "invited"),
)


def organisers(cmd: contract.CreateSession) -> list[dict[str, Any]]:
    """Who organises, as given or else as the law says. Refused: not one chair, a chair other
    than the People's Committee, or a body named twice."""
    given = [o.model_dump() for o in cmd.organisers] or [
        {"body": b, "role": r, "representative": None} for b, r in LAW_ORGANISERS
    ]
    errors = []
    chairs = [o for o in given if o["role"] == "chairs"]
    if len(chairs) != 1:
        errors.append(
            error("data.organisers", "one_chair", msg.ONE_CHAIR.format(count=len(chairs)))
        )
    elif chairs[0]["body"] != "peoples_committee":
        errors.append(error("data.organisers", "chair_is_committee", msg.CHAIR_IS_COMMITTEE))
    bodies = [o["body"] for o in given]
    for body in sorted({b for b in bodies if bodies.count(b) > 1}):
        text = msg.ORGANISER_TWICE.format(body=vi.ORGANISER_BODY[body])
        errors.append(error("data.organisers", "organiser_twice", text))
    reject_if(errors)
    return given


def organiser_warnings(conference: Conference) -> list[str]:
    """A warning for each body the law expects in a role the plan gives it otherwise or omits."""
    roles = {o["body"]: o["role"] for o in conference.organisers}
    return [
        msg.ORGANISER_EXPECTED.format(body=vi.ORGANISER_BODY[b], role=vi.ORGANISER_ROLE[r])
        for b, r in LAW_ORGANISERS[1:]
        if roles.get(b) != r
    ]


def plan(cmd: contract.CreateSession, ref: ReferenceData, session_id: str) -> Conference:
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
    conference = Conference(
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
        organisers=organisers(cmd),
    )
    conference.events.append(events.Planned(conference))
    return conference


def _sitting_errors(
    conference: Conference, cmd: contract.ScheduleSession, earliest: date
) -> list[OutcomeError]:
    """Each sitting timed must be planned and announced in time; with several, each needs a time."""
    errors: list[OutcomeError] = []
    planned = {s.code: s for s in conference.sittings}
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
    return errors


def schedule(
    conference: Conference, cmd: contract.ScheduleSession, now: datetime
) -> datetime | None:
    """Fix or move the date; returns the previous start when it was a move."""
    require_status(conference, ("planned", "scheduled"), "data.session_id", msg.CANNOT_SCHEDULE)
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
    if conference.format in ("online", "hybrid") and not (cmd.online_url or conference.online_url):
        errors.append(error("data.online_url", "online_url_missing", msg.ONLINE_NEEDS_URL))
    errors += _sitting_errors(conference, cmd, earliest)
    planned = {s.code: s for s in conference.sittings}
    times = {t.code: t for t in cmd.sittings}
    reject_if(errors)
    previous = conference.starts_at
    conference.starts_at, conference.ends_at = cmd.starts_at, cmd.ends_at
    conference.venue = cmd.venue or conference.venue
    conference.online_url = cmd.online_url or conference.online_url
    conference.agenda_summary = cmd.agenda_summary or conference.agenda_summary
    for code, timing in times.items():
        planned[code].starts_at = timing.starts_at
        planned[code].venue = timing.venue or planned[code].venue
    if len(planned) == 1 and not times:
        next(iter(planned.values())).starts_at = cmd.starts_at
    conference.status = "scheduled"
    conference.events.append(events.Scheduled(conference, previous, announce_deadline(conference)))
    return previous


def outside_period(conference: Conference) -> str | None:
    """A warning when the date falls outside the planned period or year (a Q3 dialogue held in
    October, a 2026 one in January 2027): allowed, since plans slip, but said in the outcome and
    the log, so the plan is corrected or the delay explained."""
    if not conference.starts_at or not conference.period:
        return None
    day, first, last = (
        local_date(conference.starts_at),
        period_start(conference.period),
        period_end(conference.period),
    )
    if first <= day <= last:
        return None
    return msg.OUTSIDE_PERIOD.format(
        day=fmt(day), period=conference.period, first=fmt(first), last=fmt(last)
    )


def announce_deadline(conference: Conference) -> date:
    times = [s.starts_at for s in conference.sittings] + [conference.starts_at]
    first = min(t for t in times if t is not None)
    return local_date(first) - timedelta(days=NOTICE_DAYS)


def readiness_stage(conference: Conference, today: date) -> str | None:
    """When a conference's delegation is checked: from the announcement deadline (`week`), and
    again the day before (`eve`); None before the first and after the conference."""
    if conference.status != "scheduled" or conference.starts_at is None:
        return None
    first = announce_deadline(conference) + timedelta(days=NOTICE_DAYS)
    if today > first:
        return None
    if today >= first - timedelta(days=1):
        return "eve"
    return "week" if today >= announce_deadline(conference) else None


def delegation_gaps(
    conference: Conference, regs: list[Registration], ref: ReferenceData
) -> dict[str, list[str]]:
    """Village -> the roles the plan wants from every village (head, Party cell secretary, Front
    representative, and its quota of people's representatives) that confirmed delegates do not
    fill; only the villages the conference covers."""
    covered = [code for s in conference.sittings for code in s.villages] or [
        v.code for v in ref.villages
    ]
    confirmed = [r for r in regs if r.status == "confirmed"]
    filled = {(r.village_code, r.category) for r in confirmed}
    gaps = {}
    for village in dict.fromkeys(covered):
        missing = [role for role in ONE_PER_VILLAGE if (village, role) not in filled]
        representatives = sum(
            1 for r in confirmed if r.village_code == village and r.category == REPRESENTATIVE
        )
        if representatives < conference.representatives_per_village:
            missing.append(REPRESENTATIVE)
        if missing:
            gaps[village] = missing
    return gaps


REPRESENTATIVE = "peoples_representative"


def without_periodic_dialogue(sessions: list[Conference], today: date) -> bool:
    """In the fourth quarter, a year with no periodic dialogue held yet (at least one a year)."""
    if today.month < 10:
        return False
    return not any(
        s.kind == "periodic" and s.year == today.year and s.status in ("held", "concluded")
        for s in sessions
    )


def attach_briefing(conference: Conference, cmd: contract.AttachBriefing, now: datetime) -> None:
    """The chair's socio-economic briefing, attached until the conference is concluded."""
    require_status(
        conference, ("planned", "scheduled", "held"), "data.session_id", msg.CANNOT_ATTACH_BRIEFING
    )
    conference.briefing = {
        "title": cmd.title,
        "summary": cmd.summary,
        "presented_by": cmd.presented_by,
        "at": now.isoformat(),
    }
    conference.events.append(
        events.BriefingAttached(conference, cmd.title, cmd.summary, cmd.presented_by, now)
    )


def attach_agency_points(
    conference: Conference, cmd: contract.AttachAgencyPoints, ref: ReferenceData, now: datetime
) -> bool:
    """An agency's points for the chair's report (the plan, III.1), until the conference is
    held; whether they replace earlier ones."""
    require_status(
        conference, ("planned", "scheduled"), "data.session_id", msg.CANNOT_ATTACH_POINTS
    )
    if ref.agency(cmd.agency_code) is None:
        unknown = msg.UNKNOWN_AGENCY.format(code=cmd.agency_code)
        reject_if([error("data.agency_code", "unknown_agency", unknown)])
    replaced = cmd.agency_code in conference.agency_points
    conference.agency_points[cmd.agency_code] = {
        "points": cmd.points,
        "presented_by": cmd.presented_by,
        "at": now.isoformat(),
    }
    conference.events.append(
        events.AgencyPointsAttached(conference, cmd.agency_code, cmd.points, cmd.presented_by, now)
    )
    return replaced


def cancel_session(conference: Conference, reason: str) -> contract.SessionStatus:
    require_status(
        conference, ("planned", "scheduled"), "data.session_id", msg.CANNOT_CANCEL_SESSION
    )
    previous, conference.status, conference.reason = conference.status, "cancelled", reason
    conference.events.append(events.Cancelled(conference, reason, previous))
    return previous


def conference_days(conference: Conference) -> set[date]:
    days = {local_date(s.starts_at) for s in conference.sittings if s.starts_at}
    if conference.starts_at:
        days.add(local_date(conference.starts_at))
    return days


def check_in(conference: Conference, reg: Registration, at: datetime, now: datetime) -> bool:
    """Record attendance; True when this first check-in opens the conference (status held).
    `at` is when the delegate arrived, as the clerk says; never later than `now`."""
    errors: list[OutcomeError] = []
    if at > now:
        text = msg.CHECKED_IN_LATER.format(at=fmt_time(at), now=fmt_time(now))
        errors.append(error("data.checked_in_at", "in_the_future", text))
    require_status(conference, ("scheduled", "held"), "data.registration_code", msg.CANNOT_CHECK_IN)
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
    days = conference_days(conference)
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
    reg.checked_in_at, reg.checked_in_recorded_at = at, now
    opened = conference.status == "scheduled"
    if opened:
        conference.status, conference.held_on = "held", local_date(at)
        conference.events.append(events.Held(conference))
    conference.events.append(events.CheckedIn(reg, at))
    return opened


def conclude(
    conference: Conference,
    registrations: list[Registration],
    cmd: contract.ConcludeSession,
    now: datetime,
) -> contract.Attendance:
    require_status(conference, ("held",), "data.session_id", msg.CANNOT_CONCLUDE)
    conference.status, conference.concluded_at = "concluded", now
    conference.chaired_by, conference.concluded_by = cmd.chaired_by, cmd.concluded_by
    attended = [r for r in registrations if r.checked_in_at]
    by_village: dict[str, int] = {}
    by_category: dict[str, int] = {}
    for r in attended:
        by_village[r.village_code] = by_village.get(r.village_code, 0) + 1
        by_category[r.category] = by_category.get(r.category, 0) + 1
    attendance = contract.Attendance(
        registered=sum(1 for r in registrations if r.status == "confirmed"),
        attended=len(attended),
        by_village=by_village,
        by_category=by_category,
    )
    deadline = results_deadline(conference)
    conference.events.append(events.Concluded(conference, attendance, cmd.summary, deadline, now))
    return attendance


def results_deadline(conference: Conference) -> date:
    return results_due(held_on(conference))
