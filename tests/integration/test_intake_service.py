"""The intake service on the real broker and database: receiving, routing, confidentiality."""

import asyncio
import json
import re

import pytest
from bson import json_util

from services.intake import store as intake_store
from shared.clock import FixedClock
from shared.storage import connect
from tests.helpers import EventSpy, RawClient, intake_service, publish_event, running
from tests.waits import quiet, settled
from tests.when import vn

NOW = vn(2026, 8, 10)
# Recognisable fake identities: none of them may leave the service or rest in clear.
DENOUNCER = {
    "full_name": "Lò Văn Tốcáo",
    "citizen_id": "020190077777",
    "phone": "0977777777",
    "email": "to.cao.bi.mat@example.vn",
    "address": "Nhà số 7 ngõ Bí Mật",
}


# registration's word that a conference of 20 March 2028 is scheduled
SCHEDULED = {
    "session_id": "TT-2028-DK1",
    "commune_code": "TT",
    "kind": "periodic",
    "starts_at": "2028-03-20T08:00:00+07:00",
    "venue": "Nhà văn hoá",
    "format": "in_person",
    "sittings": [],
    "announce_deadline": "2028-03-13",
}


def submission(**overrides) -> dict:
    data = {
        "kind": "recommendation",
        "channel": "village_head",
        "village_code": "LL",
        "content": "Đề nghị xã sớm chi trả tiền đền bù giải phóng mặt bằng",
        "received_at": NOW.isoformat(),
    }
    data.update(overrides)
    return data


@pytest.fixture
async def intake(topology, purge_queues, own_db):
    # A database of its own: a process killed elsewhere may leave outbox rows in the shared one,
    # which a relay there sends again (same ids) for any spy of this test to see.
    service = intake_service(topology, FixedClock(NOW), MONGO_DB=own_db("intake"))
    async with running(service) as svc:
        yield svc


async def test_an_issue_is_received_numbered_classified_and_routed(intake, topology):
    async with (
        RawClient(topology.amqp_url) as client,
        EventSpy(topology.amqp_url, "intake.#") as spy,
    ):
        outcome = await client.send("intake.submit-issue.v1", submission())
        result = outcome["result"]
        assert re.fullmatch(r"TT-2026-\d{5}", result["tracking_code"])
        assert (result["topic"], result["agency_code"], result["status"]) == (
            "compensation",
            "KT",
            "assigned",
        )
        code = result["tracking_code"]
        moved = await client.send(
            "intake.reclassify-issue.v1",
            {"tracking_code": code, "topic": "social_policy", "officer": "Chánh Văn phòng"},
        )
        assert moved["result"]["changed"] == ["agency_code", "topic"]
        refused = await client.send(
            "intake.submit-issue.v1",
            submission(
                kind="complaint",
                content=" ",
                village_code="XX",
                submitter={"full_name": "A", "phone": "1"},
            ),
        )
        assert {e["code"] for e in refused["errors"]} == {
            "blank_content",
            "unknown_village",
            "complainant_required",
            "phone_format",
        }
        await spy.wait_for("intake.issue.assigned.v1", 2)
    kinds = [e["type"].removeprefix("vn.nghedan.intake.issue.") for e in spy.events]
    assert kinds == ["received.v1", "classified.v1", "assigned.v1", "classified.v1", "assigned.v1"]
    assert spy.events[3]["data"]["by"] == "Chánh Văn phòng"
    assert spy.events[3]["data"]["previous_topic"] == "compensation"
    stored = await intake.db["issues"].find_one({"_id": code})
    assert [h["action"] for h in stored["history"]] == [
        "received",
        "classified",
        "assigned",
        "classified",
        "assigned",
    ]


