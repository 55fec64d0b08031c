"""The office's queue in a real browser: a complaint received at the desk shows in the clerk's
queue with its days left; the clerk accepts it for settlement (a refusal first, next to its
field), and the issue's history names who did it; an agency officer sees only their agency's
issues and records an answer; the chair's conclusion and the public summary are recorded. The
judge is intake's own database."""

from __future__ import annotations

from services.office.people import development_accounts
from tests.office.conftest import NOW

COMPLAINT = "Khiếu nại việc thu tiền làm đường thôn Lân Luông không đúng quy định"


async def _receive(
    office, page, kind: str, content: str, named: bool = True, topic: str | None = None
) -> str:
    if "/dang-nhap" in (await page.goto(office.url + "/tiep-nhan")).url:
        await office.login(page, "motcua", "/tiep-nhan")
    await page.check(f"input[name=kind][value={kind}]")
    await page.select_option("#f-village_code", "LL")
    await page.fill("#f-content", content)
    if topic:
        await page.select_option("#f-topic_hint", topic)
    if named:
        await page.fill("#f-submitter-full_name", "Hoàng Văn Dân")
        await page.fill("#f-submitter-address", "Thôn Lân Luông, xã Thiện Tân")
    await page.click("button.primary")
    return (await page.inner_text(".receipt .code")).strip()


async def _issue(office, code: str) -> dict:
    return await office.intake.db["issues"].find_one({"_id": code})


async def test_the_clerk_accepts_a_complaint_from_the_queue_and_the_history_names_them(
    office, browser
):
    desk = await browser.new_page()
    code = await _receive(office, desk, "complaint", COMPLAINT)
    await browser.clear_cookies()

    page = await browser.new_page()
    await office.login(page, "vanphong", "/hang-doi")
    assert page.url.endswith("/hang-doi")
    row = page.locator("ul.queue li", has=page.locator("a", has_text=code))
    assert "còn" in await row.inner_text() and "Khiếu nại" in await row.inner_text()
    await office.checked(page, "hang-doi")

    await row.locator("a").click()
    assert COMPLAINT in await page.inner_text("blockquote.content")
    await page.click("#buoc-thu-ly summary")
    await page.fill("#f-thu-ly-accepted_on", "2026-08-01")  # before it was received
    await page.click("#buoc-thu-ly button.primary")
    assert "/hang-doi/" + code + "/thu-ly" in page.url
    assert await page.locator("#buoc-thu-ly .errors").count() == 1
    assert await page.input_value("#f-thu-ly-accepted_on") == "2026-08-01"
    await office.checked(page, "y-kien-tu-choi")
    assert (await _issue(office, code))["legal"]["accepted_on"] is None

    await page.fill("#f-thu-ly-accepted_on", NOW.date().isoformat())
    await page.click("#buoc-thu-ly button.primary")
    assert "Đã chấp nhận: Thụ lý" in await page.inner_text("#ket-qua")
    assert "Thụ lý" in await page.inner_text(".history")
    assert "Trần Văn Phòng (vanphong)" in await page.inner_text(".history")
    await office.checked(page, "y-kien")
    stored = await _issue(office, code)
    assert stored["legal"]["accepted_on"] == NOW.date().isoformat()
    (accepted,) = [c for c in stored["history"] if c["action"] == "accepted"]
    assert accepted["by"] == "Trần Văn Phòng" and accepted["acted_by"].endswith("(vanphong)")


async def test_an_agency_officer_answers_their_own_issues_and_cannot_open_another_agencys(
    office, browser
):
    ref = office.intake.reference
    (officer,) = [a for a, _ in development_accounts(ref) if a.role == "agency"]
    ours = next(t.code for t in ref.topics if t.agency == officer.agency)
    theirs = next(t.code for t in ref.topics if t.agency != officer.agency)
    desk = await browser.new_page()
    mine = await _receive(office, desk, "recommendation", "Đề nghị sửa đèn", False, ours)
    other = await _receive(office, desk, "recommendation", "Đề nghị làm cống", False, theirs)
    await browser.clear_cookies()

    page = await browser.new_page()
    await office.login(page, "coquan", "/hang-doi")
    listed = await page.inner_text("main")
    assert mine in listed and other not in listed
    await office.checked(page, "hang-doi-co-quan")
    answer = await page.goto(f"{office.url}/hang-doi/{other}")
    assert answer.status == 404
    forged = await page.request.post(
        f"{office.url}/hang-doi/{other}/tra-loi",
        form={"agency_code": officer.agency, "answer": "Không phải việc của mình"},
    )
    assert forged.status in (403, 404)

    await page.goto(f"{office.url}/hang-doi/{mine}")
    steps = await page.locator("details summary").all_inner_texts()
    assert steps == ["Ghi câu trả lời đề xuất"]  # an agency's own step, not the office's
    await page.click("#buoc-tra-loi summary")
    await page.select_option("#f-tra-loi-agency_code", officer.agency)
    await page.fill("#f-tra-loi-answer", "Tháng 10 sẽ thay bóng đèn hỏng.")
    await page.click("#buoc-tra-loi button.primary")
    assert "Đã chấp nhận" in await page.inner_text("#ket-qua")
    assert (await _issue(office, mine))["status"] == "answer_proposed"
    assert (await _issue(office, other))["status"] != "answer_proposed"


async def test_a_village_head_settles_their_villages_matter_and_cannot_reach_another_village(
    office, browser
):
    ref = office.intake.reference
    (head,) = [a for a, _ in development_accounts(ref) if a.role == "village_head"]
    other = next(v.code for v in ref.villages if v.code != head.village)
    desk = await browser.new_page()
    ours = await _receive(office, desk, "feedback", "Phản ánh rác thải ở đầu thôn", False)
    await desk.goto(office.url + "/tiep-nhan")
    await desk.check("input[name=kind][value=feedback]")
    await desk.select_option("#f-village_code", other)
    await desk.fill("#f-content", "Phản ánh đường hỏng ở thôn khác")
    await desk.click("button.primary")
    theirs = (await desk.inner_text(".receipt .code")).strip()
    complaint = await _receive(office, desk, "complaint", COMPLAINT)
    await browser.clear_cookies()

    page = await browser.new_page()
    await office.login(page, "truongthon", "/hang-doi")
    listed = await page.inner_text("main")
    assert ours in listed and theirs not in listed
    assert complaint not in listed  # a complaint's words stay with the office
    assert (await page.goto(f"{office.url}/hang-doi/{theirs}")).status == 404
    forged = await page.request.post(
        f"{office.url}/hang-doi/{theirs}/thon", form={"reason": "Không phải thôn mình"}
    )
    assert forged.status in (403, 404)
    assert (await _issue(office, theirs))["status"] != "settled_in_village"

    await page.goto(f"{office.url}/hang-doi/{ours}")
    assert await page.locator("details summary").all_inner_texts() == ["Đã giải quyết tại thôn"]
    await page.click("#buoc-thon summary")
    await page.fill("#f-thon-reason", "Thôn đã tổ chức dọn rác cuối tuần.")
    await page.click("#buoc-thon button.primary")
    assert "Đã chấp nhận: Đã giải quyết tại thôn" in await page.inner_text("#ket-qua")
    await office.checked(page, "y-kien-thon")
    stored = await _issue(office, ours)
    assert stored["status"] == "settled_in_village"
    assert stored["history"][-1]["acted_by"].endswith("(truongthon)")
