"""The four services as separate processes, driven as another system would drive them."""

import json
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from pymongo import MongoClient

from shared.clock import LOCAL_TZ
from shared.contracts.schemagen import load_example
from tests.helpers import (
    EventSpy,
    RawClient,
    delegate,
    platform_for_tests,
    request_notification,
)
from tests.waits import platform_settled
from tests.when import freeze_clock_at, run_clock_from, vn

BEGIN = vn(2026, 8, 25)  # the platform's clock runs from here: a month before the conference
STARTS = vn(2026, 9, 25, 8)  # the conference of the shipped examples

# The identities in the shipped examples: none may appear on the bus or in a log line.
PLANTED = (
    "Hoàng Văn Minh",
    "020085012345",
    "0912345678",
    "hoang.minh@example.vn",
    "1985-04-12",
    "Lương Thị Hoa",
    "0987654321",
)


@pytest.fixture(scope="module")
def platform(infra, tmp_path_factory):
    home = tmp_path_factory.mktemp("platform")
    platform = platform_for_tests(infra, home)
    run_clock_from(platform.clock_file, BEGIN)
    platform.start_services()
    yield platform
    platform.stop(stop_rabbit=False)


def example(key: str, **data) -> dict:
    event = load_example(key)
    return {**event["data"], **data}


