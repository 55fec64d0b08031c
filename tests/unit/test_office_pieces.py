"""The office's small parts on their own: who may send what, who acted, a refusal beside its
field, a step's command from its form, where a login may send one back, the /office/ door."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest
from PIL import Image

from services.office.accounts import Account
from services.office.actions import BY_SLUG, CONFERENCE_ACTIONS, CREATE, plan_extras
from services.office.forms import Form
from services.office.scan import Scan, read_code
from services.office.web import safe_next
from shared import qr
from shared.contracts.common import Outcome, OutcomeError
from shared.contracts.envelope import new_event
from shared.health import health_app
from shared.messaging.handling import HandlerContext
from shared.messaging.senders import SendersError, load_senders
from shared.reference import load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA
from tests.when import vn

CLERK = Account("vanphong", "Trần Văn Phòng", "clerk", "TT")


def test_the_office_may_send_the_operators_commands_it_lists_and_an_integrator_may_not():
    senders = load_senders()
    assert senders.allows("office", "intake.close-issue.v1")
    assert senders.allows("office", "reporting.issue-results.v1")
    assert not senders.allows("office", "intake.data-request.v1")  # not listed for the office
    assert not senders.allows("van_phong", "intake.close-issue.v1")


def test_the_office_is_declared_in_its_own_section_only(tmp_path: Path):
    wrong = tmp_path / "senders.yaml"
    wrong.write_text("systems:\n  office:\n    commands: [intake.submit-issue.v1]\n")
    with pytest.raises(SendersError, match="mục office"):
        load_senders(wrong)


def test_who_acted_is_the_broker_verified_sender_and_the_person_it_named():
    named = new_event("intake.accept-case.v1", {}, source="/nghedan/office", acted_by="An (an)")
    plain = new_event("intake.accept-case.v1", {}, source="/x")
    assert HandlerContext(None, named, None, "office").actor == "office: An (an)"  # type: ignore[arg-type]
    assert HandlerContext(None, plain, None, "mot_cua").actor is None  # type: ignore[arg-type]
    assert json.loads(named.model_dump_json())["actedby"] == "An (an)"


def test_a_refusal_is_shown_beside_its_field_or_above_the_form_under_a_new_command_id():
    form = Form(values={"starts_on": "2026-09-07"})
    first = form.command_id
    outcome = Outcome(
        command_id=first,
        command_type="vn.nghedan.registration.schedule-session.v1",
        status="rejected",
        errors=[
            OutcomeError(field="data.starts_at", message="quá sớm"),
            OutcomeError(field="data.session_id", message="không có"),
        ],
    )
    form.refused(outcome, BY_SLUG_CONFERENCE["lich"].shown())
    assert form.errors == {"starts_on": ["quá sớm"]} and form.general == ["không có"]
    assert form.command_id != first and form.value("starts_on") == "2026-09-07"


BY_SLUG_CONFERENCE = {a.slug: a for a in CONFERENCE_ACTIONS}


def test_a_steps_command_is_what_its_form_says():
    at = vn(2026, 9, 1, 9)
    schedule = BY_SLUG_CONFERENCE["lich"].data(
        Form(values={"starts_on": "2026-09-08", "starts_time": "08:00", "venue": ""}),
        "TT-2026-DK1",
        CLERK,
        at,
    )
    assert schedule == {"session_id": "TT-2026-DK1", "starts_at": "2026-09-08T08:00:00+07:00"}
    accept = BY_SLUG["thu-ly"].data(
        Form(values={"accepted_on": "2026-09-01", "complex": "1"}), "TT-2026-00001", CLERK, at
    )
    assert accept == {
        "tracking_code": "TT-2026-00001",
        "accepted_on": "2026-09-01",
        "complex": True,
        "officer": "Trần Văn Phòng",
    }
    follow = BY_SLUG["theo-doi"].data(Form(values={"status": "resolved"}), "C", CLERK, at)
    assert follow["reported_at"] == at.isoformat() and "officer" not in follow
    plan = CREATE.data(Form(values={"year": "2026", "capacity_max": "abc"}), "", CLERK, at)
    assert plan["year"] == 2026 and plan["capacity_max"] == "abc"  # the service says what is wrong
    settled = BY_SLUG["thon"].data(Form(values={"reason": "xong"}), "C", CLERK, at)
    assert settled["outcome"] == "settled_in_village"


@pytest.mark.parametrize(
    ("asked", "sent"),
    [
        ("/hang-doi", "/hang-doi"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("", "/"),
    ],
)
def test_a_login_sends_one_back_only_to_a_page_of_this_site(asked: str, sent: str):
    assert safe_next(asked) == sent


async def _ok(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"words"})


async def _probe():
    return {"status": "ok"}


@pytest.mark.parametrize(
    ("token", "shown", "status"),
    [(None, None, 200), ("", None, 401), ("s3cret", None, 401), ("s3cret", "s3cret", 200)],
)
async def test_the_office_door_answers_only_with_its_token(token, shown, status):
    app = health_app(_probe, None, None, None, None, _ok, token)
    headers = {"authorization": f"Bearer {shown}"} if shown else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://x") as web:
        answer = await web.get("/office/issues", headers=headers)
    assert answer.status_code == status


async def test_an_office_door_answers_for_its_own_commune_only():
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from shared.health import other_commune

    async def door(request: Request):
        return other_commune(request.query_params, "TT") or JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/office/x", door)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://x") as web:
        own = await web.get("/office/x", params={"commune": "TT"})
        other = await web.get("/office/x", params={"commune": "BS"})
    assert own.status_code == 200
    assert other.status_code == 404 and "không phải BS" in other.json()["error"]


def test_a_photo_gives_its_one_qr_code_or_says_why_not():
    words = {
        "unreadable": "không đọc được",
        "several": "nhiều mã: {codes}",
        "not_image": "không phải ảnh",
    }
    one = Image.open(io.BytesIO(qr.png("TT-2026-DK1-001-K7QMP")))
    photo = Image.new("RGB", (1600, 1200), "white")
    photo.paste(one, (100, 100))
    assert read_code(_jpeg(photo), **words) == Scan(code="TT-2026-DK1-001-K7QMP")
    photo.paste(Image.open(io.BytesIO(qr.png("TT-2026-DK1-002-AAAAA"))), (800, 100))
    assert read_code(_jpeg(photo), **words) == Scan(
        problem="nhiều mã: TT-2026-DK1-001-K7QMP, TT-2026-DK1-002-AAAAA"
    )
    assert read_code(_jpeg(Image.new("RGB", (400, 300), "white")), **words).problem == (
        "không đọc được"
    )
    assert read_code(b"%PDF-1.7 not a picture", **words).problem == "không phải ảnh"


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def test_the_plan_forms_organisers_and_sittings_become_the_commands_fields():
    ref = load_reference_data(SHIPPED_REFERENCE_DATA)
    data = {"org_peoples_committee": "Ông Long, Chủ tịch", "org_fatherland_front": ""}
    data["sittings"] = "CUM1: lân luông, T02; Nhà văn hoá\n\n CUM2: Thôn 03 "
    assert plan_extras(data, ref) == []
    assert data["organisers"][0] == {
        "body": "peoples_committee",
        "role": "chairs",
        "representative": "Ông Long, Chủ tịch",
    }
    assert [o["role"] for o in data["organisers"]] == [
        "chairs",
        "co_chairs",
        "co_organises",
        "invited",
    ]
    assert data["sittings"] == [
        {"code": "CUM1", "villages": ["LL", "T02"], "venue": "Nhà văn hoá"},
        {"code": "CUM2", "villages": ["T03"]},
    ]
    empty = {"sittings": "", **{f"org_{b}": "" for b in ("peoples_committee", "party_committee")}}
    assert plan_extras(empty, ref) == [] and empty == {}  # the law's organisers, one sitting
    bad = {"sittings": "không có dấu hai chấm\nCUM3: Thôn Chín Mươi, LL"}
    problems = plan_extras(bad, ref)
    assert "Dòng 1" in problems[0] and "không có thôn Thôn Chín Mươi" in problems[1]
