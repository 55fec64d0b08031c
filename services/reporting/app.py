"""Composition root of reporting: its record of every event, and the read models built from it."""

from __future__ import annotations

from functools import partial
from typing import Any

from services.reporting import store
from services.reporting.access import guarded
from services.reporting.admin import admin_app
from services.reporting.dashboard import Dashboard
from services.reporting.projections import ENTITY_OF, group_of
from services.reporting.results import Results
from services.reporting.settings import ReportingSettings
from services.reporting.store import ReadModels
from services.reporting.web import web_app
from shared.clock import Clock
from shared.contracts.envelope import routing_key_of
from shared.messaging.consumer import ANY_EVENT, HandlerContext
from shared.messaging.outbox import UnitOfWork
from shared.service import Infrastructure, Service, ServiceSpec
from shared.storage import Database


def create_service(settings: ReportingSettings, clock: Clock | None = None) -> Service:
    infra = Infrastructure("reporting", settings, clock)
    models = ReadModels(infra.db)
    results = Results(infra.db, models, infra.reference, lag=infra.lag)
    dashboard = Dashboard(models, results, infra.reference, infra.clock)
    spec = ServiceSpec(
        name="reporting",
        commands={
            "reporting.issue-results.v1": results.issue,
            "reporting.replay-results.v1": results.replay,
        },
        events={ANY_EVENT: partial(record, infra.db, models, results)},
        ordering={key: partial(_group, key) for key in ENTITY_OF},
        web=guarded(web_app(models, results, dashboard), settings.access()),
        admin=admin_app(infra.db),
        ensure_indexes=partial(ensure_indexes, models),
    )
    return Service(spec, infra)


async def ensure_indexes(models: ReadModels, db: Database) -> None:
    await store.ensure_event_log_index(db)
    await models.ensure_indexes()


def recorded(db: Database, uow: UnitOfWork) -> list[dict[str, Any]]:
    """The record's rows of this unit of work's events, inserted at once before it commits."""
    if "event_log" not in uow.scratch:
        rows: list[dict[str, Any]] = []
        uow.scratch["event_log"] = rows

        async def write() -> None:
            await store.record_events(db, rows, uow.session)

        uow.before_flush.insert(0, write)
    return uow.scratch["event_log"]


async def record(
    db: Database, models: ReadModels, results: Results, data: Any, ctx: HandlerContext
) -> None:
    """Keep the event in reporting's own record, and move the read models, in one unit."""
    event = ctx.event
    recorded(db, ctx.uow).append(
        {
            "source": event.source,
            "id": event.id,
            "type": event.type,
            "time": event.time,
            "subject": event.subject,
            "data": event.data,
            "received_at": ctx.clock.now(),
        }
    )
    key = routing_key_of(event.type)
    thing = await models.project(key, dict(event.data or {}), ctx.session, ctx.uow)
    results.feed_followup(key, thing, ctx.uow, event.time or ctx.clock.now())


def _group(key: str, data: Any) -> str | None:
    """The group an event is applied in, in order (see projections.group_of)."""
    return group_of(key, dict(data))
