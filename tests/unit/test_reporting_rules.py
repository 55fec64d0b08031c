"""Reporting's pure parts: projections by difference, periods, the announcement's text and files."""

import io
from datetime import date

from docx import Document
from pypdf import PdfReader

from services.reporting import announcement as doc
from services.reporting import projections as p
from services.reporting.results import in_period, is_denunciation
from shared.contracts.reporting import Matter, Participation
from shared.reference import load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA


def test_a_thing_moves_the_figures_by_the_difference_only():
    registered = p.apply(
        "registration.delegate.registered.v1",
        None,
        {
            "session_id": "S",
            "registration_code": "S-1",
            "village_code": "LL",
            "category": "peoples_representative",
            "status": "waiting",
        },
    )
    promoted = p.apply(
        "registration.delegate.promoted.v1",
        registered,
        dict(registered, session_id="S", registration_code="S-1", village_code="LL"),
    )
    moved = p.delta("delegates", registered, promoted)
    assert moved == {
        "session:S": {
            "category.peoples_representative.waiting": -1,
            "category.peoples_representative.confirmed": 1,
            "village.LL.waiting": -1,
            "village.LL.confirmed": 1,
            "total.waiting": -1,
            "total.confirmed": 1,
            "citizens.LL.waiting": -1,
            "citizens.LL.confirmed": 1,
        }
    }
    assert p.delta("delegates", promoted, promoted) == {"session:S": {}}


def test_an_issue_counts_in_the_quarter_it_was_received_in_viet_nam():
    assert p.period_of("2026-06-30T20:00:00+00:00") == "2026-Q3"  # 1 July, 03:00 in Viet Nam
    assert p.period_of("2026-06-30T10:00:00+07:00") == "2026-Q2"


def test_follow_up_is_resolved_overdue_or_on_time():
    assert p.followup_of({"followup": "resolved", "overdue": True}) == "resolved"
    assert p.followup_of({"overdue": True, "state": "in_followup"}) == "overdue"
    assert p.followup_of({"state": "concluded"}) == "on_time"


def test_periods_for_a_replay():
    day = date(2026, 9, 25)
    assert all(in_period(day, x) for x in ("2026", "2026-Q3", "2026-H2", "2026-09"))
    assert not any(in_period(day, x) for x in ("2025", "2026-Q2", "2026-H1", "2026-10"))


def announcement(issued_on: date) -> doc.Announcement:
    return doc.Announcement(
        commune="Thiện Tân",
        commune_code="TT",
        province="Lạng Sơn",
        session_id="TT-2026-DK1",
        session_kind="periodic",
        title="Hội nghị đối thoại định kỳ năm 2026",
        venue="Hội trường xã",
        held_on=date(2026, 9, 25),
        issued_on=issued_on,
        document_number=None,
        signer_title="CHỦ TỊCH",
        signer_name="Lý Hoàng Long",
        participation=Participation(
            delegates_expected=3,
            attended=2,
            officials_by_role={"official": 1},
            citizens_by_village={"LL": 1},
            citizens_by_category={"village_head": 1},
        ),
        matters=[
            Matter(
                ref="TT-2026-00003",
                kind="complaint",
                topic="land_acquisition",
                village_code="LL",
                summary="",
                raised_by_count=1,
            )
        ],
        **doc.names(load_reference_data(SHIPPED_REFERENCE_DATA)),
    )


def test_a_late_announcement_says_how_late_in_every_form():
    late = announcement(date(2026, 10, 8))
    assert late.deadline == date(2026, 10, 5) and late.days_late == 3
    assert late.as_json()["late"] is True and late.as_json()["days_late"] == 3
    text = "\n".join(par.text for par in Document(io.BytesIO(doc.to_docx(late))).paragraphs)
    assert "chậm 3 ngày so với thời hạn 05/10/2026" in text
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(doc.to_pdf(late))).pages)
    assert "chậm 3 ngày" in " ".join(pdf.split())
    on_time = announcement(date(2026, 10, 5))
    assert on_time.days_late == 0 and "(hạn 05/10/2026)" in on_time.sections()[-1][1][0]


def test_a_complaint_is_never_told_in_the_announcement():
    text = str(announcement(date(2026, 10, 1)).sections())
    assert "Khiếu nại" in text and "nội dung được giữ kín theo quy định" in text
    assert "Số:       /TB-UBND" in announcement(date(2026, 10, 1)).number_line()


