"""Every sentence notification says to a person (operators reading a message's history, a
refusal), in Vietnamese. The messages themselves are the templates in templates/."""

# Why a message is not sent, or held (shown in its history and `nghedan notify list`)
NO_ADDRESS = "người nhận không có địa chỉ trên kênh nào đang bật"
MISSING_PARAMS = "mẫu {template} thiếu tham số: {params}"
OPTED_OUT = "người nhận đã từ chối nhận thông báo không bắt buộc"
CHANNEL_OFF = "kênh {channel} đã tắt"
NO_CHANNEL = (
    "chưa cấu hình kênh gửi nào (NOTIFY_CHANNELS=none): tin nhắn không được gửi; đặt email, sms "
    "hoặc zalo cùng nhà cung cấp"
)
FILE_ONLY = (
    "chỉ có kênh file: tin nhắn được ghi ra tệp trong NOTIFY_FILE_DIR, không gửi tới ai; "
    "chỉ dùng để thử"
)
SEND_ERROR = "lỗi khi gửi qua {channel}: {error}"
QUIET_HOURS = "giờ yên tĩnh: gửi khi hết giờ nghỉ"
RATE_LIMIT = "vượt giới hạn {count} tin/{seconds} giây của kênh {channel}"
HOLD_OVER = "hết thời gian tạm giữ"
RESENT_BY = "gửi lại theo yêu cầu của {who}"
RESENT_BY_DEFAULT = "cán bộ vận hành"
PROVIDER_FAILED = "nhà cung cấp báo không chuyển được"
# What the bus is told of a failed attempt; the provider's own words stay in notification.
PROVIDER_RETRY = "chưa gửi được, sẽ thử lại"
PROVIDER_REFUSED = "không gửi được"
TOO_LONG = "tin nhắn dài {segments} phần, vượt giới hạn {limit}"

# Refusals of a command
NOT_A_CONTACT = "không phải số điện thoại di động hay địa chỉ email hợp lệ"
UNKNOWN_MESSAGE = "không có tin nhắn {message_id}"
IN_PROGRESS = "tin nhắn đang được gửi, chưa gửi lại được"
LIMIT_NOT_A_NUMBER = "limit phải là một số"

# What the providers answered
MAIL_REFUSED = "máy chủ thư từ chối người nhận ({codes})"
MAIL_ANSWER = "máy chủ thư trả lời {code}: {text}"
MAIL_UNREACHABLE = "không gửi được thư: {error}"
SMS_UNREACHABLE = "cổng SMS không trả lời: {error}"
SMS_ANSWER = "cổng SMS trả lời {status}: {text}"
SMS_REFUSED = "cổng SMS từ chối ({status}): {text}"
ESMS_UNREACHABLE = "eSMS không trả lời: {error}"
ESMS_HTTP = "eSMS trả lời HTTP {status}: {text}"
ESMS_UNREADABLE = "eSMS trả lời không đọc được: {text}"
ESMS_REFUSED = "eSMS từ chối (CodeResult {code}): {text}"
NO_REASON = "không rõ lý do"
ZNS_NO_TEMPLATE = "chưa có mẫu ZNS được duyệt cho {template}"
ZALO_UNREACHABLE = "Zalo không trả lời: {error}"
ZALO_ANSWER = "Zalo trả lời {status}"
ZALO_UNREADABLE = "Zalo trả lời không đọc được ({status})"
ZALO_ERROR = "Zalo lỗi {code}: {text}"
ZNS_TRANSIENT = {
    -32: "vượt giới hạn tốc độ gọi",
    -133: "ngoài khung giờ Zalo cho phép gửi",
    -1: "lỗi không xác định của Zalo",
}

# The file channel's letter (the embedded default)
NO_ADDRESS_ON_FILE = "(không có địa chỉ)"
FILE_TO, FILE_SUBJECT, FILE_AT = "Gửi đến", "Tiêu đề", "Thời điểm"
FILE_TEMPLATE, FILE_KEY, FILE_ATTACHED = "Mẫu", "Mã tin", "Kèm theo"
FILE_SHORT = "--- Tin nhắn ngắn ({encoding}, {segments} phần) ---"
# A fallback message's reason: the message it replaces, and that one's channel.
INSTEAD_OF = "thay cho tin {message_id} qua {channel}"
ERASED_MESSAGE = (
    "Người nhận và nội dung của tin này đã được xoá khi hết thời hạn lưu trữ: không gửi lại được"
)
RETENTION_WHAT = "người nhận và nội dung tin đã gửi xong: xoá sau {days} ngày"
