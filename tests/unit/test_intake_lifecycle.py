"""An issue's life after routing: each step from the states it may start from; the legal clocks."""

from datetime import date, datetime

import pytest

from services.intake.domain import issues, lifecycle
from shared.contracts import intake as c
from shared.contracts.common import Rejected
from shared.legal_days import LegalCalendar
from shared.reference import load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA
from tests.when import vn

REF = load_reference_data(SHIPPED_REFERENCE_DATA)
NOW = vn(2026, 8, 10)
HELD = {"_id": "TT-2026-DK1", "status": "held"}
AGENCIES = {a.code for a in REF.agencies}


def _alarms(issue: issues.Issue, today: date) -> list[tuple[str, str, date, int]]:
    """The alarms raised that day, as (state, clock, due, days left)."""
    return [(a.state, a.clock, a.due, a.days_left) for a in lifecycle.clock_alarms(issue, today)]


def new_issue(kind: str = "recommendation", at: datetime = NOW, **extra) -> issues.Issue:
    """An issue received (by the clock too) at `at`, its legal clocks started."""
    cmd = c.SubmitIssue(
        kind=kind,
        channel="letter",
        content="Chậm chi trả tiền đền bù",
        village_code="LL",
        received_at=at,
        **extra,
    )
    issue = issues.receive(cmd, REF, "TT-2026-00001", at)
    lifecycle.start_clocks(issue, REF.calendar)
    return issue


def conclusion(deadline: date = date(2026, 10, 31)) -> c.RecordConclusion:
    return c.RecordConclusion(
        tracking_code="TT-2026-00001",
        session_id="TT-2026-DK1",
        conclusion="Chi trả trước 31/10",
        responsible_agency="KT",
        deadline=deadline,
    )


def followup(status: str) -> c.UpdateFollowup:
    return c.UpdateFollowup(tracking_code="x", status=status, note="n", reported_at=NOW)


def test_an_issue_goes_from_answer_to_conclusion_to_resolved():
    issue = new_issue()
    answer = c.RecordAnswer(tracking_code="x", agency_code="KT", answer="Đang lập hồ sơ")
    lifecycle.propose_answer(issue, answer, NOW)
    assert issue.status == "answer_proposed"
    lifecycle.conclude(issue, conclusion(), HELD, AGENCIES, NOW)
    assert issue.status == "concluded" and lifecycle.deadline_of(issue) == date(2026, 10, 31)
    lifecycle.follow_up(issue, followup("in_progress"), NOW)
    assert issue.status == "in_followup"
    lifecycle.follow_up(issue, followup("resolved"), NOW)
    assert issue.status == "resolved"
    actions = [h.action for h in issue.history][-4:]
    assert actions == ["answer_proposed", "concluded", "followup", "followup"]


def test_illegal_transitions_are_refused_with_the_state_named():
    issue = new_issue()
    with pytest.raises(Rejected) as refused:
        lifecycle.follow_up(issue, followup("resolved"), NOW)
    assert refused.value.errors[0].code == "invalid_transition"
    assert "đã giao cơ quan" in refused.value.errors[0].message
    lifecycle.close(
        issue,
        c.CloseIssue(
            tracking_code="x",
            outcome="referred",
            reason="Thẩm quyền của tỉnh",
            authority="Sở Nông nghiệp và Môi trường",
            officer="VP",
        ),
        NOW,
    )
    with pytest.raises(Rejected):
        lifecycle.propose_answer(
            issue, c.RecordAnswer(tracking_code="x", agency_code="KT", answer="a"), NOW
        )


def test_only_the_assigned_agency_answers_and_only_a_held_session_concludes():
    issue = new_issue()
    with pytest.raises(Rejected) as refused:
        lifecycle.propose_answer(
            issue, c.RecordAnswer(tracking_code="x", agency_code="CA", answer="a"), NOW
        )
    assert refused.value.errors[0].code == "not_responsible"
    with pytest.raises(Rejected) as refused:
        lifecycle.conclude(
            issue, conclusion(date(2026, 8, 1)), {"status": "scheduled"}, AGENCIES, NOW
        )
    assert {e.code for e in refused.value.errors} == {"session_not_held", "deadline_past"}
    with pytest.raises(Rejected) as refused:
        lifecycle.conclude(issue, conclusion(), None, AGENCIES, NOW)
    assert refused.value.errors[0].code == "unknown_session"


