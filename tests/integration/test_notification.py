"""Notification on the real broker and database, against a real SMTP server and local providers."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import zxingcpp
from bson import json_util
from PIL import Image

from shared.clock import FixedClock
from tests.helpers import (
    EventSpy,
    RawClient,
    notification_service,
    request_notification,
    running,
)
from tests.providers import HttpProvider, SmtpServer
from tests.waits import quiet, settled
from tests.when import vn

DAYTIME = vn(2026, 9, 15)
PHONE, PHONE_INTL = "0912 345 678", "84912345678"
EMAIL = "nguyen.van.an@example.vn"


def receipt(cause: str = "receipt:TT-2026-00001", **recipient: str) -> dict[str, Any]:
    return {
        "cause_id": cause,
        "template": "issue_receipt",
        "recipient": {"name": "Nguyễn Văn An", **recipient},
        "params": {"tracking_code": cause.split(":")[-1], "received_on": "15/09/2026"},
    }


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 20) -> Any:
    """Poll until `check` returns something truthy (the flow runs in other tasks and processes)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.1)


async def statuses(svc: Any, cause: str) -> list[tuple[str, str]]:
    docs = svc.db["messages"].find({"cause_id": cause}).sort("created_at", 1)
    return [(d["channel"], d["status"]) async for d in docs]


async def final(svc: Any, cause: str, count: int = 1) -> list[tuple[str, str]]:
    async def done() -> list[tuple[str, str]] | None:
        found = await statuses(svc, cause)
        finished = [s for s in found if s[1] in ("sent", "delivered", "failed", "suppressed")]
        return found if len(finished) >= count else None

    return await eventually(done) or await statuses(svc, cause)


def provider_settings(smtp: SmtpServer, provider: HttpProvider, **more: Any) -> dict[str, Any]:
    """The local providers, and a database of the test's own (nothing left by another test)."""
    return {
        "MONGO_DB": f"notification_{uuid.uuid4().hex[:8]}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp.port,
        "SMTP_STARTTLS": False,  # the test's mail server speaks plain SMTP
        "SMS_GATEWAY_URL": f"{provider.url}/sms",
        "SMS_API_KEY": "khoa-thu",
        "ZALO_ZNS_URL": f"{provider.url}/zns",
        "ZALO_ACCESS_TOKEN": "zalo-thu",
        "ZALO_TEMPLATE_IDS": {"issue_receipt": "301001", "delegate_invitation": "301002"},
        "NOTIFY_RATE_LIMITS": "off",
        **more,
    }


async def test_an_invitation_by_email_carries_the_code_as_a_qr_code(
    topology, purge_queues, smtp, provider
):
    clock = FixedClock(DAYTIME)
    code = "TT-2026-DK1-042-K7QMP"
    request = {
        "cause_id": f"invitation:{code}",
        "template": "delegate_invitation",
        "recipient": {"name": "Nguyễn Văn An", "email": EMAIL},
        "params": {"date": "25/09/2026", "time": "08:00", "venue": "Hội trường xã"},
    }
    request["params"]["registration_code"] = code
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="email")
    async with running(notification_service(topology, clock, **settings)) as svc:
        await request_notification(topology.amqp_url, **request)
        assert await final(svc, f"invitation:{code}") == [("email", "sent")]
    [mail] = smtp.received
    assert f"Mã đại biểu: {code} (xin mang theo mã này, hoặc mã QR kèm theo" in mail.body
    attached = mail.attached()
    assert list(attached) == ["ma-dai-bieu.png"]
    # Read by zxing-cpp, as the check-in desk's phone reads a photo of it.
    [read] = zxingcpp.read_barcodes(Image.open(io.BytesIO(attached["ma-dai-bieu.png"])))
    assert (read.format, read.text) == (zxingcpp.BarcodeFormat.QRCode, code)


