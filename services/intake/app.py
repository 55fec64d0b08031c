"""Composition root of intake. For now it follows the sessions it will draft agendas for."""

from __future__ import annotations

from services.intake.settings import IntakeSettings
from shared.clock import Clock
from shared.contracts import registration as contract
from shared.messaging.consumer import HandlerContext
from shared.service import Service, ServiceSpec
from shared.storage import Database


def _session_follower(db: Database, status: str):
    async def follow(
        event: contract.SessionPlanned | contract.SessionScheduled, ctx: HandlerContext
    ) -> None:
        fields = event.model_dump(mode="json", exclude={"session_id"})
        await db["sessions"].update_one(
            {"_id": event.session_id},
            {"$set": {**fields, "status": status, "updated_at": ctx.clock.now()}},
            upsert=True,
            session=ctx.session,
        )

    return follow


def create_service(settings: IntakeSettings, clock: Clock | None = None) -> Service:
    service = Service(ServiceSpec(name="intake"), settings, clock)
    service.spec.events = {
        f"registration.session.{status_event}.v1": _session_follower(service.db, status)
        for status_event, status in (
            ("planned", "planned"),
            ("scheduled", "scheduled"),
            ("held", "held"),
            ("concluded", "concluded"),
            ("cancelled", "cancelled"),
        )
    }
    return service
