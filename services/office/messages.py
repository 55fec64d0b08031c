"""What the office's pages say, in Vietnamese."""

LOGIN_WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
LOGIN_LOCKED = "Đăng nhập sai quá nhiều lần: thử lại sau {seconds} giây."
LOGIN_BUSY = "Máy chủ đang bận kiểm tra đăng nhập: thử lại sau ít giây."
LOGIN_AGAIN = "Phiên làm việc đã hết: đăng nhập lại, những gì đã nhập được giữ nguyên."
LOGGED_OUT = "Đã đăng xuất."
NO_CSRF = "Biểu mẫu thiếu mã bảo vệ hoặc mã đã cũ: mở lại trang rồi gửi lại."
NOT_YOURS = "Tài khoản {name} ({role}) không được làm việc này."
NOT_YOUR_VILLAGE = "Tài khoản {name} chỉ làm việc với thôn {village}."
PENDING = (
    "Chưa nhận được kết quả sau {seconds:.0f} giây. Lệnh có thể vẫn đang được xử lý: bấm gửi "
    "lại biểu mẫu này (cùng mã lệnh) để biết kết quả, việc sẽ không làm hai lần."
)
BUS_DOWN = "Không gửi được lệnh (hệ thống tin nhắn không trả lời): thử lại sau ít phút."
ACCEPTED = "Đã chấp nhận."
REJECTED = "Chưa chấp nhận: sửa các chỗ được ghi rồi gửi lại."
DUPLICATE_ACCEPTED = (
    "Biểu mẫu này đã được gửi trước đó và đã được chấp nhận: đây là kết quả lần đầu."
)
DUPLICATE_REJECTED = (
    "Biểu mẫu này đã được gửi trước đó và bị từ chối: sửa theo lý do đã ghi rồi gửi lại."
)

UNKNOWN_OUTCOME = "Không có kết quả nào với mã này."