async def test_an_email_goes_once_in_vietnamese_even_when_the_request_comes_twice(
    topology, purge_queues, smtp, provider
):
    clock = FixedClock(DAYTIME)
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="email")
    async with (
        running(notification_service(topology, clock, **settings)) as svc,
        EventSpy(topology.amqp_url, "notification.#") as spy,
    ):
        first = await request_notification(topology.amqp_url, **receipt(email=EMAIL))
        await request_notification(topology.amqp_url, event_id=first, **receipt(email=EMAIL))
        await request_notification(
            topology.amqp_url, **receipt(email=EMAIL)
        )  # a new id, same cause
        assert await final(svc, "receipt:TT-2026-00001") == [("email", "sent")]
        await spy.wait_for("notification.message.status.v1", 2)
        await quiet(svc)  # the repeated requests have had their chance to send again
    assert len(smtp.received) == 1
    mail = smtp.received[0]
    assert mail.to == [EMAIL]
    assert mail.subject == "Giấy biên nhận ý kiến, kiến nghị số TT-2026-00001"
    assert "Kính gửi: ông/bà Nguyễn Văn An." in mail.body
    assert "Ủy ban nhân dân xã Thiện Tân đã tiếp nhận" in mail.body
    assert mail.message_id.startswith("<m-") and mail.message_id.endswith("@nghedan>")
    events = [e["data"] for e in spy.of_type("notification.message.status.v1")]
    assert [e["status"] for e in events] == ["queued", "sent"]
    assert all(EMAIL not in json_util.dumps(e) and "Nguyễn" not in str(e) for e in events)


async def test_sms_is_split_between_words_and_retried_through_the_delay_queue(
    topology, purge_queues, smtp, provider
):
    provider.answer(PHONE_INTL, (503, {"message": "bận"}), (429, {"message": "chậm lại"}))
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="sms,email")
    async with running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc:
        await request_notification(topology.amqp_url, **receipt(phone=PHONE, email=EMAIL))
        assert await final(svc, "receipt:TT-2026-00001") == [("sms", "sent")]
        doc = await svc.db["messages"].find_one({"cause_id": "receipt:TT-2026-00001"})
    assert doc["attempts"] == 3
    assert [h["status"] for h in doc["history"]] == ["queued", "retrying", "retrying", "sent"]
    assert "503" in doc["history"][1]["reason"] and "429" in doc["history"][2]["reason"]
    assert len(provider.raw("sms")) == 3 and len(provider.of("sms")) == 1
    assert smtp.received == []  # no fallback: the SMS went in the end
    sms = provider.of("sms")[0]
    assert sms["to"] == PHONE_INTL and sms["encoding"] == "UCS-2"
    assert provider.raw("sms")[0]["auth"] == "Bearer khoa-thu"
    assert sms["segments"] == len(sms["parts"]) > 1
    assert all(len(part) <= 67 for part in sms["parts"])
    assert " ".join(sms["parts"]) == sms["text"]  # cut only between words
    assert any("TT-2026-00001" in part for part in sms["parts"])  # the code whole, in one part
    assert "Mã theo dõi: TT-2026-00001" in sms["text"]


async def test_the_no_diacritics_form_when_the_operator_chooses_it(
    topology, purge_queues, smtp, provider
):
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="sms", SMS_DIACRITICS="false")
    async with running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc:
        await request_notification(topology.amqp_url, **receipt(phone=PHONE))
        assert await final(svc, "receipt:TT-2026-00001") == [("sms", "sent")]
    sms = provider.of("sms")[0]
    assert sms["encoding"] == "GSM-7" and sms["segments"] == 1
    assert sms["text"].startswith("UBND xa Thien Tan da nhan y kien cua ong/ba Nguyen Van An")


async def test_a_permanent_refusal_is_not_retried_and_the_next_channel_takes_over(
    topology, purge_queues, smtp, provider
):
    provider.answer(PHONE_INTL, (400, {"message": "Số thuê bao 0912 345 678 không tồn tại"}))
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="sms,email")
    async with (
        running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc,
        EventSpy(topology.amqp_url, "notification.#") as spy,
    ):
        await request_notification(topology.amqp_url, **receipt(phone=PHONE, email=EMAIL))
        found = await final(svc, "receipt:TT-2026-00001", 2)
        events = await spy.wait_for("notification.message.status.v1", 4)
        failed = next(e["data"] for e in events if e["data"]["status"] == "failed")
        kept = await svc.infra.db["messages"].find_one({"_id": failed["message_id"]})
    assert found == [("sms", "failed"), ("email", "sent")]
    assert len(provider.raw("sms")) == 1  # not retried
    assert len(smtp.received) == 1
    # The provider's own words stay in notification's record, masked; the bus hears our sentence.
    assert failed["reason"] == "không gửi được" and "thuê bao" not in str(events)
    assert "Số thuê bao [phone] không tồn tại" in kept["reason"] and "345" not in kept["reason"]
    fallback = [e["data"] for e in events if e["data"]["channel"] == "email"]
    assert fallback[0]["fallback_of"] == failed["message_id"]


