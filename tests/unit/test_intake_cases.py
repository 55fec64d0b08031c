"""A complaint's and a denunciation's procedure beyond their clocks: who is told what and by when
(refused, transferred, accepted, extended, settled, suspended), who is competent, and a misfiled
kind corrected with its clocks started from the day the law says."""

from __future__ import annotations

from datetime import date

import pytest

from services.intake.domain import issues, lifecycle
from shared.contracts import intake as c
from shared.contracts.common import Rejected
from tests.unit.test_intake_lifecycle import REF, new_issue
from tests.when import vn

PERSON = c.Submitter(full_name="Hà Thị Khiếunại", address="Nhà số 9, thôn Lân Luông")
AT = vn(2026, 8, 10)  # a Monday


def _case(kind: str, **extra) -> issues.Issue:
    return new_issue(kind, at=AT, submitter=PERSON, **extra)


def _told(issue: issues.Issue) -> list[tuple[str, str, date]]:
    """The notices the last step requires, as (what, to whom, by when)."""
    told = [(n.kind, n.to, n.send_by) for n in issue.notices]
    issue.notices.clear()
    return told


def _close(outcome: str, **more) -> c.CloseIssue:
    return c.CloseIssue(
        tracking_code="x", outcome=outcome, reason="Không thuộc thẩm quyền", officer="VP", **more
    )


def _settle(day: date) -> c.RecordSettlement:
    return c.RecordSettlement(
        tracking_code="x", decided_on=day, decision="25/QĐ-UBND", officer="CT"
    )


def test_a_complaint_refused_names_its_ground_and_is_told_within_the_check():
    complaint = _case("complaint")
    with pytest.raises(Rejected) as no_ground:
        lifecycle.close(complaint, _close("refused"), AT, REF.calendar)
    assert no_ground.value.errors[0].code == "ground_required"
    assert "Điều 11" in no_ground.value.errors[0].message
    lifecycle.close(complaint, _close("refused", refusal_ground=6), vn(2026, 8, 14), REF.calendar)
    (notice,) = complaint.notices
    # told by the last day of the 10-day check (20/8), with the reason and the clause of Art. 11
    assert (notice.kind, notice.to, notice.send_by) == ("refused", "submitter", date(2026, 8, 20))
    assert notice.basis == "Điều 27 Luật Khiếu nại 2011"
    assert notice.params["ground"].startswith("khoản 6 Điều 11 Luật Khiếu nại 2011: thời hiệu")
    assert "90 ngày, Điều 9" in notice.params["ground"]
    assert complaint.closed["ground"] == 6 and not lifecycle.clocks_running(complaint)


def test_once_accepted_a_case_ends_only_by_a_decision_not_by_a_refusal():
    complaint = _case("complaint")
    accepted = c.AcceptCase(tracking_code="x", accepted_on=date(2026, 8, 12), officer="VP")
    lifecycle.accept(complaint, accepted, vn(2026, 8, 12), REF.calendar)
    # the written notice of acceptance: complainant and inspectorate, by the check's last day
    assert _told(complaint) == [
        ("accepted", "submitter", date(2026, 8, 20)),
        ("accepted", "inspectorate", date(2026, 8, 20)),
    ]
    with pytest.raises(Rejected) as refused:
        lifecycle.close(complaint, _close("refused", refusal_ground=2), AT, REF.calendar)
    assert refused.value.errors[0].code == "already_accepted"


def test_a_complaints_decision_goes_to_those_the_law_names_within_three_working_days():
    complaint = _case("complaint", external_reference="CV-12/TTHC")
    complaint.channel = "external_system"  # sent on by another body
    accepted = c.AcceptCase(tracking_code="x", accepted_on=date(2026, 8, 12), officer="VP")
    lifecycle.accept(complaint, accepted, vn(2026, 8, 12), REF.calendar)
    assert ("accepted", "transferring_body", date(2026, 8, 20)) in _told(complaint)
    # decided Friday 11/9: three working days are 14, 15 and 16/9 (Art. 31)
    lifecycle.settle(complaint, _settle(date(2026, 9, 11)), vn(2026, 9, 11), REF.calendar)
    by = date(2026, 9, 16)
    assert _told(complaint) == [
        ("decision", "submitter", by),
        ("decision", "superior", by),
        ("decision", "related", by),
        ("decision", "transferring_body", by),
    ]