ROLES = {
    "reception": "Bộ phận một cửa",
    "clerk": "Văn phòng HĐND–UBND",
    "chair": "Chủ tịch / Phó Chủ tịch",
    "agency": "Cán bộ cơ quan chuyên môn",
    "village_head": "Trưởng thôn",
    "viewer": "Người xem",
}
KINDS = {
    "recommendation": "Kiến nghị",
    "feedback": "Phản ánh",
    "complaint": "Khiếu nại",
    "denunciation": "Tố cáo",
}
CHANNELS = {
    "letter": "Đơn, thư giấy",
    "hotline": "Điện thoại",
    "in_person": "Trực tiếp tại Bộ phận một cửa",
    "village_head": "Qua Trưởng thôn",
    "conference": "Tại hội nghị đối thoại",
}
CLOCKS = {"acceptance": "Kiểm tra, thụ lý", "settlement": "Giải quyết"}
FOLLOWUP = {"in_progress": "Đang thực hiện", "resolved": "Đã giải quyết xong"}
CLOSE_OUTCOMES = {
    "referred": "Chuyển cơ quan có thẩm quyền",
    "refused": "Trả lại, không thụ lý",
    "settled_in_village": "Đã giải quyết tại thôn",
}
STATUSES = {
    "received": "Mới nhận",
    "classified": "Đã phân loại",
    "assigned": "Đã chuyển cơ quan",
    "answer_proposed": "Đã có trả lời đề xuất",
    "on_agenda": "Đưa ra hội nghị",
    "concluded": "Đã có kết luận",
    "in_followup": "Đang thực hiện kết luận",
    "resolved": "Đã giải quyết",
    "referred": "Đã chuyển nơi khác",
    "refused": "Trả lại",
    "settled_in_village": "Đã giải quyết tại thôn",
    "withdrawn": "Đã rút",
    "merged": "Gộp với ý kiến khác",
}
CLOSED = ("referred", "refused", "settled_in_village", "withdrawn", "merged")
DONE = "Đã chấp nhận: {what}."
NO_ISSUE = "Không có ý kiến {code}."
NOT_FOUND = "Không có {code}, hoặc tài khoản này không được xem."
READ_FAILED = "Chưa đọc được danh sách: {why}. Thử lại sau ít phút."
HISTORY = {
    "received": "Tiếp nhận",
    "classified": "Phân loại",
    "assigned": "Giao cơ quan",
    "merged": "Gộp vào ý kiến",
    "merged_in": "Gộp thêm ý kiến",
    "summary_approved": "Duyệt lời công khai",
    "answer_proposed": "Trả lời đề xuất",
    "on_agenda": "Đưa vào chương trình hội nghị",
    "concluded": "Kết luận",
    "in_progress": "Đang thực hiện kết luận",
    "resolved": "Đã giải quyết xong",
    "referred": "Chuyển nơi khác",
    "refused": "Trả lại",
    "settled_in_village": "Giải quyết tại thôn",
    "accepted": "Thụ lý",
    "extended": "Gia hạn",
    "settled": "Quyết định giải quyết",
    "withdrawn": "Rút đơn",
    "suspended": "Đình chỉ",
    "kind_corrected": "Sửa cách xử lý",
    "overdue": "Quá hạn",
    "followup": "Cập nhật thực hiện kết luận",
}
SESSION_KINDS = {"periodic": "Định kỳ", "adhoc": "Đột xuất"}
SESSION_STATUSES = {
    "planned": "Đã lập kế hoạch",
    "scheduled": "Đã xếp lịch",
    "held": "Đang / đã họp",
    "concluded": "Đã kết thúc",
    "cancelled": "Đã hủy",
}
CATEGORIES = {
    "official": "Cán bộ, công chức",
    "front_and_organisations": "Mặt trận và đoàn thể",
    "party_cell_secretary": "Bí thư chi bộ",
    "village_head": "Trưởng thôn",
    "front_work_committee": "Trưởng ban công tác Mặt trận",
    "peoples_representative": "Đại diện nhân dân",
}
PLACES = {"confirmed": "Chính thức", "waiting": "Danh sách chờ", "cancelled": "Đã hủy"}
NO_DOCUMENT = "Chưa có văn bản này (thông báo chưa ban hành, hoặc hội nghị chưa kết thúc)."
NO_FILE = "Chọn tệp danh sách (.xlsx hoặc .csv)."
FILE_TOO_BIG = "Tệp quá lớn (tối đa 2 MB): danh sách một thôn chỉ vài chục dòng."
CANCELLED = "Đã hủy đăng ký {code}."
PROMOTED = "Người được đưa từ danh sách chờ lên chính thức: {code}."
CHECKED_IN = "Đã điểm danh: {name}."
NO_PHOTO = "Chụp hoặc chọn ảnh mã QR trên giấy mời."
PHOTO_TOO_BIG = "Ảnh quá lớn (tối đa 12 MB)."
PHOTO_NOT_IMAGE = "Tệp này không phải ảnh (JPEG, PNG hoặc WebP)."
QR_UNREADABLE = (
    "Không đọc được mã QR trong ảnh. Chụp lại gần hơn, đủ sáng, giữ máy thẳng; hoặc gõ mã."
)
QR_SEVERAL = "Ảnh có nhiều mã QR khác nhau ({codes}): chụp riêng từng giấy mời."
QR_TITLE = "Mã QR của đại biểu {code}"
ROW_RESULTS = ("đã nhận", "đã nhận trước đó", "bị từ chối", "chưa có kết quả")
REGISTERED = "Đã đăng ký, mã {code}: {place}."
NOT_YOUR_VILLAGE_ROW = "Trưởng thôn chỉ đăng ký người của thôn mình ({village})."
AGENCY_OFFICIALS_ONLY = (
    "Cán bộ cơ quan chỉ đăng ký cán bộ của cơ quan mình, thành phần “Cán bộ, công chức”."
)
UNKNOWN_ENTRY = "Không có thôn hoặc cơ quan này trong xã."
CONTACT_ACTION = "Cập nhật danh bạ"
CONTACT_SAVED = "Đã lưu (phiên bản {version}): thông báo từ nay gửi theo liên hệ này."
CONTACT_SOURCES = {"office": "Văn phòng cập nhật", "file": "Tệp hồ sơ của xã"}
ORGANISERS = {  # Law 72/2025, Art. 43: who organises, in the role the law gives each
    "peoples_committee": "Chủ trì: đại diện UBND xã (họ tên, chức vụ)",
    "peoples_council_standing_committee": "Đồng chủ trì: đại diện Thường trực HĐND xã",
    "fatherland_front": "Phối hợp tổ chức: đại diện Ủy ban MTTQ Việt Nam xã",
    "party_committee": "Mời dự: đại diện Đảng ủy xã",
}
ORGANISER_ROLES_VI = {
    "chairs": "Chủ trì",
    "co_chairs": "Đồng chủ trì",
    "co_organises": "Phối hợp tổ chức",
    "invited": "Mời dự",
}
ORGANISER_BODIES_VI = {
    "peoples_committee": "Ủy ban nhân dân xã",
    "peoples_council_standing_committee": "Thường trực Hội đồng nhân dân xã",
    "fatherland_front": "Ủy ban Mặt trận Tổ quốc Việt Nam xã",
    "party_committee": "Đảng ủy xã",
}
ORGANISER_HINT = "Để trống cả bốn ô: theo Luật (UBND chủ trì, Thường trực HĐND đồng chủ trì, MTTQ phối hợp, mời Đảng ủy)."
SITTINGS_HINT = (
    "Mỗi dòng: MÃ: thôn, thôn; địa điểm. Ví dụ: CUM1: Lân Luông, Thôn 02; Nhà văn hoá thôn"
    " Lân Luông. Để trống: một buổi chung cho cả xã."
)
SITTING_LINE = "Dòng {n} của cụm thôn không đọc được (“{line}”): cần MÃ: thôn, thôn; địa điểm."
SITTING_VILLAGES = "Dòng {n} của cụm thôn: không có thôn {villages} trong xã."
POINTS_HINT = (
    "Những việc thuộc lĩnh vực cơ quan phụ trách còn vướng mắc, bức xúc trong Nhân dân, để Văn"
    " phòng tổng hợp báo cáo Chủ tịch UBND xã (Kế hoạch, mục III.1). Gửi lại: thay nội dung cũ."
)
ACCOUNT_FIELDS = {
    "full_name": "họ tên",
    "role": "vai trò",
    "commune": "xã",
    "village": "thôn",
    "agency": "cơ quan",
}
CONTACT_NEEDED = "Cần số điện thoại hoặc thư điện tử để thông báo tới được."
