"""Thông báo tổ chức hội nghị đối thoại: the public announcement of a conference — time, place,
content, how to attend, the online link — for the commune's board, the media and the village
loudspeakers (Law 72/2025, Art. 43: at least 7 days before). Built from reporting's read model of
the session; laid out as the results announcement is (DOCX, PDF), with a text to be read out on
the loudspeakers. It names officials only, never a citizen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from services.reporting import messages as rmsg
from shared import vi
from shared.clock import LOCAL_TZ
from shared.contracts.common import OutcomeError, error
from shared.reference import ReferenceData
from shared.text import fmt

RECIPIENTS: tuple[str, ...] = (
    "Thường trực Đảng ủy xã (b/c)",
    "Thường trực HĐND xã",
    "UB MTTQ và các tổ chức chính trị - xã hội xã",
    "CT, các PCT UBND xã",
    "Các phòng, ban chuyên môn trực thuộc UBND xã",
    "Đài truyền thanh xã, Trang thông tin điện tử xã (đưa tin)",
    "Các ông, bà Trưởng thôn (thông báo trên loa truyền thanh)",
    "Niêm yết tại trụ sở UBND xã",
    "Lưu: VT",
)


@dataclass
class Sitting:
    villages: list[str]
    starts_at: datetime
    venue: str


@dataclass
class ConferenceNotice:
    commune: str
    session_id: str
    title: str
    year: int
    format: str
    starts_at: datetime
    ends_at: datetime | None
    venue: str
    online_url: str | None
    announce_deadline: date
    issued_on: date
    capacity_min: int
    capacity_max: int
    organisers: list[dict[str, Any]]
    categories: list[str]
    topics: list[str]
    agenda_summary: str | None
    agenda_count: int
    briefing: dict[str, Any] | None
    sittings: list[Sitting] = field(default_factory=list)
    signer_title: str = "CHỦ TỊCH"
    signer_name: str | None = None
    number: str | None = None  # the issued notice's number; None: a draft, not issued yet
    issued_at: datetime | None = None  # the server's own time when it was issued
    recipients = RECIPIENTS

    @property
    def draft(self) -> bool:
        return self.number is None

    @property
    def doc_title(self) -> str:
        title = f"Thông báo tổ chức hội nghị đối thoại {self.session_id}"
        return f"DỰ THẢO — {title}" if self.draft else title

    @property
    def days_late(self) -> int:
        return max((self.issued_on - self.announce_deadline).days, 0)

    def date_line(self) -> str:
        return vi.issue_date_line(self.commune, self.issued_on)

    def number_line(self) -> str:
        return rmsg.DRAFT_NUMBER if self.number is None else f"Số: {self.number}"

    def heading(self) -> str:
        return (
            f"Về việc tổ chức Hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền xã "
            f"với Nhân dân xã {self.commune} năm {self.year}"
        )

    # --- the facts, said once for the document and the loudspeakers ------------------------------

    def when(self) -> str:
        """`vào 08 giờ 00 phút, ngày 25/09/2026`, or `từ … đến 11 giờ 30 phút`."""
        start = self.starts_at.astimezone(LOCAL_TZ)
        text = f"{start:%H} giờ {start:%M} phút, ngày {start:%d/%m/%Y}"
        if self.ends_at:
            end = self.ends_at.astimezone(LOCAL_TZ)
            return f"từ {text} đến {end:%H} giờ {end:%M} phút"
        return f"vào {text}"

    def how_held(self) -> str:
        if self.format == "online":
            return f"trực tuyến, qua đường dẫn {self.online_url}"
        if self.format == "hybrid":
            return f"trực tiếp tại hội trường, kết hợp trực tuyến qua đường dẫn {self.online_url}"
        return "trực tiếp tại hội trường"

    def sitting_lines(self) -> list[str]:
        lines = []
        for s in self.sittings:
            at = s.starts_at.astimezone(LOCAL_TZ)
            lines.append(
                f"- Các thôn {', '.join(s.villages)}: {at:%H} giờ {at:%M} phút, "
                f"ngày {at:%d/%m/%Y}, tại {s.venue}."
            )
        return lines

    def how_to_attend(self) -> list[str]:
        lines = [
            "- Đại biểu dự hội nghị theo giấy mời; mã đại biểu gửi đến từng người qua tin nhắn "
            "hoặc thư điện tử, xuất trình khi điểm danh.",
            "- Công dân có kiến nghị, phản ánh gửi qua Trưởng thôn, Bộ phận tiếp công dân hoặc "
            "Trung tâm phục vụ hành chính công xã trước ngày hội nghị để được tổng hợp, trả lời.",
        ]
        if self.online_url:
            lines.append(f"- Theo dõi trực tuyến tại: {self.online_url}")
        return lines

    def content(self) -> list[str]:
        lines = []
        if self.briefing:
            lines.append(
                f"- {self.briefing['presented_by']} thông báo khái quát tình hình kinh tế - xã "
                f"hội: {self.briefing['title']}. {self.briefing['summary']}"
            )
        if self.agenda_summary:
            summary = self.agenda_summary.rstrip()
            lines.append(f"- {summary}" + ("" if summary.endswith((".", "!", ";")) else "."))
        if self.topics:
            lines.append(f"- Đối thoại về các nội dung: {'; '.join(self.topics)}.")
        if self.agenda_count:
            lines.append(
                f"- Trả lời {self.agenda_count} nội dung kiến nghị, phản ánh của Nhân dân đã được "
                f"tổng hợp trước hội nghị."
            )
        return lines or ["- Đối thoại về những kiến nghị, phản ánh của Nhân dân."]

    def sections(self) -> list[tuple[str, list[str]]]:
        intro = (
            f"Thực hiện Điều 43 Luật Tổ chức chính quyền địa phương (Luật số 72/2025/QH15), "
            f"Ủy ban nhân dân xã {self.commune} thông báo tổ chức "
            f"{self.title[:1].lower() + self.title[1:]} như sau:"
        )
        organisers = [f"- {vi.organiser(o)}." for o in self.organisers]
        who = [
            *organisers,
            f"- Đại biểu tham dự (dự kiến {self.capacity_min} - {self.capacity_max} người): "
            + "; ".join(self.categories)
            + ".",
        ]
        timing = (
            f"Thông báo ban hành trước ngày hội nghị ít nhất 07 ngày (hạn "
            f"{self.announce_deadline:%d/%m/%Y})."
            if not self.days_late
            else f"Thông báo ban hành chậm {self.days_late} ngày so với thời hạn "
            f"{self.announce_deadline:%d/%m/%Y} (07 ngày trước ngày hội nghị)."
        )
        closing = (
            "Đề nghị Trưởng các thôn thông báo nội dung này trên hệ thống loa truyền thanh của "
            "thôn; Đài truyền thanh xã, Trang thông tin điện tử xã đưa tin; Văn phòng HĐND và "
            "UBND xã niêm yết tại trụ sở. " + timing
        )
        return [
            ("", [intro]),
            ("1. Thời gian", [_first_up(self.when()) + ".", *self.sitting_lines()]),
            ("2. Địa điểm và hình thức", [f"{self.venue}; {self.how_held()}."]),
            ("3. Thành phần", who),
            ("4. Nội dung", self.content()),
            ("5. Cách thức tham dự", self.how_to_attend()),
            ("", [closing]),
        ]

    def loudspeaker(self) -> str:
        """The text a village head reads on the loudspeakers, twice, as is the custom."""
        body = [
            "Kính thưa bà con Nhân dân trong thôn!",
            f"Ủy ban nhân dân xã {self.commune} thông báo: {self.title} sẽ được tổ chức "
            f"{self.when()}, tại {self.venue}; hình thức {self.how_held()}.",
            *[line.removeprefix("- ") for line in self.sitting_lines()],
            "Nội dung hội nghị:",
            *[line.removeprefix("- ") for line in self.content()],
            *[line.removeprefix("- ") for line in self.how_to_attend()],
            "Ủy ban nhân dân xã trân trọng thông báo để bà con Nhân dân được biết và tham gia.",
        ]
        text = "\n".join(body)
        return f"{text}\n\n(Đọc nhắc lại lần thứ hai)\n\n{text}\n"

    def as_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "title": self.title,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "venue": self.venue,
            "format": self.format,
            "online_url": self.online_url,
            "draft": self.draft,
            "document_number": self.number,
            "issued_on": self.issued_on.isoformat(),
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "announce_deadline": self.announce_deadline.isoformat(),
            "days_late": self.days_late,
            "late": self.days_late > 0,
            "sections": [{"heading": h, "paragraphs": p} for h, p in self.sections()],
            "recipients": list(self.recipients),
        }


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def _moment(value: Any) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def key_of(session: dict[str, Any]) -> str:
    """A notice is issued once for each date a conference is to be held on."""
    return f"{session['_id']}:{_moment(session['starts_at']).isoformat()}"


def issued_on_errors(issued_on: date, session: dict[str, Any], today: date) -> list[OutcomeError]:
    """The notice's date proves it came in time: never later than today, never on or after the
    conference day, never backdated to look on time when it comes in late."""
    deadline = date.fromisoformat(session["announce_deadline"])
    starts = _moment(session["starts_at"]).astimezone(LOCAL_TZ).date()
    wrong = None
    if issued_on >= starts:
        text = rmsg.NOTICE_ON_CONFERENCE_DAY.format(day=fmt(issued_on), starts=fmt(starts))
        wrong = error("data.issued_on", "not_before_conference", text)
    return dated_errors(issued_on, deadline, today, wrong)


def dated_errors(
    issued_on: date, deadline: date, today: date, wrong: OutcomeError | None
) -> list[OutcomeError]:
    """What an official document's date may not be, whatever the document: later than today;
    `wrong` for it (e.g. on the wrong side of its conference); earlier than today once its
    deadline has passed (a late one is dated the day it is made: its lateness never understated)."""
    day = fmt(issued_on)
    if issued_on > today:
        text = rmsg.ISSUED_AFTER_TODAY.format(day=day, today=fmt(today))
        return [error("data.issued_on", "in_the_future", text)]
    if wrong is not None:
        return [wrong]
    if issued_on < today and deadline < today:
        text = rmsg.BACKDATED.format(day=day, deadline=fmt(deadline), today=fmt(today))
        return [error("data.issued_on", "backdated", text)]
    return []


def issued(kept: dict[str, Any], ref: ReferenceData) -> ConferenceNotice | None:
    """The notice as it was issued: from the conference as it stood then, on its own date."""
    built = build(kept["session"], ref, date.fromisoformat(kept["issued_on"]))
    if built is None:
        return None
    built.number, built.issued_at = kept["document_number"], kept["issued_at"]
    built.signer_name = kept.get("signer_name")
    return built


def build(session: dict[str, Any], ref: ReferenceData, issued_on: date) -> ConferenceNotice | None:
    """The notice of a scheduled conference, from its read model; None before it has a date."""
    if not session.get("starts_at") or session.get("status") == "cancelled":
        return None
    villages = {v.code: v.name for v in ref.villages}
    topics = {t.code: t.name for t in ref.topics}
    venue = session.get("venue") or ref.commune.venue
    sittings = [
        Sitting(
            [villages.get(v, v) for v in s["villages"]],
            _moment(s["starts_at"]),
            s.get("venue") or venue,
        )
        for s in session.get("sittings") or []
        if s.get("starts_at")
    ]
    return ConferenceNotice(
        commune=ref.commune.name,
        session_id=session["_id"],
        title=session.get("title") or "Hội nghị đối thoại với Nhân dân",
        year=session.get("year") or _moment(session["starts_at"]).year,
        format=session.get("format") or "in_person",
        starts_at=_moment(session["starts_at"]),
        ends_at=_moment(session["ends_at"]) if session.get("ends_at") else None,
        venue=venue,
        online_url=session.get("online_url"),
        announce_deadline=date.fromisoformat(session["announce_deadline"]),
        issued_on=issued_on,
        capacity_min=session.get("capacity_min") or ref.commune.delegates_min,
        capacity_max=session.get("capacity_max") or ref.commune.delegates_max,
        organisers=session.get("organisers") or [],
        categories=[c.name for c in ref.delegate_categories],
        topics=[topics.get(t, t) for t in session.get("topics") or []],
        agenda_summary=session.get("agenda_summary"),
        agenda_count=session.get("agenda_total") or len(session.get("agenda") or []),
        briefing=session.get("briefing"),
        sittings=sittings,
    )