def test_a_conclusion_is_overdue_only_while_open_and_past_its_deadline():
    issue = new_issue()
    lifecycle.conclude(issue, conclusion(date(2026, 10, 31)), HELD, AGENCIES, NOW)
    assert lifecycle.days_overdue(issue, date(2026, 10, 31)) == 0
    assert lifecycle.days_overdue(issue, date(2026, 11, 3)) == 3
    issue.status = "resolved"
    assert lifecycle.days_overdue(issue, date(2026, 11, 3)) == 0


def test_a_complaint_runs_acceptance_and_settlement_clocks_and_rings_once_each():
    issue = new_issue("complaint", submitter=c.Submitter(full_name="A", address="Lân Luông"))
    # received on Monday 10/8: accepted within 10 days; settlement counts from acceptance
    assert issue.legal["clocks"] == {"acceptance": "2026-08-20"}
    assert _alarms(issue, date(2026, 8, 16)) == []
    soon = ("due-soon", "acceptance", date(2026, 8, 20), 3)
    assert _alarms(issue, date(2026, 8, 17)) == [soon]
    assert _alarms(issue, date(2026, 8, 18)) == []  # already said
    late = ("expired", "acceptance", date(2026, 8, 20), -1)
    assert _alarms(issue, date(2026, 8, 21)) == [late]
    accepted = c.AcceptCase(
        tracking_code="x", accepted_on=date(2026, 8, 21), complex=True, officer="VP"
    )
    later = vn(2026, 8, 21, 15, 0)
    lifecycle.accept(issue, accepted, later, REF.calendar)
    assert issue.legal["clocks"] == {"settlement": "2026-10-05"}  # 45 days, a Monday
    with pytest.raises(Rejected):
        lifecycle.accept(issue, accepted, later, REF.calendar)
    far = new_issue("complaint", submitter=c.Submitter(full_name="A", address="Bản Xa"))
    lifecycle.accept(far, accepted, later, REF.calendar, remote=True)
    assert far.legal["clocks"] == {"settlement": "2026-10-20"}  # remote and complex: 60 days


def test_the_dialogue_does_not_stop_a_denunciation_clock_but_closing_it_does():
    issue = new_issue("denunciation", submitter=c.Submitter(full_name="B", address="Lân Luông"))
    # checked within 7 working days of Monday 10/8: Tuesday 11/8 to Wednesday 19/8
    assert issue.legal["clocks"] == {"acceptance": "2026-08-19"}
    lifecycle.conclude(issue, conclusion(), HELD, AGENCIES, NOW)
    assert _alarms(issue, date(2026, 9, 10))[0][:2] == ("expired", "acceptance")
    fresh = new_issue("denunciation", submitter=c.Submitter(full_name="B", address="Lân Luông"))
    refusal = c.CloseIssue(tracking_code="x", outcome="refused", reason="r", officer="VP")
    lifecycle.close(fresh, refusal, NOW)
    assert _alarms(fresh, date(2026, 9, 10)) == []
    with pytest.raises(Rejected) as refused:
        lifecycle.accept(
            new_issue(),
            c.AcceptCase(tracking_code="x", accepted_on=date(2026, 8, 11), officer="VP"),
            NOW,
            REF.calendar,
        )
    assert refused.value.errors[0].code == "not_a_case"


def _received(kind: str, at: datetime) -> issues.Issue:
    return new_issue(kind, at, submitter=c.Submitter(full_name="Hà Thị Ba", address="Lân Luông"))


