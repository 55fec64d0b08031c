"""Reading a village head's list: headings with or without diacritics, CSV and XLSX, stable ids."""

from datetime import datetime

from openpyxl import Workbook

from shared import delegate_lists as importer
from shared.reference import load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA

REF = load_reference_data(SHIPPED_REFERENCE_DATA)


def test_headings_are_matched_without_diacritics_or_case(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text(
        "STT,Ho va ten,SO CCCD,Ngày sinh,Giới tính,Thôn,Thành phần,Ghi chú,Mã hộ\n"
        "1,Hà Thị Lan,020185012345,12/04/1985,Nữ,Lân Luông,Đại diện Nhân dân,,7\n",
        encoding="utf-8",
    )
    (row,) = importer.read_rows(path)
    assert row.number == 2 and row.unknown_columns == ["Mã hộ"]
    data = importer.to_command_data(row, "TT-2026-DK1", REF)
    assert data == {
        "session_id": "TT-2026-DK1",
        "full_name": "Hà Thị Lan",
        "citizen_id": "020185012345",
        "date_of_birth": "1985-04-12",
        "gender": "female",
        "village_code": "LL",
        "category": "peoples_representative",
    }


def test_xlsx_dates_and_unmappable_values_pass_through_to_be_judged(tmp_path):
    book = Workbook()
    book.active.append(["Họ và tên", "Số CCCD", "Ngày sinh", "Giới tính", "Thôn", "Thành phần"])
    book.active.append(
        ["Nông Văn Tài", "020078034567", datetime(1978, 11, 3), "Nam", "Thôn 99", "Thủ quỹ"]
    )
    book.active.append([None] * 6)
    book.save(tmp_path / "ds.xlsx")
    (row,) = importer.read_rows(tmp_path / "ds.xlsx")
    data = importer.to_command_data(row, "S", REF)
    assert data["date_of_birth"] == "1978-11-03" and data["village_code"] == "Thôn 99"
    assert data["category"] == "Thủ quỹ"


def test_the_same_row_for_the_same_session_always_gets_the_same_command_id():
    data = {"session_id": "S", "full_name": "A", "citizen_id": "1"}
    assert importer.command_id("S", data) == importer.command_id("S", dict(reversed(data.items())))
    assert importer.command_id("S", data) != importer.command_id("T", data)


def test_the_report_carries_no_personal_data():
    row = importer.Row(5, {"full_name": "Hà Thị Lan", "citizen_id": "020185012345"}, [])
    line = importer.report_line(
        row,
        {
            "status": "accepted",
            "result": {
                "registration_code": "TT-2026-DK1-009",
                "status": "waiting",
                "waiting_position": 2,
            },
        },
    )
    assert line == {
        "dòng": "5",
        "kết quả": "đã nhận",
        "mã đăng ký": "TT-2026-DK1-009",
        "vị trí": "danh sách chờ (thứ 2)",
        "lý do": "",
    }


def _commands(n: int) -> list[dict]:
    return [
        {"id": f"row-{i}", "data": {"session_id": "TT-2026-DK1", "full_name": f"Người {i}"}}
        for i in range(n)
    ]


def test_rows_go_in_lists_of_the_given_size_in_order_without_the_session_in_each_row():
    parts = importer.batches(_commands(120), 50)
    assert [len(p["rows"]) for p in parts] == [50, 50, 20]
    first = parts[0]["command"]
    assert first["type"] == "vn.nghedan.registration.register-delegates.v1"
    assert first["data"]["session_id"] == "TT-2026-DK1"
    assert [r["id"] for r in first["data"]["rows"]][:3] == ["row-0", "row-1", "row-2"]
    assert "session_id" not in first["data"]["rows"][0]["data"]
    assert len({p["command"]["id"] for p in parts}) == 3  # a list is a new command each time


def test_a_list_refused_or_unanswered_as_a_whole_answers_each_of_its_rows_so():
    part = importer.batches(_commands(3), 50)[0]
    refused = {"status": "rejected", "errors": [{"field": "user_id", "message": "không được"}]}
    assert [o["status"] for o in importer.row_outcomes(part, refused)] == ["rejected"] * 3
    assert importer.row_outcomes(part, refused)[2]["command_id"] == "row-2"
    taken = {"status": "accepted", "result": {"rows": [{"status": "accepted"}] * 3}}
    assert importer.row_outcomes(part, taken) == [{"status": "accepted"}] * 3
