"""Liveness and readiness over HTTP (a tiny ASGI app served by uvicorn), for compose and the CLI."""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import TypeAdapter
from starlette.responses import JSONResponse, Response

from shared.login import Network, within

Probe = Callable[[], Awaitable[dict[str, Any]]]


ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def health_app(
    probe: Probe,
    service_app: ASGIApp | None = None,
    metrics: Callable[[], Awaitable[bytes]] | None = None,
    admin: ASGIApp | None = None,
    admin_token: str | None = None,
    office: ASGIApp | None = None,
    office_token: str | None = None,
    refused_from: tuple[Network, ...] = (),
) -> ASGIApp:
    """Health endpoints, /metrics (Prometheus), /admin/ (the operator's CLI, with its token) and
    /office/ (what the office's pages read, with theirs); any other path goes to the service's
    own web app, when it has one."""
    doors = {"/admin/": (admin, admin_token, ADMIN_CLOSED, ADMIN_NO_TOKEN)}
    doors["/office/"] = (office, office_token, OFFICE_CLOSED, OFFICE_NO_TOKEN)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if refused_from and _internal(scope["path"]):
            client = (scope.get("client") or ("",))[0]
            if within(str(client), refused_from):
                await _send_json(send, 404, {"error": NOT_PUBLISHED})
                return
        for prefix, (door, token, closed, wrong) in doors.items():
            if scope["path"].startswith(prefix) and door is not None:
                refused = _refused(scope, token)
                if refused:
                    said = closed if refused == ADMIN_CLOSED else wrong
                    await _send_json(send, 401, {"error": said})
                    return
                await door(scope, receive, send)
                return
        if scope["path"] == "/metrics" and metrics is not None:
            from shared.metrics import CONTENT_TYPE

            exposed = await metrics()
            headers = [(b"content-type", CONTENT_TYPE.encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": exposed})
            return
        if service_app is not None and scope["path"] not in (*LIVE, *READY):
            await service_app(scope, receive, send)
            return
        await _health(scope["path"], probe, send)

    return app


def _internal(path: str) -> bool:
    """The doors for the platform's own network only: metrics, the operator's, the office's."""
    return path == "/metrics" or path.startswith(("/admin/", "/office/"))


NOT_PUBLISHED = (
    "Không mở qua cổng công khai: /metrics, /admin/ và /office/ chỉ trả lời trong mạng nội bộ "
    "(docker compose run --rm cli nghedan …)"
)
LIVE = ("/health/live", "/livez")
READY = ("/health", "/health/ready", "/readyz")


async def _health(path: str, probe: Probe, send: Any) -> None:
    if path in LIVE:
        status, body = 200, {"status": "live"}
    elif path in READY:
        body = await probe()
        status = 200 if body.get("status") == "ok" else 503
    else:
        status, body = 404, {"error": "not found"}
    await _send_json(send, status, body)


ADMIN_NO_TOKEN = "cần mã quản trị: đặt NGHEDAN_ADMIN_TOKEN (giống của dịch vụ) rồi chạy lại lệnh"


ADMIN_CLOSED = "dịch vụ chưa có NGHEDAN_ADMIN_TOKEN: các lệnh quản trị qua HTTP bị tắt"


OFFICE_NO_TOKEN = "cần mã của văn phòng: NGHEDAN_OFFICE_TOKEN của văn phòng khác của dịch vụ"
OFFICE_CLOSED = "dịch vụ chưa có NGHEDAN_OFFICE_TOKEN: văn phòng không đọc được qua HTTP"


def admin_token_of(settings: Any, name: str = "admin_token") -> str | None:
    """The token a door asks for (`admin_token`, `office_token`): the service's own; none in
    development; else the door is closed ("")."""
    token = getattr(settings, name)
    if token is not None and token.get_secret_value():
        return str(token.get_secret_value())
    return None if settings.development else ""


def _refused(scope: dict[str, Any], token: str | None) -> str | None:
    """Why an /admin/ request is refused, or None: `token` None means development (open), ""
    closed."""
    if token is None:
        return None
    if token == "":
        return ADMIN_CLOSED
    given = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
    if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return None
    return ADMIN_NO_TOKEN


async def _send_json(send: Any, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json; charset=utf-8")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def other_commune(query: Any, own: str) -> Response | None:
    """An /office/ door answers for its own commune only: a reader asking for another (`commune`
    in the query) is told so (404); None when it may read."""
    asked = query.get("commune")
    if asked is None or asked == own:
        return None
    return JSONResponse({"error": f"dịch vụ này phục vụ xã {own}, không phải {asked}"}, 404)


_PLAIN: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])


def plain(value: dict[str, Any]) -> dict[str, Any]:
    """What an /office/ door answers, as JSON's own types (dates as ISO text)."""
    found: dict[str, Any] = _PLAIN.dump_python(value, mode="json")
    return found
