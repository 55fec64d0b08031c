"""Intake's handlers over an in-memory store: what is kept, what is published, what a person is told."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import cast

import pytest

from services.intake import handlers
from shared.contracts import intake as c
from shared.contracts import registration as registration_contract
from shared.contracts.common import Rejected
from shared.service import JobContext
from tests.unit.memory_stores import IntakeMemory, World
from tests.when import vn

NOW = vn(2026, 8, 10)
AGENDA_BYTES = 248 * 1024
COMPLAINANT = {
    "full_name": "Hoàng Thị Lan",
    "address": "Thôn Lũng Lầu",
    "phone": "0912000111",
    "citizen_id": "020185012345",
}


def submission(**fields) -> c.SubmitIssue:
    given = {
        "kind": "recommendation",
        "channel": "village_head",
        "content": "Đề nghị sửa chữa đường bê tông thôn Lũng Lầu bị sạt lở sau mưa lũ",
        "village_code": "LL",
        "received_at": NOW,
        "topic_hint": "socio_economic",
    }
    return c.SubmitIssue(**(given | fields))


async def test_the_same_matter_again_joins_the_first_issue_and_is_not_routed_twice():
    world = World("intake", IntakeMemory(), NOW)
    first = await world.run(handlers.submit_issue, submission())
    again = await world.run(
        handlers.submit_issue,
        submission(submitter={"full_name": "Lò Văn Thắng", "phone": "0912000222"}),
    )

    assert again["merged_into"] == first["tracking_code"] and again["raised_by_count"] == 2
    assert world.store.issues[first["tracking_code"]].raised_by == 2
    assert world.keys() == [
        "intake.issue.received.v1",
        "intake.issue.classified.v1",
        "intake.issue.assigned.v1",
        "intake.issue.received.v1",
        "intake.issue.merged.v1",
    ]
    merged = dict(world.events())["intake.issue.merged.v1"]
    assert merged["merged_into"] == first["tracking_code"]
    (receipt,) = world.requests()  # only the second left a contact
    assert receipt["template"] == "issue_receipt"
    assert receipt["recipient"]["phone"] == "0912000222"
    assert receipt["params"]["tracking_code"] == again["tracking_code"]
    assert all("content" not in data for _, data in world.events())


async def test_feedback_never_joins_an_anonymous_denunciation_nor_hears_its_conclusion():
    """An anonymous denunciation is kept as feedback; a guess at its words, sent as feedback,
    stays a matter of its own, and the denunciation's conclusion reaches nobody (it has no
    denouncer the law names) — neither the prober nor its own unnamed sender."""
    world = World("intake", IntakeMemory(), NOW)
    words = "Trưởng thôn Lũng Lầu thu tiền làm đường sai quy định, mỗi hộ 500 nghìn đồng"
    secret = await world.run(
        handlers.submit_issue,
        submission(
            kind="denunciation",
            content=words,
            submitter={"full_name": "Một người", "phone": "0912000333"},
        ),
    )
    guess = await world.run(
        handlers.submit_issue,
        submission(
            kind="feedback", content=words, submitter={"full_name": "Kẻ dò", "phone": "0912000444"}
        ),
    )
    twice = await world.run(  # a second anonymous one is not merged either
        handlers.submit_issue, submission(kind="denunciation", content=words)
    )
    await world.store.keep_session("TT-2026-DK1", {"status": "held"})
    code = secret["tracking_code"]
    await world.run(
        handlers.record_conclusion,
        c.RecordConclusion(
            tracking_code=code,
            session_id="TT-2026-DK1",
            conclusion="Giao thanh tra xã kiểm tra việc thu tiền",
            responsible_agency=world.store.issues[code].agency_code,
            deadline=date(2026, 10, 30),
        ),
    )

    assert secret["handled_as"] == "feedback" and "merged_into" not in guess
    assert "merged_into" not in twice and world.store.issues[code].raised_by == 1
    told = [r for r in world.requests() if r["template"] == "issue_conclusion"]
    assert told == []


async def test_a_complaints_answer_and_conclusion_travel_without_its_words():
    world = World("intake", IntakeMemory(), NOW)
    complaint = submission(
        kind="complaint",
        content="Khiếu nại việc thu hồi đất của gia đình bà Lan, số điện thoại 0912000111",
        topic_hint="land_acquisition",
        submitter=COMPLAINANT,
    )
    code = (await world.run(handlers.submit_issue, complaint))["tracking_code"]
    agency = world.store.issues[code].agency_code
    answer = c.RecordAnswer(tracking_code=code, agency_code=agency, answer="Bà Lan được bồi thường")
    await world.run(handlers.record_answer, answer)
    await world.store.keep_session("TT-2026-DK1", {"status": "held"})
    world.clock.at = NOW + timedelta(days=40)
    conclusion = c.RecordConclusion(
        tracking_code=code,
        session_id="TT-2026-DK1",
        conclusion="Giao phòng Kinh tế trả lời bà Lan trước 30/10",
        responsible_agency=agency,
        deadline=date(2026, 10, 30),
    )
    await world.run(handlers.record_conclusion, conclusion)

    published = dict(world.events())
    assert published["intake.issue.answer-proposed.v1"]["answer"] is None
    assert published["intake.issue.concluded.v1"]["conclusion"] is None
    assert "Lan" not in str(published) and "0912000111" not in str(published)
    assert world.store.issues[code].status == "concluded"
    told = [r for r in world.requests() if r["template"] == "issue_conclusion"]
    assert [r["recipient"]["phone"] for r in told] == ["0912000111"]  # the person hears it all


async def test_a_scheduled_conference_puts_the_open_issues_on_its_agenda():
    world = World("intake", IntakeMemory(), NOW)
    code = (await world.run(handlers.submit_issue, submission()))["tracking_code"]
    scheduled = registration_contract.SessionScheduled(
        session_id="TT-2026-DK1",
        commune_code="TT",
        kind="periodic",
        starts_at=NOW + timedelta(days=20),
        venue="Nhà văn hoá",
        format="in_person",
        announce_deadline=(NOW + timedelta(days=13)).date(),
        sittings=[],
    )
    follow = handlers.follow_session(world.deps, "scheduled", AGENDA_BYTES)
    await world.run(lambda _deps, event, ctx: follow(event, ctx), scheduled)

    assert world.store.issues[code].status == "on_agenda"
    assert world.keys()[-2:] == ["intake.issue.on-agenda.v1", "intake.agenda.drafted.v1"]
    drafted = world.events()[-1][1]
    assert drafted["version"] == 1 and [i["tracking_code"] for i in drafted["items"]] == [code]


async def test_submissions_mark_the_coming_agenda_and_one_redraft_takes_them_all():
    world = World("intake", IntakeMemory(), NOW)
    await world.store.keep_session(
        "TT-2026-DK1", {"status": "scheduled", "starts_at_utc": NOW + timedelta(days=20)}
    )
    codes = [
        (await world.run(handlers.submit_issue, submission(content=text, village_code=village)))[
            "tracking_code"
        ]
        for text, village in [
            ("Đề nghị sửa chữa đường bê tông thôn Lũng Lầu", "LL"),
            ("Đề nghị cấp thẻ bảo hiểm y tế cho hộ cận nghèo", "T06"),
            ("Đề nghị làm cầu tràn qua suối, mùa mưa bị chia cắt", "T07"),
        ]
    ]
    assert "intake.agenda.drafted.v1" not in world.keys()  # marked, not drafted, per submission
    assert world.keys().count("intake.issue.on-agenda.v1") == 3
    assert sorted(await world.store.agenda_marks()) == ["TT-2026-DK1"]

    redraft = handlers.agenda_redraft(world.deps, AGENDA_BYTES)
    await redraft(cast(JobContext, world))
    await redraft(cast(JobContext, world))  # nothing marked since: nothing drafted again

    drafts = [data for key, data in world.events() if key == "intake.agenda.drafted.v1"]
    assert [d["version"] for d in drafts] == [1]
    assert sorted(i["tracking_code"] for i in drafts[0]["items"]) == sorted(codes)
    assert drafts[0]["items_total"] == 3
    assert all(world.store.issues[code].status == "on_agenda" for code in codes)
    assert await world.store.agenda_marks() == {}


async def test_a_conference_held_before_the_redraft_still_lists_what_came_before_it():
    world = World("intake", IntakeMemory(), NOW)
    await world.store.keep_session(
        "TT-2026-DK1", {"status": "scheduled", "starts_at_utc": NOW + timedelta(hours=1)}
    )
    code = (await world.run(handlers.submit_issue, submission()))["tracking_code"]
    assert world.store.issues[code].status == "on_agenda"  # at once, in its own transaction
    await world.store.keep_session("TT-2026-DK1", {"status": "held"})  # before the job ran
    await handlers.agenda_redraft(world.deps, AGENDA_BYTES)(cast(JobContext, world))
    drafted = [data for key, data in world.events() if key == "intake.agenda.drafted.v1"]
    assert [i["tracking_code"] for i in drafted[0]["items"]] == [code]
    assert await world.store.agenda_marks() == {}


async def test_the_marks_of_a_cancelled_conference_are_dropped_undrafted():
    world = World("intake", IntakeMemory(), NOW)
    await world.store.keep_session(
        "TT-2026-DK1", {"status": "scheduled", "starts_at_utc": NOW + timedelta(hours=1)}
    )
    await world.run(handlers.submit_issue, submission())
    await world.store.keep_session("TT-2026-DK1", {"status": "cancelled"})
    await handlers.agenda_redraft(world.deps, AGENDA_BYTES)(cast(JobContext, world))
    assert "intake.agenda.drafted.v1" not in world.keys()
    assert await world.store.agenda_marks() == {}


async def test_a_voter_who_signed_before_a_lookup_key_rotation_cannot_sign_again():
    from shared.crypto import new_key
    from tests.keys import cipher_of

    old, new, data = new_key(), new_key(), new_key()
    world = World("intake", IntakeMemory(), NOW)
    keyed = dataclasses.replace  # the same world, its keys changed
    world.deps = keyed(
        world.deps, cipher=cipher_of("intake", NGHEDAN_DATA_KEY=data, NGHEDAN_LOOKUP_KEY=old)
    )
    signature = c.SignAdhocRequest(
        request_code="TT-2026-YC1",
        full_name="Lò Văn Ký",
        citizen_id="014090001234",
        date_of_birth=date(1990, 1, 1),
        gender="male",
        village_code="LL",
        signed_at=NOW,
    )
    await world.run(handlers.sign_adhoc_request, signature)
    rotated = {"NGHEDAN_LOOKUP_KEY": new, "NGHEDAN_RETIRED_LOOKUP_KEYS": old}
    world.deps = keyed(world.deps, cipher=cipher_of("intake", NGHEDAN_DATA_KEY=data, **rotated))
    with pytest.raises(Rejected):
        await world.run(handlers.sign_adhoc_request, signature)