def test_a_denunciation_tells_the_denouncer_and_the_denounced_at_each_step():
    case = _case("denunciation")
    accepted = c.AcceptCase(tracking_code="x", accepted_on=date(2026, 8, 14), officer="CT")
    lifecycle.accept(case, accepted, vn(2026, 8, 14), REF.calendar)
    # within 5 working days of the acceptance (Fri 14/8): 17, 18, 19, 20, 21/8 (Art. 29)
    assert _told(case) == [
        ("accepted", "submitter", date(2026, 8, 21)),
        ("accepted", "denounced", date(2026, 8, 21)),
    ]
    assert case.legal["clocks"] == {"settlement": "2026-09-14"}  # 13/9 is a Sunday
    extension = c.ExtendCase(
        tracking_code="x",
        clock="settlement",
        decision="40/QĐ-UBND",
        decided_on=date(2026, 9, 10),
        officer="CT",
    )
    lifecycle.extend(case, extension, vn(2026, 9, 10), REF.calendar)
    # both told of the extension before the old limit ran out (Art. 30(2))
    assert _told(case) == [
        ("extended", "submitter", date(2026, 9, 14)),
        ("extended", "denounced", date(2026, 9, 14)),
    ]
    assert case.legal["extensions"][0]["decided_on"] == "2026-09-10"
    lifecycle.settle(case, _settle(date(2026, 10, 2)), vn(2026, 10, 2), REF.calendar)
    by = date(2026, 10, 9)  # five working days after Friday 2/10
    assert _told(case) == [
        ("conclusion", "denounced", by),
        ("conclusion", "submitter", by),
        ("publish", "public", by),
    ]


def test_an_extension_decided_after_the_limit_ran_out_is_refused():
    case = _case("denunciation")
    late = c.ExtendCase(
        tracking_code="x",
        clock="acceptance",
        decision="9/QĐ-UBND",
        decided_on=date(2026, 8, 20),  # the 7 working days ran out on 19/8
        officer="CT",
    )
    with pytest.raises(Rejected) as refused:
        lifecycle.extend(case, late, vn(2026, 8, 20), REF.calendar)
    assert refused.value.errors[0].code == "limit_passed"
    assert "đã hết ngày 19/08/2026" in refused.value.errors[0].message
    future = late.model_copy(update={"decided_on": date(2026, 8, 19)})
    with pytest.raises(Rejected) as ahead:
        lifecycle.extend(case, future, vn(2026, 8, 18), REF.calendar)
    assert ahead.value.errors[0].code == "in_the_future"
    # ten working days from Monday 10/8 end on Saturday 22/8, a working Saturday in 2026
    assert lifecycle.extend(case, future, vn(2026, 8, 19), REF.calendar) == date(2026, 8, 22)


def test_a_denunciation_not_for_the_commune_is_sent_on_within_five_working_days():
    case = _case("denunciation")
    referred = _close("referred", authority="Công an tỉnh Lạng Sơn")
    lifecycle.close(case, referred, vn(2026, 8, 19), REF.calendar)  # 7th working day
    assert _told(case) == [("transferred", "submitter", date(2026, 8, 17))]
    assert case.legal["transferred"] == {"on": "2026-08-19", "due": "2026-08-17", "late_days": 2}


def test_a_withdrawn_case_runs_until_its_suspension_decision_stops_it():
    case = _case("denunciation")
    suspend = c.SuspendCase(
        tracking_code="x", decided_on=date(2026, 8, 14), decision="31/QĐ-UBND", officer="CT"
    )
    with pytest.raises(Rejected) as not_yet:
        lifecycle.suspend(case, suspend, vn(2026, 8, 14), REF.calendar)
    assert not_yet.value.errors[0].code == "not_withdrawn"
    withdrawn = c.WithdrawCase(tracking_code="x", withdrawn_on=date(2026, 8, 13), officer="VP")
    lifecycle.withdraw(case, withdrawn, vn(2026, 8, 13))
    assert lifecycle.clocks_running(case)  # a withdrawal alone stops nothing
    early = suspend.model_copy(update={"decided_on": date(2026, 8, 12)})
    with pytest.raises(Rejected) as before:
        lifecycle.suspend(case, early, vn(2026, 8, 14), REF.calendar)
    assert before.value.errors[0].code == "before_withdrawal"
    lifecycle.suspend(case, suspend, vn(2026, 8, 14), REF.calendar)
    assert case.status == "withdrawn" and not lifecycle.clocks_running(case)
    assert lifecycle.case_clocks(case).suspended_on == date(2026, 8, 14)
    assert _told(case) == [
        ("suspended", "submitter", date(2026, 8, 19)),
        ("suspended", "denounced", date(2026, 8, 19)),
    ]
    with pytest.raises(Rejected) as settled:
        lifecycle.settle(case, _settle(date(2026, 8, 14)), vn(2026, 8, 14), REF.calendar)
    assert settled.value.errors[0].code == "already_suspended"


