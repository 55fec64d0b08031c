"""Delivery reports from the providers (webhooks), served beside /health."""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

MAX_REPORT_BYTES = 16 * 1024  # a delivery report is a few hundred bytes


class TooLarge(Exception):
    pass


# A provider's report: (channel, its reference, delivered?, the reason it failed) -> known?
Report = Callable[[str, str, bool, str | None], Awaitable[bool]]


def _authorised(request: Request, token: str) -> bool:
    """The token in a header only (a query string ends up in proxies' logs); no token set, no
    report taken: an open endpoint would let anyone mark messages delivered."""
    given = request.headers.get("x-report-token", "")
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


async def _read(request: Request) -> dict[str, Any] | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_REPORT_BYTES:
        raise TooLarge
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_REPORT_BYTES:
            raise TooLarge
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def report_app(report: Report, token: str) -> Starlette:
    async def _admitted(request: Request) -> tuple[dict[str, Any] | None, JSONResponse | None]:
        """The report's body (None when it is not a JSON object) once the token is checked and
        its size capped; or the refusal to send back."""
        if not _authorised(request, token):
            return None, JSONResponse({"error": "sai mã xác thực"}, status_code=401)
        try:
            return await _read(request), None
        except TooLarge:
            return None, JSONResponse({"error": "báo cáo quá lớn"}, status_code=413)

    async def sms_report(request: Request) -> JSONResponse:
        """{"id": gateway id (or our request_id), "status": "delivered"|"failed", "reason"}."""
        body, refused = await _admitted(request)
        if refused:
            return refused
        if not body or not body.get("id") or body.get("status") not in ("delivered", "failed"):
            return JSONResponse(
                {"error": 'cần {"id", "status": "delivered"|"failed"}'}, status_code=400
            )
        known = await report(
            "sms", str(body["id"]), body["status"] == "delivered", body.get("reason")
        )
        return JSONResponse({"known": known}, status_code=200 if known else 404)

    async def zalo_report(request: Request) -> JSONResponse:
        """Zalo's webhook: event `user_received_message` with message.msg_id."""
        body, refused = await _admitted(request)
        if refused:
            return refused
        message = (body or {}).get("message") or {}
        if (
            not body
            or body.get("event_name") != "user_received_message"
            or not message.get("msg_id")
        ):
            return JSONResponse({"ignored": True})
        known = await report("zalo", str(message["msg_id"]), True, None)
        return JSONResponse({"known": known}, status_code=200 if known else 404)

    return Starlette(
        routes=[
            Route("/providers/sms/reports", sms_report, methods=["POST"]),
            Route("/providers/zalo/reports", zalo_report, methods=["POST"]),
        ]
    )
