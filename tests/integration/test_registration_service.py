"""The registration service on the real broker and database, driven by raw AMQP commands."""

import json
from datetime import timedelta

import pytest
from bson import json_util

from shared.clock import FixedClock
from shared.storage import connect
from tests.helpers import (
    EventSpy,
    RawClient,
    citizen,
    delegate,
    registration_service,
    running,
    session_data,
)
from tests.when import vn

NOW = vn(2026, 9, 1)
DAY = vn(2026, 9, 25, 8, 0)
PERSONAL = ("Người Thử Số", "020085", "09000000", "@example.vn", "1985-03-15")


@pytest.fixture
async def service(topology, purge_queues):
    clock = FixedClock(NOW)
    async with running(registration_service(topology, clock)) as svc:
        yield svc, clock


async def new_session(client: RawClient, **overrides) -> str:
    outcome = await client.send("registration.create-session.v1", session_data(**overrides))
    assert outcome["status"] == "accepted", outcome
    session_id = outcome["result"]["session_id"]
    scheduled = await client.send(
        "registration.schedule-session.v1", {"session_id": session_id, "starts_at": DAY.isoformat()}
    )
    assert scheduled["status"] == "accepted", scheduled
    return session_id


async def test_a_session_from_plan_to_conclusion_with_a_waiting_list(service, topology):
    _, clock = service
    async with RawClient(topology.amqp_url) as client, EventSpy(topology.amqp_url) as spy:
        too_close = await client.send(
            "registration.create-session.v1", session_data(capacity_max=2)
        )
        session_id = too_close["result"]["session_id"]
        refused = await client.send(
            "registration.schedule-session.v1",
            {"session_id": session_id, "starts_at": (NOW + timedelta(days=6)).isoformat()},
        )
        assert refused["status"] == "rejected"
        assert refused["errors"][0]["code"] == "notice_too_short" and "result" not in refused
        scheduled = await client.send(
            "registration.schedule-session.v1",
            {"session_id": session_id, "starts_at": DAY.isoformat()},
        )
        assert scheduled["result"]["announce_deadline"] == "2026-09-18"

        outcomes = [
            await client.send("registration.register-delegate.v1", delegate(session_id, n))
            for n in range(1, 4)
        ]
        assert [o["result"]["status"] for o in outcomes] == ["confirmed", "confirmed", "waiting"]
        assert outcomes[2]["result"]["waiting_position"] == 1
        codes = [o["result"]["registration_code"] for o in outcomes]
        assert [c.rsplit("-", 1)[0] for c in codes] == [f"{session_id}-00{n}" for n in range(1, 4)]
        assert len({c.rsplit("-", 1)[1] for c in codes}) == 3  # the random part differs

        cancelled = await client.send(
            "registration.cancel-registration.v1", {"registration_code": codes[0]}
        )
        assert cancelled["result"]["promoted"] == [codes[2]]

        clock.at = DAY - timedelta(minutes=20)
        for code in codes[1:]:
            assert (await client.send("registration.check-in.v1", {"registration_code": code}))[
                "status"
            ] == "accepted"
        gone = await client.send("registration.check-in.v1", {"registration_code": codes[0]})
        assert gone["errors"][0]["code"] == "not_confirmed"
        clock.at = DAY + timedelta(hours=3)
        concluded = await client.send(
            "registration.conclude-session.v1", {"session_id": session_id}
        )
        assert concluded["result"] == {
            "session_id": session_id,
            "status": "concluded",
            "attended": 2,
            "results_deadline": "2026-10-05",
        }
        await spy.wait_for("registration.session.concluded.v1")
        await spy.wait_for("registration.delegate.checked-in.v1", 2)

    kinds = [e["type"].removeprefix("vn.nghedan.") for e in spy.events]
    assert kinds.count("registration.delegate.registered.v1") == 3
    assert kinds.count("registration.delegate.promoted.v1") == 1
    assert kinds.count("registration.session.held.v1") == 1
    assert kinds.index("registration.session.planned.v1") < kinds.index(
        "registration.session.scheduled.v1"
    )
    concluded_event = spy.of_type("registration.session.concluded.v1")[0]
    assert concluded_event["data"]["attendance"]["by_village"] == {"LL": 2}
    assert (
        concluded_event["subject"] == session_id
        and concluded_event["source"] == "/nghedan/registration"
    )
    wire = json.dumps(spy.events, ensure_ascii=False)
    assert not [p for p in PERSONAL if p in wire], "personal data on the bus"