async def test_a_denouncer_is_never_named_outside_the_service_nor_in_clear_at_rest(
    intake, topology, caplog, capsys
):
    async with (
        RawClient(topology.amqp_url) as client,
        EventSpy(topology.amqp_url, "intake.#") as spy,
    ):
        named = await client.send(
            "intake.submit-issue.v1",
            submission(
                kind="denunciation", content="Cán bộ địa chính nhận tiền", submitter=DENOUNCER
            ),
        )
        anonymous = await client.send(
            "intake.submit-issue.v1",
            submission(kind="denunciation", content="Cán bộ địa chính nhận tiền của người dân"),
        )
        await spy.wait_for("intake.issue.received.v1", 2)
    assert named["result"]["handled_as"] == "denunciation"
    assert anonymous["result"]["handled_as"] == "feedback"
    received = spy.of_type("intake.issue.received.v1")
    for event in received:  # no pseudonym that links a person's issues, no words of theirs
        assert event["data"].get("submitter_ref") is None and event["data"]["summary"] is None
    assert received[1]["data"]["anonymous"] is True
    client = connect(topology.mongo_url, app_name="tests")
    try:
        database = client[intake.settings.mongo_db]
        dumped = "".join(
            [
                json_util.dumps(await database[name].find().to_list(None), ensure_ascii=False)
                for name in await database.list_collection_names()
            ]
        )
    finally:
        await client.close()
    logs = caplog.text + capsys.readouterr().out
    assert "command.handled" in logs  # the log lines were captured
    outside = json.dumps(spy.events, ensure_ascii=False) + json.dumps(named) + logs
    for secret in DENOUNCER.values():
        assert secret not in outside, f"{secret} left the service"
        assert secret not in dumped, f"{secret} rests in clear"
    assert "nhận tiền" not in dumped, "the content rests in clear"


async def test_tracking_codes_have_no_gaps_and_no_repeats_across_two_instances(
    topology, purge_queues, own_db
):
    # A database of its own: the e2e platform shares "intake", and from December its clock's
    # conference dates fall in 2027 too (codes here once began at 00004).
    clock = FixedClock(vn(2027, 1, 5))
    one, two = (intake_service(topology, clock, MONGO_DB=own_db("intake")) for _ in range(2))
    async with running(one), running(two):
        async with RawClient(topology.amqp_url) as client:
            refused = await client.send("intake.submit-issue.v1", submission(village_code="XX"))
            assert refused["status"] == "rejected"
            outcomes = await asyncio.gather(
                *(
                    client.send(
                        "intake.submit-issue.v1", submission(content=f"Đề nghị số {n}"), timeout=120
                    )
                    for n in range(20)
                )
            )
    codes = sorted(o["result"]["tracking_code"] for o in outcomes)
    assert codes == [f"TT-2027-{n:05d}" for n in range(1, 21)]  # the refusal took no number


async def test_the_same_matter_from_several_people_becomes_one_issue_counted(intake, topology):
    road = "Đề nghị xã sớm chi trả tiền đền bù giải phóng mặt bằng tuyến đường thôn Lân Luông"
    async with (
        RawClient(topology.amqp_url) as client,
        EventSpy(topology.amqp_url, "intake.issue.merged.v1") as spy,
    ):
        first = (await client.send("intake.submit-issue.v1", submission(content=road)))["result"]
        second = (
            await client.send(
                "intake.submit-issue.v1",
                submission(
                    content="de nghi chi tra tien den bu GPMB tuyen duong Lan Luong",
                    submitter={"full_name": "Hà Văn Hai", "phone": "0911111111"},
                ),
            )
        )["result"]
        third = (
            await client.send(
                "intake.submit-issue.v1",
                submission(
                    content="Bao giờ chi trả tiền đền bù giải phóng mặt bằng đường Lân Luông?",
                    channel="hotline",
                ),
            )
        )["result"]
        elsewhere = (
            await client.send(
                "intake.submit-issue.v1", submission(content=road, village_code="T02")
            )
        )["result"]
        complaint = (
            await client.send(
                "intake.submit-issue.v1",
                submission(
                    kind="complaint",
                    content=road,
                    submitter={"full_name": "Ba", "address": "Lân Luông"},
                ),
            )
        )["result"]
        await spy.wait_for("intake.issue.merged.v1", 2)
        moved = await client.send(
            "intake.reclassify-issue.v1",
            {
                "tracking_code": third["tracking_code"],
                "topic": "land_acquisition",
                "officer": "Văn phòng",
            },
        )
    assert second["merged_into"] == third["merged_into"] == first["tracking_code"]
    assert third["raised_by_count"] == 3 and second["status"] == "merged"
    assert len({first["tracking_code"], second["tracking_code"], third["tracking_code"]}) == 3
    assert "merged_into" not in elsewhere and "merged_into" not in complaint
    assert [e["data"]["raised_by_count"] for e in spy.events] == [2, 3]
    assert (
        moved["result"]["tracking_code"] == first["tracking_code"]
    )  # a merged code leads to its issue
    primary = await intake.db["issues"].find_one({"_id": first["tracking_code"]})
    assert primary["raised_by"] == 3 and primary["merged"] == [
        second["tracking_code"],
        third["tracking_code"],
    ]


