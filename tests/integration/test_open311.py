"""Intake's Open311 GeoReport v2 door: requests posted there go through intake.submit-issue.v1
itself; the reads, checked with the `georeport` client (a GeoReport v2 client we did not write),
show what the public may see and nothing of who wrote or what they wrote."""

from __future__ import annotations

import asyncio
from xml.etree import ElementTree as ET

import httpx
from georeport import GeoReport

from shared.clock import FixedClock
from shared.privacy import NOTICE
from tests.browser import served
from tests.helpers import EventSpy, RawClient, intake_service, running
from tests.when import vn

NOW = vn(2026, 9, 1)
KEY = "khoa-cong-thong-tin-thu-0001"
WORDS = "Đèn đường trước nhà ông Tư ở thôn Lân Luông hỏng đã ba tháng, tối rất nguy hiểm"
GUESS = "Trưởng thôn Lân Luông thu tiền làm đường sai quy định, mỗi hộ 500 nghìn đồng"


async def test_open311_requests_go_through_the_same_command_and_read_back_public_only(
    topology, purge_queues, own_db
):
    service = intake_service(
        topology,
        FixedClock(NOW),
        MONGO_DB=own_db("intake"),
        OPEN311_API_KEYS=f"cong_thong_tin:{KEY}",
        OPEN311_LIMITS="address=100/hour,key=100/hour,phone=10/day,reads=100/minute",
    )
    form = {
        "api_key": KEY,
        "service_code": "socio_economic",
        "address_string": "thôn Lân Luông",
        "description": WORDS,
        "first_name": "Hà Văn",
        "last_name": "Tư",
        "phone": "0912345678",
    }
    async with (
        running(service),
        served(service) as base,
        EventSpy(topology.amqp_url, "intake.issue.received.v1") as spy,
        RawClient(topology.amqp_url) as bus,
    ):
        door = f"{base}/open311/v2"
        async with httpx.AsyncClient(base_url=door) as web:
            made = await web.post("/requests.json", data=form)
            as_xml = await web.post(
                "/requests.xml", data={**form, "address_string": "", "address_id": "T02"}
            )
            refused = {
                "key": await web.post("/requests.json", data={**form, "api_key": "sai"}),
                "fields": await web.post(
                    "/requests.json", data={**form, "description": " ", "address_string": "X"}
                ),
                "service": await web.post("/requests.json", data={**form, "service_code": "x"}),
                "kind": await web.post(
                    "/requests.json", data={**form, "attribute[kind]": "complaint"}
                ),
                "xml": await web.post("/requests.xml", data={**form, "api_key": "sai"}),
            }
        received, _ = await spy.wait_for("intake.issue.received.v1", 2)
        code = made.json()[0]["service_request_id"]
        secret = await bus.send(
            "intake.submit-issue.v1",
            {
                "kind": "denunciation",
                "channel": "letter",
                "village_code": "LL",
                "content": "Tố cáo cán bộ thu tiền sai quy định",
                "received_at": NOW.isoformat(),
                "submitter": {"full_name": "Lò Văn Tốcáo", "address": "Nhà số 7 ngõ Bí Mật"},
            },
        )
        hidden = secret["result"]["tracking_code"]
        anonymous = await bus.send(  # kept as feedback for want of a name and an address
            "intake.submit-issue.v1",
            {
                "kind": "denunciation",
                "channel": "letter",
                "village_code": "LL",
                "topic_hint": "socio_economic",
                "content": GUESS,
                "received_at": NOW.isoformat(),
            },
        )
        unnamed = anonymous["result"]["tracking_code"]
        assert anonymous["result"]["handled_as"] == "feedback", anonymous
        approved = await bus.send(
            "intake.approve-summary.v1",
            {
                "tracking_code": code,
                "public_summary": "Phản ánh đèn chiếu sáng công cộng thôn Lân Luông bị hỏng",
                "officer": "Chánh Văn phòng",
            },
        )
        client, xml_client = GeoReport(door), GeoReport(door, output_format="xml")
        services = await asyncio.to_thread(client.get_service_list)
        services_xml = await asyncio.to_thread(xml_client.get_service_list)
        listed = await asyncio.to_thread(client.get_service_requests)
        one = await asyncio.to_thread(client.get_service_request, code)
        one_xml = await asyncio.to_thread(xml_client.get_service_request, code)
        open_only = await asyncio.to_thread(client.get_service_requests, status="closed")
        async with httpx.AsyncClient(base_url=door) as web:
            probe = await web.post("/requests.json", data={**form, "description": GUESS})
            again = await web.post("/requests.json", data=form)  # the same matter, once more
            secret_one = await web.get(f"/requests/{hidden}.json")
            unnamed_one = await web.get(f"/requests/{unnamed}.json")
            too_long = await web.get(
                "/requests.json",
                params={"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-09-01T00:00:00Z"},
            )

    assert made.status_code == 201, made.text
    # the notice of processing is given where the data is collected (Law 91/2025)
    assert made.json()[0]["service_notice"] == f"UBND xã đã tiếp nhận; mã theo dõi {code}. {NOTICE}"
    assert received["data"]["tracking_code"] == code  # the command's own event
    assert received["data"]["channel"] == "online_portal"
    assert received["data"]["kind"] == "feedback"
    xml_code = ET.fromstring(as_xml.content).find("request/service_request_id").text
    assert as_xml.status_code == 201 and xml_code.startswith("TT-2026-")
    assert refused["key"].status_code == 403 and refused["key"].json()[0]["code"] == 403
    fields = [e["description"] for e in refused["fields"].json()]
    assert refused["fields"].status_code == 400 and len(fields) == 2
    assert "address_id" in fields[0] and fields[1] == "Thiếu description"
    assert refused["service"].status_code == 404
    assert refused["kind"].status_code == 400 and "khiếu nại" in refused["kind"].text
    assert ET.fromstring(refused["xml"].content).find("error/code").text == "403"
    assert approved["status"] == "accepted"

    assert {s["service_code"] for s in services} >= {"compensation", "socio_economic"}
    assert any(s["service_code"] == "compensation" for s in services_xml)
    by_code = {r["service_request_id"]: r for r in listed}
    assert set(by_code) == {code, xml_code}  # the denunciation is not there
    assert one["description"] == "Phản ánh đèn chiếu sáng công cộng thôn Lân Luông bị hỏng"
    assert one["status"] == "open" and one["address"] == "Lân Luông" and one["address_id"] == "LL"
    assert one["agency_responsible"]
    assert by_code[xml_code]["description"] is None  # nothing approved: nothing shown
    assert one_xml["service_request_id"] == code and one_xml["address_id"] == "LL"
    assert open_only == []
    assert secret_one.status_code == 404 and too_long.status_code == 400
    # The anonymous denunciation is no oracle: a guess at it is a new matter of its own, told
    # only its own code; the denunciation is on no public endpoint.
    assert unnamed_one.status_code == 404 and unnamed not in str(listed)
    probed = probe.json()[0]
    assert probe.status_code == 201 and unnamed not in probed["service_notice"]
    assert (
        probed["service_notice"]
        == f"UBND xã đã tiếp nhận; mã theo dõi {probed['service_request_id']}. {NOTICE}"
    )
    # A public repeat is told the approved summary of what it joined, not that matter's code.
    joined = again.json()[0]["service_notice"]
    assert (
        "Phản ánh đèn chiếu sáng công cộng thôn Lân Luông bị hỏng" in joined and code not in joined
    )
    # Receipt and change times by the day only.
    assert one["requested_datetime"] == "2026-09-01T00:00:00+07:00"
    assert one["updated_datetime"] == "2026-09-01T00:00:00+07:00"
    shown = str(listed) + str(one) + str(one_xml) + str(services)
    for private in (WORDS, "Hà Văn", "0912345678", "Tốcáo", "thu tiền sai"):
        assert private not in shown


