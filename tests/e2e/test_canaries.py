"""Canary identities planted through every command that takes a person, and inside free text,
then searched for everywhere a person or another system could read them: the public exchanges,
every log line, dead-letter bodies, the dashboard's pages and JSON, the announcement's DOCX, PDF
and JSON, the provincial feed, and the database's files on disk."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import aio_pika
import httpx
import pytest

from deploy.cli.embedded import EmbeddedMongo
from shared.clock import write_clock_file
from tests.conftest import Infra, free_port
from tests.helpers import EventSpy, RawClient, platform_for_tests, session_data
from tests.waits import platform_settled
from tests.when import vn

# The canary: one made-up person, written the ways people write.
NAME = "Vũ Thị Canary"
CITIZEN_ID = "020190123456"
ADDRESS = "số 7 ngõ Hoa Sen"
EMAIL = "canary.vu@example.vn"
PHONES = ("0912 777 888", "0912.777.888", "84912777888", "+84 912 777 888")
# What none of the places searched may hold, in any of those spellings.
NEEDLES = (
    "Canary",
    "canary.vu",
    "Hoa Sen",
    "190123456",
    "190 123 456",
    "777888",
    "777 888",
    "777.888",
    # what an officer wrote of another person in an answer, a conclusion, a closure
    "Lê Văn Sẻ",
    "Gò Đậu",
    "0010 9001 2345",
    "001090012345",
    "013456789",
    "15/03/1990",
)
OFFICER_TEXT = (
    "ông Lê Văn Sẻ, sinh ngày 15/03/1990, ở số 9 xóm Gò Đậu, CCCD 0010 9001 2345 "
    "(CMND cũ 013456789)"
)
CONTROL = "Hội trường Kiểm Chứng"  # public on purpose: proves each search sees clear text
FREE_TEXT = (
    f"Tôi là {NAME} ở {ADDRESS}, thôn Lân Luông, CCCD 020 190 123 456, gọi {PHONES[1]} "
    f"hoặc {PHONES[3]}, thư {EMAIL}: đề nghị xã sửa đường bê tông trước mùa mưa"
)
PERSON = {"full_name": NAME, "phone": PHONES[2], "email": EMAIL, "address": ADDRESS}
AT = vn(2026, 9, 1)
DAY = vn(2026, 9, 25, 8, 0)


def leaks(where: str, text: str) -> list[str]:
    return [f"{where}: {needle}" for needle in NEEDLES if needle in text]


@pytest.fixture(scope="module")
def platform(infra, tmp_path_factory):
    """The four services on a database server of this test's own, so its files can be read."""
    mongo = EmbeddedMongo(tmp_path_factory.mktemp("canary-mongo") / "data", free_port())
    mongo.start()
    own = Infra(infra.amqp_url, mongo.url, "canary_", infra.vhost)
    platform = platform_for_tests(own, tmp_path_factory.mktemp("canary"))
    write_clock_file(platform.clock_file, frozen_at=AT)
    platform.start_services()
    yield platform, mongo
    platform.stop(stop_rabbit=False)
    mongo.stop()


