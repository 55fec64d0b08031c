"""Session and registration rules: notice, waiting list, quotas, roles, check-in, conclusion."""

from datetime import date, timedelta

import pytest

from services.registration.domain import delegates, model, sessions
from services.registration.domain.model import Registration
from shared.contracts import registration as c
from shared.contracts.common import Rejected
from shared.reference import load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA
from tests.when import vn

REF = load_reference_data(SHIPPED_REFERENCE_DATA)
LATER = vn(2030, 1, 1, 0)  # the clock, after every check-in here
NOW = vn(2026, 9, 1)


def new_session(**overrides) -> model.Conference:
    fields = {
        "kind": "periodic",
        "year": 2026,
        "period": "2026-Q3",
        "venue": "Nhà văn hoá",
        "capacity_min": 1,
        "capacity_max": 3,
        "representatives_per_village": 1,
    }
    fields.update(overrides)
    return sessions.plan(c.CreateSession(**fields), REF, "TT-2026-DK1")


def scheduled(**overrides) -> model.Conference:
    session = new_session(**overrides)
    sessions.schedule(
        session,
        c.ScheduleSession(session_id=session.id, starts_at=vn(2026, 9, 25, 8)),
        NOW,
    )
    return session


def reg(
    session: model.Conference, seq: int, category: str = "official", village: str = "LL"
) -> Registration:
    r = Registration(
        code=f"{session.id}-{seq:03d}",
        session_id=session.id,
        seq=seq,
        status="waiting",
        category=category,
        village_code=village,
        citizen_hash=f"h{seq}",
    )
    delegates.place(session, r)
    return r


def test_a_conference_exactly_seven_days_ahead_may_be_scheduled():
    session = new_session()
    starts = vn(2026, 9, 8, 8)
    assert (
        sessions.schedule(session, c.ScheduleSession(session_id=session.id, starts_at=starts), NOW)
        is None
    )
    assert session.status == "scheduled"
    assert sessions.announce_deadline(session) == date(2026, 9, 1)


def test_a_conference_six_days_ahead_is_refused_with_the_legal_reason():
    session = new_session()
    with pytest.raises(Rejected) as refused:
        sessions.schedule(
            session,
            c.ScheduleSession(session_id=session.id, starts_at=vn(2026, 9, 7, 8)),
            NOW,
        )
    (err,) = refused.value.errors
    assert (
        err.code == "notice_too_short" and "7 ngày" in err.message and "08/09/2026" in err.message
    )
    assert session.status == "planned"


def test_rescheduling_returns_the_previous_date():
    session = scheduled()
    later = vn(2026, 10, 2, 8)
    previous = sessions.schedule(
        session, c.ScheduleSession(session_id=session.id, starts_at=later), NOW
    )
    assert previous == vn(2026, 9, 25, 8) and session.starts_at == later


def test_the_waiting_list_takes_who_does_not_fit_and_moves_up_when_a_delegate_cancels():
    session = scheduled()
    regs = [reg(session, i) for i in range(1, 6)]
    assert [r.status for r in regs] == ["confirmed"] * 3 + ["waiting"] * 2
    delegates.cancel_registration(session, regs[1], NOW)
    promoted = delegates.promote_waiting(session, [r for r in regs if r.status == "waiting"], NOW)
    assert promoted == [regs[3]] and regs[4].status == "waiting" and session.confirmed == 3


def test_peoples_representatives_wait_when_their_village_quota_is_full():
    session = scheduled(capacity_max=10)
    first, second = (
        reg(session, 1, "peoples_representative"),
        reg(session, 2, "peoples_representative"),
    )
    other_village = reg(session, 3, "peoples_representative", "T02")
    assert (first.status, second.status, other_village.status) == (
        "confirmed",
        "waiting",
        "confirmed",
    )


