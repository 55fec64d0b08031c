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
