"""Composition root of reporting: its record of every event, and the read models built from it."""

from __future__ import annotations

from functools import partial
from typing import Any

from services.reporting import handlers, store
from services.reporting.access import guarded
from services.reporting.admin import admin_app
from services.reporting.dashboard import Dashboard
from services.reporting.projections import ENTITY_OF, group_of
from services.reporting.results import Results
from services.reporting.settings import ReportingSettings
from services.reporting.store import ReadModels
from services.reporting.web import web_app
from shared.clock import Clock
from shared.messaging.handling import ANY_EVENT
from shared.service import Infrastructure, Service, ServiceSpec
from shared.storage import Database


def create_service(settings: ReportingSettings, clock: Clock | None = None) -> Service:
    infra = Infrastructure("reporting", settings, clock)
    models = ReadModels(infra.db)
    results = Results(infra.db, models, infra.reference, lag=infra.lag)
    deps = handlers.Deps(results)
    dashboard = Dashboard(models, results, infra.reference, infra.clock)
    door = guarded(web_app(models, results, dashboard), settings.access())
    spec = ServiceSpec(
        name="reporting",
        commands={
            "reporting.issue-results.v1": partial(handlers.issue_results, deps),
            "reporting.replay-results.v1": partial(handlers.replay_results, deps),
            "reporting.issue-conference-notice.v1": partial(handlers.issue_conference_notice, deps),
        },
        events={ANY_EVENT: partial(handlers.record, deps)},
        ordering={key: partial(_group, key) for key in ENTITY_OF},
        web=door,
        shown={"logins": door.login.status},
        admin=admin_app(infra.db),
        ensure_indexes=partial(ensure_indexes, models),
    )
    return Service(spec, infra)


async def ensure_indexes(models: ReadModels, db: Database) -> None:
    await store.ensure_event_log_index(db)
    await models.ensure_indexes()


def _group(key: str, data: Any) -> str | None:
    """The group an event is applied in, in order (see projections.group_of)."""
    return group_of(key, dict(data))
