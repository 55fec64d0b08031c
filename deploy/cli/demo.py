"""`nghedan demo`: the Thiện Tân 2026 registration story, on the embedded default, start to stop."""

from __future__ import annotations

import asyncio
import random
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from openpyxl import Workbook
from rich.console import Console

from deploy.cli import bus as busmod
from deploy.cli.bulk import import_rows, summarise_import
from deploy.cli.embedded import InfraError
from deploy.cli.office import print_office
from deploy.cli.platform import Platform
from deploy.cli.readside import ReadSideStalled, wait_caught_up
from shared import delegate_lists as importer
from shared import vi
from shared.clock import LOCAL_TZ, write_clock_file
from shared.legal_days import RESULTS_WITHIN_VI
from shared.reference import ReferenceData, load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA
from shared.text import fmt, fmt_time

FAMILY = [
    "Nguyễn",
    "Hoàng",
    "Lý",
    "Nông",
    "Vi",
    "Lương",
    "Hà",
    "Đinh",
    "Triệu",
    "Lăng",
    "Chu",
    "Mã",
]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Hữu", "Thanh", "Kim"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dung",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Tú",
    "Vân",
    "Việt",
    "Yến",
]
HEADINGS = [
    "STT",
    "Họ và tên",
    "Số CCCD",
    "Ngày sinh",
    "Giới tính",
    "Thôn",
    "Thành phần",
    "Chức vụ",
    "Điện thoại",
]
OFFICIAL_ROLES = [
    "Bí thư Đảng ủy xã",
    "Phó Bí thư Thường trực Đảng ủy",
    "Chủ tịch HĐND xã",
    "Phó Chủ tịch HĐND xã",
    "Chủ tịch UBND xã",
    "Phó Chủ tịch UBND xã",
    "Chánh Văn phòng HĐND và UBND",
    "Trưởng phòng Kinh tế",
    "Trưởng phòng Văn hoá - Xã hội",
    "Trưởng Công an xã",
]
FRONT_ROLES = [
    "Chủ tịch Ủy ban MTTQ xã",
    "Chủ tịch Hội Nông dân",
    "Chủ tịch Hội Liên hiệp Phụ nữ",
    "Chủ tịch Hội Cựu chiến binh",
    "Bí thư Đoàn Thanh niên",
    "Chủ tịch Công đoàn",
]
TODAY = datetime(2026, 9, 1, 8, 0, tzinfo=LOCAL_TZ)
CONFERENCE = datetime(2026, 9, 25, 8, 0, tzinfo=LOCAL_TZ)
SIGNER = "Lý Hoàng Long"  # the commune chairman, as the demo names him
COUNTS = "/admin/messages/counts"


def citizen_id(rng: random.Random, born: date, gender: str) -> str:
    century = (born.year - 1900) // 100 * 2 + (1 if gender == "female" else 0)
    return f"020{century}{born.year % 100:02d}{rng.randrange(10**6):06d}"


