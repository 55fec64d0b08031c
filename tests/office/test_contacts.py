"""The reference data the office keeps, in the browser: a village head's contact changed by the
clerk (a refusal first, beside its field), in force for the very next notice without a restart
(the notice as notification delivered it names the new phone), every version kept with who set
it; registration's database holds the contact sealed; the commune office's own address changed
the same way through intake, and registration's next alarm to the office goes there; a village
head cannot open the page."""

from __future__ import annotations

from pathlib import Path

from tests.office.test_conference import _scheduled
from tests.waits import settled

OFFICE_EMAIL = "vanphong.moi@thientan.example.vn"


def _text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


async def test_a_clerk_changes_a_village_heads_contact_and_the_next_notice_goes_there(
    platform, browser, topology
):
    page = await browser.new_page()
    await platform.login(page, "vanphong", "/danh-ba")
    assert "Lân Luông" in await page.locator("table.contacts").nth(1).inner_text()
    await platform.checked(page, "danh-ba")
    # the commune office's own address (intake's, announced to registration)
    await page.click("a[href='/danh-ba/co-quan/VP']")
    await page.fill("#f-email", "khong-phai-thu")
    await page.click("form.task button.primary")
    assert "Địa chỉ thư điện tử không hợp lệ" in await page.inner_text("form.task .errors")
    await platform.checked(page, "danh-ba-co-quan-tu-choi")
    await page.fill("#f-email", OFFICE_EMAIL)
    await page.click("form.task button.primary")
    assert "Đã lưu (phiên bản 1)" in await page.inner_text("#ket-qua")
    assert OFFICE_EMAIL in await page.inner_text("ol.history")
    await platform.checked(page, "danh-ba-co-quan")
    await page.goto(f"{platform.url}/danh-ba")
    await page.click("table.contacts a:text('Lân Luông')")
    await page.fill("#f-head_name", "Hoàng Văn Mới")
    await page.fill("#f-head_phone", "")
    await page.fill("#f-head_email", "")
    await page.click("form.task button.primary")
    assert "Cần số điện thoại hoặc thư điện tử" in await page.inner_text("form.task .errors")
    assert await page.input_value("#f-head_name") == "Hoàng Văn Mới"  # kept as typed
    await platform.checked(page, "danh-ba-tu-choi")
    assert await platform.registration.db["village_heads"].count_documents({}) == 0

    await page.fill("#f-head_phone", "0987 654 321")
    await page.fill("#f-note", "Thôn bầu Trưởng thôn mới")
    await page.click("form.task button.primary")
    assert "Đã lưu (phiên bản 1)" in await page.inner_text("#ket-qua")
    history = await page.inner_text("ol.history")
    assert "Hoàng Văn Mới · 0987 654 321" in history and "Trần Văn Phòng (vanphong)" in history
    await platform.checked(page, "danh-ba-thon")
    [kept] = [d async for d in platform.registration.db["village_heads"].find({})]
    assert kept["village_code"] == "LL" and "0987" not in str(kept["personal"])  # sealed

    # In force for the next notice, no restart: the conference's schedule to the village heads.
    session_id = await _scheduled(platform, topology)
    await settled(platform.registration, platform.notification)
    told = await platform.notification.db["messages"].find_one(
        {"template": "schedule_announcement", "cause_id": {"$regex": ":village:LL$"}}
    )
    assert told is not None and told["status"] == "delivered", told
    delivered = _text(told["provider_ref"])
    assert "Gửi đến: Hoàng Văn Mới · 0987 654 321" in delivered
    # the villages with no head known: registration's alarm to the office, at its new address
    alarm = await platform.notification.db["messages"].find_one(
        {
            "template": "office_alarm",
            "cause_id": {"$regex": f"^schedule:{session_id}:.*:heads-unknown$"},
        }
    )
    assert alarm is not None, "no alarm to the office"
    assert OFFICE_EMAIL in _text(alarm["provider_ref"])

    await browser.clear_cookies()
    head = await browser.new_page()
    await platform.login(head, "truongthon", "/danh-ba")
    assert "không" in (await head.inner_text("main")).lower()
    response = await head.request.get(f"{platform.url}/danh-ba/thon/LL")
    assert response.status == 403