async def test_the_same_command_twice_registers_once_and_answers_the_first_outcome_again(
    service, topology
):
    async with RawClient(topology.amqp_url) as client, EventSpy(topology.amqp_url) as spy:
        session_id = await new_session(client)
        first = await client.send(
            "registration.register-delegate.v1", delegate(session_id, 7), command_id="same-id"
        )
        again = await client.send(
            "registration.register-delegate.v1", delegate(session_id, 7), command_id="same-id"
        )
        assert first["status"] == "accepted" and again["status"] == "duplicate"
        assert again["result"] == first["result"] and again["first_status"] == "accepted"
        other_id = await client.send("registration.register-delegate.v1", delegate(session_id, 7))
        assert (
            other_id["status"] == "rejected"
            and other_id["errors"][0]["code"] == "already_registered"
        )
        await spy.wait_for("registration.delegate.registered.v1")
    svc, _ = service
    assert await svc.db["registrations"].count_documents({"session_id": session_id}) == 1
    assert len(spy.of_type("registration.delegate.registered.v1")) == 1


async def test_a_list_is_registered_in_its_order_with_one_outcome_per_row(service, topology):
    async with RawClient(topology.amqp_url) as client, EventSpy(topology.amqp_url) as spy:
        session_id = await new_session(client, capacity_max=3)
        alone = await client.send(
            "registration.register-delegate.v1", delegate(session_id, 1), command_id="row-1"
        )
        assert alone["status"] == "accepted"

        def row(n: int, **overrides) -> dict:
            data = {k: v for k, v in delegate(session_id, n, **overrides).items()}
            del data["session_id"]
            return {"id": f"row-{n}", "data": data}

        rows = [row(n) for n in range(1, 6)]  # row 1 was sent alone before
        rows.insert(2, row(6, date_of_birth="2015-01-01"))  # under 18: refused by the rules
        rows.insert(3, row(7, gender="không rõ"))  # fails its schema
        rows.append(row(2))  # the same row twice in one list
        batch = await client.send(
            "registration.register-delegates.v1", {"session_id": session_id, "rows": rows}
        )
        assert batch["status"] == "accepted", batch
        answers = batch["result"]["rows"]
        assert [a["command_id"] for a in answers] == [r["id"] for r in rows]
        assert [a["status"] for a in answers] == [
            "duplicate", "accepted", "rejected", "rejected",
            "accepted", "accepted", "accepted", "duplicate",
        ]  # fmt: skip
        assert answers[0]["result"] == alone["result"]
        assert "Chưa đủ 18 tuổi" in " ".join(e["message"] for e in answers[2]["errors"])
        assert answers[3]["errors"][0]["field"] == "data.gender"
        placed = [
            (a["result"]["status"], a["result"].get("waiting_position")) if "result" in a else None
            for a in answers
        ]
        # in the list's order: rows 2 and 3 fill the last two places, 4 and 5 wait in that order
        assert placed[1] == ("confirmed", None) and placed[4] == ("confirmed", None)
        assert placed[5:7] == [("waiting", 1), ("waiting", 2)]
        assert (batch["result"]["accepted"], batch["result"]["rejected"]) == (4, 2)

        again = await client.send(
            "registration.register-delegates.v1", {"session_id": session_id, "rows": rows}
        )
        statuses = [a["status"] for a in again["result"]["rows"]]
        assert statuses == ["duplicate"] * 3 + ["rejected"] + ["duplicate"] * 4  # schema: again
        single = await client.send(
            "registration.register-delegate.v1", delegate(session_id, 4), command_id="row-4"
        )
        assert single["status"] == "duplicate"
        await spy.wait_for("registration.delegate.registered.v1", 5)
    svc, _ = service
    assert await svc.db["registrations"].count_documents({"session_id": session_id}) == 5
    seqs = [
        e["data"]["registration_code"] for e in spy.of_type("registration.delegate.registered.v1")
    ]
    assert seqs == sorted(seqs)  # the events went out in the list's order


