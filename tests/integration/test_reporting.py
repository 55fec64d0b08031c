"""Reporting's read models from the real services' events: right, rebuilt alike, order-proof."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

import aio_pika
import pytest

from services.reporting.projections import ENTITY_OF
from shared.clock import LOCAL_TZ, FixedClock
from tests.helpers import (
    RawClient,
    delegate,
    intake_service,
    notification_service,
    registration_service,
    running,
    session_data,
)

AUGUST = datetime(2026, 8, 10, 9, 0, tzinfo=LOCAL_TZ)
CONFERENCE = datetime(2026, 9, 25, 8, 0, tzinfo=LOCAL_TZ)


def reporting_service(topology: Any, clock: Any, db: str) -> Any:
    from services.reporting.app import create_service
    from services.reporting.settings import ReportingSettings

    settings = ReportingSettings(
        AMQP_URL=topology.amqp_url,
        MONGO_URL=topology.mongo_url,
        MONGO_DB=db,
        OUTBOX_POLL_SECONDS=0.2,
        HEALTH_PORT=0,
    )
    return create_service(settings, clock)


def submission(village: str, content: str, **more: Any) -> dict[str, Any]:
    return {
        "kind": "recommendation",
        "channel": "village_head",
        "village_code": village,
        "content": content,
        "received_at": AUGUST.isoformat(),
        **more,
    }


async def settled(reporting: Any, quiet: float = 1.5, timeout: float = 60) -> int:
    """Wait until reporting has received nothing new for `quiet` seconds; the events it holds."""
    log, last, still = reporting.db["event_log"], -1, 0.0
    for _ in range(int(timeout / 0.25)):
        count = await log.count_documents({})
        still = still + 0.25 if count == last else 0.0
        if still >= quiet:
            return count
        last = count
        await asyncio.sleep(0.25)
    return last


@pytest.fixture
def names(topology):
    suffix = uuid.uuid4().hex[:6]
    return lambda service: f"{topology.db_name(service)}_{suffix}"


async def story(client: RawClient, clock: FixedClock) -> dict[str, Any]:
    """A conference from plan to overdue conclusion, through the real services."""

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
    await send("registration.conclude-session.v1", {"session_id": sid})
    conclusion = {
        "tracking_code": a["tracking_code"],
        "session_id": sid,
        "conclusion": "Chi trả xong trước 15/10/2026",
        "responsible_agency": "KT",
        "deadline": "2026-10-15",
    }
    for _ in range(100):  # intake learns the conference was held from registration's event
        outcome = await client.send("intake.record-conclusion.v1", conclusion)
        if outcome["status"] == "accepted":
            break
        await asyncio.sleep(0.1)
    assert outcome["status"] == "accepted", outcome
    await send(
        "intake.update-followup.v1",
        {
            "tracking_code": a["tracking_code"],
            "status": "in_progress",
            "note": "Đang chi trả",
            "reported_at": (CONFERENCE + timedelta(days=6)).isoformat(),
        },
    )
    clock.at = datetime(2026, 10, 20, 9, 0, tzinfo=LOCAL_TZ)  # the ticker finds it overdue
    return {"session_id": sid}


def shuffled_within_the_bus_rules(rows: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Interleave different things' events at random, each thing's own in order; repeat some."""
    from services.reporting.app import _ordering_key

    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        key = row["type"].removeprefix("vn.nghedan.")
        if key in ENTITY_OF:
            model, field = ENTITY_OF[key]
            if model in ("sessions", "delegates"):
                group = f"session:{row['data']['session_id']}"
            elif model == "issues":
                group = "issues"
            else:
                group = f"{model}:{row['data'][field]}"
        else:
            group = f"other:{row['id']}"
        groups.setdefault(group, []).append(row)
    assert _ordering_key  # the groups above are the service's own ordering keys
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
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        for row in rows:
            event = {
                "specversion": "1.0",
                "id": row["id"],
                "source": row["source"],
                "type": row["type"],
                "subject": row.get("subject"),
                "time": row["time"].isoformat() if row.get("time") else None,
                "datacontenttype": "application/json",
                "data": row["data"],
            }
            body = json.dumps({k: v for k, v in event.items() if v is not None}, default=str)
            await channel.default_exchange.publish(
                aio_pika.Message(
                    body.encode(),
                    content_type="application/cloudevents+json",
                    message_id=row["id"],
                ),
                routing_key="reporting.events",
            )


async def test_figures_follow_the_events_and_are_the_same_rebuilt_or_shuffled(
    topology, purge_queues, names, tmp_path
):
    clock = FixedClock(AUGUST)
    services = (
        registration_service(topology, clock, MONGO_DB=names("registration")),
        intake_service(topology, clock, MONGO_DB=names("intake"), TICK_SECONDS=0.3),
        notification_service(
            topology, clock, MONGO_DB=names("notification"), NOTIFY_FILE_DIR=str(tmp_path)
        ),
    )
    reporting = reporting_service(topology, clock, names("reporting"))
    async with (
        running(services[0]),
        running(services[1]),
        running(services[2]),
        running(reporting),
        RawClient(topology.amqp_url) as client,
    ):
        told = await story(client, clock)
        models = reporting.read_models
        for _ in range(100):
            period = await models.figures_of("period:2026-Q3")
            if period.get("followup", {}).get("overdue"):
                break
            await asyncio.sleep(0.2)
        received = await settled(reporting)
        session = await models.figures_of(f"session:{told['session_id']}")
        period = await models.figures_of("period:2026-Q3")
        delivery = await models.figures_of("delivery")
        live = await models.all_figures()
        rows = [r async for r in reporting.db["event_log"].find({}).sort("_id", 1)]
        rebuilt = type(models)(models.db, prefix="rb_")
        replayed_from_log = await rebuilt.rebuild_from(models.db["event_log"])
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
    fresh = reporting_service(topology, clock, names("reporting") + "_again")
    async with running(fresh):
        await replay_into_queue(topology.amqp_url, replayed)
        for _ in range(200):
            if await fresh.db["event_log"].count_documents({}) >= len(rows):
                break
            await asyncio.sleep(0.1)
        await settled(fresh, quiet=1.0)
        assert await fresh.db["event_log"].count_documents({}) == len(rows)  # duplicates dropped
        assert await fresh.read_models.all_figures() == live
