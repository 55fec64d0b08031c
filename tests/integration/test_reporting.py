"""Reporting's read models from the real services' events: right, rebuilt alike, order-proof."""

from __future__ import annotations

import asyncio
import io
import json
import random
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from services.reporting.projection import rebuild
from services.reporting.projections import group_of
from services.reporting.store import ReadModels, Record
from shared.clock import FixedClock
from tests.helpers import (
    EventSpy,
    RawClient,
    delegate,
    intake_service,
    notification_service,
    publish_cloud_events,
    registration_service,
    reporting_service,
    running,
    session_data,
)
from tests.waits import quiet, settled
from tests.when import vn

AUGUST = vn(2026, 8, 10)
CONFERENCE = vn(2026, 9, 25, 8, 0)
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"


def submission(village: str, content: str, **more: Any) -> dict[str, Any]:
    return {
        "kind": "recommendation",
        "channel": "village_head",
        "village_code": village,
        "content": content,
        "received_at": AUGUST.isoformat(),
        **more,
    }


async def story(
    client: RawClient, clock: FixedClock, settle: Callable[[], Awaitable[None]]
) -> dict[str, Any]:
    """A conference from plan to overdue conclusion, through the real services; `settle` waits
    until every one of them is quiet."""

    async def send(key: str, data: dict[str, Any]) -> dict[str, Any]:
        outcome = await client.send(key, data)
        assert outcome["status"] == "accepted", (key, outcome)
        return outcome.get("result") or {}

    created = await send(
        "registration.create-session.v1", session_data(representatives_per_village=2)
    )
    sid = created["session_id"]
    await send(
        "registration.schedule-session.v1",
        {"session_id": sid, "starts_at": CONFERENCE.isoformat(), "venue": "Hội trường xã"},
    )
    people = [
        (1, "LL", "peoples_representative"),
        (2, "LL", "peoples_representative"),
        (3, "LL", "peoples_representative"),  # the third of LL waits
        (4, "T02", "peoples_representative"),
        (5, "T02", "peoples_representative"),
        (6, "LL", "village_head"),
        (7, "LL", "official"),
    ]
    codes = {}
    for n, village, category in people:
        result = await send(
            "registration.register-delegate.v1",
            delegate(sid, n, village_code=village, category=category),
        )
        codes[n] = result["registration_code"]
    await send("registration.cancel-registration.v1", {"registration_code": codes[1]})

    content = "Đề nghị xã sớm chi trả tiền đền bù giải phóng mặt bằng tuyến đường thôn"
    a = await send("intake.submit-issue.v1", submission("LL", content))
    b = await send("intake.submit-issue.v1", submission("LL", content))
    assert b["merged_into"] == a["tracking_code"]
    await send(
        "intake.submit-issue.v1",
        submission("T02", "Phản ánh đèn chiếu sáng công cộng hỏng nhiều tháng", kind="feedback"),
    )
    d = await send("intake.submit-issue.v1", submission("T05", "Đề nghị nâng cấp quốc lộ qua xã"))
    await send(
        "intake.close-issue.v1",
        {
            "tracking_code": d["tracking_code"],
            "outcome": "referred",
            "reason": "Thẩm quyền của tỉnh",
            "officer": "Văn phòng",
        },
    )
    await send(
        "intake.record-answer.v1",
        {"tracking_code": a["tracking_code"], "agency_code": "KT", "answer": "Đã lập phương án"},
    )
    clock.at = CONFERENCE - timedelta(minutes=30)
    for n in (2, 3, 4, 6):
        await send("registration.check-in.v1", {"registration_code": codes[n]})
    clock.at = CONFERENCE + timedelta(hours=3)
    await send(
        "registration.conclude-session.v1",
        {
            "session_id": sid,
            "chaired_by": "Ông Lý Hoàng Long, Chủ tịch UBND xã",
            "concluded_by": "Ông Lý Hoàng Long, Chủ tịch UBND xã",
        },
    )
    conclusion = {
        "tracking_code": a["tracking_code"],
        "session_id": sid,
        "conclusion": "Chi trả xong trước 15/10/2026",
        "responsible_agency": "KT",
        "deadline": "2026-10-15",
    }
    await settle()  # intake has learnt the conference was held from registration's event
    outcome = await client.send("intake.record-conclusion.v1", conclusion)
    assert outcome["status"] == "accepted", outcome
    await send(  # the office approves the conclusion's public wording; the answer stays unapproved
        "intake.approve-summary.v1",
        {
            "tracking_code": a["tracking_code"],
            "public_conclusion": "Chi trả xong trước 15/10/2026",
            "officer": "Chánh Văn phòng",
        },
    )
    clock.at = CONFERENCE + timedelta(days=6)  # reported as it happens, never dated ahead
    await send(
        "intake.update-followup.v1",
        {
            "tracking_code": a["tracking_code"],
            "status": "in_progress",
            "note": "Đang chi trả",
            "reported_at": clock.at.isoformat(),
        },
    )
    clock.at = vn(2026, 10, 20)  # the ticker finds it overdue
    return {"session_id": sid}


