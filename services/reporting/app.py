"""Composition root of reporting. For now it keeps its own record of every event it received."""

from __future__ import annotations

from typing import Any

from services.reporting.settings import ReportingSettings
from shared.clock import Clock
from shared.messaging.consumer import ANY_EVENT, HandlerContext
from shared.service import Service, ServiceSpec
from shared.storage import ASCENDING, Database


async def ensure_indexes(db: Database) -> None:
    await db["event_log"].create_index([("type", ASCENDING), ("time", ASCENDING)], name="type_time")


def create_service(settings: ReportingSettings, clock: Clock | None = None) -> Service:
    service = Service(ServiceSpec(name="reporting", ensure_indexes=ensure_indexes), settings, clock)

    async def record(_event: Any, ctx: HandlerContext) -> None:
        event = ctx.event
        await service.db["event_log"].insert_one(
            {
                "source": event.source,
                "id": event.id,
                "type": event.type,
                "time": event.time,
                "subject": event.subject,
                "data": event.data,
                "received_at": ctx.clock.now(),
            },
            session=ctx.session,
        )

    service.spec.events = {ANY_EVENT: record}
    return service