async def test_from_conclusion_to_overdue_to_resolved_with_the_legal_clock_ringing(
    topology, purge_queues
):
    from datetime import timedelta

    clock = FixedClock(NOW)
    service = intake_service(topology, clock, TICK_SECONDS=0.1)
    async with (
        running(service),
        RawClient(topology.amqp_url) as client,
        EventSpy(topology.amqp_url, "intake.#") as spy,
    ):
        await publish_event(
            topology.amqp_url,
            "registration.session.held.v1",
            {"session_id": "TT-2026-DK7", "commune_code": "TT", "held_on": "2026-08-20"},
        )
        issue = (
            await client.send(
                "intake.submit-issue.v1",
                submission(content="Đề nghị sửa chữa kênh mương thuỷ lợi bị vỡ"),
            )
        )["result"]["tracking_code"]
        complaint = (
            await client.send(
                "intake.submit-issue.v1",
                submission(
                    kind="complaint",
                    content="Khiếu nại quyết định thu hồi đất",
                    submitter={"full_name": "Hà Thị Ba", "address": "Lân Luông"},
                ),
            )
        )["result"]["tracking_code"]
        early = await client.send(
            "intake.update-followup.v1",
            {
                "tracking_code": issue,
                "status": "resolved",
                "note": "x",
                "reported_at": NOW.isoformat(),
            },
        )
        assert early["errors"][0]["code"] == "invalid_transition"
        answered = await client.send(
            "intake.record-answer.v1",
            {"tracking_code": issue, "agency_code": "KT", "answer": "Sẽ sửa trong tháng 9"},
        )
        assert answered["result"]["status"] == "answer_proposed"
        await settled(service)  # the session event has reached intake
        concluded = await client.send(
            "intake.record-conclusion.v1",
            {
                "tracking_code": issue,
                "session_id": "TT-2026-DK7",
                "conclusion": "Sửa xong trước 30/9",
                "responsible_agency": "KT",
                "deadline": "2026-09-30",
            },
        )
        assert concluded["result"]["status"] == "concluded", concluded

        clock.at = NOW + timedelta(days=8)  # the complaint's acceptance is due in 2 days
        await spy.wait_for("intake.legal-clock.due-soon.v1")
        clock.at = vn(2026, 10, 3)  # past the conclusion's deadline
        (overdue,) = await spy.wait_for("intake.conclusion.overdue.v1")
        await spy.wait_for("intake.legal-clock.expired.v1")
        done = await client.send(
            "intake.update-followup.v1",
            {
                "tracking_code": issue,
                "status": "resolved",
                "note": "Đã sửa xong",
                "reported_at": clock.at.isoformat(),
            },
        )
        assert done["result"]["status"] == "resolved"
        await quiet(service)  # more rounds of the sweeps: nothing rings twice
        await spy.flush()
        (updated,) = spy.of_type("intake.followup.updated.v1")
    assert overdue["data"] == {
        "tracking_code": issue,
        "session_id": "TT-2026-DK7",
        "responsible_agency": "KT",
        "deadline": "2026-09-30",
        "days_overdue": 3,
    }
    assert updated["data"]["overdue"] is True and updated["data"]["status"] == "resolved"
    assert len(spy.of_type("intake.conclusion.overdue.v1")) == 1
    mine = [e["data"] for e in spy.events if e["data"].get("tracking_code") == complaint]
    assert [d["clock"] for d in mine if d.get("days_left", -1) >= 0] == ["acceptance"]
    # 3 October is past the acceptance limit, said once; never accepted, the complaint has no
    # settlement clock (it runs from acceptance, Law on Complaints 2011, Art. 28)
    assert [d["clock"] for d in mine if d.get("days_left", 0) < 0] == ["acceptance"]