async def test_after_the_last_retry_the_fallback_channel_is_used(
    topology, purge_queues, smtp, provider
):
    provider.answer(PHONE_INTL, *[(500, {"message": "lỗi máy chủ"})] * 4)
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="zalo,email")
    async with running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc:
        await request_notification(topology.amqp_url, **receipt(phone=PHONE, email=EMAIL))
        found = await final(svc, "receipt:TT-2026-00001", 2)
        zalo = await svc.db["messages"].find_one({"channel": "zalo"})
    assert found == [("zalo", "failed"), ("email", "sent")]
    assert zalo["attempts"] == 4 and len(provider.raw("zalo")) == 4  # 1 try + 3 retries
    assert len(smtp.received) == 1


async def test_zalo_sends_the_approved_template_with_its_parameters(
    topology, purge_queues, smtp, provider
):
    provider.answer(PHONE_INTL, (200, {"error": -32, "message": "Vượt quá giới hạn"}))
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="zalo,sms")
    async with running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc:
        await request_notification(topology.amqp_url, **receipt(phone=PHONE))
        assert await final(svc, "receipt:TT-2026-00001") == [("zalo", "sent")]
    (zns,) = provider.of("zalo")
    assert zns["template_id"] == "301001" and provider.raw("zalo")[0]["token"] == "zalo-thu"
    assert zns["template_data"] == {
        "tracking_code": "TT-2026-00001",
        "received_on": "15/09/2026",
        "customer_name": "Nguyễn Văn An",
    }
    assert len(provider.raw("zalo")) == 2  # -32 (rate limit) is worth another try


async def test_a_zalo_refusal_falls_back_to_sms(topology, purge_queues, smtp, provider):
    provider.answer(PHONE_INTL, (200, {"error": -118, "message": "Tài khoản Zalo không tồn tại"}))
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="zalo,sms")
    async with running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc:
        await request_notification(topology.amqp_url, **receipt(phone=PHONE))
        found = await final(svc, "receipt:TT-2026-00001", 2)
    assert found == [("zalo", "failed"), ("sms", "sent")]
    assert len(provider.of("sms")) == 1


async def test_quiet_hours_hold_sms_until_morning_but_not_email(
    topology, purge_queues, smtp, provider
):
    night = vn(2026, 9, 15, 22, 30)
    clock = FixedClock(night)
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="sms,email")
    async with running(notification_service(topology, clock, **settings)) as svc:
        await request_notification(topology.amqp_url, **receipt(phone=PHONE))
        await request_notification(
            topology.amqp_url, **receipt("receipt:TT-2026-00002", email=EMAIL)
        )
        assert await final(svc, "receipt:TT-2026-00002") == [("email", "sent")]

        async def held() -> Any:
            return await svc.db["messages"].find_one({"status": "held"})

        doc = await eventually(held)
        assert doc["not_before"].replace(tzinfo=None) == datetime(2026, 9, 16, 0, 0)  # 07:00 +07
        await quiet(svc)  # several rounds of its jobs pass in the night: nothing goes
        assert provider.raw("sms") == []
        clock.advance(timedelta(hours=8, minutes=31))  # 07:01 the next morning
        assert await final(svc, "receipt:TT-2026-00001") == [("sms", "sent")]
    assert len(provider.of("sms")) == 1


async def test_a_rate_limit_holds_the_excess_until_the_next_window(
    topology, purge_queues, smtp, provider
):
    clock = FixedClock(DAYTIME)
    settings = provider_settings(
        smtp, provider, NOTIFY_CHANNELS="sms", NOTIFY_RATE_LIMITS="sms=2/60"
    )
    async with running(notification_service(topology, clock, **settings)) as svc:
        for n in range(1, 5):
            await request_notification(
                topology.amqp_url,
                **receipt(f"receipt:TT-2026-{n:05d}", phone=f"09123456{n:02d}"),
            )

        async def two_sent_two_held() -> bool:
            held = await svc.db["messages"].count_documents({"status": "held"})
            return held == 2 and len(provider.of("sms")) == 2

        assert await eventually(two_sent_two_held)
        await quiet(svc)  # more rounds in the same window: nothing more goes
        assert len(provider.of("sms")) == 2
        clock.advance(timedelta(seconds=60))
        assert await eventually(lambda: _count(provider, 4))
    assert len(provider.raw("sms")) == 4