def test_a_cancelled_waiting_registration_frees_no_place():
    session = scheduled()
    regs = [reg(session, i) for i in range(1, 5)]
    delegates.cancel_registration(session, regs[3], NOW)
    assert delegates.promote_waiting(session, [], NOW) == [] and session.confirmed == 3


def test_one_village_head_per_village():
    session = scheduled()
    holder = reg(session, 1, "village_head")
    cmd = c.RegisterDelegate(
        session_id=session.id,
        full_name="B",
        citizen_id="020085012345",
        date_of_birth=date(1985, 1, 1),
        gender="male",
        village_code="LL",
        category="village_head",
    )
    (err,) = delegates.duplicate_errors(cmd, session, None, holder, REF)
    assert err.code == "role_taken" and holder.code not in err.message  # not another's code


def test_registration_explains_every_reason_at_once():
    session = scheduled()
    cmd = c.RegisterDelegate(
        session_id=session.id,
        full_name="B",
        citizen_id="020310001234",
        date_of_birth=date(2010, 5, 1),
        gender="male",
        village_code="XX",
        category="peoples_representative",
        lacks_civil_capacity=True,
    )
    codes = {e.code for e in delegates.registration_errors(cmd, session, REF, NOW.date())}
    assert codes == {"citizen_id_century", "under_18", "unknown_village", "civil_capacity"}


def test_age_is_judged_on_the_start_of_the_planned_period_before_a_date_is_fixed():
    session = new_session()
    cmd = c.RegisterDelegate(
        session_id=session.id,
        full_name="B",
        citizen_id="020208001234",
        date_of_birth=date(2008, 8, 1),
        gender="male",
        village_code="LL",
        category="official",
    )
    (err,) = delegates.registration_errors(cmd, session, REF, NOW.date())
    assert err.code == "under_18" and "01/07/2026" in err.message


def test_check_in_only_on_the_conference_day_and_it_opens_the_conference():
    session = scheduled()
    r = reg(session, 1)
    with pytest.raises(Rejected) as refused:
        sessions.check_in(session, r, NOW, LATER)
    assert refused.value.errors[0].code == "not_conference_day"
    assert sessions.check_in(session, r, vn(2026, 9, 25, 7, 30), LATER) is True
    assert session.status == "held" and session.held_on == date(2026, 9, 25)


def test_a_waiting_delegate_cannot_check_in_and_nobody_checks_in_twice():
    session = scheduled(capacity_max=1)
    first, second = reg(session, 1), reg(session, 2)
    day = vn(2026, 9, 25, 7, 30)
    sessions.check_in(session, first, day, LATER)
    for who, code in ((first, "already_checked_in"), (second, "not_confirmed")):
        with pytest.raises(Rejected) as refused:
            sessions.check_in(session, who, day + timedelta(minutes=5), LATER)
        assert refused.value.errors[0].code == code


def test_only_a_held_conference_concludes_and_the_results_deadline_is_ten_days_on():
    session = scheduled()
    with pytest.raises(Rejected):
        sessions.conclude(session, [], c.ConcludeSession(session_id=session.id), NOW)
    r = reg(session, 1, "peoples_representative", "T05")
    sessions.check_in(session, r, vn(2026, 9, 25, 7, 30), LATER)
    attendance = sessions.conclude(
        session,
        [r],
        c.ConcludeSession(session_id=session.id),
        vn(2026, 9, 25, 11),
    )
    assert attendance.attended == 1 and attendance.by_village == {"T05": 1}
    assert sessions.results_deadline(session) == date(2026, 10, 5)


def test_a_held_conference_cannot_be_cancelled():
    session = scheduled()
    sessions.check_in(session, reg(session, 1), vn(2026, 9, 25, 7, 30), LATER)
    with pytest.raises(Rejected):
        sessions.cancel_session(session, "x")