def shuffled_within_the_bus_rules(rows: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Interleave different things' events at random, each thing's own in order; repeat some."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        key = row["type"].removeprefix("vn.nghedan.")
        group = group_of(key, row["data"]) or f"other:{row['id']}"  # the service's own keys
        groups.setdefault(group, []).append(row)
    rng = random.Random(seed)
    queues = list(groups.values())
    out: list[dict[str, Any]] = []
    while queues:
        queue = rng.choice(queues)
        row = queue.pop(0)
        out.append(row)
        if rng.random() < 0.25:
            out.append(row)  # delivered twice
        if not queue:
            queues.remove(queue)
    return out


async def replay_into_queue(url: str, rows: list[dict[str, Any]]) -> None:
    """The recorded events, on nghedan.events under their own routing keys, as the bus would
    deliver them (a message put straight into a queue is parked: it did not come the way its
    type travels)."""
    fields = ("id", "source", "type", "subject", "data")
    events = [
        {"specversion": "1.0", "datacontenttype": "application/json"}
        | {k: row[k] for k in fields if row.get(k) is not None}
        | ({"time": row["time"].isoformat()} if row.get("time") else {})
        for row in rows
    ]
    await publish_cloud_events(
        url, "nghedan.events", [(e["type"].removeprefix("vn.nghedan."), e) for e in events]
    )


async def test_figures_follow_the_events_and_are_the_same_rebuilt_or_shuffled(
    topology, purge_queues, own_db, tmp_path
):
    clock = FixedClock(AUGUST)
    services = (
        registration_service(topology, clock, MONGO_DB=own_db("registration")),
        intake_service(topology, clock, MONGO_DB=own_db("intake"), TICK_SECONDS=0.3),
        notification_service(
            topology, clock, MONGO_DB=own_db("notification"), NOTIFY_FILE_DIR=str(tmp_path)
        ),
    )
    reporting = reporting_service(topology, clock, MONGO_DB=own_db("reporting"))
    async with (
        running(services[0]),
        running(services[1]),
        running(services[2]),
        running(reporting),
        RawClient(topology.amqp_url) as client,
    ):
        everyone = (*services, reporting)
        told = await story(client, clock, lambda: quiet(*everyone))
        models = ReadModels(reporting.db)
        await quiet(*everyone)  # the follow-up found overdue has reached reporting too
        received = await reporting.db["event_log"].count_documents({})
        session = await models.figures_of(f"session:{told['session_id']}")
        period = await models.figures_of("period:2026-Q3")
        delivery = await models.figures_of("delivery")
        live = await models.all_figures()
        rows = [r async for r in reporting.db["event_log"].find({}).sort("_id", 1)]
        rebuilt = type(models)(models.db, prefix="rb_")
        replayed_from_log = await rebuild(rebuilt, Record(models.db))
        rebuilt_figures = await rebuilt.all_figures()

    # Who was told what, in figures: 7 registered, 1 withdrew, the waiting one moved up.
    assert session["total"] == {"confirmed": 6, "attended": 4}
    assert session["category"]["peoples_representative"] == {"confirmed": 4, "attended": 3}
    assert session["category"]["village_head"] == {"confirmed": 1, "attended": 1}
    assert session["village"]["LL"] == {"confirmed": 4, "attended": 3}
    assert session["village"]["T02"] == {"confirmed": 2, "attended": 1}
    # Four submissions: one merged into the first (raised by 2), one referred to the province.
    assert period["issues"] == 3 and period["raised_by"] == 4
    assert period["state"]["merged"] == 1 and period["state"]["referred"] == 1
    assert period["state"]["in_followup"] == 1
    assert period["kind"] == {"recommendation": 2, "feedback": 1}
    assert period["village"] == {"LL": 1, "T02": 1, "T05": 1}
    assert period["topic"]["compensation"] == 1 and period["agency"]["KT"] >= 1
    assert period["answers"] == 1 and period["conclusions"] == 1
    assert period["followup"] == {"overdue": 1}
    assert delivery["status"]["delivered"] >= 6  # invitations and the rest, by the file channel
    assert "late" not in delivery

    assert replayed_from_log == received
    assert rebuilt_figures == live

    replayed = shuffled_within_the_bus_rules(rows, seed=7)
    assert len(replayed) > len(rows)
    print(f"{len(rows)} events recorded, {len(replayed)} replayed shuffled with repeats")
    fresh = reporting_service(topology, clock, MONGO_DB=own_db("reporting") + "_again")
    async with running(fresh):
        await replay_into_queue(topology.amqp_url, replayed)
        await settled(fresh)
        assert await fresh.db["event_log"].count_documents({}) == len(rows)  # duplicates dropped
        assert await ReadModels(fresh.db).all_figures() == live


async def test_the_results_announcement_is_issued_as_docx_pdf_and_json_and_fed_to_the_province(
    topology, purge_queues, own_db, tmp_path
):
    import httpx
    from docx import Document
    from pypdf import PdfReader

    clock = FixedClock(AUGUST)
    reporting = reporting_service(topology, clock, MONGO_DB=own_db("reporting"))
    async with (
        running(registration_service(topology, clock, MONGO_DB=own_db("registration"))) as reg,
        running(
            intake_service(topology, clock, MONGO_DB=own_db("intake"), TICK_SECONDS=0.3)
        ) as intake,
        running(reporting),
        RawClient(topology.amqp_url) as client,
        # A province system binds a queue of its own to the results, as the contract says.
        EventSpy(topology.amqp_url, "dialogue.#", exchange="nghedan.provincial") as province,
    ):
        told = await story(client, clock, lambda: quiet(reg, intake, reporting))
        sid = told["session_id"]
        await province.wait_for("dialogue.followup.updated.v1", 2)
        early = await client.send("reporting.issue-results.v1", {"session_id": "TT-2026-DK9"})
        await quiet(reg, intake, reporting)
        clock.at = vn(2026, 10, 2)  # the office issues it on 2/10
        issued = await client.send(
            "reporting.issue-results.v1",
            {
                "session_id": sid,
                "document_number": "123/TB-UBND",
                "issued_on": "2026-10-02",
                "signer_name": "Lý Hoàng Long",
            },
        )
        clock.at = vn(2026, 10, 20)
        again = await client.send("reporting.issue-results.v1", {"session_id": sid})
        (published,) = await province.wait_for("dialogue.results.published.v1")
        replay = await client.send("reporting.replay-results.v1", {"period": "2026-Q3"})
        await province.wait_for("dialogue.results.published.v1", 2)
        await dashboard_in_a_browser(reporting, sid)
        transport = httpx.ASGITransport(app=reporting.spec.web)
        async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as web:
            as_json = (await web.get(f"/phien/{sid}/thong-bao.json")).json()
            docx = await web.get(f"/phien/{sid}/thong-bao.docx")
            pdf = await web.get(f"/phien/{sid}/thong-bao.pdf")
            missing = await web.get("/phien/TT-2026-DK9/thong-bao.pdf")
            figures = (await web.get(f"/api/phien/{sid}")).json()

    assert early["status"] == "rejected" and early["errors"][0]["code"] == "unknown_session"
    assert issued["status"] == "accepted", issued
    assert (
        issued["result"]["late"] is False and issued["result"]["results_deadline"] == "2026-10-05"
    )
    assert again["result"]["already_issued"] is True
    assert replay["result"]["replayed"] == [sid]
    # What the province received matches what was sent in.
    data = published["data"]
    assert data["session_id"] == sid and data["replay"] is False
    assert data["participation"]["attended"] == 4
    assert data["participation"]["delegates_expected"] == 6
    assert data["participation"]["citizens_by_village"] == {"LL": 3, "T02": 1}
    assert data["participation"]["citizens_by_category"] == {
        "peoples_representative": 3,
        "village_head": 1,
    }
    matters = {m["ref"]: m for m in data["matters"]}
    concluded = [m for m in matters.values() if m["conclusion"]]
    assert len(concluded) == 1 and concluded[0]["deadline"] == "2026-10-15"
    assert concluded[0]["raised_by_count"] == 2 and concluded[0]["responsible_agency"] == "KT"
    assert province.of_type("dialogue.results.published.v1")[1]["data"]["replay"] is True
    feed = [e["data"]["status"] for e in province.of_type("dialogue.followup.updated.v1")]
    assert feed[:2] == ["in_progress", "overdue"]
    wire = json.dumps(province.events, ensure_ascii=False)
    assert "Người Thử" not in wire and "0900000" not in wire  # no delegate's name or phone

    assert as_json["document_number"] == "123/TB-UBND" and as_json["late"] is False
    assert figures["delegates"]["total"] == {"confirmed": 6, "attended": 4}
    assert missing.status_code == 404

    document = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "THÔNG BÁO" in text and "Chi trả xong trước 15/10/2026" in text
    # The answer was recorded but its wording never approved: that it exists, not what it says.
    assert "cơ quan đã có ý kiến trả lời; nội dung chưa được duyệt để công bố." in text
    assert "Đã lập phương án" not in text + json.dumps(data, ensure_ascii=False)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells and "Độc lập - Tự do - Hạnh phúc" in cells
    assert "Số: 123/TB-UBND" in cells and "Thiện Tân, ngày 02 tháng 10 năm 2026" in cells
    assert "Nơi nhận:" in cells and "TM. ỦY BAN NHÂN DÂN" in cells and "Lý Hoàng Long" in cells
    assert "Lân Luông: 3" in text and "Người Thử" not in text + cells
    assert "4/6 đại biểu được mời tham dự; Ông Lý Hoàng Long, Chủ tịch UBND xã chủ trì;" in text

    reader = PdfReader(io.BytesIO(pdf.content))
    pages = "\n".join(page.extract_text() for page in reader.pages)
    assert "THÔNG BÁO" in pages and "Độc lập - Tự do - Hạnh phúc" in pages
    assert "Chi trả xong trước 15/10/2026" in pages and "Nơi nhận:" in pages
    keep_first_page_as_image(pdf.content, "thong-bao-ket-qua-trang-1.png")


def keep_first_page_as_image(pdf: bytes, name: str) -> None:
    """The first page rendered to PNG, kept in test-artifacts/ for people to look at."""
    import pypdfium2

    ARTIFACTS.mkdir(exist_ok=True)
    page = pypdfium2.PdfDocument(pdf)[0]
    page.render(scale=1.5).to_pil().save(ARTIFACTS / name)
    assert (ARTIFACTS / name).stat().st_size > 10_000


async def dashboard_in_a_browser(reporting: Any, sid: str) -> None:
    """The dashboard served over HTTP as in production, read by Chromium like a phone would."""
    from tests import browser

    async with browser.served(reporting) as base:
        page = await asyncio.to_thread(browser.dom, f"{base}/phien/{sid}")
        shot = ARTIFACTS / "dashboard-phien.png"
        await asyncio.to_thread(browser.screenshot, f"{base}/phien/{sid}", shot)
        period = await asyncio.to_thread(browser.dom, f"{base}/ky/2026-Q3")
        await asyncio.to_thread(
            browser.screenshot, f"{base}/ky/2026-Q3", ARTIFACTS / "dashboard-ky.png"
        )
        home = await asyncio.to_thread(browser.dom, base + "/")
        async with browser.http(base) as web:
            brief = (await web.get(f"/api/phien/{sid}/tom-tat")).json()
            overview = (await web.get("/api/ky/2026-Q3")).json()
    assert "Đại biểu theo thôn" in page and "<svg" in page
    assert "Lân Luông: 3 có mặt" in page and "Thôn 02: 1 có mặt" in page
    assert "Chi trả xong trước 15/10/2026" in page and "quá hạn" in page
    assert "Người Thử" not in page  # never a delegate's name
    assert "Kết luận quá hạn" in period and "Đền bù, giải phóng mặt bằng" in period
    assert f'href="/phien/{sid}"' in home
    assert shot.stat().st_size > 10_000
    assert brief["delegates_expected_by_village"] == {"LL": 4, "T02": 2}
    codes = [i["tracking_code"] for g in brief["groups"] for i in g["items"]]
    assert codes and brief["groups"][0]["topic_name"]
    assert overview["followup"] == {"overdue": 1} and overview["overdue"][0]["days"] == 5