async def test_a_scheduled_conference_gets_an_agenda_redrafted_as_issues_arrive(
    topology, purge_queues, own_db
):
    clock = FixedClock(vn(2027, 12, 10))
    async with (
        running(intake_service(topology, clock, MONGO_DB=own_db("intake"))),
        RawClient(topology.amqp_url) as client,
        EventSpy(topology.amqp_url, "intake.#") as spy,
    ):
        older = await client.send(
            "intake.submit-issue.v1",
            submission(
                content="Đề nghị làm cầu tràn qua suối thôn 06, mùa mưa bị chia cắt",
                village_code="T06",
                received_at="2027-11-05T08:00:00+07:00",
            ),
        )  # last year's, still unsettled: it stays on this year's agenda
        clock.at = vn(2028, 3, 1)
        first = await client.send(
            "intake.submit-issue.v1",
            submission(
                content="Đề nghị sửa chữa đường thôn xuống cấp",
                received_at="2028-02-20T08:00:00+07:00",
            ),
        )
        await publish_event(topology.amqp_url, "registration.session.scheduled.v1", SCHEDULED)
        (v1,) = await spy.wait_for("intake.agenda.drafted.v1")
        await client.send(
            "intake.submit-issue.v1",
            submission(
                kind="complaint",
                content="Khiếu nại quyết định thu hồi đất",
                submitter={"full_name": "Hà Thị Ba", "address": "Lân Luông"},
                received_at="2028-02-25T08:00:00+07:00",
            ),
        )
        v2 = (await spy.wait_for("intake.agenda.drafted.v1", 2))[1]
        status = (
            await client.send(
                "intake.record-answer.v1",
                {
                    "tracking_code": first["result"]["tracking_code"],
                    "agency_code": "KT",
                    "answer": "Sẽ sửa trong quý II",
                },
            )
        )["result"]["status"]
    assert v1["data"]["session_id"] == "TT-2028-DK1" and v1["data"]["version"] == 1
    codes = [older["result"]["tracking_code"], first["result"]["tracking_code"]]
    assert [it["tracking_code"] for it in v1["data"]["items"]] == codes  # long-running first
    assert v1["data"]["items"][0]["complex"] and v1["data"]["items"][0]["age_days"] > 90
    assert v2["data"]["version"] == 2
    assert [it["handled_as"] for it in v2["data"]["items"]] == [
        "recommendation",
        "complaint",
        "recommendation",
    ]
    assert status == "answer_proposed"  # on the agenda, and still answerable
    on_agenda = [e["data"]["tracking_code"] for e in spy.of_type("intake.issue.on-agenda.v1")]
    assert sorted(on_agenda) == sorted(
        it["tracking_code"] for it in v2["data"]["items"]
    )  # once each


