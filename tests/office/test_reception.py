"""Reception in a real browser: a paper complaint entered, refused with the law's reason next to
the person's fields and the form kept, then received, its receipt with the tracking code; the
same form sent twice done once; a form without its CSRF token refused; a session that ended
while someone typed keeps what they typed across the login. Intake's own database is the judge."""

from __future__ import annotations

from tests.office.conftest import NOW

COMPLAINT = "Khiếu nại việc thu tiền làm đường thôn Lân Luông không đúng quy định"


async def _issues(office) -> list[dict]:
    return [doc async for doc in office.intake.db["issues"].find({})]


async def test_a_clerk_enters_a_paper_complaint_and_prints_its_receipt(office, browser):
    page = await browser.new_page()
    await page.goto(office.url + "/tiep-nhan")
    assert "/dang-nhap" in page.url
    await office.checked(page, "dang-nhap")
    await office.login(page, "motcua", "/tiep-nhan")
    assert page.url.endswith("/tiep-nhan")
    await office.checked(page, "tiep-nhan")

    await page.check("input[name=kind][value=complaint]")
    await page.select_option("#f-village_code", "LL")
    await page.fill("#f-content", COMPLAINT)
    await page.click("button.primary")
    # refused: the law's reason beside the person's fields, and what was typed still there
    assert "Chưa chấp nhận" in await page.inner_text("#ket-qua")
    assert "Điều 8 Luật Khiếu nại 2011" in await page.inner_text("fieldset.person .errors")
    assert await page.input_value("#f-content") == COMPLAINT
    assert await page.is_checked("input[name=kind][value=complaint]")
    await office.checked(page, "tiep-nhan-tu-choi")
    assert await _issues(office) == []

    await page.fill("#f-submitter-full_name", "Hoàng Văn Dân")
    await page.fill("#f-submitter-address", "Thôn Lân Luông, xã Thiện Tân")
    await page.click("button.primary")
    assert "/ket-qua/" in page.url
    code = (await page.inner_text(".receipt .code")).strip()
    assert code.startswith("TT-2026-")
    assert "Khiếu nại" in await page.inner_text(".receipt")
    assert await page.is_visible("button[data-print]")  # the script shows it; CSS hides the rest
    await office.checked(page, "bien-nhan")

    (issue,) = await _issues(office)
    assert issue["_id"] == code and issue["kind"] == "complaint" and issue["channel"] == "letter"
    # who acted, on every change the command made, as intake's own history keeps it
    assert {c["acted_by"] for c in issue["history"]} == {
        "guest: Lê Thị Một Cửa (motcua)"  # the test broker's user sends for the office here
    }


async def test_the_same_form_sent_twice_is_done_once(office, browser):
    page = await browser.new_page()
    await office.login(page, "motcua", "/tiep-nhan")
    await page.check("input[name=kind][value=recommendation]")
    await page.select_option("#f-village_code", "LL")
    await page.fill("#f-content", "Đề nghị sửa đèn đường")
    fields = await page.evaluate(
        "[...new FormData(document.querySelector('form.task'))].map(([k, v]) => [k, v])"
    )
    await page.click("button.primary")
    first = page.url
    assert "/ket-qua/" in first
    # the same form posted again (a double click, the back button and send): the first outcome
    again = await page.request.post(office.url + "/tiep-nhan", form=dict(fields))
    assert again.url == first and again.ok
    assert "Biểu mẫu này đã được gửi trước đó" not in await again.text()  # the first page, kept
    assert len(await _issues(office)) == 1


async def test_a_form_without_its_csrf_token_is_refused_and_sends_nothing(office, browser):
    page = await browser.new_page()
    await office.login(page, "motcua", "/tiep-nhan")
    fields = await page.evaluate(
        "[...new FormData(document.querySelector('form.task'))].map(([k, v]) => [k, v])"
    )
    forged = {k: v for k, v in fields if k != "_csrf"} | {
        "kind": "recommendation",
        "village_code": "LL",
        "content": "Gửi từ trang khác",
    }
    answer = await page.request.post(office.url + "/tiep-nhan", form=forged)
    assert answer.status == 403 and "mã bảo vệ" in await answer.text()
    assert await _issues(office) == []


