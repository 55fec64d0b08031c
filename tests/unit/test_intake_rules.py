"""Intake rules: suggesting a topic from Vietnamese text, receiving, and an officer's reclassification."""

import pytest

from services.intake.domain import issues
from services.intake.domain.classifier import suggest_topic
from shared.contracts import intake as c
from shared.contracts.common import Rejected
from shared.reference import load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA
from tests.when import vn

REF = load_reference_data(SHIPPED_REFERENCE_DATA)
NOW = vn(2026, 8, 10)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Đề nghị chi trả tiền đền bù giải phóng mặt bằng tuyến đường thôn", "compensation"),
        ("de nghi chi tra tien den bu giai phong mat bang", "compensation"),
        ("Chậm bồi thường GPMB dự án đường tỉnh", "compensation"),
        ("Xã thu hồi đất làm khu công nghiệp chưa công khai quy hoạch", "land_acquisition"),
        ("Hàng xóm lấn chiếm đất, tranh chấp ranh giới", "land_dispute"),
        ("xin cap so do cho thua dat cua gia dinh", "land_dispute"),
        ("Cấp thẻ BHYT cho hộ cận nghèo còn chậm", "social_policy"),
        ("Chế độ người có công với cách mạng chưa được giải quyết", "social_policy"),
        ("Tuyển dụng công chức xã không công khai", "staffing"),
        ("Đường thôn xuống cấp, đề nghị sửa", "socio_economic"),
        ("Tình trạng trộm cắp gia súc ban đêm", "defence_security"),
        ("Việc sáp nhập thôn làm người dân đi xa", "political_system"),
    ],
)
def test_a_topic_is_suggested_from_the_text_with_or_without_diacritics(text, topic):
    assert suggest_topic(text).topic == topic


@pytest.mark.parametrize(
    "text",
    ["Cho tôi hỏi về lịch họp", "Đề nghị xã quan tâm hơn", "Diện tích nhà văn hoá nhỏ"],
)
def test_common_words_alone_suggest_no_topic(text):
    assert suggest_topic(text).topic == "other"


def submission(**overrides) -> c.SubmitIssue:
    fields = {
        "kind": "recommendation",
        "channel": "village_head",
        "content": "Đề nghị sửa đường thôn",
        "village_code": "LL",
        "received_at": NOW,
    }
    fields.update(overrides)
    return c.SubmitIssue(**fields)


def test_every_reason_a_submission_is_refused_is_named():
    person = c.Submitter(full_name="A", phone="12345", email="x@")
    bad = submission(kind="complaint", content="   ", village_code="XX", submitter=person)
    codes = {e.code for e in issues.submission_errors(bad, REF)}
    assert codes == {
        "blank_content",
        "unknown_village",
        "complainant_required",
        "phone_format",
        "email_format",
    }
    wrong_id = submission(submitter=c.Submitter(full_name="A", citizen_id="0201"))
    assert [e.field for e in issues.submission_errors(wrong_id, REF)] == [
        "data.submitter.citizen_id"
    ]


def test_a_complaint_needs_a_name_and_an_address():
    named = submission(
        kind="complaint", submitter=c.Submitter(full_name="A", address="Thôn Lân Luông")
    )
    assert issues.submission_errors(named, REF) == []
    for person in (
        c.Submitter(full_name="A"),
        c.Submitter(full_name="A", citizen_id="020085012345"),  # a number is not an address
        c.Submitter(full_name="A", address="  \u3000 "),
    ):
        (refused,) = issues.submission_errors(submission(kind="complaint", submitter=person), REF)
        assert refused.code == "complainant_required" and "Điều 8" in refused.message


def test_a_denunciation_without_a_clear_name_and_address_is_not_handled_as_one():
    def handled(person):
        return issues.handled_as(submission(kind="denunciation", submitter=person))

    assert handled(c.Submitter(full_name="Nông Văn Bảy", address="Thôn Lân Luông")) == (
        "denunciation"
    )
    assert handled(None) == "feedback"
    assert handled(c.Submitter(full_name="Nông Văn Bảy")) == "feedback"
    assert handled(c.Submitter(full_name="Nông Văn Bảy", address=" ")) == "feedback"


def test_phone_numbers_are_accepted_as_people_write_them():
    for phone in ("0912 345 678", "0912.345.678", "+84912345678", "02053812345"):
        person = c.Submitter(full_name="A", phone=phone)
        assert issues.submission_errors(submission(submitter=person), REF) == [], phone


def test_an_anonymous_denunciation_is_kept_as_feedback_and_its_content_never_travels():
    issue = issues.receive(
        submission(kind="denunciation", content="Cán bộ địa chính nhận tiền"),
        REF,
        "TT-2026-00001",
        NOW,
    )
    assert issue.handled_as == "feedback" and issue.anonymous
    assert issues.summary(issue) is None
    named = issues.receive(
        submission(kind="denunciation", submitter=c.Submitter(full_name="B", address="Lân Luông")),
        REF,
        "TT-2026-00002",
        NOW,
    )
    assert named.handled_as == "denunciation" and issues.summary(named) is None


def test_nothing_of_the_content_leaves_intake_until_an_officer_approves_a_summary():
    issue = issues.receive(
        submission(kind="feedback", content="Ông Nông Văn Ba ở xóm Bản Chắt, gọi 0912 345 678"),
        REF,
        "TT-2026-00003",
        NOW,
    )
    assert issues.summary(issue) is None
    approve = c.ApproveSummary(
        tracking_code="TT-2026-00003",
        public_summary="Phản ánh về  đường xóm; liên hệ 0912.345.678 hoặc 84912345678",
        officer="Chánh Văn phòng",
    )
    issues.approve_summary(issue, approve, NOW)
    text = issues.summary(issue)
    assert text.startswith("Phản ánh về đường xóm") and "Nông Văn Ba" not in text
    assert "345" not in text and text.count("[phone]") == 2


