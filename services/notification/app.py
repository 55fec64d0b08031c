"""Composition root of notification. For now it counts the events it will turn into messages."""

from __future__ import annotations

from typing import Any

from services.notification.settings import NotificationSettings
from shared.clock import Clock
from shared.contracts.envelope import routing_key_of
from shared.contracts.notification import SendNotification
from shared.messaging.consumer import ANY_EVENT, HandlerContext
from shared.service import Service, ServiceSpec


def create_service(settings: NotificationSettings, clock: Clock | None = None) -> Service:
    service = Service(ServiceSpec(name="notification"), settings, clock)

    async def count(_event: Any, ctx: HandlerContext) -> None:
        await service.db["event_counts"].update_one(
            {"_id": routing_key_of(ctx.event.type)},
            {"$inc": {"count": 1}},
            upsert=True,
            session=ctx.session,
        )

    async def keep_request(request: SendNotification, ctx: HandlerContext) -> None:
        """Keep the request, its contact sealed; rendering and sending come with issue 4."""
        key = f"{request.cause_id}|{request.recipient.phone or request.recipient.email}"
        contact = request.recipient.model_dump_json()
        await service.db["requests"].update_one(
            {"_id": service.cipher.keyed_hash(key, purpose="message")},
            {
                "$setOnInsert": {
                    "cause_id": request.cause_id,
                    "template": request.template,
                    "params": request.params,
                    "recipient": service.cipher.encrypt(
                        contact, context=f"notification:{request.cause_id}"
                    ),
                    "status": "queued",
                    "received_at": ctx.clock.now(),
                }
            },
            upsert=True,
            session=ctx.session,
        )

    service.spec.events = {ANY_EVENT: count, "notification.send.v1": keep_request}
    return service