def nghedan(platform, *args: str, as_: str = "registration") -> subprocess.CompletedProcess:
    env = {**platform.service_env(as_), "COLUMNS": "250"}
    return subprocess.run(
        [sys.executable, "-m", "deploy.cli.main", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
    )


async def test_contract_examples_are_accepted_in_lifecycle_order(platform, infra, purge_queues):
    starts = STARTS
    async with RawClient(infra.amqp_url) as client, EventSpy(infra.amqp_url) as spy:

        async def send(key: str, **data) -> dict:
            outcome = await client.send(key, example(key, **data))
            assert outcome["status"] == "accepted", (key, outcome)
            return outcome["result"]

        session_id = (await send("registration.create-session.v1"))["session_id"]
        await send(
            "registration.schedule-session.v1",
            session_id=session_id,
            starts_at=starts.isoformat(),
            ends_at=(starts + timedelta(hours=3)).isoformat(),
        )
        briefing = await send("registration.attach-briefing.v1", session_id=session_id)
        assert briefing["replaced"] is False
        await platform_settled(platform.health_ports)  # reporting knows the date
        notice = await send("reporting.issue-conference-notice.v1", session_id=session_id)
        assert notice["days_late"] == 0 and notice["document_number"] == "15/TB-UBND"
        first = await send("registration.register-delegate.v1", session_id=session_id)
        await send(
            "registration.cancel-registration.v1", registration_code=first["registration_code"]
        )
        again = await send("registration.register-delegate.v1", session_id=session_id)
        freeze_clock_at(platform.clock_file, starts - timedelta(minutes=30))
        await send("registration.check-in.v1", registration_code=again["registration_code"])
        freeze_clock_at(platform.clock_file, starts + timedelta(hours=3))
        concluded = await send("registration.conclude-session.v1", session_id=session_id)
        assert concluded["attended"] == 1
        other = (await send("registration.create-session.v1"))["session_id"]
        await send("registration.cancel-session.v1", session_id=other)
        received = await send("intake.submit-issue.v1")
        assert received["topic"] == "compensation" and received["agency_code"] == "KT"
        moved = await send("intake.reclassify-issue.v1", tracking_code=received["tracking_code"])
        assert moved["changed"] == ["topic"] and moved["agency_code"] == "KT"  # same agency
        code = received["tracking_code"]
        await send("intake.record-answer.v1", tracking_code=code)
        deadline = (starts + timedelta(days=60)).date().isoformat()
        await platform_settled(platform.health_ports)  # intake has heard the session concluded
        await send(
            "intake.record-conclusion.v1",
            tracking_code=code,
            session_id=session_id,
            deadline=deadline,
        )
        now = starts + timedelta(hours=3)  # the frozen clock: a report is never dated later
        await send("intake.update-followup.v1", tracking_code=code, reported_at=now.isoformat())
        elsewhere = await send("intake.submit-issue.v1", village_code="T05")
        await send("intake.close-issue.v1", tracking_code=elsewhere["tracking_code"])
        complaint = await send(
            "intake.submit-issue.v1",
            kind="complaint",
            submitter={"full_name": "Lương Thị Hoa", "address": "Thôn 06"},
        )
        await send(
            "intake.accept-case.v1",
            tracking_code=complaint["tracking_code"],
            # accepted today (the frozen clock's day in Viet Nam): never later than today
            accepted_on=(starts + timedelta(hours=3)).astimezone(LOCAL_TZ).date().isoformat(),
        )
        today = now.astimezone(LOCAL_TZ).date().isoformat()
        case = complaint["tracking_code"]
        await send("intake.withdraw-case.v1", tracking_code=case, withdrawn_on=today)
        stopped = await send("intake.suspend-case.v1", tracking_code=case, decided_on=today)
        assert stopped["status"] == "withdrawn"
        misfiled = await send(
            "intake.submit-issue.v1",
            kind="feedback",
            village_code="T06",
            submitter={"full_name": "Hà Văn Sửa", "address": "Thôn 06", "email": "sua@example.vn"},
        )
        corrected = await send("intake.correct-kind.v1", tracking_code=misfiled["tracking_code"])
        assert corrected["handled_as"] == "complaint" and "acceptance" in corrected["clocks"]
        for service in ("intake", "registration"):
            asked = await send(f"{service}.data-request.v1", received_at=now.isoformat())
            assert asked["late"] is False and asked["told"] is True
        await spy.wait_for("registration.session.concluded.v1")
        await spy.wait_for("registration.session.cancelled.v1")
    wire = json.dumps(spy.events, ensure_ascii=False)
    assert not [p for p in PLANTED if p in wire]
    (announced,) = [
        e["data"]
        for e in spy.of_type("registration.session.scheduled.v1")
        if e["data"]["session_id"] == session_id
    ]
    assert (
        announced["agenda_summary"]
        == load_example("registration.schedule-session.v1")["data"]["agenda_summary"]
    )
    assert (
        announced["announce_deadline"]
        == (starts.astimezone(LOCAL_TZ).date() - timedelta(days=7)).isoformat()
    )
    assert announced["venue"] and announced["format"] == "in_person"

    await platform_settled(platform.health_ports)
    with MongoClient(infra.mongo_url) as mongo:
        logged = mongo[infra.db_name("reporting")]["event_log"].count_documents(
            {"subject": session_id}
        )
        followed = mongo[infra.db_name("intake")]["sessions"].find_one({"_id": session_id}) or {}
        assert followed.get("status") == "concluded"
        assert logged >= 8
        assert logged == len([e for e in spy.events if e.get("subject") == session_id])
        messages = mongo[infra.db_name("notification")]["messages"]
        sent = {m["template"] for m in messages.find({"status": "delivered"})}
        assert sent & {"delegate_invitation", "issue_receipt"}, sent


async def test_a_command_nobody_handles_is_answered_and_kept(platform, infra, purge_queues):
    async with RawClient(infra.amqp_url) as client:
        outcome = await client.send("reporting.publish-everything.v1", {"period": "2026"})
        replay = await client.send(
            "reporting.replay-results.v1", example("reporting.replay-results.v1")
        )
    assert outcome["status"] == "rejected" and outcome["errors"][0]["code"] == "unknown_type"
    listed = nghedan(platform, "dlq", "list", "--queue", "reporting.commands")
    assert listed.returncode == 0 and outcome["command_id"] in listed.stdout
    assert replay["status"] == "accepted" and replay["result"]["replayed"] == []


def test_each_service_reports_healthy_and_status_shows_the_queues(platform):
    for name in platform.processes:
        health = platform.health(name)
        assert health["status"] == "ok" and health["broker"] and health["database"], (name, health)
        queues = {q["queue"] for q in health["consumers"]}
        if name == "office":  # the office sends commands and reads doors: no queue of its own
            assert queues == set()
        else:
            assert queues >= {f"{name}.events"} - {"notification.events"} or name == "notification"
    shown = nghedan(platform, "status")
    assert shown.returncode == 0, shown.stderr
    assert "registration.commands" in shown.stdout and "reporting.events.dlq" in shown.stdout
    assert "Độ trễ của từng consumer" in shown.stdout and "cũ nhất" in shown.stdout


def test_send_prints_the_outcome_of_a_command_file(platform, tmp_path):
    path = tmp_path / "tao-phien.yaml"
    path.write_text(
        "type: registration.create-session.v1\ndata:\n  kind: adhoc\n  year: 2026\n"
        "  period: 2026-12\n  venue: Nhà văn hoá xã\n  capacity_min: 20\n  capacity_max: 60\n",
        encoding="utf-8",
    )
    sent = nghedan(platform, "send", str(path))
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "accepted" in sent.stdout and "TT-2026-DX" in sent.stdout
    path.write_text('{"type": "registration.create-session.v1", "data": {"kind": "weekly"}}')
    refused = nghedan(platform, "send", str(path.rename(path.with_suffix(".json"))))
    assert refused.returncode == 1 and "data.kind" in refused.stdout


def test_bulk_import_reports_each_row_and_a_second_import_changes_nothing(platform, tmp_path):
    created = nghedan(
        platform,
        "send",
        str(
            write(
                tmp_path / "s.json",
                {
                    "type": "registration.create-session.v1",
                    "data": {
                        "kind": "periodic",
                        "year": 2026,
                        "period": "2026",
                        "venue": "x",
                        "capacity_min": 1,
                        "capacity_max": 100,
                    },
                },
            )
        ),
    )
    session_id = created.stdout.split('"session_id": "')[1].split('"')[0]
    rows = ["Họ và tên,Số CCCD,Ngày sinh,Giới tính,Thôn,Thành phần,Điện thoại"]
    for n in range(1, 6):
        d = delegate(session_id, 900 + n)
        rows.append(
            f"Người {n},{d['citizen_id']},15/03/1985,Nam,Lân Luông,Đại diện Nhân dân,{d['phone']}"
        )
    rows.append("Trẻ Em,020310001234,01/01/2010,Nam,Lân Luông,Đại diện Nhân dân,")
    rows.append("Không Rõ,12345,31/02/1980,Nam,Thôn 99,Thủ quỹ,")
    listing = write(tmp_path / "ds.csv", "\n".join(rows) + "\n")
    first = nghedan(platform, "import-delegates", str(listing), "--session", session_id)
    assert first.returncode == 0, first.stdout + first.stderr
    report = (tmp_path / "ds.ket-qua.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(report) == 8
    assert (
        sum("đã nhận" in line for line in report) == 5
        and sum("bị từ chối" in line for line in report) == 2
    )
    assert "danh sách chờ" in report[3]  # 2 places per village: the third in the list waits
    young, broken = report[6], report[7]
    assert "data.citizen_id" in young and "Chưa đủ 18 tuổi" in young
    assert "data.date_of_birth" in broken and "data.category" in broken  # schema errors come first
    assert not [p for p in ("Người 1", "Trẻ Em") if p in "\n".join(report)]
    second = nghedan(platform, "import-delegates", str(listing), "--session", session_id)
    assert second.returncode == 0
    again = (tmp_path / "ds.ket-qua.csv").read_text(encoding="utf-8-sig").splitlines()
    assert sum("đã nhận trước đó" in line for line in again) == 6  # five accepted, one refused
    assert (
        "bị từ chối" in again[7]
    )  # a message that failed its schema is judged again, and refused again
    assert [line.split(",")[2] for line in again[1:6]] == [
        line.split(",")[2] for line in report[1:6]
    ]


def test_no_log_line_carries_personal_data(platform):
    logs = "\n".join(p.read_text(encoding="utf-8") for p in (platform.home / "logs").glob("*.log"))
    assert "command.handled" in logs
    assert not [p for p in PLANTED if p in logs]


def write(path: Path, content) -> Path:
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


async def test_every_service_takes_an_event_delivered_twice_once(platform, infra, purge_queues):
    import aio_pika

    event = {
        "specversion": "1.0",
        "id": "held-twice",
        "source": "/nghedan/registration",
        "type": "vn.nghedan.registration.session.held.v1",
        "subject": "TT-2026-DK99",
        "data": {"session_id": "TT-2026-DK99", "commune_code": "TT", "held_on": "2026-09-25"},
    }
    with MongoClient(infra.mongo_url) as mongo:
        connection = await aio_pika.connect(infra.amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            events = await channel.get_exchange("nghedan.events")
            for _ in range(2):
                await events.publish(
                    aio_pika.Message(
                        json.dumps(event).encode(),
                        content_type="application/cloudevents+json",
                        message_id="held-twice",
                        user_id="guest",  # the test broker's user, in registration's place
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key="registration.session.held.v1",
                )
        log = mongo[infra.db_name("reporting")]["event_log"]
        await platform_settled(platform.health_ports)  # both deliveries handled by every service
        assert log.count_documents({"id": "held-twice"}) == 1
        followed = mongo[infra.db_name("intake")]["sessions"].find_one({"_id": "TT-2026-DK99"})
        assert followed["status"] == "held"
        for service in ("intake", "reporting"):
            assert mongo[infra.db_name(service)]["inbox"].count_documents({"id": "held-twice"}) == 1


async def test_operators_list_recent_messages_and_resend_one(platform, infra, purge_queues):
    cause = f"receipt:TT-2026-{uuid.uuid4().hex[:5].upper()}"
    await request_notification(
        infra.amqp_url,
        cause_id=cause,
        template="issue_receipt",
        recipient={"name": "Lường Văn Nhận", "phone": "0987654321"},
        params={"tracking_code": cause.split(":")[1], "received_on": "10/08/2026"},
    )
    await platform_settled(platform.health_ports)
    with MongoClient(infra.mongo_url) as mongo:
        messages = mongo[infra.db_name("notification")]["messages"]
        doc = messages.find_one({"cause_id": cause, "status": "delivered"})
    assert doc, "the message was not delivered to the file outbox"
    listed = nghedan(platform, "notify", "list", "--limit", "50", as_="notification")
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if doc["_id"] in line)
    assert "issue_receipt" in row and "đã đến nơi" in row and "098****321" in row
    assert "0987654321" not in listed.stdout
    failures = nghedan(platform, "notify", "list", "--failed", as_="notification")
    assert failures.returncode == 0 and doc["_id"] not in failures.stdout
    resent = nghedan(platform, "notify", "resend", doc["_id"], "--by", "Văn thư")
    assert resent.returncode == 0 and "accepted" in resent.stdout, resent.stdout
    unknown = nghedan(platform, "notify", "resend", "m-khong-co")
    assert unknown.returncode == 1 and "không có tin nhắn m-khong-co" in unknown.stdout
    opted = nghedan(platform, "notify", "opt-out", "0987654321")
    assert opted.returncode == 0 and "accepted" in opted.stdout
    await platform_settled(platform.health_ports)
    files = list((platform.home / "outbox").rglob(f"issue_receipt-{doc['_id']}*.txt"))
    assert len(files) == 2  # the first, and the one sent again on request


async def test_reporting_rebuilds_its_figures_from_its_record_alike(platform):
    await platform_settled(platform.health_ports)  # every event applied: figures are final
    rebuilt = nghedan(platform, "report", "rebuild", as_="reporting")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "giống hệt" in rebuilt.stdout and "Đã dựng lại từ" in rebuilt.stdout
    # the demo's summary of what reporting received, through the same /admin/ door
    import httpx

    port = platform.health_ports["reporting"]
    async with httpx.AsyncClient(timeout=30) as client:
        counts = (await client.get(f"http://127.0.0.1:{port}/admin/events/counts")).json()
    assert counts and all(k.startswith("vn.nghedan.") and n > 0 for k, n in counts.items())
