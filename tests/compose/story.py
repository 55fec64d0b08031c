"""What the outside does to the compose deployment in `make compose-check`: integrating systems over
AMQPS 5671 with the deployment's CA (through docs/examples/integrate.py, the integrator's own
example), the operator's CLI inside the deployment, a person at the mail server, the office's and
the dashboard's pages through their published ports. Every figure is what the outside saw."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import mailbox
import re
import ssl
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import aio_pika
import httpx
from aio_pika.exceptions import AMQPConnectionError

from shared.clock import write_clock_file
from shared.messaging.definitions import is_integrating
from shared.messaging.senders import load_senders
from shared.reference import load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA
from tests.compose.engine import ROOT, CheckFailed, Project
from tests.helpers import citizen
from tests.when import run_clock_from, vn

AT = vn(2026, 9, 1, 9, 0)  # the services' clock runs from here (never the hour the check runs)
DAY = vn(2026, 9, 25, 8, 0)  # the conference
CODE = re.compile(r"Mã đại biểu: ([A-Z0-9-]+)")


def example_module() -> ModuleType:
    path = ROOT / "docs" / "examples" / "integrate.py"
    spec = importlib.util.spec_from_file_location("integrate_example", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Outside:
    """The deployment as the world sees it: its published ports, its CA, its secrets' files."""

    project: Project
    amqps_port: int = 28671
    office_port: int = 28185
    dashboard_port: int = 28184
    notification_port: int = 28183

    def __post_init__(self) -> None:
        self.example = example_module()
        self.document = self.example.load(self.example.DOCUMENT)

    @property
    def secrets(self) -> Path:
        return self.project.work / "secrets"

    @property
    def ca(self) -> Path:
        return self.secrets / "rabbitmq_tls_ca.pem"

    def url(self, user: str) -> str:
        senders = load_senders(self.project.work / "reference" / "senders.yaml")
        folder = self.secrets / "systems" if is_integrating(user, senders) else self.secrets
        password = (folder / f"rabbitmq_{user}_password").read_text().strip()
        return f"amqps://{user}:{quote(password, safe='')}@localhost:{self.amqps_port}/nghedan"

    async def send(
        self, user: str, name: str, data: dict[str, Any], event_id: str | None = None
    ) -> dict[str, Any]:
        """A command over AMQPS, as the system `user`, with its one outcome."""
        changes = [f"{k}={_json(v)}" for k, v in data.items()]
        return dict(
            await self.example.send(
                self.url(user), self.document, name, changes, self.ca, event_id=event_id
            )
        )

    async def publish(self, user: str, name: str, batch: list[tuple[str, dict[str, Any]]]) -> None:
        """Commands published and confirmed by the broker, without waiting for their outcomes."""
        context = ssl.create_default_context(cafile=str(self.ca))
        connection = await aio_pika.connect(self.url(user), ssl_context=context)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange("nghedan.inbound", ensure=False)
            for event_id, data in batch:
                event = {
                    "specversion": "1.0",
                    "id": event_id,
                    "source": self.example.SOURCE,  # so a command sent again is the same one
                    "type": f"vn.nghedan.{name}",
                    "time": "2026-09-01T02:00:00+00:00",
                    "datacontenttype": "application/json",
                    "data": data,
                }
                await exchange.publish(
                    aio_pika.Message(
                        _json(event).encode(),
                        content_type="application/cloudevents+json",
                        message_id=event_id,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        user_id=user,
                    ),
                    routing_key=name,
                )

    async def accepted(
        self, user: str, name: str, data: dict[str, Any], event_id: str | None = None
    ) -> dict[str, Any]:
        outcome = await self.send(user, name, data, event_id)
        if outcome.get("status") != "accepted":
            raise CheckFailed(f"{name} từ {user}: {outcome}")
        return dict(outcome.get("result") or {})

    async def refused_login(self, user: str) -> bool:
        """True when the broker refuses this user on the public TLS port."""
        context = ssl.create_default_context(cafile=str(self.ca))
        try:
            connection = await aio_pika.connect(self.url(user), ssl_context=context, timeout=20)
        except AMQPConnectionError:
            return True
        await connection.close()
        return False

    def set_clock(self, at: Any) -> None:
        write_clock_file(self.project.work / "clock" / "clock.json", frozen_at=at)

    def start_clock(self) -> None:
        run_clock_from(self.project.work / "clock" / "clock.json", AT)

    def operator_sends(self, name: str, data: dict[str, Any]) -> str:
        """The operator's CLI inside the deployment (`docker compose run --rm cli`)."""
        command = _json({"type": name, "data": data})
        done = self.project.run(
            "run", "--rm", "-T", "cli", "nghedan", "send", "/dev/stdin", stdin=command, check=False
        )
        if done.returncode != 0 or "accepted" not in done.stdout:
            raise CheckFailed(f"nghedan send {name}: {done.stdout[-400:]} {done.stderr[-400:]}")
        return done.stdout


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def invitations(maildir: Path) -> Counter[str]:
    """The registration codes in the invitations the mail server received, each counted once a
    Message-ID: a mail system takes one message once under its Message-ID, so an attempt cut
    short by a kill and made again (the same Message-ID) reaches the person once."""
    return Counter(code for code, _ in mails(maildir))


