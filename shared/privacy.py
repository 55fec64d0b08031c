"""Personal data governed (Personal Data Protection Law 91/2025/QH15): the record of processing
activities, the notice given where the data is collected, the time a data subject's request is
answered in, and the job that erases what is kept past its time.

Assumed where the texts leave it open (the README's legal table says so): a request is answered
within 72 hours of its receipt (the shortest limit of the earlier Decree 13/2023, Arts. 14-16);
the retention periods are settings with the defaults below.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from shared.clock import local_date
from shared.contracts.common import Rejected, error
from shared.contracts.notification import Recipient
from shared.contracts.privacy import DataRequest
from shared.contracts.templates import DataRequestAnswer
from shared.messaging.outbox import UnitOfWork
from shared.text import fmt_time

Document = dict[str, Any]  # a record as its service's store gives it
ANSWER_WITHIN = timedelta(hours=72)
LAW = "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15"


@dataclass(frozen=True)
class Activity:
    """One processing activity: what, why, on what legal basis, who receives it, how long."""

    service: str
    data: str
    purpose: str
    basis: str
    recipients: str
    kept: str


ACTIVITIES: tuple[Activity, ...] = (
    Activity(
        "intake",
        "họ tên, số định danh cá nhân, số điện thoại, thư điện tử, địa chỉ của người gửi ý kiến, "
        "kiến nghị, phản ánh, khiếu nại, tố cáo; nội dung đơn",
        "tiếp nhận, phân loại, chuyển cơ quan có trách nhiệm trả lời, giải quyết và thông báo "
        "kết quả cho người gửi",
        "thực hiện nhiệm vụ theo Luật 72/2025/QH15 (Điều 43), Luật Khiếu nại 2011, Luật Tố "
        "cáo 2018 (xử lý không cần sự đồng ý: thực hiện nhiệm vụ của cơ quan nhà nước)",
        "cán bộ UBND xã được giao xử lý; cơ quan có thẩm quyền khi đơn được chuyển; danh tính "
        "người tố cáo không được tiết lộ",
        "đến khi vụ việc kết thúc và thêm INTAKE_RETENTION_DAYS ngày (mặc định 5 năm) kể từ ngày "
        "nhận; hồ sơ khiếu nại, tố cáo theo quy định về lưu trữ",
    ),
    Activity(
        "intake",
        "họ tên, số định danh cá nhân, ngày sinh, giới tính, thôn của cử tri ký đề nghị đối thoại "
        "đột xuất",
        "đếm đủ 10% cử tri để tổ chức đối thoại đột xuất, mỗi cử tri một lần",
        "Luật Tổ chức chính quyền địa phương 2025 (Luật 72/2025/QH15), Điều 43",
        "không chuyển cho ai; chỉ số chữ ký được công bố",
        "như trên (INTAKE_RETENTION_DAYS kể từ ngày ký)",
    ),
    Activity(
        "registration",
        "họ tên, số định danh cá nhân, ngày sinh, giới tính, thôn, chức vụ, số điện thoại, thư "
        "điện tử của đại biểu",
        "mời, xác nhận, điểm danh đại biểu dự hội nghị đối thoại và báo kết quả",
        "Luật 72/2025/QH15, Điều 43; kế hoạch tổ chức đối thoại của UBND xã",
        "Văn phòng HĐND và UBND xã; không công bố danh sách có thông tin cá nhân",
        "REGISTRATION_RETENTION_DAYS ngày (mặc định 1 năm) sau khi hội nghị kết thúc hoặc bị huỷ",
    ),
    Activity(
        "notification",
        "tên, số điện thoại, thư điện tử người nhận và nội dung tin gửi",
        "gửi thư mời, giấy biên nhận, thông báo theo luật, nhắc hạn",
        "thực hiện nhiệm vụ (các thông báo pháp luật bắt buộc); tin không bắt buộc có thể từ chối",
        "nhà mạng, nhà cung cấp thư điện tử, Zalo (chỉ để chuyển tin)",
        "NOTIFICATION_RETENTION_DAYS ngày (mặc định 180 ngày) sau khi gửi",
    ),
)

# Said where the data is collected: on a receipt, an invitation, the Open311 door's answer.
NOTICE = (
    "Thông tin cá nhân được UBND xã xử lý để giải quyết và trả lời theo quy định của pháp luật, "
    "chỉ người có trách nhiệm được biết, lưu giữ có thời hạn; có quyền xem, sửa, xoá (khi luật "
    f"cho phép) hoặc phản đối tại Bộ phận tiếp công dân xã ({LAW})."
)


def due(received_at: datetime) -> datetime:
    """When a data subject's request must be answered."""
    return received_at + ANSWER_WITHIN


