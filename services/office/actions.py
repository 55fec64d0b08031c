"""The steps an officer takes on an issue, each a small form and the intake command it sends:
what it asks, when it applies to the issue as it stands, and who may take it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from services.office import messages as msg
from services.office.accounts import Account, Task
from services.office.forms import Form
from shared.clock import LOCAL_TZ
from shared.reference import ReferenceData
from shared.text import fold

Kind = Literal["text", "textarea", "date", "time", "select", "checkbox", "number", "tel", "email"]
Options = Callable[[ReferenceData], list[tuple[str, str]]]
CASES = ("complaint", "denunciation")


def _topics(ref: ReferenceData) -> list[tuple[str, str]]:
    return [(t.code, t.name) for t in ref.topics]


def _agencies(ref: ReferenceData) -> list[tuple[str, str]]:
    return [(a.code, a.name) for a in ref.agencies]


def _fixed(pairs: dict[str, str]) -> Options:
    return lambda _ref: list(pairs.items())


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: Kind = "text"
    required: bool = False
    options: Options | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Action:
    slug: str
    title: str
    key: str
    task: Task
    inputs: tuple[Input, ...]
    applies: Callable[[dict[str, Any]], bool] = lambda issue: issue["status"] not in msg.CLOSED
    # the command's field that names the officer (who decided, as the office records it)
    officer: str | None = "officer"
    also: Task | None = None  # another role's task that may take it (an agency, its own issues)
    stamped: tuple[str, ...] = ()  # fields the command takes as the moment it is sent
    subject: str = "tracking_code"  # the command's field naming what it acts on
    # what the form says that the command puts otherwise (a day and an hour as one moment)
    prepare: Callable[[dict[str, Any]], None] | None = None
    aliases: tuple[tuple[str, str], ...] = ()  # a command field's refusal shown at this input
    # a step `also`'s role takes for its own agency on a thing of no agency (a conference): the
    # command's `agency_code` is the person's, whatever the form says
    own_agency: bool = False

    def shown(self) -> dict[str, str]:
        """Each command field a refusal may name, and the input it is shown beside."""
        return {i.name: i.name for i in self.inputs} | dict(self.aliases)

    def allowed(self, account: Account, issue: dict[str, Any]) -> bool:
        if account.may(self.task):
            return True
        if self.also is None:
            return False
        if self.own_agency:
            return account.may(self.also)
        village = issue.get("village_code")
        agencies = {issue.get("agency_code"), (issue.get("conclusion") or {}).get("agency")}
        return any(account.may(self.also, agency=a, village=village) for a in agencies if a)

    def data(self, form: Form, code: str, account: Account, now: datetime) -> dict[str, Any]:
        """The command the form says: empty optional fields left out, a box ticked a true."""
        data: dict[str, Any] = {self.subject: code} if self.subject else {}
        data |= {name: now.isoformat() for name in self.stamped}
        for field in self.inputs:
            value = form.value(field.name).strip()
            if field.kind == "checkbox":
                data[field.name] = value == "1"
            elif field.kind == "number" and value.lstrip("-").isdigit():
                data[field.name] = int(value)
            elif value or field.required:
                data[field.name] = value
        if self.officer:
            data[self.officer] = account.full_name
        if self.own_agency and account.role == "agency":
            data["agency_code"] = account.agency
        if self.prepare:
            self.prepare(data)
        return data


def _open_case(issue: dict[str, Any]) -> bool:
    return issue["handled_as"] in CASES and issue.get("clocks") is not None


ACTIONS: tuple[Action, ...] = (
    Action(
        "phan-loai",
        "Phân loại, chuyển cơ quan",
        "intake.reclassify-issue.v1",
        "queue",
        (
            Input("topic", "Lĩnh vực", "select", options=_topics),
            Input("agency_code", "Cơ quan giải quyết", "select", options=_agencies),
            Input("reason", "Lý do", "textarea"),
        ),
    ),
    Action(
        "sua-loai",
        "Sửa cách xử lý (loại đơn)",
        "intake.correct-kind.v1",
        "queue",
        (
            Input("handled_as", "Xử lý như", "select", True, _fixed(msg.KINDS)),
            Input("identified_on", "Ngày người gửi cho biết họ tên, địa chỉ (nếu có)", "date"),
            Input("reason", "Lý do", "textarea", True),
        ),
    ),
    Action(
        "thu-ly",
        "Thụ lý",
        "intake.accept-case.v1",
        "queue",
        (
            Input("accepted_on", "Ngày thụ lý", "date", True),
            Input("complex", "Vụ việc phức tạp (thời hạn dài hơn)", "checkbox"),
        ),
        applies=lambda i: _open_case(i) and not (i.get("legal") or {}).get("accepted_on"),
    ),
    Action(
        "gia-han",
        "Gia hạn",
        "intake.extend-case.v1",
        "queue",
        (
            Input("clock", "Thời hạn", "select", True, _fixed(msg.CLOCKS)),
            Input("days", "Số ngày thêm (giải quyết, tối đa 30)", "number"),
            Input("especially_complex", "Đặc biệt phức tạp (được gia hạn hai lần)", "checkbox"),
            Input("decision", "Số, ngày quyết định gia hạn", required=True),
            Input("decided_on", "Ngày quyết định", "date"),
        ),
        applies=_open_case,
    ),
    Action(
        "tra-loi",
        "Ghi câu trả lời đề xuất",
        "intake.record-answer.v1",
        "queue",
        (
            Input("agency_code", "Cơ quan trả lời", "select", True, _agencies),
            Input("answer", "Câu trả lời", "textarea", True),
        ),
        officer=None,
        also="agency",
    ),
    Action(
        "ket-luan",
        "Ghi kết luận của chủ trì hội nghị",
        "intake.record-conclusion.v1",
        "queue",
        (
            Input("session_id", "Mã hội nghị", required=True, hint="Ví dụ TT-2026-DK1"),
            Input("conclusion", "Kết luận", "textarea", True),
            Input("responsible_agency", "Cơ quan thực hiện", "select", True, _agencies),
            Input("deadline", "Hạn thực hiện", "date", True),
        ),
        officer=None,
    ),
    Action(
        "theo-doi",
        "Cập nhật việc thực hiện kết luận",
        "intake.update-followup.v1",
        "queue",
        (
            Input("status", "Tình trạng", "select", True, _fixed(msg.FOLLOWUP)),
            Input("note", "Ghi chú", "textarea", True),
        ),
        applies=lambda i: i.get("conclusion") is not None and i["status"] not in msg.CLOSED,
        officer=None,
        also="agency",
        stamped=("reported_at",),
    ),
    Action(
        "giai-quyet",
        "Ghi quyết định giải quyết / kết luận tố cáo",
        "intake.record-settlement.v1",
        "queue",
        (
            Input("decided_on", "Ngày quyết định", "date", True),
            Input("decision", "Số quyết định", required=True, hint="Ví dụ 25/QĐ-UBND"),
        ),
        applies=_open_case,
    ),
    Action(
        "rut",
        "Người gửi rút đơn",
        "intake.withdraw-case.v1",
        "queue",
        (Input("withdrawn_on", "Ngày rút đơn", "date", True),),
        applies=_open_case,
    ),
    Action(
        "dinh-chi",
        "Đình chỉ giải quyết",
        "intake.suspend-case.v1",
        "queue",
        (
            Input("decided_on", "Ngày quyết định", "date", True),
            Input("decision", "Số quyết định", required=True),
        ),
        applies=_open_case,
    ),
    Action(
        "dong",
        "Chuyển nơi khác, trả lại, hoặc đã giải quyết tại thôn",
        "intake.close-issue.v1",
        "queue",
        (
            Input("outcome", "Kết quả", "select", True, _fixed(msg.CLOSE_OUTCOMES)),
            Input("reason", "Lý do", "textarea", True),
            Input("authority", "Chuyển đến (nếu chuyển)"),
            Input(
                "refusal_ground",
                "Khoản của Điều 11 Luật Khiếu nại (khi không thụ lý khiếu nại)",
                "number",
            ),
        ),
    ),
    Action(
        "thon",
        "Đã giải quyết tại thôn",
        "intake.close-issue.v1",
        "village",
        (
            Input(
                "reason",
                "Đã giải quyết thế nào",
                "textarea",
                True,
                hint="Kế hoạch, mục III.3: kiến nghị, phản ánh Trưởng thôn giải quyết được tại thôn.",
            ),
        ),
        applies=lambda i: (
            i["status"] not in msg.CLOSED and i["handled_as"] in ("recommendation", "feedback")
        ),
        prepare=lambda data: data.update(outcome="settled_in_village"),
    ),
    Action(
        "tom-tat",
        "Duyệt lời công khai",
        "intake.approve-summary.v1",
        "queue",
        (
            Input(
                "public_summary",
                "Tóm tắt công khai",
                "textarea",
                hint="Chỉ những lời đã duyệt mới được đưa vào báo cáo, thông báo và gửi tỉnh; "
                "không ghi tên, địa chỉ, số điện thoại của ai.",
            ),
            Input("public_answer", "Lời trả lời công khai", "textarea"),
            Input("public_conclusion", "Lời kết luận công khai", "textarea"),
            Input("public_reason", "Lý do đóng công khai", "textarea"),
            Input("public_authority", "Nơi chuyển đến, lời công khai"),
        ),
        applies=lambda _issue: True,
    ),
)
BY_SLUG = {a.slug: a for a in ACTIONS}


# --- a conference ---------------------------------------------------------------------------------


def _moment(day: str, hour: str) -> str:
    """A day and an hour typed (Vietnam time) as the command's moment; as typed when unreadable
    (the service then names what is wrong)."""
    try:
        return datetime.fromisoformat(f"{day}T{hour}").replace(tzinfo=LOCAL_TZ).isoformat()
    except ValueError:
        return f"{day} {hour}".strip()


def _schedule(data: dict[str, Any]) -> None:
    day, start, end = (
        data.pop("starts_on", ""),
        data.pop("starts_time", ""),
        data.pop("ends_time", ""),
    )
    data["starts_at"] = _moment(day, start)
    if end:
        data["ends_at"] = _moment(day, end)


def _status(*states: str) -> Callable[[dict[str, Any]], bool]:
    return lambda conference: conference["status"] in states


CONFERENCE_ACTIONS: tuple[Action, ...] = (
    Action(
        "lich",
        "Xếp lịch: ngày, giờ, địa điểm",
        "registration.schedule-session.v1",
        "plan",
        (
            Input("starts_on", "Ngày họp", "date", True),
            Input("starts_time", "Giờ bắt đầu", "time", True),
            Input("ends_time", "Giờ kết thúc", "time"),
            Input("venue", "Địa điểm (để trống: như đã định)"),
            Input("agenda_summary", "Nội dung chính", "textarea"),
        ),
        applies=_status("planned", "scheduled"),
        officer=None,
        subject="session_id",
        prepare=_schedule,
        aliases=(("starts_at", "starts_on"), ("ends_at", "ends_time")),
    ),
    Action(
        "bao-cao",
        "Báo cáo của Chủ tịch UBND xã",
        "registration.attach-briefing.v1",
        "plan",
        (
            Input("title", "Tiêu đề", required=True),
            Input("summary", "Tóm tắt tình hình kinh tế – xã hội", "textarea", True),
            Input("presented_by", "Người trình bày, chức vụ", required=True),
        ),
        applies=_status("planned", "scheduled", "held"),
        officer=None,
        subject="session_id",
    ),
    Action(
        "co-quan",
        "Nội dung cơ quan dự kiến trao đổi",
        "registration.attach-agency-points.v1",
        "plan",
        (
            Input("agency_code", "Cơ quan", "select", True, _agencies),
            Input(
                "points",
                "Nội dung dự kiến trao đổi với Nhân dân",
                "textarea",
                True,
                hint=msg.POINTS_HINT,
            ),
            Input("presented_by", "Người của cơ quan dự và trả lời, chức vụ", required=True),
        ),
        applies=_status("planned", "scheduled"),
        officer=None,
        subject="session_id",
        also="agency",
        own_agency=True,
    ),
    Action(
        "thong-bao",
        "Ban hành thông báo tổ chức hội nghị",
        "reporting.issue-conference-notice.v1",
        "plan",
        (
            Input("document_number", "Số thông báo", required=True, hint="Ví dụ 15/TB-UBND"),
            Input("issued_on", "Ngày ban hành (để trống: hôm nay)", "date"),
            Input("signer_name", "Người ký"),
        ),
        applies=_status("scheduled"),
        officer="requested_by",
        subject="session_id",
    ),
    Action(
        "ket-thuc",
        "Kết thúc hội nghị",
        "registration.conclude-session.v1",
        "plan",
        (
            Input("summary", "Tóm tắt kết quả", "textarea"),
            Input("chaired_by", "Người chủ trì, chức vụ"),
            Input("concluded_by", "Người kết luận, chức vụ"),
        ),
        applies=_status("scheduled", "held"),
        officer=None,
        subject="session_id",
    ),
    Action(
        "ket-qua",
        "Ban hành thông báo kết quả hội nghị",
        "reporting.issue-results.v1",
        "results",
        (
            Input("document_number", "Số thông báo", hint="Ví dụ 123/TB-UBND"),
            Input("issued_on", "Ngày ban hành (để trống: hôm nay)", "date"),
            Input("signer_name", "Người ký"),
            Input("signer_title", "Chức vụ người ký", hint="Để trống: CHỦ TỊCH"),
        ),
        applies=_status("concluded"),
        officer="requested_by",
        subject="session_id",
    ),
    Action(
        "huy",
        "Hủy hội nghị",
        "registration.cancel-session.v1",
        "plan",
        (Input("reason", "Lý do", "textarea", True),),
        applies=_status("planned", "scheduled"),
        officer=None,
        subject="session_id",
    ),
)

CREATE = Action(
    "tao",
    "Lập kế hoạch hội nghị",
    "registration.create-session.v1",
    "plan",
    (
        Input("kind", "Loại", "select", True, _fixed(msg.SESSION_KINDS)),
        Input("year", "Năm", "number", True),
        Input("period", "Kỳ", required=True, hint="2026, 2026-Q4, 2026-H2 hoặc 2026-10"),
        Input("title", "Tên hội nghị (để trống: tự đặt)"),
        Input("venue", "Địa điểm", required=True),
        Input("capacity_min", "Số đại biểu tối thiểu", "number", True),
        Input("capacity_max", "Số đại biểu tối đa", "number", True),
        Input("representatives_per_village", "Đại diện nhân dân mỗi thôn", "number"),
        Input("reason", "Lý do (hội nghị đột xuất)", "textarea"),
        *(
            Input(f"org_{body}", label, hint=msg.ORGANISER_HINT if i == 0 else None)
            for i, (body, label) in enumerate(msg.ORGANISERS.items())
        ),
        Input(
            "sittings",
            "Tổ chức theo cụm thôn (mỗi dòng một buổi)",
            "textarea",
            hint=msg.SITTINGS_HINT,
        ),
    ),
    applies=lambda _thing: True,
    officer=None,
    subject="",
    aliases=(("organisers", "org_peoples_committee"), ("sittings", "sittings")),
)
# Law 72/2025, Art. 43, as registration applies it when a plan names no organiser.
ORGANISER_ROLES = {
    "peoples_committee": "chairs",
    "peoples_council_standing_committee": "co_chairs",
    "fatherland_front": "co_organises",
    "party_committee": "invited",
}


def plan_extras(data: dict[str, Any], ref: ReferenceData) -> list[str]:
    """The plan form's organisers and sittings, as `create-session` takes them: the four bodies
    in the law's roles once any representative is named; each line `CODE: village, village;
    venue`, a village by its name or code. What cannot be read, in words (nothing is sent)."""
    named = {body: data.pop(f"org_{body}", "").strip() for body in ORGANISER_ROLES}
    if any(named.values()):
        data["organisers"] = [
            {"body": body, "role": role} | ({"representative": named[body]} if named[body] else {})
            for body, role in ORGANISER_ROLES.items()
        ]
    lines = [line.strip() for line in data.pop("sittings", "").splitlines() if line.strip()]
    by_name = {fold(v.name): v.code for v in ref.villages} | {
        fold(v.code): v.code for v in ref.villages
    }
    sittings, problems = [], []
    for n, line in enumerate(lines, 1):
        code, colon, rest = line.partition(":")
        villages_text, _, venue = rest.partition(";")
        names = [v.strip() for v in villages_text.split(",") if v.strip()]
        unknown = [v for v in names if fold(v) not in by_name]
        if not colon or not code.strip() or not names:
            problems.append(msg.SITTING_LINE.format(n=n, line=line))
            continue
        if unknown:
            problems.append(msg.SITTING_VILLAGES.format(n=n, villages=", ".join(unknown)))
            continue
        sitting = {"code": code.strip(), "villages": [by_name[fold(v)] for v in names]}
        sittings.append(sitting | ({"venue": venue.strip()} if venue.strip() else {}))
    if sittings:
        data["sittings"] = sittings
    return problems


def _categories(ref: ReferenceData) -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in ref.delegate_categories]


def _villages(ref: ReferenceData) -> list[tuple[str, str]]:
    return [(v.code, v.name) for v in ref.villages]


REGISTER = Action(
    "dang-ky",
    "Đăng ký một đại biểu",
    "registration.register-delegate.v1",
    "delegates",
    (
        Input("full_name", "Họ và tên", required=True),
        Input("citizen_id", "Số CCCD", required=True, hint="12 chữ số"),
        Input("date_of_birth", "Ngày sinh", "date", True),
        Input("gender", "Giới tính", "select", True, _fixed({"male": "Nam", "female": "Nữ"})),
        Input("village_code", "Thôn", "select", True, _villages),
        Input("category", "Thành phần", "select", True, _categories),
        Input("position", "Chức vụ (cán bộ, công chức)"),
        Input("phone", "Số điện thoại", hint="Để gửi giấy mời"),
        Input("email", "Thư điện tử"),
    ),
    applies=lambda c: c["status"] in ("planned", "scheduled"),
    officer=None,
    subject="session_id",
    also="agency",  # an agency officer: their own staff, as officials
)
