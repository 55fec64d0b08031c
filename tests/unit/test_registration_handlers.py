"""Registration's handlers over an in-memory store: the flow, the events, the notices, no database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.registration import handlers
from shared.contracts import intake as intake_contract
from shared.contracts import registration as c
from shared.contracts.common import Rejected
from tests.unit.memory_stores import RegistrationMemory, World
from tests.when import vn

NOW = vn(2026, 9, 1)


async def planned(world: World, capacity: int = 1) -> str:
    cmd = c.CreateSession(
        kind="periodic",
        year=2026,
        period="2026-Q3",
        venue="Nhà văn hoá",
        capacity_min=1,
        capacity_max=capacity,
    )
    return (await world.run(handlers.create_session, cmd))["session_id"]


def delegate(session_id: str, n: int, **fields: Any) -> c.RegisterDelegate:
    given = {
        "session_id": session_id,
        "full_name": f"Người thứ {n}",
        "citizen_id": f"0200850123{n:02d}",
        "date_of_birth": "1985-04-12",
        "gender": "male",
        "village_code": ["LL", "T02", "T03"][n % 3],
        "category": "peoples_representative",
        "phone": f"09123456{n:02d}",
    }
    return c.RegisterDelegate(**(given | fields))


async def test_a_delegate_beyond_capacity_waits_and_moves_up_when_a_confirmed_one_cancels():
    world = World("registration", RegistrationMemory(), NOW)
    session_id = await planned(world, capacity=1)
    first = await world.run(handlers.register_delegate, delegate(session_id, 1))
    second = await world.run(handlers.register_delegate, delegate(session_id, 2))
    assert (first["status"], second["status"], second["waiting_position"]) == (
        "confirmed",
        "waiting",
        1,
    )
    cancel = c.CancelRegistration(registration_code=first["registration_code"])
    cancelled = await world.run(handlers.cancel_registration, cancel)

    assert cancelled["promoted"] == [second["registration_code"]]
    kept = world.store.conferences[session_id]
    assert kept.confirmed == 1 and kept.events == []
    keys = [key for key, _ in world.events()]
    assert keys == [
        "registration.session.planned.v1",
        "registration.delegate.registered.v1",
        "registration.delegate.registered.v1",
        "registration.delegate.cancelled.v1",
        "registration.delegate.promoted.v1",
    ]
    registered = [data for key, data in world.events() if key.endswith("registered.v1")]
    assert [d["waiting_position"] for d in registered] == [None, 1]
    assert all("citizen_id" not in d and "full_name" not in d for _, d in world.events())
    # the waiting-list notice; the promoted delegate is invited once a date is fixed
    (notice,) = world.requests()
    assert notice["template"] == "waiting_list" and notice["recipient"]["phone"] == "0912345602"


async def test_a_refused_registration_stores_nothing_and_publishes_nothing():
    world = World("registration", RegistrationMemory(), NOW)
    session_id = await planned(world)
    before = len(world.rows)
    with pytest.raises(Rejected) as refused:
        await world.run(handlers.register_delegate, delegate(session_id, 1, village_code="ZZ"))
    assert "data.village_code" in {e.field for e in refused.value.errors}
    assert world.store.registrations == {} and len(world.rows) == before
    assert world.store.conferences[session_id].next_seq == 1


async def test_the_first_check_in_opens_the_conference_and_says_so_before_the_delegate():
    world = World("registration", RegistrationMemory(), NOW)
    session_id = await planned(world, capacity=5)
    code = (await world.run(handlers.register_delegate, delegate(session_id, 1)))[
        "registration_code"
    ]
    starts = vn(2026, 9, 25, 8)
    await world.run(
        handlers.schedule_session, c.ScheduleSession(session_id=session_id, starts_at=starts)
    )
    world.clock.at = starts + timedelta(minutes=5)
    await world.run(handlers.check_in, c.CheckIn(registration_code=code))

    keys = [key for key, _ in world.events()][-3:]
    assert keys == [
        "registration.session.scheduled.v1",
        "registration.session.held.v1",
        "registration.delegate.checked-in.v1",
    ]
    assert world.store.conferences[session_id].status == "held"
    assert world.store.registrations[code].checked_in_at == world.clock.at


async def test_a_voters_request_plans_one_adhoc_conference_however_often_it_is_told():
    world = World("registration", RegistrationMemory(), NOW)
    reached = intake_contract.AdhocThresholdReached(
        request_code="YC-2026-01",
        signatures=1001,
        voter_count=10_000,
        threshold=1000,
        reached_at=NOW,
    )
    for _ in range(3):
        await world.run(handlers.plan_adhoc_session, reached)

    assert [c.kind for c in world.store.conferences.values()] == ["adhoc"]
    assert [key for key, _ in world.events()] == ["registration.session.planned.v1"]