def test_a_denunciation_goes_to_whoever_settles_it_never_by_topic_to_the_denounced_office():
    case = _case("denunciation", topic_hint="defence_security")  # the topic names Công an xã
    assert case.agency_code == "CT" == REF.settles_denunciations()
    move = c.ReclassifyIssue(tracking_code="x", agency_code="CA", officer="VP")
    with pytest.raises(Rejected) as refused:
        issues.reclassify(case, move, REF, AT)
    assert refused.value.errors[0].code == "not_competent"
    retopic = c.ReclassifyIssue(tracking_code="x", topic="land_dispute", officer="VP")
    issues.reclassify(case, retopic, REF, AT)
    assert (case.topic, case.agency_code) == ("land_dispute", "CT")
    # a complaint on the same topic still goes to the topic's agency
    assert _case("complaint", topic_hint="defence_security").agency_code == "CA"


def _correct(handled_as: str, **more) -> c.CorrectKind:
    return c.CorrectKind(
        tracking_code="x", handled_as=handled_as, reason="Gửi nhầm loại", officer="VP", **more
    )


def test_feedback_that_is_really_a_complaint_gets_the_clocks_of_its_receipt():
    feedback = _case("feedback")
    assert feedback.legal is None
    issues.correct_kind(feedback, _correct("complaint"), REF, True, vn(2026, 8, 17))
    lifecycle.kind_corrected(feedback, _correct("complaint"), REF.calendar, vn(2026, 8, 17))
    # it was a complaint when received on 10/8: accepted by 20/8, whenever it was corrected
    assert feedback.handled_as == "complaint"
    assert feedback.legal["clocks"] == {"acceptance": "2026-08-20"}
    assert feedback.history[-1].action == "kind_corrected"
    anonymous = new_issue("feedback", at=AT)
    with pytest.raises(Rejected) as nobody:
        issues.correct_kind(anonymous, _correct("complaint"), REF, False, AT)
    assert nobody.value.errors[0].code == "identity_required"
    back = _correct("feedback")
    with pytest.raises(Rejected) as stays:
        issues.correct_kind(feedback, back, REF, True, AT)
    assert stays.value.errors[0].code == "case_stays"


def test_a_denouncer_who_gives_a_name_later_starts_the_clocks_from_that_day():
    anonymous = new_issue("denunciation", at=AT, topic_hint="land_dispute")
    assert (anonymous.handled_as, anonymous.agency_code) == ("feedback", "KT")
    named = _correct("denunciation", submitter=PERSON, identified_on=date(2026, 8, 14))
    issues.correct_kind(anonymous, named, REF, False, vn(2026, 8, 17))
    lifecycle.kind_corrected(anonymous, named, REF.calendar, vn(2026, 8, 17))
    assert (anonymous.handled_as, anonymous.agency_code, anonymous.anonymous) == (
        "denunciation",
        "CT",
        False,
    )
    # 7 working days from Friday 14/8: 17, 18, 19, 20, 21, 22 (a working Saturday), 24/8
    assert anonymous.legal["clocks"] == {"acceptance": "2026-08-24"}
    assert anonymous.legal["since"] == "2026-08-14"
    repeated = new_issue("feedback", at=AT)
    repeated.merged = ["TT-2026-00002"]
    with pytest.raises(Rejected) as merged_into:
        issues.correct_kind(repeated, _correct("complaint", submitter=PERSON), REF, False, AT)
    assert merged_into.value.errors[0].code == "has_repeats"


def test_a_follow_up_is_dated_between_its_conclusion_and_today():
    from tests.unit.test_intake_lifecycle import AGENCIES, HELD, conclusion

    matter = new_issue(at=AT)
    lifecycle.conclude(matter, conclusion(), HELD, AGENCIES, vn(2026, 8, 20))

    def report(day: int) -> c.UpdateFollowup:
        return c.UpdateFollowup(
            tracking_code="x", status="resolved", note="Đã sửa xong", reported_at=vn(2026, 8, day)
        )

    for day, code in ((25, "in_the_future"), (19, "before_conclusion")):
        with pytest.raises(Rejected) as refused:
            lifecycle.follow_up(matter, report(day), vn(2026, 8, 21))
        assert refused.value.errors[0].code == code
    lifecycle.follow_up(matter, report(21), vn(2026, 8, 21))
    assert matter.status == "resolved"
