"""Delivery reports from the providers (webhooks), served beside /health."""

from __future__ import annotations

import hmac
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.notification.delivery import Notifier


def report_app(notifier: Notifier, token: str) -> Starlette:
    async def _authorised(request: Request) -> bool:
        given = request.headers.get("x-report-token") or request.query_params.get("token") or ""
        return not token or hmac.compare_digest(given, token)

    async def _read(request: Request) -> dict[str, Any] | None:
        try:
            body = await request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    async def sms_report(request: Request) -> JSONResponse:
        """{"id": gateway id (or our request_id), "status": "delivered"|"failed", "reason"}."""
        if not await _authorised(request):
            return JSONResponse({"error": "sai mã xác thực"}, status_code=401)
        body = await _read(request)
        if not body or not body.get("id") or body.get("status") not in ("delivered", "failed"):
            return JSONResponse(
                {"error": 'cần {"id", "status": "delivered"|"failed"}'}, status_code=400
            )
        known = await notifier.provider_report(
            "sms", str(body["id"]), body["status"] == "delivered", body.get("reason")
        )
        return JSONResponse({"known": known}, status_code=200 if known else 404)

    async def zalo_report(request: Request) -> JSONResponse:
        """Zalo's webhook: event `user_received_message` with message.msg_id."""
        if not await _authorised(request):
            return JSONResponse({"error": "sai mã xác thực"}, status_code=401)
        body = await _read(request)
        message = (body or {}).get("message") or {}
        if (
            not body
            or body.get("event_name") != "user_received_message"
            or not message.get("msg_id")
        ):
            return JSONResponse({"ignored": True})
        known = await notifier.provider_report("zalo", str(message["msg_id"]), True, None)
        return JSONResponse({"known": known}, status_code=200 if known else 404)

    return Starlette(
        routes=[
            Route("/providers/sms/reports", sms_report, methods=["POST"]),
            Route("/providers/zalo/reports", zalo_report, methods=["POST"]),
        ]
    )
