"""Personal data governed (Law 91/2025), through the real broker and database: a person's request
answered with its clock and kept on record, the copy reaching only them; erasure where the law
allows it and a reason where it does not; data kept past its time erased by the service's own
job, counted in /health, never a case whose clocks run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared.clock import FixedClock
from shared.privacy import ERASED
from tests.helpers import RawClient, intake_service, notification_service, running
from tests.integration.test_legal_alarms import letters, until
from tests.waits import quiet
from tests.when import vn

RECEIVED = vn(2026, 8, 10)
CITIZEN_ID = "020185000919"  # Lạng Sơn, a woman born in 1985
PERSON = {
    "full_name": "Đinh Thị Riêngtư",
    "phone": "0912 000 919",
    "email": "rieng.tu@example.vn",
    "address": "Nhà số 5, thôn Lân Luông",
}


def request(kind: str, number: str, **more: Any) -> dict[str, Any]:
    return {
        "request_id": number,
        "kind": kind,
        "subject": {
            "full_name": PERSON["full_name"],
            "citizen_id": CITIZEN_ID,
            "phone": "0912000919",
            "email": PERSON["email"],
        },
        "received_at": vn(2026, 9, 1, 8).isoformat(),
        "officer": "Bộ phận tiếp công dân xã",
        **more,
    }


async def test_a_persons_request_is_answered_recorded_and_erases_only_what_the_law_allows(
    topology, purge_queues, own_db, tmp_path: Path
):
    clock = FixedClock(RECEIVED)
    async with (
        running(intake_service(topology, clock, MONGO_DB=own_db("intake"))) as intake,
        running(
            notification_service(
                topology, clock, MONGO_DB=own_db("notification"), NOTIFY_FILE_DIR=str(tmp_path)
            )
        ) as notification,
        RawClient(topology.amqp_url) as client,
    ):

        async def send(key: str, data: dict[str, Any], status: str = "accepted") -> Any:
            outcome = await client.send(key, data)
            assert outcome["status"] == status, (key, outcome)
            return outcome["result"] if status == "accepted" else outcome["errors"]

        common = {"channel": "letter", "received_at": RECEIVED.isoformat(), "village_code": "LL"}
        ended = (
            await send(
                "intake.submit-issue.v1",
                {
                    **common,
                    "kind": "recommendation",
                    "submitter": PERSON,
                    "content": "Đề nghị lắp đèn đường trước nhà số 5 thôn Lân Luông",
                },
            )
        )["tracking_code"]
        await send(
            "intake.close-issue.v1",
            {
                "tracking_code": ended,
                "outcome": "referred",
                "reason": "Thuộc điện lực",
                "authority": "Điện lực Hữu Lũng",
                "officer": "VP",
            },
        )
        case = (
            await send(
                "intake.submit-issue.v1",
                {
                    **common,
                    "kind": "complaint",
                    "submitter": PERSON,
                    "content": "Khiếu nại quyết định xử phạt hành chính",
                },
            )
        )["tracking_code"]
        signed = await send(
            "intake.sign-adhoc-request.v1",
            {
                "request_code": "DX-2026-01",
                "full_name": PERSON["full_name"],
                "citizen_id": CITIZEN_ID,
                "date_of_birth": "1985-03-15",
                "gender": "female",
                "village_code": "LL",
                "signed_at": RECEIVED.isoformat(),
            },
        )
        assert signed["signatures"] == 1
        clock.at = vn(2026, 9, 2, 10)  # 26 hours after the request came: within its 72
        access = await send("intake.data-request.v1", request("access", "YC-1"))
        erasure = await send("intake.data-request.v1", request("erasure", "YC-2"))
        (again,) = await send(
            "intake.data-request.v1", request("erasure", "YC-2"), status="rejected"
        )
        copies = await until(
            lambda: (found := letters(tmp_path, "data_request")) and len(found) == 2 and found,
            "bản sao và kết quả gửi người yêu cầu",
        )
        await quiet(intake, notification)
        erased_doc = await intake.db["issues"].find_one({"_id": ended})
        case_doc = await intake.db["issues"].find_one({"_id": case})
        kept = await intake.db["data_requests"].find_one({"_id": "YC-2"})
        content = intake.cipher.decrypt(erased_doc["content"], context=f"intake:{ended}:content")

    assert (access["found"], access["late"], access["told"]) == (3, False, True)
    assert access["due"] == "2026-09-04T08:00:00+07:00"
    copy = next(t for t in copies if "YC-1" in t)
    assert "Gửi đến: Đinh Thị Riêngtư · 0912000919 · rieng.tu@example.vn" in copy
    assert f"- {ended} (kiến nghị, nhận ngày 10/08/2026)" in copy
    assert "điện thoại: 0912 000 919" in copy and "địa chỉ: Nhà số 5, thôn Lân Luông" in copy
    assert "ngày sinh: 1985-03-15" in copy and f"số định danh cá nhân: {CITIZEN_ID}" in copy
    assert "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15" in copy
    # the recommendation, ended, is erased; the complaint's file is kept, with the reason said
    assert erasure["done"] == 1 and [r.get("tracking_code") for r in erasure["refused"]] == [
        case,
        None,  # the ad-hoc signature: the record of the 10%, kept until its time is up
    ]
    assert "chữ ký đề nghị đối thoại đột xuất DX-2026-01, ký ngày 10/08/2026" in copy
    assert "khiếu nại, tố cáo" in erasure["refused"][0]["reason"]
    result = next(t for t in copies if "YC-2" in t)
    assert f"- {ended}: đã xoá" in result and f"- {case}: không xoá" in result
    assert erased_doc["submitter"] is None and content == ERASED
    assert erased_doc["erased_why"] == "request" and case_doc["submitter"]["address"]
    assert again["code"] == "already_recorded"
    assert kept["kind"] == "erasure" and kept["late"] is False and kept["done"] == [ended]
    assert PERSON["email"] not in str(kept) and "0912" not in str(kept)  # the record names no one


async def test_what_is_kept_past_its_time_is_erased_by_the_services_job_and_counted(
    topology, purge_queues, own_db
):
    clock = FixedClock(RECEIVED)
    service = intake_service(
        topology,
        clock,
        MONGO_DB=own_db("intake"),
        INTAKE_RETENTION_DAYS=30,
        RETENTION_CHECK_SECONDS=0.2,
    )
    async with running(service) as intake, RawClient(topology.amqp_url) as client:

        async def send(key: str, data: dict[str, Any]) -> Any:
            outcome = await client.send(key, data)
            assert outcome["status"] == "accepted", (key, outcome)
            return outcome["result"]

        common = {"channel": "letter", "received_at": RECEIVED.isoformat(), "village_code": "LL"}
        ended = (
            await send(
                "intake.submit-issue.v1",
                {
                    **common,
                    "kind": "feedback",
                    "submitter": PERSON,
                    "content": "Phản ánh rác thải ở đầu thôn",
                },
            )
        )["tracking_code"]
        await send(
            "intake.close-issue.v1",
            {
                "tracking_code": ended,
                "outcome": "settled_in_village",
                "reason": "Đã dọn",
                "officer": "Trưởng thôn",
            },
        )
        running_case = (
            await send(
                "intake.submit-issue.v1",
                {
                    **common,
                    "kind": "complaint",
                    "submitter": PERSON,
                    "content": "Khiếu nại việc cấp giấy chứng nhận",
                },
            )
        )["tracking_code"]
        before = (await intake.probe())["retention"]
        clock.at = vn(2026, 9, 20)  # 41 days after receipt: past the 30 kept
        status = await until(lambda: _erased(intake), "việc xoá dữ liệu quá hạn chạy và đếm được")
        after = await until(
            lambda: _ran_again(intake, status["runs"]), "một lượt xoá nữa, không xoá gì thêm"
        )
        ended_doc = await intake.db["issues"].find_one({"_id": ended})
        case_doc = await intake.db["issues"].find_one({"_id": running_case})

    assert before["erased_since_start"] == 0 and before["days"] == 30
    assert after["pending"] == 0
    assert status["erased_since_start"] == 1 == after["erased_since_start"]  # once: idempotent
    assert "30 ngày" in after["what"]
    assert ended_doc["submitter"] is None and ended_doc["erased_why"] == "retention"
    assert case_doc["submitter"] is not None  # a complaint whose clocks run is never erased


async def _erased(service: Any) -> dict[str, Any] | None:
    status = (await service.probe())["retention"]
    return status if status["erased_since_start"] else None


async def _ran_again(service: Any, runs: int) -> dict[str, Any] | None:
    status = (await service.probe())["retention"]
    return status if status["runs"] > runs else None
