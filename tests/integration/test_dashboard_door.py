"""The dashboard's door: a login by role (a password, or a login proxy's word), safe headers on
every page, and nothing a visitor types echoed back as markup."""

from __future__ import annotations

import asyncio
import base64
import threading
from typing import Any

import httpx
import pytest

from services.reporting.access import SECURITY_HEADERS
from services.reporting.store import ReadModels
from shared.clock import FixedClock
from shared.passwords import check_password, hash_password
from tests.browser import served
from tests.helpers import publish_event, reporting_service, running
from tests.waits import until
from tests.when import vn

PASSWORD = "mat-khau-cua-van-phong"
USERS = ",".join(
    [
        f"chanh-vp:viewer:{hash_password(PASSWORD)}",
        f"so-noi-vu:api:{hash_password(PASSWORD)}",
    ]
)


def basic(name: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def visit(service, client=("203.0.113.7", 5000), **settings):
    transport = httpx.ASGITransport(app=service.spec.web, client=client)
    return httpx.AsyncClient(transport=transport, base_url="http://reporting")


@pytest.fixture
async def clock():
    return FixedClock(vn(2026, 9, 1))


async def test_a_login_is_asked_for_and_each_role_opens_what_it_may(topology, own_db, clock):
    service = reporting_service(
        topology, clock, MONGO_DB=own_db("reporting"), DASHBOARD_AUTH="basic", DASHBOARD_USERS=USERS
    )
    async with running(service), await visit(service) as web:
        anonymous = await web.get("/")
        wrong = await web.get("/", headers=basic("chanh-vp", "doan-mo"))
        unknown = await web.get("/api/tong-quan", headers=basic("ai-do"))
        viewer_page = await web.get("/", headers=basic("chanh-vp"))
        api_page = await web.get("/", headers=basic("so-noi-vu"))
        api_json = await web.get("/api/tong-quan", headers=basic("so-noi-vu"))
        health = await web.get("/phien/x", headers={})
    assert anonymous.status_code == 401 and "Basic" in anonymous.headers["www-authenticate"]
    assert "đăng nhập" in anonymous.text
    assert (wrong.status_code, unknown.status_code) == (401, 401)
    assert viewer_page.status_code == 200 and "<html" in viewer_page.text.lower()
    assert api_page.status_code == 403 and api_json.status_code == 200
    assert health.status_code == 401
    for response in (anonymous, viewer_page, api_json):
        for name, value in SECURITY_HEADERS:
            assert response.headers[name.decode()] == value.decode()
    assert "script-src" not in viewer_page.headers["content-security-policy"]


async def test_a_login_proxy_is_believed_only_from_its_own_address(topology, own_db, clock):
    service = reporting_service(
        topology,
        clock,
        MONGO_DB=own_db("reporting"),
        DASHBOARD_AUTH="proxy",
        DASHBOARD_TRUSTED_PROXIES="10.9.0.0/24",
    )
    vouched = {"X-Forwarded-User": "chanh-vp", "X-Forwarded-Groups": "staff, viewer"}
    async with running(service):
        async with await visit(service, client=("10.9.0.5", 443)) as web:
            through_proxy = await web.get("/", headers=vouched)
            no_role = await web.get("/", headers={"X-Forwarded-User": "khach"})
        async with await visit(service, client=("198.51.100.9", 443)) as web:
            forged = await web.get("/", headers=vouched)
    assert through_proxy.status_code == 200
    assert no_role.status_code == 403 and forged.status_code == 403


async def test_without_any_account_outside_development_the_dashboard_stays_shut(
    topology, own_db, clock
):
    service = reporting_service(
        topology, clock, MONGO_DB=own_db("reporting"), DASHBOARD_AUTH="basic"
    )
    async with running(service), await visit(service) as web:
        page = await web.get("/")
    assert page.status_code == 403 and "DASHBOARD_USERS" in page.text


async def test_an_unknown_session_page_echoes_no_markup(topology, own_db, clock):
    service = reporting_service(topology, clock, MONGO_DB=own_db("reporting"))
    async with running(service), await visit(service) as web:
        page = await web.get("/phien/<script>alert(1)<img src=x onerror=alert(2)>")
    assert page.status_code == 404
    assert "<script>" not in page.text and "<img" not in page.text
    assert "&lt;script&gt;alert(1)&lt;img src=x onerror=alert(2)&gt;" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


async def test_a_login_flood_is_locked_out_and_health_and_consumers_go_on(
    topology, purge_queues, own_db, clock
):
    """Every password check is held in its worker thread until the test lets it go: were a check
    run on the event loop, /health could not answer and no event be applied meanwhile."""
    service = reporting_service(
        topology, clock, MONGO_DB=own_db("reporting"), DASHBOARD_AUTH="basic", DASHBOARD_USERS=USERS
    )
    release, checked = threading.Event(), []

    def held_check(password: str, stored: str) -> bool:
        checked.append(password)
        release.wait(120)
        return check_password(password, stored)

    service.spec.web.login.verify = held_check
    models = ReadModels(service.infra.db)
    async with running(service), served(service) as base, httpx.AsyncClient(base_url=base) as web:
        flood = [
            asyncio.create_task(web.get("/", headers=basic(name, f"doan-{n}"), timeout=120))
            for n in range(12)
            for name in ("chanh-vp", "khong-co-ai")
        ]

        async def health() -> dict[str, Any]:
            response = await web.get("/health", timeout=30)
            assert response.status_code == 200
            return response.json()

        async def holding() -> dict[str, Any] | None:
            seen = await health()
            return seen if seen["logins"]["checks_waiting"] >= 1 else None

        held = await until(holding, "a password check held in its thread")
        await publish_event(  # a consumer applies it while the check is still held
            topology.amqp_url,
            "registration.session.held.v1",
            {"session_id": "TT-2026-DK7", "commune_code": "TT", "held_on": "2026-09-25"},
        )
        await until(lambda: models.session("TT-2026-DK7"), "the event applied by reporting")
        assert checked and not release.is_set() and held["status"] == "ok"
        release.set()
        answers = await asyncio.gather(*flood)
        after = (await health())["logins"]
        right = await web.get("/", headers=basic("chanh-vp"))
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {401, 429} and statuses.count(401) >= 5, statuses
    busy = [a for a in answers if a.status_code == 429]
    assert busy and all(a.headers.get("retry-after") for a in busy)
    assert len({a.text for a in answers if a.status_code == 401}) == 1  # one answer for any name
    assert len(checked) == statuses.count(401) <= 1 + 8  # the rest refused unchecked
    assert after["locked_addresses"] == ["127.0.0.1"] and after["lockouts_started"] >= 1
    assert right.status_code == 429  # the lockout holds, even for the right password


async def test_guessing_one_name_from_many_addresses_locks_that_name(topology, own_db, clock):
    service = reporting_service(
        topology, clock, MONGO_DB=own_db("reporting"), DASHBOARD_AUTH="basic", DASHBOARD_USERS=USERS
    )
    async with running(service):
        for n in range(5):
            for name in ("chanh-vp", "khong-co-ai"):
                async with await visit(service, client=(f"198.51.100.{n}", 5000)) as web:
                    assert (await web.get("/", headers=basic(name, "doan"))).status_code == 401
        async with await visit(service, client=("198.51.100.99", 5000)) as web:
            locked = await web.get("/", headers=basic("chanh-vp"))
            unknown = await web.get("/", headers=basic("khong-co-ai"))
        shown = service.spec.web.login.status()
    assert locked.status_code == 429 and "thử lại sau" in locked.text
    assert (
        unknown.status_code == 429
        and locked.headers["retry-after"] == unknown.headers["retry-after"]
    )
    assert shown["locked_accounts"] == ["chanh-vp"] and shown["locked_unknown_names"] == 1
