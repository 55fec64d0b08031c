"""An agency's office contact changed by the office (`intake.set-agency-contact.v1`): refused
in words when it cannot be, in force for intake's very next alarm without a restart (the alarm as
notification delivered it names the new address), every version kept, and the change announced
for registration, which keeps the same version (an institution's address, never a person's)."""

from __future__ import annotations

from typing import Any

from shared.clock import FixedClock
from tests.helpers import (
    RawClient,
    intake_service,
    notification_service,
    registration_service,
    running,
)
from tests.integration.test_legal_alarms import COMPLAINANT, RECEIVED, letters, until
from tests.waits import settled
from tests.when import vn

NEW_EMAIL = "kinhte.moi@thientan.example.vn"


async def test_an_agencys_new_address_takes_the_next_alarm_and_registration_keeps_it(
    topology, purge_queues, own_db, tmp_path
):
    clock = FixedClock(RECEIVED)
    async with (
        running(
            intake_service(topology, clock, MONGO_DB=own_db("intake"), TICK_SECONDS=0.1)
        ) as intake,
        running(registration_service(topology, clock, MONGO_DB=own_db("registration"))) as reg,
        running(
            notification_service(
                topology, clock, MONGO_DB=own_db("notification"), NOTIFY_FILE_DIR=str(tmp_path)
            )
        ),
        RawClient(topology.amqp_url) as client,
    ):

        async def send(key: str, data: dict[str, Any]) -> dict[str, Any]:
            outcome: dict[str, Any] = await client.send(key, data)
            return outcome

        refused = await send("intake.set-agency-contact.v1", {"agency_code": "XX", "note": "?"})
        assert refused["status"] == "rejected"
        assert {e["field"]: e["code"] for e in refused["errors"]} == {
            "data.agency_code": "unknown_agency",
            "data.email": "no_contact",
        }
        bad = await send("intake.set-agency-contact.v1", {"agency_code": "KT", "phone": "12"})
        assert [e["code"] for e in bad["errors"]] == ["phone_format"]

        first = await send(
            "intake.set-agency-contact.v1", {"agency_code": "KT", "email": "kt.cu@example.vn"}
        )
        assert first["status"] == "accepted" and first["result"]["version"] == 1
        second = await send(
            "intake.set-agency-contact.v1",
            {"agency_code": "KT", "email": NEW_EMAIL, "note": "Hộp thư công vụ mới"},
        )
        assert second["result"] == {"agency_code": "KT", "version": 2}

        complaint = await send(
            "intake.submit-issue.v1",
            {
                "channel": "letter",
                "received_at": RECEIVED.isoformat(),
                "kind": "complaint",
                "village_code": "LL",
                "content": "Khiếu nại quyết định thu hồi đất của gia đình tôi",
                "submitter": COMPLAINANT,
            },
        )
        assert complaint["result"]["agency_code"] == "KT"
        # 18/8: two days left to accept it; the agency hears it at the address set last.
        clock.at = vn(2026, 8, 18)
        (alarm,) = await until(lambda: letters(tmp_path, "legal_alarm"), "thư báo sắp hết hạn")
        assert f"Gửi đến: Phòng Kinh tế xã · {NEW_EMAIL}" in alarm

        await settled(intake, reg)
        kept = [d async for d in reg.db["agency_contacts"].find({}).sort("version", 1)]
        history = [d async for d in intake.db["agency_contacts"].find({}).sort("version", 1)]
    assert [(d["agency_code"], d["version"], d["email"]) for d in kept] == [
        ("KT", 1, "kt.cu@example.vn"),
        ("KT", 2, NEW_EMAIL),
    ]
    assert [d["note"] for d in history] == [None, "Hộp thư công vụ mới"]