@pytest.mark.parametrize("kind", ["denunciation"])
def test_a_denunciation_gets_no_public_text_even_when_anonymous(kind):
    for person in (None, {"full_name": "Người Tố Cáo", "address": "Thôn Lân Luông"}):
        issue = issues.receive(submission(kind=kind, submitter=person), REF, "TT-2026-00009", NOW)
        approve = c.ApproveSummary(
            tracking_code="TT-2026-00009", public_summary="Tố cáo cán bộ", officer="VP"
        )
        with pytest.raises(Rejected) as refused:
            issues.approve_summary(issue, approve, NOW)
        assert refused.value.errors[0].code == "confidential"
        issue.answer = "Đã kiểm tra"  # an answer recorded: still nothing of it goes public
        answer = c.ApproveSummary(
            tracking_code="TT-2026-00009", public_answer="Đã kiểm tra", officer="VP"
        )
        with pytest.raises(Rejected) as refused:
            issues.approve_summary(issue, answer, NOW)
        assert refused.value.errors[0].code == "confidential" and issue.public_texts == {}


def test_an_officers_words_are_public_only_as_approved_and_only_for_what_exists():
    from services.intake.domain import lifecycle

    issue = issues.receive(submission(), REF, "TT-2026-00004", NOW)
    early = c.ApproveSummary(tracking_code="TT-2026-00004", public_answer="Sẽ sửa", officer="VP")
    with pytest.raises(Rejected) as refused:
        issues.approve_summary(issue, early, NOW)
    assert [e.code for e in refused.value.errors] == ["nothing_yet"]
    assert "chưa có ý kiến trả lời" in refused.value.errors[0].message
    with pytest.raises(Rejected) as refused:
        issues.approve_summary(issue, c.ApproveSummary(tracking_code="x", officer="VP"), NOW)
    assert [e.code for e in refused.value.errors] == ["nothing_to_approve"]
    typed = "Ông Lê Văn Sẻ (CCCD 0010 9001 2345) ở xóm Gò Đậu sẽ được hỗ trợ"
    record = c.RecordAnswer(
        tracking_code=issue.tracking_code, agency_code=issue.agency_code, answer=typed
    )
    lifecycle.propose_answer(issue, record, NOW)
    assert issue.public_texts == {} and issue.events[-1].__class__.__name__ == "AnswerProposed"
    issues.approve_summary(
        issue,
        c.ApproveSummary(
            tracking_code=issue.tracking_code,
            public_answer="UBND xã sẽ hỗ trợ hộ gia đình  theo quy định",
            officer="VP",
        ),
        NOW,
    )
    assert issue.public_texts == {"answer": "UBND xã sẽ hỗ trợ hộ gia đình theo quy định"}
    lifecycle.propose_answer(issue, record, NOW)  # a new answer voids the wording approved before
    assert issue.public_texts == {}


def test_the_agency_comes_from_the_routing_table_and_a_hint_wins_over_the_text():
    issue = issues.receive(
        submission(content="đền bù", topic_hint="social_policy"), REF, "T-1", NOW
    )
    assert (issue.topic, issue.topic_suggested, issue.agency_code) == (
        "social_policy",
        False,
        "VHXH",
    )
    with pytest.raises(Rejected) as refused:
        issues.receive(submission(topic_hint="weather"), REF, "T-2", NOW)
    assert refused.value.errors[0].code == "unknown_topic"


def test_an_officer_reclassifies_and_the_history_says_who_and_when():
    issue = issues.receive(submission(content="đền bù chậm"), REF, "TT-2026-00004", NOW)
    later = vn(2026, 8, 12, 14, 0)
    cmd = c.ReclassifyIssue(
        tracking_code=issue.tracking_code,
        topic="social_policy",
        officer="Chánh Văn phòng",
        reason="Là chế độ hỗ trợ",
    )
    changed = issues.reclassify(issue, cmd, REF, later)
    assert changed == {"topic": ("compensation", "social_policy"), "agency_code": ("KT", "VHXH")}
    assert [(h.action, h.by, h.at) for h in issue.history[-2:]] == [
        ("classified", "Chánh Văn phòng", later),
        ("assigned", "Chánh Văn phòng", later),
    ]
    with pytest.raises(Rejected) as refused:
        issues.reclassify(
            issue, c.ReclassifyIssue(tracking_code="x", officer="A", agency_code="NASA"), REF, later
        )
    assert refused.value.errors[0].code == "unknown_agency"
    with pytest.raises(Rejected):
        issues.reclassify(issue, c.ReclassifyIssue(tracking_code="x", officer="A"), REF, later)


def test_a_submission_cannot_be_received_in_the_future():
    from datetime import timedelta

    from shared.contracts.common import Rejected

    now = vn(2026, 8, 10)
    ahead = submission(received_at=now + timedelta(minutes=5))
    with pytest.raises(Rejected) as refused:
        issues.receive(ahead, REF, "TT-2026-00001", now)
    assert refused.value.errors[0].code == "in_the_future"
    assert issues.receive(submission(received_at=now), REF, "TT-2026-00001", now).received_at == now