async def test_ten_percent_of_the_voters_get_exactly_one_adhoc_session(
    topology, purge_queues, tmp_path
):
    import yaml

    from shared.settings import SHIPPED_REFERENCE_DATA
    from tests.helpers import citizen, registration_service

    reference = yaml.safe_load(SHIPPED_REFERENCE_DATA.read_text(encoding="utf-8"))
    reference["commune"]["voter_count"] = 25  # 3 signatures are 10%
    small = tmp_path / "commune.yaml"
    small.write_text(yaml.safe_dump(reference, allow_unicode=True), encoding="utf-8")
    clock = FixedClock(vn(2026, 10, 2, 15, 0))
    request = f"TT-2026-YC{uuid_suffix()}"

    def sign(n: int, **overrides) -> dict:
        return {
            "request_code": request,
            "full_name": f"Cử Tri {n}",
            **citizen(700 + n),
            "village_code": "T05",
            "signed_at": clock.at.isoformat(),
            "subject": "Thu hồi đất làm khu công nghiệp",
            **overrides,
        }

    async with (
        running(intake_service(topology, clock, NGHEDAN_REFERENCE_DATA=str(small))) as intake,
        running(
            registration_service(topology, clock, HEALTH_PORT=0, NGHEDAN_REFERENCE_DATA=str(small))
        ) as registration,
        RawClient(topology.amqp_url) as client,
        EventSpy(topology.amqp_url) as spy,
    ):
        first = await client.send("intake.sign-adhoc-request.v1", sign(1))
        again = await client.send(
            "intake.sign-adhoc-request.v1", sign(1, signed_at=clock.at.isoformat())
        )
        young = await client.send(
            "intake.sign-adhoc-request.v1", sign(2, **citizen(702, year=2010))
        )
        second = await client.send("intake.sign-adhoc-request.v1", sign(3))
        third = await client.send("intake.sign-adhoc-request.v1", sign(4))
        fourth = await client.send("intake.sign-adhoc-request.v1", sign(5))
        (reached,) = await spy.wait_for("intake.adhoc-request.threshold-reached.v1")
        await publish_event(
            topology.amqp_url,
            "intake.adhoc-request.threshold-reached.v1",
            {**reached["data"], "session_id": "x"},
        )  # another delivery, another id
        await quiet(intake, registration)  # a second session would have been planned by now
        await spy.flush()
        planned = spy.of_type("registration.session.planned.v1")
    assert first["result"] == {
        "request_code": request,
        "signatures": 1,
        "threshold": 3,
        "threshold_reached": False,
    }
    assert (
        again["errors"][0]["code"] == "already_signed" and young["errors"][0]["code"] == "under_18"
    )
    assert second["result"]["signatures"] == 2 and third["result"]["threshold_reached"] is True
    assert fourth["result"]["signatures"] == 4
    from_intake = [
        e
        for e in spy.of_type("intake.adhoc-request.threshold-reached.v1")
        if e["source"] == "/nghedan/intake"
    ]
    assert len(from_intake) == 1  # the fourth signature raised no second one
    adhoc = [
        e for e in spy.of_type("registration.session.planned.v1") if e["data"]["kind"] == "adhoc"
    ]
    assert len(adhoc) == 1 and len(planned) == 1
    assert request in adhoc[0]["data"]["title"] or adhoc[0]["data"]["session_id"].startswith(
        "TT-2026-DX"
    )


def uuid_suffix() -> str:
    import uuid

    return uuid.uuid4().hex[:6].upper()