async def _count(provider: HttpProvider, n: int) -> bool:
    return len(provider.of("sms")) == n


async def test_an_opt_out_stops_optional_messages_but_not_what_the_law_requires(
    topology, purge_queues, smtp, provider
):
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="sms")
    async with (
        running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc,
        RawClient(topology.amqp_url) as client,
    ):
        bad = await client.send(
            "notification.set-preference.v1", {"contact": "12345", "opt_out": True}
        )
        assert bad["status"] == "rejected" and bad["errors"][0]["code"] == "invalid_contact"
        done = await client.send(
            "notification.set-preference.v1", {"contact": "+84 912 345 678", "opt_out": True}
        )
        assert done["status"] == "accepted"
        await request_notification(topology.amqp_url, **receipt(phone=PHONE))
        await request_notification(
            topology.amqp_url,
            cause_id="cancelled:TT-2026-DK1:TT-2026-DK1-001",
            template="schedule_announcement",
            recipient={"name": "Nguyễn Văn An", "phone": PHONE},
            params={"change": "cancelled", "date": "25/09/2026", "reason": "mưa lũ"},
        )
        assert await final(svc, "receipt:TT-2026-00001") == [("sms", "suppressed")]
        assert await final(svc, "cancelled:TT-2026-DK1:TT-2026-DK1-001") == [("sms", "sent")]
    (sms,) = provider.of("sms")
    assert "được hoãn (mưa lũ)" in sms["text"]


async def test_a_late_legal_announcement_is_reported_and_delivery_reports_are_recorded(
    topology, purge_queues, smtp, provider
):
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="sms", NOTIFY_REPORT_TOKEN="t")
    async with (
        running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc,
        EventSpy(topology.amqp_url, "notification.#") as spy,
    ):
        await request_notification(
            topology.amqp_url,
            cause_id="schedule:TT-2026-DK1:x:TT-2026-DK1-001",
            template="schedule_announcement",
            recipient={"phone": PHONE},
            params={
                "change": "rescheduled",
                "date": "19/09/2026",
                "time": "08:00",
                "venue": "Hội trường",
            },
            send_by="2026-09-12",  # 7 days before the 19th: already passed on the 15th
        )
        assert await final(svc, "schedule:TT-2026-DK1:x:TT-2026-DK1-001") == [("sms", "sent")]
        doc = await svc.db["messages"].find_one({})
        import httpx

        transport = httpx.ASGITransport(app=svc.spec.web)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://notification", headers={"X-Report-Token": "t"}
        ) as web:
            answer = await web.post(
                "/providers/sms/reports", json={"id": doc["provider_ref"], "status": "delivered"}
            )
            unknown = await web.post(
                "/providers/sms/reports", json={"id": "x", "status": "delivered"}
            )
            broken = await web.post("/providers/sms/reports", content=b"not json")
        assert (answer.status_code, unknown.status_code, broken.status_code) == (200, 404, 400)
        events = await spy.wait_for("notification.message.status.v1", 3)
    data = [e["data"] for e in events]
    assert [d["status"] for d in data] == ["queued", "sent", "delivered"]
    assert data[1]["late"] is True and data[1]["send_by"] == "2026-09-12"
    assert data[1]["required_by_law"] is True


async def test_an_operator_resends_one_message(topology, purge_queues, smtp, provider):
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="email")
    async with (
        running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc,
        RawClient(topology.amqp_url) as client,
    ):
        await request_notification(topology.amqp_url, **receipt(email=EMAIL))
        await final(svc, "receipt:TT-2026-00001")
        doc = await svc.db["messages"].find_one({})
        unknown = await client.send(
            "notification.resend-message.v1", {"message_id": "m-khong-co-tin-nay"}
        )
        assert unknown["status"] == "rejected"
        again = await client.send(
            "notification.resend-message.v1", {"message_id": doc["_id"], "requested_by": "Văn thư"}
        )
        assert again["status"] == "accepted" and again["result"]["resends"] == 1
        assert await eventually(lambda: _mails(smtp, 2))
        await settled(svc)  # the mail server has it; now notification has recorded it, too
        doc = await svc.db["messages"].find_one({})
    assert doc["status"] == "sent" and doc["resends"] == 1
    assert "gửi lại theo yêu cầu của Văn thư" in [h["reason"] for h in doc["history"]]
    assert len(smtp.distinct()) == 2  # a deliberate second message, with its own id


