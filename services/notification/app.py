"""Composition root of notification: requests in, messages out on the channels, statuses back."""

from __future__ import annotations

import asyncio
from functools import partial

import httpx

from services.notification import handlers, store
from services.notification.admin import admin_app, office_door
from services.notification.channels import build_channels, remove_old_files
from services.notification.render import Renderer
from services.notification.settings import NotificationSettings
from services.notification.web import report_app
from shared.clock import Clock, local_date
from shared.logging import get_logger
from shared.service import Every, Infrastructure, JobContext, Service, ServiceSpec

log = get_logger(__name__)


async def _forget_old_files(settings: NotificationSettings, job: JobContext) -> None:
    """The file channel keeps a day's messages NOTIFY_FILE_KEEP_DAYS days, then deletes them."""
    if "file" in settings.channels:
        today = local_date(job.clock.now())
        await asyncio.to_thread(remove_old_files, settings.file_dir, today, settings.file_keep_days)


def create_service(settings: NotificationSettings, clock: Clock | None = None) -> Service:
    said = handlers.channels_status(settings)
    if said["warning"]:  # said at start and in /health (`channels`), never hidden
        log.warning("notification.channels", channels=said["configured"], warning=said["warning"])
    client = httpx.AsyncClient()
    infra = Infrastructure("notification", settings, clock)
    deps = handlers.Deps(
        infra, settings, build_channels(settings, client), Renderer(infra.reference)
    )
    retention = handlers.retention(deps, settings.retention_days)
    spec = ServiceSpec(
        name="notification",
        events={
            "notification.send.v1": partial(handlers.accept, deps),
            "registration.session.scheduled.v1": partial(handlers.session_scheduled, deps),
            "registration.session.concluded.v1": partial(handlers.session_concluded, deps),
        },
        tasks={"notification.deliver.v1": partial(handlers.deliver, deps)},
        commands={
            "notification.set-preference.v1": partial(handlers.set_preference, deps),
            "notification.resend-message.v1": partial(handlers.resend, deps),
        },
        ordering={"notification.deliver.v1": lambda task: task.message_id},
        periodic=[
            partial(handlers.release_held, deps),
            partial(_forget_old_files, settings),
            Every(settings.retention_check_seconds, retention),
        ],
        shown={
            "retention": retention.status,
            "channels": partial(handlers.channels_status, settings),
        },
        web=report_app(
            partial(handlers.provider_report, deps), settings.report_token.get_secret_value()
        ),
        admin=admin_app(infra.db, infra.cipher),
        office=office_door(infra.db, infra.cipher, infra.reference.commune.code),
        ensure_indexes=store.ensure_indexes,
        on_stop=[client.aclose],
    )
    return Service(spec, infra)
