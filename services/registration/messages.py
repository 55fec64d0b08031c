"""Every sentence the registration service says to a person, in Vietnamese."""

from shared.legal_days import RESULTS_WITHIN_VI

TOO_YOUNG = "Chưa đủ 18 tuổi vào ngày hội nghị {day} ({age} tuổi)"
TOO_YOUNG_UNSCHEDULED = (
    "Chưa đủ 18 tuổi vào ngày {day} (đầu kỳ dự kiến {period}; hội nghị chưa có ngày cụ thể)"
)
BORN_IN_FUTURE = "Ngày sinh ở tương lai"
LACKS_CAPACITY = "Người bị Toà án tuyên bố mất hoặc hạn chế năng lực hành vi dân sự không được tham gia đối thoại"
ALREADY_REGISTERED = (
    "Người này đã đăng ký tham dự phiên {session}; mã đăng ký đã được gửi cho chính người đó"
)
ROLE_TAKEN = "Thôn {village} đã có {category} đăng ký; mỗi thôn một người"
UNKNOWN_SESSION = "Không có phiên đối thoại {session}"
ROW_OTHER_SESSION = "Dòng này thuộc phiên {row}, còn danh sách gửi cho phiên {batch}"
UNKNOWN_REGISTRATION = "Không có đăng ký mã {code}"
UNKNOWN_SITTING = "Phiên {session} không có buổi (cụm thôn) {sitting}"
WRONG_SITTING = "Thôn {village} thuộc buổi {expected}, không thuộc buổi {given}"
UNKNOWN_TOPIC = "Chủ đề {code} không có trong danh mục"
UNKNOWN_VILLAGE = "Thôn {village} không thuộc xã"
UNKNOWN_AGENCY = "Cơ quan “{code}” không có trong danh sách"
CANNOT_ATTACH_POINTS = (
    "Chỉ gửi nội dung dự kiến trao đổi trước khi hội nghị diễn ra (hội nghị đang: {status})"
)
HEAD_NO_CONTACT = "Cần số điện thoại hoặc thư điện tử để gửi thông báo tới Trưởng thôn"
SITTING_VILLAGE_UNKNOWN = "Buổi {sitting}: thôn {village} không thuộc xã"
SITTING_VILLAGE_TWICE = "Thôn {village} có trong nhiều buổi ({sittings})"
NOT_OPEN_FOR_REGISTRATION = "Phiên {session} đang ở trạng thái {status}, không nhận đăng ký"
CANNOT_SCHEDULE = "Phiên {session} đang ở trạng thái {status}, không thể xếp lịch"
NOTICE_TOO_SHORT = (
    "Ngày hội nghị {day} quá gần: thời gian, địa điểm, nội dung và cách thức tham dự phải được "
    "thông báo ít nhất 7 ngày trước (Điều 43 Luật Tổ chức chính quyền địa phương 2025); "
    "ngày sớm nhất có thể là {earliest}"
)
ENDS_BEFORE_START = "Giờ kết thúc phải sau giờ bắt đầu"
SITTING_NOT_PLANNED = "Buổi {sitting} không có trong kế hoạch của phiên"
SITTING_TIME_MISSING = "Chưa có giờ cho buổi {sitting}"
ONLINE_NEEDS_URL = "Hình thức trực tuyến cần đường dẫn tham dự (online_url)"
ALREADY_CANCELLED = "Đăng ký {code} đã được huỷ trước đó"
CANNOT_CANCEL_REGISTRATION = "Phiên {session} đang ở trạng thái {status}, không thể huỷ đăng ký"
NOT_CONFIRMED = "Đăng ký {code} đang {status}, chỉ đại biểu đã được xác nhận mới điểm danh"
ALREADY_CHECKED_IN = "Đại biểu {code} đã điểm danh lúc {at}"
CHECKED_IN_LATER = "Giờ điểm danh {at} sau thời điểm hiện tại ({now})"
CHECK_IN_DAY = "Chỉ điểm danh được trong ngày diễn ra hội nghị ({day}); hôm nay là {today}"
CANNOT_CHECK_IN = "Phiên {session} đang ở trạng thái {status}, không thể điểm danh"
CANNOT_CONCLUDE = "Phiên {session} đang ở trạng thái {status}; chỉ kết thúc được phiên đã diễn ra"
CANNOT_CANCEL_SESSION = "Phiên {session} đang ở trạng thái {status}, không thể huỷ"
ADHOC_REASON = "Đối thoại đột xuất theo yêu cầu của {signatures} cử tri trên tổng số {voters} (từ 10% trở lên), yêu cầu {request}"
OUTSIDE_PERIOD = "Ngày hội nghị {day} nằm ngoài kỳ {period} đã lập kế hoạch ({first} – {last})"
UNDER_AGE_AFTER_MOVE = (
    "Hội nghị dời sớm lên ngày {day}: các đại biểu sau chưa đủ 18 tuổi vào ngày đó, đã được đưa "
    "ra khỏi danh sách (và được báo): {codes}"
)
ONE_CHAIR = "Hội nghị cần đúng một cơ quan chủ trì (role chairs); đang có {count}"
CHAIR_IS_COMMITTEE = "Ủy ban nhân dân xã chủ trì hội nghị đối thoại (Luật số 72/2025/QH15, Điều 43)"
ORGANISER_TWICE = "{body} được nêu hai lần"
ORGANISER_EXPECTED = "Luật số 72/2025/QH15, Điều 43: {body} {role}; kế hoạch này chưa ghi như vậy"
CANNOT_ATTACH_BRIEFING = (
    "Phiên {session} đang ở trạng thái {status}, không thể đính kèm báo cáo của chủ trì"
)
ERASURE_TO_COME = (
    "hội nghị chưa kết thúc: cần thông tin để mời và điểm danh; huỷ đăng ký trước, hoặc xoá "
    "sau khi hội nghị kết thúc"
)
HELD_BY = "danh sách đại biểu dự hội nghị đối thoại của UBND xã"
RETENTION_WHAT = "thông tin cá nhân của đại biểu: xoá sau {days} ngày kể từ khi hội nghị kết thúc"
RESULTS_DUE_SOON = (
    "Hội nghị {session} họp ngày {held}: thông báo kết quả phải ban hành chậm nhất hết ngày "
    "{deadline} (còn {days} ngày)"
)
RESULTS_OVERDUE = (
    "Hội nghị {session} họp ngày {held}: thông báo kết quả đã quá hạn {days} ngày (hạn "
    "{deadline}) mà chưa ban hành"
)
RESULTS_DUE_DETAILS = (
    f"Theo Điều 43 Luật 72/2025/QH15, kết quả hội nghị đối thoại được thông báo trong "
    f"{RESULTS_WITHIN_VI}, trên phương tiện thông tin đại chúng, tại trụ sở và đến Trưởng thôn. Đề "
    "nghị Văn phòng hoàn thành biên bản, kết luận (intake.record-conclusion.v1), kết thúc hội "
    "nghị (registration.conclude-session.v1) và ban hành thông báo (reporting.issue-results.v1)."
)
NOT_APPROVED = "Nội dung chưa được duyệt để công bố"
CONCLUSION_NOT_APPROVED = "đã có kết luận; nội dung chưa được duyệt để công bố"
NO_MATTERS = "Hội nghị không có nội dung nào được ghi nhận."
NO_MEDIA = "Chưa gửi được kết quả hội nghị {session} đến cơ quan báo chí, truyền thanh"
NO_MEDIA_DETAILS = (
    "Danh mục của xã chưa có địa chỉ của đài truyền thanh, trang thông tin điện tử (media). "
    "Đề nghị Văn phòng gửi thông báo kết quả để đưa tin và bổ sung danh mục."
)