async def _mails(smtp: SmtpServer, n: int) -> bool:
    return len(smtp.received) == n


async def test_a_request_without_a_usable_contact_or_parameter_fails_with_its_reason(
    topology, purge_queues, smtp, provider
):
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="sms,email")
    async with running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc:
        await request_notification(topology.amqp_url, **receipt(phone="12345"))
        missing = receipt("receipt:TT-2026-00002", email=EMAIL)
        del missing["params"]["received_on"]
        await request_notification(topology.amqp_url, **missing)
        assert await final(svc, "receipt:TT-2026-00001") == [("sms", "failed")]
        assert await final(svc, "receipt:TT-2026-00002") == [("email", "failed")]
        reasons = {d["cause_id"]: d["reason"] async for d in svc.db["messages"].find({})}
    assert reasons["receipt:TT-2026-00001"] == "người nhận không có địa chỉ trên kênh nào đang bật"
    assert reasons["receipt:TT-2026-00002"] == "mẫu issue_receipt thiếu tham số: received_on"
    assert smtp.received == [] and provider.requests == []


async def test_contacts_and_texts_rest_sealed(topology, purge_queues, smtp, provider):
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="email")
    async with running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc:
        await request_notification(topology.amqp_url, **receipt(email=EMAIL, phone=PHONE))
        await final(svc, "receipt:TT-2026-00001")
        dumped = json_util.dumps([d async for d in svc.db["messages"].find({})])
        dumped += json_util.dumps([d async for d in svc.db["outbox"].find({})])
    assert EMAIL not in dumped and "912345678" not in dumped and "Nguyễn" not in dumped


async def test_smtp_refusals_550_is_final_and_451_is_tried_again(
    topology, purge_queues, smtp, provider
):
    gone, busy = "khong.ton.tai@example.vn", "hop.thu.day@example.vn"
    smtp.refuse = {gone: "550 5.1.1 Không có hộp thư này", busy: "451 4.2.2 Hộp thư tạm đầy"}
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="email")
    async with running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc:
        await request_notification(topology.amqp_url, **receipt(email=gone))
        await request_notification(
            topology.amqp_url, **receipt("receipt:TT-2026-00002", email=busy)
        )
        assert await final(svc, "receipt:TT-2026-00001") == [("email", "failed")]

        async def retrying() -> Any:
            return await svc.db["messages"].find_one({"status": "retrying"})

        assert await eventually(retrying)
        del smtp.refuse[busy]  # the mailbox has room again
        assert await final(svc, "receipt:TT-2026-00002") == [("email", "sent")]
        failed = await svc.db["messages"].find_one({"cause_id": "receipt:TT-2026-00001"})
    assert failed["attempts"] == 1 and "550" in failed["reason"]
    assert [r.to for r in smtp.received] == [[busy]]


async def test_zalo_reports_delivery_through_its_webhook_with_the_token(
    topology, purge_queues, smtp, provider
):
    import httpx

    settings = provider_settings(
        smtp, provider, NOTIFY_CHANNELS="zalo", NOTIFY_REPORT_TOKEN="bi-mat"
    )
    async with running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc:
        await request_notification(topology.amqp_url, **receipt(phone=PHONE))
        assert await final(svc, "receipt:TT-2026-00001") == [("zalo", "sent")]
        doc = await svc.db["messages"].find_one({})
        report = {"event_name": "user_received_message", "message": {"msg_id": doc["provider_ref"]}}
        transport = httpx.ASGITransport(app=svc.spec.web)
        async with httpx.AsyncClient(transport=transport, base_url="http://notification") as web:
            refused = await web.post("/providers/zalo/reports", json=report)
            accepted = await web.post(
                "/providers/zalo/reports", json=report, headers={"X-Report-Token": "bi-mat"}
            )
            again = await web.post(
                "/providers/zalo/reports", json=report, headers={"X-Report-Token": "bi-mat"}
            )
            in_the_query = await web.post("/providers/zalo/reports?token=bi-mat", json=report)
            huge = await web.post(
                "/providers/zalo/reports",
                content=b"{" + b" " * 100_000 + b"}",
                headers={"X-Report-Token": "bi-mat", "Content-Type": "application/json"},
            )
        doc = await svc.db["messages"].find_one({})
    assert (refused.status_code, accepted.status_code, again.status_code) == (401, 200, 200)
    assert in_the_query.status_code == 401  # a token in a URL ends up in proxies' logs
    assert huge.status_code == 413
    assert doc["status"] == "delivered"
    assert [h["status"] for h in doc["history"]] == ["queued", "sent", "delivered"]


