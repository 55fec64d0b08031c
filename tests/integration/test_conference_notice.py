"""The public announcement of a conference (Law 72/2025, Art. 43): time, place, content, how to
attend and the online link, as a document for the commune's board and the media and as a text for
the village loudspeakers; dated the day it is made, so it cannot be backdated."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from shared.clock import FixedClock
from tests.browser import http, served
from tests.helpers import RawClient, registration_service, reporting_service, running, session_data
from tests.integration.test_reporting import keep_first_page_as_image
from tests.waits import settled
from tests.when import vn

AUGUST = vn(2026, 8, 10)
STARTS = vn(2026, 9, 25, 8, 0)
BRIEFING = {
    "title": "Báo cáo tình hình kinh tế - xã hội 9 tháng đầu năm 2026",
    "summary": "Hoàn thành 12/15 chỉ tiêu; đã chi trả bồi thường cho 46/52 hộ.",
    "presented_by": "Ông Lý Hoàng Long, Chủ tịch UBND xã",
}


async def test_the_conference_is_announced_for_board_media_and_loudspeakers(
    topology, purge_queues, own_db
):
    from docx import Document
    from pypdf import PdfReader

    clock = FixedClock(AUGUST)
    reporting = reporting_service(topology, clock, MONGO_DB=own_db("reporting"))
    async with (
        running(registration_service(topology, clock, MONGO_DB=own_db("registration"))) as reg,
        running(reporting),
        RawClient(topology.amqp_url) as client,
        served(reporting) as base,
        http(base) as web,
    ):

        async def send(key: str, data: dict[str, Any]) -> dict[str, Any]:
            outcome = await client.send(key, data)
            assert outcome["status"] == "accepted", (key, outcome)
            return outcome["result"]

        created = await send(
            "registration.create-session.v1",
            session_data(
                format="hybrid",
                capacity_min=120,
                topics=["compensation", "land_dispute"],
                organisers=[
                    {
                        "body": "peoples_committee",
                        "role": "chairs",
                        "representative": "Ông Lý Hoàng Long, Chủ tịch UBND xã",
                    },
                    {"body": "fatherland_front", "role": "co_organises"},
                    {"body": "party_committee", "role": "invited"},
                ],
            ),
        )
        sid = created["session_id"]
        before = await web.get(f"/phien/{sid}/thong-bao-to-chuc.pdf")
        await send(
            "registration.schedule-session.v1",
            {
                "session_id": sid,
                "starts_at": STARTS.isoformat(),
                "ends_at": (STARTS + timedelta(hours=3, minutes=30)).isoformat(),
                "online_url": "https://hop.thientan.example.vn/doi-thoai-2026",
                "agenda_summary": "Nghe Nhân dân phản ánh về tình hình phát triển kinh tế - xã hội",
            },
        )
        first = await send("registration.attach-briefing.v1", {"session_id": sid, **BRIEFING})
        again = await send("registration.attach-briefing.v1", {"session_id": sid, **BRIEFING})
        await settled(reg, reporting)  # reporting has applied every event registration sent
        brief = (await web.get(f"/api/phien/{sid}/tom-tat")).json()
        draft = (await web.get(f"/phien/{sid}/thong-bao-to-chuc.json")).json()
        issue = {"session_id": sid, "document_number": "15/TB-UBND"}
        issued = await send("reporting.issue-conference-notice.v1", issue)
        on_time = (await web.get(f"/phien/{sid}/thong-bao-to-chuc.json")).json()
        spoken = (await web.get(f"/phien/{sid}/thong-bao-to-chuc.txt")).text
        docx = (await web.get(f"/phien/{sid}/thong-bao-to-chuc.docx")).content
        pdf = (await web.get(f"/phien/{sid}/thong-bao-to-chuc.pdf")).content
        page = (await web.get(f"/phien/{sid}")).text
        clock.at = vn(2026, 9, 20)  # two days past the deadline
        later = (await web.get(f"/phien/{sid}/thong-bao-to-chuc.json")).json()
        twice = await send(
            "reporting.issue-conference-notice.v1", issue | {"document_number": "16"}
        )

    assert created["warnings"] == [
        "Luật số 72/2025/QH15, Điều 43: Thường trực Hội đồng nhân dân xã đồng chủ trì; "
        "kế hoạch này chưa ghi như vậy"
    ]
    assert before.status_code == 404 and "chưa có ngày tổ chức" in before.json()["error"]
    assert first["replaced"] is False and again["replaced"] is True
    assert brief["briefing"]["title"] == BRIEFING["title"]
    assert draft["draft"] is True and draft["document_number"] is None  # not issued yet
    assert issued == {
        "session_id": sid,
        "document_number": "15/TB-UBND",
        "issued_on": "2026-08-10",
        "announce_deadline": "2026-09-18",
        "days_late": 0,
        "already_issued": False,
    }
    assert on_time["issued_on"] == "2026-08-10" and on_time["late"] is False
    assert on_time["draft"] is False and on_time["document_number"] == "15/TB-UBND"
    assert on_time["announce_deadline"] == "2026-09-18"
    # downloaded later it is the notice as issued: never dated again
    assert later["issued_on"] == "2026-08-10" and later["days_late"] == 0
    assert later["issued_at"] == on_time["issued_at"]
    assert twice["already_issued"] is True and twice["document_number"] == "15/TB-UBND"
    text = "\n".join(p for s in on_time["sections"] for p in [s["heading"], *s["paragraphs"]])
    for expected in (
        "Từ 08 giờ 00 phút, ngày 25/09/2026 đến 11 giờ 30 phút",
        "Nhà văn hoá xã; trực tiếp tại hội trường, kết hợp trực tuyến qua đường dẫn "
        "https://hop.thientan.example.vn/doi-thoai-2026",
        "Ủy ban nhân dân xã chủ trì (Ông Lý Hoàng Long, Chủ tịch UBND xã).",
        "Ủy ban Mặt trận Tổ quốc Việt Nam xã phối hợp tổ chức.",
        "Đảng ủy xã được mời tham dự.",
        "dự kiến 120 - 150 người",
        f"thông báo khái quát tình hình kinh tế - xã hội: {BRIEFING['title']}",
        "Đối thoại về các nội dung: Đền bù, giải phóng mặt bằng; Tranh chấp đất đai.",
        "Theo dõi trực tuyến tại: https://hop.thientan.example.vn/doi-thoai-2026",
        "loa truyền thanh",
        "(hạn 18/09/2026)",
    ):
        assert expected in text, expected
    assert "Đài truyền thanh xã, Trang thông tin điện tử xã (đưa tin)" in on_time["recipients"]
    assert spoken.startswith("Kính thưa bà con Nhân dân trong thôn!")
    assert spoken.count("ngày 25/09/2026") == 2 and "(Đọc nhắc lại lần thứ hai)" in spoken
    document = Document(io.BytesIO(docx))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "THÔNG BÁO" in paragraphs and "Về việc tổ chức Hội nghị đối thoại" in paragraphs
    assert "Thiện Tân, ngày 10 tháng 8 năm 2026" in cells and "Nơi nhận:" in cells
    assert "Số: 15/TB-UBND" in cells
    reader = PdfReader(io.BytesIO(pdf))
    pages = "\n".join(p.extract_text() for p in reader.pages)
    assert "Cách thức tham dự" in pages and "Đảng ủy xã được mời tham dự" in pages
    assert reader.metadata.title == f"Thông báo tổ chức hội nghị đối thoại {sid}"
    keep_first_page_as_image(pdf, "thong-bao-to-chuc-trang-1.png")
    assert "thong-bao-to-chuc.pdf" in page and BRIEFING["title"] in page