async def test_a_person_twice_in_one_list_is_registered_once_and_told_why_the_second_time(
    service, topology
):
    """The unit of work writes a list's first rows before it looks for the person again."""
    async with RawClient(topology.amqp_url) as client:
        session_id = await new_session(client, capacity_max=5)
        person = {k: v for k, v in delegate(session_id, 1).items() if k != "session_id"}
        rows = [{"id": "first", "data": person}, {"id": "again", "data": person}]
        batch = await client.send(
            "registration.register-delegates.v1", {"session_id": session_id, "rows": rows}
        )
    answers = batch["result"]["rows"]
    assert [a["status"] for a in answers] == ["accepted", "rejected"], answers
    assert answers[1]["errors"][0]["code"] == "already_registered"
    svc, _ = service
    assert await svc.db["registrations"].count_documents({"session_id": session_id}) == 1


async def test_whoever_is_under_18_when_the_conference_moves_earlier_is_taken_off_the_list(
    service, topology
):
    async with RawClient(topology.amqp_url) as client:
        session_id = await new_session(client)  # on 25/9
        person = citizen(41, year=2008) | {"date_of_birth": "2008-09-20"}
        turns_18 = delegate(session_id, 41, **person)
        registered = await client.send("registration.register-delegate.v1", turns_18)
        assert registered["status"] == "accepted", registered  # 18 on 20/9, before the 25th
        code = registered["result"]["registration_code"]
        earlier = await client.send(
            "registration.schedule-session.v1",
            {"session_id": session_id, "starts_at": "2026-09-18T08:00:00+07:00"},
        )
        later = await client.send(
            "registration.schedule-session.v1",
            {"session_id": session_id, "starts_at": "2026-09-21T08:00:00+07:00"},
        )
        gone = await client.send("registration.cancel-registration.v1", {"registration_code": code})
    (warning,) = earlier["result"]["warnings"]
    assert code in warning and "18/09/2026" in warning and "ra khỏi danh sách" in warning
    assert earlier["result"]["removed_under_age"] == [code]  # taken off, not only warned about
    assert gone["errors"][0]["code"] == "already_cancelled"
    assert "warnings" not in later["result"]  # off the list: nobody to check again


async def test_personal_data_is_encrypted_at_rest(service, topology):
    _ = service
    async with RawClient(topology.amqp_url) as client:
        session_id = await new_session(client)
        await client.send("registration.register-delegate.v1", delegate(session_id, 42))
    client = connect(topology.mongo_url, app_name="tests")
    try:
        docs = (
            await client[topology.db_name("registration")]["registrations"]
            .find({"session_id": session_id})
            .to_list(None)
        )
    finally:
        await client.close()
    stored = json_util.dumps(docs, ensure_ascii=False)
    assert docs and not [p for p in PERSONAL if p in stored]
    assert set(docs[0]["personal"]) == {
        "full_name",
        "citizen_id",
        "date_of_birth",
        "phone",
        "email",
    }


async def test_a_citizen_id_in_full_width_digits_is_the_same_person_and_other_scripts_are_refused(
    service, topology
):
    full_width = str.maketrans("0123456789", "０１２３４５６７８９")
    arabic_indic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    async with RawClient(topology.amqp_url) as client:
        session_id = await new_session(client)
        first = await client.send("registration.register-delegate.v1", delegate(session_id, 8))
        assert first["status"] == "accepted", first
        same = delegate(session_id, 8, full_name="  Người  Thử Số 8 ")
        same["citizen_id"] = same["citizen_id"].translate(full_width)
        same["phone"] = "０９ ００.０００ ００８"
        again = await client.send("registration.register-delegate.v1", same)
        assert again["status"] == "rejected"
        assert again["errors"][0]["code"] == "already_registered", again
        assert first["result"]["registration_code"] not in json.dumps(again, ensure_ascii=False)
        other = delegate(session_id, 9)
        other["citizen_id"] = other["citizen_id"].translate(arabic_indic)
        refused = await client.send("registration.register-delegate.v1", other)
        assert [e["code"] for e in refused["errors"]] == ["citizen_id_format"], refused
        blank = await client.send(
            "registration.register-delegate.v1", delegate(session_id, 10, full_name=" \u3000 ")
        )
        assert blank["status"] == "rejected" and blank["errors"][0]["field"] == "data.full_name"
        bad_phone = await client.send(
            "registration.register-delegate.v1", delegate(session_id, 11, phone="0912-abc-678")
        )
        assert [e["code"] for e in bad_phone["errors"]] == ["phone_format"], bad_phone