async def test_a_submitter_who_left_a_contact_gets_a_receipt_and_later_the_conclusion(
    topology, purge_queues
):
    clock = FixedClock(vn(2026, 8, 25))
    async with (
        running(intake_service(topology, clock)) as intake,
        RawClient(topology.amqp_url) as client,
        EventSpy(topology.amqp_url, "notification.#", exchange="nghedan.notify") as notices,
    ):
        await publish_event(
            topology.amqp_url,
            "registration.session.held.v1",
            {"session_id": "TT-2026-DK8", "commune_code": "TT", "held_on": "2026-08-24"},
        )
        content = "Đề nghị lắp hệ thống chiếu sáng công cộng dọc tuyến đường thôn Nà Lầu"
        first = (
            await client.send(
                "intake.submit-issue.v1",
                submission(
                    content=content,
                    village_code="T09",
                    submitter={"full_name": "Hà Thị Ba", "phone": "0988888888"},
                ),
            )
        )["result"]
        second = (
            await client.send(
                "intake.submit-issue.v1",
                submission(
                    content=content,
                    village_code="T09",
                    submitter={"full_name": "Vi Văn Tư", "email": "tu@example.vn"},
                ),
            )
        )["result"]
        silent = (
            await client.send(
                "intake.submit-issue.v1", submission(content=content, village_code="T09")
            )
        )["result"]
        assert second["merged_into"] == silent["merged_into"] == first["tracking_code"]
        await settled(intake)  # the session event has reached intake
        concluded = await client.send(
            "intake.record-conclusion.v1",
            {
                "tracking_code": first["tracking_code"],
                "session_id": "TT-2026-DK8",
                "conclusion": "Lắp đèn trong quý IV",
                "responsible_agency": "TTDVCI",
                "deadline": "2026-12-31",
            },
        )
        assert concluded["status"] == "accepted", concluded
        await notices.wait_for("notification.send.v1", 4)
    sent = [
        (
            n["data"]["template"],
            n["data"]["params"]["tracking_code"],
            n["data"]["recipient"].get("phone"),
            n["data"]["recipient"].get("email"),
        )
        for n in notices.events
    ]
    assert sorted(sent) == sorted(
        [
            ("issue_receipt", first["tracking_code"], "0988888888", None),
            ("issue_receipt", second["tracking_code"], None, "tu@example.vn"),
            ("issue_conclusion", first["tracking_code"], "0988888888", None),
            ("issue_conclusion", second["tracking_code"], None, "tu@example.vn"),
        ]
    )  # the one who left no contact hears nothing


async def test_a_denunciation_accepted_then_extended_once_by_a_recorded_decision(intake, topology):
    async with RawClient(topology.amqp_url) as client:
        submitted = await client.send(
            "intake.submit-issue.v1",
            submission(kind="denunciation", content="Cán bộ thu tiền sai", submitter=DENOUNCER),
        )
        code = submitted["result"]["tracking_code"]
        accepted = await client.send(
            "intake.accept-case.v1",
            {"tracking_code": code, "accepted_on": "2026-08-10", "officer": "Chủ tịch UBND xã"},
        )
        extension = {
            "tracking_code": code,
            "clock": "settlement",
            "days": 30,
            "decision": "12/QĐ-UBND ngày 05/9/2026",
            "officer": "Chủ tịch UBND xã",
        }
        extended = await client.send("intake.extend-case.v1", extension)
        again = await client.send("intake.extend-case.v1", extension)
        settled = await client.send(
            "intake.record-settlement.v1",
            {
                "tracking_code": code,
                "decided_on": "2026-08-10",
                "decision": "Kết luận 3/KL-UBND",
                "officer": "Chủ tịch UBND xã",
            },
        )
        running_cases = await intake_store.MongoStore(
            intake.db, intake.cipher, None
        ).open_case_codes()
    assert accepted["result"]["settlement_due"] == "2026-09-09"  # 30 days from 10/8
    assert extended["status"] == "accepted" and extended["result"]["due"] == "2026-10-09"
    assert again["status"] == "rejected" and again["errors"][0]["code"] == "extensions_used"
    stored = await intake.db["issues"].find_one({"_id": code})
    assert [e["decision"] for e in stored["legal"]["extensions"]] == [extension["decision"]]
    assert settled["status"] == "accepted" and stored["legal"]["settled"]["late_days"] == 0
    assert code not in running_cases  # its clocks stopped by its own decision


