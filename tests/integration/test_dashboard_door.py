"""The dashboard's door: a login by role (a password, or a login proxy's word), safe headers on
every page, and nothing a visitor types echoed back as markup."""

from __future__ import annotations

import base64

import httpx
import pytest

from services.reporting.access import SECURITY_HEADERS
from shared.clock import FixedClock
from shared.passwords import hash_password
from tests.helpers import reporting_service, running
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