def test_sittings_for_clusters_of_villages_must_not_share_a_village():
    cmd = c.CreateSession(
        kind="periodic",
        year=2026,
        period="2026-Q3",
        venue="x",
        capacity_min=1,
        capacity_max=5,
        sittings=[
            c.SittingPlan(code="A", villages=["LL", "T02"]),
            c.SittingPlan(code="B", villages=["T02", "T99"]),
        ],
    )
    with pytest.raises(Rejected) as refused:
        sessions.plan(cmd, REF, "TT-2026-DK1")
    assert {e.code for e in refused.value.errors} == {"village_in_two_sittings", "unknown_village"}


def test_a_check_in_cannot_be_dated_after_the_present_moment():
    session = scheduled()
    r = reg(session, 1)
    arrived = vn(2026, 9, 25, 7, 45)
    with pytest.raises(Rejected) as refused:
        sessions.check_in(session, r, arrived, arrived - timedelta(minutes=1))
    assert refused.value.errors[0].code == "in_the_future"
    recorded = arrived + timedelta(minutes=20)  # the clerk enters it later, from the paper list
    assert sessions.check_in(session, r, arrived, recorded) is True
    assert (r.checked_in_at, r.checked_in_recorded_at) == (arrived, recorded)


def test_the_seven_day_deadline_follows_the_earliest_sitting_in_notices_and_events_alike():
    from services.registration import notices

    session = scheduled()
    assert notices.announce_by(session) == sessions.announce_deadline(session) == date(2026, 9, 18)
    session.sittings = [
        model.Sitting("C1", ["LL"], starts_at=vn(2026, 9, 23, 8)),
        model.Sitting("C2", ["T02"], starts_at=vn(2026, 9, 25, 8)),
    ]
    assert notices.announce_by(session) == sessions.announce_deadline(session) == date(2026, 9, 16)


def test_the_date_is_checked_against_the_sessions_year_and_planned_period():
    assert [model.period_end(p) for p in ("2026", "2026-Q3", "2026-H1", "2026-02", "2026-Q4")] == [
        date(2026, 12, 31),
        date(2026, 9, 30),
        date(2026, 6, 30),
        date(2026, 2, 28),
        date(2026, 12, 31),
    ]
    session = scheduled()  # 2026-Q3, on 25/9
    assert sessions.outside_period(session) is None
    later = c.ScheduleSession(session_id=session.id, starts_at=vn(2026, 10, 2, 8))
    sessions.schedule(session, later, NOW)  # plans slip: allowed, and said
    assert "nằm ngoài kỳ 2026-Q3" in sessions.outside_period(session)
    next_year = c.ScheduleSession(session_id=session.id, starts_at=vn(2027, 1, 8, 8))
    sessions.schedule(session, next_year, NOW)
    assert "08/01/2027 nằm ngoài kỳ 2026-Q3" in sessions.outside_period(session)


def test_a_delegation_is_checked_only_for_the_villages_its_sittings_cover():
    session = new_session(
        capacity_max=10,
        sittings=[
            {"code": "C1", "villages": ["LL", "T02"]},
            {"code": "C2", "villages": ["T03"]},
        ],
    )
    regs = [
        reg(session, 1, "village_head", "LL"),
        reg(session, 2, "party_cell_secretary", "LL"),
        reg(session, 3, "front_work_committee", "LL"),
        reg(session, 4, "village_head", "T02"),
        reg(session, 5, "village_head", "T09"),  # outside both sittings: not asked for
    ]
    regs[3].status = "cancelled"  # a withdrawn head fills no role
    gaps = sessions.delegation_gaps(session, regs, REF)
    roles = ["party_cell_secretary", "village_head", "front_work_committee"]
    reps = "peoples_representative"  # each village's quota of people's representatives, too
    assert gaps == {"LL": [reps], "T02": [*roles, reps], "T03": [*roles, reps]}
    regs += [reg(session, 6 + n, reps, "LL") for n in range(session.representatives_per_village)]
    assert "LL" not in sessions.delegation_gaps(session, regs, REF)