def test_a_limit_ending_in_tet_moves_to_the_first_working_day_after_it():
    # 10 days from 27/1/2027 end on 6/2, Tết (4-10/2/2027): the limit moves to Thursday 11/2
    complaint = _received("complaint", vn(2027, 1, 27))
    assert complaint.legal["clocks"] == {"acceptance": "2027-02-11"}
    # 7 working days from Friday 29/1 skip the weekends and Tết: 1, 2, 3, 11, 12, 15, 16/2
    denunciation = _received("denunciation", vn(2027, 1, 29))
    assert denunciation.legal["clocks"] == {"acceptance": "2027-02-16"}
    earlier = _received("denunciation", vn(2027, 1, 5))
    accepted = c.AcceptCase(tracking_code="x", accepted_on=date(2027, 1, 7), officer="VP")
    lifecycle.accept(earlier, accepted, vn(2027, 1, 8), REF.calendar)
    assert earlier.legal["clocks"] == {"settlement": "2027-02-11"}  # 30 days: 6/2, Tết


def test_a_saturday_made_a_working_day_nationally_counts_and_no_limit_comes_late():
    calendar = LegalCalendar()
    assert calendar.is_working_day(date(2026, 8, 22)) and calendar.is_working_day(date(2025, 4, 26))
    assert not calendar.is_working_day(date(2026, 8, 29))  # an ordinary Saturday
    # 10 days from 12/8/2026 end on Saturday 22/8, a working Saturday: the limit stays there
    complaint = _received("complaint", vn(2026, 8, 12))
    assert complaint.legal["clocks"] == {"acceptance": "2026-08-22"}
    # 7 working days from Monday 17/8: 18, 19, 20, 21, 22 (Saturday, worked), 24, 25/8
    denunciation = _received("denunciation", vn(2026, 8, 17))
    assert denunciation.legal["clocks"] == {"acceptance": "2026-08-25"}


def test_the_day_of_receipt_is_the_day_in_viet_nam_across_midnight():
    before = _received("complaint", vn(2026, 8, 9, 23, 30))
    after = _received("complaint", vn(2026, 8, 10, 0, 30))
    assert before.legal["clocks"] == {"acceptance": "2026-08-19"}
    assert after.legal["clocks"] == {"acceptance": "2026-08-20"}


def test_the_communes_own_days_off_and_working_saturdays_count():
    calendar = LegalCalendar(days_off=[date(2026, 8, 20)], working_days=[date(2026, 8, 15)])
    assert calendar.days_after(date(2026, 8, 10), 10) == date(2026, 8, 21)
    assert calendar.working_days_after(date(2026, 8, 10), 5) == date(2026, 8, 15)  # a Saturday
    assert calendar.holiday_name(date(2027, 2, 6)) == "Tết Nguyên Đán"
    assert calendar.is_working_day(date(2027, 2, 11))


def test_acceptance_is_dated_between_receipt_and_today():
    issue = _received("complaint", vn(2026, 8, 10))
    today = vn(2026, 8, 12, 23, 30)
    for day, code in ((date(2026, 8, 13), "in_the_future"), (date(2026, 8, 9), "before_receipt")):
        accepted = c.AcceptCase(tracking_code="x", accepted_on=day, officer="VP")
        with pytest.raises(Rejected) as refused:
            lifecycle.accept(issue, accepted, today, REF.calendar)
        assert refused.value.errors[0].code == code
    ok = c.AcceptCase(tracking_code="x", accepted_on=date(2026, 8, 12), officer="VP")
    lifecycle.accept(issue, ok, today, REF.calendar)  # today in Viet Nam, 16:30 UTC
    assert issue.legal["accepted_on"] == "2026-08-12"


def _extension(clock: str, **more) -> c.ExtendCase:
    return c.ExtendCase(
        tracking_code="x", clock=clock, decision="12/QĐ-UBND", officer="Chủ tịch", **more
    )