async def test_the_door_checks_the_key_first_caps_what_it_reads_and_counts_each_client(
    topology, purge_queues, own_db
):
    other = "khoa-bao-dien-tu-cua-huyen-0002"
    service = intake_service(
        topology,
        FixedClock(NOW),
        MONGO_DB=own_db("intake"),
        OPEN311_API_KEYS=f"cong_thong_tin:{KEY},bao_huyen:{other}",
        OPEN311_LIMITS="address=2/hour,key=7/hour,phone=2/day,reads=6/minute",
        OPEN311_MAX_BODY_BYTES=4096,
        OPEN311_TRUSTED_PROXIES="127.0.0.1/32",
    )
    form = {
        "api_key": KEY,
        "service_code": "socio_economic",
        "address_id": "LL",
        "description": WORDS,
        "first_name": "Hà Văn",
        "last_name": "Tư",
    }
    big = b"description=" + b"a" * 100_000
    urlencoded = {"content-type": "application/x-www-form-urlencoded"}

    def via(address: str) -> dict[str, str]:  # through our proxy, for another client
        return {"x-forwarded-for": f"203.0.113.66, {address}"}

    async with running(service), served(service) as base:
        async with httpx.AsyncClient(base_url=f"{base}/open311/v2", timeout=30) as web:
            posted = [
                await web.post("/requests.json?api_key=sai", content=big, headers=urlencoded),
                await web.post(f"/requests.json?api_key={KEY}", content=big, headers=urlencoded),
                await web.post("/requests.json", data=form, files={"media": b"\x89PNG"}),
                await web.post("/requests.json", data={**form, "phone": "0912 000 555"}),
                await web.post("/requests.json", data={**form, "phone": "+84912000555"}),
                await web.post("/requests.json", data={**form, "phone": "0912.000.555"}),
                await web.post("/requests.json", data={**form, "description": "Xin lắp camera"}),
                await web.post("/requests.json", data={**form, "description": "Xin sửa cống"}),
                await web.post("/requests.json", data={**form, "api_key": "sai-nua"}),
                await web.post("/requests.json", data={**form, "description": "Xin sửa cầu"}),
                await web.post(
                    "/requests.json",
                    data={**form, "description": "Xin sửa cầu"},
                    headers=via("198.51.100.7"),
                ),
                await web.post(
                    "/requests.json",
                    data={**form, "description": "Xin trồng cây"},
                    headers=via("198.51.100.8"),
                ),
                await web.post(
                    "/requests.json",
                    data={**form, "description": "Xin lắp loa"},
                    headers=via("198.51.100.9"),
                ),
            ]
            read = [
                await web.get("/requests.json", params={"page_size": 2}),
                await web.get("/requests.json", params={"page_size": 2, "page": 2}),
                await web.get("/requests.json", params={"page_size": 2, "page": 3}),
                await web.get("/requests.json", params={"page_size": 500}),
                await web.get("/requests.json", params={"status": "mo"}),
                await web.get("/requests.json"),
                await web.get("/requests.json"),
                await web.get("/requests.json", params={"api_key": other}),  # counted per key
            ]
        first = posted[3].json()[0]["service_request_id"]
        primary = await service.infra.db["issues"].find_one({"_id": first})

    statuses = [p.status_code for p in posted]
    assert statuses == [403, 413, 415, 201, 201, 429, 201, 201, 403, 429, 201, 201, 429], statuses
    assert "api_key" in posted[0].text  # the key refused before the body was read
    assert "4 KiB" in posted[1].text and "tệp" in posted[2].text
    assert "thư điện tử" in posted[5].text and int(posted[5].headers["retry-after"]) > 0
    # Two wrong keys from one address: refused unread, even with the right key, for a while;
    # another client behind our proxy is not (X-Forwarded-For believed from the proxy only).
    assert "sai khoá" in posted[9].text and int(posted[9].headers["retry-after"]) > 0
    assert "hết lượt" in posted[12].text  # the key's own limit
    # The same person twice (one number, two spellings): one issue raised by one person.
    assert "gộp" in posted[4].json()[0]["service_notice"], posted[4].text
    assert primary["raised_by"] == 1 and len(primary["merged"]) == 1
    pages = [[r["service_request_id"] for r in page.json()] for page in read[:3]]
    assert [len(p) for p in pages] == [2, 2, 2] and len({c for p in pages for c in p}) == 6
    assert read[3].status_code == 400 and read[4].status_code == 400
    assert read[5].status_code == 200 and read[6].status_code == 429
    assert read[7].status_code == 200
