"""Notification's pure rules: SMS segments, templates, quiet hours, contacts, settings."""

from datetime import time

import pytest
from pydantic import ValidationError

from services.notification import sms
from services.notification.channels import email_address
from services.notification.domain import in_quiet_hours, may_hold, quiet_until
from services.notification.render import REQUIRED, Renderer, TemplateError
from services.notification.settings import NotificationSettings
from shared.citizen import mobile_number
from shared.reference import load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA
from tests.when import vn

LONG = (
    "UBND xã Thiện Tân trân trọng kính mời ông/bà Nguyễn Văn An dự Hội nghị đối thoại với "
    "Nhân dân lúc 08:00 ngày 25/09/2026 tại Hội trường Nhà văn hoá xã. Mã đại biểu: "
    "TT-2026-DK1-042."
)


def test_vietnamese_with_diacritics_is_ucs2_and_split_between_words():
    plan = sms.plan(LONG)
    assert plan.encoding == "UCS-2"
    assert plan.segments == len(plan.parts) == 3
    assert all(sms.length(p, "UCS-2") <= 67 for p in plan.parts)
    assert " ".join(plan.parts) == plan.text
    assert any(p.endswith("TT-2026-DK1-042.") for p in plan.parts)  # the code is never cut


def test_seventy_characters_fit_one_segment_and_seventy_one_need_two():
    exactly = "ă" * 70
    assert sms.plan(exactly).segments == 1
    words = ("ăă " * 24).strip()  # 71 characters
    assert len(words) == 71 and sms.plan(words).segments == 2


def test_the_no_diacritics_form_is_gsm7_with_its_larger_segments():
    plan = sms.plan(LONG, diacritics=False)
    assert plan.encoding == "GSM-7" and plan.segments == 2  # 174 characters > 160
    assert plan.text.startswith("UBND xa Thien Tan tran trong kinh moi ong/ba Nguyen Van An")
    assert "Đ" not in plan.text and "đ" not in plan.text
    assert all(len(p) <= 153 for p in plan.parts)
    assert sms.without_diacritics("Đặng Thị Hường") == "Dang Thi Huong"


def test_a_gsm_extension_character_counts_twice():
    assert sms.length("giá 10€", "GSM-7") == 8


PARAMS = {
    "date": "25/09/2026",
    "time": "08:00",
    "venue": "Hội trường Nhà văn hoá xã",
    "registration_code": "TT-2026-DK1-042",
    "change": "scheduled",
    "tracking_code": "TT-2026-00042",
    "received_on": "10/08/2026",
    "conclusion": "Hoàn thành chi trả trước ngày 31/10/2026",
    "deadline": "31/10/2026",
    "responsible_agency": "KT",
    "state": "due_soon",
    "days": "3",
    "held_on": "25/09/2026",
    "village": "LL",
    "matters": "12",
    "conclusions": "9",
    "handled_as": "khiếu nại",
    "clock": "giải quyết",
    "due": "20/08/2026",
    "agency": "VP",
    "alarm": "delegation_incomplete",
    "accepted_on": "12/08/2026",
    "notice": "refused",
    "reason": "Quyết định bị khiếu nại đã được Tòa án thụ lý",
    "ground": "khoản 9 Điều 11 Luật Khiếu nại 2011",
    "basis": "Điều 27 Luật Khiếu nại 2011",
    "what": "thông báo không thụ lý, nêu rõ lý do",
    "to": "người gửi đơn",
    "send_by": "24/08/2026",
    "request_id": "YC-2026-007",
    "held_by": "danh sách đại biểu",
    "items": "- TT-2026-DK1-001-7 (hội nghị TT-2026-DK1): họ tên: Hoàng Thị Mai",
    "law": "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15",
    "settlement_due": "11/09/2026",
    "session_id": "TT-2026-DK1",
    "count": "2",
    "details": "- Thôn 02: Trưởng thôn",
}


@pytest.fixture(scope="module")
def renderer():
    return Renderer(load_reference_data(SHIPPED_REFERENCE_DATA))


@pytest.mark.parametrize("template", sorted(REQUIRED))
def test_every_template_renders_in_vietnamese_with_no_hole(renderer, template):
    text = renderer.render(template, PARAMS, "Hoàng Thị Mai")
    for part in (text.subject, text.short, text.body):
        assert part and "{{" not in part and "None" not in part
    assert "Thiện Tân" in text.short
    assert text.body.rstrip().endswith("ỦY BAN NHÂN DÂN XÃ THIỆN TÂN")
    assert sms.plan(text.short).segments <= 6


@pytest.mark.parametrize(
    "notice", ["refused", "transferred", "extended", "decision", "conclusion", "suspended"]
)
def test_each_case_notice_says_what_it_is_and_cites_its_article(renderer, notice):
    params = PARAMS | {"notice": notice, "decision": "25/QĐ-UBND", "decided_on": "15/09/2026"}
    text = renderer.render("case_notice", params, "Hoàng Thị Mai")
    titles = {
        "refused": "không thụ lý",
        "transferred": "chuyển đơn",
        "extended": "gia hạn",
        "decision": "Quyết định giải quyết khiếu nại",
        "conclusion": "kết luận nội dung tố cáo",
        "suspended": "đình chỉ",
    }
    assert titles[notice] in text.subject
    assert "Căn cứ pháp lý: Điều 27 Luật Khiếu nại 2011." in text.body
    assert "{{" not in text.body and "None" not in text.short
    assert sms.plan(text.short).segments <= 6


