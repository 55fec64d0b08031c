"""The office's pages on the real platform: the office and the services it sends to, in this
process on the test broker and databases, served over HTTP and driven by Debian's Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from shared.clock import FixedClock
from tests.browser import axe_violations, phone, served, snapshot
from tests.helpers import (
    intake_service,
    notification_service,
    office_service,
    registration_service,
    reporting_service,
    running,
)
from tests.when import vn

NOW = vn(2026, 9, 1, 9)  # a Tuesday morning, at the commune office


@dataclass
class Office:
    url: str
    clock: FixedClock
    office: Any
    intake: Any

    async def login(self, page: Any, name: str, path: str = "/") -> None:
        await page.goto(self.url + path)
        await page.fill("#f-ten", name)
        await page.fill("#f-mat-khau", f"thu-{name}")  # the development accounts' passwords
        await page.click("button[type=submit]")

    async def checked(self, page: Any, name: str) -> None:
        """The page as it stands judged by axe-core (no serious or critical violation) and kept
        as a screenshot; no script or style the page's CSP refused; no wider than the phone."""
        await snapshot(page, name)
        assert await axe_violations(page) == [], name
        assert page.context.errors == [], name
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name}: {width} px wide, wider than the phone"


@pytest.fixture
async def office(topology, purge_queues, own_db) -> AsyncIterator[Office]:
    clock = FixedClock(NOW)
    intake = intake_service(topology, clock, MONGO_DB=own_db("intake"))
    async with running(intake), served(intake) as intake_url:
        office = office_service(
            topology, clock, MONGO_DB=own_db("office"), NGHEDAN_INTAKE_URL=intake_url
        )
        async with running(office), served(office) as url:
            yield Office(url, clock, office, intake)


@dataclass
class Platform(Office):
    registration: Any = None
    reporting: Any = None
    notification: Any = None
    reporting_url: str = ""  # reporting's own web app, for what only it would answer


@pytest.fixture
async def platform(topology, purge_queues, own_db, tmp_path) -> AsyncIterator[Platform]:
    """The four services and the office, each with its database and its web app."""
    clock = FixedClock(NOW)
    registration = registration_service(topology, clock, MONGO_DB=own_db("registration"))
    intake = intake_service(topology, clock, MONGO_DB=own_db("intake"))
    reporting = reporting_service(  # its dashboard behind the office's login, as deployed
        topology,
        clock,
        MONGO_DB=own_db("reporting"),
        DASHBOARD_AUTH="proxy",
        DASHBOARD_TRUSTED_PROXIES="127.0.0.1/32",
    )
    notification = notification_service(
        topology, clock, MONGO_DB=own_db("notification"), NOTIFY_FILE_DIR=str(tmp_path / "tin")
    )
    async with (
        running(registration),
        running(intake),
        running(reporting),
        running(notification),
        served(registration) as registration_url,
        served(intake) as intake_url,
        served(reporting) as reporting_url,
        served(notification) as notification_url,
    ):
        office = office_service(
            topology,
            clock,
            MONGO_DB=own_db("office"),
            NGHEDAN_INTAKE_URL=intake_url,
            NGHEDAN_REGISTRATION_URL=registration_url,
            NGHEDAN_REPORTING_URL=reporting_url,
            NGHEDAN_NOTIFICATION_URL=notification_url,
        )
        async with running(office), served(office) as url:
            yield Platform(
                url, clock, office, intake, registration, reporting, notification, reporting_url
            )


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with phone() as context:
        yield context