def test_the_delegation_is_checked_a_week_before_and_on_the_eve_and_not_after():
    session = scheduled()  # 25/09/2026
    stages = {
        day: sessions.readiness_stage(session, date(2026, 9, day)) for day in (17, 18, 23, 24, 25)
    }
    assert stages == {17: None, 18: "week", 23: "week", 24: "eve", 25: "eve"}
    assert sessions.readiness_stage(session, date(2026, 9, 26)) is None


def test_a_year_without_a_periodic_dialogue_held_is_an_alarm_from_the_fourth_quarter():
    held = new_session()
    held.status = "held"
    adhoc = new_session(kind="adhoc")
    adhoc.status = "concluded"
    last_year = new_session(year=2025, period="2025")
    last_year.status = "concluded"
    assert not sessions.without_periodic_dialogue([adhoc], date(2026, 9, 30))
    assert sessions.without_periodic_dialogue([adhoc, last_year], date(2026, 10, 1))
    assert not sessions.without_periodic_dialogue([adhoc, held], date(2026, 12, 31))


def test_organisers_default_to_the_law_and_a_plan_that_departs_from_it_is_warned():
    session = new_session()
    assert [(o["body"], o["role"]) for o in session.organisers] == list(sessions.LAW_ORGANISERS)
    assert sessions.organiser_warnings(session) == []
    partial = new_session(
        organisers=[
            {"body": "peoples_committee", "role": "chairs"},
            {"body": "peoples_council_standing_committee", "role": "invited"},
        ]
    )
    warned = sessions.organiser_warnings(partial)
    assert len(warned) == 3 and "Thường trực Hội đồng nhân dân xã đồng chủ trì" in warned[0]
    assert "Ủy ban Mặt trận Tổ quốc Việt Nam xã phối hợp tổ chức" in warned[1]


@pytest.mark.parametrize(
    ("organisers", "code"),
    [
        ([{"body": "fatherland_front", "role": "co_organises"}], "one_chair"),
        ([{"body": "fatherland_front", "role": "chairs"}], "chair_is_committee"),
        (
            [
                {"body": "peoples_committee", "role": "chairs"},
                {"body": "party_committee", "role": "invited"},
                {"body": "party_committee", "role": "co_chairs"},
            ],
            "organiser_twice",
        ),
    ],
)
def test_a_conference_has_one_chair_the_peoples_committee_and_no_body_twice(organisers, code):
    with pytest.raises(Rejected) as refused:
        new_session(organisers=organisers)
    assert [e.code for e in refused.value.errors] == [code]


def test_who_chaired_and_concluded_is_kept_with_the_conclusion():
    session = scheduled()
    r = reg(session, 1)
    sessions.check_in(session, r, vn(2026, 9, 25, 7, 50), LATER)
    cmd = c.ConcludeSession(
        session_id=session.id, chaired_by="Ông A, Chủ tịch UBND xã", concluded_by="Ông A"
    )
    sessions.conclude(session, [r], cmd, vn(2026, 9, 25, 11))
    assert (session.chaired_by, session.concluded_by) == ("Ông A, Chủ tịch UBND xã", "Ông A")


@pytest.mark.parametrize(
    ("form", "refused"), [("online", True), ("hybrid", True), ("in_person", False)]
)
def test_a_conference_held_online_needs_its_link(form, refused):
    session = new_session(format=form)
    cmd = c.ScheduleSession(session_id=session.id, starts_at=vn(2026, 9, 25, 8))
    if refused:
        with pytest.raises(Rejected) as no_link:
            sessions.schedule(session, cmd, NOW)
        assert [e.code for e in no_link.value.errors] == ["online_url_missing"]
        cmd = cmd.model_copy(update={"online_url": "https://hop.thientan.example.vn/dt"})
    sessions.schedule(session, cmd, NOW)
    assert session.status == "scheduled"
