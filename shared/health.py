"""Liveness and readiness over HTTP (a tiny ASGI app served by uvicorn), for compose and the CLI."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

Probe = Callable[[], Awaitable[dict[str, Any]]]


ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def health_app(
    probe: Probe,
    service_app: ASGIApp | None = None,
    metrics: Callable[[], Awaitable[bytes]] | None = None,
) -> ASGIApp:
    """Health endpoints and /metrics (Prometheus); any other path goes to the service's own web
    app, when it has one."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/metrics" and metrics is not None:
            from shared.metrics import CONTENT_TYPE

            exposed = await metrics()
            headers = [(b"content-type", CONTENT_TYPE.encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": exposed})
            return
        is_health = scope["path"] in (
            "/health/live",
            "/livez",
            "/health",
            "/health/ready",
            "/readyz",
        )
        if service_app is not None and not is_health:
            await service_app(scope, receive, send)
            return
        if scope["path"] in ("/health/live", "/livez"):
            status, body = 200, {"status": "live"}
        elif scope["path"] in ("/health", "/health/ready", "/readyz"):
            body = await probe()
            status = 200 if body.get("status") == "ok" else 503
        else:
            status, body = 404, {"error": "not found"}
        payload = json.dumps(body, ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8")],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    return app
