"""Sentences the reporting service says to a person, in Vietnamese (the dashboard's door)."""

LOGIN_REQUIRED = "Cần đăng nhập bằng tài khoản cán bộ được cấp để xem bảng điều khiển."
LOCKED = (
    "Đăng nhập sai quá nhiều lần: tạm khoá, thử lại sau {seconds} giây. Nếu không phải bạn, "
    "báo quản trị viên."
)
BUSY = "Máy chủ đang kiểm tra nhiều lượt đăng nhập: thử lại sau giây lát."
NO_USERS = (
    "Bảng điều khiển chưa có tài khoản nào: quản trị viên đặt DASHBOARD_USERS "
    "(tạo bằng `nghedan dashboard-user`) hoặc DASHBOARD_AUTH=proxy."
)
NOT_FROM_PROXY = "Chỉ nhận truy cập qua máy chủ đăng nhập của xã."
NO_ROLE = "Tài khoản chưa được giao vai trò xem bảng điều khiển (viewer hoặc api)."
API_ONLY = "Tài khoản này chỉ được đọc dữ liệu JSON dưới /api/."
BAD_USER_ENTRY = (
    "DASHBOARD_USERS: mục “{entry}” phải có dạng tên:vai-trò:scrypt.… "
    "(vai trò viewer hoặc api; tạo bằng `nghedan dashboard-user`)"
)
UNKNOWN_SESSION = "Không có phiên {session}."
NO_NOTICE = (
    "Phiên {session} chưa có ngày tổ chức (hoặc đã hoãn): chưa có thông báo tổ chức hội nghị."
)
NO_ANNOUNCEMENT = "Phiên {session} chưa có thông báo kết quả."
DOCUMENT_FORMS = "Dạng tệp: json, docx hoặc pdf (thông báo tổ chức còn có txt, bài đọc trên loa)."
# The command issue-results refused, and why.
NO_SUCH_SESSION = "chưa có phiên {session}{behind}"
NOT_CONCLUDED = "phiên {session} chưa kết thúc (trạng thái: {status}){behind}"
NOT_READY = (
    "báo cáo mới nhận {attended}/{reported} lượt điểm danh của phiên này; "
    "thử lại khi đã nhận đủ{behind}"
)
ISSUED_AFTER_TODAY = "ngày ban hành {day} sau hôm nay ({today})"
ISSUED_BEFORE_CONFERENCE = "ngày ban hành {day} trước ngày hội nghị ({held_on})"
BACKDATED = (
    "ngày ban hành {day} trước hôm nay ({today}) nhưng hạn ({deadline}) đã qua: thông báo ban "
    "hành muộn ghi đúng ngày ban hành, không ghi lùi để trông như đúng hạn hoặc muộn ít hơn; ghi "
    "ngày hôm nay hoặc để trống"
)
# The command issue-conference-notice refused, and why.
NOTICE_NOT_SCHEDULED = "phiên {session} chưa có ngày tổ chức (hoặc đã hoãn){behind}"
NOTICE_ON_CONFERENCE_DAY = (
    "ngày ban hành {day} không trước ngày hội nghị ({starts}): thông báo phải đến trước hội nghị"
)
DRAFT_NUMBER = "Số:      /TB-UBND (dự thảo, chưa ban hành)"