async def story(platform: Any, client: RawClient) -> dict[str, Any]:
    """The canary registers, submits in every kind, signs, is checked in; the results come out."""

    async def ok(
        key: str, data: dict[str, Any], *, until_known: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """Send, once the services have heard of the earlier steps (`until_known`: the refusals
        that would mean they had not yet: the platform is waited on until it is at rest)."""
        if until_known:
            await platform_settled(platform.health_ports)
        outcome = await client.send(key, data, timeout=60)
        assert outcome["status"] == "accepted", outcome
        return outcome["result"]

    session_id = (await ok("registration.create-session.v1", session_data(venue=CONTROL)))[
        "session_id"
    ]
    await ok(
        "registration.schedule-session.v1",
        {"session_id": session_id, "starts_at": DAY.isoformat(), "venue": CONTROL},
    )
    delegate = {
        "session_id": session_id,
        "full_name": NAME,
        "citizen_id": CITIZEN_ID,
        "date_of_birth": "1990-03-15",
        "gender": "female",
        "village_code": "LL",
        "category": "peoples_representative",
        "phone": PHONES[0],
        "email": EMAIL,
    }
    code = (await ok("registration.register-delegate.v1", delegate))["registration_code"]
    received = AT.isoformat()
    issue = {"channel": "village_head", "village_code": "LL", "received_at": received}
    recommendation = await ok(
        "intake.submit-issue.v1",
        {**issue, "kind": "recommendation", "content": FREE_TEXT, "submitter": PERSON},
    )
    complaint = await ok(
        "intake.submit-issue.v1",
        {**issue, "kind": "complaint", "content": FREE_TEXT, "submitter": PERSON},
    )
    await ok(
        "intake.submit-issue.v1",
        {**issue, "kind": "denunciation", "content": FREE_TEXT, "submitter": PERSON},
    )
    await ok(
        "intake.sign-adhoc-request.v1",
        {
            "request_code": "TT-2026-YC9",
            "full_name": NAME,
            "citizen_id": CITIZEN_ID,
            "date_of_birth": "1990-03-15",
            "gender": "female",
            "village_code": "LL",
            "signed_at": received,
            "subject": FREE_TEXT,
        },
    )
    tracking = recommendation["tracking_code"]
    await ok(
        "intake.approve-summary.v1",
        {
            "tracking_code": tracking,
            # an officer's slip: a number copied from the letter; the second line masks it
            "public_summary": f"Kiến nghị sửa đường bê tông thôn Lân Luông (liên hệ {PHONES[1]})",
            "officer": "Chánh Văn phòng",
        },
    )
    # What officers type about people: never public unless approved as public text.
    await ok(
        "intake.record-answer.v1",
        {
            "tracking_code": tracking,
            "agency_code": recommendation["agency_code"],
            "answer": f"Đã làm việc với {OFFICER_TEXT}; đường sẽ được sửa",
        },
    )
    await ok(
        "intake.close-issue.v1",
        {
            "tracking_code": complaint["tracking_code"],
            "outcome": "referred",
            "reason": f"Đất của {OFFICER_TEXT} thuộc thẩm quyền huyện",
            "authority": f"Phòng Tài nguyên, hồ sơ của {OFFICER_TEXT}",
            "officer": "Văn phòng",
        },
    )
    refused = await client.send(  # a broken command carrying the canary: parked, sealed
        "registration.register-delegate.v1", {**delegate, "date_of_birth": "không rõ"}
    )
    assert refused["status"] == "rejected"
    write_clock_file(platform.clock_file, frozen_at=DAY + timedelta(minutes=30))
    await ok("registration.check-in.v1", {"registration_code": code})
    write_clock_file(platform.clock_file, frozen_at=DAY + timedelta(hours=3))
    await ok(
        "intake.record-conclusion.v1",
        {
            "tracking_code": tracking,
            "session_id": session_id,
            "conclusion": f"Giao Phòng Kinh tế sửa đường trước 31/10/2026, hỗ trợ {OFFICER_TEXT}",
            "responsible_agency": "KT",
            "deadline": "2026-10-31",
        },
        until_known=("session_not_held",),  # intake follows registration's events at its pace
    )
    await ok("registration.conclude-session.v1", {"session_id": session_id})
    write_clock_file(platform.clock_file, frozen_at=DAY + timedelta(days=5))  # issued on 30/9
    await ok(
        "reporting.issue-results.v1",
        {"session_id": session_id, "issued_on": "2026-09-30"},
        until_known=("not_concluded", "not_ready"),  # reporting applies the events at its own pace
    )
    return {"session_id": session_id, "tracking": tracking}


async def dead_letter_bodies(url: str) -> str:
    from shared.messaging.topology import QUEUES

    found = []
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for spec in QUEUES:
            queue = await channel.declare_queue(spec.dead_letter_queue, passive=True)
            while message := await queue.get(no_ack=False, fail=False):
                found.append(message.body.decode("utf-8", "replace"))
                found.append(json.dumps(dict(message.headers or {}), default=str))
    return "\n".join(found)  # unacknowledged: back in their queues when the channel closes


async def dashboard_texts(port: int, ids: dict[str, Any]) -> dict[str, str]:
    sid = ids["session_id"]
    pages = ["/", f"/phien/{sid}", "/ky/2026-Q3", "/api/tong-quan", f"/api/phien/{sid}"]
    pages += [f"/api/phien/{sid}/tom-tat", "/api/ky/2026-Q3", f"/phien/{sid}/thong-bao.json"]
    texts = {}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as web:
        for page in pages:
            response = await web.get(page)
            assert response.status_code == 200, page
            texts[page] = response.text
        docx = await web.get(f"/phien/{sid}/thong-bao.docx")
        with zipfile.ZipFile(io.BytesIO(docx.content)) as archive:
            texts["docx"] = archive.read("word/document.xml").decode()
        pdf = await web.get(f"/phien/{sid}/thong-bao.pdf")
        from pypdf import PdfReader

        texts["pdf"] = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    return texts


async def test_no_canary_is_found_anywhere_it_should_not_be(platform, infra, purge_queues):
    platform, mongo = platform
    found: list[str] = []
    async with (
        RawClient(infra.amqp_url) as client,
        EventSpy(infra.amqp_url) as events,
        EventSpy(infra.amqp_url, exchange="nghedan.provincial") as province,
    ):
        ids = await story(platform, client)
        await province.wait_for("dialogue.results.published.v1", timeout=60)
        await platform_settled(platform.health_ports)  # the last events have been sent
        await events.flush()
        await province.flush()
    public = json.dumps(events.events + province.events, ensure_ascii=False)
    assert CONTROL in public and "[phone]" in public  # what is public is seen, masked
    found += leaks("nghedan.events / nghedan.provincial", public)
    letters = await dead_letter_bodies(infra.amqp_url)
    assert "x-nghedan-sealed" in letters  # the broken command is there, sealed
    found += leaks("dead letters", letters)
    texts = await dashboard_texts(platform.health_ports["reporting"], ids)
    assert CONTROL in texts["docx"] and "Kiến nghị sửa đường" in texts["pdf"]
    pdf = " ".join(texts["pdf"].split())
    assert "1 đơn tố cáo" in pdf  # counted, not listed
    # The officers' words unapproved: the announcement says an answer and a conclusion exist.
    assert "cơ quan đã có ý kiến trả lời; nội dung chưa được duyệt để công bố." in pdf
    assert "Chủ tịch UBND xã đã kết luận; nội dung chưa được duyệt để công bố." in pdf
    for where, text in texts.items():
        found += leaks(f"dashboard {where}", text)
    platform.stop(stop_rabbit=False)
    logs = "\n".join(p.read_text("utf-8") for p in (platform.home / "logs").glob("*.log"))
    assert "command.handled" in logs
    found += leaks("logs", logs)
    mongo.stop()  # everything on disk, then every file read as bytes
    files = [p for p in mongo.data_dir.rglob("*") if p.is_file()]
    disk = b"\n".join(p.read_bytes() for p in files).decode("utf-8", "replace")
    assert CONTROL in disk, "the database files hold no clear text: this search proves nothing"
    found += leaks("database files", disk)
    assert not found, found