def test_a_denunciations_limits_are_extended_by_a_decision_as_many_times_as_the_law_allows():
    at = vn(2026, 8, 10)  # a Monday
    issue = _received("denunciation", at)
    # extended to Saturday 22/8, a working Saturday in 2026 (làm bù): it does not move to 24/8
    assert lifecycle.extend(issue, _extension("acceptance"), at, REF.calendar) == date(2026, 8, 22)
    with pytest.raises(Rejected) as twice:
        lifecycle.extend(issue, _extension("acceptance"), at, REF.calendar)
    assert twice.value.errors[0].code == "extensions_used"
    with pytest.raises(Rejected) as early:
        lifecycle.extend(issue, _extension("settlement"), at, REF.calendar)
    assert early.value.errors[0].code == "not_accepted"
    accepted = c.AcceptCase(tracking_code="x", accepted_on=date(2026, 8, 20), officer="VP")
    lifecycle.accept(issue, accepted, at.replace(day=20), REF.calendar)
    assert issue.legal["clocks"] == {"settlement": "2026-09-21"}  # 19/9 is a Saturday
    assert lifecycle.extend(issue, _extension("settlement"), at, REF.calendar) == date(2026, 10, 21)
    with pytest.raises(Rejected) as again:
        lifecycle.extend(issue, _extension("settlement"), at, REF.calendar)
    assert again.value.errors[0].code == "extensions_used"
    second = _extension("settlement", days=20, especially_complex=True)
    assert lifecycle.extend(issue, second, at, REF.calendar) == date(2026, 11, 10)
    with pytest.raises(Rejected):
        lifecycle.extend(issue, second, at, REF.calendar)  # especially complex: twice at most
    complaint = _received("complaint", at)
    with pytest.raises(Rejected) as not_one:
        lifecycle.extend(complaint, _extension("settlement"), at, REF.calendar)
    assert not_one.value.errors[0].code == "not_a_denunciation"


def test_a_case_ends_only_by_its_own_decision_not_by_the_dialogues_follow_up():
    at = vn(2026, 8, 10)
    case = _received("complaint", at)
    accepted = c.AcceptCase(tracking_code="x", accepted_on=date(2026, 8, 12), officer="VP")
    lifecycle.accept(case, accepted, at.replace(day=12), REF.calendar)  # settle by 11/9
    lifecycle.conclude(case, conclusion(), HELD, AGENCIES, at)
    lifecycle.follow_up(case, followup("resolved"), at)
    assert case.status == "resolved"
    assert _alarms(case, date(2026, 9, 12))[0][:2] == ("expired", "settlement")
    early = c.RecordSettlement(
        tracking_code="x", decided_on=date(2026, 8, 11), decision="25/QĐ-UBND", officer="CT"
    )
    with pytest.raises(Rejected) as refused:
        lifecycle.settle(case, early, at.replace(day=20))
    assert refused.value.errors[0].code == "before_acceptance"
    settled = early.model_copy(update={"decided_on": date(2026, 9, 14)})
    lifecycle.settle(case, settled, vn(2026, 9, 14))
    assert case.legal["settled"] == {
        "decided_on": "2026-09-14",
        "decision": "25/QĐ-UBND",
        "late_days": 3,
    }
    assert _alarms(case, date(2026, 12, 1)) == []  # its own decision stops it
    with pytest.raises(Rejected) as twice:
        lifecycle.settle(case, settled, vn(2026, 9, 15))
    assert twice.value.errors[0].code == "already_settled"


def test_a_matter_settled_in_the_village_by_its_head_is_recorded_as_such_but_never_a_case():
    matter = new_issue()
    by_the_head = c.CloseIssue(
        tracking_code="x",
        outcome="settled_in_village",
        reason="Trưởng thôn đã hòa giải, hai bên thống nhất ranh giới",
        officer="Trưởng thôn Lân Luông",
    )
    lifecycle.close(matter, by_the_head, NOW)
    assert (
        matter.status == "settled_in_village" and matter.closed["outcome"] == "settled_in_village"
    )
    case = new_issue("complaint", submitter=c.Submitter(full_name="A", address="Lân Luông"))
    with pytest.raises(Rejected) as refused:
        lifecycle.close(case, by_the_head, NOW)
    assert refused.value.errors[0].code == "not_for_the_village"
    assert "khiếu nại" in refused.value.errors[0].message
