"""Every sentence the intake service says to a person, in Vietnamese."""

BLANK_CONTENT = "Nội dung không được để trống"
UNKNOWN_VILLAGE = "Không có thôn “{code}” trong xã {commune}"
UNKNOWN_TOPIC = "Lĩnh vực “{code}” không có trong danh mục"
UNKNOWN_AGENCY = "Cơ quan “{code}” không có trong danh sách"
COMPLAINANT_REQUIRED = (
    "Khiếu nại phải có người khiếu nại được xác định: họ tên và địa chỉ hoặc số CCCD "
    "(Luật Khiếu nại 2011)"
)
PHONE_FORMAT = "Số điện thoại không hợp lệ (cần 10–11 chữ số, bắt đầu bằng 0 hoặc +84)"
CITIZEN_ID_FORMAT = "Số CCCD phải gồm đúng 12 chữ số"
EMAIL_FORMAT = "Địa chỉ thư điện tử không hợp lệ"
UNKNOWN_ISSUE = "Không có vụ việc mã {code}"
NOTHING_TO_CHANGE = "Cần ít nhất lĩnh vực (topic) hoặc cơ quan (agency_code) mới"
SYSTEM = "hệ thống (tự động)"
