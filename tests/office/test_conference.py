"""A conference run from the browser, on the real platform: planned, its date refused before the
lawful notice and then fixed, a village head's list uploaded (a progress bar, a report row by
row, a row of another village refused), a delegate cancelled and the waiting list promoted, the
day's check-in on a phone (found by name, marked present, a wait-listed person and an unknown
code refused with the service's reason), then concluded. Registration's own database judges."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from pathlib import Path

import zxingcpp
from PIL import Image

from shared.messaging.commands import CommandClient
from shared.text import fmt
from tests.office.conftest import NOW
from tests.waits import settled


def _csv(*rows: str) -> bytes:
    head = "Họ và tên,Số CCCD,Ngày sinh,Giới tính,Thôn,Thành phần,Điện thoại"
    return ("\n".join([head, *rows]) + "\n").encode("utf-8")


def code_of(registrations: list[dict], seq: int) -> str:
    return str(next(r["_id"] for r in registrations if r["seq"] == seq))


async def _registrations(platform) -> list[dict]:
    return [d async for d in platform.registration.db["registrations"].find({})]


async def test_a_clerk_plans_a_conference_and_fixes_its_date_in_the_browser(platform, browser):
    page = await browser.new_page()
    await platform.login(page, "vanphong", "/hoi-nghi")
    await page.click("#buoc-tao summary")
    await platform.checked(page, "hoi-nghi")
    # the organisers as the law has them, and a sitting for a cluster of villages — a line
    # naming a village the commune does not have is refused beside the field, nothing sent
    await page.fill("#f-tao-org_peoples_committee", "Ông Lý Hoàng Long, Chủ tịch UBND xã")
    sittings = "CUM1: Lân Luông, Thôn 02; Nhà văn hoá thôn Lân Luông\nCUM2: Thôn Chín Mươi"
    await page.fill("#f-tao-sittings", sittings)
    await page.click("#buoc-tao button.primary")
    assert "không có thôn Thôn Chín Mươi" in await page.inner_text("#buoc-tao .errors")
    assert await platform.registration.db["sessions"].count_documents({}) == 0
    await platform.checked(page, "hoi-nghi-ke-hoach-tu-choi")
    await page.fill("#f-tao-sittings", sittings.splitlines()[0])
    await page.click("#buoc-tao button.primary")
    assert "/hoi-nghi/TT-2026-DK1" in page.url
    assert "Đã chấp nhận" in await page.inner_text("#ket-qua")
    facts = await page.inner_text(".facts")
    assert "Chủ trì: Ủy ban nhân dân xã — Ông Lý Hoàng Long" in facts
    assert "CUM1: Lân Luông, Thôn 02; Nhà văn hoá thôn Lân Luông" in facts
    planned = await platform.registration.db["sessions"].find_one({"_id": "TT-2026-DK1"})
    assert [o["role"] for o in planned["organisers"]] == [
        "chairs",
        "co_chairs",
        "co_organises",
        "invited",
    ]
    assert [(s["code"], s["villages"]) for s in planned["sittings"]] == [("CUM1", ["LL", "T02"])]
    earliest = NOW.date() + timedelta(days=7)
    assert fmt(earliest) in await page.inner_text(".facts")

    await page.click("#buoc-lich summary")
    await page.fill("#f-lich-starts_on", (earliest - timedelta(days=1)).isoformat())
    await page.fill("#f-lich-starts_time", "08:00")
    await page.click("#buoc-lich button.primary")
    refusal = await page.inner_text("#buoc-lich .errors")
    assert fmt(earliest) in refusal  # the service's reason, beside the date
    await platform.checked(page, "hoi-nghi-lich-tu-choi")
    session = await platform.registration.db["sessions"].find_one({"_id": "TT-2026-DK1"})
    assert session["status"] == "planned"

    await page.fill("#f-lich-starts_on", earliest.isoformat())
    await page.click("#buoc-lich button.primary")
    assert "Đã chấp nhận: Xếp lịch" in await page.inner_text("#ket-qua")
    assert "Đã xếp lịch" in await page.inner_text(".facts")
    await platform.checked(page, "hoi-nghi-da-xep-lich")
    session = await platform.registration.db["sessions"].find_one({"_id": "TT-2026-DK1"})
    assert session["status"] == "scheduled"

    # the public notice issued (once reporting knows the date), then downloaded as issued
    await settled(platform.registration, platform.reporting)
    await page.click("#buoc-thong-bao summary")
    await page.fill("#f-thong-bao-document_number", "15/TB-UBND")
    await page.click("#buoc-thong-bao button.primary")
    assert "Đã chấp nhận: Ban hành thông báo tổ chức" in await page.inner_text("#ket-qua")
    pdf = await page.request.get(f"{platform.url}/hoi-nghi/TT-2026-DK1/tai/thong-bao-to-chuc.pdf")
    assert pdf.ok and (await pdf.body()).startswith(b"%PDF")
    issued = await platform.reporting.db["conference_notices"].find_one({})
    assert issued is not None and issued["document_number"] == "15/TB-UBND"


async def _scheduled(platform, topology, capacity_max: int = 2) -> str:
    """A conference planned and scheduled a week on, through the bus (what this test is not about)."""
    client = CommandClient(topology.amqp_url, "/nghedan/test")
    try:
        created = await client.send(
            "registration.create-session.v1",
            {
                "kind": "periodic",
                "year": 2026,
                "period": "2026-Q3",
                "venue": "Nhà văn hoá xã",
                "capacity_min": 1,
                "capacity_max": capacity_max,
            },
            command_id=str(uuid.uuid4()),
            at=NOW,
        )
        session_id = created.result["session_id"]
        day = NOW + timedelta(days=7)
        scheduled = await client.send(
            "registration.schedule-session.v1",
            {"session_id": session_id, "starts_at": day.replace(hour=8).isoformat()},
            command_id=str(uuid.uuid4()),
            at=NOW,
        )
        assert scheduled.status == "accepted", scheduled
    finally:
        await client.close()
    return session_id


async def test_a_list_is_uploaded_with_a_progress_bar_then_checked_in_on_the_day(
    platform, browser, topology, tmp_path
):
    session_id = await _scheduled(platform, topology, capacity_max=2)
    page = await browser.new_page()
    await platform.login(page, "vanphong", f"/hoi-nghi/{session_id}/dai-bieu")
    await platform.checked(page, "dai-bieu")
    upload = tmp_path / "lan-luong.csv"
    upload.write_bytes(
        _csv(
            "Hoàng Văn An,020070123456,01/02/1970,Nam,Lân Luông,Trưởng thôn,0912345678",
            "Lý Thị Bình,020180123457,03/04/1980,Nữ,Lân Luông,Đại diện nhân dân,0912345679",
            "Nông Văn Chờ,020085123458,05/06/1985,Nam,Lân Luông,Đại diện nhân dân,0912345670",
            "Không Có Số,,05/06/1985,Nam,Lân Luông,Đại diện nhân dân,0912345671",
        )
    )
    await page.set_input_files("#f-danh-sach", str(upload))
    await page.click("form.task button.primary")
    assert "/dai-bieu/nhap/" in page.url
    await page.wait_for_selector("text=Đã xong", timeout=60_000)  # the page refreshes itself
    assert await page.get_attribute("progress", "value") == "4"
    report = await page.inner_text("table.report")
    assert "bị từ chối" in report and "citizen_id" in report
    await platform.checked(page, "nhap-danh-sach")
    regs = await _registrations(platform)
    assert sorted(r["status"] for r in regs) == ["confirmed", "confirmed", "waiting"]

    # sent again, the same file registers nobody twice
    await page.goto(f"{platform.url}/hoi-nghi/{session_id}/dai-bieu")
    await page.set_input_files("#f-danh-sach", str(upload))
    await page.click("form.task button.primary")
    await page.wait_for_selector("text=Đã xong", timeout=60_000)
    assert "3 đã nhận từ trước" in await page.inner_text("#ket-qua")
    assert len(await _registrations(platform)) == 3

    # a confirmed delegate cancelled: the first on the waiting list takes the place
    await page.goto(f"{platform.url}/hoi-nghi/{session_id}/dai-bieu")
    await page.click("button[aria-label='Hủy đăng ký của Lý Thị Bình']")
    said = await page.inner_text("#ket-qua")
    assert "Đã hủy đăng ký" in said and "danh sách chờ lên chính thức" in said
    statuses = {r["seq"]: r["status"] for r in await _registrations(platform)}
    assert statuses == {1: "confirmed", 2: "cancelled", 3: "confirmed"}

    # the paper invitations to hand out, one a page, each with a QR code a phone reads
    await page.goto(f"{platform.url}/hoi-nghi/{session_id}/dai-bieu")
    await page.click("text=In giấy mời có mã QR")
    await page.select_option("#f-thon", "LL")
    await page.click("form.search button")
    invitations = page.locator("section.invitation")
    assert await invitations.count() == 2  # the two confirmed; the cancelled one has none
    first = await invitations.nth(0).inner_text()
    assert "Hoàng Văn An" in first and fmt(NOW.date() + timedelta(days=7)) in first
    await platform.checked(page, "giay-moi")
    printed = await invitations.nth(0).locator("figure.qr svg").screenshot()
    [read] = zxingcpp.read_barcodes(Image.open(io.BytesIO(printed)))
    assert read.text == code_of(await _registrations(platform), 1)

    # the conference day, at the desk, on a phone
    platform.clock.at = NOW + timedelta(days=7, hours=-1)
    await browser.clear_cookies()
    desk = await browser.new_page()
    await platform.login(desk, "motcua", f"/hoi-nghi/{session_id}/diem-danh")
    assert "Có mặt 0 / 2" in await desk.inner_text("#dem")
    await desk.fill("#f-q", "an")
    await desk.click("form.search button")
    await desk.click("button[aria-label='Có mặt: Hoàng Văn An']")
    assert "Đã điểm danh: Hoàng Văn An" in await desk.inner_text("#ket-qua")
    assert "Có mặt 1 / 2" in await desk.inner_text("#dem")
    await platform.checked(desk, "diem-danh")
    await desk.fill("#f-registration_code", "TT-2026-DK1-999-XXXXX")
    await desk.click("form.task button.primary")
    assert await desk.locator(".errors").count() == 1  # the service's reason beside the code
    await platform.checked(desk, "diem-danh-tu-choi")
    present = [r for r in await _registrations(platform) if r.get("checked_in_at")]
    assert len(present) == 1

    # A photo with no QR code in it: the reason beside the photo, nobody checked in.
    blank = tmp_path / "khong-co-ma.png"
    Image.new("RGB", (640, 480), "white").save(blank)
    await desk.set_input_files("#f-anh_qr", str(blank))  # the page's script sends it at once
    await desk.wait_for_selector("#f-anh_qr[aria-invalid=true]")
    assert "Không đọc được mã QR" in await desk.inner_text("form.scan .errors")
    await platform.checked(desk, "diem-danh-quet-tu-choi")
    # The promoted delegate's invitation, as notification delivered it, carries the QR code: a
    # phone's photo of it (here the delivered picture itself, made larger as a camera's would be,
    # then made smaller again by the page's script before it leaves) checks them in.
    await settled(platform.registration, platform.notification)
    promoted = next(r for r in await _registrations(platform) if r["seq"] == 3)
    sent = await platform.notification.db["messages"].find_one(
        {"cause_id": f"invitation:{promoted['_id']}", "template": "delegate_promoted"}
    )
    delivered = Path(sent["provider_ref"])
    qr = delivered.with_name(f"{delivered.stem}-ma-dai-bieu.png")
    photo = tmp_path / "anh-chup.jpg"
    picture = Image.open(qr).convert("RGB")
    camera = Image.new("RGB", (3000, 4000), (200, 190, 170))
    camera.paste(picture.resize((1200, 1200)), (900, 1400))
    camera.save(photo, quality=85)
    async with desk.expect_request(lambda r: r.method == "POST") as posted:
        await desk.set_input_files("#f-anh_qr", str(photo))
    sent_bytes = len((await posted.value).post_data_buffer or b"")
    assert sent_bytes < photo.stat().st_size / 2, (sent_bytes, photo.stat().st_size)
    await desk.wait_for_url("**/diem-danh?xong=*")
    assert "Đã điểm danh: Nông Văn Chờ" in await desk.inner_text("#ket-qua")
    assert "Có mặt 2 / 2" in await desk.inner_text("#dem")
    checked = {r["seq"]: bool(r.get("checked_in_at")) for r in await _registrations(platform)}
    assert checked == {1: True, 2: False, 3: True}

    # the conference ends; the results are issued and the page says who they went to
    await browser.clear_cookies()
    clerk = await browser.new_page()
    await platform.login(clerk, "vanphong", f"/hoi-nghi/{session_id}")
    await clerk.click("#buoc-ket-thuc summary")
    await clerk.fill("#f-ket-thuc-chaired_by", "Nguyễn Chủ Tịch, Chủ tịch UBND xã")
    await clerk.click("#buoc-ket-thuc button.primary")
    assert "Đã chấp nhận: Kết thúc hội nghị" in await clerk.inner_text("#ket-qua")
    await settled(platform.registration, platform.intake, platform.reporting)
    await clerk.reload()
    await clerk.click("#buoc-ket-qua summary")
    await clerk.fill("#f-ket-qua-document_number", "123/TB-UBND")
    await clerk.click("#buoc-ket-qua button.primary")
    assert "Đã chấp nhận: Ban hành thông báo kết quả" in await clerk.inner_text("#ket-qua")
    await settled(platform.reporting, platform.registration, platform.notification, platform.office)
    await clerk.reload()
    sent = await clerk.inner_text("main")
    assert "Thông báo kết quả đã gửi tới" in sent and "Hoàng Văn An" in sent
    await platform.checked(clerk, "hoi-nghi-ket-qua")
    # the dashboard, through the same login: one set of accounts (reporting refuses anyone else)
    await clerk.goto(f"{platform.url}/bang-dieu-khien")
    assert "Nghe Dân" in await clerk.inner_text("body") and session_id in await clerk.content()
    await clerk.goto(f"{platform.url}/phien/{session_id}")
    assert "Hoàng Văn An" not in await clerk.content()  # the dashboard holds no person
    reporting_url = clerk.url.replace(platform.url, platform.reporting_url)
    direct = await clerk.request.get(reporting_url)
    assert direct.status == 403
    docx = await clerk.request.get(
        f"{platform.url}/hoi-nghi/{session_id}/tai/thong-bao-ket-qua.docx"
    )
    assert docx.ok and docx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument"
    )


async def test_an_agency_registers_its_staff_and_a_village_head_only_their_villages_people(
    platform, browser, topology
):
    session_id = await _scheduled(platform, topology, capacity_max=10)
    page = await browser.new_page()
    # the points the agency expects to raise, for the chair's report (plan III.1): its own agency
    # whatever the form says; a missing answerer refused beside the field
    await platform.login(page, "coquan", f"/hoi-nghi/{session_id}")
    await page.click("#buoc-co-quan summary")
    points = "Tiến độ bồi thường tuyến đường liên thôn: đã chi trả 46/52 hộ."
    await page.fill("#f-co-quan-points", points)
    await page.click("#buoc-co-quan button.primary")
    assert await page.locator("#buoc-co-quan .errors").count() == 1
    await platform.checked(page, "hoi-nghi-co-quan-tu-choi")
    await page.fill("#f-co-quan-presented_by", "Bà Hoàng Thị Thu, Trưởng phòng Kinh tế")
    await page.click("#buoc-co-quan button.primary")
    assert "Đã chấp nhận: Nội dung cơ quan dự kiến trao đổi" in await page.inner_text("#ket-qua")
    assert points in await page.inner_text("main")
    kept = await platform.registration.db["sessions"].find_one({"_id": session_id})
    assert list(kept["agency_points"]) == ["KT"]
    await settled(platform.registration, platform.reporting)
    await page.goto(f"{platform.url}/phien/{session_id}")  # the chair's brief (reporting's)
    assert "Phòng Kinh tế xã" in await page.inner_text("body") and points in await page.content()

    await page.goto(f"{platform.url}/hoi-nghi/{session_id}/dai-bieu")
    await page.click("#buoc-dang-ky summary")

    async def register(name: str, citizen_id: str, category: str) -> None:
        await page.fill("#f-dang-ky-full_name", name)
        await page.fill("#f-dang-ky-citizen_id", citizen_id)
        await page.fill("#f-dang-ky-date_of_birth", "1980-04-03")
        await page.select_option("#f-dang-ky-gender", "female")
        await page.select_option("#f-dang-ky-village_code", "LL")
        await page.select_option("#f-dang-ky-category", category)
        await page.click("#buoc-dang-ky button.primary")

    await register("Lăng Thị Hạnh", "020180123457", "peoples_representative")
    assert "chỉ đăng ký cán bộ của cơ quan mình" in await page.inner_text("#buoc-dang-ky")
    assert await page.input_value("#f-dang-ky-full_name") == "Lăng Thị Hạnh"  # kept
    assert await _registrations(platform) == []
    await platform.checked(page, "dang-ky-tu-choi")
    await page.select_option("#f-dang-ky-category", "official")
    await page.fill("#f-dang-ky-position", "Công chức Phòng Kinh tế")
    await page.click("#buoc-dang-ky button.primary")
    assert "Đã đăng ký, mã" in await page.inner_text("#ket-qua")
    (staff,) = await _registrations(platform)
    assert staff["category"] == "official" and staff["status"] == "confirmed"

    await browser.clear_cookies()
    head = await browser.new_page()
    await platform.login(head, "truongthon", "/")
    # the village head's own delegation before the conference, and what it still lacks
    delegation = await head.inner_text("section.delegation")
    assert "Đại biểu Lân Luông" in delegation and "1 chính thức" in delegation  # the official
    assert "Còn thiếu" in delegation and "Trưởng thôn" in delegation
    await platform.checked(head, "trang-dau-truong-thon")
    await head.goto(f"{platform.url}/hoi-nghi/{session_id}/dai-bieu")
    await head.click("#buoc-dang-ky summary")
    await head.fill("#f-dang-ky-full_name", "Nông Văn Khác")
    await head.fill("#f-dang-ky-citizen_id", "020070123456")
    await head.fill("#f-dang-ky-date_of_birth", "1970-02-01")
    await head.select_option("#f-dang-ky-gender", "male")
    await head.select_option("#f-dang-ky-village_code", "T02")
    await head.select_option("#f-dang-ky-category", "peoples_representative")
    await head.click("#buoc-dang-ky button.primary")
    assert "chỉ đăng ký người của thôn mình" in await head.inner_text("#buoc-dang-ky")
    assert len(await _registrations(platform)) == 1