async def test_a_session_that_ended_while_typing_keeps_what_was_typed_across_the_login(
    office, browser
):
    page = await browser.new_page()
    await office.login(page, "motcua", "/tiep-nhan")
    await page.check("input[name=kind][value=feedback]")
    await page.select_option("#f-village_code", "LL")
    await page.fill("#f-content", "Phản ánh đường ngập nước sau mưa")
    office.clock.at = NOW.replace(hour=NOW.hour + 10)  # past the 9-hour session
    await page.click("button.primary")
    assert "/dang-nhap" in page.url
    assert "những gì đã nhập được giữ nguyên" in await page.inner_text("main")
    await page.fill("#f-ten", "motcua")
    await page.fill("#f-mat-khau", "thu-motcua")
    await page.click("button[type=submit]")
    assert "/tiep-nhan" in page.url
    assert await page.input_value("#f-content") == "Phản ánh đường ngập nước sau mưa"
    assert await page.is_checked("input[name=kind][value=feedback]")
    assert await _issues(office) == []  # nothing was sent for a session that had ended
    await page.click("button.primary")
    assert "/ket-qua/" in page.url
    assert len(await _issues(office)) == 1


async def test_no_outcome_in_time_keeps_the_form_and_sending_it_again_says_how_it_ended(
    topology, purge_queues, own_db, browser
):
    """Intake is down when the clerk sends: the page says the command is pending and keeps the
    form under the same command id; intake comes back and applies the first sending; the same
    form sent again gets that outcome (the receipt), and intake holds the issue once."""
    from shared.clock import FixedClock
    from tests.browser import served
    from tests.helpers import intake_service, office_service, running
    from tests.office.conftest import Office

    clock = FixedClock(NOW)
    office = office_service(topology, clock, MONGO_DB=own_db("office"), OFFICE_OUTCOME_SECONDS=1)
    intake = intake_service(topology, clock, MONGO_DB=own_db("intake"))
    async with running(office), served(office) as url:
        pages = Office(url, clock, office, intake)
        page = await browser.new_page()
        await pages.login(page, "motcua", "/tiep-nhan")
        await page.check("input[name=kind][value=recommendation]")
        await page.select_option("#f-village_code", "LL")
        await page.fill("#f-content", "Đề nghị làm lại cầu tràn")
        command_id = await page.input_value("input[name=_lenh]")
        await page.click("button.primary")
        assert "Chưa nhận được kết quả" in await page.inner_text("main")
        assert await page.input_value("input[name=_lenh]") == command_id  # the same command
        assert await page.input_value("#f-content") == "Đề nghị làm lại cầu tràn"
        await pages.checked(page, "tiep-nhan-cho-ket-qua")
        async with running(intake):
            await page.click("button.primary")
            assert "/ket-qua/" + command_id in page.url
            assert (await page.inner_text(".receipt .code")).startswith("TT-2026-")
            assert await intake.db["issues"].count_documents({}) == 1


async def test_wrong_passwords_lock_the_login_out_and_say_for_how_long(office, browser):
    page = await browser.new_page()
    for _ in range(5):
        await page.goto(office.url + "/dang-nhap")
        await page.fill("#f-ten", "motcua")
        await page.fill("#f-mat-khau", "sai-mat-khau")
        await page.click("button[type=submit]")
        assert "không đúng" in await page.inner_text("#ket-qua")
    await page.goto(office.url + "/dang-nhap")
    await page.fill("#f-ten", "motcua")
    await page.fill("#f-mat-khau", "thu-motcua")  # right, but too late
    answer = await page.request.post(
        office.url + "/dang-nhap",
        form={
            "_csrf": await page.input_value("input[name=_csrf]"),
            "ten": "motcua",
            "mat_khau": "thu-motcua",
            "next": "/",
        },
    )
    assert answer.status == 429 and "thử lại sau" in await answer.text()
    await page.click("button[type=submit]")
    assert "Đăng nhập sai quá nhiều lần" in await page.inner_text("#ket-qua")
    assert office.office.spec.shown["logins"]()["locked_accounts"] == ["motcua"]
