"""Legal alarms reach a person: the agency handling a complaint or denunciation is told when its
limit is near and when it has run out, and the dashboard lists the open cases by days left."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from shared.clock import FixedClock
from tests.browser import dom, http, screenshot, served
from tests.helpers import (
    RawClient,
    intake_service,
    notification_service,
    reporting_service,
    running,
)
from tests.integration.test_reporting import ARTIFACTS
from tests.waits import quiet
from tests.when import vn

RECEIVED = vn(2026, 8, 10)
COMPLAINANT = {"full_name": "Hà Thị Khiếunại", "address": "Nhà số 9, thôn Lân Luông"}
DENOUNCER = {
    "full_name": "Lò Văn Tốcáo",
    "address": "Nhà số 7 ngõ Bí Mật",
    "email": "to.cao@example.vn",
}


async def until(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    """Poll the read side until `check` gives something true; say what never came."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        found = check()
        found = await found if inspect.isawaitable(found) else found
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"chờ quá {timeout:.0f} giây mà chưa thấy: {what}")


def letters(folder: Path, template: str) -> list[str]:
    return sorted(p.read_text(encoding="utf-8") for p in folder.rglob(f"{template}-*.txt"))


async def test_open_cases_are_listed_by_days_left_and_their_agency_is_told_once(
    topology, purge_queues, own_db, tmp_path
):
    clock = FixedClock(RECEIVED)
    reporting = reporting_service(topology, clock, MONGO_DB=own_db("reporting"))
    async with (
        running(
            intake_service(topology, clock, MONGO_DB=own_db("intake"), TICK_SECONDS=0.1)
        ) as intake,
        running(
            notification_service(
                topology, clock, MONGO_DB=own_db("notification"), NOTIFY_FILE_DIR=str(tmp_path)
            )
        ) as notification,
        running(reporting),
        RawClient(topology.amqp_url) as client,
        served(reporting) as base,
        http(base) as web,
    ):

        async def send(key: str, data: dict[str, Any]) -> dict[str, Any]:
            outcome = await client.send(key, data)
            assert outcome["status"] == "accepted", (key, outcome)
            return outcome["result"]

        async def cases() -> list[dict[str, Any]]:
            return (await web.get("/api/tong-quan")).json()["cases"]

        common = {"channel": "letter", "received_at": RECEIVED.isoformat()}
        complaint = await send(
            "intake.submit-issue.v1",
            {
                **common,
                "kind": "complaint",
                "village_code": "LL",
                "content": "Khiếu nại quyết định thu hồi đất của gia đình tôi",
                "submitter": COMPLAINANT,
            },
        )
        denunciation = await send(
            "intake.submit-issue.v1",
            {
                **common,
                "kind": "denunciation",
                "village_code": "T02",
                "content": "Tố cáo cán bộ địa chính thu tiền sai quy định",
                "submitter": DENOUNCER,
            },
        )
        c, d = complaint["tracking_code"], denunciation["tracking_code"]
        clock.at = vn(2026, 8, 12)
        accepted = await send(
            "intake.accept-case.v1",
            {"tracking_code": d, "accepted_on": "2026-08-12", "officer": "Chủ tịch UBND xã"},
        )
        (notice,) = await until(lambda: letters(tmp_path, "case_accepted"), "thông báo thụ lý")
        # 18/8: the complaint must be accepted by 20/8 (10 days from receipt): 2 days left.
        clock.at = vn(2026, 8, 18)
        await until(lambda: letters(tmp_path, "legal_alarm"), "thư báo sắp hết hạn thụ lý")
        listed = await until(
            lambda: _when(cases(), lambda rows: len(rows) == 2 and rows[1]["accepted_on"]),
            "hai hồ sơ trên bảng, tố cáo đã thụ lý",
        )
        home = await asyncio.to_thread(dom, base + "/")
        await asyncio.to_thread(screenshot, base + "/", ARTIFACTS / "dashboard-ho-so.png")

        await send(
            "intake.record-settlement.v1",
            {
                "tracking_code": d,
                "decided_on": "2026-08-18",
                "decision": "Kết luận nội dung tố cáo số 3/KL-UBND",
                "officer": "Chủ tịch UBND xã",
            },
        )
        # 21/8: the complaint was never accepted: its limit ran out yesterday.
        clock.at = vn(2026, 8, 21)
        after = await until(
            lambda: _when(cases(), lambda rows: len(rows) == 1 and rows[0]["days_left"] < 0),
            "tố cáo đã giải quyết rời bảng, khiếu nại quá hạn",
        )
        await until(lambda: len(letters(tmp_path, "legal_alarm")) == 2, "thư báo quá hạn")
        await quiet(intake, notification, reporting)  # more rounds of the sweep: nothing twice

    assert [(r["ref"], r["state"], r["days_left"]) for r in listed] == [
        (c, "due_soon", 2),
        (d, "running", 24),  # 30 days from acceptance on 12/8: 11/9
    ]
    assert listed[0]["clock"] == "acceptance" and listed[1]["clock"] == "settlement"
    assert listed[1]["due"] == "11/09/2026" and listed[0]["agency"] == "Phòng Kinh tế xã"
    assert "Khiếu nại, tố cáo đang giải quyết" in home and "còn 2 ngày" in home
    assert c in home and "11/09/2026" in home
    assert [(r["ref"], r["state"], r["left_vi"]) for r in after] == [
        (c, "expired", "quá hạn 1 ngày")
    ]

    # The denouncer, who left an email, is told in writing that the case was accepted.
    assert accepted["notified"] is True and accepted["settlement_due"] == "2026-09-11"
    assert "Gửi đến: Lò Văn Tốcáo · to.cao@example.vn" in notice
    assert f"Thông báo thụ lý giải quyết tố cáo mã {d}" in notice
    assert "đã được thụ lý giải quyết ngày 12/08/2026" in notice
    assert "đến hết ngày 11/09/2026 (30 ngày kể từ ngày thụ lý" in notice
    assert "được giữ bí mật" in notice and "thu tiền sai" not in notice
    sent = letters(tmp_path, "legal_alarm")
    assert len(sent) == 2, sent  # one when due soon, one when run out: never twice
    soon = next(t for t in sent if "sắp hết thời hạn" in t)
    late = next(t for t in sent if "đã quá thời hạn" in t)
    assert "Gửi đến: Phòng Kinh tế xã · kt@thientan.example.vn" in soon
    assert f"Khiếu nại {c}: sắp hết thời hạn kiểm tra, thụ lý" in soon
    assert "ngày 20/08/2026 (còn 2 ngày)" in soon
    assert "quá thời hạn kiểm tra, thụ lý theo quy định của pháp luật 1 ngày" in late
    everything = "\n".join(sent) + home
    for secret in (*COMPLAINANT.values(), *DENOUNCER.values(), "thu tiền sai"):
        assert secret not in everything  # no person and no words of theirs in alarms or page