REQUEST_KIND_VI = {
    "access": "xem, nhận bản sao dữ liệu cá nhân",
    "correction": "chỉnh sửa dữ liệu cá nhân",
    "erasure": "xoá dữ liệu cá nhân",
    "objection": "phản đối xử lý dữ liệu cá nhân (không nhận tin không bắt buộc)",
}
PERSON_FIELDS_VI = {
    "full_name": "họ tên",
    "citizen_id": "số định danh cá nhân",
    "date_of_birth": "ngày sinh",
    "phone": "điện thoại",
    "email": "thư điện tử",
    "address": "địa chỉ",
    "position": "chức vụ",
}
NOTHING_FOUND = "Không có dữ liệu cá nhân nào của người yêu cầu trong {held_by}."
REQUEST_KNOWN = "Yêu cầu {request} đã được ghi nhận và trả lời trước đó"
RECEIVED_LATER = "Thời điểm nhận yêu cầu {at} sau thời điểm hiện tại ({now})"


def held(person: dict[str, str]) -> str:
    """What is held of a person, field by field, in Vietnamese (for their own copy)."""
    return "; ".join(f"{PERSON_FIELDS_VI.get(k, k)}: {v}" for k, v in person.items())


NOTHING_HELD = "không còn lưu thông tin cá nhân"
ALREADY_ERASED = "dữ liệu cá nhân đã được xoá trước đó"
DONE_VI = {
    "correction": "đã chỉnh sửa",
    "erasure": "đã xoá",
    "objection": "không gửi tin không bắt buộc nữa",
}


class Holder(Protocol):
    """How a service holds a person's records (a registration, an issue): what one is called in
    the answer, why it must be kept, and the changes a request makes to it."""

    @property
    def key(self) -> str:
        """What the code of one is called in the answer's refusals."""
        ...

    def described(self, record: Document) -> str: ...
    async def kept_because(self, record: Document) -> str | None: ...
    async def correct(self, code: str, corrections: dict[str, str]) -> None: ...
    async def erase(self, code: str, now: datetime) -> None: ...
    async def object_to(self, code: str, now: datetime) -> None: ...


async def carry_out(
    cmd: DataRequest, records: list[Document], holder: Holder, now: datetime, answer: Answer
) -> None:
    """The request, record by record (each with the person's fields unsealed, as `person`):
    a copy of what is held; a correction; an erasure unless the law keeps the record (then why);
    or an objection. A record erased before is said to be, and changed no more."""
    for record in records:
        code = record["_id"]
        if cmd.kind == "access":
            kept = held(record["person"]) or NOTHING_HELD
            answer.lines.append(f"- {holder.described(record)}: {kept}")
            answer.done.append(code)
            continue
        if record.get("erased_at"):
            answer.lines.append(f"- {code}: {ALREADY_ERASED}")
            continue
        if cmd.kind == "erasure" and (why := await holder.kept_because(record)):
            answer.refused.append({holder.key: code, "reason": why})
            answer.lines.append(f"- {code}: không xoá — {why}")
            continue
        if cmd.kind == "correction":
            await holder.correct(code, {str(k): v for k, v in (cmd.corrections or {}).items()})
        elif cmd.kind == "erasure":
            await holder.erase(code, now)
        else:
            await holder.object_to(code, now)
        answer.lines.append(f"- {code}: {DONE_VI[cmd.kind]}")
        answer.done.append(code)


@dataclass
class Answer:
    """What a service did with a data subject's request, item by item."""

    found: int = 0
    done: list[str] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