def person(rng: random.Random, village: str, category: str, position: str = "") -> list[Any]:
    gender = rng.choice(["male", "female"])
    born = date(rng.randrange(1955, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
    middle = "Thị" if gender == "female" else rng.choice([m for m in MIDDLE if m != "Thị"])
    name = f"{rng.choice(FAMILY)} {middle} {rng.choice(GIVEN)}"
    return [
        name,
        citizen_id(rng, born, gender),
        fmt(born),
        "Nữ" if gender == "female" else "Nam",
        village,
        category,
        position,
        f"09{rng.randrange(10**8):08d}",
    ]


def delegate_list(ref: ReferenceData, path: Path) -> int:
    """The list the office assembles from the village heads' lists, with four faulty rows."""
    rng = random.Random(2026)
    names = {c.code: c.name for c in ref.delegate_categories}
    rows = [person(rng, "Lân Luông", names["official"], role) for role in OFFICIAL_ROLES]
    rows += [
        person(rng, "Lân Luông", names["front_and_organisations"], role) for role in FRONT_ROLES
    ]
    for village in ref.villages:
        rows.append(person(rng, village.name, names["party_cell_secretary"]))
        rows.append(person(rng, village.name, names["village_head"]))
        rows.append(person(rng, village.name, names["front_work_committee"]))
        rows += [person(rng, village.name, names["peoples_representative"]) for _ in range(3)]
    young = person(rng, "Thôn 05", names["peoples_representative"])
    young[1:3] = [citizen_id(rng, date(2009, 3, 2), "male"), "02/03/2009"]
    young[3] = "Nam"
    wrong_id = person(rng, "Thôn 07", names["peoples_representative"])
    wrong_id[1] = "020" + ("1" if wrong_id[3] == "Nam" else "0") + wrong_id[1][4:]
    stranger = person(rng, "Thôn 99", names["peoples_representative"])
    second_head = person(rng, "Lân Luông", names["village_head"])
    rows += [young, wrong_id, stranger, second_head]
    book = Workbook()
    sheet = book.active
    sheet.append(HEADINGS)
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return len(rows)


class Story:
    def __init__(self, console: Console, platform: Platform) -> None:
        self.console, self.platform = console, platform

    def step(self, title: str) -> None:
        self.console.rule(f"[bold]{title}")

    def clock(self, at: datetime) -> None:
        write_clock_file(self.platform.clock_file, frozen_at=at)
        self.console.print(f"Đồng hồ chung: {fmt_time(at)} (giờ Việt Nam)")

    async def send(self, bus: busmod.Bus, key: str, data: dict[str, Any]) -> dict[str, Any]:
        outcome = await bus.send(
            busmod.as_command({"type": key, "data": data}, source="/nghedan/demo")
        )
        colour = "green" if outcome["status"] == "accepted" else "red"
        self.console.print(f"→ {key}: [{colour}]{outcome['status']}[/]")
        for err in outcome.get("errors", []):
            self.console.print(f"   [red]•[/] {err['message']}")
        return outcome


async def _story(story: Story, ref: ReferenceData, list_path: Path) -> dict[str, Any]:
    """The year's conference from plan to follow-up, step by step, each step a function."""
    figures: dict[str, Any] = {}
    async with busmod.Bus(story.platform.amqp_url) as bus:
        session_id = await plan_conference(story, bus, ref)
        figures["session_id"] = session_id
        figures["notice"] = await announce_conference(story, bus, session_id)
        issues = await collect_issues(story, bus, ref, session_id)
    lines, promoted = await register_delegates(story, ref, list_path, session_id, figures)
    async with busmod.Bus(story.platform.amqp_url) as bus:
        await remind_delegates(story, lines)
        await check_in(story, bus, lines, promoted)
        await conclude_issues(story, bus, session_id, issues)
        figures["attended"] = await conclude_conference(story, bus, session_id)
        await settle_denunciation(story, bus, issues[6])
        figures["documents"] = await issue_results(story, bus, session_id)
        await follow_up(story, bus, issues)
        figures["cases"] = await legal_cases(story, bus, ref, issues)
    return figures


async def plan_conference(story: Story, bus: busmod.Bus, ref: ReferenceData) -> str:
    """Planned, then scheduled: a date 4 days ahead is refused, 25 September accepted."""
    story.step("1. Lập kế hoạch hội nghị đối thoại định kỳ năm 2026")
    story.clock(TODAY)
    planned = await story.send(
        bus,
        "registration.create-session.v1",
        {
            "kind": "periodic",
            "year": 2026,
            "period": "2026-Q3",
            "venue": ref.commune.venue,
            "capacity_min": ref.commune.delegates_min,
            "capacity_max": ref.commune.delegates_max,
            "topics": [
                "compensation",
                "land_acquisition",
                "land_dispute",
                "social_policy",
                "staffing",
            ],
        },
    )
    session_id: str = planned["result"]["session_id"]
    story.console.print(f"Phiên: [bold]{session_id}[/] — {planned['result']['title']}")
    story.step("2. Xếp lịch: phải thông báo ít nhất 7 ngày trước")
    too_soon = (TODAY + timedelta(days=4)).isoformat()
    await story.send(
        bus, "registration.schedule-session.v1", {"session_id": session_id, "starts_at": too_soon}
    )
    scheduled = await story.send(
        bus,
        "registration.schedule-session.v1",
        {
            "session_id": session_id,
            "starts_at": CONFERENCE.isoformat(),
            "ends_at": (CONFERENCE + timedelta(hours=3, minutes=30)).isoformat(),
        },
    )
    deadline = vn_date(scheduled["result"]["announce_deadline"])
    story.console.print(f"Ngày hội nghị 25/09/2026; hạn cuối thông báo: {deadline}")
    return session_id


async def register_delegates(
    story: Story, ref: ReferenceData, list_path: Path, session_id: str, figures: dict[str, Any]
) -> tuple[list[dict[str, str]], list[str]]:
    """The villages' list imported twice (the second changes nothing), then one withdrawal that
    moves the first person waiting up; the report lines and who moved up."""
    story.step("3. Đăng ký đại biểu hàng loạt từ danh sách của các thôn")
    rows = importer.read_rows(list_path)
    commands = importer.build_commands(rows, session_id, ref)
    lines = await import_rows(story.platform.amqp_url, rows, commands, batch=50)
    summarise_import([ln for ln in lines if ln["kết quả"] != "đã nhận"] or lines[:5], lines)
    figures["first_import"] = _count(lines)
    story.console.print(f"Đã ghi danh sách mẫu: {list_path}")
    story.step("4. Gửi lại cùng tệp: không có gì thay đổi")
    again = await import_rows(story.platform.amqp_url, rows, commands, batch=50)
    figures["second_import"] = _count(again)
    said = ", ".join(f"{k}: {v}" for k, v in figures["second_import"].items())
    story.console.print("Lần hai: " + said)
    story.step("5. Một đại diện Nhân dân thôn Lân Luông rút đăng ký: người chờ được lên")
    first = next(
        ln["mã đăng ký"]
        for ln, row in zip(lines, rows, strict=True)
        if ln["vị trí"] == "chính thức"
        and row.values.get("village_code") == "Lân Luông"
        and row.values.get("category") == "Đại diện Nhân dân"
    )
    async with busmod.Bus(story.platform.amqp_url) as bus:
        cancelled = await story.send(
            bus,
            "registration.cancel-registration.v1",
            {"registration_code": first, "reason": "Bận việc gia đình"},
        )
    promoted: list[str] = cancelled["result"]["promoted"]
    story.console.print(f"Huỷ {first}; được lên danh sách chính thức: {promoted}")
    lines = [{**ln, "vị trí": "đã huỷ"} if ln["mã đăng ký"] == first else ln for ln in lines]
    return lines, promoted


async def remind_delegates(story: Story, lines: list[dict[str, str]]) -> None:
    story.step("5b. Ngày trước hội nghị: nhắc lịch từng đại biểu")
    story.clock(CONFERENCE - timedelta(days=1, hours=1))
    confirmed = sum(ln["vị trí"] == "chính thức" for ln in lines) + 1  # and the one moved up
    reminded = await _wait_for_messages(story.platform, "conference_reminder", confirmed)
    story.console.print(f"Tin nhắc lịch đã gửi: {reminded} (mỗi đại biểu chính thức một tin)")


async def check_in(
    story: Story, bus: busmod.Bus, lines: list[dict[str, str]], promoted: list[str]
) -> None:
    """Most delegates check in; one still on the waiting list is refused."""
    story.step("6. Ngày hội nghị: điểm danh")
    story.clock(CONFERENCE - timedelta(minutes=30))
    codes = [ln["mã đăng ký"] for ln in lines if ln["vị trí"] == "chính thức"] + promoted
    attending = [c for i, c in enumerate(codes) if i % 9 != 4]  # a few stay home
    checks = await bus.send_many(
        [
            busmod.as_command(
                {"type": "registration.check-in.v1", "data": {"registration_code": c}},
                source="/nghedan/demo",
            )
            for c in attending
        ],
        window=8,
    )
    accepted = sum(o["status"] == "accepted" for o in checks)
    story.console.print(f"Điểm danh: {accepted} / {len(codes)} đại biểu chính thức")
    still_waiting = [
        ln["mã đăng ký"]
        for ln in lines
        if ln["vị trí"].startswith("danh sách chờ") and ln["mã đăng ký"] not in promoted
    ]
    story.console.print("Người còn trong danh sách chờ thử điểm danh:")
    await story.send(bus, "registration.check-in.v1", {"registration_code": still_waiting[0]})


async def conclude_conference(story: Story, bus: busmod.Bus, session_id: str) -> int:
    story.step("7. Kết thúc hội nghị")
    story.clock(CONFERENCE + timedelta(hours=3, minutes=30))
    concluded = await story.send(
        bus,
        "registration.conclude-session.v1",
        {
            "session_id": session_id,
            "summary": "Chủ tịch UBND xã kết luận từng nội dung.",
            "chaired_by": f"Ông {SIGNER}, Chủ tịch UBND xã",
            "concluded_by": f"Ông {SIGNER}, Chủ tịch UBND xã",
        },
    )
    story.console.print(
        f"Có mặt: {concluded['result']['attended']} đại biểu; thông báo kết quả chậm nhất "
        f"{vn_date(concluded['result']['results_deadline'])} ({RESULTS_WITHIN_VI})"
    )
    return int(concluded["result"]["attended"])


async def _from_reporting(story: Story, path: str) -> Any:
    """A page or file from reporting's web door, once it has applied every event sent so far."""
    port = story.platform.health_ports["reporting"]
    try:
        await wait_caught_up(f"http://127.0.0.1:{port}/health", "reporting", story.console)
    except ReadSideStalled as exc:
        raise InfraError(str(exc)) from exc
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as web:
        answer = await web.get(path)
    if answer.status_code != 200:
        raise InfraError(f"reporting trả lời {answer.status_code} cho {path}: {answer.text}")
    return answer


async def announce_conference(story: Story, bus: busmod.Bus, session_id: str) -> list[Path]:
    """The chair's briefing attached; the public notice for the board, the media, the loudspeakers."""
    story.step("2a. Thông báo tổ chức hội nghị: niêm yết, đài truyền thanh, loa các thôn")
    await story.send(
        bus,
        "registration.attach-briefing.v1",
        {
            "session_id": session_id,
            "title": "Báo cáo tình hình kinh tế - xã hội 8 tháng đầu năm 2026",
            "summary": (
                "Tổng giá trị sản xuất ước đạt 72% kế hoạch năm; đã chi trả bồi thường giải "
                "phóng mặt bằng tuyến đường liên thôn cho 46/52 hộ; thu ngân sách đạt 68% dự toán."
            ),
            "presented_by": f"Ông {SIGNER}, Chủ tịch UBND xã",
        },
    )
    # Issued once, numbered and dated: every download after is the notice as issued.
    await _from_reporting(story, f"/phien/{session_id}/thong-bao-to-chuc.json")  # caught up
    issued = await story.send(
        bus,
        "reporting.issue-conference-notice.v1",
        {
            "session_id": session_id,
            "document_number": "98/TB-UBND",
            "signer_name": SIGNER,
            "requested_by": "Văn phòng HĐND và UBND xã",
        },
    )
    if issued["status"] != "accepted":
        raise InfraError("; ".join(e["message"] for e in issued.get("errors", [])))
    saved = []
    for form in ("docx", "pdf", "txt"):
        answer = await _from_reporting(story, f"/phien/{session_id}/thong-bao-to-chuc.{form}")
        path = story.platform.home / f"thong-bao-to-chuc-{session_id}.{form}"
        path.write_bytes(answer.content)
        saved.append(path)
    spoken = saved[-1].read_text(encoding="utf-8").split("\n\n(Đọc nhắc lại")[0]
    story.console.print("Bài đọc trên loa truyền thanh các thôn:", style="bold")
    story.console.print(spoken, markup=False)
    story.console.print("Đã lưu: " + ", ".join(p.name for p in saved))
    return saved


async def issue_results(story: Story, bus: busmod.Bus, session_id: str) -> list[Path]:
    """The office issues the results announcement: to the province, every village head, files."""
    story.step(f"7b. Ban hành Thông báo kết quả đối thoại (trong {RESULTS_WITHIN_VI})")
    story.clock(CONFERENCE + timedelta(days=7))
    command = {
        "session_id": session_id,
        "document_number": "123/TB-UBND",
        "signer_name": SIGNER,
        "requested_by": "Văn phòng HĐND và UBND xã",
    }
    waiting = ("not_concluded", "not_ready", "unknown_session")  # not yet heard of here
    reporting = f"http://127.0.0.1:{story.platform.health_ports['reporting']}/health"
    while True:  # reporting learns the conference ended from registration's events
        try:
            await wait_caught_up(reporting, "reporting", story.console)
        except ReadSideStalled as exc:
            raise InfraError(str(exc)) from exc
        issued = await bus.send(
            busmod.as_command(
                {"type": "reporting.issue-results.v1", "data": command}, source="/nghedan/demo"
            )
        )
        if issued["status"] != "rejected" or issued["errors"][0].get("code") not in waiting:
            break
        story.console.print(f"[yellow]{issued['errors'][0]['message']}[/]")
    story.console.print(f"→ reporting.issue-results.v1: {issued['status']}")
    result = issued.get("result") or {}
    if issued["status"] != "accepted":
        raise InfraError("; ".join(e["message"] for e in issued.get("errors", [])))
    story.console.print(
        f"Số {result.get('document_number')}, ngày {vn_date(result['issued_on'])}: "
        f"{result.get('matters')} nội dung, {result.get('attended')} đại biểu có mặt; "
        f"hạn {vn_date(result['results_deadline'])} — "
        + ("[red]chậm[/]" if result.get("late") else "đúng hạn")
    )
    sent = await _wait_for_messages(story.platform, "results_announcement", 26)
    story.console.print(f"Gửi Trưởng thôn để thông báo trên loa: {sent} tin")
    port = story.platform.health_ports["reporting"]
    saved = []
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as web:
        for form in ("docx", "pdf", "json"):
            answer = await web.get(f"/phien/{session_id}/thong-bao.{form}")
            answer.raise_for_status()
            path = story.platform.home / f"thong-bao-ket-qua-{session_id}.{form}"
            path.write_bytes(answer.content)
            saved.append(path)
    story.console.print("Đã lưu: " + ", ".join(p.name for p in saved))
    story.console.print(f"Bảng điều khiển: http://127.0.0.1:{port}/phien/{session_id}")
    return saved


ISSUES = [  # (village, kind, content, submitter)
    (
        "LL",
        "recommendation",
        "Đề nghị xã sớm chi trả tiền đền bù giải phóng mặt bằng tuyến đường thôn Lân Luông",
        {"full_name": "Lương Thị Hoa", "phone": "0987654321"},
    ),
    (
        "LL",
        "recommendation",
        "de nghi chi tra tien den bu GPMB tuyen duong Lan Luong",
        {"full_name": "Hoàng Văn Đức", "email": "duc.hoang@example.vn"},
    ),
    ("LL", "feedback", "Bao giờ chi trả tiền đền bù giải phóng mặt bằng đường Lân Luông?", None),
    ("T02", "recommendation", "Đường thôn 02 xuống cấp, nhiều ổ gà, đề nghị sửa chữa", None),
    (
        "T05",
        "complaint",
        "Khiếu nại quyết định thu hồi đất số 12/QĐ-UBND của UBND xã",
        {"full_name": "Nông Văn Tài", "address": "Thôn 05, xã Thiện Tân", "phone": "0911222333"},
    ),
    ("T07", "denunciation", "Tố cáo cán bộ thu tiền sai quy định khi làm hồ sơ đất", None),
    (
        "T09",
        "denunciation",
        "Tố cáo cán bộ địa chính nhận tiền để xác nhận hồ sơ cấp giấy chứng nhận",
        {"full_name": "Triệu Văn Minh", "address": "Thôn 09, xã Thiện Tân"},
    ),
]
# After Tết: a complaint accepted on 6/1/2027 whose 30 days end on 5/2/2027, Tết's eve.
TET_COMPLAINT = (
    "T11",
    "complaint",
    "Khiếu nại quyết định xử phạt vi phạm hành chính về xây dựng",
    {"full_name": "Lăng Thị Hạnh", "address": "Thôn 11, xã Thiện Tân"},
)


async def _accept_cases(story: Story, bus: busmod.Bus, codes: list[str]) -> None:
    """The complaint and the signed denunciation accepted at once, each with its 30 days."""
    story.console.print(
        "Khiếu nại và tố cáo (có họ tên, địa chỉ) được thụ lý ngay; thời hạn giải quyết 30 ngày "
        "tính từ ngày thụ lý (Luật Khiếu nại 2011, Điều 28; Luật Tố cáo 2018, Điều 30):"
    )
    for code in codes:
        accepted = await story.send(
            bus,
            "intake.accept-case.v1",
            {
                "tracking_code": code,
                "accepted_on": TODAY.date().isoformat(),
                "officer": "Chủ tịch UBND xã",
            },
        )
        story.console.print(
            f"  {code}: thụ lý {vn_date(TODAY.date().isoformat())}, hạn giải quyết "
            f"{vn_date(accepted['result']['settlement_due'])}"
        )


async def _print_agenda(story: Story, session_id: str, topics: dict[str, str]) -> None:
    """The conference's agenda as intake drafted it last, the weightiest first."""
    agenda = await _latest_agenda(story, session_id)
    story.console.print(f"Chương trình hội nghị (bản {agenda['version']}), nội dung nặng trước:")
    for item in agenda["latest"]["items"]:
        story.console.print(
            f"  • {item['tracking_code']} {topics[item['topic']]} — {item['agency_code']}, "
            f"{item['raised_by_count']} người nêu{' — phức tạp' if item['complex'] else ''}"
        )


async def collect_issues(
    story: Story, bus: busmod.Bus, ref: ReferenceData, session_id: str
) -> list[str]:
    """Before the conference: the people's issues come in, are numbered, routed, merged."""
    story.step("2b. Thu thập ý kiến, kiến nghị của Nhân dân")
    topics = {t.code: t.name for t in ref.topics}
    codes = []
    for village, kind, content, person in ISSUES:
        data = {
            "kind": kind,
            "channel": "village_head",
            "content": content,
            "village_code": village,
            "received_at": (TODAY - timedelta(days=3)).isoformat(),
            "submitter": person,
        }
        outcome = await bus.send(
            busmod.as_command(
                {"type": "intake.submit-issue.v1", "data": data}, source="/nghedan/demo"
            )
        )
        result = outcome["result"]
        codes.append(result["tracking_code"])
        merged = (
            f" → gộp vào {result['merged_into']} ({result['raised_by_count']} người nêu)"
            if result.get("merged_into")
            else ""
        )
        place = ref.village(village)
        story.console.print(
            f"{result['tracking_code']}  {KIND_VI[kind]:10s} {place.name if place else village:10s} "
            f"{topics[result['topic']]} — {result['agency_code']}"
            f"{' — xử lý như phản ánh (tố cáo nặc danh)' if result['handled_as'] != kind else ''}{merged}"
        )
    await _accept_cases(story, bus, [codes[4], codes[6]])
    story.console.print(
        "Văn phòng duyệt bản tóm tắt công khai (chỉ những văn bản được duyệt mới rời khỏi dịch vụ "
        "tiếp nhận; lời người dân và nội dung tố cáo không bao giờ được phát đi):"
    )
    for code, text in public_summaries(codes):
        await story.send(
            bus,
            "intake.approve-summary.v1",
            {"tracking_code": code, "public_summary": text, "officer": "Chánh Văn phòng"},
        )
    await _print_agenda(story, session_id, topics)
    return codes


def public_summaries(codes: list[str]) -> list[tuple[str, str]]:
    return [
        (codes[0], "Kiến nghị sớm chi trả tiền đền bù giải phóng mặt bằng tuyến đường Lân Luông"),
        (codes[3], "Kiến nghị sửa chữa đường thôn 02 bị xuống cấp"),
    ]


KIND_VI = {
    "recommendation": "kiến nghị",
    "feedback": "phản ánh",
    "complaint": "khiếu nại",
    "denunciation": "tố cáo",
}


async def _latest_agenda(story: Story, session_id: str) -> dict[str, Any]:
    """The agenda as the chairman's brief shows it (reporting's read model, over HTTP), once
    intake has drafted it again after the last change."""
    port = story.platform.health_ports["intake"]
    try:
        await wait_caught_up(f"http://127.0.0.1:{port}/health", "intake", story.console)
    except ReadSideStalled as exc:
        raise InfraError(str(exc)) from exc
    brief = (await _from_reporting(story, f"/api/phien/{session_id}/tom-tat")).json()
    items = [item for group in brief["groups"] for item in group["items"]]
    return {"version": brief.get("agenda_version") or 0, "latest": {"items": items}}


async def conclude_issues(story: Story, bus: busmod.Bus, session_id: str, codes: list[str]) -> None:
    story.console.print(
        "Chủ tịch UBND xã kết luận tại hội nghị; Văn phòng duyệt lời kết luận để công bố "
        "(lời cán bộ ghi chỉ được công bố khi đã duyệt):"
    )
    for code, agency, text, due in (
        (codes[0], "KT", "Chi trả xong tiền đền bù trước ngày 31/10/2026", date(2026, 10, 31)),
        (codes[3], "KT", "Sửa chữa đường thôn 02 trước ngày 15/10/2026", date(2026, 10, 15)),
    ):
        await story.send(
            bus,
            "intake.record-conclusion.v1",
            {
                "tracking_code": code,
                "session_id": session_id,
                "conclusion": text,
                "responsible_agency": agency,
                "deadline": due.isoformat(),
            },
        )
        # What the chair said is public only once the office approves its public wording.
        await story.send(
            bus,
            "intake.approve-summary.v1",
            {"tracking_code": code, "public_conclusion": text, "officer": "Chánh Văn phòng"},
        )


async def follow_up(story: Story, bus: busmod.Bus, codes: list[str]) -> None:
    story.step("8. Theo dõi thực hiện kết luận")
    story.clock(datetime(2026, 10, 20, 9, 0, tzinfo=LOCAL_TZ))
    await story.send(
        bus,
        "intake.update-followup.v1",
        {
            "tracking_code": codes[0],
            "status": "resolved",
            "note": "Đã chi trả đủ cho các hộ",
            "reported_at": datetime(2026, 10, 20, 9, 0, tzinfo=LOCAL_TZ).isoformat(),
        },
    )
    for late in await _overdue(story):
        story.console.print(
            f"Quá hạn: {late['ref']} — hạn {late['deadline']}, đã quá {late['days']} ngày"
        )


async def settle_denunciation(story: Story, bus: busmod.Bus, code: str) -> None:
    """The denunciation accepted on 1/9 is concluded within its 30 days: its clock stops."""
    story.console.print(f"Chủ tịch UBND xã kết luận nội dung tố cáo {code} (hạn 01/10/2026):")
    await story.send(
        bus,
        "intake.record-settlement.v1",
        {
            "tracking_code": code,
            "decided_on": "2026-09-25",
            "decision": "Kết luận nội dung tố cáo số 05/KL-UBND ngày 25/09/2026",
            "officer": "Chủ tịch UBND xã",
        },
    )


async def legal_cases(
    story: Story, bus: busmod.Bus, ref: ReferenceData, codes: list[str]
) -> list[dict[str, Any]]:
    """Complaints and denunciations keep their own clocks, counted as the law counts them."""
    story.step("9. Khiếu nại, tố cáo: thời hạn theo luật, ngày nghỉ Tết lùi hạn")
    alarms = await _wait_for_messages(story.platform, "legal_alarm", 1)
    story.console.print(
        f"Khiếu nại {codes[4]} chưa có quyết định giải quyết khi hết hạn 01/10/2026: "
        f"{alarms} cảnh báo đã gửi cơ quan giải quyết"
    )
    story.clock(datetime(2027, 1, 6, 9, 0, tzinfo=LOCAL_TZ))
    village, kind, content, person = TET_COMPLAINT
    received = datetime(2027, 1, 5, 14, 0, tzinfo=LOCAL_TZ)
    submitted = await story.send(
        bus,
        "intake.submit-issue.v1",
        {
            "kind": kind,
            "channel": "letter",
            "content": content,
            "village_code": village,
            "received_at": received.isoformat(),
            "submitter": person,
        },
    )
    code = submitted["result"]["tracking_code"]
    accepted = await story.send(
        bus,
        "intake.accept-case.v1",
        {"tracking_code": code, "accepted_on": "2027-01-06", "officer": "Chủ tịch UBND xã"},
    )
    due = date.fromisoformat(accepted["result"]["settlement_due"])
    plain = date(2027, 1, 6) + timedelta(days=30)
    story.console.print(
        f"Khiếu nại {code} thụ lý 06/01/2027: 30 ngày là {plain:%d/%m/%Y} — "
        f"{ref.calendar.holiday_name(plain) or 'ngày làm việc'}; hạn giải quyết lùi sang ngày "
        f"làm việc tiếp theo: [bold]{due:%d/%m/%Y}[/] (Bộ luật Dân sự 2015, Điều 148)"
    )
    cases: list[dict[str, Any]] = (await _from_reporting(story, "/api/tong-quan")).json()["cases"]
    story.console.print("Bảng điều khiển — khiếu nại, tố cáo đang giải quyết, hạn gần trước:")
    for case in cases:
        story.console.print(
            f"  {case['ref']}  {case['kind_vi']:9s} {case['clock_vi']:10s} hạn {case['due']} "
            f"({case['left_vi']})"
        )
    return cases


async def _overdue(story: Story) -> list[dict[str, Any]]:
    """Conclusions past their deadline, as the dashboard lists them for the quarter (intake's
    ticker marks them on the shared clock: reporting shows them once it has applied that)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + 30
    while True:
        found = (await _from_reporting(story, "/api/ky/2026-Q3")).json()["overdue"]
        if found or loop.time() > end:
            return list(found)
        await asyncio.sleep(0.5)


async def _admin(platform: Platform, service: str, path: str) -> Any:
    """A service's /admin/ door (open on the embedded platform, which runs in development)."""
    async with httpx.AsyncClient(timeout=30) as web:
        answer = await web.get(f"http://127.0.0.1:{platform.health_ports[service]}{path}")
    answer.raise_for_status()
    return answer.json()


async def _wait_for_messages(platform: Platform, template: str, at_least: int) -> int:
    """How many messages of a kind notification has finished, once at least some exist and
    none of them is still on its way (notification's own counts, over HTTP)."""
    done = 0
    for _ in range(300):
        counts = (await _admin(platform, "notification", COUNTS)).get("by_template", {})
        mine = counts.get(template, {})
        total = sum(mine.values())
        done = sum(n for status, n in mine.items() if status in ("delivered", "sent", "suppressed"))
        if total >= at_least and done == total:
            break
        await asyncio.sleep(0.2)
    return done


async def _messages_sent(platform: Platform) -> tuple[dict[tuple[str, str], int], str | None]:
    """Messages by kind and status, and the file of one invitation, once nothing is in flight."""
    for _ in range(300):
        counts = await _admin(platform, "notification", COUNTS)
        if not counts["in_flight"]:
            break
        await asyncio.sleep(0.2)
    by_kind = {
        (template, status): n
        for template, statuses in counts["by_template"].items()
        for status, n in statuses.items()
    }
    return by_kind, counts["sample_invitation"]


async def _events_seen(platform: Platform) -> dict[str, int]:
    """What reaching every other service looked like: the events reporting recorded, by type."""
    counts: dict[str, int] = {}
    for _ in range(50):
        counts = await _admin(platform, "reporting", "/admin/events/counts")
        if "vn.nghedan.registration.session.concluded.v1" in counts:
            break
        await asyncio.sleep(0.2)
    return counts


def vn_date(iso: str) -> str:
    return fmt(date.fromisoformat(iso))


def _count(lines: list[dict[str, str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in lines:
        key = line["kết quả"] + (f" ({line['vị trí'].split(' (')[0]})" if line["vị trí"] else "")
        counts[key] = counts.get(key, 0) + 1
    return counts


def _print_counts(console: Console, platform: Platform, home: Path) -> None:
    """The events reporting received and the messages notification sent, counted; one invitation
    as a delegate received it."""
    events = asyncio.run(_events_seen(platform))
    console.rule("[bold]Sự kiện dịch vụ báo cáo đã nhận (không có dữ liệu cá nhân)")
    for kind, count in sorted(events.items()):
        console.print(f"{count:4d}  {kind}")
    sent, sample = asyncio.run(_messages_sent(platform))
    console.rule("[bold]Tin nhắn dịch vụ notification đã gửi (kênh tệp của bản nhúng)")
    for (template, status), count in sorted(sent.items()):
        console.print(f"{count:4d}  {template}: {vi.MESSAGE_STATUS.get(status, status)}")
    console.print(f"Mỗi tin là một tệp văn bản trong {home / 'outbox'}")
    if sample:
        console.rule("[bold]Một giấy mời, như đại biểu nhận được")
        console.print(Path(sample).read_text(encoding="utf-8"), markup=False)


def _print_summary(console: Console, figures: dict[str, Any]) -> None:
    console.rule("[bold green]Xong")

    def said(counts: dict[str, int]) -> str:
        return ", ".join(f"{n} {what}" for what, n in counts.items())

    console.print(f"Phiên {figures['session_id']}.")
    console.print(f"Lần nhập đầu: {said(figures['first_import'])}.")
    console.print(
        f"Lần nhập lại cùng tệp: {said(figures['second_import'])} — không có gì thay đổi."
    )
    console.print(f"Có mặt tại hội nghị: {figures['attended']} đại biểu.")
    console.print("Thông báo tổ chức: " + ", ".join(str(p) for p in figures["notice"]))
    console.print("Thông báo kết quả: " + ", ".join(str(p) for p in figures["documents"]))
    console.print(
        "Khiếu nại, tố cáo đang giải quyết: "
        + "; ".join(f"{c['ref']} hạn {c['due']}" for c in figures["cases"])
        + "."
    )


def run_demo(console: Console) -> int:
    import os

    home = Path(os.environ.get("NGHEDAN_HOME", ".nghedan")).resolve() / "demo"
    shutil.rmtree(home, ignore_errors=True)  # each run tells the same story from the start
    quick = {"TICK_SECONDS": "0.5"}  # time-driven rules checked often: the clock jumps here
    # The story spans two months of the shared clock: the file channel keeps its files meanwhile.
    keep = {"NOTIFY_FILE_KEEP_DAYS": "365"}
    platform = Platform(
        home=home,
        extra_env={"intake": quick, "registration": quick, "notification": quick | keep},
    )
    ref = load_reference_data(SHIPPED_REFERENCE_DATA)
    console.rule("[bold]Nghe Dân — kịch bản đăng ký đại biểu, xã Thiện Tân 2026")
    console.print(
        f"Xã {ref.commune.name}, tỉnh {ref.commune.province}: {len(ref.villages)} thôn "
        f"({sum(v.source == 'seed' for v in ref.villages)} tên theo kế hoạch, còn lại là tên tạm "
        f"để văn phòng thay bằng danh sách thật); số cử tri (tạm): {ref.commune.voter_count}"
    )
    try:
        for line in platform.start_infrastructure():
            console.print(f"• {line}")
        dropped = asyncio.run(busmod.purge_all(platform.amqp_url))
        if dropped:
            console.print(f"• Bỏ {dropped} thư còn lại trong hàng đợi từ lần chạy trước")
        write_clock_file(platform.clock_file, frozen_at=TODAY)
        platform.start_services()
        console.print("• Các dịch vụ đã sẵn sàng: " + ", ".join(platform.processes))
        list_path = home / "danh-sach-dai-bieu.xlsx"
        delegate_list(ref, list_path)
        figures = asyncio.run(_story(Story(console, platform), ref, list_path))
        _print_counts(console, platform, home)
    except InfraError as exc:
        console.print(f"[bold red]Lỗi:[/] {exc}")
        return 2
    finally:
        console.print("Đang dừng nền tảng…")
        platform.stop()
    _print_summary(console, figures)
    console.rule("[bold]Xem lại câu chuyện trong trình duyệt")
    console.print(
        f"Chạy lại nền tảng trên dữ liệu vừa tạo: NGHEDAN_HOME={home} make up — rồi mở trang "
        "của văn phòng bằng một tài khoản thử dưới đây."
    )
    print_office(console, platform.health_ports["office"])
    return 0