def test_denunciations_are_counted_never_listed_even_an_anonymous_one():
    assert is_denunciation({"kind": "denunciation", "handled_as": "denunciation"})
    assert is_denunciation({"kind": "denunciation", "handled_as": "feedback"})  # anonymous
    assert not is_denunciation({"kind": "complaint", "handled_as": "complaint"})
    counted = announcement(date(2026, 10, 1))
    counted.denunciations = 2
    text = str(counted.sections())
    assert "Ngoài ra có 2 đơn tố cáo" in text and counted.published().denunciations == 2


def test_a_message_never_moves_back_to_an_earlier_status_of_the_same_instant():
    at = "2026-09-01T09:00:00+07:00"
    event = {
        "template": "issue_receipt",
        "channel": "file",
        "cause_id": "c",
        "required_by_law": False,
    }
    delivered = p.apply(
        "notification.message.status.v1", None, {**event, "status": "delivered", "at": at}
    )
    late_queued = p.apply(
        "notification.message.status.v1", delivered, {**event, "status": "queued", "at": at}
    )
    assert late_queued["status"] == "delivered"
    resent = p.apply(
        "notification.message.status.v1",
        delivered,
        {**event, "status": "queued", "at": "2026-09-02T09:00:00+07:00"},
    )
    assert resent["status"] == "queued"  # an operator's re-send, later, does move it


def test_an_announcement_is_dated_neither_ahead_nor_back_to_look_on_time():
    from datetime import date

    from services.reporting.results import issued_on_errors

    held = date(2026, 9, 25)  # results due by 5/10
    assert issued_on_errors(date(2026, 9, 30), held, date(2026, 9, 30)) == []
    assert issued_on_errors(date(2026, 9, 29), held, date(2026, 9, 30)) == []  # in time anyway
    assert issued_on_errors(date(2026, 10, 8), held, date(2026, 10, 8)) == []  # late, and says so
    codes = [
        issued_on_errors(date(2026, 10, 9), held, date(2026, 10, 8))[0].code,
        issued_on_errors(date(2026, 9, 24), held, date(2026, 10, 1))[0].code,
        issued_on_errors(date(2026, 10, 5), held, date(2026, 10, 6))[0].code,
        # late by 3 days, dated to look 2 days late: a late one may not understate its lateness
        issued_on_errors(date(2026, 10, 7), held, date(2026, 10, 8))[0].code,
    ]
    assert codes == ["in_the_future", "before_conference", "backdated", "backdated"]


def test_a_matter_settled_in_the_village_is_counted_as_such():
    received = p.apply(
        "intake.issue.received.v1",
        None,
        {
            "tracking_code": "TT-2026-00009",
            "kind": "feedback",
            "handled_as": "feedback",
            "channel": "village_head",
            "received_at": "2026-08-10T09:00:00+07:00",
            "anonymous": False,
            "village_code": "LL",
        },
    )
    settled = p.apply(
        "intake.issue.closed.v1",
        received,
        {
            "tracking_code": "TT-2026-00009",
            "outcome": "settled_in_village",
            "reason": "Trưởng thôn đã hòa giải",
            "at": "2026-08-20T09:00:00+07:00",
        },
    )
    moved = p.delta("issues", received, settled)["period:2026-Q3"]
    assert moved["state.settled_in_village"] == 1 and moved["state.received"] == -1


def test_a_conference_notice_is_dated_neither_ahead_nor_on_the_day_nor_back_to_look_on_time():
    from services.reporting.conference_notice import issued_on_errors

    session = {
        "_id": "TT-2026-DK1",
        "starts_at": "2026-09-25T08:00:00+07:00",
        "announce_deadline": "2026-09-18",
    }

    def codes(issued: date, today: date) -> list[str]:
        return [e.code for e in issued_on_errors(issued, session, today)]

    assert codes(date(2026, 8, 10), date(2026, 8, 10)) == []  # on time, dated today
    assert codes(date(2026, 8, 11), date(2026, 8, 10)) == ["in_the_future"]
    assert codes(date(2026, 9, 17), date(2026, 9, 20)) == ["backdated"]  # late, made to look not
    assert codes(date(2026, 9, 19), date(2026, 9, 20)) == ["backdated"]  # made to look less late
    assert codes(date(2026, 9, 20), date(2026, 9, 20)) == []  # late, and says so
    assert codes(date(2026, 9, 25), date(2026, 9, 25)) == ["not_before_conference"]