async def answered(
    uow: UnitOfWork,
    cmd: DataRequest,
    now: datetime,
    answer: Answer,
    held_by: str,
    record: Callable[[dict[str, Any]], Awaitable[bool]],
) -> dict[str, Any]:
    """Keep the request with its clock and how it was answered; send the person the copy or the
    result (point to point, never in the outcome); the outcome's counts."""
    if cmd.received_at > now:  # the day it came starts its clock: never a later one
        text = RECEIVED_LATER.format(at=fmt_time(cmd.received_at), now=fmt_time(now))
        raise Rejected([error("data.received_at", "in_the_future", text)])
    deadline = due(cmd.received_at)
    told = bool(cmd.subject.phone or cmd.subject.email)
    late = now > deadline
    kept = {
        "_id": cmd.request_id,
        "kind": cmd.kind,
        "received_at": cmd.received_at,
        "due": deadline,
        "answered_at": now,
        "late": late,
        "found": answer.found,
        "done": answer.done,
        "refused": answer.refused,
        "told": told,
        "officer": cmd.officer,
    }
    if not await record(kept):
        text = REQUEST_KNOWN.format(request=cmd.request_id)
        raise Rejected([error("data.request_id", "already_recorded", text)])
    if told:
        uow.notify(
            f"data-request:{cmd.request_id}",
            Recipient(name=cmd.subject.full_name, phone=cmd.subject.phone, email=cmd.subject.email),
            DataRequestAnswer(
                request_id=cmd.request_id,
                what=REQUEST_KIND_VI[cmd.kind],
                held_by=held_by,
                items="\n".join(answer.lines) or NOTHING_FOUND.format(held_by=held_by),
                law=LAW,
            ),
            required=True,
            send_by=local_date(deadline),
        )
    return {
        "request_id": cmd.request_id,
        "kind": cmd.kind,
        "found": answer.found,
        "done": len(answer.done),
        "refused": answer.refused,
        "due": deadline.isoformat(),
        "late": late,
        "told": told,
    }


ERASED = "[đã xoá]"  # what stands where an erased text was
BATCH = 200  # erased in one transaction, then the next


@dataclass
class Retention:
    """Erase what is kept past its time: `erase(uow, cutoff)` erases at most BATCH records older
    than `cutoff` that are not erased yet and returns how many; run until fewer come back.
    Idempotent (what is erased is not found again), counted, shown in /health."""

    what: str  # in Vietnamese: what is erased, and when
    days: int
    erase: Callable[[UnitOfWork, datetime], Awaitable[int]]
    # How many records are past `cutoff` and not erased yet: read first, outside a transaction
    # (nothing to do, no transaction; the count is shown in /health as `pending`).
    expired: Callable[[datetime], Awaitable[int]]
    erased: int = 0
    pending: int = 0
    runs: int = 0
    last_run: datetime | None = None
    last_erased: int = 0
    seconds: float = 0.0

    async def run(self, commit: Callable[..., Awaitable[int]], now: datetime) -> int:
        started, cutoff, total = time.monotonic(), now - timedelta(days=self.days), 0
        self.pending = await self.expired(cutoff)
        while self.pending:
            n = await commit(lambda uow: self.erase(uow, cutoff))
            total += n
            self.pending = max(self.pending - n, 0)
            if n < BATCH:
                self.pending = await self.expired(cutoff)
                break
        self.erased += total
        self.runs += 1
        self.last_run, self.last_erased = now, total
        self.seconds = time.monotonic() - started
        return total

    async def __call__(self, job: Any) -> None:
        """As a periodic job of its service (a `JobContext`)."""
        await self.run(job.commit, job.clock.now())

    def status(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "days": self.days,
            "runs": self.runs,
            "erased_since_start": self.erased,
            "pending": self.pending,
            "last_run": self.last_run.isoformat() if self.last_run else None,
            "last_erased": self.last_erased,
        }


def retention_of(what: str, days: int, store: Callable[..., Any]) -> Retention:
    """A service's retention job over its store (`store(uow)` in a transaction, `store()` to
    read), which knows what of it has expired: `count_expired(cutoff)`, `erase_expired(cutoff,
    limit)`."""

    async def erase(uow: UnitOfWork, cutoff: datetime) -> int:
        return int(await store(uow).erase_expired(cutoff, BATCH))

    async def expired(cutoff: datetime) -> int:
        return int(await store().count_expired(cutoff))

    return Retention(what, days, erase, expired)