def esms_settings(smtp: SmtpServer, provider: HttpProvider, **more: Any) -> dict[str, Any]:
    esms = {
        "SMS_PROVIDER": "esms",
        "ESMS_URL": f"{provider.url}/esms",
        "ESMS_API_KEY": "esms-api-thu",
        "ESMS_SECRET_KEY": "esms-secret-thu",
    }
    return provider_settings(smtp, provider, **(esms | more))


async def test_esms_gets_its_documented_request_and_code_100_means_sent(
    topology, purge_queues, smtp, provider
):
    provider.answer(PHONE_INTL, (200, {"CodeResult": "99", "ErrorMessage": "Lỗi không xác định"}))
    settings = esms_settings(smtp, provider, NOTIFY_CHANNELS="sms,email")
    async with running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc:
        await request_notification(topology.amqp_url, **receipt(phone=PHONE, email=EMAIL))
        assert await final(svc, "receipt:TT-2026-00001") == [("sms", "sent")]
        doc = await svc.db["messages"].find_one({"cause_id": "receipt:TT-2026-00001"})
    assert [h["status"] for h in doc["history"]] == ["queued", "retrying", "sent"]
    assert "CodeResult 99" in doc["history"][1]["reason"]  # eSMS's unknown error: tried again
    (sent,) = provider.of("esms")
    assert sent["Phone"] == PHONE_INTL and sent["SmsType"] == "2" and sent["IsUnicode"] == "1"
    assert sent["Brandname"] == "UBND THIEN TAN" and sent["Sandbox"] == "0"
    assert sent["RequestId"] == doc["_id"] and "TT-2026-00001" in sent["Content"]
    assert doc["provider_ref"] == f"esms-{doc['_id']}"
    assert smtp.received == []
    # the keys never rest in the message's record nor travel anywhere but to eSMS
    assert "esms-secret-thu" not in str(doc)


async def test_an_esms_refusal_is_final_and_named_and_email_takes_over(
    topology, purge_queues, smtp, provider
):
    settings = esms_settings(
        smtp, provider, NOTIFY_CHANNELS="sms,email", ESMS_SECRET_KEY="khoa-sai"
    )
    async with running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc:
        await request_notification(topology.amqp_url, **receipt(phone=PHONE, email=EMAIL))
        assert await final(svc, "receipt:TT-2026-00001", count=2) == [
            ("sms", "failed"),
            ("email", "sent"),
        ]
        doc = await svc.db["messages"].find_one({"cause_id": "receipt:TT-2026-00001"})
    failed = next(h for h in doc["history"] if h["status"] == "failed")
    assert "eSMS từ chối (CodeResult 101): Sai ApiKey hoặc SecretKey" in failed["reason"]
    assert len(provider.raw("esms")) == 1  # a refusal is not tried again
    assert len(smtp.to(EMAIL)) == 1


async def test_with_no_channel_configured_nothing_is_marked_sent_and_health_says_so(
    topology, purge_queues, smtp, provider
):
    """The compose deployment's default until a provider is set (NOTIFY_CHANNELS=none): a legal
    notice fails with that reason, nothing reaches the mail server, /health names the gap."""
    settings = provider_settings(smtp, provider, NOTIFY_CHANNELS="none")
    async with running(notification_service(topology, FixedClock(DAYTIME), **settings)) as svc:
        await request_notification(topology.amqp_url, **receipt(phone=PHONE, email=EMAIL))
        assert await final(svc, "receipt:TT-2026-00001") == [("email", "failed")]
        stored = await svc.db["messages"].find_one({"cause_id": "receipt:TT-2026-00001"})
        health = (await svc.probe())["channels"]
    assert "NOTIFY_CHANNELS=none" in str(stored.get("reason") or stored)
    assert health == {"configured": [], "sends": False, "warning": health["warning"]}
    assert "chưa cấu hình kênh gửi nào" in health["warning"]
    assert smtp.received == [] and provider.requests == []