async def test_the_same_submission_delivered_twice_is_received_once(intake, topology):
    async with RawClient(topology.amqp_url) as client:
        data = submission(content="Đề nghị nạo vét kênh mương nội đồng thôn 12", village_code="T12")
        first = await client.send(
            "intake.submit-issue.v1", data, command_id="village-head-T12-0001"
        )
        again = await client.send(
            "intake.submit-issue.v1", data, command_id="village-head-T12-0001"
        )
    assert first["status"] == "accepted" and again["status"] == "duplicate"
    assert again["result"] == first["result"]
    stored = await intake.db["issues"].count_documents(
        {"village_code": "T12", "_id": first["result"]["tracking_code"]}
    )
    assert stored == 1
    assert await intake.db["issues"].count_documents({"village_code": "T12"}) == 1


async def test_a_parked_submission_keeps_the_denouncer_sealed_and_can_still_be_replayed(
    topology, purge_queues
):
    import aio_pika

    from deploy.cli.bus import list_dead_letters, replay_dead_letters

    service = intake_service(topology, FixedClock(NOW), MAX_ATTEMPTS=2)
    real = service.spec.commands["intake.submit-issue.v1"]

    async def down(command, ctx):
        raise RuntimeError("database unavailable")

    service.spec.commands["intake.submit-issue.v1"] = down
    async with running(service), RawClient(topology.amqp_url) as client:
        data = submission(kind="denunciation", content="Cán bộ nhận tiền", submitter=DENOUNCER)
        cid = await client.publish("intake.submit-issue.v1", data)
        broken = await client.publish("intake.submit-issue.v1", {**data, "channel": "pigeon"})
        assert (await client.outcome(broken))["status"] == "rejected"
        await settled(service)  # both parked: the first after its attempts, the second at once
        assert len(await list_dead_letters(topology.amqp_url, "intake.commands")) == 2
        connection = await aio_pika.connect(topology.amqp_url)
        async with connection:
            queue = await (await connection.channel()).declare_queue(
                "intake.commands.dlq", passive=True
            )
            parked = [await queue.get(no_ack=False) for _ in range(2)]
            bodies = b"".join(m.body for m in parked)
        for secret in DENOUNCER.values():
            assert secret.encode() not in bodies  # sealed on the broker too
        service.spec.commands["intake.submit-issue.v1"] = real  # the database is back
        assert [
            r["message_id"]
            for r in await replay_dead_letters(topology.amqp_url, "intake.commands", {cid})
        ] == [cid]
        outcome = await client.outcome(cid)
    assert outcome["status"] == "accepted" and outcome["result"]["handled_as"] == "denunciation"


async def test_a_late_session_event_does_not_move_a_session_back(intake, topology):
    base = {"session_id": "TT-2026-DK5", "commune_code": "TT"}
    await publish_event(
        topology.amqp_url,
        "registration.session.concluded.v1",
        {
            **base,
            "held_on": "2026-09-25",
            "concluded_at": "2026-09-25T11:00:00+07:00",
            "results_deadline": "2026-10-05",
            "attendance": {"registered": 1, "attended": 1, "by_village": {}, "by_category": {}},
        },
    )
    await settled(intake)
    await publish_event(
        topology.amqp_url, "registration.session.held.v1", {**base, "held_on": "2026-09-25"}
    )
    await settled(intake)
    assert await intake.db["inbox"].find_one({"id": "registration.session.held.v1-TT-2026-DK5"})
    assert (await intake.db["sessions"].find_one({"_id": "TT-2026-DK5"}))["status"] == "concluded"