def mails(maildir: Path) -> Counter[tuple[str, str]]:
    """(code, Message-ID) of every invitation on the wire, with how often each crossed it."""
    seen: Counter[tuple[str, str]] = Counter()
    if not (maildir / "new").exists():
        return seen
    for message in mailbox.Maildir(str(maildir), create=False):
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                text = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
                seen.update((code, str(message["Message-ID"])) for code in set(CODE.findall(text)))
    return seen


async def mail_until(
    maildir: Path, missing: Callable[[Counter[str]], str | None], console: Any, timeout: float = 180
) -> Counter[str]:
    """Until the invitations at the mail server lack nothing (`missing` says what they still lack,
    or None): their arrival is the signal; past the deadline, what was still missing."""
    deadline = time.monotonic() + timeout
    with console.status("Chờ thư mời tới máy chủ thư…") as status:
        while (lack := missing(got := invitations(maildir))) is not None:
            if time.monotonic() > deadline:
                raise CheckFailed(f"máy chủ thư chưa có: {lack}")
            status.update(f"Chờ thư mời tới máy chủ thư: còn {lack}…")
            await asyncio.sleep(0.2)
    return got


async def wait_for_mail(
    maildir: Path, wanted: set[str], console: Any, timeout: float = 180
) -> Counter[str]:
    """Until every wanted code's invitation has reached the mail server."""

    def missing(got: Counter[str]) -> str | None:
        left = wanted - set(got)
        return (
            f"{len(left)}/{len(wanted)} thư mời ({', '.join(sorted(left)[:3])}…)" if left else None
        )

    return await mail_until(maildir, missing, console, timeout)


@cache
def village_codes() -> list[str]:
    return [v.code for v in load_reference_data(SHIPPED_REFERENCE_DATA).villages]


def delegate(session_id: str, seq: int) -> dict[str, Any]:
    """A people's representative of a village each, in turn: within every village's quota, so
    each one is invited rather than put on the waiting list."""
    villages = village_codes()
    return {
        "session_id": session_id,
        "full_name": f"Người Kiểm Thử {seq:02d}",
        **citizen(900 + seq),
        "village_code": villages[seq % len(villages)],
        "category": "peoples_representative",
        "email": f"dai-bieu-{seq:02d}@thu.example.vn",
    }


def conference_times() -> dict[str, Any]:
    return {
        "check_in": DAY + timedelta(minutes=30),
        "concluded": DAY + timedelta(hours=3),
        "issued": DAY + timedelta(days=5),
    }


def login_office(port: int, name: str, password: str) -> httpx.Response:
    """The office's login form through its published port, as a browser does, then its first page."""
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=30) as client:
        form = client.get("/dang-nhap")
        token = form.cookies.get("nd_dang_nhap") or ""
        answer = client.post(
            "/dang-nhap",
            data={"_csrf": token, "ten": name, "mat_khau": password, "next": "/"},
            headers={"cookie": f"nd_dang_nhap={token}"},
        )
        if answer.status_code != 303 or "nd_phien" not in answer.cookies:
            raise CheckFailed(f"đăng nhập trang văn phòng: {answer.status_code}")
        return client.get("/", headers={"cookie": f"nd_phien={answer.cookies['nd_phien']}"})