def test_a_missing_parameter_is_named(renderer):
    with pytest.raises(TemplateError, match="thiếu tham số: venue, registration_code"):
        renderer.render("delegate_invitation", {"date": "25/09/2026", "time": "08:00"}, None)


def test_agency_codes_and_village_codes_are_shown_by_name(renderer):
    assert "Phòng Kinh tế xã" in renderer.render("issue_conclusion", PARAMS, None).body
    assert "Trưởng thôn Lân Luông" in renderer.render("results_announcement", PARAMS, None).body


WINDOW = (time(21, 0), time(7, 0))


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [(20, 59, False), (21, 0, True), (23, 30, True), (3, 0, True), (6, 59, True), (7, 0, False)],
)
def test_quiet_hours_wrap_around_midnight_in_viet_nam_time(hour, minute, quiet):
    moment = vn(2026, 9, 15, hour, minute)
    assert in_quiet_hours(moment, WINDOW) is quiet


def test_held_messages_go_out_when_the_quiet_hours_end():
    evening = vn(2026, 9, 15, 22, 0)
    night = vn(2026, 9, 16, 2, 0)
    assert quiet_until(evening, WINDOW) == vn(2026, 9, 16, 7, 0)
    assert quiet_until(night, WINDOW) == vn(2026, 9, 16, 7, 0)
    assert in_quiet_hours(evening, None) is False


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0912 345 678", "84912345678"),
        ("+84912345678", "84912345678"),
        ("84912345678", "84912345678"),
        ("091.234.5678", "84912345678"),
        ("0212345678", None),  # a landline cannot take an SMS
        ("12345", None),
        (None, None),
    ],
)
def test_phone_numbers_are_normalised(given, expected):
    assert mobile_number(given) == expected


def test_emails_are_normalised():
    assert email_address(" An.Nguyen@Example.VN ") == "an.nguyen@example.vn"
    assert email_address("khong-phai-email") is None


def test_settings_read_lists_and_refuse_nonsense(monkeypatch):
    monkeypatch.setenv("NOTIFY_CHANNELS", "zalo,sms,email")
    monkeypatch.setenv("NOTIFY_RETRY_DELAYS", "10,60")
    monkeypatch.setenv("NOTIFY_RATE_LIMITS", "sms=30/60")
    settings = NotificationSettings()
    assert settings.channels == ["zalo", "sms", "email"]
    assert [d.total_seconds() for d in settings.delays] == [10, 60]
    assert settings.rates == {"sms": (30, 60)}
    for name, value, word in [
        ("NOTIFY_CHANNELS", "sms,fax", "fax"),
        ("NOTIFY_RETRY_DELAYS", "1,2,3,4,5", "tối đa 4"),
        ("NOTIFY_RATE_LIMITS", "sms=nhanh", "sms=nhanh"),
        ("NOTIFY_QUIET_HOURS", "tối", "giờ yên tĩnh"),
    ]:
        monkeypatch.setenv(name, value)
        with pytest.raises(ValidationError, match=word):
            NotificationSettings()
        monkeypatch.delenv(name)


def test_the_file_channel_writes_files_only_its_user_reads_and_forgets_old_days(tmp_path):
    import os
    import stat
    from datetime import date

    from services.notification.channels import _write_atomically, remove_old_files

    _write_atomically(tmp_path / "2026-09-01" / "a.txt", "Gửi đến: Hoàng Thị Mai · 0912345678")
    _write_atomically(tmp_path / "2026-10-01" / "b.txt", "…")
    (tmp_path / "ghi-chu").mkdir()
    mode = stat.S_IMODE(os.stat(tmp_path / "2026-09-01" / "a.txt").st_mode)
    assert mode == 0o600 and stat.S_IMODE(os.stat(tmp_path / "2026-09-01").st_mode) == 0o700
    removed = remove_old_files(tmp_path, date(2026, 10, 5), keep_days=30)
    assert [p.name for p in removed] == ["2026-09-01"]
    assert (tmp_path / "2026-10-01" / "b.txt").exists() and (tmp_path / "ghi-chu").exists()


def test_quiet_hours_and_rate_limits_never_make_a_legal_notice_late():
    morning = vn(2026, 9, 18, 7, 0)  # the end of the night's quiet hours
    assert may_hold(False, None, morning)  # an ordinary message waits for the morning
    assert may_hold(True, "2026-09-18", morning)  # due that day: the morning is in time
    assert not may_hold(True, "2026-09-17", morning)  # due the evening before: it goes now
    after_midnight_here = vn(2026, 9, 18, 0, 30)
    assert not may_hold(True, "2026-09-17", after_midnight_here)