async def _when(rows: Awaitable[list[dict[str, Any]]], ok: Callable[[list[Any]], Any]) -> Any:
    found = await rows
    return found if ok(found) else None


POSTAL_ONLY = {"full_name": "Nông Văn Bưuchính", "address": "Nhà số 3, thôn Làng Hăng"}


async def test_each_written_notice_reaches_its_person_or_the_office_as_a_letter_by_its_day(
    topology, purge_queues, own_db, tmp_path
):
    """A complaint refused, from someone who left only a postal address: the office is asked for
    a letter, with the reasons' ground and the day; a complaint settled, from someone with an
    email: the decision reaches them, and the office is asked for the superior's and the related
    parties' copies; a withdrawn denunciation ends by a suspension decision sent to both sides.
    Judged by what notification wrote out, and the case clocks reporting holds."""
    clock = FixedClock(RECEIVED)
    reporting = reporting_service(topology, clock, MONGO_DB=own_db("reporting"))
    async with (
        running(intake_service(topology, clock, MONGO_DB=own_db("intake"))) as intake,
        running(
            notification_service(
                topology, clock, MONGO_DB=own_db("notification"), NOTIFY_FILE_DIR=str(tmp_path)
            )
        ) as notification,
        running(reporting),
        RawClient(topology.amqp_url) as client,
        served(reporting) as base,
        http(base) as web,
    ):

        async def send(key: str, data: dict[str, Any], status: str = "accepted") -> Any:
            outcome = await client.send(key, data)
            assert outcome["status"] == status, (key, outcome)
            return outcome["result"] if status == "accepted" else outcome["errors"]

        common = {"channel": "letter", "received_at": RECEIVED.isoformat(), "village_code": "LL"}
        postal = await send(
            "intake.submit-issue.v1",
            {
                **common,
                "kind": "complaint",
                "content": "Khiếu nại quyết định xử phạt năm 2025",
                "submitter": POSTAL_ONLY,
            },
        )
        emailed = await send(
            "intake.submit-issue.v1",
            {
                **common,
                "kind": "complaint",
                "content": "Khiếu nại quyết định thu hồi đất",
                "submitter": {**COMPLAINANT, "email": "khieu.nai@example.vn"},
            },
        )
        denounced = await send(
            "intake.submit-issue.v1",
            {
                **common,
                "kind": "denunciation",
                "topic_hint": "defence_security",
                "content": "Tố cáo cán bộ công an xã nhận tiền",
                "submitter": DENOUNCER,
            },
        )
        p, e, d = (x["tracking_code"] for x in (postal, emailed, denounced))
        clock.at = vn(2026, 8, 12)
        close = {"outcome": "refused", "reason": "Đã quá 90 ngày", "officer": "Chủ tịch UBND xã"}
        (no_ground,) = await send(
            "intake.close-issue.v1", {"tracking_code": p, **close}, "rejected"
        )
        refused = await send(
            "intake.close-issue.v1", {"tracking_code": p, **close, "refusal_ground": 6}
        )
        await send(
            "intake.accept-case.v1",
            {"tracking_code": e, "accepted_on": "2026-08-12", "officer": "Chủ tịch UBND xã"},
        )
        clock.at = vn(2026, 9, 11)
        settled = await send(
            "intake.record-settlement.v1",
            {
                "tracking_code": e,
                "decided_on": "2026-09-11",
                "decision": "25/QĐ-UBND",
                "officer": "Chủ tịch UBND xã",
            },
        )
        await send(
            "intake.withdraw-case.v1",
            {"tracking_code": d, "withdrawn_on": "2026-08-13", "officer": "Tiếp công dân"},
        )
        suspended = await send(
            "intake.suspend-case.v1",
            {
                "tracking_code": d,
                "decided_on": "2026-08-14",
                "decision": "31/QĐ-UBND",
                "officer": "Chủ tịch UBND xã",
            },
        )
        office_letters = await until(
            lambda: (found := letters(tmp_path, "case_letter")) and len(found) >= 5 and found,
            "năm yêu cầu gửi văn bản cho Văn phòng",
        )
        person = await until(
            lambda: (found := letters(tmp_path, "case_notice")) and len(found) >= 2 and found,
            "quyết định gửi người khiếu nại, đình chỉ gửi người tố cáo",
        )
        case = await until(
            lambda: _when(
                web.get("/api/tong-quan"),
                lambda page: not any(r["ref"] == d for r in page.json()["cases"]),
            ),
            "tố cáo đã đình chỉ rời bảng hồ sơ đang giải quyết",
        )
        await quiet(intake, notification, reporting)
        sent_twice = len(letters(tmp_path, "case_letter")), len(letters(tmp_path, "case_notice"))

    assert no_ground["field"] == "data.refusal_ground" and "Điều 11" in no_ground["message"]
    assert refused["notices"] == [
        {"kind": "refused", "to": "submitter", "send_by": "2026-08-20", "by": "letter"}
    ]
    postal_letter = next(t for t in office_letters if p in t and "không thụ lý" in t)
    assert "Gửi đến: Văn phòng HĐND và UBND xã · vp@thientan.example.vn" in postal_letter
    assert "chậm nhất hết ngày 20/08/2026" in postal_letter
    assert "chỉ để lại địa chỉ bưu chính" in postal_letter
    assert "Điều 27 Luật Khiếu nại 2011" in postal_letter
    # the decision: to the complainant's email, and letters for the superior and related parties,
    # all by 16/9 (three working days after Friday 11/9)
    assert [(n["to"], n["by"], n["send_by"]) for n in settled["notices"]] == [
        ("submitter", "contact", "2026-09-16"),
        ("superior", "letter", "2026-09-16"),
        ("related", "letter", "2026-09-16"),
    ]
    decision = next(t for t in person if e in t)
    assert "Gửi đến: Hà Thị Khiếunại · khieu.nai@example.vn" in decision
    assert "quyết định giải quyết khiếu nại số 25/QĐ-UBND ngày 11/09/2026" in decision
    assert "khiếu nại lần hai hoặc khởi kiện" in decision
    assert "Căn cứ pháp lý: Điều 31 Luật Khiếu nại 2011." in decision
    superior = next(t for t in office_letters if e in t and "thủ trưởng cấp trên" in t)
    assert "chậm nhất hết ngày 16/09/2026" in superior
    # the denunciation went to the chairman whatever its topic, and ended by suspension
    assert [(n["to"], n["by"]) for n in suspended["notices"]] == [
        ("submitter", "contact"),
        ("denounced", "letter"),
    ]
    stopped = next(t for t in person if d in t)
    assert "Gửi đến: Lò Văn Tốcáo · to.cao@example.vn" in stopped
    assert "được đình chỉ theo quyết định 31/QĐ-UBND ngày 14/08/2026" in stopped
    assert case and sent_twice == (5, 2)  # each notice once, however often the sweep ran
    for secret in ("Nông Văn", "Làng Hăng", "nhận tiền", "quá 90", "thu hồi đất"):
        assert all(secret not in letter for letter in office_letters)  # no person in the office's
