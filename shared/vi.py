"""Vietnamese wording of the schema errors a person reads in an outcome or the dead-letter list."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

_SCHEMA_ERRORS = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép",
    "string_type": "phải là chuỗi ký tự",
    "string_too_short": "quá ngắn (tối thiểu {min_length} ký tự)",
    "string_too_long": "quá dài (tối đa {max_length} ký tự)",
    "string_pattern_mismatch": "không đúng định dạng (mẫu {pattern})",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "greater_than": "phải lớn hơn {gt}",
    "literal_error": "giá trị không hợp lệ, cần một trong: {expected}",
    "enum": "giá trị không hợp lệ, cần một trong: {expected}",
    "date_from_datetime_parsing": "ngày không hợp lệ (cần YYYY-MM-DD)",
    "date_parsing": "ngày không hợp lệ (cần YYYY-MM-DD)",
    "date_type": "ngày không hợp lệ (cần YYYY-MM-DD)",
    "datetime_parsing": "thời điểm không hợp lệ (cần ISO 8601, ví dụ 2026-09-25T08:00:00+07:00)",
    "datetime_from_date_parsing": "thời điểm không hợp lệ (cần ISO 8601)",
    "timezone_aware": "thời điểm phải có múi giờ (ví dụ +07:00)",
    "model_type": "phải là một đối tượng JSON",
    "dict_type": "phải là một đối tượng JSON",
    "list_type": "phải là một danh sách",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "value_error": "{error}",
}


def schema_error(code: str, english: str, ctx: dict[str, Any] | None) -> str:
    template = _SCHEMA_ERRORS.get(code)
    if template is None:
        return english
    try:
        return template.format(**(ctx or {}))
    except (KeyError, IndexError):
        return english


NOT_JSON = "không phải JSON hợp lệ"
NOT_CLOUDEVENT = (
    "không phải một CloudEvent (cần một đối tượng JSON có specversion, id, source, type)"
)
# CloudEvents 1.0 attributes that break the specification, named for the person who sent them.
CE_SPECVERSION_MISSING = 'thiếu specversion (CloudEvents 1.0 bắt buộc, giá trị "1.0")'
CE_SPECVERSION_WRONG = 'specversion {value!r} không được hỗ trợ: chỉ nhận "1.0"'
CE_TIME = (
    "time {value!r} không đúng RFC 3339 (cần ngày, giờ:phút:giây và múi giờ, "
    "ví dụ 2026-09-01T08:00:00+07:00)"
)
CE_CONTENT_TYPE = (
    "datacontenttype {value!r} không phải kiểu nội dung RFC 2046 (ví dụ application/json)"
)
CE_EMPTY = "{name} có mặt thì không được để trống"
CE_EXTENSION_NAME = (
    "tên thuộc tính mở rộng {name!r} chỉ được gồm chữ thường a-z và chữ số (CloudEvents 1.0)"
)
CE_EXTENSION_VALUE = "thuộc tính mở rộng {name!r}: giá trị phải là chuỗi, số nguyên hoặc true/false, không phải {kind}"
CE_DATA_TWICE = "chỉ được có một trong data và data_base64"
UNKNOWN_TYPE = "loại thông điệp không được hỗ trợ ở hàng đợi này: {type}"
OVERSIZED = "thông điệp quá lớn: {size} byte, tối đa {limit} byte (nội dung không được giữ lại)"
NOT_PERMITTED = "người gửi “{user}” không được phép gửi lệnh {type}"
FORGED = (
    "thông điệp {type} không do dịch vụ phát hành nó gửi: người gửi “{user}”, chỉ {owners} "
    "được gửi loại này — bị giữ lại như thông điệp giả"
)
WRONG_ROUTE = (
    "thông điệp {type} đến qua sàn {exchange} với khoá {routing_key}: loại này chỉ được gửi qua "
    "sàn {expected} với khoá đúng bằng loại của nó"
)
DEFAULT_EXCHANGE = "mặc định (gửi thẳng vào hàng đợi)"
NO_USER_ID = (
    "lệnh {type} không ghi người gửi: đặt thuộc tính AMQP user_id bằng tên đăng nhập RabbitMQ"
)
NOT_A_REPLY_QUEUE = (
    "reply_to “{queue}” không phải hàng đợi trả lời (amq.gen-… hoặc amq.rabbitmq.reply-to)"
)
HANDLER_FAILED = "xử lý thất bại sau {attempts} lần thử: {error}"

# Citizen ids (shared/citizen.py)
CITIZEN_ID_DIGITS = "Số CCCD phải gồm đúng 12 chữ số (0–9)"
EMAIL_FORMAT = "Địa chỉ thư điện tử không hợp lệ"
PHONE_FORMAT = (
    "Số điện thoại không hợp lệ: cần số di động hoặc cố định của Việt Nam "
    "(bắt đầu bằng 0, 84 hoặc +84, chỉ gồm chữ số 0–9)"
)
CITIZEN_ID_PROVINCE = (
    "Ba chữ số đầu của số định danh cá nhân ({code}) không phải mã tỉnh nơi đăng ký khai sinh "
    "nào (Luật Căn cước 2023; Nghị định 70/2024/NĐ-CP)"
)
CITIZEN_ID_CENTURY = (
    "Chữ số thứ 4 của số định danh cá nhân ({digit}) không khớp giới tính và thế kỷ sinh "
    "(sinh năm {year}, {gender}: cần {expected}; Nghị định 70/2024/NĐ-CP)"
)
CITIZEN_ID_YEAR = "Chữ số thứ 5-6 của số CCCD ({digits}) không khớp năm sinh {year}"
GENDER_VI = {"male": "nam", "female": "nữ"}

UNKNOWN_VILLAGE = "Không có thôn “{code}” trong xã {commune}"


# How people read a state, the same in every service, the CLI and the dashboard.
SESSION_STATUS = {
    "planned": "dự kiến",
    "scheduled": "đã xếp lịch",
    "held": "đang/đã diễn ra",
    "concluded": "đã kết thúc",
    "cancelled": "đã huỷ",
    "confirmed": "đã xác nhận",
    "waiting": "trong danh sách chờ",
}

ISSUE_KIND = {
    "recommendation": "kiến nghị",
    "feedback": "phản ánh",
    "complaint": "khiếu nại",
    "denunciation": "tố cáo",
}

ISSUE_STATUS = {
    "received": "đã tiếp nhận",
    "classified": "đã phân loại",
    "assigned": "đã giao cơ quan",
    "answer_proposed": "đã có trả lời dự kiến",
    "on_agenda": "đã đưa vào chương trình hội nghị",
    "concluded": "đã có kết luận",
    "in_followup": "đang theo dõi thực hiện",
    "resolved": "đã giải quyết xong",
    "referred": "đã chuyển cơ quan có thẩm quyền",
    "refused": "đã từ chối",
    "settled_in_village": "đã giải quyết tại thôn",
    "merged": "đã gộp vào ý kiến trùng",
    "withdrawn": "đã đình chỉ do rút đơn",
}

MESSAGE_STATUS = {
    "queued": "chờ gửi",
    "held": "tạm giữ",
    "sending": "đang gửi",
    "retrying": "chờ thử lại",
    "sent": "đã gửi",
    "delivered": "đã đến nơi",
    "failed": "thất bại",
    "suppressed": "không gửi (từ chối nhận)",
}

# Who organises a conference, and how (Law 72/2025, Art. 43).
ORGANISER_BODY = {
    "peoples_committee": "Ủy ban nhân dân xã",
    "peoples_council_standing_committee": "Thường trực Hội đồng nhân dân xã",
    "fatherland_front": "Ủy ban Mặt trận Tổ quốc Việt Nam xã",
    "party_committee": "Đảng ủy xã",
}
ORGANISER_ROLE = {
    "chairs": "chủ trì",
    "co_chairs": "đồng chủ trì",
    "co_organises": "phối hợp tổ chức",
    "invited": "được mời tham dự",
}


def organiser(entry: Mapping[str, Any]) -> str:
    """`Ủy ban nhân dân xã chủ trì (Ông …)`: an organiser, its role and who stands for it."""
    body = ORGANISER_BODY.get(entry["body"], entry["body"])
    role = ORGANISER_ROLE.get(entry["role"], entry["role"])
    who = f" ({entry['representative']})" if entry.get("representative") else ""
    return f"{body} {role}{who}"


def issue_date_line(place: str, day: date) -> str:
    """A document's place and date (Decree 30/2020/NĐ-CP, Appendix I): a leading zero only for
    days 1–9 and months 1–2 — "ngày 05 tháng 02 năm 2026", "ngày 10 tháng 8 năm 2026"."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"
