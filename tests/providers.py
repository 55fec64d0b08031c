"""Local stand-ins for the providers, over real sockets: an SMTP server, an SMS gateway, Zalo ZNS.

Each records every request it received (raw, duplicates included) and, like the real services,
de-duplicates on the idempotency key the caller sends. Tests script their error answers.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    to: list[str]
    message: email.message.EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""  # type: ignore[no-any-return]

    def attached(self) -> dict[str, bytes]:
        """The mail's attachments by file name, as a mail client would list them."""
        return {
            str(part.get_filename()): part.get_content() for part in self.message.iter_attachments()
        }


@dataclass
class SmtpServer:
    """aiosmtpd in a thread; `refuse` maps an address to an SMTP reply ("550 ..." or "451 ...")."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Received(list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def __enter__(self) -> SmtpServer:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.to]

    def distinct(self) -> set[str]:
        return {r.message_id for r in self.received}


ESMS_KEYS = ("esms-api-thu", "esms-secret-thu")
ESMS_BRANDNAMES = {"UBND THIEN TAN"}


@dataclass
class HttpProvider:
    """The SMS gateway (`/sms`), eSMS (`/esms`) and Zalo ZNS (`/zns`) in one local HTTP server.

    `script[phone]` is a queue of answers for that number: (HTTP status, JSON body); an empty
    queue means success. Accepted messages are de-duplicated on request_id / tracking_id.
    """

    port: int = field(default_factory=free_port)
    requests: list[dict[str, Any]] = field(default_factory=list)
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)
    script: dict[str, deque[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    delivered_status: str = "accepted"
    delay: float = 0.0  # seconds an accepted SMS takes to be answered: a gateway slower than us

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, phone: str, *answers: tuple[int, dict[str, Any]]) -> None:
        self.script.setdefault(phone, deque()).extend(answers)

    def _scripted(self, phone: str) -> tuple[int, dict[str, Any]] | None:
        queue = self.script.get(phone)
        return queue.popleft() if queue else None

    async def _sms(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append({"kind": "sms", **body, "auth": request.headers.get("authorization")})
        scripted = self._scripted(body["to"])
        if scripted:
            return JSONResponse(scripted[1], status_code=scripted[0])
        key = body["request_id"]
        self.accepted.setdefault(key, {"kind": "sms", **body})
        await asyncio.sleep(self.delay)  # taken, and slow to say so: the sender may time out
        return JSONResponse({"id": f"gw-{key}", "status": self.delivered_status})

    async def _esms(self, request: Request) -> JSONResponse:
        """eSMS as its documentation describes SendMultipleMessage_V4_post_json: always HTTP 200,
        `CodeResult` "100" with an `SMSID` on success, another code and `ErrorMessage` if not."""
        body = await request.json()
        self.requests.append({"kind": "esms", **body})
        scripted = self._scripted(body.get("Phone", ""))
        if scripted:
            return JSONResponse(scripted[1], status_code=scripted[0])
        if (body.get("ApiKey"), body.get("SecretKey")) != ESMS_KEYS:
            return JSONResponse({"CodeResult": "101", "ErrorMessage": "Sai ApiKey hoặc SecretKey"})
        if body.get("Brandname") not in ESMS_BRANDNAMES or body.get("SmsType") != "2":
            return JSONResponse({"CodeResult": "104", "ErrorMessage": "Brandname chưa đăng ký"})
        key = body["RequestId"]
        self.accepted.setdefault(key, {"kind": "esms", **body})
        return JSONResponse({"CodeResult": "100", "CountRegenerate": 0, "SMSID": f"esms-{key}"})

    async def _zns(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append({"kind": "zalo", **body, "token": request.headers.get("access_token")})
        scripted = self._scripted(body["phone"])
        if scripted:
            return JSONResponse(scripted[1], status_code=scripted[0])
        key = body["tracking_id"]
        self.accepted.setdefault(key, {"kind": "zalo", **body})
        return JSONResponse({"error": 0, "message": "Success", "data": {"msg_id": f"zns-{key}"}})

    async def __aenter__(self) -> HttpProvider:
        app = Starlette(
            routes=[
                Route("/sms", self._sms, methods=["POST"]),
                Route("/zns", self._zns, methods=["POST"]),
                Route("/esms", self._esms, methods=["POST"]),
            ]
        )
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_config=None, access_log=False
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:  # noqa: ASYNC110 (uvicorn offers no event for it)
            await asyncio.sleep(0.02)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.should_exit = True
        await self._task

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.accepted.values() if r["kind"] == kind]

    def raw(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["kind"] == kind]
