"""The agenda: complex and much-raised matters first, grouped by topic and agency."""

from datetime import timedelta

from services.intake.domain import agenda, issues, lifecycle
from shared.contracts import intake as c
from shared.reference import load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA
from tests.when import vn

REF = load_reference_data(SHIPPED_REFERENCE_DATA)
NOW = vn(2026, 9, 10)


def issue(
    code: str,
    content: str,
    *,
    kind: str = "recommendation",
    days_old: int = 5,
    raised_by: int = 1,
    **extra,
) -> issues.Issue:
    cmd = c.SubmitIssue(
        kind=kind,
        channel="letter",
        content=content,
        village_code="LL",
        received_at=NOW - timedelta(days=days_old),
        **extra,
    )
    made = issues.receive(cmd, REF, code, NOW - timedelta(days=days_old))
    made.raised_by = raised_by
    return made


def test_complex_then_many_voices_then_older_first_and_grouped_by_topic_and_agency():
    road = issue("A", "Sửa đường thôn xuống cấp", raised_by=1, days_old=10)
    compensation = issue("B", "Chậm chi trả tiền đền bù", raised_by=5)
    old_road = issue("C", "Làm đường giao thông liên thôn", days_old=120)
    complaint = issue(
        "D",
        "Khiếu nại quyết định thu hồi đất",
        kind="complaint",
        submitter=c.Submitter(full_name="X", address="LL"),
    )
    card = issue("E", "Cấp thẻ BHYT cho hộ cận nghèo", raised_by=2)
    drafted = agenda.draft("TT-2026-DK1", 1, [road, compensation, old_road, complaint, card], NOW)
    assert [it.tracking_code for it in drafted.items] == ["C", "D", "B", "E", "A"]
    assert [(g.topic, g.tracking_codes) for g in drafted.groups] == [
        ("socio_economic", ["C", "A"]),
        ("land_acquisition", ["D"]),
        ("compensation", ["B"]),
        ("social_policy", ["E"]),
    ]
    complaint_item = drafted.items[1]
    assert complaint_item.complex and complaint_item.summary is None


def test_earlier_conclusions_are_reported_on_after_the_new_matters():
    concluded = issue("F", "Chậm chi trả tiền đền bù", raised_by=9)
    lifecycle.conclude(
        concluded,
        c.RecordConclusion(
            tracking_code="F",
            session_id="TT-2026-DK0",
            conclusion="x",
            responsible_agency="KT",
            deadline=NOW.date() + timedelta(days=30),
        ),
        {"status": "concluded"},
        {"KT"},
        NOW,
    )
    fresh = issue("G", "Sửa đường thôn xuống cấp")
    drafted = agenda.draft("TT-2026-DK1", 1, [concluded, fresh], NOW)
    assert [(it.tracking_code, it.followup) for it in drafted.items] == [("G", False), ("F", True)]
    assert agenda.put_on_agenda(fresh, "TT-2026-DK1", NOW) and fresh.status == "on_agenda"
    assert not agenda.put_on_agenda(concluded, "TT-2026-DK1", NOW)


def test_an_agenda_longer_than_a_message_carries_the_weightiest_and_counts_them_all():
    # The longest public summaries, in Vietnamese (three bytes a letter): the worst case.
    many = [issue(f"R{n:04d}", "Đề nghị sửa đường thôn", days_old=5 + n % 60) for n in range(600)]
    for made in many:
        made.public_summary = "ệ" * issues.SUMMARY_LENGTH
    old = issue("OLD", "Làm đường giao thông liên thôn", days_old=400)
    limit = 248 * 1024
    drafted = agenda.draft("TT-2026-DK1", 1, [*many, old], NOW, limit)
    assert drafted.items_total == 601
    assert 0 < len(drafted.items) < 601
    assert len(drafted.model_dump_json().encode()) <= limit
    assert drafted.items[0].tracking_code == "OLD"  # long-running first, never cut
    kept = [it.tracking_code for it in drafted.items]
    assert [code for g in drafted.groups for code in g.tracking_codes] == kept
    whole = agenda.draft("TT-2026-DK1", 1, [*many, old], NOW)
    assert [it.tracking_code for it in whole.items][: len(kept)] == kept
    assert len(whole.items) == whole.items_total == 601