async def test_an_agenda_owed_a_redraft_is_counted_as_behind_until_it_is_drafted(
    topology, purge_queues, own_db
):
    """A submission marks the coming agenda; /health counts the mark, so the demo and the CLI wait
    for the draft as they wait for a queue."""
    from deploy.cli.readside import behind_of

    clock = FixedClock(vn(2028, 3, 1))
    service = intake_service(
        topology, clock, MONGO_DB=own_db("intake"), AGENDA_REDRAFT_SECONDS=3600
    )
    async with (
        running(service),
        RawClient(topology.amqp_url) as client,
        EventSpy(topology.amqp_url, "intake.#") as spy,
    ):
        await publish_event(topology.amqp_url, "registration.session.scheduled.v1", SCHEDULED)
        await spy.wait_for("intake.agenda.drafted.v1")  # drafted at once when scheduled
        sent = await client.send("intake.submit-issue.v1", submission())
        await spy.wait_for("intake.issue.on-agenda.v1")  # the issue itself, in its transaction
        owed = (await service.probe())["owed"]
        behind, _ = behind_of(await service.probe())
    assert sent["status"] == "accepted"
    assert owed == {"agenda_redrafts": 1} and behind >= 1
    assert len(spy.of_type("intake.agenda.drafted.v1")) == 1  # the redraft waits for its interval


async def test_a_complaint_whose_follow_up_is_resolved_stays_on_the_agenda_until_settled(
    topology, purge_queues, own_db
):
    """The dialogue's follow-up marked resolved does not end a complaint: while its own decision
    is to come it is on the next conference's agenda, and once settled it leaves it."""
    clock = FixedClock(vn(2028, 1, 10))
    service = intake_service(topology, clock, MONGO_DB=own_db("intake"))
    async with (
        running(service),
        RawClient(topology.amqp_url) as client,
        EventSpy(topology.amqp_url, "intake.agenda.#") as spy,
    ):

        async def send(key: str, data: dict) -> dict:
            outcome = await client.send(key, data)
            assert outcome["status"] == "accepted", (key, outcome)
            return outcome["result"]

        await publish_event(
            topology.amqp_url,
            "registration.session.held.v1",
            {"session_id": "TT-2028-DK0", "commune_code": "TT", "held_on": "2028-01-10"},
        )
        complaint = (
            await send(
                "intake.submit-issue.v1",
                submission(
                    kind="complaint",
                    content="Khiếu nại quyết định thu hồi đất",
                    submitter={"full_name": "Hà Thị Ba", "address": "Lân Luông"},
                    received_at=vn(2028, 1, 5).isoformat(),
                ),
            )
        )["tracking_code"]
        await send(
            "intake.accept-case.v1",
            {"tracking_code": complaint, "accepted_on": "2028-01-10", "officer": "CT"},
        )
        await settled(service)  # the held session has reached intake
        await send(
            "intake.record-conclusion.v1",
            {
                "tracking_code": complaint,
                "session_id": "TT-2028-DK0",
                "conclusion": "Giao Phòng Kinh tế rà soát hồ sơ thu hồi đất",
                "responsible_agency": "KT",
                "deadline": "2028-02-10",
            },
        )
        resolved = await send(
            "intake.update-followup.v1",
            {
                "tracking_code": complaint,
                "status": "resolved",
                "note": "Đã rà soát",
                "reported_at": vn(2028, 1, 10).isoformat(),
            },
        )
        await publish_event(topology.amqp_url, "registration.session.scheduled.v1", SCHEDULED)
        (before,) = await spy.wait_for("intake.agenda.drafted.v1")
        await send(
            "intake.record-settlement.v1",
            {
                "tracking_code": complaint,
                "decided_on": "2028-01-10",
                "decision": "3/QĐ-UBND",
                "officer": "CT",
            },
        )
        await publish_event(  # the next conference, once the complaint is settled
            topology.amqp_url,
            "registration.session.scheduled.v1",
            {**SCHEDULED, "session_id": "TT-2028-DK2", "starts_at": "2028-06-20T08:00:00+07:00"},
        )
        after = (await spy.wait_for("intake.agenda.drafted.v1", 2))[1]

    assert resolved["status"] == "resolved" and after["data"]["session_id"] == "TT-2028-DK2"
    (item,) = before["data"]["items"]
    assert item["tracking_code"] == complaint and item["complex"] and not item["followup"]
    assert after["data"]["items"] == []
