"""Composition root of notification. For now it counts the events it will turn into messages."""

from __future__ import annotations

from typing import Any

from services.notification.settings import NotificationSettings
from shared.clock import Clock
from shared.contracts.envelope import routing_key_of
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

    service.spec.events = {ANY_EVENT: count}
    return service
