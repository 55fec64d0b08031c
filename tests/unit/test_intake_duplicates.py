"""How the detection of ý kiến trùng was tuned: pairs that must merge and pairs that must not."""

import pytest

from services.intake.domain.duplicates import Candidate, find_duplicate, same_matter

ROAD_COMPENSATION = (
    "Đề nghị xã sớm chi trả tiền đền bù giải phóng mặt bằng tuyến đường thôn Lân Luông"
)
ROAD_REPAIR = "Đường thôn bị xuống cấp nghiêm trọng, ổ gà nhiều, đề nghị sửa chữa"
HEALTH_CARD = "Hộ tôi thuộc diện cận nghèo nhưng chưa được cấp thẻ BHYT"

MUST_MERGE = [
    (
        ROAD_COMPENSATION,
        "de nghi chi tra tien den bu GPMB tuyen duong Lan Luong",
    ),  # no diacritics, abbreviated
    (
        ROAD_COMPENSATION,
        "Bao giờ chi trả tiền đền bù giải phóng mặt bằng đường Lân Luông?",
    ),  # a question
    (ROAD_REPAIR, "Đề nghị sửa chữa đường thôn xuống cấp, nhiều ổ gà"),  # other words, same matter
    (HEALTH_CARD, "Chưa được cấp thẻ bảo hiểm y tế cho hộ cận nghèo năm nay"),  # BHYT spelled out
]
MUST_NOT_MERGE = [
    (ROAD_COMPENSATION, "Đề nghị sửa chữa đường thôn xuống cấp"),  # same road, another matter
    (ROAD_REPAIR, "Đề nghị lắp đèn chiếu sáng đường thôn"),  # same place, another request
    (HEALTH_CARD, "Đề nghị xét hộ nghèo cho gia đình tôi"),  # same topic, another entitlement
    ("Chi trả tiền đền bù cho hộ ông A chậm", "Tiền hỗ trợ tái định cư cho hộ bà B chưa nhận"),
    ("Đề nghị quan tâm", "Đề nghị quan tâm"),  # nothing but formulae: too little to judge
]


@pytest.mark.parametrize(("first", "second"), MUST_MERGE)
def test_the_same_matter_in_other_words_merges(first, second):
    assert same_matter(first, second) and same_matter(second, first)


@pytest.mark.parametrize(("first", "second"), MUST_NOT_MERGE)
def test_another_matter_does_not_merge(first, second):
    assert not same_matter(first, second)


def test_the_closest_open_issue_is_the_one_joined():
    candidates = [
        Candidate("TT-2026-00001", ROAD_REPAIR),
        Candidate("TT-2026-00002", ROAD_COMPENSATION),
        Candidate("TT-2026-00003", "Chi trả tiền đền bù đường thôn"),
    ]
    found = find_duplicate(
        "Chi trả tiền đền bù giải phóng mặt bằng tuyến đường Lân Luông", candidates
    )
    assert found is not None and found.tracking_code == "TT-2026-00002"
    assert find_duplicate("Đề nghị lắp đèn chiếu sáng", candidates) is None
