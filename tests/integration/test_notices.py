"""Who is told what: registration and intake ask, notification writes it to the file outbox."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image

from shared.clock import FixedClock
from shared.settings import SHIPPED_REFERENCE_DATA
from tests.helpers import (
    RawClient,
    delegate,
    intake_service,
    notification_service,
    publish_cloud_events,
    publish_event,
    registration_service,
    running,
    session_data,
)
from tests.waits import quiet, rounds, settled
from tests.when import vn

NOW = vn(2026, 9, 1)
EXAMPLES = Path(__file__).parents[2] / "shared" / "contracts" / "examples"


async def messages(svc: Any, count: int, *others: Any) -> list[dict[str, Any]]:
    """Everything notification has said, oldest first, once it and the services that ask it
    (`others`) are quiet: at least `count` messages, each of them sent (not merely stored)."""
    await quiet(svc, *others)
    found = [d async for d in svc.db["messages"].find({}).sort("created_at", 1)]
    told = [(d["template"], d["status"]) for d in found]
    assert len(found) >= count and all(d["status"] == "delivered" for d in found), told
    return found


def qr_text(path: Path) -> str:
    found = zxingcpp.read_barcodes(Image.open(path))
    assert [b.format for b in found] == [zxingcpp.BarcodeFormat.QRCode], path
    return str(found[0].text)


def text_of(doc: dict[str, Any]) -> str:
    return Path(doc["provider_ref"]).read_text(encoding="utf-8")


async def publish_results(url: str, session_id: str, replay: bool = False) -> None:
    event = json.loads((EXAMPLES / "dialogue.results.published.v1.json").read_text())
    event["data"] |= {"session_id": session_id, "replay": replay}
    event["id"] = f"results-{session_id}-{replay}"
    await publish_cloud_events(
        url, "nghedan.provincial", [("dialogue.results.published.v1", event)]
    )


async def test_delegates_hear_of_their_place_the_changes_the_eve_and_the_results(
    topology, purge_queues, tmp_path, own_db
):
    clock = FixedClock(NOW)
    outbox = tmp_path / "outbox"
    notify = notification_service(
        topology, clock, NOTIFY_FILE_DIR=str(outbox), MONGO_DB=own_db("notification")
    )
    registration = registration_service(
        topology, clock, TICK_SECONDS=0.2, MONGO_DB=own_db("registration")
    )
    async with (
        running(notify) as svc,
        running(registration) as reg,
        RawClient(topology.amqp_url) as client,
    ):
        created = await client.send(
            "registration.create-session.v1", session_data(representatives_per_village=2)
        )
        session_id = created["result"]["session_id"]
        reps = [
            await client.send(
                "registration.register-delegate.v1",
                delegate(session_id, n, category="peoples_representative"),
            )
            for n in (1, 2, 3)
        ]
        assert [r["result"]["status"] for r in reps] == ["confirmed", "confirmed", "waiting"]
        codes = {n: r["result"]["registration_code"] for n, r in zip((1, 2, 3), reps, strict=True)}
        assert codes[1].startswith(f"{session_id}-001-")
        head = await client.send(
            "registration.register-delegate.v1",
            delegate(session_id, 4, category="village_head", email=None),
        )
        assert head["status"] == "accepted"
        # Not yet scheduled: only the waiting notice can go (its date comes later).
        found = await messages(svc, 1, reg)
        assert [d["template"] for d in found] == ["waiting_list"]

        starts = vn(2026, 9, 25, 8, 0)
        await client.send(
            "registration.schedule-session.v1",
            {"session_id": session_id, "starts_at": starts.isoformat(), "venue": "Hội trường xã"},
        )
        found = await messages(svc, 4, reg)
        invited = sorted(d["cause_id"] for d in found if d["template"] == "delegate_invitation")
        codes[4] = head["result"]["registration_code"]
        assert invited == [f"invitation:{codes[n]}" for n in (1, 2, 4)]
        invitation = text_of(next(d for d in found if d["cause_id"].endswith(codes[1])))
        assert "Kính gửi: ông/bà Người Thử Số 1." in invitation
        assert "Thời gian: 08:00, ngày 25/09/2026." in invitation
        assert f"Mã đại biểu: {codes[1]}" in invitation
        # The QR code beside it, read by zxing-cpp as the check-in desk's phone would read it.
        qr = Path(next(d for d in found if d["cause_id"].endswith(codes[1]))["provider_ref"])
        assert "Kèm theo: " + qr.stem + "-ma-dai-bieu.png" in invitation
        assert qr_text(qr.with_name(qr.stem + "-ma-dai-bieu.png")) == codes[1]
        assert "Gửi đến: Người Thử Số 1 · 0900000001 · nguoi1@example.vn" in invitation
        assert "Tin nhắn ngắn (UCS-2" in invitation

        await client.send("registration.cancel-registration.v1", {"registration_code": codes[1]})
        found = await messages(svc, 5, reg)
        promoted = [d for d in found if d["template"] == "delegate_promoted"]
        assert [d["cause_id"] for d in promoted] == [f"invitation:{codes[3]}"]
        assert "được chuyển từ danh sách chờ" in text_of(promoted[0])

        moved = starts + timedelta(days=1)
        await client.send(
            "registration.schedule-session.v1",
            {"session_id": session_id, "starts_at": moved.isoformat(), "venue": "Hội trường xã"},
        )
        found = await messages(svc, 8, reg)
        changes = [d for d in found if d["template"] == "schedule_announcement"]
        assert sorted(d["cause_id"].rsplit(":", 1)[-1] for d in changes) == [
            codes[n] for n in (2, 3, 4)
        ]
        assert all(d["required_by_law"] and d["send_by"] == "2026-09-19" for d in changes)
        assert not any(d["late"] for d in changes)
        assert "(trước đây dự kiến ngày 25/09/2026)" in text_of(changes[0])

        clock.advance(timedelta(days=24))  # 25/09: the eve of the conference
        found = await messages(svc, 11, reg)
        reminders = [d for d in found if d["template"] == "conference_reminder"]
        assert len(reminders) == 3
        assert "ngày mai 26/09/2026" in text_of(reminders[0]).replace("\n", " ")
        await rounds(reg, 3)  # more ticks on the same day send nothing more
        await settled(svc, reg)
        assert await svc.db["messages"].count_documents({"template": "conference_reminder"}) == 3

        await publish_results(topology.amqp_url, session_id)
        await publish_results(topology.amqp_url, session_id, replay=True)
        found = await messages(svc, 14, reg)
        results = [d for d in found if d["template"] == "results_announcement"]
        assert sorted(d["cause_id"] for d in results) == [
            f"results:{session_id}:LL",  # the one village head registered
            f"results:{session_id}:media:DTT",  # and the media, to make them public
            f"results:{session_id}:media:TTDT",
        ]
        head_letter = next(d for d in results if d["cause_id"].endswith(":LL"))
        letter = text_of(head_letter)
        assert "Kính gửi: Trưởng thôn Lân Luông." in letter
        assert "số 123/TB-UBND" in letter and "loa truyền thanh" in letter
        # the matters and conclusions as text, to read out, not only their counts
        assert (
            "1. Chậm chi trả tiền đền bù giải phóng mặt bằng tuyến đường thôn. — Kết luận: Hoàn "
            "thành chi trả trước ngày 31/10/2026. (giao Phòng Kinh tế xã, hạn 31/10/2026)"
        ) in letter
        radio = text_of(next(d for d in results if d["cause_id"].endswith(":DTT")))
        assert "Kính gửi: Đài truyền thanh xã Thiện Tân." in radio and "đưa tin" in radio
        assert all(d["send_by"] == "2026-10-05" for d in results)  # 10 days after 25/09

    files = sorted(outbox.rglob("*.txt"))
    alarms = [f for f in files if f.name.startswith("office_alarm")]
    assert len(files) - len(alarms) == 14  # one file per message, nothing twice
    # and the office heard, once each, of the 25 villages the date, its change and the results
    # could not reach, and of the delegation still incomplete on the eve
    assert len(alarms) == 4


async def test_a_cancelled_conference_is_announced_to_everyone_registered(
    topology, purge_queues, tmp_path, own_db
):
    clock = FixedClock(NOW)
    notify = notification_service(
        topology, clock, NOTIFY_FILE_DIR=str(tmp_path), MONGO_DB=own_db("notification")
    )
    # The commune keeps the head of Thôn 02's phone in its reference data.
    reference = SHIPPED_REFERENCE_DATA.read_text(encoding="utf-8").replace(
        '{code: "T02", name: "Thôn 02", source: placeholder}',
        '{code: "T02", name: "Thôn 02", head_name: "Hoàng Văn Trưởng", head_phone: "0911000002"}',
    )
    (tmp_path / "xa.yaml").write_text(reference, encoding="utf-8")
    registration = registration_service(
        topology,
        clock,
        NGHEDAN_REFERENCE_DATA=str(tmp_path / "xa.yaml"),
        MONGO_DB=own_db("registration"),
    )
    async with (
        running(notify) as svc,
        running(registration) as reg,
        RawClient(topology.amqp_url) as client,
    ):
        created = await client.send("registration.create-session.v1", session_data())
        session_id = created["result"]["session_id"]
        first = await client.send("registration.register-delegate.v1", delegate(session_id, 1))
        code = first["result"]["registration_code"]
        await client.send(
            "registration.cancel-session.v1",
            {"session_id": session_id, "reason": "Trùng lịch họp của tỉnh"},
        )
        found = await messages(svc, 3, reg)
    assert sorted((d["cause_id"], d["template"], d["required_by_law"]) for d in found) == [
        (f"cancelled:{session_id}:{code}", "schedule_announcement", True),
        (f"cancelled:{session_id}:heads-unknown", "office_alarm", True),
        (f"cancelled:{session_id}:village:T02", "schedule_announcement", True),
    ]
    alarm = text_of(next(d for d in found if d["template"] == "office_alarm"))
    assert "Chưa gửi được thông báo hoãn hội nghị đến 25 thôn" in alarm
    found = [d for d in found if d["template"] != "office_alarm"]
    for doc in found:
        assert "được hoãn, lý do: Trùng lịch họp của tỉnh" in text_of(doc)
    head = next(d for d in found if d["cause_id"].endswith(":T02"))
    assert "Kính gửi: ông/bà Hoàng Văn Trưởng." in text_of(head)


async def test_agencies_are_reminded_before_their_deadline_and_when_it_passes(
    topology, purge_queues, tmp_path, own_db
):
    clock = FixedClock(vn(2026, 10, 1))
    notify = notification_service(
        topology, clock, NOTIFY_FILE_DIR=str(tmp_path), MONGO_DB=own_db("notification")
    )
    intake = intake_service(topology, clock, TICK_SECONDS=0.2, MONGO_DB=own_db("intake"))
    async with (
        running(notify) as svc,
        running(intake) as desk,
        RawClient(topology.amqp_url) as client,
    ):
        submitted = await client.send(
            "intake.submit-issue.v1",
            {
                "kind": "recommendation",
                "channel": "village_head",
                "village_code": "LL",
                "content": "Đề nghị xã sớm chi trả tiền đền bù giải phóng mặt bằng",
                "received_at": clock.now().isoformat(),
            },
        )
        code = submitted["result"]["tracking_code"]
        await publish_event(
            topology.amqp_url,
            "registration.session.held.v1",
            {"session_id": "TT-2026-DK5", "commune_code": "TT", "held_on": "2026-09-30"},
        )
        await settled(desk)  # intake has heard of the conference from registration's event
        concluded = await client.send(
            "intake.record-conclusion.v1",
            {
                "tracking_code": code,
                "session_id": "TT-2026-DK5",
                "conclusion": "Chi trả xong trước 10/10/2026",
                "responsible_agency": "KT",
                "deadline": "2026-10-10",
            },
        )
        assert concluded["status"] == "accepted", concluded
        clock.advance(timedelta(days=7))  # 08/10: two days left
        found = await messages(svc, 1, desk)
        clock.advance(timedelta(days=5))  # 13/10: three days late
        found = await messages(svc, 2, desk)
    reminders = [d for d in found if d["template"] == "followup_reminder"]
    assert [d["cause_id"].split(":")[0] for d in reminders] == [
        "followup-due_soon",
        "followup-overdue",
    ]
    soon, late = (text_of(d) for d in reminders)
    assert "Kính gửi: Phòng Kinh tế xã." in soon and "(còn 2 ngày)" in soon
    assert "Gửi đến: Phòng Kinh tế xã · kt@thientan.example.vn" in soon
    assert "đến nay đã quá hạn 3 ngày" in late


async def test_the_office_hears_of_unreached_villages_missing_delegates_and_no_dialogue_this_year(
    topology, purge_queues, tmp_path, own_db
):
    clock = FixedClock(vn(2026, 8, 10))
    notify = notification_service(
        topology, clock, NOTIFY_FILE_DIR=str(tmp_path), MONGO_DB=own_db("notification")
    )
    registration = registration_service(
        topology, clock, TICK_SECONDS=0.1, MONGO_DB=own_db("registration")
    )

    async def alarms(count: int) -> list[dict[str, Any]]:
        found = await messages(svc, count, reg)
        return [d for d in found if d["template"] == "office_alarm"]

    async with (
        running(notify) as svc,
        running(registration) as reg,
        RawClient(topology.amqp_url) as client,
    ):
        created = await client.send("registration.create-session.v1", session_data(capacity_min=5))
        sid = created["result"]["session_id"]
        people = [
            (1, "LL", "village_head"),
            (2, "LL", "party_cell_secretary"),
            (3, "LL", "front_work_committee"),
            (4, "T02", "village_head"),
        ]
        for n, village, category in people:
            done = await client.send(
                "registration.register-delegate.v1",
                delegate(sid, n, village_code=village, category=category),
            )
            assert done["status"] == "accepted", done
        starts = vn(2026, 9, 25, 8, 0)
        await client.send(
            "registration.schedule-session.v1",
            {"session_id": sid, "starts_at": starts.isoformat(), "venue": "Hội trường xã"},
        )
        (unreached,) = await alarms(1)
        unreached_text = text_of(unreached)  # read now: the file outbox is purged as days pass
        clock.at = vn(2026, 9, 17, 23, 59)  # a minute before the week
        early = len(await alarms(1))
        clock.at = vn(2026, 9, 18, 0, 1)  # 7 days before: checked
        _, incomplete = await alarms(2)
        incomplete_text = text_of(incomplete)
        # The conference was never held: in the fourth quarter the office hears of it, once.
        clock.at = vn(2026, 9, 30, 23, 59)
        before_q4 = len(await alarms(2))
        clock.at = vn(2026, 10, 1, 0, 1)  # 30/9 17:01 UTC
        *_, none_held = await alarms(3)
        total = len(await alarms(3))  # more ticks: nothing said twice

    assert early == 1 and before_q4 == 2 and total == 3
    assert all(d["required_by_law"] for d in (unreached, incomplete, none_held))
    text = unreached_text
    assert "Gửi đến: Văn phòng HĐND và UBND xã · vp@thientan.example.vn" in text
    assert "Chưa gửi được thông báo tổ chức hội nghị đến 24 thôn" in text
    assert "- Thôn 03\n" in text and "- Lân Luông" not in text and "- Thôn 02\n" not in text
    text = incomplete_text
    assert f"Hội nghị {sid} ngày 25/09/2026: thành phần đại biểu chưa đủ" in text
    # each village's people's representatives are checked with its three roles
    assert (
        "- Thôn 02: Bí thư Chi bộ thôn, Đại diện Ban công tác Mặt trận thôn, Đại diện Nhân dân\n"
    ) in text
    assert "- Lân Luông: Đại diện Nhân dân\n" in text
    assert "Số đại biểu đã xác nhận là 4, thấp hơn số đại biểu dự kiến theo kế hoạch (5)" in text
    text = text_of(none_held)
    assert "Năm 2026 chưa tổ chức Hội nghị đối thoại định kỳ" in text
    assert f"đã có kế hoạch: {sid} (25/09/2026)" in text
    assert "Người Thử" not in unreached_text + incomplete_text  # no delegate named


async def test_the_office_is_warned_of_the_results_limit_from_the_day_the_conference_was_held(
    topology, purge_queues, tmp_path, own_db
):
    """Held on 25/9 and never concluded: the results are due by 5/10 all the same; the office
    hears 3 days before and when the limit passes, once each."""
    clock = FixedClock(vn(2026, 9, 1))
    notify = notification_service(
        topology, clock, NOTIFY_FILE_DIR=str(tmp_path), MONGO_DB=own_db("notification")
    )
    registration = registration_service(
        topology, clock, TICK_SECONDS=0.1, MONGO_DB=own_db("registration")
    )

    async def warned(count: int) -> list[dict[str, Any]]:
        found = await messages(svc, count, reg)
        return [d for d in found if d["cause_id"].startswith("results-")]

    async with (
        running(notify) as svc,
        running(registration) as reg,
        RawClient(topology.amqp_url) as client,
    ):
        sid = (await client.send("registration.create-session.v1", session_data()))["result"][
            "session_id"
        ]
        code = (await client.send("registration.register-delegate.v1", delegate(sid, 1)))["result"][
            "registration_code"
        ]
        starts = vn(2026, 9, 25, 8, 0)
        await client.send(
            "registration.schedule-session.v1",
            {"session_id": sid, "starts_at": starts.isoformat(), "venue": "Hội trường xã"},
        )
        clock.at = vn(2026, 9, 25, 8, 5)
        checked = await client.send("registration.check-in.v1", {"registration_code": code})
        assert checked["result"]["session_status"] == "held", checked
        clock.at = vn(2026, 10, 1, 9)  # 4 days left: nothing yet
        before = await warned(1)
        clock.at = vn(2026, 10, 2, 9)  # 3 days left
        soon = await warned(1)
        clock.at = vn(2026, 10, 6, 9)  # one day past 5/10
        both = await warned(2)
        await rounds(reg, 3)
        again = await warned(2)

    assert before == [] and len(soon) == 1 and len(again) == 2
    soon_text, late_text = (text_of(d) for d in both)
    assert all(d["template"] == "office_alarm" and d["required_by_law"] for d in both)
    assert "Gửi đến: Văn phòng HĐND và UBND xã" in soon_text
    assert f"Hội nghị {sid} họp ngày 25/09/2026" in soon_text
    assert "chậm nhất hết ngày 05/10/2026 (còn 3 ngày)" in soon_text
    assert "đã quá hạn 1 ngày (hạn 05/10/2026)" in late_text
    assert "reporting.issue-results.v1" in late_text
