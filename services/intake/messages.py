"""Every sentence the intake service says to a person, in Vietnamese."""

BLANK_CONTENT = "Nội dung không được để trống"
UNKNOWN_TOPIC = "Lĩnh vực “{code}” không có trong danh mục"
UNKNOWN_AGENCY = "Cơ quan “{code}” không có trong danh sách"
AGENCY_NO_CONTACT = "Cần thư điện tử hoặc số điện thoại của cơ quan để gửi nhắc việc, cảnh báo"
COMPLAINANT_REQUIRED = (
    "Khiếu nại phải ghi rõ họ tên và địa chỉ của người khiếu nại (Điều 8 Luật Khiếu nại 2011)"
)
UNKNOWN_ISSUE = "Không có vụ việc mã {code}"
NOTHING_TO_CHANGE = "Cần ít nhất lĩnh vực (topic) hoặc cơ quan (agency_code) mới"
SYSTEM = "hệ thống (tự động)"
WRONG_STATE = "Vụ việc {code} đang ở trạng thái “{status}”, không thể {action}"
NOT_RESPONSIBLE = (
    "Cơ quan {agency} không phải cơ quan được giao giải quyết vụ việc {code} ({assigned})"
)
UNKNOWN_SESSION = "Intake chưa biết phiên đối thoại {session}"
SESSION_NOT_HELD = (
    "Phiên {session} chưa diễn ra (trạng thái {status}): chỉ kết luận tại hội nghị đã họp"
)
DEADLINE_PAST = "Hạn thực hiện {deadline} đã qua"
NOT_A_CASE = "Chỉ khiếu nại và tố cáo mới được thụ lý; vụ việc {code} được xử lý như {handled_as}"
ALREADY_ACCEPTED = "Vụ việc {code} đã được thụ lý ngày {day}"
NOT_A_DENUNCIATION = (
    "Chỉ thời hạn giải quyết tố cáo được gia hạn; vụ việc {code} được xử lý như {handled_as}"
)
NOT_YET_ACCEPTED = "Tố cáo {code} chưa được thụ lý: chưa có thời hạn giải quyết để gia hạn"
ACCEPTANCE_CLOSED = "Tố cáo {code} đã được thụ lý ngày {day}: thời hạn kiểm tra, thụ lý đã qua"
ALREADY_EXTENDED = (
    "Thời hạn {clock} của tố cáo {code} đã được gia hạn {times} lần; luật cho phép {allowed} lần "
    "(Luật Tố cáo 2018, Điều 24, 30)"
)
ACCEPTED_IN_FUTURE = "Ngày thụ lý {day} sau hôm nay ({today})"
ACCEPTED_BEFORE_RECEIPT = "Ngày thụ lý {day} trước ngày nhận đơn ({earliest})"
NO_PUBLIC_TEXT_FOR_DENUNCIATION = (
    "Vụ việc {code} là tố cáo: không công bố nội dung, kể cả bản tóm tắt (Luật Tố cáo 2018, Điều 9)"
)
BLANK_PUBLIC_TEXT = "Nội dung công khai không được để trống"
NOTHING_TO_APPROVE = (
    "Không có nội dung nào để duyệt: cho ít nhất một trong public_summary, public_answer, "
    "public_conclusion, public_reason, public_authority"
)
PUBLIC_PART_VI = {
    "answer": "ý kiến trả lời",
    "conclusion": "kết luận",
    "reason": "lý do chuyển, từ chối hoặc kết thúc",
    "authority": "nơi chuyển đến",
}
NOTHING_YET = "Vụ việc {code} chưa có {what} để duyệt công khai"
SAME_PERSON_AGAIN = "ý kiến trùng của cùng một người: không tính thêm người nêu"
REASON_WITHHELD = "Đã có lý do; nội dung chưa được duyệt công khai"
ACTIONS_VI = {
    "answer": "ghi nhận trả lời dự kiến",
    "conclude": "ghi nhận kết luận",
    "followup": "cập nhật tiến độ thực hiện",
    "close": "chuyển hoặc từ chối",
    "accept": "thụ lý",
    "extend": "gia hạn",
    "settle": "ghi quyết định giải quyết",
    "reclassify": "phân loại lại",
    "withdraw": "ghi nhận rút đơn",
    "suspend": "ghi quyết định đình chỉ",
    "correct": "sửa cách xử lý đơn",
}
CLOSED_AFTER_ACCEPTANCE = (
    "Đơn {handled_as} {code} đã được thụ lý ngày {day}: chỉ kết thúc bằng quyết định giải quyết "
    "(intake.record-settlement.v1) hoặc quyết định đình chỉ khi người gửi rút đơn "
    "(intake.suspend-case.v1)"
)
REFUSAL_GROUND_REQUIRED = (
    "Không thụ lý khiếu nại {code} phải nêu căn cứ: refusal_ground là khoản (1–9) của Điều 11 "
    "Luật Khiếu nại 2011"
)
EXTENDED_TOO_LATE = (
    "Thời hạn {clock} của vụ việc {code} đã hết ngày {due}: quyết định gia hạn ngày {day} là sau "
    "khi hết hạn, không được ghi nhận"
)
ALREADY_WITHDRAWN = "Vụ việc {code} đã được ghi nhận rút đơn ngày {day}"
WITHDRAWN_IN_FUTURE = "Ngày rút đơn {day} sau hôm nay ({today})"
WITHDRAWN_BEFORE_RECEIPT = "Ngày rút đơn {day} trước ngày nhận đơn ({earliest})"
NOT_WITHDRAWN = (
    "Vụ việc {code} chưa được ghi nhận rút đơn (intake.withdraw-case.v1): chưa thể đình chỉ"
)
SUSPENDED_BEFORE_WITHDRAWAL = "Ngày quyết định đình chỉ {day} trước ngày rút đơn ({earliest})"
ALREADY_SUSPENDED = "Vụ việc {code} đã có quyết định đình chỉ {decision} ngày {day}"
TOO_YOUNG_TO_SIGN = "Chưa đủ 18 tuổi vào ngày ký ({age} tuổi): chỉ cử tri mới được ký yêu cầu"
ALREADY_SIGNED = "Cử tri này đã ký yêu cầu {request}; mỗi cử tri chỉ ký một lần"
RECEIVED_LATER = "Thời điểm nhận đơn {at} sau thời điểm hiện tại ({now})"
NOT_ACCEPTED_YET = "Vụ việc {code} chưa được thụ lý: chưa thể ghi quyết định giải quyết"
ALREADY_SETTLED = "Vụ việc {code} đã có quyết định giải quyết {decision} ngày {day}"
DECIDED_IN_FUTURE = "Ngày quyết định {day} sau hôm nay ({today})"
DECIDED_BEFORE_ACCEPTANCE = "Ngày quyết định {day} trước ngày thụ lý ({earliest})"
NOT_FOR_THE_VILLAGE = (
    "Vụ việc {code} là {handled_as}: khiếu nại, tố cáo được giải quyết theo trình tự của luật, "
    "không giải quyết tại thôn"
)
# The Open311 GeoReport v2 door.
OPEN311_API_KEY = "api_key không hợp lệ: hệ thống gửi cần khoá do văn phòng xã cấp"
OPEN311_NO_SERVICE = "Không có dịch vụ (chủ đề) mã {code}"
OPEN311_NO_REQUEST = "Không có yêu cầu mã {code}"
OPEN311_REQUIRED = "Thiếu {field}"
OPEN311_VILLAGE = (
    "Cần thôn nơi xảy ra việc: address_id (mã thôn) hoặc address_string (tên thôn) của xã "
    "{commune}; toạ độ lat/long chưa dùng được"
)
OPEN311_KIND = (
    "attribute[kind] chỉ nhận recommendation (kiến nghị) hoặc feedback (phản ánh); khiếu nại, tố "
    "cáo gửi trực tiếp đến Bộ phận tiếp công dân xã"
)
OPEN311_WINDOW = "start_date và end_date phải theo thứ tự và cách nhau không quá 90 ngày"
OPEN311_BAD_DATE = "{field} {value!r} không đúng dạng ngày giờ (ví dụ 2026-09-01T00:00:00Z)"
OPEN311_FORMAT = "Chỉ có dạng .json hoặc .xml, không có .{form}"
OPEN311_NOTICE = "UBND xã đã tiếp nhận; mã theo dõi {code}."
OPEN311_TOO_MANY_FROM_ADDRESS = (
    "Địa chỉ này đã gửi sai khoá quá nhiều lần: thử lại sau {seconds} giây"
)
OPEN311_TOO_MANY_FOR_KEY = "Hệ thống gửi đã dùng hết lượt gửi: thử lại sau {seconds} giây"
OPEN311_TOO_MANY_FOR_CONTACT = (
    "Số điện thoại hoặc thư điện tử này đã nhận đủ số tin xác nhận trong ngày: thử lại sau "
    "{seconds} giây, hoặc gửi không kèm liên hệ, hoặc đến UBND xã"
)
OPEN311_TOO_MANY_READS = "Quá nhiều lượt đọc từ địa chỉ này: thử lại sau {seconds} giây"
OPEN311_FORM_ONLY = "Chỉ nhận biểu mẫu application/x-www-form-urlencoded (không nhận tệp đính kèm), không nhận {kind}"
OPEN311_TOO_LARGE = "Biểu mẫu lớn hơn {limit} KiB: không đọc"
OPEN311_NOT_UTF8 = "Biểu mẫu không phải UTF-8"
OPEN311_NUMBER = "{name} phải là số từ 1 đến {most}"
OPEN311_STATUS = "status chỉ là open hoặc closed, không có {status}"
OPEN311_MERGED = "Ý kiến trùng với một nội dung đã được tiếp nhận và được gộp vào đó."
OPEN311_MERGED_SUMMARY = (
    "Ý kiến trùng với nội dung đang được giải quyết: «{summary}», và được gộp vào đó."
)
COMPETENT_FOR_DENUNCIATION = (
    "người có thẩm quyền giải quyết tố cáo (Điều 13–15 Luật Tố cáo 2018), không theo lĩnh vực"
)
DENUNCIATION_COMPETENCE = (
    "Tố cáo {code} do người có thẩm quyền giải quyết ({agency}), không giao cho cơ quan theo "
    "lĩnh vực, có thể là nơi công tác của người bị tố cáo (Điều 8, 13–15 Luật Tố cáo 2018); "
    "không thuộc thẩm quyền của xã thì chuyển đi (intake.close-issue.v1, outcome referred)"
)
CORRECT_MERGED = (
    "Ý kiến {code} đã gộp vào {into}: sửa cách xử lý trên {into}, hoặc tiếp nhận lại đơn riêng"
)
SAME_HANDLING = "Vụ việc {code} đang được xử lý như {handled_as}: không có gì để sửa"
CASE_STAYS_A_CASE = (
    "Vụ việc {code} đang được giải quyết như {handled_as} theo trình tự của luật: kết thúc bằng "
    "không thụ lý, chuyển đơn, quyết định giải quyết hoặc đình chỉ, không bằng việc sửa loại"
)
CASE_WITH_REPEATS = (
    "Vụ việc {code} có {count} ý kiến trùng đã gộp vào: khiếu nại, tố cáo là đơn của một người, "
    "không gộp; tiếp nhận đơn khiếu nại, tố cáo riêng"
)
IDENTITY_NEEDED = (
    "Xử lý như {handled_as} cần họ tên và địa chỉ của người gửi (Điều 8 Luật Khiếu nại 2011, "
    "Điều 23 Luật Tố cáo 2018): cho trong submitter"
)
PUBLISHED_CANNOT_BE_DENUNCIATION = (
    "Vụ việc {code} đã có nội dung được duyệt công khai: không chuyển thành tố cáo (nội dung tố "
    "cáo được giữ bí mật); tiếp nhận đơn tố cáo riêng"
)
IDENTIFIED_OUTSIDE = (
    "Ngày bổ sung họ tên, địa chỉ của vụ việc {code} phải từ ngày nhận đơn đến hôm nay"
)
SIGNED_LATER = "Thời điểm ký {at} sau thời điểm nhận chữ ký ({now})"
REPORTED_LATER = "Thời điểm báo cáo {at} sau thời điểm hiện tại ({now})"
REPORTED_BEFORE_CONCLUSION = "Thời điểm báo cáo {at} trước khi có kết luận ({concluded})"
ERASURE_CASE_FILE = (
    "hồ sơ khiếu nại, tố cáo được lưu theo quy định về giải quyết khiếu nại, tố cáo và lưu trữ "
    "(xử lý theo nghĩa vụ pháp luật)"
)
ERASURE_STILL_OPEN = (
    "ý kiến đang được giải quyết: xoá thì không thể trả lời; xoá được sau khi kết thúc"
)
HELD_BY = "hệ thống tiếp nhận ý kiến, kiến nghị, khiếu nại, tố cáo của UBND xã"
RETENTION_WHAT = (
    "thông tin cá nhân và nội dung của ý kiến đã kết thúc, chữ ký đề nghị đối thoại: xoá sau "
    "{days} ngày kể từ ngày nhận"
)
SIGNED = "chữ ký đề nghị đối thoại đột xuất {request}, ký ngày {day}"
SIGNATURE_KEPT = (
    "chữ ký là căn cứ tính đủ 10% cử tri (Điều 43 Luật 72/2025/QH15): giữ đến hết thời hạn lưu "
    "trữ rồi xoá"
)
